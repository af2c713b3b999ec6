using Commons.Bridge.Merit;
using Commons.Bridge.Merit.Collectors;
using Microsoft.Extensions.Time.Testing;
using static Commons.Tests.Merit.ForgeJson;

namespace Commons.Tests.Merit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class GitHubCollectorTests : IDisposable
{
    private const string Api = "/api/v3";

    // now is 2026-12-04: the window starts 365 days earlier, on 2025-12-04.
    private const string Since = "2025-12-04";

    private const string Authored = $"is:pr is:merged author:ada -user:ada merged:>={Since}";

    private static readonly DateTimeOffset Now = MeritFacts.Now;

    private readonly FakeForge _forge = new FakeForge().EmptyByDefault();

    public void Dispose() => _forge.Dispose();

    [Test]
    public async Task CollectAsync_AsksTheContractsPathsAndReadsTheirFields()
    {
        GitHubProfiles.Ada(_forge);

        var facts = await CreateSut().CollectAsync("ada", Now.AddYears(-6), CancellationToken.None);

        Assert.That(_forge.Requests, Is.EquivalentTo(new[]
        {
            FakeForge.Key(SearchUrl(Authored)),
            FakeForge.Key($"{Api}/repos/big/lib"),
            FakeForge.Key($"{Api}/repos/big/lib/pulls/7"),
            FakeForge.Key(SearchUrl($"is:pr is:merged reviewed-by:ada -author:ada merged:>={Since}")),
            FakeForge.Key($"{Api}/repos/big/lib/pulls/9/reviews?per_page=100"),
            FakeForge.Key(SearchUrl($"is:issue author:ada -user:ada is:closed reason:completed closed:>={Since}")),
            FakeForge.Key($"{Api}/repos/big/lib/issues/11"),
            FakeForge.Key($"{Api}/search/issues?q=is:pr is:merged author:ada -user:ada&sort=created&order=asc&page=1&per_page=5"),
            FakeForge.Key($"{Api}/repos/old/tool"),
            FakeForge.Key($"{Api}/repos/old/tool/pulls/1"),
            FakeForge.Key($"{Api}/repos/old/tool/pulls/1/reviews?per_page=100"),
            FakeForge.Key($"{Api}/users/ada/repos?type=owner&per_page=100&page=1"),
            FakeForge.Key(SearchUrl($"repo:big/lib is:pr is:merged -author:ada merged:>={Since}")),
            FakeForge.Key($"{Api}/repos/big/lib/pulls/9"),
            FakeForge.Key(SearchUrl($"repo:ada/own is:pr is:merged -author:ada merged:>={Since}")),
            FakeForge.Key($"{Api}/repos/ada/own/pulls/3"),
            FakeForge.Key($"{Api}/users/carol"),
        }));
        Assert.That(
            _forge.Messages.Select(m => m.Headers.Authorization?.ToString()).Distinct(), Is.EqualTo(new[] { "Bearer bridge-token" }));

        var pull = facts.Pulls.Single();
        Assert.That(pull.Url, Is.EqualTo($"{GitHubWeb}/big/lib/pull/7"));
        Assert.That(pull.Repository, Is.EqualTo(new ForgeRepository(
            "github", "big/lib", $"{GitHubWeb}/big/lib", false, false, false, 20000, Now.AddYears(-10))));
        Assert.That(pull.MergedBy, Is.EqualTo(new ForgePerson("maint", false)));
        Assert.That(pull.ChangedLines, Is.EqualTo(32));
        Assert.That(pull.Approvers, Is.Empty, "merged by another human: no need to ask for approvals");

        var review = facts.Reviews.Single();
        Assert.That(review.SubmittedAt, Is.EqualTo(Now.AddDays(-20)), "the latest of ada's two reviews");
        Assert.That(review.PullAuthor, Is.EqualTo(new ForgePerson("bob", false)));

        var issue = facts.Issues.Single();
        Assert.That(issue.ClosedAsCompleted, Is.True);
        Assert.That(issue.ClosedBy!.Login, Is.EqualTo("maint"));

        var earliest = facts.EarliestPulls.Single();
        Assert.That(earliest.MergedBy!.Login, Is.EqualTo("ada"));
        Assert.That(earliest.Approvers.Select(a => a.Login), Is.EqualTo(new[] { "carol" }));

        var merge = facts.Merges.Single();
        Assert.That(merge.Url, Is.EqualTo($"{GitHubWeb}/ada/own/pull/3"));
        Assert.That(merge.Author, Is.EqualTo(new ForgePerson("carol", false, Now.AddYears(-7))));
        Assert.That(merge.Repository.OwnedByUser, Is.True);
    }

    [Test]
    public async Task CollectAsync_ThenTheEngine_CountsWhatQualifies()
    {
        GitHubProfiles.Ada(_forge);
        var facts = await CreateSut().CollectAsync("ada", Now.AddYears(-6), CancellationToken.None);

        var report = MeritEngine.Evaluate([facts], Now);

        Assert.That(report.Counted.Select(i => (i.Kind, i.Url)), Is.EquivalentTo(new[]
        {
            ("pull", $"{GitHubWeb}/big/lib/pull/7"),
            ("review", $"{GitHubWeb}/big/lib/pull/9"),
            ("issue", $"{GitHubWeb}/big/lib/issues/11"),
        }));
        Assert.That(
            report.Ignored.Select(i => i.Rule),
            Is.EquivalentTo(new[] { MeritRules.OutsideWindowHistory, MeritRules.FewStewardAuthors }));
        Assert.That(report.FirstItemAt, Is.EqualTo(Now.AddYears(-3)));
    }

    [Test]
    public async Task CollectAsync_ASearchOfSeveralPages_ReadsThemAll()
    {
        var items = Enumerable.Range(1, 130)
            .Select(n => Hit("big/lib", n, UserRef("ada"), Now.AddDays(-30), Now.AddDays(-20)))
            .ToArray();
        _forge.Json(SearchUrl(Authored), new { total_count = 130, incomplete_results = false, items = items.Take(100) });
        _forge.Json(SearchUrl(Authored, page: 2), new { total_count = 130, incomplete_results = false, items = items.Skip(100) });
        _forge.Json($"{Api}/repos/big/lib", Repo("big/lib", 20000, Now.AddYears(-10)));
        for (var n = 1; n <= 130; n++)
        {
            _forge.Json(
                $"{Api}/repos/big/lib/pulls/{n}", Pull("big/lib", n, UserRef("ada"), UserRef("maint"), Now.AddDays(-20), 10, 0));
        }

        var facts = await CreateSut().CollectAsync("ada", Now.AddYears(-6), CancellationToken.None);

        Assert.That(facts.Pulls, Has.Count.EqualTo(130));
        Assert.That(
            _forge.Requests.Count(r => r == $"{Api}/repos/big/lib"), Is.EqualTo(1), "repository facts are asked once per evaluation");
    }

    [Test]
    public async Task CollectAsync_AnItemGitHubNoLongerHas_IsLeftOut()
    {
        _forge.Json(SearchUrl(Authored), Search(Hit("gone/away", 1, UserRef("ada"), Now.AddDays(-30), Now.AddDays(-20))));

        var facts = await CreateSut().CollectAsync("ada", Now.AddYears(-6), CancellationToken.None);

        Assert.That(facts.Pulls, Is.Empty);
    }

    [TestCase("https://api.github.com", "https://api.github.com/")]
    [TestCase("http://127.0.0.1:8490", "http://127.0.0.1:8490/api/v3/")]
    [TestCase("http://127.0.0.1:8490/api/v3/", "http://127.0.0.1:8490/api/v3/")]
    [TestCase("https://ghe.example.test/api/v3", "https://ghe.example.test/api/v3/")]
    public void ApiBase_UsesTheEnterpriseLayoutForAnyOtherHost(string configured, string expected)
    {
        Assert.That(GitHubCollector.ApiBase(new Uri(configured)).AbsoluteUri, Is.EqualTo(expected));
    }

    private GitHubCollector CreateSut() =>
        new(
            new GitHubSettings(new Uri(GitHubWeb), new Uri("http://github.test"), "client-id", "bridge-token"),
            _forge,
            new FakeTimeProvider(Now));
}
