using Commons.Bridge.Data;
using Commons.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Data;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class JobStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly DataTestFolder _data = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _data.Dispose();

    [Test]
    public async Task MigrateAsync_WhenRunTwice_AppliesEachStepOnce()
    {
        var first = await _data.Database.MigrateAsync(CancellationToken.None);

        var second = await _data.Database.MigrateAsync(CancellationToken.None);

        Assert.That(first, Is.EqualTo(3));
        Assert.That(second, Is.EqualTo(3));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM schema_migrations"), Is.EqualTo(3));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.Zero);
    }

    [Test]
    public async Task InsertAsync_WhenNew_StoresEveryField()
    {
        var store = await CreateSutAsync();
        var job = Job("job000000001", "alice", "req-1");

        var (stored, created) = await store.InsertAsync(job, CancellationToken.None);
        var read = await store.GetAsync("job000000001", CancellationToken.None);

        Assert.That(created, Is.True);
        Assert.That(stored.Id, Is.EqualTo("job000000001"));
        Assert.That(read, Is.Not.Null);
        Assert.That(read!.UserId, Is.EqualTo("alice"));
        Assert.That(read.RequestId, Is.EqualTo("req-1"));
        Assert.That(read.Name, Is.EqualTo("echo"));
        Assert.That(read.Site, Is.EqualTo("campus"));
        Assert.That(read.Partition, Is.EqualTo("gpu"));
        Assert.That(read.State, Is.EqualTo(JobStates.Submitting));
        Assert.That(read.Gpus, Is.EqualTo("a100:1"));
        Assert.That(read.Cpus, Is.EqualTo(2));
        Assert.That(read.MemoryMb, Is.EqualTo(1024));
        Assert.That(read.TimeMinutes, Is.EqualTo(60));
        Assert.That(read.Command, Is.EqualTo(new[] { "echo", "it's" }));
        Assert.That(read.SbatchOptions, Is.EqualTo(new[] { "--nodes=1" }));
        Assert.That(read.WorkDir, Is.EqualTo("/srv/commons/jobs/job000000001"));
        Assert.That(read.Script, Is.EqualTo("#!/bin/bash\nexec 'echo'\n"));
        Assert.That(read.CreatedAt, Is.EqualTo(Start.ToUnixTimeMilliseconds()));
        Assert.That(read.SlurmJobId, Is.Null);
    }

    [Test]
    public async Task InsertAsync_WhenTheSameUserRepeatsARequestId_ReturnsTheFirstJob()
    {
        var store = await CreateSutAsync();
        await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        var retry = Job("job000000002", "alice", "req-1");
        retry.Name = "other";

        var (stored, created) = await store.InsertAsync(retry, CancellationToken.None);

        Assert.That(created, Is.False);
        Assert.That(stored.Id, Is.EqualTo("job000000001"));
        Assert.That(stored.Name, Is.EqualTo("echo"));
        Assert.That(await store.GetAsync("job000000002", CancellationToken.None), Is.Null);
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.EqualTo(1));
    }

    [Test]
    public async Task InsertAsync_WhenAnotherUserUsesTheSameRequestId_CreatesANewJob()
    {
        var store = await CreateSutAsync();
        await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);

        var (stored, created) = await store.InsertAsync(Job("job000000002", "bob", "req-1"), CancellationToken.None);

        Assert.That(created, Is.True);
        Assert.That(stored.Id, Is.EqualTo("job000000002"));
        Assert.That(stored.UserId, Is.EqualTo("bob"));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM jobs"), Is.EqualTo(2));
    }

    [Test]
    public async Task UpdateProgressAsync_WhenJobIsRunning_WritesWhatWasLearned()
    {
        var store = await CreateSutAsync();
        var (job, _) = await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(42));
        job.State = JobStates.Running;
        job.Node = "campus-n1";
        job.SlurmJobId = "4242";
        job.StartedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();

        var changed = await store.UpdateProgressAsync(job, CancellationToken.None);
        var read = await store.GetAsync(job.Id, CancellationToken.None);

        Assert.That(changed, Is.True);
        Assert.That(read!.State, Is.EqualTo(JobStates.Running));
        Assert.That(read.Node, Is.EqualTo("campus-n1"));
        Assert.That(read.SlurmJobId, Is.EqualTo("4242"));
        Assert.That(read.StartedAt, Is.EqualTo(Start.AddSeconds(42).ToUnixTimeMilliseconds()));
        Assert.That(read.UpdatedAt, Is.EqualTo(Start.AddSeconds(42).ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task UpdateProgressAsync_WhenJobIsAlreadyCancelled_NeverMovesIt()
    {
        var store = await CreateSutAsync();
        var (job, _) = await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        job.State = JobStates.Cancelled;
        job.Reason = "cancelled by its owner";
        await store.UpdateProgressAsync(job, CancellationToken.None);
        var late = await store.GetAsync(job.Id, CancellationToken.None);
        late!.State = JobStates.Running;
        late.Reason = null;
        late.Node = "campus-n1";

        var changed = await store.UpdateProgressAsync(late, CancellationToken.None);
        var read = await store.GetAsync(job.Id, CancellationToken.None);

        Assert.That(changed, Is.False);
        Assert.That(read!.State, Is.EqualTo(JobStates.Cancelled));
        Assert.That(read.Reason, Is.EqualTo("cancelled by its owner"));
        Assert.That(read.Node, Is.Null);
    }

    [TestCase(JobStates.Succeeded)]
    [TestCase(JobStates.Failed)]
    [TestCase(JobStates.TimedOut)]
    [TestCase(JobStates.OutOfMemory)]
    [TestCase(JobStates.NodeFailed)]
    [TestCase(JobStates.Preempted)]
    public async Task UpdateProgressAsync_WhenJobIsTerminal_ReturnsFalseAndKeepsTheState(string terminal)
    {
        var store = await CreateSutAsync();
        var (job, _) = await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        job.State = terminal;
        await store.UpdateProgressAsync(job, CancellationToken.None);
        job.State = JobStates.Queued;

        var changed = await store.UpdateProgressAsync(job, CancellationToken.None);

        Assert.That(changed, Is.False);
        Assert.That((await store.GetAsync(job.Id, CancellationToken.None))!.State, Is.EqualTo(terminal));
    }

    [Test]
    public async Task MarkSubmittedAsync_WhenJobIsSubmitting_MovesItToQueued()
    {
        var store = await CreateSutAsync();
        await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(3));

        await store.MarkSubmittedAsync("job000000001", "4242", CancellationToken.None);
        var read = await store.GetAsync("job000000001", CancellationToken.None);

        Assert.That(read!.State, Is.EqualTo(JobStates.Queued));
        Assert.That(read.SlurmJobId, Is.EqualTo("4242"));
        Assert.That(read.SubmittedAt, Is.EqualTo(Start.AddSeconds(3).ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task MarkSubmittedAsync_WhenJobWasCancelledMeanwhile_KeepsItCancelledButRecordsTheId()
    {
        var store = await CreateSutAsync();
        var (job, _) = await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        job.State = JobStates.Cancelled;
        await store.UpdateProgressAsync(job, CancellationToken.None);

        await store.MarkSubmittedAsync("job000000001", "4242", CancellationToken.None);
        var read = await store.GetAsync("job000000001", CancellationToken.None);

        Assert.That(read!.State, Is.EqualTo(JobStates.Cancelled));
        Assert.That(read.SlurmJobId, Is.EqualTo("4242"));
    }

    [Test]
    public async Task MarkSubmittedAsync_WhenCalledAgain_KeepsTheFirstSubmitTime()
    {
        var store = await CreateSutAsync();
        await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        await store.MarkSubmittedAsync("job000000001", "4242", CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));

        await store.MarkSubmittedAsync("job000000001", "4242", CancellationToken.None);
        var read = await store.GetAsync("job000000001", CancellationToken.None);

        Assert.That(read!.SubmittedAt, Is.EqualTo(Start.ToUnixTimeMilliseconds()));
        Assert.That(read.UpdatedAt, Is.EqualTo(Start.AddMinutes(5).ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task ActiveAsync_WhenSomeJobsFinished_ListsOnlyUnfinishedJobsOfTheSite()
    {
        var store = await CreateSutAsync();
        await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        var (done, _) = await store.InsertAsync(Job("job000000002", "alice", "req-2"), CancellationToken.None);
        done.State = JobStates.Succeeded;
        await store.UpdateProgressAsync(done, CancellationToken.None);
        var elsewhere = Job("job000000003", "alice", "req-3");
        elsewhere.Site = "other";
        await store.InsertAsync(elsewhere, CancellationToken.None);

        var active = await store.ActiveAsync("campus", CancellationToken.None);

        Assert.That(active.Select(j => j.Id), Is.EqualTo(new[] { "job000000001" }));
    }

    [Test]
    public async Task ListAsync_WhenAllIsAsked_IncludesFinishedJobsNewestFirst()
    {
        var store = await CreateSutAsync();
        await store.InsertAsync(Job("job000000001", "alice", "req-1"), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var (done, _) = await store.InsertAsync(Job("job000000002", "alice", "req-2"), CancellationToken.None);
        done.State = JobStates.Failed;
        await store.UpdateProgressAsync(done, CancellationToken.None);
        await store.InsertAsync(Job("job000000003", "bob", "req-3"), CancellationToken.None);

        var unfinished = await store.ListAsync("alice", all: false, limit: 10, CancellationToken.None);
        var all = await store.ListAsync("alice", all: true, limit: 10, CancellationToken.None);

        Assert.That(unfinished.Select(j => j.Id), Is.EqualTo(new[] { "job000000001" }));
        Assert.That(all.Select(j => j.Id), Is.EqualTo(new[] { "job000000002", "job000000001" }));
    }

    private async Task<JobStore> CreateSutAsync()
    {
        await _data.Database.MigrateAsync(CancellationToken.None);
        await _data.ExecuteAsync("INSERT INTO users (id, created_at) VALUES ('alice', 0), ('bob', 0)");
        return new JobStore(_data.Database, _time);
    }

    private JobRow Job(string id, string userId, string requestId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return new JobRow
        {
            Id = id,
            UserId = userId,
            RequestId = requestId,
            Name = "echo",
            Template = "command",
            Site = "campus",
            Partition = "gpu",
            State = JobStates.Submitting,
            Gpus = "a100:1",
            Cpus = 2,
            MemoryMb = 1024,
            TimeMinutes = 60,
            CommandJson = "[\"echo\",\"it's\"]",
            WorkDir = $"/srv/commons/jobs/{id}",
            Script = "#!/bin/bash\nexec 'echo'\n",
            SbatchJson = "[\"--nodes=1\"]",
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
