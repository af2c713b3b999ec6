using System.Text.RegularExpressions;

namespace Commons.StandIns.Forge.Profiles;

/// <summary>The GitLab half: projects in user or group namespaces, and merge requests into them.</summary>
internal sealed partial class WorldBuilder
{
    private static readonly HashSet<string> ProjectKeys =
    [
        "namespace", "kind", "name", "stars", "forks", "forkedFrom", "archived", "createdDaysAgo",
        "lastActivityDaysAgo",
    ];

    private static readonly HashSet<string> MergeRequestKeys =
    [
        "project", "author", "title", "createdDaysAgo", "mergedDaysAgo", "mergedBy", "closedDaysAgo", "closedBy",
        "approvedBy", "reviewers", "approvalsRequired", "additions", "deletions", "files",
    ];

    private Dictionary<string, ProjectSpec> ReadProjects(IEnumerable<ProfileEntry> entries)
    {
        var projects = new Dictionary<string, ProjectSpec>(StringComparer.OrdinalIgnoreCase);
        var namespaces = new Dictionary<string, GitLabNamespace>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            var space = ReadNamespace(entry, namespaces);
            var name = entry.RequiredText("name");
            if (!RepositoryName().IsMatch(name))
            {
                throw entry.Error("name", $"'{name}' is not a project path (letters, digits, '.', '_' and '-')");
            }

            var path = $"{space.Path}/{name}";
            if (projects.TryGetValue(path, out var existing))
            {
                throw entry.Error("name", $"'{path}' is already defined in {existing.Entry.File}: {existing.Entry.Label}");
            }

            projects[path] = new ProjectSpec(
                entry,
                projects.Count,
                space,
                name,
                entry.Integer("stars") ?? 0,
                entry.Integer("forks") ?? 0,
                entry.Flag("archived") ?? false,
                entry.Text("forkedFrom"),
                entry.DaysAgo("createdDaysAgo")
                    ?? throw entry.Error("createdDaysAgo", "missing; expected the project's age in days"),
                entry.DaysAgo("lastActivityDaysAgo"));
        }

        foreach (var project in projects.Values)
        {
            if (project.ForkedFrom is { } upstream && !projects.ContainsKey(upstream))
            {
                throw project.Entry.Error(
                    "forkedFrom", $"'{upstream}' is not a project in any profile; expected namespace/name of one");
            }
        }

        return projects;
    }

    /// <summary>
    /// A user namespace is a GitLab user's username; anything else is a group. <c>kind</c> may say which, and
    /// must then agree.
    /// </summary>
    private GitLabNamespace ReadNamespace(ProfileEntry entry, Dictionary<string, GitLabNamespace> namespaces)
    {
        var path = entry.RequiredText("namespace");
        if (!NamespacePath().IsMatch(path))
        {
            throw entry.Error("namespace", $"'{path}' is not a namespace path such as alice, gnome or gnome/core");
        }

        var user = _gitLabUsers.GetValueOrDefault(path).Account;
        var kind = entry.Choice("kind", "user", "group") ?? (user is null ? "group" : "user");
        if (kind == "user" && user is null)
        {
            throw entry.Error("namespace", $"'{path}' is not a GitLab user in any profile, so it cannot be a user namespace");
        }

        if (kind == "group" && user is not null)
        {
            throw entry.Error("kind", $"'{path}' is a GitLab user's namespace, so it cannot be a group");
        }

        if (!namespaces.TryGetValue(path, out var space))
        {
            var name = user?.Name ?? path[(path.LastIndexOf('/') + 1)..];
            space = namespaces[path] = new GitLabNamespace(2_001 + namespaces.Count, user?.Login ?? path, name, kind);
        }

        return space;
    }

    private IEnumerable<MergeRequestSpec> ReadMergeRequests(
        IEnumerable<ProfileEntry> entries, Dictionary<string, ProjectSpec> projects)
    {
        var order = 0;
        foreach (var entry in entries)
        {
            var path = entry.RequiredText("project");
            var project = projects.GetValueOrDefault(path)
                ?? throw entry.Error(
                    "project", $"'{path}' is not a project in any profile; expected namespace/name of one under projects");
            var author = Resolve(entry, "author", ForgeKind.GitLab, entry.RequiredText("author"));
            var timeline = ReadTimeline(entry, "merge request", canMerge: true);
            var additions = entry.Integer("additions") ?? throw entry.Error("additions", "missing; expected the lines added");
            var deletions = entry.Integer("deletions") ?? throw entry.Error("deletions", "missing; expected the lines removed");

            yield return new MergeRequestSpec(
                order++,
                project,
                author,
                entry.Text("title") ?? $"Merge request by {author.Login}",
                At(timeline.Created),
                timeline.Merged is { } merged ? At(merged) : null,
                ReadEnder(entry, "mergedBy", ForgeKind.GitLab, timeline.Merged, "merged"),
                timeline.Closed is { } closed ? At(closed) : null,
                timeline.Closed is null ? null : ResolveOptional(entry, "closedBy", ForgeKind.GitLab),
                [.. entry.TextList("approvedBy").Select(login => Resolve(entry, "approvedBy", ForgeKind.GitLab, login))],
                [.. entry.TextList("reviewers").Select(login => Resolve(entry, "reviewers", ForgeKind.GitLab, login))],
                entry.Integer("approvalsRequired") ?? 1,
                additions,
                deletions,
                ReadFileCount(entry, "files", additions, deletions));
        }
    }

    /// <summary>
    /// Numbers merge requests per project and gives ids across all of them, in order of creation; then builds
    /// the projects, whose last activity defaults to their latest merge request.
    /// </summary>
    private (List<Project> Projects, List<MergeRequest> MergeRequests) NumberMergeRequests(
        Dictionary<string, ProjectSpec> specs, IEnumerable<MergeRequestSpec> mergeRequests)
    {
        var requests = mergeRequests.ToList();
        var projects = new Dictionary<ProjectSpec, Project>();
        long nextProjectId = 40_001;
        foreach (var spec in specs.Values.OrderBy(s => s.Order))
        {
            var latest = requests.Where(m => m.Project == spec).Select(m => m.MergedAt ?? m.ClosedAt ?? m.CreatedAt)
                .Append(At(spec.CreatedDaysAgo)).Max();
            projects[spec] = new Project(
                nextProjectId++,
                spec.Namespace,
                spec.Name,
                spec.Stars,
                spec.Forks,
                spec.Archived,
                spec.ForkedFrom,
                At(spec.CreatedDaysAgo),
                spec.LastActivityDaysAgo is { } active ? At(active) : latest);
        }

        var iids = new Dictionary<ProjectSpec, int>();
        long nextId = 900_001;
        var built = new List<MergeRequest>();
        foreach (var m in requests.OrderBy(m => m.CreatedAt).ThenBy(m => m.Order))
        {
            var iid = iids[m.Project] = iids.GetValueOrDefault(m.Project) + 1;
            built.Add(new MergeRequest(
                nextId++,
                iid,
                projects[m.Project],
                m.Author,
                m.Title,
                m.CreatedAt,
                m.MergedAt,
                m.MergedBy,
                m.ClosedAt,
                m.ClosedBy,
                m.ApprovedBy,
                m.Reviewers,
                m.ApprovalsRequired,
                m.Additions,
                m.Deletions,
                m.Files));
        }

        return ([.. projects.Values.OrderBy(p => p.Id)], built);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")]
    private static partial Regex NamespacePath();

    private sealed record ProjectSpec(
        ProfileEntry Entry,
        int Order,
        GitLabNamespace Namespace,
        string Name,
        int Stars,
        int Forks,
        bool Archived,
        string? ForkedFrom,
        double CreatedDaysAgo,
        double? LastActivityDaysAgo);

    private sealed record MergeRequestSpec(
        int Order,
        ProjectSpec Project,
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
        int Files);
}
