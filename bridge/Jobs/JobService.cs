using System.Collections.Concurrent;
using System.Text.Json;
using Commons.Bridge.Data;
using Commons.Bridge.Hosting;
using Commons.Bridge.Polling;
using Commons.Bridge.Quota;
using Commons.Bridge.Rendering;
using Commons.Bridge.Sites;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Commons.Contracts;

namespace Commons.Bridge.Jobs;

/// <summary>The outcome of a submit: the job, whether this request created it, and a problem to report if any.</summary>
/// <param name="Refusal">Why the user's tier or quota refused the job; nothing was recorded then.</param>
public sealed record SubmitOutcome(
    JobRow? Job, bool Created, Dictionary<string, string[]>? Errors, string? SlurmError, SubmitRefusal? Refusal = null);

/// <summary>
/// Submits and cancels jobs. A job is written to the database as <c>submitting</c> before sbatch runs and gets its
/// Slurm id after, so a bridge that dies in between loses nothing: the poller finds the job again by its comment
/// tag or by the id file the submit step leaves in the job's folder, and submits it only if neither exists.
/// Before that, the user's tier must allow the job and the quota ledger must have room for it.
/// </summary>
public sealed class JobService(
    JobRequestValidator validator,
    JobStore store,
    QuotaLedger ledger,
    ITierLimitsSource tiers,
    SlurmClient slurm,
    SiteRegistry sites,
    SiteActivity activity,
    ILogger<JobService> logger)
{
    // Jobs whose sbatch is running in this process; the poller leaves them alone.
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();

    public bool IsInFlight(string jobId) => _inFlight.ContainsKey(jobId);

    /// <summary>
    /// Validates a job, checks it against the user's tier, records it with its GPU-hour reservation and submits it;
    /// a model job also names its catalog model and keep-alive. A request id seen before returns its job.
    /// </summary>
    public async Task<SubmitOutcome> SubmitAsync(
        string userId, SubmitJobRequest request, CancellationToken cancellationToken, string? model = null,
        long? keepAliveSeconds = null)
    {
        var (job, errors) = validator.Validate(request);
        if (job is null)
        {
            return new SubmitOutcome(null, false, errors, null);
        }

        var limits = await tiers.ForUserAsync(userId, cancellationToken);

        // A job that names no walltime gets the partition's default, cut to what the tier allows, rather than a
        // refusal for a limit the user never chose.
        if (request.Resources?.Time is null && limits.MaxWalltimeMinutes is { } longest && job.TimeMinutes > longest)
        {
            job = job with { TimeMinutes = longest };
        }

        var row = BuildRow(userId, job);
        row.Model = model;
        row.KeepAliveSeconds = keepAliveSeconds;
        var reservation = await ledger.ReserveAsync(row, job.Placement.GpuType, limits, cancellationToken);
        if (reservation.Refusal is { } refusal)
        {
            Log.JobRefused(logger, request.RequestId, userId, limits.Tier, refusal.Title);
            return new SubmitOutcome(null, false, null, null, refusal);
        }

        var stored = reservation.Job!;
        if (!reservation.Created)
        {
            return new SubmitOutcome(stored, false, null, null);
        }

        Log.JobAccepted(logger, stored.Id, userId, stored.Site, stored.Partition ?? "");
        var slurmError = await SendAsync(stored, CancellationToken.None);
        return new SubmitOutcome(await store.GetAsync(stored.Id, cancellationToken), true, null, slurmError);
    }

    /// <summary>
    /// Runs sbatch for a recorded job. Returns Slurm's refusal, if it refused; an unreachable site leaves the job
    /// <c>submitting</c> for the poller to send again once the site answers.
    /// </summary>
    public async Task<string?> SendAsync(JobRow job, CancellationToken cancellationToken)
    {
        if (!_inFlight.TryAdd(job.Id, 0))
        {
            return null;
        }

        try
        {
            string slurmJobId;
            try
            {
                slurmJobId = await slurm.SubmitAsync(job.Site, job.WorkDir, job.Script, job.SbatchOptions, cancellationToken);
            }
            catch (SiteUnreachableException e)
            {
                sites.MarkUnreachable(job.Site, e.Message);
                Log.SubmitDeferred(logger, job.Id, job.Site, e.Message);
                return null;
            }
            catch (SlurmCommandException e)
            {
                job.State = JobStates.Failed;
                job.Reason = $"sbatch refused the job: {e.Stderr.Trim()}";
                job.EndedAt = store.Now();
                await store.UpdateProgressAsync(job, CancellationToken.None);
                Log.SubmitRefused(logger, job.Id, job.Site, e.Stderr.Trim());
                return job.Reason;
            }

            sites.MarkReachable(job.Site);
            await store.MarkSubmittedAsync(job.Id, slurmJobId, CancellationToken.None);
            Log.JobSubmitted(logger, job.Id, job.Site, slurmJobId);
            activity.PollSoon(job.Site);

            // A cancel that arrived while sbatch ran could not reach Slurm; finish it now.
            var current = await store.GetAsync(job.Id, CancellationToken.None);
            if (current?.State == JobStates.Cancelled)
            {
                await slurm.CancelAsync(job.Site, slurmJobId, CancellationToken.None);
            }

            return null;
        }
        finally
        {
            _inFlight.TryRemove(job.Id, out _);
        }
    }

    /// <summary>
    /// Cancels a job: scancel when Slurm has it, and the job is recorded as cancelled at once so that no later
    /// poll or retried submit can bring it back. A finished job is returned unchanged.
    /// </summary>
    public async Task<JobRow> CancelAsync(
        JobRow job, CancellationToken cancellationToken, string reason = "cancelled by its owner")
    {
        if (JobStates.IsTerminal(job.State))
        {
            return job;
        }

        if (job.SlurmJobId is not null)
        {
            await slurm.CancelAsync(job.Site, job.SlurmJobId, cancellationToken);
        }

        job.State = JobStates.Cancelled;
        job.Reason = reason;
        job.EndedAt = store.Now();
        await store.UpdateProgressAsync(job, cancellationToken);
        Log.JobCancelled(logger, job.Id, job.Site, job.SlurmJobId ?? "(not submitted)");
        activity.PollSoon(job.Site);
        return await store.GetAsync(job.Id, cancellationToken) ?? job;
    }

    private JobRow BuildRow(string userId, ValidatedJob job)
    {
        var id = JobIds.New();
        var plan = new JobPlan(
            id, job.Placement.Site, job.Placement.Partition, job.Placement.GpuType, job.GpuCount, job.Cpus,
            job.MemoryMb, job.TimeMinutes, job.Environment, job.Parameters);
        var rendered = ScriptRenderer.Render(job.Template, plan);
        var now = store.Now();
        return new JobRow
        {
            Id = id,
            UserId = userId,
            RequestId = job.RequestId,
            Name = job.Name,
            Template = job.Template.Name,
            Site = job.Placement.Site.Name,
            Partition = job.Placement.Partition.Name,
            State = JobStates.Submitting,
            Gpus = plan.GresSpec?["gpu:".Length..],
            GpuCount = job.GpuCount,
            Cpus = job.Cpus,
            MemoryMb = job.MemoryMb,
            TimeMinutes = job.TimeMinutes,
            CommandJson = JsonSerializer.Serialize(job.Command),
            WorkDir = plan.WorkDir,
            Script = rendered.Script,
            SbatchJson = JsonSerializer.Serialize(rendered.SbatchOptions),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
