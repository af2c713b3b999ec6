using Commons.Bridge.Merit;

namespace Commons.Tests.Merit;

public sealed class MeritPolicyLoaderTests
{
    private const string File = "policy.yaml";

    private const string Valid = """
        demotion: { margin: 5, graceDays: 30 }
        recompute: { maxAgeHours: 24 }
        tiers:
          - name: guest
            gpuHoursPerMonth: 0
            gpusPerJob: 0
          - name: member
            rule: { minScore: 10 }
            gpuHoursPerMonth: 5
            gpusPerJob: 1
            walltime: 1:00:00
            gpuTypes: [a100]
        """;

    [Test]
    public void LoadFile_TheRepositorysPolicy_HasTheIssuesTiers()
    {
        var policy = MeritPolicyLoader.LoadFile(Path.Combine(RepoPaths.Root, "config", "merit-policy.yaml"));

        Assert.That(policy.Tiers.Select(t => t.Name), Is.EqualTo(new[] { "guest", "contributor", "regular", "core", "maintainer" }));
        Assert.That(policy.Tiers.Select(t => t.GpuHoursPerMonth), Is.EqualTo(new[] { 0, 24, 150, 600, 2000 }));
        Assert.That(policy.Tiers.Select(t => t.WalltimeMinutes), Is.EqualTo(new int?[] { null, 240, 720, 1440, 2880 }));
        Assert.That(policy.DemotionMargin, Is.EqualTo(5));
        Assert.That(policy.GraceDays, Is.EqualTo(30));
        Assert.That(policy.RecomputeMaxAge, Is.EqualTo(TimeSpan.FromHours(24)));
        Assert.That(policy.Find("maintainer")!.Rule, Is.EqualTo(new TierRule(60, 730, null, 50, 10, true)));
    }

    [Test]
    public void Parse_AValidPolicy_ReadsEveryField()
    {
        var policy = MeritPolicyLoader.Parse(Valid, File);

        var member = policy.Tiers[1];
        Assert.That(member.Rule!.MinScore, Is.EqualTo(10));
        Assert.That(member.WalltimeMinutes, Is.EqualTo(60));
        Assert.That(member.GpuTypes, Is.EqualTo(new[] { "a100" }));
        Assert.That(policy.Lowest.GpuTypes, Is.Null);
    }

    [TestCase("margin: 5, ", "", "demotion.margin", "missing")]
    [TestCase("margin: 5,", "margin: -1,", "demotion.margin", "negative")]
    [TestCase(", graceDays: 30", "", "demotion.graceDays", "missing")]
    [TestCase("maxAgeHours: 24", "maxAgeHours: 0", "recompute.maxAgeHours", "expected hours > 0")]
    [TestCase("name: member", "name: Member", "tiers[1].name", "lowercase")]
    [TestCase("name: member", "name: merit", "tiers[1].name", "reserved")]
    [TestCase("name: member", "name: guest", "tiers[1].name", "named twice")]
    [TestCase("walltime: 1:00:00", "walltime: forever", "tiers[1].walltime", "Slurm time")]
    [TestCase("    walltime: 1:00:00\n", "", "tiers[1].walltime", "must say how long")]
    [TestCase("gpusPerJob: 1", "gpusPerJob: -1", "tiers[1].gpusPerJob", "≥ 0")]
    [TestCase("gpuTypes: [a100]", "gpuTypes: ['a 100']", "tiers[1].gpuTypes", "GRES")]
    [TestCase("rule: { minScore: 10 }", "rule: { minScore: 101 }", "tiers[1].rule.minScore", "0..100")]
    [TestCase("rule: { minScore: 10 }", "rule: { recentItemDays: 0 }", "tiers[1].rule.recentItemDays", "≥ 1")]
    [TestCase("rule: { minScore: 10 }", "rule: { signOff: false }", "tiers[1].rule", "no condition")]
    [TestCase("    rule: { minScore: 10 }\n", "", "tiers[1].rule", "needs a rule")]
    [TestCase("gpuHoursPerMonth: 0\n", "gpuHoursPerMonth: 0\n    rule: { minScore: 1 }\n", "tiers[0].rule", "takes no rule")]
    [TestCase("rule: { minScore: 10 }", "rule: { minScore: 10, maxScore: 20 }", "line 8, column", "maxScore")]
    public void Parse_ABadPolicy_NamesFileKeyAndReason(string replace, string with, string key, string reason)
    {
        var yaml = Valid.Replace(replace, with, StringComparison.Ordinal);
        Assert.That(yaml, Is.Not.EqualTo(Valid), "the test case must change the policy");

        var thrown = Assert.Throws<MeritPolicyException>(() => MeritPolicyLoader.Parse(yaml, File));

        Assert.That(thrown!.File, Is.EqualTo(File));
        Assert.That(thrown.Key, Does.StartWith(key));
        Assert.That(thrown.Message, Does.StartWith($"{File}: {key}").And.Contain(reason));
    }

    [Test]
    public void Parse_TiersGoingDown_AreRefused()
    {
        var yaml = Valid.Replace("    gpuTypes: [a100]\n", "", StringComparison.Ordinal)
            + "\n  - name: lesser\n    rule: { minScore: 5 }\n    gpuHoursPerMonth: 1\n    gpusPerJob: 1\n    walltime: 1:00:00\n";

        var thrown = Assert.Throws<MeritPolicyException>(() => MeritPolicyLoader.Parse(yaml, File));

        Assert.That(thrown!.Key, Is.EqualTo("tiers[2].rule.minScore"));
        Assert.That(thrown.Problem, Does.Contain("below member's 10"));
    }

    [Test]
    public void Parse_AnEmptyFile_SaysWhatWasExpected()
    {
        var thrown = Assert.Throws<MeritPolicyException>(() => MeritPolicyLoader.Parse("", File));

        Assert.That(thrown!.Message, Is.EqualTo("policy.yaml: (document): the file is empty; expected demotion, recompute and tiers"));
    }

    [Test]
    public void Parse_NoTiers_IsRefused()
    {
        var thrown = Assert.Throws<MeritPolicyException>(() => MeritPolicyLoader.Parse(
            "demotion: { margin: 5, graceDays: 30 }\nrecompute: { maxAgeHours: 24 }\ntiers: []\n", File));

        Assert.That(thrown!.Key, Is.EqualTo("tiers"));
    }

    [Test]
    public void LoadFile_AMissingFile_SaysSo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-policy-{Guid.NewGuid():N}.yaml");

        var thrown = Assert.Throws<MeritPolicyException>(() => MeritPolicyLoader.LoadFile(path));

        Assert.That(thrown!.Message, Is.EqualTo($"{path}: (file): the merit policy file does not exist"));
    }
}
