using System.Data.Common;
using Commons.Contracts;
using Dapper;

namespace Commons.Bridge.Data;

/// <summary>Reads and writes jobs. A job that reached a terminal state is never moved out of it.</summary>
public sealed class JobStore(Database database, TimeProvider time)
{
    private const string Columns = """
        id, user_id, request_id, name, template, site, partition, state, reason, slurm_job_id, exit_code, signal,
        node, gpus, cpus, memory_mb, time_minutes, command_json, work_dir, script, sbatch_json, lookup_misses,
        created_at, submitted_at, started_at, ended_at, updated_at, model, keep_alive_seconds, last_active_at,
        estimated_start, gpu_count, quota_period, reserved_gpu_seconds, charged_gpu_seconds
        """;

    private const string TerminalStates =
        "('succeeded','failed','cancelled','timed_out','out_of_memory','node_failed','preempted')";

    private const string NotTerminal = $"state NOT IN {TerminalStates}";

    static JobStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>
    /// Records a new job, or returns the one the same user already created with the same request id.
    /// <c>Created</c> says which happened. Nothing is reserved: submits go through the quota ledger, which calls
    /// the overload below inside its transaction.
    /// </summary>
    public async Task<(JobRow Job, bool Created)> InsertAsync(JobRow job, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var inserted = await InsertAsync(connection, null, job, cancellationToken);
        var stored = await FindByRequestAsync(connection, null, job.UserId, job.RequestId, cancellationToken);
        return (stored!, inserted);
    }

    /// <summary>Inserts a job on the caller's connection and transaction; false if its request id was taken.</summary>
    public async Task<bool> InsertAsync(
        DbConnection connection, DbTransaction? transaction, JobRow job, CancellationToken cancellationToken)
    {
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO jobs ({Columns}) VALUES (
                @Id, @UserId, @RequestId, @Name, @Template, @Site, @Partition, @State, @Reason, @SlurmJobId, @ExitCode,
                @Signal, @Node, @Gpus, @Cpus, @MemoryMb, @TimeMinutes, @CommandJson, @WorkDir, @Script, @SbatchJson,
                @LookupMisses, @CreatedAt, @SubmittedAt, @StartedAt, @EndedAt, @UpdatedAt, @Model, @KeepAliveSeconds,
                @LastActiveAt, @EstimatedStart, @GpuCount, @QuotaPeriod, @ReservedGpuSeconds, @ChargedGpuSeconds)
            ON CONFLICT (user_id, request_id) DO NOTHING
            """,
            job,
            transaction,
            cancellationToken: cancellationToken));
        return inserted == 1;
    }

    /// <summary>The job a user created with a request id, or null.</summary>
    public async Task<JobRow?> FindByRequestAsync(
        DbConnection connection, DbTransaction? transaction, string userId, string requestId,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE user_id = @userId AND request_id = @requestId",
            new { userId, requestId },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>
    /// What a user's jobs of a quota period hold, in GPU-seconds: <c>Charged</c> by the jobs that ended, and
    /// <c>Reserved</c> by the ones that have not (their charge is still null).
    /// </summary>
    public async Task<(long Charged, long Reserved)> PeriodTotalsAsync(
        DbConnection connection, DbTransaction? transaction, string userId, string period,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            """
            SELECT COALESCE(SUM(charged_gpu_seconds), 0),
                   COALESCE(SUM(CASE WHEN charged_gpu_seconds IS NULL THEN reserved_gpu_seconds ELSE 0 END), 0)
            FROM jobs WHERE user_id = @userId AND quota_period = @period
            """,
            new { userId, period },
            transaction,
            cancellationToken: cancellationToken));

    public async Task<JobRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>A user's jobs, newest first; only unfinished ones unless <paramref name="all"/>.</summary>
    public async Task<IReadOnlyList<JobRow>> ListAsync(string userId, bool all, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var filter = all ? "" : $"AND {NotTerminal}";
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE user_id = @userId {filter} ORDER BY created_at DESC, id LIMIT @limit",
            new { userId, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Every unfinished job of a site, for the poller.</summary>
    public async Task<IReadOnlyList<JobRow>> ActiveAsync(string site, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE site = @site AND {NotTerminal} ORDER BY created_at",
            new { site },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Records the Slurm job id once sbatch answered; a job still <c>submitting</c> becomes <c>queued</c>.</summary>
    public async Task MarkSubmittedAsync(string id, string slurmJobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Now();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE jobs SET slurm_job_id = @slurmJobId, submitted_at = COALESCE(submitted_at, @now), updated_at = @now,
                state = CASE WHEN state = 'submitting' THEN 'queued' ELSE state END
            WHERE id = @id
            """,
            new { id, slurmJobId, now },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Writes what the poller learned. Does nothing to a job that is already terminal, so a late poll can never
    /// undo a cancel or a final state. Returns whether the row changed.
    /// </summary>
    /// <remarks>
    /// The update that makes a job terminal also charges it, so its state and its charge can never disagree:
    /// GPUs × whole seconds from <c>started_at</c> to <c>ended_at</c>, 0 for a job that never started, and never
    /// more than it reserved (Slurm's kill grace past the walltime is not the user's doing). A charged job stops
    /// counting its reservation, which releases whatever it did not use.
    /// </remarks>
    public async Task<bool> UpdateProgressAsync(JobRow job, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        job.UpdatedAt = Now();
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE jobs SET state = @State, reason = @Reason, node = @Node, exit_code = @ExitCode, signal = @Signal,
                started_at = @StartedAt, ended_at = @EndedAt, lookup_misses = @LookupMisses, updated_at = @UpdatedAt,
                estimated_start = @EstimatedStart,
                slurm_job_id = COALESCE(slurm_job_id, @SlurmJobId),
                charged_gpu_seconds = CASE
                    WHEN @State NOT IN {TerminalStates} THEN NULL
                    WHEN @StartedAt IS NULL OR COALESCE(@EndedAt, @UpdatedAt) <= @StartedAt THEN 0
                    ELSE MIN(reserved_gpu_seconds, gpu_count * ((COALESCE(@EndedAt, @UpdatedAt) - @StartedAt) / 1000))
                END
            WHERE id = @Id AND {NotTerminal}
            """,
            job,
            cancellationToken: cancellationToken));
        return changed == 1;
    }

    /// <summary>The user's newest unfinished job of a model, or null.</summary>
    public async Task<JobRow?> FindWarmAsync(string userId, string model, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<JobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE user_id = @userId AND model = @model AND {NotTerminal} ORDER BY created_at DESC",
            new { userId, model },
            cancellationToken: cancellationToken));
    }

    /// <summary>Every unfinished model job, for the keep-alive sweep.</summary>
    public async Task<IReadOnlyList<JobRow>> ActiveModelJobsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE model IS NOT NULL AND {NotTerminal}", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Notes that a model job served a request now, which restarts its keep-alive time.</summary>
    public async Task TouchAsync(string id, long? keepAliveSeconds, CancellationToken cancellationToken, long? at = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE jobs SET last_active_at = @now, keep_alive_seconds = COALESCE(@keepAliveSeconds, keep_alive_seconds)
            WHERE id = @id
            """,
            new { id, now = at ?? Now(), keepAliveSeconds },
            cancellationToken: cancellationToken));
    }

    public long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
