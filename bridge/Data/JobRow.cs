using System.Text.Json;
using Commons.Contracts;

namespace Commons.Bridge.Data;

/// <summary>A row of the jobs table, as Dapper reads and writes it.</summary>
public sealed class JobRow
{
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public string RequestId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Template { get; set; } = "";
    public string Site { get; set; } = "";
    public string? Partition { get; set; }
    public string State { get; set; } = JobStates.Submitting;
    public string? Reason { get; set; }
    public string? SlurmJobId { get; set; }
    public long? ExitCode { get; set; }
    public long? Signal { get; set; }
    public string? Node { get; set; }
    public string? Gpus { get; set; }
    public long Cpus { get; set; }
    public long? MemoryMb { get; set; }
    public long TimeMinutes { get; set; }
    public string CommandJson { get; set; } = "[]";
    public string WorkDir { get; set; } = "";
    public string Script { get; set; } = "";
    public string SbatchJson { get; set; } = "[]";
    public long LookupMisses { get; set; }
    public long CreatedAt { get; set; }
    public long? SubmittedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public long UpdatedAt { get; set; }
    public string? Model { get; set; }

    /// <summary>Seconds a model job stays warm after its last request; null is the default, negative is forever.</summary>
    public long? KeepAliveSeconds { get; set; }
    public long? LastActiveAt { get; set; }
    public long? EstimatedStart { get; set; }

    /// <summary>GPUs the job holds, whatever their type; 0 for a CPU-only job.</summary>
    public long GpuCount { get; set; }

    /// <summary>The quota period (<c>YYYY-MM</c>, UTC) the job was submitted in, and is reserved and charged to.</summary>
    public string? QuotaPeriod { get; set; }

    /// <summary>GPU-seconds held at submit: GPUs × walltime.</summary>
    public long ReservedGpuSeconds { get; set; }

    /// <summary>GPU-seconds charged when the job ended (GPUs × elapsed); null until then.</summary>
    public long? ChargedGpuSeconds { get; set; }

    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromMinutes(5);

    /// <summary>The least time a model job has after it starts before it counts as idle.</summary>
    public static readonly TimeSpan StartupGrace = TimeSpan.FromMinutes(2);

    /// <summary>When an idle model job is due to be stopped; null for other jobs and for ones kept to their walltime.</summary>
    public DateTimeOffset? KeepAliveUntil
    {
        get
        {
            // Only a running model can be idle; one in the queue or starting up is waited for, not unused.
            if (Model is null || State is not (JobStates.Running or JobStates.Completing) || KeepAliveSeconds is < 0)
            {
                return null;
            }

            // Idle time counts from the last request. Until its first one, a job gets at least StartupGrace for
            // its client to pull, load and connect, or a keep-alive of 0 would stop it before it was ever used.
            var keep = KeepAliveSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultKeepAlive;
            return LastActiveAt is { } active && active >= (StartedAt ?? CreatedAt)
                ? Time(active) + keep
                : Time(StartedAt ?? CreatedAt) + (keep > StartupGrace ? keep : StartupGrace);
        }
    }

    public IReadOnlyList<string> Command => JsonSerializer.Deserialize<List<string>>(CommandJson) ?? [];

    public IReadOnlyList<string> SbatchOptions => JsonSerializer.Deserialize<List<string>>(SbatchJson) ?? [];

    /// <summary>
    /// Brings the last-active time up to what the tunnels saw since the keep-alive sweep last stored it (it stores
    /// every few seconds), so a view taken right after a request shows the keep-alive counted from its end.
    /// </summary>
    public JobRow WithActivity(Models.IJobActivity activity, TimeProvider time)
    {
        var seen = activity.OpenTunnels(Id) > 0 ? time.GetUtcNow() : activity.LastActive(Id);
        if (Model is not null && seen is { } at && at.ToUnixTimeMilliseconds() > (LastActiveAt ?? 0))
        {
            LastActiveAt = at.ToUnixTimeMilliseconds();
        }

        return this;
    }

    public JobView ToView(bool unreachable) => new(
        Id, Name, State, Reason, Site, Partition, SlurmJobId,
        (int?)ExitCode, (int?)Signal, Node, Gpus, (int)Cpus, (int)TimeMinutes, Command,
        Time(CreatedAt), TimeOrNull(StartedAt), TimeOrNull(EndedAt), unreachable && !JobStates.IsTerminal(State),
        Template, Model, KeepAliveUntil, State == JobStates.Queued ? TimeOrNull(EstimatedStart) : null);

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? TimeOrNull(long? ms) => ms is { } value ? Time(value) : null;
}
