using Commons.Bridge.Data;
using Commons.Bridge.Hosting;
using Commons.Bridge.Jobs;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Commons.Contracts;
using Quartz;

namespace Commons.Bridge.Models;

/// <summary>
/// Stops model jobs that have been idle for their keep-alive time, freeing their GPUs, as Ollama unloads an idle
/// model. A job with an open tunnel is never idle; a negative keep-alive keeps the job to its walltime.
/// </summary>
[DisallowConcurrentExecution]
public sealed class KeepAliveSweep(
    JobStore store, JobService jobs, IJobActivity activity, TimeProvider time, ILogger<KeepAliveSweep> logger) : IJob
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var job in await store.ActiveModelJobsAsync(cancellationToken))
        {
            if (job.State != JobStates.Running)
            {
                continue;
            }

            if (activity.OpenTunnels(job.Id) > 0)
            {
                // In use right now: its idle time starts when the last tunnel closes.
                await store.TouchAsync(job.Id, null, cancellationToken);
                continue;
            }

            // Traffic through a tunnel is a request: keep the stored time current, so `commons ps` shows it too.
            var lastSeen = activity.LastActive(job.Id);
            if (lastSeen is { } seen && seen.ToUnixTimeMilliseconds() > (job.LastActiveAt ?? 0))
            {
                job.LastActiveAt = seen.ToUnixTimeMilliseconds();
                await store.TouchAsync(job.Id, null, cancellationToken, job.LastActiveAt);
            }

            if (job.KeepAliveUntil is not { } until || until > now)
            {
                continue;
            }

            try
            {
                job.Reason = "idle past its keep-alive time";
                await jobs.CancelAsync(job, cancellationToken, "idle past its keep-alive time");
                Log.ModelJobIdle(logger, job.Id, job.Model!, job.Site);
            }
            catch (Exception e) when (e is SiteUnreachableException or SlurmCommandException)
            {
                // The next sweep tries again; the job keeps its GPUs a little longer, nothing else is lost.
                Log.ModelJobIdleCancelFailed(logger, job.Id, job.Site, e.Message);
            }
        }
    }
}

/// <summary>What the bridge sees of a job's use beyond the API: its tunnels.</summary>
public interface IJobActivity
{
    int OpenTunnels(string jobId);

    DateTimeOffset? LastActive(string jobId);
}
