using Commons.Bridge.Slurm;
using Commons.Contracts;

namespace Commons.Tests.Slurm;

public sealed class SlurmStatesTests
{
    [TestCase("PENDING", JobStates.Queued)]
    [TestCase("PD", JobStates.Queued)]
    [TestCase("REQUEUED", JobStates.Queued)]
    [TestCase("REQUEUE_FED", JobStates.Queued)]
    [TestCase("RQ", JobStates.Queued)]
    [TestCase("REQUEUE_HOLD", JobStates.Held)]
    [TestCase("SPECIAL_EXIT", JobStates.Held)]
    [TestCase("RESV_DEL_HOLD", JobStates.Held)]
    [TestCase("SE", JobStates.Held)]
    [TestCase("CONFIGURING", JobStates.Starting)]
    [TestCase("POWER_UP_NODE", JobStates.Starting)]
    [TestCase("CF", JobStates.Starting)]
    [TestCase("RUNNING", JobStates.Running)]
    [TestCase("RESIZING", JobStates.Running)]
    [TestCase("SIGNALING", JobStates.Running)]
    [TestCase("STOPPED", JobStates.Running)]
    [TestCase("SUSPENDED", JobStates.Running)]
    [TestCase("R", JobStates.Running)]
    [TestCase("S", JobStates.Running)]
    [TestCase("ST", JobStates.Running)]
    [TestCase("SI", JobStates.Running)]
    [TestCase("COMPLETING", JobStates.Completing)]
    [TestCase("STAGE_OUT", JobStates.Completing)]
    [TestCase("CG", JobStates.Completing)]
    [TestCase("SO", JobStates.Completing)]
    [TestCase("COMPLETED", JobStates.Succeeded)]
    [TestCase("CD", JobStates.Succeeded)]
    [TestCase("FAILED", JobStates.Failed)]
    [TestCase("F", JobStates.Failed)]
    [TestCase("CANCELLED", JobStates.Cancelled)]
    [TestCase("REVOKED", JobStates.Cancelled)]
    [TestCase("CA", JobStates.Cancelled)]
    [TestCase("RV", JobStates.Cancelled)]
    [TestCase("TIMEOUT", JobStates.TimedOut)]
    [TestCase("DEADLINE", JobStates.TimedOut)]
    [TestCase("TO", JobStates.TimedOut)]
    [TestCase("DL", JobStates.TimedOut)]
    [TestCase("OUT_OF_MEMORY", JobStates.OutOfMemory)]
    [TestCase("OOM", JobStates.OutOfMemory)]
    [TestCase("NODE_FAIL", JobStates.NodeFailed)]
    [TestCase("BOOT_FAIL", JobStates.NodeFailed)]
    [TestCase("NF", JobStates.NodeFailed)]
    [TestCase("BF", JobStates.NodeFailed)]
    [TestCase("PREEMPTED", JobStates.Preempted)]
    [TestCase("PR", JobStates.Preempted)]
    public void Map_WhenStateIsKnown_ReturnsTheCommonsState(string slurmState, string expected)
    {
        var state = SlurmStates.Map(slurmState);

        Assert.That(state, Is.EqualTo(expected));
    }

    [TestCase("CANCELLED by 0", JobStates.Cancelled)]
    [TestCase("CANCELLED by 1001", JobStates.Cancelled)]
    [TestCase("CANCELLED+", JobStates.Cancelled)]
    [TestCase("COMPLETED+", JobStates.Succeeded)]
    [TestCase("  running  ", JobStates.Running)]
    [TestCase("timeout", JobStates.TimedOut)]
    public void Map_WhenStateCarriesDecoration_ReadsTheBaseName(string slurmState, string expected)
    {
        var state = SlurmStates.Map(slurmState);

        Assert.That(state, Is.EqualTo(expected));
    }

    [TestCase("JobHeldUser")]
    [TestCase("JobHeldAdmin")]
    [TestCase("launch_failed_requeued_held")]
    [TestCase("BadConstraints")]
    [TestCase("PartitionDown")]
    [TestCase("InvalidAccount")]
    [TestCase("InvalidQOS")]
    [TestCase("AccountNotAllowed")]
    [TestCase("QOSNotAllowed")]
    public void Map_WhenPendingForAHoldReason_ReturnsHeld(string reason)
    {
        var state = SlurmStates.Map("PENDING", reason);

        Assert.That(state, Is.EqualTo(JobStates.Held));
    }

    [TestCase(null)]
    [TestCase("None")]
    [TestCase("Priority")]
    [TestCase("Resources")]
    [TestCase("Dependency")]
    public void Map_WhenPendingForAnOrdinaryReason_ReturnsQueued(string? reason)
    {
        var state = SlurmStates.Map("PENDING", reason);

        Assert.That(state, Is.EqualTo(JobStates.Queued));
    }

    [TestCase("")]
    [TestCase("UNKNOWN_NEW_STATE")]
    [TestCase("PENDINGX")]
    [TestCase("by 0")]
    public void Map_WhenStateIsUnknown_ReturnsNull(string slurmState)
    {
        var state = SlurmStates.Map(slurmState);

        Assert.That(state, Is.Null);
    }

    [TestCase("COMPLETING")]
    [TestCase("REQUEUED")]
    [TestCase("SIGNALING")]
    [TestCase("STAGE_OUT")]
    [TestCase("CONFIGURING")]
    [TestCase("RESIZING")]
    [TestCase("REQUEUE_HOLD")]
    public void Map_WhenStateIsATransition_IsNotTerminal(string slurmState)
    {
        var state = SlurmStates.Map(slurmState);

        Assert.That(state, Is.Not.Null);
        Assert.That(JobStates.IsTerminal(state!), Is.False, $"{slurmState} mapped to {state}");
    }

    [TestCase("COMPLETED")]
    [TestCase("FAILED")]
    [TestCase("CANCELLED by 0")]
    [TestCase("TIMEOUT")]
    [TestCase("OUT_OF_MEMORY")]
    [TestCase("NODE_FAIL")]
    [TestCase("PREEMPTED")]
    public void Map_WhenStateIsFinal_IsTerminal(string slurmState)
    {
        var state = SlurmStates.Map(slurmState);

        Assert.That(JobStates.IsTerminal(state!), Is.True, $"{slurmState} mapped to {state}");
    }
}
