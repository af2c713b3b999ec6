using Commons.Contracts;

namespace Commons.Bridge.Slurm;

/// <summary>Maps Slurm's job states onto the commons' own.</summary>
public static class SlurmStates
{
    /// <summary>
    /// The commons state for a Slurm state name as squeue, scontrol or sacct print it (<c>CANCELLED by 0</c> is
    /// read as <c>CANCELLED</c>). Flag states such as COMPLETING, REQUEUED, SIGNALING or STAGE_OUT are never
    /// terminal. Returns null for a name this version does not know, so the caller keeps the last state.
    /// </summary>
    public static string? Map(string slurmState, string? reason = null)
    {
        var name = slurmState.Trim();
        var space = name.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0)
        {
            name = name[..space];
        }

        name = name.TrimEnd('+').ToUpperInvariant();
        return name switch
        {
            "PENDING" or "PD" => IsHoldReason(reason) ? JobStates.Held : JobStates.Queued,
            "REQUEUED" or "REQUEUE_FED" or "RQ" => JobStates.Queued,
            "REQUEUE_HOLD" or "SPECIAL_EXIT" or "RESV_DEL_HOLD" or "SE" => JobStates.Held,
            "CONFIGURING" or "POWER_UP_NODE" or "CF" => JobStates.Starting,
            "RUNNING" or "RESIZING" or "SIGNALING" or "STOPPED" or "SUSPENDED" or "R" or "S" or "ST" or "SI" =>
                JobStates.Running,
            "COMPLETING" or "STAGE_OUT" or "CG" or "SO" => JobStates.Completing,
            "COMPLETED" or "CD" => JobStates.Succeeded,
            "FAILED" or "F" => JobStates.Failed,
            "CANCELLED" or "REVOKED" or "CA" or "RV" => JobStates.Cancelled,
            "TIMEOUT" or "DEADLINE" or "TO" or "DL" => JobStates.TimedOut,
            "OUT_OF_MEMORY" or "OOM" => JobStates.OutOfMemory,
            "NODE_FAIL" or "BOOT_FAIL" or "NF" or "BF" => JobStates.NodeFailed,
            "PREEMPTED" or "PR" => JobStates.Preempted,
            _ => null,
        };
    }

    private static bool IsHoldReason(string? reason) =>
        reason is not null
        && (reason.StartsWith("JobHeld", StringComparison.Ordinal)
            || reason is "launch_failed_requeued_held" or "BadConstraints" or "PartitionDown" or "InvalidAccount"
                or "InvalidQOS" or "AccountNotAllowed" or "QOSNotAllowed");
}
