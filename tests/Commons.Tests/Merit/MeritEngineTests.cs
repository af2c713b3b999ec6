using Commons.Bridge.Merit;
using static Commons.Tests.Merit.MeritFacts;

namespace Commons.Tests.Merit;

public sealed class MeritEngineTests
{
    private const double Tolerance = 1e-4;

    [Test]
    public void Evaluate_WorkedExampleOfTheReadme_GivesItsScore()
    {
        // big/lib has 10,000 stars (w = 1); small/tool has 99 (w = ln 100 / ln 10001 = 0.49999).
        var big = Repo("big/lib", stars: 10000);
        var small = Repo("small/tool", stars: 99);
        var forge = Forge(
            pulls:
            [
                Pull(36, big), Pull(180, big), Pull(270, big), // decays 0.870551, 0.5, 0.353553
                Pull(180, small), // 0.5
                Pull(18, small, lines: 3), // trivial: size 0.1, decay 0.933033
            ],
            reviews: [Review(90, big), Review(90, big), Review(90, big), Review(90, big)], // 4 × 0.707107
            issues: [Issue(180, small)], // 0.49999 × 0.5
            earliest: [Pull(730, big)]); // two years ago: ⌊730 / 30.44⌋ = 23 months

        var report = Evaluate(forge);

        // S1 = 1·(0.870551 + 0.5 + 0.353553) + 0.49999·(0.5 + 0.1·0.933033) = 1.724104 + 0.296648 = 2.020753
        // S2 = 2 (both repositories have a non-trivial pull request)
        // S3 = 4 · 1 · 0.707107 = 2.828427;  S4 = 0;  S5 = 0.49999 · 0.5 = 0.249997;  S6 = 23
        Assert.That(report.Signals.Select(s => s.Value), Is.EqualTo(new[] { 2.020753, 2, 2.828427, 0, 0.249997, 23 }).Within(Tolerance));

        // points: 40·ln(3.020753)/ln(41) = 11.9077;  10·ln(3)/ln(11) = 4.5816;  20·ln(3.828427)/ln(101) = 5.8176;
        //         5·ln(1.249997)/ln(31) = 0.3249;  5·ln(24)/ln(61) = 3.8654;  total 26.4972 → 26.5
        Assert.That(
            report.Signals.Select(s => s.Points),
            Is.EqualTo(new[] { 11.9077, 4.5816, 5.8176, 0, 0.3249, 3.8654 }).Within(Tolerance));
        Assert.That(report.Score, Is.EqualTo(26.5));
        Assert.That(report.Counted, Has.Count.EqualTo(10));
        Assert.That(report.Ignored.Single().Rule, Is.EqualTo(MeritRules.OutsideWindowHistory));
        Assert.That(report.FirstItemAt, Is.EqualTo(Now.AddDays(-730)));
        Assert.That(report.LastItemAt, Is.EqualTo(Now.AddDays(-18)));
    }

    [Test]
    public void Evaluate_OnePull_ShowsItsWeightDecaySizeAndPoints()
    {
        var report = Evaluate(Forge(pulls: [Pull(90, Repo(stars: 99), url: "https://forge.test/big/lib/pull/1")]));

        var item = report.Counted.Single();
        Assert.That(item.Kind, Is.EqualTo("pull"));
        Assert.That(item.Signal, Is.EqualTo("S1"));
        Assert.That(item.Url, Is.EqualTo("https://forge.test/big/lib/pull/1"));
        Assert.That(item.Repository, Is.EqualTo("big/lib"));
        Assert.That(item.Weight, Is.EqualTo(0.49999).Within(Tolerance));
        Assert.That(item.Decay, Is.EqualTo(0.707107).Within(Tolerance));
        Assert.That(item.Size, Is.EqualTo(1));
        Assert.That(item.Points, Is.EqualTo(0.49999 * 0.707107).Within(Tolerance));
        Assert.That(report.Signal("S1"), Is.EqualTo(item.Points).Within(Tolerance));
        Assert.That(report.Signal("S2"), Is.EqualTo(1));
        Assert.That(report.NotCounted, Does.Contain("commits").And.Contain("followers").And.Contain("the contribution calendar"));
    }

    [Test]
    public void Evaluate_PullIntoOwnRepository_IsIgnored()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, Repo(own: true))]));

        Assert.That(report.Counted, Is.Empty);
        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.OwnRepository));
    }

    [Test]
    public void Evaluate_PullIntoFork_IsIgnored()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, Repo(fork: true))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.Fork));
    }

    [Test]
    public void Evaluate_PullIntoArchivedRepository_IsIgnored()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, Repo(archived: true))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.Archived));
    }

    [Test]
    public void Evaluate_PullIntoRepositoryYoungerThan90DaysAtTheMerge_IsIgnored()
    {
        // The repository was 89 days old when the first was merged, 91 days when the second was.
        var repo = Repo(ageDays: 100);

        var report = Evaluate(Forge(pulls: [Pull(11, repo), Pull(9, repo)]));

        Assert.That(report.Counted, Has.Count.EqualTo(1));
        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.YoungRepository));
    }

    [Test]
    public void Evaluate_SelfMergedPullWithoutApproval_IsIgnored()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, mergedBy: Me)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.NoOtherPerson));
    }

    [Test]
    public void Evaluate_SelfMergedPullApprovedByAnotherHuman_Counts()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, mergedBy: Me, approvers: [Me, Human("reviewer")])]));

        Assert.That(report.Counted, Has.Count.EqualTo(1));
        Assert.That(report.Ignored, Is.Empty);
    }

    [Test]
    public void Evaluate_SelfMergedPullApprovedOnlyByABot_IsIgnored()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, mergedBy: Me, approvers: [Bot()])]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.NoOtherPerson));
    }

    [Test]
    public void Evaluate_PullMergedByABotWithoutHumanApproval_IsIgnoredAsBotParty()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, mergedBy: Bot("mergify[bot]"))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.BotParty));
    }

    [Test]
    public void Evaluate_PullMergedByABotAfterHumanApproval_Counts()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, mergedBy: Bot("bors"), approvers: [Human("reviewer")])]));

        Assert.That(report.Counted, Has.Count.EqualTo(1));
    }

    [Test]
    public void Evaluate_PullWithUnknownMergerAndNoApproval_IsIgnored()
    {
        var pull = Pull(10) with { MergedBy = null };

        var report = Evaluate(Forge(pulls: [pull]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.NoOtherPerson));
    }

    [Test]
    public void Evaluate_PullBySomeoneElse_IsIgnored()
    {
        var report = Evaluate(Forge(pulls: [Pull(10, author: Human("someone"))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.NotYours));
    }

    [Test]
    public void Evaluate_PullOlderThan365Days_IsIgnoredButDatesTheFirstItem()
    {
        var report = Evaluate(Forge(pulls: [Pull(364), Pull(366)]));

        Assert.That(report.Counted, Has.Count.EqualTo(1));
        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.OutsideWindow));
        Assert.That(report.FirstItemAt, Is.EqualTo(Now.AddDays(-366)));
    }

    [Test]
    public void Evaluate_MoreThanFiveTrivialPulls_CountsTheFiveWorthMost()
    {
        // Seven one-line changes into repositories of 1, 10, 100, ... stars: the five most starred count.
        var pulls = Enumerable.Range(0, 7).Select(i => Pull(10, Repo($"r/{i}", stars: (int)Math.Pow(10, i)), lines: 1)).ToList();

        var report = Evaluate(Forge(pulls: pulls));

        Assert.That(report.Counted.Select(i => i.Repository), Is.EquivalentTo(new[] { "r/2", "r/3", "r/4", "r/5", "r/6" }));
        Assert.That(report.Ignored.Select(i => i.Repository), Is.EquivalentTo(new[] { "r/0", "r/1" }));
        Assert.That(report.Ignored.Select(i => i.Rule).Distinct(), Is.EqualTo(new[] { MeritRules.TrivialLimit }));
        Assert.That(report.Counted.Select(i => i.Size).Distinct(), Is.EqualTo(new[] { 0.1 }));
        Assert.That(report.Signal("S2"), Is.Zero, "a trivial change does not make a repository count for S2");
    }

    [Test]
    public void Evaluate_MoreThanThreePullsIntoOneRepositoryOnOneUtcDay_CountsThree()
    {
        // Five merges on 2026-11-24 (10 days before now, at 01:00 ... 05:00 UTC) and two on the day before.
        var day = Now.AddDays(-10);
        var sameDay = Enumerable.Range(1, 5).Select(h => Pull(10 - h / 24.0)).ToList();
        var dayBefore = new[] { Pull(10.5), Pull(10.6) };

        var report = Evaluate(Forge(pulls: [.. sameDay, .. dayBefore]));

        Assert.That(report.Counted, Has.Count.EqualTo(5));
        Assert.That(report.Ignored, Has.Count.EqualTo(2));
        Assert.That(report.Ignored.Select(i => i.Rule).Distinct(), Is.EqualTo(new[] { MeritRules.DailyLimit }));
        Assert.That(
            report.Ignored.Select(i => i.Url), Is.EquivalentTo(sameDay.Take(2).Select(p => p.Url)), "the newest three are worth most");
        Assert.That(sameDay.All(p => p.MergedAt.UtcDateTime.Date == day.UtcDateTime.Date), Is.True);
    }

    [Test]
    public void Evaluate_ManyPullsIntoOneRepository_AreCappedAt25()
    {
        // 40 merges, one a day: Σ decay = Σ 0.5^(d/180) for d = 0..39 ≈ 37.0, capped at 25 (w = 1).
        var pulls = Enumerable.Range(0, 40).Select(d => Pull(d)).ToList();

        var report = Evaluate(Forge(pulls: pulls));

        Assert.That(report.Counted, Has.Count.EqualTo(40));
        Assert.That(report.Signal("S1"), Is.EqualTo(25));
        Assert.That(report.Counted.All(i => i.Note!.Contains("cap of 25", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void Evaluate_ThePullListedTwice_CountsOnce()
    {
        var pull = Pull(10);

        var report = Evaluate(Forge(pulls: [pull, pull]));

        Assert.That(report.Counted, Has.Count.EqualTo(1));
        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.Duplicate));
    }

    [Test]
    public void Evaluate_Review_CountsWeightTimesDecay()
    {
        var report = Evaluate(Forge(reviews: [Review(180, Repo(stars: 9))]));

        // w = 0.249997, decay 0.5
        Assert.That(report.Signal("S3"), Is.EqualTo(0.249997 * 0.5).Within(Tolerance));
        Assert.That(report.Counted.Single().Kind, Is.EqualTo("review"));
    }

    [Test]
    public void Evaluate_SeveralReviewsOfOnePull_CountOnceDatedByTheLatest()
    {
        var url = "https://forge.test/big/lib/pull/77";

        var report = Evaluate(Forge(reviews: [Review(200, url: url, pullMergedDaysAgo: 5), Review(20, url: url, pullMergedDaysAgo: 5)]));

        Assert.That(report.Counted.Single().At, Is.EqualTo(Now.AddDays(-20)));
    }

    [Test]
    public void Evaluate_ReviewTheForgeDoesNotList_IsIgnored()
    {
        var report = Evaluate(Forge(reviews: [Review(10, found: false)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.NoReview));
    }

    [Test]
    public void Evaluate_ReviewOfOwnPull_IsIgnored()
    {
        var report = Evaluate(Forge(reviews: [Review(10, author: Me)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.OwnPull));
    }

    [Test]
    public void Evaluate_ReviewOfABotsPull_IsIgnored()
    {
        var report = Evaluate(Forge(reviews: [Review(10, author: Bot("dependabot[bot]"))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.BotParty));
    }

    [Test]
    public void Evaluate_ReviewInAFork_IsIgnored()
    {
        var report = Evaluate(Forge(reviews: [Review(10, Repo(fork: true))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.Fork));
    }

    [Test]
    public void Evaluate_ReviewOfAPullMergedBeforeTheWindow_IsIgnored()
    {
        var report = Evaluate(Forge(reviews: [Review(300, pullMergedDaysAgo: 400)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.PullNotInWindow));
    }

    [Test]
    public void Evaluate_ReviewInOwnRepository_Counts()
    {
        var report = Evaluate(Forge(reviews: [Review(10, Repo(own: true))]));

        Assert.That(report.Counted, Has.Count.EqualTo(1));
    }

    [Test]
    public void Evaluate_IssueClosedAsCompletedBySomeoneElse_Counts()
    {
        var report = Evaluate(Forge(issues: [Issue(180, Repo(stars: 10000))]));

        Assert.That(report.Signal("S5"), Is.EqualTo(0.5).Within(Tolerance));
    }

    [Test]
    public void Evaluate_IssueInOwnRepository_IsIgnored()
    {
        var report = Evaluate(Forge(issues: [Issue(10, Repo(own: true))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.OwnRepository));
    }

    [Test]
    public void Evaluate_IssueNotClosedAsCompleted_IsIgnored()
    {
        var report = Evaluate(Forge(issues: [Issue(10, completed: false)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.NotCompleted));
    }

    [Test]
    public void Evaluate_IssueClosedByItsAuthor_IsIgnored()
    {
        var report = Evaluate(Forge(issues: [Issue(10, closedBy: Me)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.ClosedByYou));
    }

    [Test]
    public void Evaluate_IssueClosedByABot_IsIgnored()
    {
        var report = Evaluate(Forge(issues: [Issue(10, closedBy: Bot("stale[bot]"))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.BotParty));
    }

    [Test]
    public void Evaluate_IssueWithUnknownCloser_IsIgnored()
    {
        var report = Evaluate(Forge(issues: [Issue(10, closerKnown: false)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.ClosedByUnknown));
    }

    [Test]
    public void Evaluate_IssueClosedMoreThan365DaysAgo_IsIgnored()
    {
        var report = Evaluate(Forge(issues: [Issue(400)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.OutsideWindow));
    }

    [Test]
    public void Evaluate_MergesForThreeHumansInAnOldRepository_CountAsStewardship()
    {
        // Own repository of 10,000 stars, 800 days old; three authors, two merges each, 180 days ago: Σ decay = 3.
        var merges = new[] { "a", "b", "c" }.SelectMany(a => new[] { Merge(180, Human(a)), Merge(180, Human(a)) }).ToList();

        var report = Evaluate(Forge(merges: merges));

        Assert.That(report.Signal("S4"), Is.EqualTo(3).Within(Tolerance));
        Assert.That(report.Counted.Select(MeritEngine.StewardAuthor).Distinct(), Is.EquivalentTo(new[] { "a", "b", "c" }));
        Assert.That(TierFacts.From(report, null, false).StewardAuthors, Is.EqualTo(3));
    }

    [Test]
    public void Evaluate_MergesFromFewerThanThreeAuthors_AreIgnored()
    {
        var report = Evaluate(Forge(merges: [Merge(10, Human("a")), Merge(10, Human("b")), Merge(10, Human("B"))]));

        Assert.That(report.Counted, Is.Empty);
        Assert.That(report.Ignored.Select(i => i.Rule).Distinct(), Is.EqualTo(new[] { MeritRules.FewStewardAuthors }));
    }

    [Test]
    public void Evaluate_MergesInARepositoryYoungerThanAYear_AreIgnored()
    {
        var repo = Repo("ada/new", own: true, ageDays: 240);

        var report = Evaluate(Forge(merges: new[] { "a", "b", "c", "d" }.Select(a => Merge(10, Human(a), repo))));

        Assert.That(report.Signal("S4"), Is.Zero);
        Assert.That(report.Ignored.Select(i => i.Rule).Distinct(), Is.EqualTo(new[] { MeritRules.YoungStewardRepository }));
    }

    [Test]
    public void Evaluate_MergeForAnAccountYoungerThan90Days_IsIgnoredAndItsAuthorNotCounted()
    {
        // Three 60-day-old accounts beside two old ones: only two authors remain, too few.
        var merges = new[] { Merge(10, Human("old1")), Merge(10, Human("old2")) }
            .Concat(new[] { "new1", "new2", "new3" }.Select(a => Merge(10, Human(a, accountAgeDays: 60))));

        var report = Evaluate(Forge(merges: merges));

        Assert.That(report.Counted, Is.Empty);
        Assert.That(report.Ignored.Count(i => i.Rule == MeritRules.YoungAuthor), Is.EqualTo(3));
        Assert.That(report.Ignored.Count(i => i.Rule == MeritRules.FewStewardAuthors), Is.EqualTo(2));
    }

    [Test]
    public void Evaluate_MergeOfOwnPull_IsIgnored()
    {
        var report = Evaluate(Forge(merges: [Merge(10, Me)]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.OwnPull));
    }

    [Test]
    public void Evaluate_MergeOfABotsPull_IsIgnored()
    {
        var report = Evaluate(Forge(merges: [Merge(10, Bot("renovate[bot]"))]));

        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.BotParty));
    }

    [Test]
    public void Evaluate_ManyMergesInOneRepository_AreCappedAt200()
    {
        // 300 merges today by three authors: Σ decay = 300, capped at 200 (w = 1).
        var merges = Enumerable.Range(0, 300).Select(i => Merge(0, Human($"a{i % 3}"), Repo("ada/big", own: true, ageDays: 800)));

        var report = Evaluate(Forge(merges: merges));

        Assert.That(report.Signal("S4"), Is.EqualTo(200));
    }

    [Test]
    public void Evaluate_FirstItemFromHistory_SetsMonthsEvenBeyondTheWindow()
    {
        var report = Evaluate(Forge(pulls: [Pull(10)], earliest: [Pull(3 * 365, Repo(ageDays: 5000))]));

        // ⌊1095 / 30.44⌋ = 35
        Assert.That(report.Signal("S6"), Is.EqualTo(35));
        Assert.That(report.LastItemAt, Is.EqualTo(Now.AddDays(-10)));
    }

    [Test]
    public void Evaluate_HistoryPullThatDoesNotQualify_DoesNotDateTheFirstItem()
    {
        var report = Evaluate(Forge(pulls: [Pull(10)], earliest: [Pull(1000, Repo(fork: true))]));

        Assert.That(report.Signal("S6"), Is.Zero);
        Assert.That(report.FirstItemAt, Is.EqualTo(Now.AddDays(-10)));
        Assert.That(report.OnlyRule(), Is.EqualTo(MeritRules.Fork));
    }

    [Test]
    public void Evaluate_FirstItemTenYearsAgo_IsCappedAt60Months()
    {
        var report = Evaluate(Forge(earliest: [Pull(3650, Repo(ageDays: 5000))]));

        Assert.That(report.Signal("S6"), Is.EqualTo(60));
        Assert.That(report.Score, Is.EqualTo(5), "S6 alone at its threshold: 100 · 0.5 / 10");
        Assert.That(report.LastItemAt, Is.EqualTo(Now.AddDays(-3650)));
    }

    [Test]
    public void Evaluate_NothingCollected_IsAnEmptyReport()
    {
        var report = MeritEngine.Evaluate([], Now);

        Assert.That(report.Score, Is.Zero);
        Assert.That(report.Signals, Has.Count.EqualTo(6));
        Assert.That(report.FirstItemAt, Is.Null);
        Assert.That(report.Stale, Is.False);
    }

    [Test]
    public void Evaluate_WithAStaleReason_IsMarkedStale()
    {
        var report = MeritEngine.Evaluate([Forge(pulls: [Pull(10)])], Now, "1 forge answer(s) came from the cache");

        Assert.That(report.Stale, Is.True);
        Assert.That(report.StaleReason, Does.Contain("cache"));
        Assert.That(report.Counted, Has.Count.EqualTo(1));
    }

    [Test]
    public void Evaluate_TwoForges_AddUp()
    {
        var gitLab = Forge(pulls: [Pull(0, Repo("group/app", provider: "gitlab"))]) with { Provider = "gitlab" };

        var report = MeritEngine.Evaluate([Forge(pulls: [Pull(0)]), gitLab], Now);

        Assert.That(report.Signal("S1"), Is.EqualTo(2).Within(Tolerance));
        Assert.That(report.Signal("S2"), Is.EqualTo(2));
        Assert.That(report.Counted.Select(i => i.Provider), Is.EquivalentTo(new[] { "github", "gitlab" }));
    }

    [TestCase("octocat", "User", false, false)]
    [TestCase("helper", "Bot", false, true)]
    [TestCase("dependabot[bot]", "User", false, true)]
    [TestCase("Renovate[BOT]", null, false, true)]
    [TestCase("project_5_bot", null, true, true)]
    public void IsBotAccount_KnowsBotsByTypeLoginOrGitLabFlag(string login, string? type, bool gitLabBot, bool expected)
    {
        Assert.That(ForgePerson.IsBotAccount(login, type, gitLabBot), Is.EqualTo(expected));
    }
}
