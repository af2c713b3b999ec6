using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Commons.StandIns.Forge.Profiles;

/// <summary>
/// Turns profile entries into the world: reads each field, resolves every login and repository a file names
/// (across all files), and hands out ids and numbers in order of creation, ties broken by the order written.
/// </summary>
internal sealed partial class WorldBuilder(DateTimeOffset anchor)
{
    private const double DefaultDaysOpen = 3;

    private static readonly HashSet<string> UserKeys =
        ["login", "provider", "type", "name", "createdDaysAgo", "followers", "commits"];

    private static readonly HashSet<string> RepositoryKeys =
        ["owner", "name", "stars", "forks", "fork", "archived", "createdDaysAgo", "pushedDaysAgo", "defaultBranch"];

    private static readonly HashSet<string> PullKeys =
    [
        "repo", "author", "title", "createdDaysAgo", "mergedDaysAgo", "mergedBy", "closedDaysAgo", "additions",
        "deletions", "changedFiles", "commits", "reviews",
    ];

    private static readonly HashSet<string> ReviewKeys = ["user", "state", "daysAgo", "body"];

    private static readonly HashSet<string> IssueKeys =
        ["repo", "author", "title", "createdDaysAgo", "closedDaysAgo", "closedBy", "stateReason"];

    private readonly Dictionary<string, (Account Account, ProfileEntry Entry)> _gitHubUsers =
        new(StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<string, (Account Account, ProfileEntry Entry)> _gitLabUsers =
        new(StringComparer.OrdinalIgnoreCase);

    private readonly List<Account> _accounts = [];

    public World Build(Func<string, IReadOnlyList<(string File, string Label, YamlNode Node)>> section)
    {
        ReadUsers(Entries(section("users"), UserKeys));

        var repositories = ReadRepositories(Entries(section("repositories"), RepositoryKeys));
        var items = ReadPulls(Entries(section("pulls"), PullKeys), repositories)
            .Concat(ReadIssues(Entries(section("issues"), IssueKeys), repositories))
            .ToList();
        var (builtRepositories, issues) = NumberIssues(repositories, items);

        var projects = ReadProjects(Entries(section("projects"), ProjectKeys));
        var mergeRequests = ReadMergeRequests(Entries(section("mergeRequests"), MergeRequestKeys), projects);
        var (builtProjects, builtMergeRequests) = NumberMergeRequests(projects, mergeRequests);

        return new World(anchor, _accounts, builtRepositories, issues, builtProjects, builtMergeRequests);
    }

    private static IEnumerable<ProfileEntry> Entries(
        IReadOnlyList<(string File, string Label, YamlNode Node)> entries, IReadOnlySet<string> keys) =>
        entries.SelectMany(e => ProfileEntry.Expand(e.File, e.Label, e.Node, keys));

    private DateTimeOffset At(double daysAgo) => anchor.AddSeconds(-Math.Round(daysAgo * 86_400));

    private void ReadUsers(IEnumerable<ProfileEntry> entries)
    {
        long nextGitHubId = 10_001;
        long nextGitLabId = 1_001;
        foreach (var entry in entries)
        {
            var forge = entry.Choice("provider", "github", "gitlab") switch
            {
                "github" => ForgeKind.GitHub,
                "gitlab" => ForgeKind.GitLab,
                _ => throw entry.Error("provider", "missing; expected github or gitlab"),
            };
            var login = entry.RequiredText("login");
            var pattern = forge == ForgeKind.GitHub ? GitHubLogin() : GitLabUsername();
            if (!pattern.IsMatch(login))
            {
                throw entry.Error("login", forge == ForgeKind.GitHub
                    ? $"'{login}' is not a GitHub login (letters, digits and dashes, up to 39, '[bot]' may follow)"
                    : $"'{login}' is not a GitLab username (letters, digits, '_', '.' and '-')");
            }

            var type = entry.Choice("type", "User", "Bot", "Organization") switch
            {
                null or "User" => AccountType.User,
                "Bot" => AccountType.Bot,
                _ when forge == ForgeKind.GitLab =>
                    throw entry.Error("type", "GitLab has no organisation accounts; use a group namespace in projects"),
                _ => AccountType.Organization,
            };
            var createdDaysAgo = entry.DaysAgo("createdDaysAgo")
                ?? throw entry.Error("createdDaysAgo", "missing; expected the account's age in days");

            var users = forge == ForgeKind.GitHub ? _gitHubUsers : _gitLabUsers;
            if (users.TryGetValue(login, out var existing))
            {
                throw entry.Error("login", $"'{login}' is already defined in {existing.Entry.File}: {existing.Entry.Label}");
            }

            var id = forge == ForgeKind.GitHub ? nextGitHubId++ : nextGitLabId++;
            var account = new Account(
                forge,
                id,
                login,
                type,
                entry.Text("name") ?? login,
                At(createdDaysAgo),
                entry.Integer("followers") ?? 0,
                entry.Integer("commits"),
                $"{entry.File}: {entry.Label}");
            users[login] = (account, entry);
            _accounts.Add(account);
        }
    }

    private Account Resolve(ProfileEntry entry, string field, ForgeKind forge, string login)
    {
        var users = forge == ForgeKind.GitHub ? _gitHubUsers : _gitLabUsers;
        var provider = forge == ForgeKind.GitHub ? "github" : "gitlab";
        return users.TryGetValue(login, out var user)
            ? user.Account
            : throw entry.Error(
                field, $"'{login}' is not a {forge} user in any profile; add it under users with provider: {provider}");
    }

    private Account? ResolveOptional(ProfileEntry entry, string field, ForgeKind forge) =>
        entry.Text(field) is { Length: > 0 } login ? Resolve(entry, field, forge, login) : null;

    /// <summary>
    /// Reads when an item was opened and when it ended (merged or closed), checking the order. An item that
    /// ended and gives no opening was opened <see cref="DefaultDaysOpen"/> days before it ended.
    /// </summary>
    private static Timeline ReadTimeline(ProfileEntry entry, string kind, bool canMerge)
    {
        var merged = canMerge ? entry.DaysAgo("mergedDaysAgo") : null;
        var closed = entry.DaysAgo("closedDaysAgo");
        if (merged is not null && closed is not null)
        {
            throw entry.Error("closedDaysAgo", $"a merged {kind} is closed when it is merged; give mergedDaysAgo alone");
        }

        var ended = merged ?? closed;
        var created = entry.DaysAgo("createdDaysAgo")
            ?? ended + DefaultDaysOpen
            ?? throw entry.Error("createdDaysAgo", $"missing; an open {kind} needs it");
        if (ended > created)
        {
            throw entry.Error(
                merged is null ? "closedDaysAgo" : "mergedDaysAgo",
                $"{Days(ended.Value)} days ago is before the {kind} was created ({Days(created)} days ago)");
        }

        return new Timeline(created, merged, closed);
    }

    private static string Days(double days) => days.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Who ended an item: required when it ended, refused when it did not.</summary>
    private Account? ReadEnder(ProfileEntry entry, string field, ForgeKind forge, double? ended, string when)
    {
        var who = ResolveOptional(entry, field, forge);
        return (ended, who) switch
        {
            (not null, null) => throw entry.Error(field, $"missing; a {when} item needs it"),
            (null, not null) => throw entry.Error(field, $"only a {when} item has one"),
            _ => who,
        };
    }

    private static int ReadFileCount(ProfileEntry entry, string field, int additions, int deletions)
    {
        var changed = additions + deletions;
        var files = entry.Integer(field, min: 1) ?? Math.Max(1, (changed + 99) / 100);
        return files <= Math.Max(1, changed)
            ? files
            : throw entry.Error(field, $"{files} files cannot hold {changed} changed lines");
    }

    private Dictionary<string, RepositorySpec> ReadRepositories(IEnumerable<ProfileEntry> entries)
    {
        var repositories = new Dictionary<string, RepositorySpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            var owner = Resolve(entry, "owner", ForgeKind.GitHub, entry.RequiredText("owner"));
            var name = entry.RequiredText("name");
            if (!RepositoryName().IsMatch(name))
            {
                throw entry.Error("name", $"'{name}' is not a repository name (letters, digits, '.', '_' and '-')");
            }

            var fullName = $"{owner.Login}/{name}";
            if (repositories.TryGetValue(fullName, out var existing))
            {
                throw entry.Error("name", $"'{fullName}' is already defined in {existing.Entry.File}: {existing.Entry.Label}");
            }

            repositories[fullName] = new RepositorySpec(
                entry,
                repositories.Count,
                owner,
                name,
                entry.Integer("stars") ?? 0,
                entry.Integer("forks") ?? 0,
                entry.Flag("fork") ?? false,
                entry.Flag("archived") ?? false,
                entry.DaysAgo("createdDaysAgo")
                    ?? throw entry.Error("createdDaysAgo", "missing; expected the repository's age in days"),
                entry.DaysAgo("pushedDaysAgo"),
                entry.Text("defaultBranch") ?? "main");
        }

        return repositories;
    }

    private static RepositorySpec FindRepository(ProfileEntry entry, Dictionary<string, RepositorySpec> repositories)
    {
        var fullName = entry.RequiredText("repo");
        return repositories.GetValueOrDefault(fullName)
            ?? throw entry.Error(
                "repo", $"'{fullName}' is not a repository in any profile; expected owner/name of one under repositories");
    }

    private IEnumerable<ItemSpec> ReadPulls(
        IEnumerable<ProfileEntry> entries, Dictionary<string, RepositorySpec> repositories)
    {
        var order = 0;
        foreach (var entry in entries)
        {
            var repository = FindRepository(entry, repositories);
            var author = Resolve(entry, "author", ForgeKind.GitHub, entry.RequiredText("author"));
            var timeline = ReadTimeline(entry, "pull request", canMerge: true);
            var mergedBy = ReadEnder(entry, "mergedBy", ForgeKind.GitHub, timeline.Merged, "merged");
            var additions = entry.Integer("additions") ?? throw entry.Error("additions", "missing; expected the lines added");
            var deletions = entry.Integer("deletions") ?? throw entry.Error("deletions", "missing; expected the lines removed");
            var reviews = entry.Nested("reviews", ReviewKeys).Select(review => ReadReview(review, timeline)).ToList();

            var pull = new PullSpec(
                timeline.Merged is { } merged ? At(merged) : null,
                mergedBy,
                additions,
                deletions,
                ReadFileCount(entry, "changedFiles", additions, deletions),
                entry.Integer("commits", min: 1) ?? 1,
                reviews);
            yield return new ItemSpec(
                order++,
                repository,
                author,
                entry.Text("title") ?? $"Pull request by {author.Login}",
                At(timeline.Created),
                timeline.Ended is { } ended ? At(ended) : null,
                mergedBy,
                null,
                pull);
        }
    }

    private ReviewSpec ReadReview(ProfileEntry entry, Timeline timeline)
    {
        var user = Resolve(entry, "user", ForgeKind.GitHub, entry.RequiredText("user"));
        var state = entry.Choice("state", "APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED") ?? "APPROVED";

        // A review nobody dated falls halfway between the opening and the end (or now, for an open one).
        var daysAgo = entry.DaysAgo("daysAgo") ?? ((timeline.Created + (timeline.Ended ?? 0)) / 2);
        if (daysAgo > timeline.Created)
        {
            throw entry.Error(
                "daysAgo",
                $"{Days(daysAgo)} days ago is before the pull request was created ({Days(timeline.Created)} days ago)");
        }

        var body = entry.Text("body") ?? (state == "APPROVED" ? "Looks good to me." : string.Empty);
        return new ReviewSpec(user, state, At(daysAgo), body);
    }

    private IEnumerable<ItemSpec> ReadIssues(
        IEnumerable<ProfileEntry> entries, Dictionary<string, RepositorySpec> repositories)
    {
        var order = 0;
        foreach (var entry in entries)
        {
            var repository = FindRepository(entry, repositories);
            var author = Resolve(entry, "author", ForgeKind.GitHub, entry.RequiredText("author"));
            var timeline = ReadTimeline(entry, "issue", canMerge: false);
            var closedBy = ReadEnder(entry, "closedBy", ForgeKind.GitHub, timeline.Closed, "closed");
            var reason = entry.Choice("stateReason", "completed", "not_planned");
            if (reason is not null && timeline.Closed is null)
            {
                throw entry.Error("stateReason", "only a closed issue has one");
            }

            // Pulls are read first, so issues sort after pulls of the same instant.
            yield return new ItemSpec(
                1_000_000 + order++,
                repository,
                author,
                entry.Text("title") ?? $"Issue reported by {author.Login}",
                At(timeline.Created),
                timeline.Closed is { } closed ? At(closed) : null,
                closedBy,
                timeline.Closed is null ? null : reason ?? "completed",
                null);
        }
    }

    /// <summary>
    /// Numbers issues and pull requests per repository, and gives ids across all of them, both in order of
    /// creation; then builds the repositories, whose last push defaults to their latest activity.
    /// </summary>
    private (List<Repository> Repositories, List<IssueItem> Issues) NumberIssues(
        Dictionary<string, RepositorySpec> specs, List<ItemSpec> items)
    {
        var repositories = new Dictionary<RepositorySpec, Repository>();
        long nextRepositoryId = 200_001;
        foreach (var spec in specs.Values.OrderBy(s => s.Order))
        {
            var latest = items.Where(i => i.Repository == spec).Select(i => i.ClosedAt ?? i.CreatedAt)
                .Append(At(spec.CreatedDaysAgo)).Max();
            repositories[spec] = new Repository(
                nextRepositoryId++,
                spec.Owner,
                spec.Name,
                spec.Stars,
                spec.Forks,
                spec.Fork,
                spec.Archived,
                At(spec.CreatedDaysAgo),
                spec.PushedDaysAgo is { } pushed ? At(pushed) : latest,
                spec.DefaultBranch);
        }

        var chronological = items.OrderBy(i => i.CreatedAt).ThenBy(i => i.Order).ToList();
        var numbers = new Dictionary<RepositorySpec, int>();
        long nextReviewId = 70_000_001;
        // Two copies of a repeated review can be equal as values, so each is told apart by reference.
        var reviewIds = new Dictionary<ReviewSpec, long>(ReferenceEqualityComparer.Instance);
        foreach (var review in chronological.SelectMany(i => i.Pull?.Reviews ?? []).OrderBy(r => r.SubmittedAt))
        {
            reviewIds[review] = nextReviewId++;
        }

        var issues = new List<IssueItem>();
        long nextIssueId = 3_000_001;
        foreach (var item in chronological)
        {
            var number = numbers[item.Repository] = numbers.GetValueOrDefault(item.Repository) + 1;
            var pull = item.Pull is not { } p ? null : new PullDetails(
                p.MergedAt,
                p.MergedBy,
                p.Additions,
                p.Deletions,
                p.ChangedFiles,
                p.Commits,
                [.. p.Reviews.Select(r => new Review(reviewIds[r], r.User, r.State, r.SubmittedAt, r.Body))]);
            issues.Add(new IssueItem(
                nextIssueId++,
                number,
                repositories[item.Repository],
                item.Author,
                item.Title,
                item.CreatedAt,
                item.ClosedAt,
                item.ClosedBy,
                item.StateReason,
                pull));
        }

        return ([.. repositories.Values.OrderBy(r => r.Id)], issues);
    }

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")]
    private static partial Regex GitHubLogin();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")]
    private static partial Regex GitLabUsername();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex RepositoryName();

    private sealed record Timeline(double Created, double? Merged, double? Closed)
    {
        public double? Ended => Merged ?? Closed;
    }

    private sealed record RepositorySpec(
        ProfileEntry Entry,
        int Order,
        Account Owner,
        string Name,
        int Stars,
        int Forks,
        bool Fork,
        bool Archived,
        double CreatedDaysAgo,
        double? PushedDaysAgo,
        string DefaultBranch);

    private sealed record ReviewSpec(Account User, string State, DateTimeOffset SubmittedAt, string Body);

    private sealed record PullSpec(
        DateTimeOffset? MergedAt,
        Account? MergedBy,
        int Additions,
        int Deletions,
        int ChangedFiles,
        int Commits,
        IReadOnlyList<ReviewSpec> Reviews);

    private sealed record ItemSpec(
        int Order,
        RepositorySpec Repository,
        Account Author,
        string Title,
        DateTimeOffset CreatedAt,
        DateTimeOffset? ClosedAt,
        Account? ClosedBy,
        string? StateReason,
        PullSpec? Pull);
}
