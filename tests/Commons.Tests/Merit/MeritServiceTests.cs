using System.Globalization;
using System.Net;
using Commons.Bridge.Merit;
using Commons.Bridge.Merit.Collectors;
using Commons.Bridge.Merit.Http;
using Commons.Tests.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Merit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class MeritServiceTests : IDisposable
{
    private static readonly MeritPolicy Policy = MeritPolicyLoader.LoadFile(Path.Combine(RepoPaths.Root, "config", "merit-policy.yaml"));

    private readonly DataTestFolder _data = new();
    private readonly FakeTimeProvider _time = new(MeritFacts.Now);
    private readonly FakeForge _forge = new FakeForge().EmptyByDefault();

    public void Dispose()
    {
        _forge.Dispose();
        _data.Dispose();
    }

    [Test]
    public async Task EvaluateAsync_StoresTheReportAndPromotesInOneGo()
    {
        GitHubProfiles.Ada(_forge);
        var merit = await CreateSutAsync();

        var report = await merit.EvaluateAsync("ada", CancellationToken.None);

        // A pull (w 1, decay 0.891), a review (0.926), an issue (0.825), first item 36 months ago: ≈ 17.9.
        Assert.That(report.Score, Is.EqualTo(17.9).Within(0.1));
        Assert.That(report.Stale, Is.False);
        Assert.That((await merit.LatestAsync("ada", CancellationToken.None))!.Score, Is.EqualTo(report.Score));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM merit_evaluations WHERE computed_tier = 'contributor'"), Is.EqualTo(1));
        Assert.That(
            await _data.ScalarAsync("SELECT COUNT(*) FROM users WHERE tier = 'contributor' AND tier_since IS NOT NULL"), Is.EqualTo(1));
        Assert.That(
            await _data.ScalarAsync(
                "SELECT COUNT(*) FROM tier_changes WHERE action = 'promote' AND from_tier = 'guest' AND to_tier = 'contributor' "
                + "AND actor = 'merit' AND reason LIKE '%contributor''s rule%'"),
            Is.EqualTo(1));
        var tier = await merit.TierAsync("ada", CancellationToken.None);
        Assert.That((tier.Name, tier.Source), Is.EqualTo(("contributor", "merit")));
        Assert.That(tier.Why, Does.Contain("regular needs"));
    }

    [Test]
    public async Task EvaluateAsync_WhenRateLimitedWithNothingCached_ReturnsTheStoredReportMarkedStale()
    {
        GitHubProfiles.Ada(_forge);
        var merit = await CreateSutAsync();
        var first = await merit.EvaluateAsync("ada", CancellationToken.None);

        // A day later every URL carries a new date, so nothing is cached for them; GitHub is out of requests for an hour.
        _time.Advance(TimeSpan.FromDays(1));
        var sent = _forge.Requests.Count;
        _forge.Override = _ => Exhausted(_time.GetUtcNow().AddHours(1));
        var second = await merit.EvaluateAsync("ada", CancellationToken.None);
        var third = await merit.EvaluateAsync("ada", CancellationToken.None);

        Assert.That(second.Stale, Is.True);
        Assert.That(
            second.StaleReason,
            Does.Contain("rate limit 'search' exhausted").And.Contain("this is the evaluation of 2026-12-04 00:00 UTC"));
        Assert.That(second.Score, Is.EqualTo(first.Score));
        Assert.That(second.EvaluatedAt, Is.EqualTo(first.EvaluatedAt));
        Assert.That(third.Stale, Is.True);
        Assert.That(_forge.Requests.Count - sent, Is.EqualTo(1), "one limited answer, then nothing until the reset");
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM merit_evaluations"), Is.EqualTo(1));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM users WHERE tier = 'contributor'"), Is.EqualTo(1));
    }

    [Test]
    public async Task EvaluateAsync_WhenRateLimitedOnTheSameDay_BuildsFromTheCacheAndMarksStale()
    {
        GitHubProfiles.Ada(_forge);
        var merit = await CreateSutAsync();
        var first = await merit.EvaluateAsync("ada", CancellationToken.None);

        _time.Advance(TimeSpan.FromHours(2));
        _forge.Override = _ => Exhausted(_time.GetUtcNow().AddHours(1));
        var second = await merit.EvaluateAsync("ada", CancellationToken.None);

        Assert.That(second.Stale, Is.True);
        Assert.That(second.StaleReason, Does.Match("^[0-9]+ forge answer\\(s\\) came from the cache: github.test: rate limit"));
        Assert.That(second.EvaluatedAt, Is.EqualTo(first.EvaluatedAt.AddHours(2)));
        Assert.That(second.Counted.Select(i => i.Url), Is.EquivalentTo(first.Counted.Select(i => i.Url)));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM merit_evaluations"), Is.EqualTo(2));
    }

    [Test]
    public async Task EvaluateAsync_NeverEvaluatedAndUnreachable_ReturnsAnEmptyStaleReport()
    {
        var merit = await CreateSutAsync();
        _forge.Override = _ => throw new HttpRequestException("connection refused");

        var report = await merit.EvaluateAsync("ada", CancellationToken.None);

        Assert.That(report.Stale, Is.True);
        Assert.That(report.StaleReason, Is.EqualTo("Not evaluated yet: github.test: unreachable: connection refused"));
        Assert.That(report.Score, Is.Zero);
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM merit_evaluations"), Is.Zero);
    }

    [Test]
    public async Task EvaluateAsync_WithoutConfiguredForges_IsAnEmptyReportAndTheLowestTier()
    {
        var merit = await CreateSutAsync(withGitHub: false);

        var report = await merit.EvaluateAsync("ada", CancellationToken.None);

        Assert.That(report.Score, Is.Zero);
        Assert.That(report.Stale, Is.False);
        Assert.That(_forge.Requests, Is.Empty);
        Assert.That((await merit.TierAsync("ada", CancellationToken.None)).Name, Is.EqualTo("guest"));
    }

    [Test]
    public async Task EvaluateAsync_ForAnUnknownUser_Throws()
    {
        var merit = await CreateSutAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => merit.EvaluateAsync("nobody", CancellationToken.None));
    }

    [Test]
    public async Task TierAsync_AfterThirtyDaysOfGrace_Demotes()
    {
        var tiers = await CreateTiersAsync();
        await RecordAsync(Report(score: 35, lastItemDaysAgo: 5)); // regular: merit ≥ 30 and an item 5 days ago

        // 90 days later the item is 95 days old: regular's recency rule fails, the score is fine, so grace runs.
        _time.Advance(TimeSpan.FromDays(90));
        var graceStarts = await tiers.TierAsync("ada", CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(29));
        var lastDay = await tiers.TierAsync("ada", CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(1));
        var demoted = await tiers.TierAsync("ada", CancellationToken.None);

        Assert.That(graceStarts.Name, Is.EqualTo("regular"));
        Assert.That(graceStarts.Why, Does.StartWith("Kept in regular for 30 more days of grace"));
        Assert.That(lastDay.Name, Is.EqualTo("regular"));
        Assert.That(lastDay.Why, Does.StartWith("Kept in regular for 1 more days of grace"));
        Assert.That(demoted.Name, Is.EqualTo("contributor"));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM users WHERE below_since IS NULL"), Is.EqualTo(1));
        var history = await new MeritStore(_data.Database, _time).HistoryAsync("ada", CancellationToken.None);
        Assert.That(history.Select(c => (c.Action, c.From, c.To, c.Actor)), Is.EqualTo(new[]
        {
            ("promote", "guest", "regular", "merit"),
            ("demote", "regular", "contributor", "merit"),
        }));
        Assert.That(history[1].Reason, Is.EqualTo(
            "Demoted from regular: its rule has not held for 30 days (a qualifying item within 90 days (the last was 125 days ago))."));
        Assert.That(history[1].At, Is.EqualTo(MeritFacts.Now.AddDays(120)));
    }

    [Test]
    public async Task TierAsync_ScoreMoreThanTheMarginBelow_DemotesAtOnce()
    {
        var tiers = await CreateTiersAsync();
        await RecordAsync(Report(score: 35, lastItemDaysAgo: 5));

        await RecordAsync(Report(score: 26, lastItemDaysAgo: 5));
        var kept = await tiers.TierAsync("ada", CancellationToken.None);
        await RecordAsync(Report(score: 24.5, lastItemDaysAgo: 5));
        var demoted = await tiers.TierAsync("ada", CancellationToken.None);

        Assert.That(kept.Name, Is.EqualTo("regular"));
        Assert.That(demoted.Name, Is.EqualTo("contributor"));
        Assert.That(demoted.Why, Does.StartWith("Merit 24.5 meets contributor's rule"));
    }

    [Test]
    public async Task TierAsync_AnOperatorsGrant_WinsUntilCleared()
    {
        var tiers = await CreateTiersAsync();
        var store = new MeritStore(_data.Database, _time);
        await RecordAsync(Report(score: 15, lastItemDaysAgo: 5));

        await store.SetOverrideAsync("ada", "core", "grant", "olga", "runs the reading group", CancellationToken.None);
        var granted = await tiers.TierAsync("ada", CancellationToken.None);
        var limits = await tiers.ForUserAsync("ada", CancellationToken.None);
        await store.SetOverrideAsync("ada", null, "clear", "olga", "back to merit", CancellationToken.None);
        var cleared = await tiers.TierAsync("ada", CancellationToken.None);

        Assert.That((granted.Name, granted.Source), Is.EqualTo(("core", "operator")));
        Assert.That(granted.Why, Is.EqualTo("Set by an operator's grant by olga on 2026-12-04: runs the reading group"));
        Assert.That(limits, Is.EqualTo(new Bridge.Quota.TierLimits("core", 600, 4, 1440, null)));
        Assert.That((cleared.Name, cleared.Source), Is.EqualTo(("contributor", "merit")));
    }

    [Test]
    public async Task ReapplyAsync_AfterSignOff_PromotesToMaintainer()
    {
        var tiers = await CreateTiersAsync();
        var store = new MeritStore(_data.Database, _time);
        await RecordAsync(Report(score: 65, lastItemDaysAgo: 5, stewardship: 60, stewardAuthors: 10));
        var before = await tiers.TierAsync("ada", CancellationToken.None);

        await store.SignOffAsync("ada", "olga", "maintains the scheduler", CancellationToken.None);
        var decision = await tiers.ReapplyAsync("ada", CancellationToken.None);

        Assert.That(before.Name, Is.EqualTo("core"));
        Assert.That(before.Why, Does.Contain("maintainer needs an operator's sign-off"));
        Assert.That(decision!.Held, Is.EqualTo("maintainer"));
        Assert.That(decision.Change, Is.EqualTo("promote"));
        var history = await store.HistoryAsync("ada", CancellationToken.None);
        Assert.That(history.Select(c => c.Action), Is.EqualTo(new[] { "promote", "signoff", "promote" }));
        Assert.That(history[1].Actor, Is.EqualTo("olga"));
    }

    [Test]
    public async Task TierAsync_WhenNothingChanges_WritesNothing()
    {
        var tiers = await CreateTiersAsync();
        await RecordAsync(Report(score: 15, lastItemDaysAgo: 5));

        await tiers.TierAsync("ada", CancellationToken.None);
        await tiers.TierAsync("ada", CancellationToken.None);

        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM tier_changes"), Is.EqualTo(1));
    }

    private async Task<MeritService> CreateSutAsync(bool withGitHub = true)
    {
        var settings = withGitHub
            ? new ForgeSettings(new GitHubSettings(new Uri("http://github.test"), new Uri("http://github.test"), "client", "token"), null)
            : null;
        var tiers = await CreateTiersAsync();
        var store = new MeritStore(_data.Database, _time);
        var collectors = new ForgeCollectors(
            settings, new ForgeCache(_data.Database, _time), _forge, _time, NullLogger<ForgeCollectors>.Instance);
        return new MeritService(store, collectors, tiers, _time, NullLogger<MeritService>.Instance);
    }

    private async Task<MeritTiers> CreateTiersAsync()
    {
        await _data.Database.MigrateAsync(CancellationToken.None);
        await _data.ExecuteAsync("INSERT INTO users (id, created_at) VALUES ('ada', 0) ON CONFLICT DO NOTHING");
        var created = MeritFacts.Now.AddYears(-6).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await _data.ExecuteAsync(
            "INSERT INTO identities (provider, provider_id, login, user_id, account_created_at, linked_at) "
            + $"VALUES ('github', '1', 'ada', 'ada', {created}, 0) ON CONFLICT DO NOTHING");
        return new MeritTiers(new MeritStore(_data.Database, _time), Policy, _time);
    }

    private async Task RecordAsync(Contracts.MeritReport report)
    {
        var store = new MeritStore(_data.Database, _time);
        var tiers = new MeritTiers(store, Policy, _time);
        var identities = await store.IdentitiesAsync("ada", CancellationToken.None);
        await store.RecordAsync("ada", report, user => tiers.Decide(user, report, identities), CancellationToken.None);
    }

    /// <summary>A report with just what the tier rules read: the score, the newest item, S4 and its authors.</summary>
    private Contracts.MeritReport Report(double score, int lastItemDaysAgo, double stewardship = 0, int stewardAuthors = 0)
    {
        var now = _time.GetUtcNow();
        var merges = Enumerable.Range(0, stewardAuthors)
            .Select(i => new Contracts.MeritItem(
                "merge", "github", $"https://forge.test/ada/own/pull/{i}", "ada/own", now.AddDays(-lastItemDaysAgo), "S4", 1, 1, 1, 1,
                MeritEngine.StewardNotePrefix + $"author{i}"))
            .ToList();
        return MeritEngine.Evaluate([], now) with
        {
            Score = score,
            Signals = MeritFormula.Score([0, 0, 0, stewardship, 0, 0]),
            Counted = merges,
            LastItemAt = now.AddDays(-lastItemDaysAgo),
        };
    }

    private static HttpResponseMessage Exhausted(DateTimeOffset reset) =>
        new(HttpStatusCode.Forbidden)
        {
            Headers =
            {
                { "X-RateLimit-Remaining", "0" },
                { "X-RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                { "X-RateLimit-Resource", "search" },
            },
            Content = new StringContent("""{"message":"API rate limit exceeded"}"""),
        };
}
