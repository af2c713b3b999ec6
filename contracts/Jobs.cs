namespace Commons.Contracts;

/// <summary>Body of <c>POST /v1/jobs</c>.</summary>
/// <param name="RequestId">
/// Idempotency key chosen by the client (1–64 characters of <c>[A-Za-z0-9_-]</c>). A second request with
/// the same id from the same user returns the job the first one created instead of submitting again.
/// </param>
/// <param name="Command">The command and its arguments, run as-is without a shell.</param>
/// <param name="Template">Template name; <c>command</c> when omitted.</param>
/// <param name="Name">Optional display name (<c>[A-Za-z0-9._-]</c>, at most 64); the command's first word by default.</param>
/// <param name="Resources">GPUs, CPUs, memory and walltime; site defaults where omitted.</param>
/// <param name="Environment">Variables set in the job. Names match <c>[A-Za-z_][A-Za-z0-9_]*</c>.</param>
/// <param name="Site">Site to run on; the broker picks one when omitted.</param>
/// <param name="Parameters">Values of the template's typed parameters, as strings; checked against their types.</param>
public sealed record SubmitJobRequest(
    string RequestId,
    IReadOnlyList<string>? Command,
    string? Template = null,
    string? Name = null,
    JobResources? Resources = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    string? Site = null,
    IReadOnlyDictionary<string, string>? Parameters = null);

/// <summary>Resources asked for a job.</summary>
/// <param name="Gpus"><c>TYPE:N</c> or <c>N</c> (any type); none when omitted.</param>
/// <param name="Cpus">CPUs for the job's one task; 1 when omitted.</param>
/// <param name="Memory">Memory such as <c>512M</c> or <c>16G</c>; the site's default per CPU when omitted.</param>
/// <param name="Time">Walltime: <c>90</c> (minutes), <c>30m</c>, <c>2h</c>, <c>1d</c>, <c>HH:MM:SS</c> or
/// <c>D-HH:MM:SS</c>; when omitted, the partition's default, or the longest walltime the user's tier allows if
/// that is shorter.</param>
public sealed record JobResources(
    string? Gpus = null,
    int? Cpus = null,
    string? Memory = null,
    string? Time = null);

/// <summary>A job as the bridge reports it.</summary>
/// <param name="Id">The commons job id (also the Slurm job name <c>cc-ID</c>).</param>
/// <param name="State">One of <see cref="JobStates"/>.</param>
/// <param name="Reason">Why the job waits or ended, in Slurm's words or the bridge's.</param>
/// <param name="ExitCode">The command's exit code once known.</param>
/// <param name="Signal">The signal that ended the command, when one did.</param>
/// <param name="Unreachable">True while the job's site cannot be asked; the state is the last one seen.</param>
/// <param name="Model">The catalog model a model job serves; null for other jobs.</param>
/// <param name="KeepAliveUntil">When an idle model job will be stopped; null when it runs to its walltime.</param>
/// <param name="EstimatedStart">Slurm's estimate of when a queued job starts, where it gives one.</param>
public sealed record JobView(
    string Id,
    string Name,
    string State,
    string? Reason,
    string Site,
    string? Partition,
    string? SlurmJobId,
    int? ExitCode,
    int? Signal,
    string? Node,
    string? Gpus,
    int Cpus,
    int TimeLimitMinutes,
    IReadOnlyList<string> Command,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    bool Unreachable,
    string Template = "command",
    string? Model = null,
    DateTimeOffset? KeepAliveUntil = null,
    DateTimeOffset? EstimatedStart = null);
