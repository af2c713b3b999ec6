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

    public IReadOnlyList<string> Command => JsonSerializer.Deserialize<List<string>>(CommandJson) ?? [];

    public IReadOnlyList<string> SbatchOptions => JsonSerializer.Deserialize<List<string>>(SbatchJson) ?? [];

    public JobView ToView(bool unreachable) => new(
        Id, Name, State, Reason, Site, Partition, SlurmJobId,
        (int?)ExitCode, (int?)Signal, Node, Gpus, (int)Cpus, (int)TimeMinutes, Command,
        Time(CreatedAt), TimeOrNull(StartedAt), TimeOrNull(EndedAt), unreachable && !JobStates.IsTerminal(State));

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? TimeOrNull(long? ms) => ms is { } value ? Time(value) : null;
}
