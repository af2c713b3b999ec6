using Commons.Bridge.Merit;
using Commons.Contracts;

namespace Commons.Tests.Merit;

/// <summary>Collected facts for engine and policy tests, with defaults that qualify unless a test says otherwise.</summary>
internal static class MeritFacts
{
    public const string Login = "ada";

    public static readonly DateTimeOffset Now = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

    private static int _next;

    public static ForgeRepository Repo(
        string name = "big/lib", int stars = 10000, int ageDays = 1000, bool own = false, bool fork = false,
        bool archived = false, string provider = "github") =>
        new(provider, name, $"https://forge.test/{name}", own, fork, archived, stars, Now.AddDays(-ageDays));

    public static ForgePerson Human(string login = "maintainer", int accountAgeDays = 1000) =>
        new(login, false, Now.AddDays(-accountAgeDays));

    public static ForgePerson Bot(string login = "helper[bot]") => new(login, true, Now.AddDays(-1000));

    public static ForgePerson Me => new(Login, false, Now.AddDays(-2000));

    public static PullRequestFact Pull(
        double daysAgo, ForgeRepository? repo = null, int lines = 100, ForgePerson? mergedBy = null,
        IReadOnlyList<ForgePerson>? approvers = null, ForgePerson? author = null, string? url = null)
    {
        repo ??= Repo();
        return new PullRequestFact(
            url ?? $"{repo.Url}/pull/{Interlocked.Increment(ref _next)}",
            repo,
            author ?? Me,
            Now.AddDays(-daysAgo),
            mergedBy ?? Human(),
            approvers ?? [],
            lines);
    }

    public static ReviewFact Review(
        double daysAgo, ForgeRepository? repo = null, ForgePerson? author = null, double? pullMergedDaysAgo = null,
        bool found = true, string? url = null)
    {
        repo ??= Repo();
        return new ReviewFact(
            url ?? $"{repo.Url}/pull/{Interlocked.Increment(ref _next)}",
            repo,
            author ?? Human("contributor"),
            Now.AddDays(-(pullMergedDaysAgo ?? daysAgo)),
            found ? Now.AddDays(-daysAgo) : null);
    }

    public static IssueFact Issue(
        double daysAgo, ForgeRepository? repo = null, bool completed = true, ForgePerson? closedBy = null, bool closerKnown = true)
    {
        repo ??= Repo();
        return new IssueFact(
            $"{repo.Url}/issues/{Interlocked.Increment(ref _next)}",
            repo,
            Now.AddDays(-daysAgo),
            completed,
            closerKnown ? closedBy ?? Human() : null);
    }

    public static MergeFact Merge(double daysAgo, ForgePerson author, ForgeRepository? repo = null)
    {
        repo ??= Repo(own: true, ageDays: 800);
        return new MergeFact($"{repo.Url}/pull/{Interlocked.Increment(ref _next)}", repo, author, Now.AddDays(-daysAgo));
    }

    public static ForgeFacts Forge(
        IEnumerable<PullRequestFact>? pulls = null, IEnumerable<ReviewFact>? reviews = null,
        IEnumerable<IssueFact>? issues = null, IEnumerable<MergeFact>? merges = null,
        IEnumerable<PullRequestFact>? earliest = null) =>
        new("github", Login, Now.AddDays(-2000), [.. pulls ?? []], [.. reviews ?? []], [.. issues ?? []], [.. merges ?? []],
            [.. earliest ?? []]);

    public static MeritReport Evaluate(ForgeFacts forge) => MeritEngine.Evaluate([forge], Now);

    public static double Signal(this MeritReport report, string id) => report.Signals.Single(s => s.Id == id).Value;

    /// <summary>The rule that set aside the one ignored item of a report.</summary>
    public static string OnlyRule(this MeritReport report) => report.Ignored.Single().Rule;
}
