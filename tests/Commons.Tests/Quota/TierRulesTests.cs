using Commons.Bridge.Quota;

namespace Commons.Tests.Quota;

public sealed class TierRulesTests
{
    private static readonly TierLimits Contributor = new("contributor", 24, 1, 240, null);

    [TestCase(1, null, 240)]
    [TestCase(0, null, 1)]
    [TestCase(1, "a100", 30)]
    public void Check_WhenTheJobIsWithinTheTier_AllowsIt(int gpus, string? type, int minutes)
    {
        var refusal = TierRules.Check(Contributor, gpus, type, minutes);

        Assert.That(refusal, Is.Null);
    }

    [Test]
    public void Check_WhenMoreGpusThanTheTierAllows_NamesTheFieldTheLimitAndTheTier()
    {
        var refusal = TierRules.Check(Contributor, 2, null, 60);

        Assert.That(refusal!.Tier, Is.EqualTo("contributor"));
        Assert.That(refusal.Title, Is.EqualTo("Your tier does not allow this job"));
        Assert.That(refusal.Errors.Keys, Is.EqualTo(new[] { "resources.gpus" }));
        Assert.That(refusal.Errors["resources.gpus"], Is.EqualTo(new[]
        {
            "2 GPUs asked; tier 'contributor' allows at most 1 per job",
        }));
        Assert.That(refusal.Detail, Does.StartWith("Tier 'contributor' allows 1 GPU per job and 4 h of walltime."));
        Assert.That(refusal.Detail, Does.Contain("`commons whoami --explain`"));
    }

    [Test]
    public void Check_WhenTheWalltimeIsPastTheTiers_NamesTheFieldAndTheLimit()
    {
        var refusal = TierRules.Check(Contributor, 1, null, 270);

        Assert.That(refusal!.Errors.Keys, Is.EqualTo(new[] { "resources.time" }));
        Assert.That(refusal.Errors["resources.time"], Is.EqualTo(new[]
        {
            "4 h 30 min asked; tier 'contributor' allows at most 4 h",
        }));
    }

    [Test]
    public void Check_WhenGpusAndWalltimeAreBothOver_ReportsBothAtOnce()
    {
        var refusal = TierRules.Check(Contributor, 4, null, 600);

        Assert.That(refusal!.Errors.Keys, Is.EquivalentTo(new[] { "resources.gpus", "resources.time" }));
    }

    [Test]
    public void Check_WhenTheTierMayNotRunJobs_RefusesEvenACpuOnlyJobAndSaysHowToEarnMore()
    {
        var guest = new TierLimits("guest", 0, 0, null, null);

        var refusal = TierRules.Check(guest, 0, null, 5);

        Assert.That(refusal!.Tier, Is.EqualTo("guest"));
        Assert.That(refusal.Title, Is.EqualTo("Your tier may not run jobs"));
        Assert.That(refusal.Detail, Does.StartWith("Tier 'guest' may not run jobs."));
        Assert.That(refusal.Detail, Does.Contain("`commons whoami --explain`"));
        Assert.That(refusal.Errors, Is.Empty);
    }

    [Test]
    public void Check_WhenTheTierAllowsNoGpus_SaysItMayRunCpuOnlyJobs()
    {
        var cpuOnly = new TierLimits("starter", 0, 0, 60, null);

        var refusal = TierRules.Check(cpuOnly, 1, null, 30);

        Assert.That(refusal!.Errors["resources.gpus"], Is.EqualTo(new[]
        {
            "1 GPU asked; tier 'starter' may run CPU-only jobs, without GPUs",
        }));
    }

    [Test]
    public void Check_WhenTheGpuTypeIsNotOpenToTheTier_ListsTheTypesItMayUse()
    {
        var limits = Contributor with { GpuTypes = ["l40s", "a10"] };

        var refusal = TierRules.Check(limits, 1, "a100", 60);

        Assert.That(refusal!.Errors["resources.gpus"], Is.EqualTo(new[]
        {
            "GPU type 'a100' asked; tier 'contributor' may use only l40s, a10",
        }));
        Assert.That(refusal.Detail, Does.StartWith("Tier 'contributor' allows 1 GPU of types l40s, a10 per job"));
    }

    [Test]
    public void Check_WhenAnyTypeIsAskedOfATierWithTypes_AsksForOneOfThem()
    {
        var limits = Contributor with { GpuTypes = ["l40s"] };

        var refusal = TierRules.Check(limits, 1, null, 60);

        Assert.That(refusal!.Errors["resources.gpus"], Is.EqualTo(new[]
        {
            "any GPU type asked; tier 'contributor' may use only l40s: ask for one, such as l40s:1",
        }));
    }

    [Test]
    public void Check_WhenTheTierListsNoGpuTypes_RefusesEveryGpuJob()
    {
        var limits = Contributor with { GpuTypes = [] };

        var refusal = TierRules.Check(limits, 1, "a100", 60);

        Assert.That(refusal!.Errors["resources.gpus"], Is.EqualTo(new[]
        {
            "GPU type 'a100' asked; tier 'contributor' may use no GPU type",
        }));
    }

    [Test]
    public void Check_WhenTheTypeDiffersOnlyInCase_AllowsIt()
    {
        var limits = Contributor with { GpuTypes = ["L40S"] };

        var refusal = TierRules.Check(limits, 1, "l40s", 60);

        Assert.That(refusal, Is.Null);
    }

    [Test]
    public void Check_WhenACpuOnlyJobMeetsATierWithTypes_IgnoresTheTypes()
    {
        var limits = Contributor with { GpuTypes = ["l40s"] };

        var refusal = TierRules.Check(limits, 0, null, 60);

        Assert.That(refusal, Is.Null);
    }
}
