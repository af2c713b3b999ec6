using System.Globalization;
using Commons.Contracts;

namespace Commons.Bridge.Merit;

/// <summary>
/// How a merit score becomes a tier (<c>config/merit-policy.yaml</c>): the tiers from lowest to highest, and how
/// slowly a held tier is taken away. Loaded and validated by <see cref="MeritPolicyLoader"/>.
/// </summary>
/// <param name="DemotionMargin">A held tier is kept while the score is at most this many points below its minScore.</param>
/// <param name="GraceDays">... and for at most this many days after the computed tier first fell below it.</param>
/// <param name="RecomputeMaxAge">Scores older than this are recomputed in the background.</param>
/// <param name="Tiers">Lowest first; the lowest has no rule and holds for everyone.</param>
public sealed record MeritPolicy(double DemotionMargin, int GraceDays, TimeSpan RecomputeMaxAge, IReadOnlyList<TierPolicy> Tiers)
{
    /// <summary>The tier everyone holds at least (guest).</summary>
    public TierPolicy Lowest => Tiers[0];

    public TierPolicy? Find(string name) => Tiers.FirstOrDefault(t => t.Name == name);

    /// <summary>The highest tier whose rule holds for these facts.</summary>
    public TierPolicy Computed(TierFacts facts, DateTimeOffset now) =>
        Tiers.LastOrDefault(t => t.Rule is null || t.Rule.Holds(facts, now)) ?? Lowest;

    /// <summary>
    /// The tier a person holds after this evaluation. A higher computed tier is taken at once. A lower one takes
    /// the held tier away only when the score is more than <see cref="DemotionMargin"/> below the held tier's
    /// minScore, or when <see cref="GraceDays"/> have passed since the computed tier first fell below it (the
    /// returned <see cref="TierDecision.BelowSince"/> remembers when; it is cleared once the computed tier is back).
    /// A held tier the policy no longer names is replaced by the computed one at once.
    /// </summary>
    public TierDecision Decide(string heldTier, DateTimeOffset? belowSince, TierFacts facts, DateTimeOffset now)
    {
        var computed = Computed(facts, now);
        var heldRank = Rank(heldTier);
        var computedRank = Rank(computed.Name);
        if (computedRank > heldRank)
        {
            var why = heldRank < 0
                ? $"The tier '{heldTier}' is no longer in the policy; {Meets(computed, facts)}."
                : $"Promoted: {Meets(computed, facts)}.";
            return new TierDecision(computed.Name, computed.Name, null, heldRank < 0 ? "reset" : "promote", why);
        }

        if (computedRank == heldRank)
        {
            return new TierDecision(computed.Name, computed.Name, null, null, Explain(computed, facts, now));
        }

        var held = Tiers[heldRank];
        var since = belowSince ?? now;
        var unmet = string.Join(", ", held.Rule!.Unmet(facts, now));
        if (held.Rule.MinScore is { } minScore && facts.Score < minScore - DemotionMargin)
        {
            return new TierDecision(
                computed.Name, computed.Name, null, "demote",
                $"Demoted from {held.Name}: merit {Points(facts.Score)} is more than {Points(DemotionMargin)} points "
                    + $"below its {Points(minScore)}.");
        }

        var graceEnds = since.AddDays(GraceDays);
        if (now >= graceEnds)
        {
            return new TierDecision(
                computed.Name, computed.Name, null, "demote",
                $"Demoted from {held.Name}: its rule has not held for {GraceDays} days ({unmet}).");
        }

        var daysLeft = (int)Math.Ceiling((graceEnds - now).TotalDays);
        return new TierDecision(
            held.Name, computed.Name, since, null,
            $"Kept in {held.Name} for {daysLeft} more days of grace, or until merit falls more than "
                + $"{Points(DemotionMargin)} points below its threshold: {unmet}.");
    }

    /// <summary>One sentence on why the computed tier is what it is.</summary>
    public string Explain(TierPolicy tier, TierFacts facts, DateTimeOffset now)
    {
        var next = Rank(tier.Name) + 1 < Tiers.Count ? Tiers[Rank(tier.Name) + 1] : null;
        if (tier.Rule is null)
        {
            return next?.Rule is null
                ? $"Merit {Points(facts.Score)}; {tier.Name} is the only tier."
                : $"Merit {Points(facts.Score)}; {next.Name} needs {string.Join(", ", next.Rule.Unmet(facts, now))}.";
        }

        return next?.Rule is null
            ? Capitalized(Meets(tier, facts)) + "."
            : $"{Capitalized(Meets(tier, facts))}; {next.Name} needs {string.Join(", ", next.Rule.Unmet(facts, now))}.";
    }

    private int Rank(string name)
    {
        for (var i = 0; i < Tiers.Count; i++)
        {
            if (Tiers[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Meets(TierPolicy tier, TierFacts facts) =>
        $"merit {Points(facts.Score)} meets {tier.Name}'s rule ({tier.Rule?.Describe() ?? "none"})";

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    internal static string Points(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>One tier: its rule and what it allows (see the comments of <c>config/merit-policy.yaml</c>).</summary>
/// <param name="Rule">Null for the lowest tier, which everybody holds.</param>
/// <param name="WalltimeMinutes">Longest walltime; null when the tier may not run jobs.</param>
/// <param name="GpuTypes">GPU types the tier may use; null for any.</param>
public sealed record TierPolicy(
    string Name, TierRule? Rule, double GpuHoursPerMonth, int GpusPerJob, int? WalltimeMinutes, IReadOnlyList<string>? GpuTypes)
{
    /// <summary>The tier as the API shows it, with who decided it and why.</summary>
    public TierView View(string source, string why) =>
        new(Name, source, why, GpuHoursPerMonth, GpusPerJob, WalltimeMinutes, GpuTypes);
}

/// <summary>The conditions of a tier; a condition left null does not apply. All must hold.</summary>
/// <param name="MinAccountDays">Age of the oldest linked forge account.</param>
/// <param name="RecentItemDays">A qualifying item within this many days.</param>
/// <param name="MinStewardship">S4 at least this ...</param>
/// <param name="MinStewardAuthors">... from at least this many distinct human authors.</param>
/// <param name="SignOff">An operator's <c>users signoff</c> is needed.</param>
public sealed record TierRule(
    double? MinScore, int? MinAccountDays, int? RecentItemDays, double? MinStewardship, int? MinStewardAuthors, bool SignOff)
{
    public bool Holds(TierFacts facts, DateTimeOffset now) => Unmet(facts, now).Count == 0;

    /// <summary>The conditions that do not hold, each as a short phrase (empty when the rule holds).</summary>
    public IReadOnlyList<string> Unmet(TierFacts facts, DateTimeOffset now)
    {
        var unmet = new List<string>();
        if (MinScore is { } minScore && facts.Score < minScore)
        {
            unmet.Add($"merit ≥ {MeritPolicy.Points(minScore)} (it is {MeritPolicy.Points(facts.Score)})");
        }

        if (MinAccountDays is { } days && !(facts.AccountCreatedAt is { } created && now - created >= TimeSpan.FromDays(days)))
        {
            unmet.Add(facts.AccountCreatedAt is { } c
                ? $"an account ≥ {days} days old (it is {(int)(now - c).TotalDays})"
                : $"an account ≥ {days} days old (no forge account is linked)");
        }

        if (RecentItemDays is { } recent && !(facts.LastItemAt is { } last && now - last <= TimeSpan.FromDays(recent)))
        {
            unmet.Add(facts.LastItemAt is { } l
                ? $"a qualifying item within {recent} days (the last was {(int)(now - l).TotalDays} days ago)"
                : $"a qualifying item within {recent} days (there is none)");
        }

        if (MinStewardship is { } stewardship && facts.Stewardship < stewardship)
        {
            unmet.Add($"stewardship S4 ≥ {MeritPolicy.Points(stewardship)} (it is {MeritPolicy.Points(facts.Stewardship)})");
        }

        if (MinStewardAuthors is { } authors && facts.StewardAuthors < authors)
        {
            unmet.Add($"merges for ≥ {authors} distinct authors (it is {facts.StewardAuthors})");
        }

        if (SignOff && !facts.SignedOff)
        {
            unmet.Add("an operator's sign-off");
        }

        return unmet;
    }

    /// <summary>The rule in words: <c>merit ≥ 30, an account ≥ 90 days old, a qualifying item within 90 days</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (MinScore is { } minScore)
        {
            parts.Add($"merit ≥ {MeritPolicy.Points(minScore)}");
        }

        if (MinAccountDays is { } days)
        {
            parts.Add($"an account ≥ {days} days old");
        }

        if (RecentItemDays is { } recent)
        {
            parts.Add($"a qualifying item within {recent} days");
        }

        if (MinStewardship is { } stewardship)
        {
            parts.Add($"stewardship S4 ≥ {MeritPolicy.Points(stewardship)}");
        }

        if (MinStewardAuthors is { } authors)
        {
            parts.Add($"merges for ≥ {authors} distinct authors");
        }

        if (SignOff)
        {
            parts.Add("an operator's sign-off");
        }

        return parts.Count == 0 ? "no conditions" : string.Join(", ", parts);
    }
}

/// <summary>What the tier rules read about a person.</summary>
/// <param name="Score">The report's (rounded) score.</param>
/// <param name="AccountCreatedAt">The oldest linked forge account; null when none is linked.</param>
/// <param name="LastItemAt">The newest qualifying item.</param>
/// <param name="Stewardship">S4.</param>
/// <param name="StewardAuthors">Distinct human authors of the counted merges.</param>
/// <param name="SignedOff">An operator signed the person off as a maintainer.</param>
public sealed record TierFacts(
    double Score, DateTimeOffset? AccountCreatedAt, DateTimeOffset? LastItemAt, double Stewardship, int StewardAuthors,
    bool SignedOff)
{
    /// <summary>Reads the facts back from a stored report, so a decision can be redone without asking a forge.</summary>
    public static TierFacts From(MeritReport report, DateTimeOffset? accountCreatedAt, bool signedOff) =>
        new(
            report.Score,
            accountCreatedAt,
            report.LastItemAt,
            report.Signals.FirstOrDefault(s => s.Id == "S4")?.Value ?? 0,
            report.Counted
                .Select(i => MeritEngine.StewardAuthor(i) is { } author ? $"{i.Provider}:{author.ToUpperInvariant()}" : null)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .Count(),
            signedOff);
}

/// <summary>The outcome of <see cref="MeritPolicy.Decide"/>.</summary>
/// <param name="Held">The tier the person holds now.</param>
/// <param name="Computed">The highest tier whose rule holds.</param>
/// <param name="BelowSince">When the computed tier first fell below the held one; null when it has not.</param>
/// <param name="Change">
/// <c>promote</c> or <c>demote</c> when the held tier changed, <c>reset</c> when the policy no longer has it; null
/// otherwise.
/// </param>
/// <param name="Why">One sentence naming the rule that decided.</param>
public sealed record TierDecision(string Held, string Computed, DateTimeOffset? BelowSince, string? Change, string Why);
