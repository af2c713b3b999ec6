using System.Text.Json;

namespace Commons.Bridge.Merit.Collectors;

// GitLab's JSON as the collector reads it (snake_case on the wire); only the fields the rules need.

internal sealed record GitLabMergeRequest(
    long Id,
    long Iid,
    long ProjectId,
    string State,
    DateTimeOffset? MergedAt,
    GitLabUserRef Author,
    GitLabUserRef? MergedBy,
    GitLabUserRef? MergeUser,
    string WebUrl,
    long TargetProjectId);

internal sealed record GitLabUserRef(long Id, string Username);

internal sealed record GitLabUser(long Id, string Username, bool Bot, DateTimeOffset? CreatedAt);

internal sealed record GitLabNamespace(string Path, string Kind);

internal sealed record GitLabProject(
    long Id,
    string PathWithNamespace,
    string WebUrl,
    int StarCount,
    bool Archived,
    DateTimeOffset CreatedAt,
    GitLabNamespace Namespace,
    JsonElement? ForkedFromProject);

internal sealed record GitLabApprovals(IReadOnlyList<GitLabApprover>? ApprovedBy);

internal sealed record GitLabApprover(GitLabUserRef User);

internal sealed record GitLabDiff(string? Diff);
