using System.Globalization;
using Commons.Bridge.Data;
using Commons.Bridge.Quota;
using Commons.Tests.Jobs;
using Microsoft.Data.Sqlite;

namespace Commons.Tests.Quota;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class QuotaLedgerTests : IDisposable
{
    private readonly JobServiceRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Test]
    public async Task ReserveAsync_When20SubmitsRaceForRoomForFive_RecordsExactlyFive()
    {
        var ledger = await CreateSutAsync();
        var limits = Limits(gpuHours: 10);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var submits = Enumerable.Range(0, 20)
            .Select(i => _rig.Row($"req-{i}", gpus: 1, minutes: 120))
            .Select(row => Task.Run(async () =>
            {
                await go.Task;
                return await ledger.ReserveAsync(row, "a100", limits, CancellationToken.None);
            }))
            .ToList();

        go.SetResult();
        var outcomes = await Task.WhenAll(submits);

        Assert.That(outcomes.Count(o => o.Created), Is.EqualTo(5));
        var refusals = outcomes.Select(o => o.Refusal).OfType<QuotaRefusal>().ToList();
        Assert.That(refusals, Has.Count.EqualTo(15));
        Assert.That(outcomes.Where(o => !o.Created).All(o => o.Job is null), Is.True);
        foreach (var refusal in refusals)
        {
            Assert.That(refusal.GpuHoursNeeded, Is.EqualTo(2));
            Assert.That(refusal.GpuHoursLeft, Is.Zero);
            Assert.That(refusal.GpuHoursAllowed, Is.EqualTo(10));
        }

        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.EqualTo(5));
        Assert.That(await _rig.Data.ScalarAsync("SELECT SUM(reserved_gpu_seconds) FROM jobs"), Is.EqualTo(10 * 3600));
    }

    [Test]
    public async Task ReserveAsync_WhenTheJobFits_RecordsItWithItsPeriodAndReservation()
    {
        var ledger = await CreateSutAsync();
        var row = _rig.Row("req-1", gpus: 2, minutes: 90);

        var reservation = await ledger.ReserveAsync(row, "a100", Limits(gpuHours: 24), CancellationToken.None);
        var stored = await _rig.ReadAsync(row.Id);

        Assert.That(reservation.Created, Is.True);
        Assert.That(reservation.Refusal, Is.Null);
        Assert.That(stored.QuotaPeriod, Is.EqualTo("2026-11"));
        Assert.That(stored.GpuCount, Is.EqualTo(2));
        Assert.That(stored.ReservedGpuSeconds, Is.EqualTo(2 * 90 * 60));
        Assert.That(stored.ChargedGpuSeconds, Is.Null);
    }

    [Test]
    public async Task ReserveAsync_WhenTheRequestIdWasSeen_ReturnsThatJobAndReservesNothingMore()
    {
        var ledger = await CreateSutAsync();
        var limits = Limits(gpuHours: 2);
        var first = await _rig.ReserveAsync(_rig.Row("req-1", gpus: 1, minutes: 120), limits);

        // The period is full now; the retry must still get its job back rather than a refusal.
        var retry = await ledger.ReserveAsync(
            _rig.Row("req-1", gpus: 1, minutes: 120), "a100", limits, CancellationToken.None);

        Assert.That(retry.Created, Is.False);
        Assert.That(retry.Refusal, Is.Null);
        Assert.That(retry.Job!.Id, Is.EqualTo(first.Id));
        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.EqualTo(1));
        Assert.That(await _rig.Data.ScalarAsync("SELECT SUM(reserved_gpu_seconds) FROM jobs"), Is.EqualTo(2 * 3600));
    }

    [Test]
    public async Task ReserveAsync_WhenThePeriodHasTooLittleLeft_RefusesWithWhatIsLeftNeededAndTheReset()
    {
        var ledger = await CreateSutAsync();
        var limits = Limits(gpuHours: 10);
        var ended = await _rig.ReserveAsync(_rig.Row("ended", gpus: 2, minutes: 120), limits);
        await _rig.EndAsync(ended, JobServiceRig.Start, JobServiceRig.Start.AddMinutes(45));
        await _rig.ReserveAsync(_rig.Row("running", gpus: 1, minutes: 300), limits);
        var row = _rig.Row("big", gpus: 2, minutes: 210);

        var reservation = await ledger.ReserveAsync(row, "a100", limits, CancellationToken.None);

        var refusal = (QuotaRefusal)reservation.Refusal!;
        Assert.That(reservation.Job, Is.Null);
        Assert.That(refusal.Period, Is.EqualTo("2026-11"));
        Assert.That(refusal.GpuHoursAllowed, Is.EqualTo(10));
        Assert.That(refusal.GpuHoursLeft, Is.EqualTo(3.5));
        Assert.That(refusal.GpuHoursNeeded, Is.EqualTo(7));
        Assert.That(refusal.ResetsAt, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(refusal.Title, Is.EqualTo("GPU-hour quota exceeded"));
        Assert.That(refusal.Detail, Is.EqualTo(
            "This job needs 7 GPU-hours (2 GPUs for 3 h 30 min); 3.5 of your 10 GPU-hours for 2026-11 are left. "
            + "The quota resets at 2026-12-01T00:00:00Z."));
        Assert.That(await _rig.Store.GetAsync(row.Id, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task ReserveAsync_WhenTheJobNeedsExactlyWhatIsLeft_RecordsIt()
    {
        var ledger = await CreateSutAsync();
        var limits = Limits(gpuHours: 4);
        await _rig.ReserveAsync(_rig.Row("first", gpus: 1, minutes: 180), limits);

        var reservation = await ledger.ReserveAsync(
            _rig.Row("last", gpus: 1, minutes: 60), "a100", limits, CancellationToken.None);
        var next = await ledger.ReserveAsync(
            _rig.Row("over", gpus: 1, minutes: 1), "a100", limits, CancellationToken.None);

        Assert.That(reservation.Created, Is.True);
        Assert.That(next.Refusal, Is.TypeOf<QuotaRefusal>());
        Assert.That(((QuotaRefusal)next.Refusal!).GpuHoursNeeded, Is.EqualTo(0.02), "1 minute (0.0167 h), rounded up");
    }

    [Test]
    public async Task ReserveAsync_WhenTheJobIsCpuOnly_ReservesNothingEvenWithNoGpuHoursLeft()
    {
        var ledger = await CreateSutAsync();
        var limits = Limits(gpuHours: 1);
        await _rig.ReserveAsync(_rig.Row("all", gpus: 1, minutes: 60), limits);
        var row = _rig.Row("cpu", gpus: 0, minutes: 600);

        var reservation = await ledger.ReserveAsync(row, null, limits, CancellationToken.None);

        Assert.That(reservation.Created, Is.True);
        Assert.That((await _rig.ReadAsync(row.Id)).ReservedGpuSeconds, Is.Zero);
    }

    [Test]
    public async Task ReserveAsync_WhenTheTierForbidsTheJob_RefusesWithoutWritingAnything()
    {
        var ledger = await CreateSutAsync();

        var reservation = await ledger.ReserveAsync(
            _rig.Row("req-1", gpus: 2, minutes: 60), "a100", Limits(gpuHours: 24, maxGpus: 1), CancellationToken.None);

        Assert.That(reservation.Refusal, Is.TypeOf<TierRefusal>());
        Assert.That(((TierRefusal)reservation.Refusal!).Errors.Keys, Is.EqualTo(new[] { "resources.gpus" }));
        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.Zero);
    }

    [Test]
    public async Task ReserveAsync_WhenTheTierMayNotRunJobs_RefusesACpuOnlyJobToo()
    {
        var ledger = await CreateSutAsync();
        var guest = new TierLimits("guest", 0, 0, null, null);

        var reservation = await ledger.ReserveAsync(
            _rig.Row("req-1", gpus: 0, minutes: 10), null, guest, CancellationToken.None);

        Assert.That(reservation.Refusal, Is.TypeOf<TierRefusal>());
        Assert.That(reservation.Refusal!.Title, Is.EqualTo("Your tier may not run jobs"));
        Assert.That(await _rig.Data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.Zero);
    }

    [Test]
    public async Task ReserveAsync_WhenANewMonthBegins_DoesNotCountLastMonthsJobs()
    {
        var ledger = await CreateSutAsync();
        var limits = Limits(gpuHours: 10);
        _rig.Time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        var november = await _rig.ReserveAsync(_rig.Row("nov", gpus: 5, minutes: 120), limits);
        var stillNovember = await ledger.ReserveAsync(
            _rig.Row("nov-2", gpus: 1, minutes: 60), "a100", limits, CancellationToken.None);

        _rig.Time.Advance(TimeSpan.FromMinutes(2));
        var december = await ledger.ReserveAsync(
            _rig.Row("dec", gpus: 5, minutes: 120), "a100", limits, CancellationToken.None);

        Assert.That(november.QuotaPeriod, Is.EqualTo("2026-11"));
        Assert.That(stillNovember.Refusal, Is.TypeOf<QuotaRefusal>());
        Assert.That(december.Created, Is.True);
        Assert.That(december.Job!.QuotaPeriod, Is.EqualTo("2026-12"));
    }

    [Test]
    public async Task StatusAsync_ReportsUsedByEndedJobsReservedByTheOthersAndWhatIsLeft()
    {
        var ledger = await CreateSutAsync();
        var limits = Limits(gpuHours: 24);
        var ended = await _rig.ReserveAsync(_rig.Row("ended", gpus: 2, minutes: 60), limits);
        await _rig.EndAsync(ended, JobServiceRig.Start, JobServiceRig.Start.AddMinutes(30));
        await _rig.ReserveAsync(_rig.Row("running", gpus: 1, minutes: 240), limits);
        await _rig.ReserveAsync(_rig.Row("cpu", gpus: 0, minutes: 60), limits);
        await _rig.ReserveAsync(_rig.Row("bobs", gpus: 4, minutes: 60, user: "bob"), limits);

        var status = await ledger.StatusAsync(JobServiceRig.User, limits, CancellationToken.None);

        Assert.That(status.Period, Is.EqualTo("2026-11"));
        Assert.That(status.Allowed, Is.EqualTo(24));
        Assert.That(status.Used, Is.EqualTo(1));
        Assert.That(status.Reserved, Is.EqualTo(4));
        Assert.That(status.Left, Is.EqualTo(19));
        Assert.That(status.ResetsAt, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public async Task StatusAsync_WhenTheTierWasLoweredBelowWhatIsHeld_LeftIsZero()
    {
        var ledger = await CreateSutAsync();
        await _rig.ReserveAsync(_rig.Row("big", gpus: 4, minutes: 600), Limits(gpuHours: 150));

        var status = await ledger.StatusAsync(JobServiceRig.User, Limits(gpuHours: 24), CancellationToken.None);

        Assert.That(status.Reserved, Is.EqualTo(40));
        Assert.That(status.Left, Is.Zero);
    }

    [Test]
    public async Task StatusAsync_WhenNothingRan_LeavesTheWholeAllowance()
    {
        var ledger = await CreateSutAsync();

        var status = await ledger.StatusAsync(JobServiceRig.User, Limits(gpuHours: 150), CancellationToken.None);

        Assert.That((status.Used, status.Reserved, status.Left), Is.EqualTo((0.0, 0.0, 150.0)));
    }

    [TestCase("2026-11-10T09:00:00Z", "2026-11", "2026-12-01T00:00:00Z")]
    [TestCase("2026-12-31T23:59:59Z", "2026-12", "2027-01-01T00:00:00Z")]
    [TestCase("2027-01-01T00:00:00Z", "2027-01", "2027-02-01T00:00:00Z")]
    [TestCase("2027-03-01T00:30:00+02:00", "2027-02", "2027-03-01T00:00:00Z")]
    public void PeriodOf_AndResetsAt_FollowTheUtcCalendarMonth(string at, string period, string resets)
    {
        var instant = Parse(at);

        Assert.That(QuotaLedger.PeriodOf(instant), Is.EqualTo(period));
        Assert.That(QuotaLedger.ResetsAt(instant), Is.EqualTo(Parse(resets)));
    }

    [Test]
    public async Task BeginWrite_HoldsTheWriteLockBeforeItsFirstStatement()
    {
        await CreateSutAsync();
        await using var first = await _rig.Data.Database.OpenAsync(CancellationToken.None);
        await using var held = Database.BeginWrite(first);
        await using var second = OpenImpatiently();

        var thrown = Assert.Throws<SqliteException>(() => second.BeginTransaction(deferred: false));

        Assert.That(thrown!.SqliteErrorCode, Is.EqualTo(5), "SQLITE_BUSY: another writer holds the lock");
    }

    [Test]
    public async Task BeginWrite_UnlikeADeferredTransaction_WhichLetsASecondWriterBegin()
    {
        await CreateSutAsync();
        await using var first = await _rig.Data.Database.OpenAsync(CancellationToken.None);
        await using var deferred = ((SqliteConnection)first).BeginTransaction(deferred: true);
        await using var second = OpenImpatiently();

        await using var begun = second.BeginTransaction(deferred: false);

        Assert.That(begun, Is.Not.Null);
    }

    private async Task<QuotaLedger> CreateSutAsync()
    {
        await _rig.StartAsync();
        return _rig.Ledger;
    }

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static TierLimits Limits(double gpuHours, int maxGpus = 8) => new("regular", gpuHours, maxGpus, 2880, null);

    // A connection that gives up on a locked database after a second, so a test of the lock ends quickly.
    private SqliteConnection OpenImpatiently()
    {
        var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder { DataSource = _rig.Data.Database.Path, DefaultTimeout = 1 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=0";
        command.ExecuteNonQuery();
        return connection;
    }
}
