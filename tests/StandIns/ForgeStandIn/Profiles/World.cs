namespace Commons.StandIns.Forge.Profiles;

/// <summary>The two forges the stand-in plays. An account belongs to exactly one.</summary>
public enum ForgeKind
{
    GitHub,
    GitLab,
}

/// <summary>What kind of account it is, in GitHub's words; on GitLab only User and Bot occur.</summary>
public enum AccountType
{
    User,
    Bot,
    Organization,
}

/// <summary>A GitHub user or organisation, or a GitLab user.</summary>
/// <param name="Commits">A fact a profile may record (say, 2,000 commits); no endpoint serves it.</param>
/// <param name="Source">The profile file and entry that defined it, for messages.</param>
public sealed record Account(
    ForgeKind Forge,
    long Id,
    string Login,
    AccountType Type,
    string Name,
    DateTimeOffset CreatedAt,
    int Followers,
    long? Commits,
    string Source)
{
    public bool IsBot => Type == AccountType.Bot;
}

/// <summary>A GitHub repository.</summary>
public sealed record Repository(
    long Id,
    Account Owner,
    string Name,
    int Stars,
    int Forks,
    bool Fork,
    bool Archived,
    DateTimeOffset CreatedAt,
    DateTimeOffset PushedAt,
    string DefaultBranch)
{
    public string FullName => $"{Owner.Login}/{Name}";
}

/// <summary>A GitHub review of a pull request.</summary>
public sealed record Review(long Id, Account User, string State, DateTimeOffset SubmittedAt, string Body);

/// <summary>What only a pull request has; merged ones carry who merged them and when.</summary>
public sealed record PullDetails(
    DateTimeOffset? MergedAt,
    Account? MergedBy,
    int Additions,
    int Deletions,
    int ChangedFiles,
    int Commits,
    IReadOnlyList<Review> Reviews);

/// <summary>
/// A GitHub issue or pull request: they share one number sequence per repository, as on GitHub, and a pull
/// request is an issue with <see cref="Pull"/> set.
/// </summary>
/// <param name="StateReason"><c>completed</c> or <c>not_planned</c> for a closed issue; null otherwise.</param>
public sealed record IssueItem(
    long Id,
    int Number,
    Repository Repository,
    Account Author,
    string Title,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ClosedAt,
    Account? ClosedBy,
    string? StateReason,
    PullDetails? Pull)
{
    public bool IsPull => Pull is not null;

    public bool IsMerged => Pull?.MergedAt is not null;

    public string State => ClosedAt is null ? "open" : "closed";

    public DateTimeOffset UpdatedAt => ClosedAt ?? CreatedAt;
}

/// <summary>A GitLab namespace: a user's own, or a group's.</summary>
/// <param name="Kind"><c>user</c> or <c>group</c>, as GitLab names them.</param>
public sealed record GitLabNamespace(long Id, string Path, string Name, string Kind);

/// <summary>A GitLab project.</summary>
public sealed record Project(
    long Id,
    GitLabNamespace Namespace,
    string Name,
    int Stars,
    int Forks,
    bool Archived,
    string? ForkedFromPath,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivityAt)
{
    public string PathWithNamespace => $"{Namespace.Path}/{Name}";
}

/// <summary>A GitLab merge request, with what its approvals and diffs endpoints answer.</summary>
public sealed record MergeRequest(
    long Id,
    int Iid,
    Project Project,
    Account Author,
    string Title,
    DateTimeOffset CreatedAt,
    DateTimeOffset? MergedAt,
    Account? MergedBy,
    DateTimeOffset? ClosedAt,
    Account? ClosedBy,
    IReadOnlyList<Account> ApprovedBy,
    IReadOnlyList<Account> Reviewers,
    int ApprovalsRequired,
    int Additions,
    int Deletions,
    int Files)
{
    /// <summary><c>merged</c>, <c>closed</c> or <c>opened</c>, GitLab's names.</summary>
    public string State => MergedAt is not null ? "merged" : ClosedAt is not null ? "closed" : "opened";

    public DateTimeOffset UpdatedAt => MergedAt ?? ClosedAt ?? CreatedAt;
}

/// <summary>
/// Everything the profiles describe, merged into one world with ids and numbers assigned. Immutable once built;
/// lookups of logins and paths ignore case, as both forges do.
/// </summary>
public sealed class World
{
    private readonly Dictionary<string, Account> _gitHubUsers;
    private readonly Dictionary<string, Account> _gitLabUsers;
    private readonly Dictionary<long, Account> _gitLabUsersById;
    private readonly Dictionary<string, Repository> _repositories;
    private readonly Dictionary<(long RepositoryId, int Number), IssueItem> _issuesByNumber;
    private readonly Dictionary<string, Project> _projectsByPath;
    private readonly Dictionary<long, Project> _projectsById;
    private readonly Dictionary<(long ProjectId, int Iid), MergeRequest> _mergeRequestsByIid;
    private readonly Dictionary<long, int> _openIssues;
    private readonly Dictionary<long, int> _ownedRepositories;
    private readonly HashSet<(long RepositoryId, long AccountId)> _mergers;
    private readonly HashSet<(long RepositoryId, long AccountId)> _mergedAuthors;

    public World(
        DateTimeOffset anchor,
        IReadOnlyList<Account> accounts,
        IReadOnlyList<Repository> repositories,
        IReadOnlyList<IssueItem> issues,
        IReadOnlyList<Project> projects,
        IReadOnlyList<MergeRequest> mergeRequests)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(repositories);
        ArgumentNullException.ThrowIfNull(issues);
        ArgumentNullException.ThrowIfNull(projects);
        ArgumentNullException.ThrowIfNull(mergeRequests);

        Anchor = anchor;
        Accounts = accounts;
        Repositories = repositories;
        Issues = issues;
        Projects = projects;
        MergeRequests = mergeRequests;

        var ignoreCase = StringComparer.OrdinalIgnoreCase;
        _gitHubUsers = accounts.Where(a => a.Forge == ForgeKind.GitHub).ToDictionary(a => a.Login, ignoreCase);
        _gitLabUsers = accounts.Where(a => a.Forge == ForgeKind.GitLab).ToDictionary(a => a.Login, ignoreCase);
        _gitLabUsersById = _gitLabUsers.Values.ToDictionary(a => a.Id);
        _repositories = repositories.ToDictionary(r => r.FullName, ignoreCase);
        _issuesByNumber = issues.ToDictionary(i => (i.Repository.Id, i.Number));
        _projectsByPath = projects.ToDictionary(p => p.PathWithNamespace, ignoreCase);
        _projectsById = projects.ToDictionary(p => p.Id);
        _mergeRequestsByIid = mergeRequests.ToDictionary(m => (m.Project.Id, m.Iid));
        _openIssues = issues.Where(i => i.ClosedAt is null).CountBy(i => i.Repository.Id).ToDictionary();
        _ownedRepositories = repositories.CountBy(r => r.Owner.Id).ToDictionary();
        _mergers = [.. issues.Where(i => i.Pull?.MergedBy is not null).Select(i => (i.Repository.Id, i.Pull!.MergedBy!.Id))];
        _mergedAuthors = [.. issues.Where(i => i.IsMerged).Select(i => (i.Repository.Id, i.Author.Id))];
    }

    /// <summary>The instant every "days ago" in the profiles was counted from.</summary>
    public DateTimeOffset Anchor { get; }

    public IReadOnlyList<Account> Accounts { get; }

    public IReadOnlyList<Repository> Repositories { get; }

    /// <summary>GitHub issues and pull requests, in id order.</summary>
    public IReadOnlyList<IssueItem> Issues { get; }

    public IReadOnlyList<Project> Projects { get; }

    public IReadOnlyList<MergeRequest> MergeRequests { get; }

    public int OpenIssueCount(Repository repository) => _openIssues.GetValueOrDefault(repository.Id);

    public int OwnedRepositoryCount(Account account) => _ownedRepositories.GetValueOrDefault(account.Id);

    /// <summary>
    /// GitHub's <c>author_association</c> of an account with a repository: OWNER, COLLABORATOR for one who has
    /// merged pull requests there, CONTRIBUTOR for one whose pull request was merged there, else NONE.
    /// </summary>
    public string Association(Repository repository, Account account) =>
        account.Id == repository.Owner.Id ? "OWNER"
        : _mergers.Contains((repository.Id, account.Id)) ? "COLLABORATOR"
        : _mergedAuthors.Contains((repository.Id, account.Id)) ? "CONTRIBUTOR"
        : "NONE";

    public Account? FindAccount(ForgeKind forge, string login) =>
        (forge == ForgeKind.GitHub ? _gitHubUsers : _gitLabUsers).GetValueOrDefault(login);

    public Account? FindGitLabUser(long id) => _gitLabUsersById.GetValueOrDefault(id);

    public Repository? FindRepository(string owner, string name) => _repositories.GetValueOrDefault($"{owner}/{name}");

    public IssueItem? FindIssue(Repository repository, int number) =>
        _issuesByNumber.GetValueOrDefault((repository.Id, number));

    public Project? FindProject(long id) => _projectsById.GetValueOrDefault(id);

    public Project? FindProject(string pathWithNamespace) => _projectsByPath.GetValueOrDefault(pathWithNamespace);

    public MergeRequest? FindMergeRequest(Project project, int iid) =>
        _mergeRequestsByIid.GetValueOrDefault((project.Id, iid));
}
