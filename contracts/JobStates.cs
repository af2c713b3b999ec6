namespace Commons.Contracts;

/// <summary>
/// The states a job moves through, as the bridge reports them. Slurm's own state names are
/// mapped onto these by the bridge; the CLI never sees a raw Slurm state.
/// </summary>
public static class JobStates
{
    public const string Submitting = "submitting";
    public const string Queued = "queued";
    public const string Held = "held";
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Completing = "completing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string TimedOut = "timed_out";
    public const string OutOfMemory = "out_of_memory";
    public const string NodeFailed = "node_failed";
    public const string Preempted = "preempted";

    private static readonly HashSet<string> Terminal =
    [
        Succeeded, Failed, Cancelled, TimedOut, OutOfMemory, NodeFailed, Preempted,
    ];

    /// <summary>True for a state the job never leaves.</summary>
    public static bool IsTerminal(string state) => Terminal.Contains(state);

    /// <summary>True while the job has not started running its command yet.</summary>
    public static bool IsWaiting(string state) =>
        state is Submitting or Queued or Held or Starting;
}
