using System.Globalization;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Commons.StandIns.Forge.Tests.Web;

/// <summary>
/// ETags and conditional requests, the rate-limit headers, and what happens when an allowance runs out. Each test
/// starts its own stand-in, with small allowances and a fake clock it can move.
/// </summary>
public sealed class RateLimitTests
{
    private readonly FakeTimeProvider _time = new(TestWorld.Now);
    private ForgeSession _session = null!;

    [SetUp]
    public async Task StartAsync() =>
        _session = await ForgeSession.StartAsync(
            adjust: settings => settings with { CoreLimit = 3, SearchLimit = 2, GitLabLimit = 2 }, time: _time);

    [TearDown]
    public async Task StopAsync() => await _session.DisposeAsync();

    [Test]
    public async Task EveryApiAnswer_CarriesGitHubsRateLimitHeaders()
    {
        var answer = await _session.GetAsync("/api/v3/users/alice");

        Assert.That(answer.Header("X-RateLimit-Limit"), Is.EqualTo("3"));
        Assert.That(answer.Header("X-RateLimit-Remaining"), Is.EqualTo("2"));
        Assert.That(answer.Header("X-RateLimit-Used"), Is.EqualTo("1"));
        Assert.That(answer.Header("X-RateLimit-Reset"), Is.EqualTo(Epoch(TestWorld.Now.AddHours(1))));
        Assert.That(answer.Header("X-RateLimit-Resource"), Is.EqualTo("core"));
    }

    [Test]
    public async Task AGetAnswer_HasAStrongETag_AndAMatchingRequestIs304WithoutUsingTheAllowance()
    {
        var first = await _session.GetAsync("/api/v3/repos/acme/widget");
        var etag = first.Header("ETag");

        var again = await _session.GetAsync("/api/v3/repos/acme/widget", ifNoneMatch: etag);
        var stats = (await _session.GetAsync("/_standin/stats")).Json;

        Assert.That(etag, Does.Match("^\"[0-9a-f]{64}\"$"));
        Assert.That(again.Status, Is.EqualTo(304));
        Assert.That(again.Text, Is.Empty);
        Assert.That(again.Header("ETag"), Is.EqualTo(etag));
        Assert.That(again.Header("X-RateLimit-Remaining"), Is.EqualTo("2"));
        Assert.That(stats.GetProperty("not_modified").GetInt64(), Is.EqualTo(1));
        Assert.That(stats.GetProperty("paths").GetProperty("/api/v3/repos/acme/widget").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task AStaleETag_GetsTheWholeAnswer()
    {
        var answer = await _session.GetAsync("/api/v3/repos/acme/widget", ifNoneMatch: "\"0000\"");

        Assert.That(answer.Status, Is.EqualTo(200));
        Assert.That(answer.Json.GetProperty("full_name").GetString(), Is.EqualTo("acme/widget"));
    }

    [Test]
    public async Task TheCoreAllowanceUsedUp_Is403WithRemainingZero_UntilTheWindowResets()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await _session.GetAsync("/api/v3/users/alice")).Status, Is.EqualTo(200));
        }

        var refused = await _session.GetAsync("/api/v3/users/bob");
        var stats = (await _session.GetAsync("/_standin/stats")).Json;
        _time.Advance(TimeSpan.FromHours(1));
        var later = await _session.GetAsync("/api/v3/users/bob");

        Assert.That(refused.Status, Is.EqualTo(403));
        Assert.That(
            refused.Json.GetProperty("message").GetString(), Does.StartWith("API rate limit exceeded for 127.0.0.1."));
        Assert.That(refused.Json.GetProperty("documentation_url").GetString(), Does.Contain("rate-limits"));
        Assert.That(refused.Header("X-RateLimit-Remaining"), Is.EqualTo("0"));
        Assert.That(refused.Header("X-RateLimit-Reset"), Is.Not.Null);
        Assert.That(stats.GetProperty("rate_limited").GetInt64(), Is.EqualTo(1));
        Assert.That(later.Status, Is.EqualTo(200));
        Assert.That(later.Header("X-RateLimit-Remaining"), Is.EqualTo("2"));
    }

    [Test]
    public async Task ATokensAllowance_IsItsOwn_AndItsRefusalNamesTheUser()
    {
        var token = _session.Forge.IssueToken(ForgeKind.GitHub, "alice");
        var alice = _session.Forge.World.FindAccount(ForgeKind.GitHub, "alice")!;
        for (var i = 0; i < 3; i++)
        {
            await _session.GetAsync("/api/v3/users/alice", $"token {token}");
        }

        var refused = await _session.GetAsync("/api/v3/users/alice", $"token {token}");
        var anonymous = await _session.GetAsync("/api/v3/users/alice");

        Assert.That(refused.Status, Is.EqualTo(403));
        Assert.That(
            refused.Json.GetProperty("message").GetString(), Is.EqualTo($"API rate limit exceeded for user ID {alice.Id}."));
        Assert.That(anonymous.Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Search_HasItsOwnAllowance()
    {
        await _session.GetAsync("/api/v3/users/alice");
        var first = await _session.GetAsync("/api/v3/search/issues?q=author:alice");
        await _session.GetAsync("/api/v3/search/issues?q=author:bob");
        var refused = await _session.GetAsync("/api/v3/search/issues?q=author:alice");
        var core = await _session.GetAsync("/api/v3/users/bob");

        Assert.That(first.Header("X-RateLimit-Resource"), Is.EqualTo("search"));
        Assert.That(first.Header("X-RateLimit-Limit"), Is.EqualTo("2"));
        Assert.That(first.Header("X-RateLimit-Remaining"), Is.EqualTo("1"));
        Assert.That(refused.Status, Is.EqualTo(403));
        Assert.That(refused.Header("X-RateLimit-Resource"), Is.EqualTo("search"));
        Assert.That(core.Status, Is.EqualTo(200));
        Assert.That(core.Header("X-RateLimit-Remaining"), Is.EqualTo("1"));
    }

    [Test]
    public async Task RateLimitEndpoint_ReportsBothResources_WithoutUsingEither()
    {
        await _session.GetAsync("/api/v3/users/alice");

        var first = (await _session.GetAsync("/api/v3/rate_limit")).Json;
        var second = (await _session.GetAsync("/api/v3/rate_limit")).Json;

        var core = second.GetProperty("resources").GetProperty("core");
        Assert.That(core.GetProperty("limit").GetInt32(), Is.EqualTo(3));
        Assert.That(core.GetProperty("remaining").GetInt32(), Is.EqualTo(2));
        Assert.That(core.GetProperty("used").GetInt32(), Is.EqualTo(1));
        Assert.That(core.GetProperty("reset").GetInt64(), Is.EqualTo(TestWorld.Now.AddHours(1).ToUnixTimeSeconds()));
        Assert.That(
            second.GetProperty("resources").GetProperty("search").GetProperty("remaining").GetInt32(), Is.EqualTo(2));
        Assert.That(second.GetProperty("rate").GetProperty("remaining").GetInt32(), Is.EqualTo(2));
        Assert.That(first.GetProperty("rate").GetProperty("remaining").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task TheSecondaryLimit_Is403WithRetryAfter_WhileItLasts()
    {
        await _session.PostAsync("/_standin/secondary-limit?seconds=60");

        var refused = await _session.GetAsync("/api/v3/users/alice");
        _time.Advance(TimeSpan.FromSeconds(61));
        var later = await _session.GetAsync("/api/v3/users/alice");

        Assert.That(refused.Status, Is.EqualTo(403));
        Assert.That(refused.Json.GetProperty("message").GetString(), Does.Contain("secondary rate limit"));
        Assert.That(refused.Header("Retry-After"), Is.EqualTo("60"));
        Assert.That(later.Status, Is.EqualTo(200));
    }

    [Test]
    public async Task GitLab_Answers_CarryItsHeaders_And304AnETagMatchWithoutUsingTheAllowance()
    {
        var first = await _session.GetAsync("/api/v4/projects/tools%2Fbuilder");
        var again = await _session.GetAsync("/api/v4/projects/tools%2Fbuilder", ifNoneMatch: first.Header("ETag"));

        Assert.That(first.Header("RateLimit-Limit"), Is.EqualTo("2"));
        Assert.That(first.Header("RateLimit-Remaining"), Is.EqualTo("1"));
        Assert.That(first.Header("RateLimit-Observed"), Is.EqualTo("1"));
        Assert.That(first.Header("RateLimit-Reset"), Is.EqualTo(Epoch(TestWorld.Now.AddMinutes(1))));
        Assert.That(again.Status, Is.EqualTo(304));
        Assert.That(again.Header("RateLimit-Remaining"), Is.EqualTo("1"));
    }

    [Test]
    public async Task GitLab_AllowanceUsedUp_Is429WithRetryAfter()
    {
        await _session.GetAsync("/api/v4/users?username=carol");
        await _session.GetAsync("/api/v4/users?username=dave");

        var refused = await _session.GetAsync("/api/v4/users?username=erin");

        Assert.That(refused.Status, Is.EqualTo(429));
        Assert.That(refused.Text, Is.EqualTo("Retry later\n"));
        Assert.That(refused.Header("Retry-After"), Is.EqualTo("60"));
        Assert.That(refused.Header("RateLimit-Remaining"), Is.EqualTo("0"));
    }

    [Test]
    public async Task Reset_ClearsTheCountsAndTheAllowances()
    {
        for (var i = 0; i < 4; i++)
        {
            await _session.GetAsync("/api/v3/users/alice");
        }

        await _session.PostAsync("/_standin/reset");
        var answer = await _session.GetAsync("/api/v3/users/alice");
        var stats = (await _session.GetAsync("/_standin/stats")).Json;

        Assert.That(answer.Status, Is.EqualTo(200));
        Assert.That(stats.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(stats.GetProperty("ok").GetInt64(), Is.EqualTo(1));
    }

    private static string Epoch(DateTimeOffset instant) =>
        instant.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
