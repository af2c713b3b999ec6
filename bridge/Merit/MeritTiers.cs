using Commons.Bridge.Quota;
using Commons.Contracts;

namespace Commons.Bridge.Merit;

/// <summary>
/// The tier a person holds, from the stored state alone (no forge is asked): an operator's override wins; otherwise
/// the policy is applied again to the newest stored evaluation as of now, so that a grace period that ran out since
/// the last evaluation takes effect when the tier is next read. Implements the quota ledger's
/// <see cref="ITierLimitsSource"/>.
/// </summary>
public sealed class MeritTiers(MeritStore store, MeritPolicy policy, TimeProvider time) : ITierLimitsSource
{
    public async Task<TierView> TierAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await store.UserAsync(userId, cancellationToken);
        if (user is null)
        {
            return policy.Lowest.View("merit", $"No such user; everyone starts as {policy.Lowest.Name}.");
        }

        if (user.OverrideTier is { } overridden)
        {
            var decided = (await store.HistoryAsync(userId, cancellationToken)).LastOrDefault(c => c.Action is "grant" or "revoke");
            var said = decided is null ? "" : $" by {decided.Actor} on {decided.At:yyyy-MM-dd}: {decided.Reason}";
            return policy.Find(overridden) is { } tier
                ? tier.View("operator", $"Set by an operator's {decided?.Action ?? "grant"}{said}")
                : policy.Lowest.View(
                    "operator", $"An operator set '{overridden}', which the policy no longer has, so {policy.Lowest.Name} applies{said}");
        }

        var decision = await ReapplyAsync(userId, cancellationToken);
        var held = policy.Find(decision?.Held ?? user.Tier) ?? policy.Lowest;
        return held.View("merit", decision?.Why ?? $"Not evaluated yet; everyone starts as {policy.Lowest.Name}.");
    }

    /// <summary>
    /// Applies the policy to the newest stored evaluation as of now and records any change of the held tier (after a
    /// sign-off, or when a grace period ran out). Null when the user does not exist or was never evaluated.
    /// </summary>
    public async Task<TierDecision?> ReapplyAsync(string userId, CancellationToken cancellationToken)
    {
        if (await store.LatestAsync(userId, cancellationToken) is not { } latest)
        {
            return null;
        }

        var identities = await store.IdentitiesAsync(userId, cancellationToken);
        var recorded = await store.RecordAsync(userId, null, user => Decide(user, latest.Report, identities), cancellationToken);
        return recorded?.Decision;
    }

    /// <summary>The policy's decision for a user's row and a report, as of now.</summary>
    public TierDecision Decide(UserTier user, MeritReport report, IReadOnlyList<Collectors.ForgeIdentity> identities)
    {
        var accountCreatedAt = identities.Count == 0 ? (DateTimeOffset?)null : identities.Min(i => i.AccountCreatedAt);
        var facts = TierFacts.From(report, accountCreatedAt, user.SignedOffAt is not null);
        return policy.Decide(user.Tier, user.BelowSince, facts, time.GetUtcNow());
    }

    public async Task<TierLimits> ForUserAsync(string userId, CancellationToken cancellationToken) =>
        LimitsOf(await TierAsync(userId, cancellationToken));

    /// <summary>What a held tier allows at submit time.</summary>
    public static TierLimits LimitsOf(TierView view) =>
        new(view.Name, view.GpuHoursPerMonth, view.MaxGpusPerJob, view.MaxWalltimeMinutes, view.GpuTypes);
}
