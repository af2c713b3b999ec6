using Commons.Bridge.Polling;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Polling;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SiteActivityTests
{
    private const string Site = "campus";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.Zero));

    [Test]
    public void Intervals_WhenRead_AreOneFiveAndThirtySeconds()
    {
        Assert.That(SiteActivity.Interactive, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(SiteActivity.Active, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(SiteActivity.Idle, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void IsDue_WhenNeverPolled_IsDue(bool hasActiveJobs)
    {
        var activity = CreateSut();

        var due = activity.IsDue(Site, hasActiveJobs);

        Assert.That(due, Is.True);
    }

    [Test]
    public void IsDue_WhenSiteIsIdle_WaitsThirtySeconds()
    {
        var activity = CreateSut();
        activity.Polled(Site);

        var dueAt29 = DueAfter(activity, TimeSpan.FromSeconds(29), hasActiveJobs: false);
        var dueAt30 = DueAfter(activity, TimeSpan.FromSeconds(1), hasActiveJobs: false);

        Assert.That(dueAt29, Is.False);
        Assert.That(dueAt30, Is.True);
    }

    [Test]
    public void IsDue_WhenSiteHasActiveJobs_WaitsFiveSeconds()
    {
        var activity = CreateSut();
        activity.Polled(Site);

        var dueAt4 = DueAfter(activity, TimeSpan.FromSeconds(4), hasActiveJobs: true);
        var dueAt5 = DueAfter(activity, TimeSpan.FromSeconds(1), hasActiveJobs: true);

        Assert.That(dueAt4, Is.False);
        Assert.That(dueAt5, Is.True);
    }

    [Test]
    public void IsDue_WhenSomeoneWaitsOnAJob_PollsEverySecond()
    {
        var activity = CreateSut();
        activity.Touch(Site);
        activity.Polled(Site);

        var dueAt500Ms = DueAfter(activity, TimeSpan.FromMilliseconds(500), hasActiveJobs: true);
        var dueAt1S = DueAfter(activity, TimeSpan.FromMilliseconds(500), hasActiveJobs: true);

        Assert.That(dueAt500Ms, Is.False);
        Assert.That(dueAt1S, Is.True);
    }

    [Test]
    public void IsDue_WhenInterestIsOlderThanThirtySeconds_FallsBackToFiveSeconds()
    {
        var activity = CreateSut();
        activity.Touch(Site);
        _time.Advance(TimeSpan.FromSeconds(30));
        activity.Polled(Site);

        var dueAt1 = DueAfter(activity, TimeSpan.FromSeconds(1), hasActiveJobs: true);
        var dueAt5 = DueAfter(activity, TimeSpan.FromSeconds(4), hasActiveJobs: true);

        Assert.That(dueAt1, Is.False);
        Assert.That(dueAt5, Is.True);
    }

    [Test]
    public void IsDue_WhenInterestIsJustUnderThirtySeconds_StillPollsEverySecond()
    {
        var activity = CreateSut();
        activity.Touch(Site);
        _time.Advance(TimeSpan.FromSeconds(28));
        activity.Polled(Site);

        var due = DueAfter(activity, TimeSpan.FromSeconds(1), hasActiveJobs: true);

        Assert.That(due, Is.True);
    }

    [Test]
    public void IsDue_WhenSiteHasNoActiveJobs_IgnoresInterest()
    {
        var activity = CreateSut();
        activity.Touch(Site);
        activity.Polled(Site);

        var due = DueAfter(activity, TimeSpan.FromSeconds(5), hasActiveJobs: false);

        Assert.That(due, Is.False);
    }

    [Test]
    public void PollSoon_WhenJustPolled_MakesThePollDueAtOnce()
    {
        var activity = CreateSut();
        activity.Polled(Site);

        activity.PollSoon(Site);

        Assert.That(activity.IsDue(Site, hasActiveJobs: false), Is.True);
        Assert.That(activity.IsDue(Site, hasActiveJobs: true), Is.True);
    }

    [Test]
    public void PollSoon_WhenFollowedByAPoll_KeepsPollingEverySecond()
    {
        var activity = CreateSut();
        activity.PollSoon(Site);
        activity.Polled(Site);

        var due = DueAfter(activity, TimeSpan.FromSeconds(1), hasActiveJobs: true);

        Assert.That(due, Is.True);
    }

    [Test]
    public void Polled_WhenOneSiteIsPolled_LeavesOtherSitesDue()
    {
        var activity = CreateSut();

        activity.Polled(Site);

        Assert.That(activity.IsDue("other", hasActiveJobs: false), Is.True);
        Assert.That(activity.IsDue(Site, hasActiveJobs: false), Is.False);
    }

    private SiteActivity CreateSut() => new(_time);

    private bool DueAfter(SiteActivity activity, TimeSpan wait, bool hasActiveJobs)
    {
        _time.Advance(wait);
        return activity.IsDue(Site, hasActiveJobs);
    }
}
