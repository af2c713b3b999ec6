using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Commons.Bridge.Merit.Http;

namespace Commons.Bridge.Merit.Collectors;

/// <summary>
/// Reads one person's public GitLab contributions with plain HTTP over the bridge's pipeline (conditional requests,
/// rate limits). One instance serves one evaluation and remembers the projects and accounts it looked up.
/// </summary>
/// <remarks>
/// Calls: merge requests the person authored (merged, updated in the last five years: the window's ones count, the
/// 5 oldest date the first item), with their project, merger, approvals (only when the merger alone does not qualify
/// it) and diffs (changed lines are those starting with + or - after a hunk header); merge requests the person
/// approved in the window (reviews, dated by the merge since approvals carry no date here), of which those the person
/// also merged are stewardship. GitLab's API has no search by merger, so a merge the person did without approving is
/// not seen.
/// </remarks>
public sealed class GitLabCollector : IDisposable
{
    public const string Provider = "gitlab";

    /// <summary>Authored merge requests are read back this far, the most S6 can use (60 months).</summary>
    public const int HistoryDays = 1827;

    private const int MaxPages = 50;

    private const int PageSize = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Dictionary<long, ForgeRepository?> _projects = [];
    private readonly Dictionary<long, ForgePerson?> _people = [];
    private string _login = "";

    public GitLabCollector(GitLabSettings settings, HttpMessageHandler pipeline, TimeProvider time)
    {
        _http = new HttpClient(pipeline, disposeHandler: false)
        {
            BaseAddress = new Uri(settings.Url.AbsoluteUri.TrimEnd('/') + "/api/v4/"),
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("commons-bridge", "1"));
        if (settings.ApiToken is { Length: > 0 } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _time = time;
    }

    public void Dispose() => _http.Dispose();

    public async Task<ForgeFacts> CollectAsync(string login, DateTimeOffset accountCreatedAt, CancellationToken cancellationToken)
    {
        _login = login;
        var today = _time.GetUtcNow().UtcDateTime.Date;
        var windowStart = new DateTimeOffset(today.AddDays(-MeritFormula.WindowDays), TimeSpan.Zero);
        var user = Uri.EscapeDataString(login);

        var authored = await PagesAsync<GitLabMergeRequest>(
            $"merge_requests?scope=all&state=merged&author_username={user}"
                + $"&updated_after={Iso(today.AddDays(-HistoryDays))}&per_page=100",
            cancellationToken);
        var pulls = new List<PullRequestFact>();
        foreach (var request in authored.Where(r => r.MergedAt >= windowStart))
        {
            if (await PullAsync(request, cancellationToken) is { } pull)
            {
                pulls.Add(pull);
            }
        }

        var earliest = new List<PullRequestFact>();
        var older = authored.Where(r => r.MergedAt < windowStart).OrderBy(r => r.MergedAt).Take(GitHubCollector.EarliestPulls);
        foreach (var request in older)
        {
            if (await PullAsync(request, cancellationToken) is { } pull)
            {
                earliest.Add(pull);
            }
        }

        var approved = await PagesAsync<GitLabMergeRequest>(
            $"merge_requests?scope=all&state=merged&approved_by_usernames[]={user}"
                + $"&updated_after={Iso(windowStart.UtcDateTime)}&per_page=100",
            cancellationToken);
        var reviews = new List<ReviewFact>();
        var merges = new List<MergeFact>();
        foreach (var request in approved.Where(r => r.MergedAt is not null))
        {
            var project = await ProjectAsync(request.TargetProjectId, cancellationToken);
            var author = await PersonAsync(request.Author, cancellationToken);
            if (project is null || author is null)
            {
                continue;
            }

            var mergedAt = request.MergedAt!.Value;
            reviews.Add(new ReviewFact(request.WebUrl, project, author, mergedAt, mergedAt));
            if ((request.MergeUser ?? request.MergedBy)?.Username.Equals(login, StringComparison.OrdinalIgnoreCase) == true
                && !author.Is(login))
            {
                merges.Add(new MergeFact(request.WebUrl, project, author, mergedAt));
            }
        }

        return new ForgeFacts(Provider, login, accountCreatedAt, pulls, reviews, [], merges, earliest);
    }

    /// <summary>Lines a unified diff adds or removes: those starting with + or - after the first <c>@@</c> header.</summary>
    public static int ChangedLines(string diff)
    {
        var count = 0;
        var inHunk = false;
        foreach (var line in diff.Split('\n'))
        {
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                inHunk = true;
            }
            else if (inHunk && line.Length > 0 && line[0] is '+' or '-')
            {
                count++;
            }
        }

        return count;
    }

    private async Task<PullRequestFact?> PullAsync(GitLabMergeRequest request, CancellationToken cancellationToken)
    {
        var project = await ProjectAsync(request.TargetProjectId, cancellationToken);
        var author = await PersonAsync(request.Author, cancellationToken);
        if (project is null || author is null || request.MergedAt is not { } mergedAt)
        {
            return null;
        }

        var merger = request.MergeUser ?? request.MergedBy;
        var mergedBy = merger is null ? null : await PersonAsync(merger, cancellationToken);
        IReadOnlyList<ForgePerson> approvers = [];
        if (mergedBy is null || mergedBy.IsBot || mergedBy.Is(_login))
        {
            var approvals = await GetAsync<GitLabApprovals>(
                $"projects/{request.TargetProjectId}/merge_requests/{request.Iid}/approvals", cancellationToken);
            var people = new List<ForgePerson>();
            foreach (var approver in approvals?.ApprovedBy ?? [])
            {
                if (await PersonAsync(approver.User, cancellationToken) is { } person)
                {
                    people.Add(person);
                }
            }

            approvers = people;
        }

        var diffs = await PagesAsync<GitLabDiff>(
            $"projects/{request.TargetProjectId}/merge_requests/{request.Iid}/diffs?per_page=100", cancellationToken);
        var changed = diffs.Sum(d => ChangedLines(d.Diff ?? ""));
        return new PullRequestFact(request.WebUrl, project, author, mergedAt, mergedBy, approvers, changed);
    }

    private async Task<ForgeRepository?> ProjectAsync(long id, CancellationToken cancellationToken)
    {
        if (!_projects.TryGetValue(id, out var repository))
        {
            var project = await GetAsync<GitLabProject>($"projects/{id}", cancellationToken);
            repository = project is null
                ? null
                : new ForgeRepository(
                    Provider,
                    project.PathWithNamespace,
                    project.WebUrl,
                    project.Namespace.Kind == "user" && project.Namespace.Path.Equals(_login, StringComparison.OrdinalIgnoreCase),
                    project.ForkedFromProject is { ValueKind: JsonValueKind.Object },
                    project.Archived,
                    project.StarCount,
                    project.CreatedAt);
            _projects[id] = repository;
        }

        return repository;
    }

    /// <summary>The account behind a user reference (for its bot flag and age); null when GitLab no longer has it.</summary>
    private async Task<ForgePerson?> PersonAsync(GitLabUserRef reference, CancellationToken cancellationToken)
    {
        if (!_people.TryGetValue(reference.Id, out var person))
        {
            var user = await GetAsync<GitLabUser>($"users/{reference.Id}", cancellationToken);
            person = user is null
                ? null
                : new ForgePerson(user.Username, ForgePerson.IsBotAccount(user.Username, null, user.Bot), user.CreatedAt);
            _people[reference.Id] = person;
        }

        return person;
    }

    private async Task<T?> GetAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendAsync(path, cancellationToken);
        return response is null ? null : await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
    }

    /// <summary>
    /// Every page of a list (at most 50), following <c>X-Next-Page</c>. An answer without that header (one served
    /// from the cache after a 304 may have lost it) goes on to the next page while pages come back full.
    /// </summary>
    private async Task<IReadOnlyList<T>> PagesAsync<T>(string path, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var next = path;
        for (var page = 1; next is not null && page <= MaxPages; page++)
        {
            using var response = await SendAsync(next, cancellationToken);
            if (response is null)
            {
                break;
            }

            var batch = await response.Content.ReadFromJsonAsync<List<T>>(Json, cancellationToken) ?? [];
            items.AddRange(batch);
            int? following = response.Headers.TryGetValues("X-Next-Page", out var values)
                ? int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var named) ? named : null
                : batch.Count >= PageSize ? page + 1 : null;
            next = following is { } number ? $"{path}&page={number}" : null;
        }

        return items;
    }

    /// <summary>The answer, null for a 404, and <see cref="ForgeUnavailableException"/> for any other failure.</summary>
    private async Task<HttpResponseMessage?> SendAsync(string path, CancellationToken cancellationToken)
    {
        var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new ForgeUnavailableException(_http.BaseAddress!.Host, $"GET {path} answered {status}");
        }

        return response;
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
