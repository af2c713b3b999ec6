using System.Globalization;
using Commons.Bridge.Data;
using Commons.Contracts;

namespace Commons.Bridge.Quota;

/// <summary>A submit as the ledger answered it: the job (new, or the one its request id made), or why not.</summary>
/// <param name="Job">The stored job; null when refused.</param>
/// <param name="Created">True when this call recorded the job and reserved its GPU-hours.</param>
public sealed record Reservation(JobRow? Job, bool Created, SubmitRefusal? Refusal);

/// <summary>
/// The GPU-hour ledger. Each period is a calendar month (UTC). A job reserves GPUs × walltime when it is recorded
/// and is charged GPUs × elapsed when it ends; until then its reservation counts against the period, after that
/// only its charge does, which releases the rest. The ledger lives on the jobs table itself (the job's
/// <c>quota_period</c>, <c>reserved_gpu_seconds</c> and <c>charged_gpu_seconds</c>), so a job and its reservation
/// are written by one statement and cannot drift apart. A job counts in the period it was submitted in, even when
/// it runs on into the next.
/// </summary>
public sealed class QuotaLedger(Database database, JobStore store, TimeProvider time)
{
    /// <summary>
    /// Records a job and its reservation, if the user's tier allows the job and the period has room for it. A job
    /// the same user already made with the same request id is returned as it is, and nothing more is reserved.
    /// </summary>
    /// <remarks>
    /// The check and the insert run in one transaction that holds SQLite's write lock from its first statement
    /// (<see cref="Database.BeginWrite"/>), so concurrent submits of one user are taken one after another and each
    /// sees the reservations of those before it: together they can never reserve more than the period allows. On
    /// PostgreSQL the same would need each submit to lock the user's row (<c>SELECT … FROM users WHERE id = @user
    /// FOR UPDATE</c>) before it sums, which serialises one user's submits and leaves other users' alone.
    /// </remarks>
    /// <param name="job">The job to record, with <see cref="JobRow.GpuCount"/> and <see cref="JobRow.TimeMinutes"/>
    /// set; its period and reservation are filled in here.</param>
    /// <param name="gpuType">The GPU type the job asks for, for the tier's list of types; null for any type.</param>
    public async Task<Reservation> ReserveAsync(
        JobRow job, string? gpuType, TierLimits limits, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var period = PeriodOf(now);
        var needed = job.GpuCount * job.TimeMinutes * 60;

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = Database.BeginWrite(connection);

        var user = job.UserId;
        var existing = await store.FindByRequestAsync(connection, transaction, user, job.RequestId, cancellationToken);
        if (existing is not null)
        {
            return new Reservation(existing, false, null);
        }

        var refusal = TierRules.Check(limits, (int)job.GpuCount, gpuType, (int)job.TimeMinutes);
        if (refusal is not null)
        {
            return new Reservation(null, false, refusal);
        }

        // A CPU-only job reserves nothing, so it is never refused for GPU-hours, not even in a period overspent
        // by a tier that was lowered after its jobs were reserved.
        var allowed = AllowanceSeconds(limits);
        var (charged, reserved) =
            await store.PeriodTotalsAsync(connection, transaction, user, period, cancellationToken);
        var left = allowed - charged - reserved;
        if (needed > 0 && needed > left)
        {
            await transaction.RollbackAsync(cancellationToken);
            return new Reservation(
                null, false,
                QuotaRefusal.Create(period, allowed, left, needed, job.GpuCount, job.TimeMinutes, ResetsAt(now)));
        }

        job.QuotaPeriod = period;
        job.ReservedGpuSeconds = needed;
        job.ChargedGpuSeconds = null;
        await store.InsertAsync(connection, transaction, job, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Reservation(job, true, null);
    }

    /// <summary>
    /// The user's GPU-hours of the current period: allowed by the tier, used by jobs that ended, reserved by jobs
    /// that have not, and left (never below 0).
    /// </summary>
    public async Task<QuotaView> StatusAsync(string userId, TierLimits limits, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var period = PeriodOf(now);
        await using var connection = await database.OpenAsync(cancellationToken);
        var (charged, reserved) = await store.PeriodTotalsAsync(connection, null, userId, period, cancellationToken);
        var allowed = AllowanceSeconds(limits);
        var left = Math.Max(0, allowed - charged - reserved);
        return new QuotaView(period, Hours(allowed), Hours(charged), Hours(reserved), Hours(left), ResetsAt(now));
    }

    /// <summary>The period an instant falls in: <c>YYYY-MM</c> of its UTC date.</summary>
    public static string PeriodOf(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The first instant (UTC) of the period after the one <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset ResetsAt(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
    }

    private static long AllowanceSeconds(TierLimits limits) => (long)Math.Round(limits.GpuHoursPerMonth * 3600);

    private static double Hours(long seconds) => seconds / 3600.0;
}
