using Commons.Bridge.Quota;
using Commons.Contracts;
using Commons.Tests.Jobs;

namespace Commons.Tests.Quota;

/// <summary>The charge a job gets when it ends, written by the same update that makes it terminal.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ChargeTests : IDisposable
{
    private static readonly DateTimeOffset Start = JobServiceRig.Start;
    private static readonly TierLimits Limits = new("regular", 150, 8, 2880, null);

    private readonly JobServiceRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Test]
    public async Task UpdateProgressAsync_WhenTheJobEnds_ChargesGpusTimesElapsedSeconds()
    {
        await _rig.StartAsync();
        var job = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 2, minutes: 60), Limits);

        await _rig.EndAsync(job, Start.AddMinutes(3), Start.AddMinutes(3).AddSeconds(1530));

        Assert.That((await _rig.ReadAsync(job.Id)).ChargedGpuSeconds, Is.EqualTo(2 * 1530));
    }

    [TestCase(JobStates.Failed)]
    [TestCase(JobStates.TimedOut)]
    [TestCase(JobStates.OutOfMemory)]
    [TestCase(JobStates.NodeFailed)]
    [TestCase(JobStates.Preempted)]
    [TestCase(JobStates.Cancelled)]
    public async Task UpdateProgressAsync_WhenTheJobEndsAnyWay_ChargesWhatItRan(string state)
    {
        await _rig.StartAsync();
        var job = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 4, minutes: 60), Limits);

        await _rig.EndAsync(job, Start, Start.AddSeconds(100), state);

        Assert.That((await _rig.ReadAsync(job.Id)).ChargedGpuSeconds, Is.EqualTo(400));
    }

    [Test]
    public async Task UpdateProgressAsync_WhenTheJobNeverStarted_ChargesNothing()
    {
        await _rig.StartAsync();
        var job = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 2, minutes: 60), Limits);

        await _rig.EndAsync(job, null, Start.AddMinutes(20), JobStates.Failed);

        Assert.That((await _rig.ReadAsync(job.Id)).ChargedGpuSeconds, Is.Zero);
    }

    [Test]
    public async Task UpdateProgressAsync_WhenTheJobRanPastItsWalltime_ChargesNoMoreThanItReserved()
    {
        await _rig.StartAsync();
        var job = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 1, minutes: 60), Limits);

        await _rig.EndAsync(job, Start, Start.AddMinutes(61), JobStates.TimedOut);

        Assert.That((await _rig.ReadAsync(job.Id)).ChargedGpuSeconds, Is.EqualTo(3600));
    }

    [Test]
    public async Task UpdateProgressAsync_WhileTheJobRuns_LeavesTheChargeOpen()
    {
        await _rig.StartAsync();
        var job = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 1, minutes: 60), Limits);
        job.State = JobStates.Running;
        job.StartedAt = Start.ToUnixTimeMilliseconds();

        await _rig.Store.UpdateProgressAsync(job, CancellationToken.None);

        Assert.That((await _rig.ReadAsync(job.Id)).ChargedGpuSeconds, Is.Null);
    }

    [Test]
    public async Task UpdateProgressAsync_WhenAnEndedJobIsWrittenAgain_KeepsItsFirstCharge()
    {
        await _rig.StartAsync();
        var job = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 1, minutes: 60), Limits);
        await _rig.EndAsync(job, Start, Start.AddMinutes(10));

        await _rig.EndAsync(job, Start, Start.AddMinutes(50), JobStates.Failed);

        var stored = await _rig.ReadAsync(job.Id);
        Assert.That(stored.ChargedGpuSeconds, Is.EqualTo(600));
        Assert.That(stored.State, Is.EqualTo(JobStates.Succeeded));
    }

    [Test]
    public async Task UpdateProgressAsync_WhenAJobEndsEarly_ReleasesTheRestOfItsReservation()
    {
        await _rig.StartAsync();
        var limits = Limits with { GpuHoursPerMonth = 4 };
        var job = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 2, minutes: 120), limits);
        var whileHeld = await _rig.Ledger.ReserveAsync(
            _rig.Row("req-2", gpus: 1, minutes: 180), "a100", limits, CancellationToken.None);

        await _rig.EndAsync(job, Start, Start.AddMinutes(30));
        var afterEnd = await _rig.Ledger.ReserveAsync(
            _rig.Row("req-3", gpus: 1, minutes: 180), "a100", limits, CancellationToken.None);

        Assert.That(whileHeld.Refusal, Is.TypeOf<QuotaRefusal>());
        Assert.That(afterEnd.Created, Is.True, "4 h allowed - 1 h charged leaves the 3 h asked");
    }

    [Test]
    public async Task CancelAsync_WhenTheJobIsStillQueued_ChargesNothing()
    {
        await _rig.StartAsync();
        var job = await _rig.SubmitAsync(JobServiceRig.Request("req-1", gpus: "a100:2"));
        _rig.Time.Advance(TimeSpan.FromMinutes(7));

        var cancelled = await _rig.Service.CancelAsync(job, CancellationToken.None);

        Assert.That(cancelled.State, Is.EqualTo(JobStates.Cancelled));
        Assert.That(cancelled.ChargedGpuSeconds, Is.Zero);
        Assert.That(_rig.Commands, Has.Some.Contains("scancel"));
    }

    [Test]
    public async Task CancelAsync_WhenTheJobRuns_ChargesGpusTimesTheTimeItRan()
    {
        await _rig.StartAsync();
        var job = await _rig.SubmitAsync(JobServiceRig.Request("req-1", gpus: "a100:2"));
        _rig.Queue = $"{job.SlurmJobId}|RUNNING|None|campus-n1|2026-11-10T09:00:00|commons:{job.Id}\n";
        await _rig.Poller.PollAsync(JobServiceRig.Site, [job], CancellationToken.None);
        _rig.Time.Advance(TimeSpan.FromMinutes(30));

        var cancelled = await _rig.Service.CancelAsync(await _rig.ReadAsync(job.Id), CancellationToken.None);

        Assert.That(cancelled.ChargedGpuSeconds, Is.EqualTo(2 * 30 * 60));
    }

    [Test]
    public async Task SubmitAsync_WhenSbatchRefusesTheJob_ChargesNothing()
    {
        await _rig.StartAsync();
        _rig.SbatchRefusal = "sbatch: error: Batch job submission failed: Invalid account\n";

        var outcome = await _rig.Service.SubmitAsync(
            JobServiceRig.User, JobServiceRig.Request("req-1", gpus: "a100:2"), CancellationToken.None);
        var status = await _rig.Ledger.StatusAsync(JobServiceRig.User, Limits, CancellationToken.None);

        Assert.That(outcome.SlurmError, Does.Contain("Invalid account"));
        Assert.That(outcome.Job!.State, Is.EqualTo(JobStates.Failed));
        Assert.That(outcome.Job.ChargedGpuSeconds, Is.Zero);
        Assert.That((status.Used, status.Reserved), Is.EqualTo((0.0, 0.0)));
    }
}
