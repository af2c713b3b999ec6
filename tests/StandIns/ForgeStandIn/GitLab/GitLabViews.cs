using System.Globalization;
using System.Text;
using Commons.StandIns.Forge.Profiles;

namespace Commons.StandIns.Forge.GitLab;

/// <summary>Turns the world into GitLab's bodies, with URLs under the host the client used.</summary>
internal sealed class GitLabViews(World world, string root)
{
    public static GitLabViews For(HttpContext context, World world)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        return new GitLabViews(world, $"{request.Scheme}://{request.Host}{request.PathBase}");
    }

    public UserRefBody UserRef(Account account) => new(
        account.Id,
        account.Login,
        account.Name,
        "active",
        Locked: false,
        Avatar(account),
        $"{root}/{account.Login}");

    public GitLabUserBody User(Account account) => new(
        account.Id,
        account.Login,
        account.Name,
        "active",
        Locked: false,
        Avatar(account),
        $"{root}/{account.Login}",
        account.CreatedAt,
        Bio: string.Empty,
        PublicEmail: null,
        account.IsBot,
        account.Followers,
        Following: 0);

    public MergeRequestBody MergeRequest(MergeRequest request)
    {
        var merger = request.MergedBy is { } m ? UserRef(m) : null;
        return new MergeRequestBody(
            request.Id,
            request.Iid,
            request.Project.Id,
            request.Title,
            Description: string.Empty,
            request.State,
            request.CreatedAt,
            request.UpdatedAt,
            merger,
            merger,
            request.MergedAt,
            request.ClosedBy is { } closer ? UserRef(closer) : null,
            request.ClosedAt,
            "main",
            $"change-{request.Iid}",
            UserRef(request.Author),
            Assignees: [],
            [.. request.Reviewers.Select(UserRef)],
            request.Project.Id,
            request.Project.Id,
            Draft: false,
            WorkInProgress: false,
            request.MergedAt is null ? "can_be_merged" : "merged",
            request.MergedAt is null ? "mergeable" : "merged",
            UserNotesCount: 0,
            $"{root}/{request.Project.PathWithNamespace}/-/merge_requests/{request.Iid}");
    }

    public ProjectBody Project(Project project)
    {
        var space = project.Namespace;
        var spaceUrl = space.Kind == "group" ? $"{root}/groups/{space.Path}" : $"{root}/{space.Path}";
        var upstream = project.ForkedFromPath is { } path ? world.FindProject(path) : null;
        return new ProjectBody(
            project.Id,
            project.Name,
            $"{space.Name} / {project.Name}",
            project.Name,
            project.PathWithNamespace,
            Description: null,
            "main",
            "public",
            $"{root}/{project.PathWithNamespace}",
            project.Stars,
            project.Forks,
            project.Archived,
            project.CreatedAt,
            project.LastActivityAt,
            new NamespaceBody(
                space.Id, space.Name, space.Path[(space.Path.LastIndexOf('/') + 1)..], space.Kind, space.Path, spaceUrl),
            upstream is null ? null : new ForkedFromBody(
                upstream.Id, upstream.Name, upstream.Name, upstream.PathWithNamespace, $"{root}/{upstream.PathWithNamespace}"));
    }

    public ApprovalsBody Approvals(MergeRequest request)
    {
        var left = Math.Max(0, request.ApprovalsRequired - request.ApprovedBy.Count);
        return new ApprovalsBody(
            request.Id,
            request.Iid,
            request.Project.Id,
            request.Title,
            request.State,
            request.CreatedAt,
            request.UpdatedAt,
            Approved: left == 0,
            request.ApprovalsRequired,
            left,
            [.. request.ApprovedBy.Select(a => new ApproverBody(UserRef(a)))]);
    }

    /// <summary>
    /// The changes as GitLab lists them: one entry per file, each a unified diff starting at its <c>@@</c> header.
    /// The added and removed lines are spread over the files as evenly as whole lines allow, so the lines starting
    /// with + or - add up to the merge request's additions and deletions exactly.
    /// </summary>
    public static IReadOnlyList<DiffBody> Diffs(MergeRequest request)
    {
        var diffs = new List<DiffBody>();
        for (var file = 0; file < request.Files; file++)
        {
            var added = Share(request.Additions, request.Files, file);
            // Removals fill from the last file back, so no file is left without a change.
            var removed = Share(request.Deletions, request.Files, request.Files - 1 - file);
            var path = $"src/part{(file + 1).ToString(CultureInfo.InvariantCulture)}.txt";
            diffs.Add(new DiffBody(
                path,
                path,
                removed == 0 ? "0" : "100644",
                added == 0 ? "0" : "100644",
                Hunk(added, removed),
                NewFile: removed == 0 && added > 0,
                RenamedFile: false,
                DeletedFile: added == 0 && removed > 0,
                GeneratedFile: false));
        }

        return diffs;
    }

    private static int Share(int total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);

    private static string Hunk(int added, int removed)
    {
        var text = new StringBuilder();
        var oldRange = removed == 0 ? "0,0" : $"1,{removed}";
        var newRange = added == 0 ? "0,0" : $"1,{added}";
        text.Append(CultureInfo.InvariantCulture, $"@@ -{oldRange} +{newRange} @@\n");
        for (var line = 1; line <= removed; line++)
        {
            text.Append(CultureInfo.InvariantCulture, $"-old line {line}\n");
        }

        for (var line = 1; line <= added; line++)
        {
            text.Append(CultureInfo.InvariantCulture, $"+new line {line}\n");
        }

        return text.ToString();
    }

    private string Avatar(Account account) =>
        $"{root}/uploads/-/system/user/avatar/{account.Id.ToString(CultureInfo.InvariantCulture)}/avatar.png";
}
