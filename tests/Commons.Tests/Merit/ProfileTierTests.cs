using Commons.Bridge.Auth;
using Commons.Bridge.Data;
using Commons.Bridge.Merit;
using Commons.Bridge.Merit.Collectors;
using Commons.Bridge.Merit.Http;
using Commons.Contracts;
using Commons.StandIns.Forge.Hosting;
using Commons.StandIns.Forge.Profiles;
using Commons.Tests.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StandInSettings = Commons.StandIns.Forge.Hosting.ForgeSettings;

namespace Commons.Tests.Merit;

/// <summary>
/// The acceptance profiles of the merit issue, end to end through the real parts: the GitHub/GitLab stand-in serves
/// each profile (tests/StandIns/ForgeStandIn/profiles), the bridge checks the person's token with the forge as at
/// sign-in, records the identity, collects over HTTP (Octokit for GitHub) with its caching and rate-limit handlers,
/// scores, and applies the tier policy of config/merit-policy.yaml.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ProfileTierTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private readonly DataTestFolder _data = new();
    private readonly FakeTimeProvider _time = new(Now);
    private RunningForgeStandIn? _forge;

    public async ValueTask DisposeAsync()
    {
        if (_forge is not null)
        {
            await _forge.DisposeAsync();
        }

        _data.Dispose();
    }

    [Test]
    public async Task AnAccount40DaysOld_WithThreeMergedPullRequestsIntoA20kRepository_IsAGuestForItsAge()
    {
        var (tier, report) = await SignInAndEvaluateAsync(ForgeKind.GitHub, "ya-newcomer");

        Assert.That(report.Counted.Count(i => i.Kind == "pull"), Is.EqualTo(3), Describe(report));
        Assert.That(report.Score, Is.GreaterThanOrEqualTo(12), "the score alone would allow more; the age does not");
        Assert.That(tier.Name, Is.EqualTo("guest"));
        Assert.That(tier.Why, Does.Contain("90 days"));
    }

    [Test]
    public async Task SixtyOneLinePullRequestsInto60Repositories_IsAGuest()
    {
        var (tier, report) = await SignInAndEvaluateAsync(ForgeKind.GitHub, "ts-sprayer");

        Assert.That(report.Counted.Count(i => i.Kind == "pull"), Is.EqualTo(5), "only five trivial changes count");
        Assert.That(report.Counted.Where(i => i.Kind == "pull").Select(i => i.Size), Is.All.EqualTo(0.1));
        Assert.That(report.Ignored.Count(i => i.Kind == "pull"), Is.EqualTo(55), Describe(report));
        Assert.That(report.Score, Is.LessThan(12));
        Assert.That(tier.Name, Is.EqualTo("guest"));
    }

    [Test]
    public async Task SelfMergedPullRequestsInOwnRepositories_CountForNothing()
    {
        var (tier, report) = await SignInAndEvaluateAsync(ForgeKind.GitHub, "sm-solo");

        Assert.That(report.Counted, Is.Empty, Describe(report));
        Assert.That(report.Score, Is.Zero);
        Assert.That(report.NotCounted, Does.Contain("commits"));
        Assert.That(tier.Name, Is.EqualTo("guest"));
    }

    [Test]
    public async Task MergesOfYoungAccountsInAnOwn8MonthOldRepository_FailTheStewardshipGates()
    {
        var (tier, report) = await SignInAndEvaluateAsync(ForgeKind.GitHub, "ss-steward");

        Assert.That(report.Signals.Single(s => s.Id == "S4").Value, Is.Zero, Describe(report));
        Assert.That(report.Score, Is.LessThan(12));
        Assert.That(tier.Name, Is.EqualTo("guest"));
    }

    [Test]
    public async Task ABotAccount_IsRecognisedAsOneAtSignIn()
    {
        await StartAsync();
        var token = _forge!.IssueToken(ForgeKind.GitHub, "ba-helper[bot]");

        var account = await Accounts().IdentifyAsync(ForgeAccounts.GitHub, token, CancellationToken.None);

        Assert.That(account.IsBot, Is.True, "the sign-in endpoint refuses accounts the forge reports as bots");
        Assert.That(account.Login, Is.EqualTo("ba-helper[bot]"));
    }

    [TestCase(ForgeKind.GitHub, "rg-regular")]
    [TestCase(ForgeKind.GitLab, "rl-regular")]
    public async Task AToken_NotIssuedToTheBridgesApplication_ProvesNothing(ForgeKind forge, string login)
    {
        await StartAsync();
        var personal = _forge!.IssueToken(forge, login, personal: true);
        var provider = forge == ForgeKind.GitHub ? ForgeAccounts.GitHub : ForgeAccounts.GitLab;

        var e = await Assert.ThrowsAsync<ForgeSignInException>(() => Accounts().IdentifyAsync(provider, personal, CancellationToken.None));

        Assert.That(e!.Status, Is.EqualTo(401));
        Assert.That(e.Message, Does.Contain("not issued to this bridge's"));
    }

    [Test]
    public async Task FifteenPullRequestsInto4Repositories_TwentyReviews_30MonthsOfHistory_IsRegular()
    {
        var (tier, report) = await SignInAndEvaluateAsync(ForgeKind.GitHub, "rg-regular");

        Assert.That(report.Counted.Count(i => i.Kind == "pull"), Is.EqualTo(15), Describe(report));
        Assert.That(report.Counted.Count(i => i.Kind == "review"), Is.EqualTo(20));
        Assert.That(report.Signals.Single(s => s.Id == "S2").Value, Is.EqualTo(4));
        Assert.That(report.Signals.Single(s => s.Id == "S6").Value, Is.EqualTo(29), "900 days is 29 whole months of 30.44 days");
        Assert.That(report.Score, Is.InRange(30, 50));
        Assert.That(tier.Name, Is.EqualTo("regular"));
    }

    [Test]
    public async Task GitLabOnly_TwentyApprovedMergeRequestsInto5kProject_TenReviews_18Months_IsRegular()
    {
        var (tier, report) = await SignInAndEvaluateAsync(ForgeKind.GitLab, "rl-regular");

        Assert.That(report.Counted.Count(i => i.Kind == "pull" && i.Provider == "gitlab"), Is.EqualTo(20), Describe(report));
        Assert.That(report.Counted.Count(i => i.Kind == "review"), Is.EqualTo(10));
        Assert.That(report.Signals.Single(s => s.Id == "S6").Value, Is.EqualTo(17), "540 days is 17 whole months");
        Assert.That(report.Score, Is.InRange(30, 50));
        Assert.That(tier.Name, Is.EqualTo("regular"));
    }

    [Test]
    public async Task AFormerMaintainerWithNothingInTheLast400Days_IsAGuest()
    {
        var (tier, report) = await SignInAndEvaluateAsync(ForgeKind.GitHub, "fm-veteran");

        Assert.That(report.Counted, Is.Empty, Describe(report));
        Assert.That(report.Signals.Single(s => s.Id == "S6").Value, Is.EqualTo(49), "history alone: 1,500 days");
        Assert.That(report.Score, Is.LessThan(12));
        Assert.That(tier.Name, Is.EqualTo("guest"));
    }

    private async Task StartAsync()
    {
        _forge = await ForgeStandIn.StartAsync(new StandInSettings { Now = Now }, _time);
        await _data.Database.MigrateAsync(CancellationToken.None);
    }

    private Bridge.Merit.ForgeSettings Forges() => new(
        new GitHubSettings(_forge!.BaseUrl, _forge.BaseUrl, "commons-standin-github", null),
        new GitLabSettings(_forge.BaseUrl, "commons-standin-gitlab", null));

    private ForgeAccounts Accounts() => new(Forges(), new Clients());

    /// <summary>What sign-in and the first evaluation do, without the HTTP front: identify, link, evaluate, tier.</summary>
    private async Task<(TierView Tier, MeritReport Report)> SignInAndEvaluateAsync(ForgeKind forge, string login)
    {
        await StartAsync();
        var provider = forge == ForgeKind.GitHub ? ForgeAccounts.GitHub : ForgeAccounts.GitLab;
        var account = await Accounts().IdentifyAsync(provider, _forge!.IssueToken(forge, login), CancellationToken.None);
        Assert.That(account.IsBot, Is.False);
        var (user, _) = await new IdentityStore(_data.Database, _time).SignInAsync(account, null, CancellationToken.None);

        var policy = MeritPolicyLoader.LoadFile(Path.Combine(RepoPaths.Root, "config", "merit-policy.yaml"));
        var store = new MeritStore(_data.Database, _time);
        var tiers = new MeritTiers(store, policy, _time);
        using var transport = new SocketsHttpHandler();
        var collectors = new ForgeCollectors(
            Forges(), new ForgeCache(_data.Database, _time), transport, _time, NullLogger<ForgeCollectors>.Instance);
        var service = new MeritService(store, collectors, tiers, _time, NullLogger<MeritService>.Instance);

        var report = await service.EvaluateAsync(user, CancellationToken.None);
        Assert.That(report.Stale, Is.False, report.StaleReason);
        return (await service.TierAsync(user, CancellationToken.None), report);
    }

    private static string Describe(MeritReport report) =>
        $"score {report.Score}; counted: {string.Join(", ", report.Counted.Select(i => $"{i.Kind} {i.Url}"))}; "
        + $"ignored: {string.Join(", ", report.Ignored.Select(i => $"{i.Kind} {i.Url} ({i.Rule})"))}";

    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }
}
