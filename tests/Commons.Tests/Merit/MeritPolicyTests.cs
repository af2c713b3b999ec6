using Commons.Bridge.Merit;
using static Commons.Tests.Merit.MeritFacts;

namespace Commons.Tests.Merit;

public sealed class MeritPolicyTests
{
    private static readonly MeritPolicy Policy = MeritPolicyLoader.LoadFile(Path.Combine(RepoPaths.Root, "config", "merit-policy.yaml"));

    [TestCase(8, 1000, 5, "guest")] // merit < 12
    [TestCase(40, 40, 5, "guest")] // account younger than 90 days, whatever the score
    [TestCase(12, 100, null, "contributor")]
    [TestCase(35, 100, 10, "regular")]
    [TestCase(35, 100, 100, "contributor")] // no qualifying item in the last 90 days
    [TestCase(55, 400, 10, "core")]
    [TestCase(55, 300, 10, "regular")] // core needs an account of a year
    public void Computed_IsTheHighestTierWhoseRuleHolds(double score, int accountDays, int? lastItemDaysAgo, string expected)
    {
        var facts = Facts(score, accountDays, lastItemDaysAgo);

        Assert.That(Policy.Computed(facts, Now).Name, Is.EqualTo(expected));
    }

    [Test]
    public void Computed_Maintainer_NeedsStewardshipAuthorsAndSignOff()
    {
        var everything = Facts(65, 800, 5) with { Stewardship = 60, StewardAuthors = 12, SignedOff = true };

        Assert.That(Policy.Computed(everything, Now).Name, Is.EqualTo("maintainer"));
        Assert.That(Policy.Computed(everything with { SignedOff = false }, Now).Name, Is.EqualTo("core"));
        Assert.That(Policy.Computed(everything with { StewardAuthors = 9 }, Now).Name, Is.EqualTo("core"));
        Assert.That(Policy.Computed(everything with { Stewardship = 49 }, Now).Name, Is.EqualTo("core"));
        Assert.That(Policy.Computed(everything with { AccountCreatedAt = Now.AddDays(-700) }, Now).Name, Is.EqualTo("core"));
    }

    [Test]
    public void Decide_HigherComputedTier_PromotesAtOnce()
    {
        var decision = Policy.Decide("guest", null, Facts(35, 100, 10), Now);

        Assert.That(decision.Held, Is.EqualTo("regular"));
        Assert.That(decision.Change, Is.EqualTo("promote"));
        Assert.That(decision.Why, Does.Contain("regular's rule").And.Contain("merit ≥ 30"));
    }

    [TestCase(26, "regular")] // 4 points below 30: within the margin of 5
    [TestCase(25, "regular")] // exactly 5 below is not more than 5 below
    [TestCase(24.9, "contributor")] // more than 5 below: demoted at once
    public void Decide_ScoreBelowTheHeldTier_DemotesOnlyBeyondTheMargin(double score, string expected)
    {
        var decision = Policy.Decide("regular", null, Facts(score, 100, 10), Now);

        Assert.That(decision.Held, Is.EqualTo(expected));
        Assert.That(decision.Computed, Is.EqualTo("contributor"));
    }

    [Test]
    public void Decide_WithinTheMargin_StartsTheGraceClock()
    {
        var decision = Policy.Decide("regular", null, Facts(26, 100, 10), Now);

        Assert.That(decision.BelowSince, Is.EqualTo(Now));
        Assert.That(decision.Change, Is.Null);
        Assert.That(decision.Why, Does.Contain("30 more days of grace").And.Contain("merit ≥ 30 (it is 26)"));
    }

    [Test]
    public void Decide_BeyondTheMargin_NamesTheRule()
    {
        var decision = Policy.Decide("regular", null, Facts(20, 100, 10), Now);

        Assert.That(decision.Change, Is.EqualTo("demote"));
        Assert.That(decision.Why, Is.EqualTo("Demoted from regular: merit 20 is more than 5 points below its 30."));
    }

    [TestCase(29, "regular")]
    [TestCase(30, "contributor")]
    public void Decide_AfterTheGraceDays_Demotes(int daysBelow, string expected)
    {
        // Score fine, but no qualifying item for 100 days: regular's recency rule fails, only grace can end it.
        var decision = Policy.Decide("regular", Now.AddDays(-daysBelow), Facts(35, 1000, 100), Now);

        Assert.That(decision.Held, Is.EqualTo(expected));
        Assert.That(decision.BelowSince, Is.EqualTo(expected == "regular" ? Now.AddDays(-daysBelow) : null));
    }

    [Test]
    public void Decide_BackAboveTheRule_ClearsTheGraceClock()
    {
        var decision = Policy.Decide("regular", Now.AddDays(-10), Facts(35, 1000, 5), Now);

        Assert.That(decision.Held, Is.EqualTo("regular"));
        Assert.That(decision.BelowSince, Is.Null);
        Assert.That(decision.Change, Is.Null);
    }

    [Test]
    public void Decide_HeldTierNoLongerInThePolicy_ResetsToTheComputedOne()
    {
        var decision = Policy.Decide("platinum", null, Facts(13, 1000, 5), Now);

        Assert.That(decision.Held, Is.EqualTo("contributor"));
        Assert.That(decision.Change, Is.EqualTo("reset"));
    }

    [Test]
    public void Explain_Guest_SaysWhatTheNextTierNeeds()
    {
        var why = Policy.Explain(Policy.Lowest, Facts(8, 40, null), Now);

        Assert.That(why, Is.EqualTo("Merit 8; contributor needs merit ≥ 12 (it is 8), an account ≥ 90 days old (it is 40)."));
    }

    [Test]
    public void View_CarriesTheTiersLimits()
    {
        var core = Policy.Find("core")!.View("merit", "because");

        Assert.That(core.GpuHoursPerMonth, Is.EqualTo(600));
        Assert.That(core.MaxGpusPerJob, Is.EqualTo(4));
        Assert.That(core.MaxWalltimeMinutes, Is.EqualTo(24 * 60));
        Assert.That(Policy.Lowest.View("merit", "").MaxWalltimeMinutes, Is.Null);
    }

    private static TierFacts Facts(double score, int accountDays, int? lastItemDaysAgo) =>
        new(score, Now.AddDays(-accountDays), lastItemDaysAgo is { } d ? Now.AddDays(-d) : null, 0, 0, false);
}
