using System.Text.RegularExpressions;
using Commons.Bridge.Slurm;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Commons.Bridge.Merit;

/// <summary>
/// Reads <c>config/merit-policy.yaml</c>. Every problem is a <see cref="MeritPolicyException"/> naming the file, the
/// key and what was expected, so a bridge with a bad policy refuses to start instead of handing out wrong quotas.
/// </summary>
public static partial class MeritPolicyLoader
{
    /// <summary>The word <c>users grant --tier</c> takes to hand a person back to their merit; no tier may be named so.</summary>
    public const string MeritWord = "merit";

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static MeritPolicy LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new MeritPolicyException(path, "(file)", "the merit policy file does not exist");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static MeritPolicy Parse(string yaml, string file)
    {
        RawPolicy? raw;
        try
        {
            raw = Yaml.Deserialize<RawPolicy?>(yaml);
        }
        catch (YamlException e)
        {
            throw new MeritPolicyException(
                file, $"line {e.Start.Line}, column {e.Start.Column}", e.InnerException?.Message ?? e.Message);
        }

        if (raw is null)
        {
            throw new MeritPolicyException(file, "(document)", "the file is empty; expected demotion, recompute and tiers");
        }

        var margin = raw.Demotion?.Margin
            ?? throw new MeritPolicyException(file, "demotion.margin", "missing; expected a number of points (5)");
        if (margin < 0 || !double.IsFinite(margin))
        {
            throw new MeritPolicyException(file, "demotion.margin", $"{margin} is negative; expected points ≥ 0");
        }

        var grace = raw.Demotion?.GraceDays
            ?? throw new MeritPolicyException(file, "demotion.graceDays", "missing; expected a number of days (30)");
        if (grace < 0)
        {
            throw new MeritPolicyException(file, "demotion.graceDays", $"{grace} is negative; expected days ≥ 0");
        }

        var maxAge = raw.Recompute?.MaxAgeHours
            ?? throw new MeritPolicyException(file, "recompute.maxAgeHours", "missing; expected a number of hours (24)");
        if (maxAge <= 0 || !double.IsFinite(maxAge))
        {
            throw new MeritPolicyException(file, "recompute.maxAgeHours", $"{maxAge}; expected hours > 0");
        }

        if (raw.Tiers is not { Count: > 0 })
        {
            throw new MeritPolicyException(file, "tiers", "missing; expected the tiers from lowest to highest");
        }

        var tiers = new List<TierPolicy>();
        for (var i = 0; i < raw.Tiers.Count; i++)
        {
            var tier = ValidateTier(raw.Tiers[i], file, $"tiers[{i}]", i == 0);
            if (tiers.Any(t => t.Name == tier.Name))
            {
                throw new MeritPolicyException(file, $"tiers[{i}].name", $"'{tier.Name}' is named twice");
            }

            var below = tiers.LastOrDefault(t => t.Rule?.MinScore is not null);
            if (tier.Rule?.MinScore < below?.Rule?.MinScore)
            {
                throw new MeritPolicyException(
                    file, $"tiers[{i}].rule.minScore",
                    $"{tier.Rule!.MinScore} is below {below!.Name}'s {below.Rule!.MinScore}; tiers go from lowest to highest");
            }

            tiers.Add(tier);
        }

        return new MeritPolicy(margin, grace, TimeSpan.FromHours(maxAge), tiers);
    }

    private static TierPolicy ValidateTier(RawTier? raw, string file, string key, bool lowest)
    {
        if (raw is null)
        {
            throw new MeritPolicyException(file, key, "empty; expected name, rule and limits");
        }

        var name = raw.Name;
        if (string.IsNullOrWhiteSpace(name) || !TierName().IsMatch(name))
        {
            throw new MeritPolicyException(file, $"{key}.name", "expected lowercase letters, digits and dashes, starting with a letter");
        }

        if (name == MeritWord)
        {
            throw new MeritPolicyException(
                file, $"{key}.name", $"'{MeritWord}' is reserved: `users grant --tier merit` means 'follow merit'");
        }

        if (lowest && raw.Rule is not null)
        {
            throw new MeritPolicyException(file, $"{key}.rule", "the lowest tier applies to everyone and takes no rule");
        }

        if (!lowest && raw.Rule is null)
        {
            throw new MeritPolicyException(file, $"{key}.rule", "missing; every tier above the lowest needs a rule");
        }

        var gpuHours = raw.GpuHoursPerMonth
            ?? throw new MeritPolicyException(file, $"{key}.gpuHoursPerMonth", "missing; expected GPU-hours ≥ 0");
        if (gpuHours < 0 || !double.IsFinite(gpuHours))
        {
            throw new MeritPolicyException(file, $"{key}.gpuHoursPerMonth", $"{gpuHours}; expected GPU-hours ≥ 0");
        }

        var gpus = raw.GpusPerJob ?? throw new MeritPolicyException(file, $"{key}.gpusPerJob", "missing; expected a count ≥ 0");
        if (gpus < 0)
        {
            throw new MeritPolicyException(file, $"{key}.gpusPerJob", $"{gpus}; expected a count ≥ 0");
        }

        int? walltime = null;
        if (raw.Walltime is not null)
        {
            walltime = SlurmTime.ParseMinutes(raw.Walltime)
                ?? throw new MeritPolicyException(
                    file, $"{key}.walltime", $"'{raw.Walltime}'; expected a Slurm time such as 4:00:00 or 1-00:00:00");
        }
        else if (gpus > 0 || gpuHours > 0)
        {
            throw new MeritPolicyException(file, $"{key}.walltime", "missing; a tier that may use GPUs must say how long a job may run");
        }

        foreach (var type in raw.GpuTypes ?? [])
        {
            if (type is null || !GresType().IsMatch(type))
            {
                throw new MeritPolicyException(file, $"{key}.gpuTypes", $"'{type}' is not a GRES type name");
            }
        }

        var rule = raw.Rule is null ? null : ValidateRule(raw.Rule, file, $"{key}.rule");
        return new TierPolicy(name, rule, gpuHours, gpus, walltime, raw.GpuTypes is { Count: > 0 } types ? types : null);
    }

    private static TierRule ValidateRule(RawRule raw, string file, string key)
    {
        if (raw.MinScore is { } score && (score < 0 || score > 100 || !double.IsFinite(score)))
        {
            throw new MeritPolicyException(file, $"{key}.minScore", $"{score} is outside 0..100");
        }

        if (raw.MinAccountDays < 0)
        {
            throw new MeritPolicyException(file, $"{key}.minAccountDays", $"{raw.MinAccountDays}; expected days ≥ 0");
        }

        if (raw.RecentItemDays < 1)
        {
            throw new MeritPolicyException(file, $"{key}.recentItemDays", $"{raw.RecentItemDays}; expected days ≥ 1");
        }

        if (raw.MinStewardship is { } stewardship && (stewardship < 0 || !double.IsFinite(stewardship)))
        {
            throw new MeritPolicyException(file, $"{key}.minStewardship", $"{stewardship}; expected a value ≥ 0");
        }

        if (raw.MinStewardAuthors < 0)
        {
            throw new MeritPolicyException(file, $"{key}.minStewardAuthors", $"{raw.MinStewardAuthors}; expected a count ≥ 0");
        }

        var rule = new TierRule(
            raw.MinScore, raw.MinAccountDays, raw.RecentItemDays, raw.MinStewardship, raw.MinStewardAuthors, raw.SignOff ?? false);
        if (rule == new TierRule(null, null, null, null, null, false))
        {
            throw new MeritPolicyException(file, key, "no condition; expected at least one of minScore, minAccountDays, "
                + "recentItemDays, minStewardship, minStewardAuthors, signOff");
        }

        return rule;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex TierName();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,32}$")]
    private static partial Regex GresType();

    // The YAML shape, kept apart from MeritPolicy so that validation, not the deserializer, decides what is required.
    private sealed class RawPolicy
    {
        public RawDemotion? Demotion { get; set; }
        public RawRecompute? Recompute { get; set; }
        public List<RawTier?>? Tiers { get; set; }
    }

    private sealed class RawDemotion
    {
        public double? Margin { get; set; }
        public int? GraceDays { get; set; }
    }

    private sealed class RawRecompute
    {
        public double? MaxAgeHours { get; set; }
    }

    private sealed class RawTier
    {
        public string? Name { get; set; }
        public RawRule? Rule { get; set; }
        public double? GpuHoursPerMonth { get; set; }
        public int? GpusPerJob { get; set; }
        public string? Walltime { get; set; }
        public List<string>? GpuTypes { get; set; }
    }

    private sealed class RawRule
    {
        public double? MinScore { get; set; }
        public int? MinAccountDays { get; set; }
        public int? RecentItemDays { get; set; }
        public double? MinStewardship { get; set; }
        public int? MinStewardAuthors { get; set; }
        public bool? SignOff { get; set; }
    }
}
