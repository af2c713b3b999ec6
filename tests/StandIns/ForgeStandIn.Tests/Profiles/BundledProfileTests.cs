using Commons.StandIns.Forge.Hosting;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Tests.Infrastructure;

namespace Commons.StandIns.Forge.Tests.Profiles;

/// <summary>
/// The profiles shipped with the stand-in load together, and each still models the acceptance case its first
/// line names: these tests read the facts the merit rules will look at, so an edit that breaks a case shows here.
/// </summary>
public sealed class BundledProfileTests
{
    private static readonly DateTimeOffset Now = TestWorld.Now;

    private World _world = null!;

    [OneTimeSetUp]
    public void LoadBundledProfiles() => _world = ProfileLoader.LoadFolder(ForgeSettings.BundledProfiles, Now);

    [Test]
    public void EveryFile_StartsWithTheAcceptanceCaseItModels()
    {
        var files = Directory.GetFiles(ForgeSettings.BundledProfiles, "*.yaml").Select(Path.GetFileName).Order();

        Assert.That(files, Is.EqualTo(new[]
        {
            "bot-account.yaml", "former-maintainer.yaml", "regular-github.yaml", "regular-gitlab.yaml",
            "self-merger.yaml", "sock-steward.yaml", "trivial-spray.yaml", "young-account.yaml",
        }));
        foreach (var file in Directory.GetFiles(ForgeSettings.BundledProfiles, "*.yaml"))
        {
            Assert.That(File.ReadLines(file).First(), Does.StartWith("# Acceptance case: "), file);
        }
    }

    [Test]
    public void YoungAccount_Has3SizeablePullsMergedByAMaintainerIntoA20kRepository_AndIs40DaysOld()
    {
        var user = Account(ForgeKind.GitHub, "ya-newcomer");
        var pulls = MergedPullsBy(user);

        Assert.That(DaysSince(user.CreatedAt), Is.EqualTo(40));
        Assert.That(pulls, Has.Count.EqualTo(3));
        Assert.That(pulls.Select(p => p.Repository.FullName).Distinct(), Is.EqualTo(new[] { "ya-upstream/engine" }));
        Assert.That(pulls.Select(p => p.Repository.Stars), Is.All.EqualTo(20_000));
        Assert.That(pulls.Select(p => p.Pull!.MergedBy!.Login), Is.All.EqualTo("ya-maintainer"));
        Assert.That(pulls.Select(p => p.Pull!.Additions + p.Pull.Deletions), Is.All.InRange(90, 115));
    }

    [Test]
    public void TrivialSpray_Has60OneLinePullsInto60Different20kRepositories_EachMergedByItsOwner()
    {
        var user = Account(ForgeKind.GitHub, "ts-sprayer");
        var pulls = MergedPullsBy(user);

        Assert.That(DaysSince(user.CreatedAt), Is.EqualTo(1095));
        Assert.That(pulls, Has.Count.EqualTo(60));
        Assert.That(pulls.Select(p => p.Repository.Id).Distinct().Count(), Is.EqualTo(60));
        Assert.That(pulls.Select(p => p.Repository.Stars), Is.All.EqualTo(20_000));
        Assert.That(pulls.Select(p => (p.Pull!.Additions, p.Pull.Deletions)), Is.All.EqualTo((1, 0)));
        Assert.That(pulls.All(p => p.Pull!.MergedBy!.Id == p.Repository.Owner.Id), Is.True);
        Assert.That(pulls.Select(p => DaysSince(p.CreatedAt)), Is.All.LessThanOrEqualTo(120));
    }

    [Test]
    public void SelfMerger_Has300PullsMergedByThemselvesInTheirOwnRepositories_And2000Commits()
    {
        var user = Account(ForgeKind.GitHub, "sm-solo");
        var pulls = MergedPullsBy(user);

        Assert.That(DaysSince(user.CreatedAt), Is.EqualTo(1460));
        Assert.That(user.Commits, Is.EqualTo(2000));
        Assert.That(pulls, Has.Count.EqualTo(300));
        Assert.That(pulls.All(p => p.Repository.Owner.Id == user.Id && p.Pull!.MergedBy!.Id == user.Id), Is.True);
        Assert.That(pulls.Select(p => p.Repository.Stars), Is.All.LessThan(20));
    }

    [Test]
    public void SockSteward_Merged40PullsOf4TwoMonthOldAccountsIntoAnEightMonthOldRepositoryOfTheirOwn()
    {
        var steward = Account(ForgeKind.GitHub, "ss-steward");
        var merges = _world.Issues.Where(i => i.Pull?.MergedBy?.Id == steward.Id).ToList();

        Assert.That(DaysSince(steward.CreatedAt), Is.EqualTo(1825));
        Assert.That(merges, Has.Count.EqualTo(40));
        Assert.That(merges.Select(m => m.Repository.FullName).Distinct(), Is.EqualTo(new[] { "ss-steward/garden" }));
        Assert.That(DaysSince(merges[0].Repository.CreatedAt), Is.EqualTo(240));
        Assert.That(merges.Select(m => m.Author.Login).Distinct().Count(), Is.EqualTo(4));
        Assert.That(merges.Select(m => DaysSince(m.Author.CreatedAt)), Is.All.EqualTo(60));
    }

    [Test]
    public void BotAccount_IsABotNamedAsGitHubNamesBots()
    {
        var bot = Account(ForgeKind.GitHub, "ba-helper[bot]");

        Assert.That(bot.Type, Is.EqualTo(AccountType.Bot));
        Assert.That(MergedPullsBy(bot), Is.Not.Empty);
    }

    [Test]
    public void RegularGitHub_Has15PullsThisYearInFourRepositoriesOf2kTo20kStars_FirstOne900DaysAgo()
    {
        var user = Account(ForgeKind.GitHub, "rg-regular");
        var pulls = MergedPullsBy(user);
        var lastYear = pulls.Where(p => DaysSince(p.Pull!.MergedAt!.Value) <= 365).ToList();

        Assert.That(DaysSince(user.CreatedAt), Is.EqualTo(1460));
        Assert.That(lastYear, Has.Count.EqualTo(15));
        Assert.That(
            lastYear.Select(p => p.Repository.Stars).Distinct().Order(), Is.EqualTo(new[] { 2000, 5000, 10_000, 20_000 }));
        Assert.That(lastYear.Select(p => p.Pull!.Additions + p.Pull.Deletions), Is.All.InRange(30, 300));
        Assert.That(pulls.All(p => p.Repository.Owner.Id != user.Id && p.Pull!.MergedBy!.Id != user.Id), Is.True);
        Assert.That(pulls.Max(p => DaysSince(p.Pull!.MergedAt!.Value)), Is.EqualTo(900));
        Assert.That(pulls.Min(p => DaysSince(p.Pull!.MergedAt!.Value)), Is.LessThanOrEqualTo(30));
    }

    [Test]
    public void RegularGitHub_Reviewed20MergedPullsOfOthersThisYear()
    {
        var user = Account(ForgeKind.GitHub, "rg-regular");
        var reviews = _world.Issues
            .Where(i => i.IsMerged && i.Author.Id != user.Id)
            .SelectMany(i => i.Pull!.Reviews.Where(r => r.User.Id == user.Id))
            .ToList();

        Assert.That(reviews, Has.Count.EqualTo(20));
        Assert.That(reviews.Select(r => DaysSince(r.SubmittedAt)), Is.All.LessThanOrEqualTo(365));
    }

    [Test]
    public void RegularGitLab_Has20ApprovedMergeRequestsThisYearInA5kGroupProject_FirstOne540DaysAgo()
    {
        var user = Account(ForgeKind.GitLab, "rl-regular");
        var requests = _world.MergeRequests.Where(m => m.Author.Id == user.Id && m.MergedAt is not null).ToList();
        var lastYear = requests.Where(m => DaysSince(m.MergedAt!.Value) <= 365).ToList();
        var project = lastYear[0].Project;

        Assert.That(DaysSince(user.CreatedAt), Is.EqualTo(1095));
        Assert.That(_world.FindAccount(ForgeKind.GitHub, "rl-regular"), Is.Null);
        Assert.That(lastYear, Has.Count.EqualTo(20));
        Assert.That(lastYear.All(m => m.Project == project), Is.True);
        Assert.That(
            (project.Stars, project.Namespace.Kind, project.ForkedFromPath), Is.EqualTo((5000, "group", (string?)null)));
        Assert.That(DaysSince(project.CreatedAt), Is.EqualTo(1460));
        Assert.That(lastYear.All(m => m.ApprovedBy.Any(a => a.Id != user.Id) && m.MergedBy!.Login == "rl-maint"), Is.True);
        Assert.That(lastYear.Select(m => m.Additions + m.Deletions), Is.All.InRange(20, 200));
        Assert.That(requests.Max(m => DaysSince(m.MergedAt!.Value)), Is.EqualTo(540));
        Assert.That(requests.Min(m => DaysSince(m.MergedAt!.Value)), Is.LessThanOrEqualTo(30));
    }

    [Test]
    public void RegularGitLab_Approved10MergedMergeRequestsOfOthersThisYear()
    {
        var user = Account(ForgeKind.GitLab, "rl-regular");
        var approved = _world.MergeRequests
            .Where(m => m.MergedAt is not null && m.Author.Id != user.Id && m.ApprovedBy.Any(a => a.Id == user.Id))
            .ToList();

        Assert.That(approved, Has.Count.EqualTo(10));
        Assert.That(approved.Select(m => DaysSince(m.MergedAt!.Value)), Is.All.LessThanOrEqualTo(365));
    }

    [Test]
    public void FormerMaintainer_DidMuchInA15kRepository_AllOfItBetween400And1500DaysAgo()
    {
        var user = Account(ForgeKind.GitHub, "fm-veteran");
        var involved = _world.Issues
            .Where(i => i.Author.Id == user.Id || i.Pull?.MergedBy?.Id == user.Id || i.ClosedBy?.Id == user.Id
                || i.Pull?.Reviews.Any(r => r.User.Id == user.Id) == true)
            .ToList();
        var instants = involved.SelectMany(i => new[] { i.CreatedAt, i.ClosedAt ?? i.CreatedAt })
            .Concat(involved.SelectMany(i => i.Pull?.Reviews ?? []).Select(r => r.SubmittedAt));

        Assert.That(DaysSince(user.CreatedAt), Is.EqualTo(2920));
        Assert.That(MergedPullsBy(user), Has.Count.EqualTo(40));
        Assert.That(involved.Count(i => i.Pull?.MergedBy?.Id == user.Id), Is.EqualTo(100));
        Assert.That(involved.Select(i => i.Repository.Stars).Distinct(), Is.EqualTo(new[] { 15_000 }));
        Assert.That(instants.Select(DaysSince), Is.All.InRange(400, 1510));
    }

    private Account Account(ForgeKind forge, string login) =>
        _world.FindAccount(forge, login) ?? throw new AssertionException($"no {forge} account {login}");

    private List<IssueItem> MergedPullsBy(Account author) =>
        _world.Issues.Where(i => i.IsMerged && i.Author.Id == author.Id).ToList();

    private static double DaysSince(DateTimeOffset instant) => Math.Round((Now - instant).TotalDays, 3);
}
