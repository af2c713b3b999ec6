using Commons.Contracts;

namespace Commons.Bridge.Merit;

/// <summary>Evaluates a user's merit from their linked identities and updates the tier they hold.</summary>
public interface IMeritService
{
    /// <summary>
    /// Collects, scores, stores the evaluation and applies the tier policy (margin, grace, overrides). Never throws
    /// for a rate-limited or unreachable forge: the report is then built from the last cached answers and marked stale.
    /// </summary>
    Task<MeritReport> EvaluateAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The newest stored evaluation, or null when the user was never evaluated.</summary>
    Task<MeritReport?> LatestAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The tier the user holds and why.</summary>
    Task<TierView> TierAsync(string userId, CancellationToken cancellationToken);
}
