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
    MeritStore store, IMeritService merit, MeritPolicy policy, TimeProvider time, ILogger<MeritRecomputeJob> logger) : IJob
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>People evaluated per tick.</summary>
    public const int BatchSize = 5;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await RunAsync(cancellationToken);

    /// <summary>One tick: evaluates up to <see cref="BatchSize"/> people who are due; returns how many it tried.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var due = await store.DueAsync(time.GetUtcNow() - policy.RecomputeMaxAge, BatchSize, cancellationToken);
        var tried = 0;
        foreach (var user in due)
        {
            tried++;
            try
            {
                if ((await merit.EvaluateAsync(user, cancellationToken)).Stale)
                {
                    break;
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
