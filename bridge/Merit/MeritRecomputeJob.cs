using Commons.Bridge.Hosting;
using Quartz;

namespace Commons.Bridge.Merit;

/// <summary>
/// Re-evaluates, a few at a time, people whose newest evaluation is older than the policy's
/// <c>recompute.maxAgeHours</c>. A stale result means a forge cannot be asked now: the rest of the batch waits for
/// the next tick instead of running into the same limit.
/// </summary>
[DisallowConcurrentExecution]
public sealed class MeritRecomputeJob(
    MeritStore store, IMeritService merit, MeritPolicy policy, StaleEvaluations staleAttempts, TimeProvider time,
    ILogger<MeritRecomputeJob> logger) : IJob
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>People evaluated per tick.</summary>
    public const int BatchSize = 5;


    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await RunAsync(cancellationToken);

    /// <summary>One tick: evaluates up to <see cref="BatchSize"/> people who are due; returns how many it tried.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // A user whose evaluation keeps coming back stale (a renamed or deleted forge account, a forge that is down)
        // stays first in line, since nothing new is stored for them; without a back-off they would take every batch
        // and nobody after them would be recomputed. A forge that is rate-limited answers at once from the shared gate,
        // so going on with the batch costs no requests.
        var now = time.GetUtcNow();
        var backOff = policy.RecomputeMaxAge / 4;
        var candidates = await store.DueAsync(now - policy.RecomputeMaxAge, BatchSize * 4, cancellationToken);
        var due = candidates
            .Where(user => !staleAttempts.Since.TryGetValue(user, out var at) || now - at >= backOff)
            .Take(BatchSize)
            .ToList();
        var tried = 0;
        foreach (var user in due)
        {
            tried++;
            try
            {
                if ((await merit.EvaluateAsync(user, cancellationToken)).Stale)
                {
                    staleAttempts.Since[user] = now;
                }
                else
                {
                    staleAttempts.Since.TryRemove(user, out _);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown; whoever is due is still due at the next start.
                break;
            }
            catch (Exception e)
            {
                // One person's failure keeps their stored tier and must not stop the others.
                Log.MeritFailed(logger, user, e);
            }
        }

        return tried;
    }
}

/// <summary>When each user's last background evaluation came back stale; kept for the process (a restart tries them again).</summary>
public sealed class StaleEvaluations
{
    public System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> Since { get; } = new(StringComparer.Ordinal);
}
