using Commons.Bridge.Data;
using Commons.Contracts;
using Commons.Tests.Jobs;

namespace Commons.Tests.Polling;

/// <summary>How the poller times a job: from Slurm's own record where it has one, so the charge is real.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SitePollerChargeTests : IDisposable
{
    private readonly JobServiceRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Test]
    public async Task PollAsync_WhenAJobEnds_ChargesTheElapsedTimeSlurmRecorded()
    {
        var job = await SubmitAsync(gpus: 2);
        await SeeRunningAsync(job);
        _rig.Time.Advance(TimeSpan.FromMinutes(40));
        _rig.Accounting = $"{job.SlurmJobId}|COMPLETED|0:0|campus-n1|2026-11-10T09:00:05|2026-11-10T09:25:35|None\n";

        await PollAsync(job);

        var ended = await _rig.ReadAsync(job.Id);
        Assert.That(ended.State, Is.EqualTo(JobStates.Succeeded));
        Assert.That(ended.ChargedGpuSeconds, Is.EqualTo(2 * 1530));
        Assert.That(ended.EndedAt - ended.StartedAt, Is.EqualTo(1530 * 1000));
    }

    [Test]
    public async Task PollAsync_WhenAShortJobRanBetweenTwoPolls_StillChargesIt()
    {
        var job = await SubmitAsync(gpus: 1);
        _rig.Accounting = $"{job.SlurmJobId}|FAILED|1:0|campus-n1|2026-11-10T09:00:02|2026-11-10T09:00:47|None\n";

        await PollAsync(job);

        var ended = await _rig.ReadAsync(job.Id);
        Assert.That(ended.State, Is.EqualTo(JobStates.Failed));
        Assert.That(ended.ChargedGpuSeconds, Is.EqualTo(45));
    }

    [Test]
    public async Task PollAsync_WhenSlurmCancelledTheJobBeforeItStarted_ChargesNothing()
    {
        var job = await SubmitAsync(gpus: 4);
        _rig.Time.Advance(TimeSpan.FromMinutes(10));
        _rig.Accounting =
            $"{job.SlurmJobId}|CANCELLED by 0|0:0|None assigned|2026-11-10T09:10:00|2026-11-10T09:10:00|None\n";

        await PollAsync(job);

        var ended = await _rig.ReadAsync(job.Id);
        Assert.That(ended.State, Is.EqualTo(JobStates.Cancelled));
        Assert.That(ended.StartedAt, Is.Null);
        Assert.That(ended.ChargedGpuSeconds, Is.Zero);
    }

    [Test]
    public async Task PollAsync_WhenTheRecordHasNoStart_ChargesNothingForAJobNeverSeenRunning()
    {
        var job = await SubmitAsync(gpus: 4);
        _rig.Accounting = $"{job.SlurmJobId}|CANCELLED|0:0|None assigned|None|2026-11-10T09:10:00|None\n";

        await PollAsync(job);

        Assert.That((await _rig.ReadAsync(job.Id)).ChargedGpuSeconds, Is.Zero);
    }

    [Test]
    public async Task PollAsync_WhileTheJobRuns_KeepsItsReservationAndChargesNothingYet()
    {
        var job = await SubmitAsync(gpus: 2);

        await SeeRunningAsync(job);

        var running = await _rig.ReadAsync(job.Id);
        Assert.That(running.State, Is.EqualTo(JobStates.Running));
        Assert.That(running.ChargedGpuSeconds, Is.Null);
        Assert.That(running.ReservedGpuSeconds, Is.EqualTo(2 * 3600));
    }

    [Test]
    public async Task PollAsync_WhenOnlyTheExitCodeFileIsLeft_ChargesTheTimeThePollsSaw()
    {
        var job = await SubmitAsync(gpus: 3);
        await SeeRunningAsync(job);
        _rig.Time.Advance(TimeSpan.FromMinutes(12));
        _rig.Queue = "";
        _rig.ExitCodeFiles = $"{job.WorkDir}|0\n";

        await PollAsync(job);

        var ended = await _rig.ReadAsync(job.Id);
        Assert.That(ended.State, Is.EqualTo(JobStates.Succeeded));
        Assert.That(ended.ChargedGpuSeconds, Is.EqualTo(3 * 12 * 60));
    }

    private async Task<JobRow> SubmitAsync(int gpus)
    {
        await _rig.StartAsync();
        return await _rig.SubmitAsync(JobServiceRig.Request("req-1", gpus: $"a100:{gpus}", time: "1h"));
    }

    private async Task SeeRunningAsync(JobRow job)
    {
        _rig.Queue = $"{job.SlurmJobId}|RUNNING|None|campus-n1|2026-11-10T09:00:05|commons:{job.Id}\n";
        await PollAsync(job);
        _rig.Queue = "";
    }

    private async Task PollAsync(JobRow job) =>
        await _rig.Poller.PollAsync(JobServiceRig.Site, [await _rig.ReadAsync(job.Id)], CancellationToken.None);
}
