using Commons.Bridge.Data;
using Commons.Bridge.Hosting;
using Commons.Bridge.Jobs;
using Commons.Bridge.Sites;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Commons.Contracts;

namespace Commons.Bridge.Polling;

/// <summary>
/// Brings one site's jobs up to date: one squeue for all of them; then, for jobs that left the queue or ended in
/// it, one lookup through sacct or scontrol; then the exit-code files of jobs Slurm no longer remembers. A job that
/// none of these knows is not assumed done: it is only given up after <see cref="MissesBeforeLost"/> polls in a row.
/// </summary>
public sealed class SitePoller(
    JobStore store,
    SlurmClient slurm,
    JobService jobs,
    SiteRegistry sites,
    TimeProvider time,
    ILogger<SitePoller> logger)
{
    public const int MissesBeforeLost = 3;

    // A job this young without a Slurm id may still be inside its submit request.
    private static readonly TimeSpan SubmitGrace = TimeSpan.FromSeconds(15);

    /// <summary>Polls a site for its unfinished jobs, as the caller just read them from the store.</summary>
    public async Task PollAsync(string site, IReadOnlyList<JobRow> active, CancellationToken cancellationToken)
    {
        if (active.Count == 0)
        {
            return;
        }

        IReadOnlyList<QueueEntry> queue;
        try
        {
            queue = await slurm.QueueAsync(site, cancellationToken);
        }
        catch (Exception e) when (e is SiteUnreachableException or SlurmCommandException)
        {
            sites.MarkUnreachable(site, e.Message);
            Log.PollFailed(logger, site, e.Message);
            return;
        }

        sites.MarkReachable(site);
        var bySlurmId = queue.ToDictionary(q => q.SlurmJobId, StringComparer.Ordinal);
        var byComment = queue
            .Where(q => q.Comment.StartsWith("commons:", StringComparison.Ordinal))
            .GroupBy(q => q.Comment["commons:".Length..])
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var toLookUp = new List<JobRow>();
        foreach (var job in active)
        {
            if (job.SlurmJobId is null && !await AdoptAsync(job, byComment, cancellationToken))
            {
                continue;
            }

            if (bySlurmId.TryGetValue(job.SlurmJobId!, out var entry)
                && SlurmStates.Map(entry.State, entry.Reason) is { } state
                && !JobStates.IsTerminal(state))
            {
                var estimate = state == JobStates.Queued
                    ? SlurmClient.ParseTime(entry.StartTime)?.ToUnixTimeMilliseconds()
                    : null;
                await ApplyAsync(job, state, ReasonOf(entry.Reason), NodeOf(entry.Nodes), cancellationToken, estimate);
            }
            else
            {
                toLookUp.Add(job);
            }
        }

        if (toLookUp.Count > 0)
        {
            await SettleAsync(site, toLookUp, cancellationToken);
        }

        await CancelStrayAsync(site, queue, active, cancellationToken);
    }

    /// <summary>
    /// Finds the Slurm job of a job recorded without one: by its comment tag, or by the id file its submit step
    /// wrote. If sbatch never ran for it, submits it now. Returns whether the job now has a Slurm id.
    /// </summary>
    private async Task<bool> AdoptAsync(
        JobRow job, Dictionary<string, QueueEntry> byComment, CancellationToken cancellationToken)
    {
        if (jobs.IsInFlight(job.Id)
            || time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(job.CreatedAt) < SubmitGrace)
        {
            return false;
        }

        var slurmJobId = byComment.TryGetValue(job.Id, out var tagged)
            ? tagged.SlurmJobId
            : await slurm.ReadSubmittedIdAsync(job.Site, job.WorkDir, cancellationToken);
        if (slurmJobId is null)
        {
            Log.Resubmitting(logger, job.Id, job.Site);
            await jobs.SendAsync(job, cancellationToken);
            return false;
        }

        await store.MarkSubmittedAsync(job.Id, slurmJobId, cancellationToken);
        Log.JobAdopted(logger, job.Id, job.Site, slurmJobId);
        job.SlurmJobId = slurmJobId;
        if (job.State == JobStates.Submitting)
        {
            job.State = JobStates.Queued;
        }

        return true;
    }

    private async Task SettleAsync(string site, List<JobRow> jobsToSettle, CancellationToken cancellationToken)
    {
        var records = await slurm.LookupAsync(site, jobsToSettle.Select(j => j.SlurmJobId!).ToList(), cancellationToken);
        var unknown = new List<JobRow>();
        foreach (var job in jobsToSettle)
        {
            if (records.TryGetValue(job.SlurmJobId!, out var record) && SlurmStates.Map(record.State, record.Reason) is { } state)
            {
                job.ExitCode = record.ExitCode;
                job.Signal = record.Signal;
                if (JobStates.IsTerminal(state))
                {
                    UseSlurmTimes(job, record.StartedAt, record.EndedAt);
                }

                await ApplyAsync(job, state, ReasonOf(record.Reason), record.Nodes, cancellationToken);
            }
            else
            {
                unknown.Add(job);
            }
        }

        if (unknown.Count == 0)
        {
            return;
        }

        var codes = await slurm.ReadExitCodesAsync(site, unknown.Select(j => j.WorkDir).ToList(), cancellationToken);
        foreach (var job in unknown)
        {
            if (codes.TryGetValue(job.WorkDir, out var code))
            {
                job.ExitCode = code;
                var state = code == 0 ? JobStates.Succeeded : JobStates.Failed;
                await ApplyAsync(job, state, "exit code read from the job's folder", job.Node, cancellationToken);
                continue;
            }

            job.LookupMisses++;
            if (job.LookupMisses >= MissesBeforeLost)
            {
                Log.JobVanished(logger, job.Id, site, job.SlurmJobId!);
                await ApplyAsync(
                    job, JobStates.Failed, "the job left Slurm without a record or an exit code", job.Node, cancellationToken);
            }
            else
            {
                await store.UpdateProgressAsync(job, cancellationToken);
            }
        }
    }

    /// <summary>Cancels Slurm jobs tagged for commons jobs that were cancelled before their submit was seen.</summary>
    private async Task CancelStrayAsync(
        string site, IReadOnlyList<QueueEntry> queue, IReadOnlyList<JobRow> active, CancellationToken cancellationToken)
    {
        var known = active.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in queue)
        {
            if (!entry.Comment.StartsWith("commons:", StringComparison.Ordinal)
                || SlurmStates.Map(entry.State, entry.Reason) is not { } state || JobStates.IsTerminal(state))
            {
                continue;
            }

            var id = entry.Comment["commons:".Length..];
            if (known.Contains(id))
            {
                continue;
            }

            var job = await store.GetAsync(id, cancellationToken);
            if (job is { State: JobStates.Cancelled } && (job.SlurmJobId is null || job.SlurmJobId == entry.SlurmJobId))
            {
                await slurm.CancelAsync(site, entry.SlurmJobId, cancellationToken);
            }
        }
    }

    private async Task ApplyAsync(
        JobRow job, string state, string? reason, string? node, CancellationToken cancellationToken, long? estimatedStart = null)
    {
        var now = store.Now();
        var changed = job.State != state || job.Reason != reason || job.Node != node || job.EstimatedStart != estimatedStart;
        job.EstimatedStart = estimatedStart;
        job.LookupMisses = 0;
        if (state is JobStates.Running or JobStates.Completing || JobStates.IsTerminal(state))
        {
            job.StartedAt ??= state == JobStates.Running || job.State == JobStates.Running ? now : null;
        }

        if (JobStates.IsTerminal(state))
        {
            job.EndedAt ??= now;
        }

        var previous = job.State;
        job.State = state;
        job.Reason = reason;
        job.Node = node ?? job.Node;
        if (changed || JobStates.IsTerminal(state))
        {
            await store.UpdateProgressAsync(job, cancellationToken);
            if (previous != state)
            {
                Log.JobStateChanged(logger, job.Id, job.Site, previous, state);
            }
        }
    }

    /// <summary>
    /// Takes a finished job's start and end from Slurm's own record (sacct, or scontrol while it remembers the job)
    /// in place of the polls that noticed them, so the job is charged its real elapsed time: a poll sees a start
    /// up to one interval late, and a short job may start and end between two polls without being seen running at
    /// all. Both times come from the record or neither does, so a controller in another time zone (Slurm prints
    /// local times) can shift them but not their difference. A record whose start equals its end describes a job
    /// cancelled before it ran: it keeps no start unless the bridge saw it running.
    /// </summary>
    /// <remarks>
    /// Without a usable record (no accounting and the controller has forgotten the job, so the exit code came from
    /// the job's folder) the times stay those the polls saw: a start seen late and an end seen now.
    /// </remarks>
    private static void UseSlurmTimes(JobRow job, DateTimeOffset? started, DateTimeOffset? ended)
    {
        if (started is not { } start || ended is not { } end || end < start)
        {
            return;
        }

        job.StartedAt = end == start && job.StartedAt is null ? null : start.ToUnixTimeMilliseconds();
        job.EndedAt = end.ToUnixTimeMilliseconds();
    }

    private static string? ReasonOf(string? slurmReason) =>
        string.IsNullOrEmpty(slurmReason) || slurmReason is "None" or "(null)" ? null : slurmReason;

    private static string? NodeOf(string nodes) =>
        string.IsNullOrEmpty(nodes) || nodes.StartsWith('(') ? null : nodes;
}
