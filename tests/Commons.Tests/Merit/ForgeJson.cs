using System.Globalization;

namespace Commons.Tests.Merit;

/// <summary>
/// Answers in the shapes of /work/briefs' forge contract (GitHub's and GitLab's own field names), built from a few
/// values each. Serialized by <see cref="FakeForge"/> with snake_case names.
/// </summary>
internal static class ForgeJson
{
    public const string GitHubApi = "http://github.test/api/v3";
    public const string GitHubWeb = "http://github.test";
    public const string GitLab = "http://gitlab.test";

    public static string Iso(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static object UserRef(string login, string type = "User") => new { login, id = Id(login), type };

    public static object User(string login, DateTimeOffset createdAt, string type = "User") => new
    {
        login,
        id = Id(login),
        node_id = "U_" + login,
        type,
        site_admin = false,
        name = login,
        html_url = $"{GitHubWeb}/{login}",
        url = $"{GitHubApi}/users/{login}",
        created_at = Iso(createdAt),
        updated_at = Iso(createdAt),
        followers = 0,
        public_repos = 1,
    };

    public static object Repo(string fullName, int stars, DateTimeOffset createdAt, bool fork = false, bool archived = false)
    {
        var owner = fullName.Split('/')[0];
        return new
        {
            id = Id(fullName),
            node_id = "R_" + fullName,
            name = fullName.Split('/')[1],
            full_name = fullName,
            owner = UserRef(owner),
            @private = false,
            html_url = $"{GitHubWeb}/{fullName}",
            fork,
            archived,
            stargazers_count = stars,
            watchers_count = stars,
            forks_count = 0,
            created_at = Iso(createdAt),
            updated_at = Iso(createdAt),
            pushed_at = Iso(createdAt),
            default_branch = "main",
        };
    }

    public static object Search(params object[] items) => new { total_count = items.Length, incomplete_results = false, items };

    /// <summary>The path and query of a search the collector pages through (newest updates first).</summary>
    public static string SearchUrl(string q, int page = 1) =>
        $"/api/v3/search/issues?q={q}&sort=updated&order=desc&page={page}&per_page=100";

    /// <summary>A search hit: a pull request when <paramref name="mergedAt"/> is given, else an issue.</summary>
    public static object Hit(
        string repo, int number, object author, DateTimeOffset createdAt, DateTimeOffset? mergedAt = null,
        DateTimeOffset? closedAt = null) => new
    {
        id = Id($"{repo}#{number}"),
        node_id = $"I_{repo}#{number}",
        number,
        title = $"change {number}",
        html_url = $"{GitHubWeb}/{repo}/{(mergedAt is null ? "issues" : "pull")}/{number}",
        url = $"{GitHubApi}/repos/{repo}/issues/{number}",
        repository_url = $"{GitHubApi}/repos/{repo}",
        state = "closed",
        state_reason = mergedAt is null ? "completed" : null,
        user = author,
        created_at = Iso(createdAt),
        updated_at = Iso(closedAt ?? mergedAt ?? createdAt),
        closed_at = Iso(closedAt ?? mergedAt ?? createdAt),
        pull_request = mergedAt is { } merged
            ? new
            {
                url = $"{GitHubApi}/repos/{repo}/pulls/{number}",
                html_url = $"{GitHubWeb}/{repo}/pull/{number}",
                merged_at = Iso(merged),
            }
            : null,
    };

    public static object Pull(
        string repo, int number, object author, object? mergedBy, DateTimeOffset mergedAt, int additions, int deletions) => new
    {
        id = Id($"{repo}!{number}"),
        number,
        html_url = $"{GitHubWeb}/{repo}/pull/{number}",
        url = $"{GitHubApi}/repos/{repo}/pulls/{number}",
        state = "closed",
        title = $"change {number}",
        user = author,
        created_at = Iso(mergedAt.AddDays(-2)),
        closed_at = Iso(mergedAt),
        merged_at = Iso(mergedAt),
        merged = true,
        merged_by = mergedBy,
        additions,
        deletions,
        changed_files = 1,
        commits = 1,
        @base = new { @ref = "main", repo = new { full_name = repo, owner = new { login = repo.Split('/')[0] } } },
        head = new { @ref = "topic", repo = new { full_name = repo } },
    };

    public static object Review(string login, string state, DateTimeOffset submittedAt, string type = "User") => new
    {
        id = Id(login + Iso(submittedAt)),
        node_id = "PRR_" + login,
        user = UserRef(login, type),
        state,
        submitted_at = Iso(submittedAt),
        html_url = $"{GitHubWeb}/review",
        body = "",
    };

    public static object Issue(
        string repo, int number, object author, object? closedBy, DateTimeOffset closedAt, string stateReason) => new
    {
        id = Id($"{repo}#{number}"),
        node_id = $"I_{repo}#{number}",
        number,
        title = $"issue {number}",
        html_url = $"{GitHubWeb}/{repo}/issues/{number}",
        url = $"{GitHubApi}/repos/{repo}/issues/{number}",
        repository_url = $"{GitHubApi}/repos/{repo}",
        state = "closed",
        state_reason = stateReason,
        user = author,
        created_at = Iso(closedAt.AddDays(-5)),
        updated_at = Iso(closedAt),
        closed_at = Iso(closedAt),
        closed_by = closedBy,
    };

    public static object LabUserRef(long id, string username) => new
    {
        id,
        username,
        name = username,
        state = "active",
        web_url = $"{GitLab}/{username}",
    };

    public static object LabUser(long id, string username, DateTimeOffset createdAt, bool bot = false) => new
    {
        id,
        username,
        name = username,
        state = "active",
        web_url = $"{GitLab}/{username}",
        created_at = Iso(createdAt),
        bot,
        avatar_url = (string?)null,
    };

    public static object MergeRequest(
        long projectId, long iid, object author, object? mergeUser, DateTimeOffset mergedAt, string path) => new
    {
        id = projectId * 1000 + iid,
        iid,
        project_id = projectId,
        title = $"change {iid}",
        state = "merged",
        created_at = Iso(mergedAt.AddDays(-3)),
        updated_at = Iso(mergedAt),
        merged_at = Iso(mergedAt),
        closed_at = (string?)null,
        author,
        merged_by = mergeUser,
        merge_user = mergeUser,
        web_url = $"{GitLab}/{path}/-/merge_requests/{iid}",
        source_project_id = projectId,
        target_project_id = projectId,
    };

    public static object Project(
        long id, string path, int stars, DateTimeOffset createdAt, string kind = "group", bool archived = false)
    {
        var ns = path.Split('/')[0];
        return new
        {
            id,
            name = path.Split('/')[1],
            path_with_namespace = path,
            web_url = $"{GitLab}/{path}",
            star_count = stars,
            forks_count = 0,
            archived,
            created_at = Iso(createdAt),
            last_activity_at = Iso(createdAt),
            @namespace = new { id = id + 100, name = ns, path = ns, kind, full_path = ns },
        };
    }

    public static object Approvals(long projectId, long iid, params object[] users) => new
    {
        id = projectId * 1000 + iid,
        iid,
        project_id = projectId,
        approved = users.Length > 0,
        approvals_required = 1,
        approvals_left = users.Length > 0 ? 0 : 1,
        approved_by = users.Select(u => new { user = u }).ToArray(),
    };

    public static object Diff(string path, string diff) => new
    {
        old_path = path,
        new_path = path,
        diff,
        new_file = false,
        renamed_file = false,
        deleted_file = false,
    };

    private static long Id(string text)
    {
        // Stable small numbers, so that the same name always has the same id.
        long hash = 17;
        foreach (var c in text)
        {
            hash = (hash * 31 + c) % 1_000_000_007;
        }

        return hash;
    }
}
