using System.Net;
using Commons.Bridge.Merit;
using Commons.Bridge.Merit.Collectors;
using Commons.Bridge.Merit.Http;
using Microsoft.Extensions.Time.Testing;
using static Commons.Tests.Merit.ForgeJson;

namespace Commons.Tests.Merit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class GitLabCollectorTests : IDisposable
{
    private const string Api = "/api/v4";

    // now is 2026-12-04: the window starts on 2025-12-04, and authored history is read back 1827 days, to 2021-12-03.
    private const string Authored =
        $"{Api}/merge_requests?scope=all&state=merged&author_username=lin&updated_after=2021-12-03T00:00:00Z&per_page=100";

    private const string Approved =
        $"{Api}/merge_requests?scope=all&state=merged&approved_by_usernames[]=lin&updated_after=2025-12-04T00:00:00Z&per_page=100";

    private static readonly DateTimeOffset Now = MeritFacts.Now;

    private readonly FakeForge _forge = new();

    public void Dispose() => _forge.Dispose();

    [Test]
    public async Task CollectAsync_AsksTheContractsPathsAndReadsTheirFields()
    {
        RecordLinOnGitLab();

        var facts = await CollectAsync();

        Assert.That(_forge.Requests, Is.EquivalentTo(new[]
        {
            FakeForge.Key(Authored),
            FakeForge.Key(Authored + "&page=2"),
            FakeForge.Key($"{Api}/projects/5"),
            FakeForge.Key($"{Api}/users/10"),
            FakeForge.Key($"{Api}/users/20"),
            FakeForge.Key($"{Api}/projects/5/merge_requests/1/diffs?per_page=100"),
            FakeForge.Key($"{Api}/projects/5/merge_requests/2/approvals"),
            FakeForge.Key($"{Api}/users/30"),
            FakeForge.Key($"{Api}/projects/5/merge_requests/2/diffs?per_page=100"),
            FakeForge.Key(Approved),
        }));
        Assert.That(_forge.Messages.Select(m => m.RequestUri!.AbsoluteUri), Has.One.Contains("&approved_by_usernames[]=lin&"));
        Assert.That(_forge.Messages.Select(m => m.Headers.Authorization?.ToString()).Distinct(), Is.EqualTo(new[] { "Bearer lab-token" }));

        var pull = facts.Pulls.Single();
        Assert.That(pull.Url, Is.EqualTo($"{GitLab}/group/app/-/merge_requests/1"));
        Assert.That(pull.Repository, Is.EqualTo(new ForgeRepository(
            "gitlab", "group/app", $"{GitLab}/group/app", false, false, false, 5000, Now.AddYears(-8))));
        Assert.That(pull.ChangedLines, Is.EqualTo(5), "three added and two removed lines; headers and context do not count");
        Assert.That(pull.MergedBy, Is.EqualTo(new ForgePerson("maint", false, Now.AddYears(-9))));

        var earliest = facts.EarliestPulls.Single();
        Assert.That(earliest.MergedBy!.Login, Is.EqualTo("lin"));
        Assert.That(earliest.Approvers.Select(a => a.Login), Is.EqualTo(new[] { "rev" }));

        var review = facts.Reviews.Single();
        Assert.That(review.Url, Is.EqualTo($"{GitLab}/group/app/-/merge_requests/3"));
        Assert.That(review.SubmittedAt, Is.EqualTo(Now.AddDays(-15)), "dated by the merge: approvals carry no date");
        Assert.That(facts.Merges.Single().Author.Login, Is.EqualTo("rev"));
        Assert.That(facts.Issues, Is.Empty);
    }

    [Test]
    public async Task CollectAsync_ThenTheEngine_CountsWhatQualifies()
    {
        RecordLinOnGitLab();
        var facts = await CollectAsync();

        var report = MeritEngine.Evaluate([facts], Now);

        Assert.That(report.Counted.Select(i => i.Kind), Is.EquivalentTo(new[] { "pull", "review" }));
        Assert.That(report.Counted.Select(i => i.Weight).Distinct().Single(), Is.EqualTo(Math.Log(5001) / Math.Log(10001)).Within(1e-9));
        Assert.That(
            report.Ignored.Select(i => i.Rule),
            Is.EquivalentTo(new[] { MeritRules.OutsideWindowHistory, MeritRules.FewStewardAuthors }));
        // Three years back from 2026-12-04 is 1096 days (2024 is a leap year): ⌊1096 / 30.44⌋ = 36 months.
        Assert.That(report.Signal("S6"), Is.EqualTo(36));
    }

    [Test]
    public async Task CollectAsync_FullPagesWithoutNextPageHeaders_AreFollowed()
    {
        // Answers served from the cache after a 304 may lack X-Next-Page: a full page still leads to the next one.
        var rev = LabUserRef(30, "rev");
        var firstPage = Enumerable.Range(1, 100).Select(i => MergeRequest(5, i, rev, LabUserRef(10, "lin"), Now.AddDays(-9), "group/app"));
        _forge
            .Json(Authored, Array.Empty<object>())
            .Json(Approved, firstPage.ToArray())
            .Json(Approved + "&page=2", new[] { MergeRequest(5, 101, rev, null, Now.AddDays(-8), "group/app") })
            .Json($"{Api}/projects/5", Project(5, "group/app", 5000, Now.AddYears(-8)))
            .Json($"{Api}/users/30", LabUser(30, "rev", Now.AddYears(-4)));

        var facts = await CollectAsync();

        Assert.That(facts.Reviews, Has.Count.EqualTo(101));
        Assert.That(facts.Merges, Has.Count.EqualTo(100));
        Assert.That(_forge.Requests, Does.Not.Contain(FakeForge.Key(Approved + "&page=3")));
    }

    [Test]
    public async Task CollectAsync_AProjectInTheUsersOwnNamespace_IsTheirs()
    {
        var lin = LabUserRef(10, "lin");
        _forge
            .Json(Authored, new[] { MergeRequest(9, 4, lin, LabUserRef(20, "maint"), Now.AddDays(-5), "lin/tool") })
            .Json(Approved, Array.Empty<object>())
            .Json($"{Api}/projects/9", Project(9, "lin/tool", 10, Now.AddYears(-3), kind: "user"))
            .Json($"{Api}/users/10", LabUser(10, "lin", Now.AddYears(-5)))
            .Json($"{Api}/users/20", LabUser(20, "maint", Now.AddYears(-9)))
            .Json($"{Api}/projects/9/merge_requests/4/diffs?per_page=100", Array.Empty<object>());

        var facts = await CollectAsync();

        Assert.That(facts.Pulls.Single().Repository.OwnedByUser, Is.True);
    }

    [Test]
    public async Task CollectAsync_ABotMerger_IsMarkedAsABot()
    {
        var lin = LabUserRef(10, "lin");
        _forge
            .Json(Authored, new[] { MergeRequest(5, 6, lin, LabUserRef(40, "project_5_bot"), Now.AddDays(-5), "group/app") })
            .Json(Approved, Array.Empty<object>())
            .Json($"{Api}/projects/5", Project(5, "group/app", 5000, Now.AddYears(-8)))
            .Json($"{Api}/users/10", LabUser(10, "lin", Now.AddYears(-5)))
            .Json($"{Api}/users/40", LabUser(40, "project_5_bot", Now.AddYears(-1), bot: true))
            .Json($"{Api}/projects/5/merge_requests/6/approvals", Approvals(5, 6))
            .Json($"{Api}/projects/5/merge_requests/6/diffs?per_page=100", Array.Empty<object>());

        var report = MeritEngine.Evaluate([await CollectAsync()], Now);

        Assert.That(report.Ignored.Single().Rule, Is.EqualTo(MeritRules.BotParty));
    }

    [Test]
    public async Task CollectAsync_WhenGitLabFails_ThrowsForgeUnavailable()
    {
        _forge.Route(Authored, _ => new HttpResponseMessage(HttpStatusCode.InternalServerError));

        var thrown = await Assert.ThrowsAsync<ForgeUnavailableException>(CollectAsync);

        Assert.That(thrown!.Reason, Does.Contain("answered 500"));
    }

    [TestCase("@@ -1,3 +1,4 @@\n context\n-old\n+new\n+added\n", 3)]
    [TestCase("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", 2)]
    [TestCase("@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n@@ -9 +9 @@\n+c\n", 3)]
    [TestCase("Binary files differ\n", 0)]
    public void ChangedLines_CountsPlusAndMinusLinesAfterAHunkHeader(string diff, int expected)
    {
        Assert.That(GitLabCollector.ChangedLines(diff), Is.EqualTo(expected));
    }

    private async Task<ForgeFacts> CollectAsync()
    {
        using var collector = new GitLabCollector(
            new GitLabSettings(new Uri(GitLab), "client-id", "lab-token"), _forge, new FakeTimeProvider(Now));
        return await collector.CollectAsync("lin", Now.AddYears(-5), CancellationToken.None);
    }

    // lin: merge request !1 into group/app (5,000 stars) merged by maint 20 days ago; !2 three years ago, merged by
    // lin herself and approved by rev (on the second page); and !3 of rev's, which lin approved and merged.
    private void RecordLinOnGitLab()
    {
        var lin = LabUserRef(10, "lin");
        var rev = LabUserRef(30, "rev");
        _forge
            .Json(Authored, new[] { MergeRequest(5, 1, lin, LabUserRef(20, "maint"), Now.AddDays(-20), "group/app") },
                r => r.Headers.Add("X-Next-Page", "2"))
            .Json(Authored + "&page=2", new[] { MergeRequest(5, 2, lin, lin, Now.AddYears(-3), "group/app") },
                r => r.Headers.Add("X-Next-Page", ""))
            .Json($"{Api}/projects/5", Project(5, "group/app", 5000, Now.AddYears(-8)))
            .Json($"{Api}/users/10", LabUser(10, "lin", Now.AddYears(-5)))
            .Json($"{Api}/users/20", LabUser(20, "maint", Now.AddYears(-9)))
            .Json($"{Api}/users/30", LabUser(30, "rev", Now.AddYears(-4)))
            .Json($"{Api}/projects/5/merge_requests/1/diffs?per_page=100", new[]
            {
                Diff("src/a.c", "@@ -1,3 +1,4 @@\n context\n-old line\n+new line\n+another\n"),
                Diff("src/b.c", "@@ -10,2 +10,2 @@\n-x\n+y\n"),
            })
            .Json($"{Api}/projects/5/merge_requests/2/approvals", Approvals(5, 2, rev))
            .Json($"{Api}/projects/5/merge_requests/2/diffs?per_page=100", new[] { Diff("README", "@@ -1 +1 @@\n-a\n+b\n") })
            .Json(Approved, new[] { MergeRequest(5, 3, rev, lin, Now.AddDays(-15), "group/app") });
    }
}
