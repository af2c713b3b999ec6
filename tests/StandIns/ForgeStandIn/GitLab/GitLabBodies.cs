using System.Text.Json.Serialization;

namespace Commons.StandIns.Forge.GitLab;

// The shapes GitLab's REST API (v4) answers with, under GitLab's own names. Only the fields a client of these
// endpoints reads are here; GitLab sends more.

internal sealed record UserRefBody(
    long Id,
    string Username,
    string Name,
    string State,
    bool Locked,
    string AvatarUrl,
    string WebUrl);

internal sealed record GitLabUserBody(
    long Id,
    string Username,
    string Name,
    string State,
    bool Locked,
    string AvatarUrl,
    string WebUrl,
    DateTimeOffset CreatedAt,
    string Bio,
    string? PublicEmail,
    bool Bot,
    int Followers,
    int Following);

internal sealed record MergeRequestBody(
    long Id,
    int Iid,
    long ProjectId,
    string Title,
    string Description,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    UserRefBody? MergedBy,
    UserRefBody? MergeUser,
    DateTimeOffset? MergedAt,
    UserRefBody? ClosedBy,
    DateTimeOffset? ClosedAt,
    string TargetBranch,
    string SourceBranch,
    UserRefBody Author,
    IReadOnlyList<UserRefBody> Assignees,
    IReadOnlyList<UserRefBody> Reviewers,
    long SourceProjectId,
    long TargetProjectId,
    bool Draft,
    bool WorkInProgress,
    string MergeStatus,
    string DetailedMergeStatus,
    int UserNotesCount,
    string WebUrl);

internal sealed record NamespaceBody(long Id, string Name, string Path, string Kind, string FullPath, string WebUrl);

internal sealed record ForkedFromBody(long Id, string Name, string Path, string PathWithNamespace, string WebUrl);

internal sealed record ProjectBody(
    long Id,
    string Name,
    string NameWithNamespace,
    string Path,
    string PathWithNamespace,
    string? Description,
    string DefaultBranch,
    string Visibility,
    string WebUrl,
    int StarCount,
    int ForksCount,
    bool Archived,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivityAt,
    NamespaceBody Namespace,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ForkedFromBody? ForkedFromProject);

internal sealed record ApproverBody(UserRefBody User);

internal sealed record ApprovalsBody(
    long Id,
    int Iid,
    long ProjectId,
    string Title,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Approved,
    int ApprovalsRequired,
    int ApprovalsLeft,
    IReadOnlyList<ApproverBody> ApprovedBy);

internal sealed record DiffBody(
    string OldPath,
    string NewPath,
    string AMode,
    string BMode,
    string Diff,
    bool NewFile,
    bool RenamedFile,
    bool DeletedFile,
    bool GeneratedFile);

/// <summary>GitLab's <c>{"message": "404 Project Not Found"}</c>.</summary>
internal sealed record GitLabMessageBody(string Message);

/// <summary>GitLab's <c>{"error": "state does not have a valid value"}</c> for a bad parameter.</summary>
internal sealed record GitLabErrorBody(string Error);

internal sealed record DeviceAuthorizationBody(
    string DeviceCode,
    string UserCode,
    string VerificationUri,
    string VerificationUriComplete,
    int ExpiresIn,
    int Interval);

internal sealed record GitLabTokenBody(
    string AccessToken,
    string TokenType,
    int ExpiresIn,
    string RefreshToken,
    string Scope,
    long CreatedAt);

internal sealed record GitLabOAuthErrorBody(string Error, string ErrorDescription);
