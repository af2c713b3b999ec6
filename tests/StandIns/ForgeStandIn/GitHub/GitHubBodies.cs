using System.Text.Json.Serialization;

namespace Commons.StandIns.Forge.GitHub;

// The shapes GitHub's REST API answers with, field for field under GitHub's own names (snake_case on the wire).
// Only the fields a client of these endpoints reads are here; GitHub sends many more.

internal sealed record SimpleUserBody(
    string Login,
    long Id,
    string NodeId,
    string AvatarUrl,
    string Url,
    string HtmlUrl,
    string Type,
    bool SiteAdmin);

internal sealed record UserBody(
    string Login,
    long Id,
    string NodeId,
    string AvatarUrl,
    string Url,
    string HtmlUrl,
    string ReposUrl,
    string Type,
    bool SiteAdmin,
    string Name,
    string? Company,
    string? Blog,
    string? Location,
    string? Email,
    string? Bio,
    int PublicRepos,
    int PublicGists,
    int Followers,
    int Following,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

internal sealed record RepositoryBody(
    long Id,
    string NodeId,
    string Name,
    string FullName,
    SimpleUserBody Owner,
    bool Private,
    string HtmlUrl,
    string? Description,
    bool Fork,
    string Url,
    bool Archived,
    bool Disabled,
    string Visibility,
    int StargazersCount,
    int WatchersCount,
    int ForksCount,
    int OpenIssuesCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset PushedAt,
    string DefaultBranch);

internal sealed record IssuePullLinkBody(
    string Url,
    string HtmlUrl,
    string DiffUrl,
    string PatchUrl,
    DateTimeOffset? MergedAt);

/// <summary>An issue as search and the issues endpoint answer it; a pull request carries <c>pull_request</c>.</summary>
internal record IssueBody
{
    public required long Id { get; init; }

    public required string NodeId { get; init; }

    public required string Url { get; init; }

    public required string RepositoryUrl { get; init; }

    public required string HtmlUrl { get; init; }

    public required int Number { get; init; }

    public required string State { get; init; }

    public required string? StateReason { get; init; }

    public required string Title { get; init; }

    public required string? Body { get; init; }

    public required SimpleUserBody User { get; init; }

    public IReadOnlyList<string> Labels { get; init; } = [];

    public bool Locked { get; init; }

    public int Comments { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required DateTimeOffset? ClosedAt { get; init; }

    public required string AuthorAssociation { get; init; }

    // GitHub leaves the key out altogether for an issue that is not a pull request.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public required IssuePullLinkBody? PullRequest { get; init; }
}

/// <summary>What <c>GET /repos/{o}/{r}/issues/{n}</c> adds: who closed it.</summary>
internal sealed record IssueDetailBody : IssueBody
{
    public required SimpleUserBody? ClosedBy { get; init; }
}

internal sealed record SearchIssuesBody(int TotalCount, bool IncompleteResults, IReadOnlyList<IssueBody> Items);

internal sealed record HeadRepositoryBody(string Name, string FullName, SimpleUserBody Owner, bool Fork, string HtmlUrl);

internal sealed record HeadBody(string Label, string Ref, string Sha, SimpleUserBody User, HeadRepositoryBody Repo);

internal sealed record BaseBody(string Label, string Ref, string Sha, SimpleUserBody User, RepositoryBody Repo);

internal sealed record PullBody(
    string Url,
    long Id,
    string NodeId,
    string HtmlUrl,
    string DiffUrl,
    string IssueUrl,
    int Number,
    string State,
    bool Locked,
    string Title,
    SimpleUserBody User,
    string? Body,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    DateTimeOffset? MergedAt,
    string? MergeCommitSha,
    HeadBody Head,
    [property: JsonPropertyName("base")] BaseBody Base,
    string AuthorAssociation,
    bool Draft,
    bool Merged,
    bool? Mergeable,
    SimpleUserBody? MergedBy,
    int Comments,
    int ReviewComments,
    int Commits,
    int Additions,
    int Deletions,
    int ChangedFiles);

internal sealed record ReviewBody(
    long Id,
    string NodeId,
    SimpleUserBody User,
    string Body,
    string State,
    string HtmlUrl,
    string PullRequestUrl,
    string AuthorAssociation,
    DateTimeOffset SubmittedAt,
    string CommitId);

internal sealed record RateBody(int Limit, int Remaining, long Reset, int Used, string Resource);

internal sealed record RateResourcesBody(RateBody Core, RateBody Search);

internal sealed record RateLimitBody(RateResourcesBody Resources, RateBody Rate);

internal sealed record NotFoundBody(string Message, string DocumentationUrl, string Status);

internal sealed record MessageBody(string Message, string DocumentationUrl);

internal sealed record ValidationErrorBody(
    string Message,
    IReadOnlyList<ValidationErrorItemBody> Errors,
    string DocumentationUrl,
    string Status);

internal sealed record ValidationErrorItemBody(string Message, string Resource, string Field, string Code);

/// <summary><c>GET /api/v3/meta</c>: the one GitHub answer that says it comes from a stand-in.</summary>
internal sealed record MetaBody(
    bool StandIn,
    bool VerifiablePasswordAuthentication,
    string InstalledVersion);

/// <summary>The device flow's answers in their JSON form; the form-encoded form carries the same names.</summary>
internal sealed record DeviceCodeBody(
    string DeviceCode,
    string UserCode,
    string VerificationUri,
    int ExpiresIn,
    int Interval);

internal sealed record AccessTokenBody(string AccessToken, string TokenType, string Scope);

internal sealed record OAuthErrorBody(
    string Error,
    string ErrorDescription,
    string ErrorUri,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Interval);
