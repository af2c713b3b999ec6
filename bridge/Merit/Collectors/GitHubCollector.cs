using System.Globalization;
using Octokit;
using Octokit.Internal;

namespace Commons.Bridge.Merit.Collectors;

/// <summary>
/// Reads one person's public GitHub contributions through Octokit, over an HTTP pipeline the bridge owns
/// (conditional requests, rate limits). One instance serves one evaluation: it remembers the repositories and
/// accounts it looked up, so each is asked for once.
/// </summary>
/// <remarks>
/// Calls, in order: the searches for authored pull requests, reviews and issues of the last 365 days (dates to the
/// UTC day, so URLs repeat within a day and conditional requests hit), the 5 oldest authored pull requests (for S6),
/// then stewardship: the person's own repositories and those of their reviews, at most
/// <see cref="MaxStewardRepositories"/> of them (most stars first; no fork, not archived, at least a year old), each
/// searched for merged pull requests of others, of which the most recently updated <see cref="MaxStewardPullsPerRepository"/> are
/// opened to read <c>merged_by</c>. GitHub's search cannot filter by merger, so a busy repository where the person
/// merged older changes is undercounted; GraphQL's <c>mergedBy</c> in the search would lift that limit. Bot-authored
/// pull requests are skipped there without being opened. Octokit takes no CancellationToken, so cancellation is
/// checked between calls.
/// </remarks>
public sealed class GitHubCollector
{
    public const string Provider = "github";

    public const int MaxStewardRepositories = 20;

    public const int MaxStewardPullsPerRepository = 200;

    /// <summary>How many of the oldest authored pull requests are checked to date the first item.</summary>
    public const int EarliestPulls = 5;

    private readonly GitHubClient _client;
    private readonly ApiConnection _api;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, ForgeRepository?> _repositories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ForgePerson?> _people = new(StringComparer.OrdinalIgnoreCase);
    private string _login = "";

    public GitHubCollector(GitHubSettings settings, HttpMessageHandler pipeline, TimeProvider time)
    {
        var credentials = settings.ApiToken is { Length: > 0 } token
            ? new Credentials(token, AuthenticationType.Bearer)
            : Credentials.Anonymous;
        var connection = new Connection(
            new ProductHeaderValue("commons-bridge"),
            ApiBase(settings.ApiUrl),
            new InMemoryCredentialStore(credentials),
            new HttpClientAdapter(() => pipeline),
            new SimpleJsonSerializer());
        _client = new GitHubClient(connection);
        _api = new ApiConnection(connection);
        _time = time;
    }

    /// <summary>
    /// The REST root: <c>https://api.github.com/</c> as is; any other host is GitHub Enterprise's layout, with
    /// <c>/api/v3/</c> added unless the URL already ends so.
    /// </summary>
    public static Uri ApiBase(Uri apiUrl)
    {
        if (apiUrl.Host.Equals("github.com", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri("https://api.github.com/");
        }

        var text = apiUrl.AbsoluteUri.TrimEnd('/');
        if (!apiUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase)
            && !text.EndsWith("/api/v3", StringComparison.Ordinal))
        {
            text += "/api/v3";
        }

        return new Uri(text + "/");
    }

    public async Task<ForgeFacts> CollectAsync(string login, DateTimeOffset accountCreatedAt, CancellationToken cancellationToken)
    {
        _login = login;
        var since = _time.GetUtcNow().UtcDateTime.Date.AddDays(-MeritFormula.WindowDays)
            .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var authored = await SearchAsync($"is:pr is:merged author:{login} -user:{login} merged:>={since}", cancellationToken);
        var pulls = await EachAsync(authored, PullAsync, cancellationToken);

        var reviewed = await SearchAsync($"is:pr is:merged reviewed-by:{login} -author:{login} merged:>={since}", cancellationToken);
        var reviews = await EachAsync(reviewed, ReviewAsync, cancellationToken);

        var closed = await SearchAsync(
            $"is:issue author:{login} -user:{login} is:closed reason:completed closed:>={since}", cancellationToken);
        var issues = await EachAsync(closed, IssueAsync, cancellationToken);

        var oldest = await SearchPageAsync(
            $"is:pr is:merged author:{login} -user:{login}", 1, EarliestPulls, oldestFirst: true, cancellationToken);
        var earliest = await EachAsync(
            oldest.Items.Where(i => pulls.All(p => p.Url != i.HtmlUrl)).ToList(), PullAsync, cancellationToken);

        var merges = await MergesAsync(reviewed, since, cancellationToken);
        return new ForgeFacts(Provider, login, accountCreatedAt, pulls, reviews, issues, merges, earliest);
    }

    /// <summary>Looks each search hit up in detail; hits GitHub no longer has are left out.</summary>
    private static async Task<IReadOnlyList<T>> EachAsync<T>(
        IReadOnlyList<Issue> items, Func<Issue, CancellationToken, Task<T?>> lookUp, CancellationToken cancellationToken)
        where T : class
    {
        var found = new List<T>();
        foreach (var item in items)
        {
            if (await lookUp(item, cancellationToken) is { } fact)
            {
                found.Add(fact);
            }
        }

        return found;
    }

    private async Task<PullRequestFact?> PullAsync(Issue item, CancellationToken cancellationToken)
    {
        var (owner, name) = RepositoryOf(item);
        var repository = await RepositoryAsync(owner, name, cancellationToken);
        var pull = await FindAsync(() => _client.PullRequest.Get(owner, name, item.Number), cancellationToken);
        if (repository is null || pull?.MergedAt is not { } mergedAt)
        {
            return null;
        }

        var author = Person(pull.User);
        var mergedBy = pull.MergedBy is null ? null : Person(pull.MergedBy);
        IReadOnlyList<ForgePerson> approvers = [];
        if (mergedBy is null || mergedBy.IsBot || mergedBy.Is(_login))
        {
            // The merge alone does not qualify it; another human's approval may.
            var reviews = await ReviewsAsync(owner, name, item.Number, cancellationToken);
            approvers = reviews
                .Where(r => r.State.StringValue.Equals("APPROVED", StringComparison.OrdinalIgnoreCase))
                .Select(r => Person(r.User))
                .ToList();
        }

        return new PullRequestFact(
            pull.HtmlUrl, repository, author, mergedAt, mergedBy, approvers, pull.Additions + pull.Deletions);
    }

    private async Task<ReviewFact?> ReviewAsync(Issue item, CancellationToken cancellationToken)
    {
        var (owner, name) = RepositoryOf(item);
        var repository = await RepositoryAsync(owner, name, cancellationToken);
        if (repository is null || (item.PullRequest?.MergedAt ?? item.ClosedAt) is not { } mergedAt)
        {
            return null;
        }

        var mine = (await ReviewsAsync(owner, name, item.Number, cancellationToken))
            .Where(r => r.User is not null && r.User.Login.Equals(_login, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(r => r.SubmittedAt)
            .FirstOrDefault();
        return new ReviewFact(item.HtmlUrl, repository, Person(item.User), mergedAt, mine?.SubmittedAt);
    }

    private async Task<IssueFact?> IssueAsync(Issue item, CancellationToken cancellationToken)
    {
        var (owner, name) = RepositoryOf(item);
        var repository = await RepositoryAsync(owner, name, cancellationToken);
        var issue = await FindAsync(() => _client.Issue.Get(owner, name, item.Number), cancellationToken);
        if (repository is null || issue?.ClosedAt is not { } closedAt)
        {
            return null;
        }

        var completed = string.Equals(issue.StateReason?.StringValue, "completed", StringComparison.OrdinalIgnoreCase);
        return new IssueFact(
            issue.HtmlUrl, repository, closedAt, completed, issue.ClosedBy is null ? null : Person(issue.ClosedBy));
    }

    private async Task<IReadOnlyList<MergeFact>> MergesAsync(
        IReadOnlyList<Issue> reviewed, string since, CancellationToken cancellationToken)
    {
        var candidates = new List<ForgeRepository>();
        foreach (var repository in await OwnRepositoriesAsync(cancellationToken))
        {
            _repositories[repository.FullName] = Repository(repository);
            candidates.Add(_repositories[repository.FullName]!);
        }

        foreach (var item in reviewed)
        {
            var (owner, name) = RepositoryOf(item);
            if (await RepositoryAsync(owner, name, cancellationToken) is { } repository)
            {
                candidates.Add(repository);
            }
        }

        var yearAgo = _time.GetUtcNow().AddDays(-MeritFormula.MinStewardRepositoryAgeDays);
        var merges = new List<MergeFact>();
        var chosen = candidates
            .DistinctBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .Where(r => !r.Fork && !r.Archived && r.CreatedAt <= yearAgo)
            .OrderByDescending(r => r.Stars)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .Take(MaxStewardRepositories);
        foreach (var repository in chosen)
        {
            var found = await SearchAsync(
                $"repo:{repository.Name} is:pr is:merged -author:{_login} merged:>={since}",
                cancellationToken,
                MaxStewardPullsPerRepository);
            foreach (var item in found.Where(i => i.User is not null && !Person(i.User).IsBot))
            {
                var (owner, name) = RepositoryOf(item);
                var pull = await FindAsync(() => _client.PullRequest.Get(owner, name, item.Number), cancellationToken);
                if (pull?.MergedAt is not { } mergedAt || pull.MergedBy is null || !Person(pull.MergedBy).Is(_login))
                {
                    continue;
                }

                var author = await PersonAsync(pull.User.Login, cancellationToken) ?? Person(pull.User);
                merges.Add(new MergeFact(pull.HtmlUrl, repository, author, mergedAt));
            }
        }

        return merges;
    }

    /// <summary>
    /// The person's own repositories, page by page while pages come back full (at most 10): explicit pages rather
    /// than the <c>Link</c> header, which an answer served from the cache after a 304 does not carry.
    /// </summary>
    private async Task<IReadOnlyList<Repository>> OwnRepositoriesAsync(CancellationToken cancellationToken)
    {
        var own = new List<Repository>();
        var uri = new Uri($"users/{Uri.EscapeDataString(_login)}/repos", UriKind.Relative);
        for (var page = 1; page <= 10; page++)
        {
            var options = new ApiOptions { PageSize = 100, PageCount = 1, StartPage = page };
            var batch = await FindAsync(
                () => _api.GetAll<Repository>(uri, new Dictionary<string, string> { ["type"] = "owner" }, options),
                cancellationToken) ?? [];
            own.AddRange(batch);
            if (batch.Count < 100)
            {
                break;
            }
        }

        return own;
    }

    private async Task<IReadOnlyList<Issue>> SearchAsync(string query, CancellationToken cancellationToken, int max = 1000)
    {
        var items = new List<Issue>();
        for (var page = 1; items.Count < max; page++)
        {
            var result = await SearchPageAsync(query, page, 100, oldestFirst: false, cancellationToken);
            items.AddRange(result.Items);
            if (result.Items.Count < 100 || items.Count >= result.TotalCount)
            {
                break;
            }
        }

        return items.Take(max).ToList();
    }

    private async Task<SearchIssuesResult> SearchPageAsync(
        string query, int page, int perPage, bool oldestFirst, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Octokit always sends an order; a sort to go with it keeps the pages of one search in a stable order, and
        // puts the newest first where a search is cut short (stewardship).
        var request = new SearchIssuesRequest(query)
        {
            Page = page,
            PerPage = perPage,
            SortField = oldestFirst ? IssueSearchSort.Created : IssueSearchSort.Updated,
            Order = oldestFirst ? SortDirection.Ascending : SortDirection.Descending,
        };

        return await _client.Search.SearchIssues(request);
    }

    private async Task<IReadOnlyList<PullRequestReview>> ReviewsAsync(
        string owner, string name, int number, CancellationToken cancellationToken) =>
        await FindAsync(
            () => _client.PullRequest.Review.GetAll(owner, name, number, new ApiOptions { PageSize = 100 }),
            cancellationToken) ?? [];

    private async Task<ForgeRepository?> RepositoryAsync(string owner, string name, CancellationToken cancellationToken)
    {
        var key = $"{owner}/{name}";
        if (!_repositories.TryGetValue(key, out var repository))
        {
            var found = await FindAsync(() => _client.Repository.Get(owner, name), cancellationToken);
            repository = found is null ? null : Repository(found);
            _repositories[key] = repository;
        }

        return repository;
    }

    private async Task<ForgePerson?> PersonAsync(string login, CancellationToken cancellationToken)
    {
        if (!_people.TryGetValue(login, out var person))
        {
            var user = await FindAsync(() => _client.User.Get(login), cancellationToken);
            person = user is null ? null : Person(user) with { CreatedAt = user.CreatedAt };
            _people[login] = person;
        }

        return person;
    }

    private ForgeRepository Repository(Repository repository) =>
        new(
            Provider,
            repository.FullName,
            repository.HtmlUrl,
            repository.Owner?.Login.Equals(_login, StringComparison.OrdinalIgnoreCase) == true,
            repository.Fork,
            repository.Archived,
            repository.StargazersCount,
            repository.CreatedAt);

    private static ForgePerson Person(User user) =>
        new(user.Login, ForgePerson.IsBotAccount(user.Login, user.Type?.ToString()));

    /// <summary>The answer, or null when GitHub no longer has it (deleted, made private): that item is left out.</summary>
    private static async Task<T?> FindAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await call();
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Search hits carry no repository object: the owner and name come from the API URL
    /// (<c>…/repos/OWNER/NAME/issues/N</c>), or else from the web URL (<c>…/OWNER/NAME/pull/N</c>).
    /// </summary>
    internal static (string Owner, string Name) RepositoryOf(Issue item)
    {
        var api = item.Url is null ? [] : new Uri(item.Url).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.LastIndexOf(api, "repos");
        if (at >= 0 && at + 2 < api.Length)
        {
            return (Uri.UnescapeDataString(api[at + 1]), Uri.UnescapeDataString(api[at + 2]));
        }

        var web = new Uri(item.HtmlUrl).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (web.Length >= 4)
        {
            return (Uri.UnescapeDataString(web[^4]), Uri.UnescapeDataString(web[^3]));
        }

        throw new FormatException($"cannot tell the repository of search hit {item.HtmlUrl}");
    }
}
