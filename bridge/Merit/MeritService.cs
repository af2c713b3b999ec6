using System.Text.Json;
using Commons.Bridge.Hosting;
using Commons.Bridge.Merit.Collectors;
using Commons.Bridge.Merit.Http;
using Commons.Contracts;

namespace Commons.Bridge.Merit;

/// <summary>
/// Evaluates a person: collects from each linked forge, scores with <see cref="MeritEngine"/>, and stores the report
/// and the tier decision in one transaction.
/// </summary>
/// <remarks>
/// When a forge cannot be asked for something it has no cached answer for (rate-limited beyond the wait bound,
/// unreachable, failing), nothing is stored and the tier is left alone: the last stored report is returned, marked
/// stale with the reason (or an empty stale report when there is none). When cached answers could stand in, the
/// evaluation is stored as usual and marked stale.
/// </remarks>
public sealed class MeritService(
    MeritStore store, ForgeCollectors collectors, MeritTiers tiers, TimeProvider time, ILogger<MeritService> logger)
    : IMeritService
{
    /// <exception cref="ArgumentException">No user has this id.</exception>
    public async Task<MeritReport> EvaluateAsync(string userId, CancellationToken cancellationToken)
    {
        if (await store.UserAsync(userId, cancellationToken) is null)
        {
            throw new ArgumentException($"no user '{userId}'", nameof(userId));
        }

        var identities = await store.IdentitiesAsync(userId, cancellationToken);
        var stale = new StaleAnswers();
        var facts = new List<ForgeFacts>();
        try
        {
            foreach (var identity in identities)
            {
                if (await collectors.CollectAsync(identity, stale, cancellationToken) is { } found)
                {
                    facts.Add(found);
                }
                else
                {
                    Log.ForgeNotConfigured(logger, userId, identity.Provider);
                }
            }
        }
        catch (Exception e) when (IsForgeFailure(e, cancellationToken))
        {
            var reason = e is ForgeUnavailableException forge ? $"{forge.Forge}: {forge.Reason}" : e.Message;
            Log.MeritStale(logger, userId, reason);
            var last = await store.LatestAsync(userId, cancellationToken);
            var report = last?.Report ?? MeritEngine.Evaluate([], time.GetUtcNow());
            return report with
            {
                Stale = true,
                StaleReason = last is null
                    ? $"Not evaluated yet: {reason}"
                    : $"{reason}; this is the evaluation of {last.Report.EvaluatedAt:yyyy-MM-dd HH:mm} UTC",
            };
        }

        var evaluated = MeritEngine.Evaluate(facts, time.GetUtcNow(), stale.Summary);
        var recorded = await store.RecordAsync(
            userId, evaluated, user => tiers.Decide(user, evaluated, identities), cancellationToken);
        if (recorded is { } r)
        {
            Log.MeritEvaluated(logger, userId, evaluated.Score, r.Decision.Computed, r.Decision.Held);
            if (r.Decision.Held != r.Before.Tier)
            {
                Log.TierChanged(logger, userId, r.Before.Tier, r.Decision.Held, r.Decision.Change ?? "reset", r.Decision.Why);
            }
        }

        if (evaluated.Stale)
        {
            Log.MeritStale(logger, userId, evaluated.StaleReason!);
        }

        return evaluated;
    }

    public async Task<MeritReport?> LatestAsync(string userId, CancellationToken cancellationToken) =>
        (await store.LatestAsync(userId, cancellationToken))?.Report;

    public Task<TierView> TierAsync(string userId, CancellationToken cancellationToken) =>
        tiers.TierAsync(userId, cancellationToken);

    // What a forge can do to an evaluation: refuse (rate limit), fail (5xx, bad token), vanish (network), time out
    // (a cancellation nobody asked for), or answer nonsense. Octokit raises its own ApiException for the HTTP ones.
    private static bool IsForgeFailure(Exception e, CancellationToken cancellationToken) =>
        e is ForgeUnavailableException or Octokit.ApiException or HttpRequestException or JsonException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
