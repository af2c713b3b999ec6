using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// <c>commons run MODEL --keepalive DURATION</c>: the bridge stops a model job once it has been idle that long, as
/// Ollama unloads a model; <c>0</c> stops it as the CLI exits and <c>-1</c> keeps it.
/// </summary>
[Order(RunOrder.KeepAlive)]
public sealed class KeepAliveTests
{
    private const string Llama3 = "llama3:8b";

    private ModelUser? _user;

    private ModelUser User => _user ?? throw new InvalidOperationException("the fixture's user was not created");

    [OneTimeSetUp]
    public async Task CreateUserAsync() => _user = await ModelUser.CreateAsync("keepalive");

    [TearDown]
    public Task StopModelJobsAsync() => User.StopAllJobsQuietlyAsync();

    [OneTimeTearDown]
    public void RemoveUser() => _user?.Dispose();

    [Test]
    public async Task Run_WithKeepAlive10s_TheJobLeavesSlurmWithinAMinuteOfTheAnswer()
    {
        var run = await User.RunAsync(["run", "llama3", "--keepalive", "10s", "x"]);
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        Assert.That(run.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "x") + "\n\n"), run.Describe());
        var job = await NewestJobAsync("llama3");

        await Eventually.Async(
            () => Sandbox.SqueueAsync(job.SlurmJobId!, allStates: false),
            state => state.Length == 0,
            TimeSpan.FromSeconds(60),
            $"Slurm job {job.SlurmJobId} to leave squeue once idle for 10 s");

        var stopped = await NewestJobAsync("llama3");
        Assert.That(stopped.State, Is.EqualTo(JobStates.Cancelled), ModelUser.Show([stopped]));
        Assert.That(stopped.Reason, Does.Contain("keep-alive"), ModelUser.Show([stopped]));
    }

    [Test]
    public async Task Run_WithKeepAlive0_StopsTheJobAsTheCliExits()
    {
        var run = await User.RunAsync(["run", "llama3", "--keepalive", "0", "x"]);

        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        Assert.That(run.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "x") + "\n\n"), run.Describe());
        var job = await NewestJobAsync("llama3");
        Assert.That(job.State, Is.EqualTo(JobStates.Cancelled), ModelUser.Show([job]));
        await Eventually.Async(
            () => Sandbox.SqueueAsync(job.SlurmJobId!, allStates: false),
            state => state.Length == 0,
            TimeSpan.FromSeconds(30),
            $"Slurm job {job.SlurmJobId} to leave squeue");
    }

    [Test]
    public async Task Run_WithKeepAliveMinus1_KeepsTheJobWithNoStopTime()
    {
        var run = await User.RunAsync(["run", "llama3", "--keepalive", "-1", "x"]);

        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        Assert.That(run.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "x") + "\n\n"), run.Describe());
        var job = await User.WarmJobAsync("llama3");
        Assert.That(job.State, Is.EqualTo(JobStates.Running), ModelUser.Show([job]));
        Assert.That(job.KeepAliveUntil, Is.Null, ModelUser.Show([job]));
        var table = await User.RunAsync(["ps"], timeout: TimeSpan.FromSeconds(30));
        var row = table.Lines.Select(l => l.Text).SingleOrDefault(l => l.StartsWith(job.Id, StringComparison.Ordinal));
        Assert.That(row, Does.Contain("Forever"), table.Describe());
    }

    [Test]
    public async Task Ps_AfterAnAnswerLongerThanTheKeepAlive_CountsTheKeepAliveFromTheAnswersEnd()
    {
        // The stand-in streams one word per 20 ms: echoing 600 words takes over 12 s, longer than the keep-alive.
        var message = string.Join(' ', Enumerable.Range(1, 600).Select(i => $"w{i}"));
        var run = await User.RunAsync(["run", "llama3", "--keepalive", "10s", message]);
        var answeredAt = DateTimeOffset.UtcNow;
        Assert.That(run.ExitCode, Is.Zero, run.Describe());

        var jobs = await User.PsAsync();

        var job = jobs.SingleOrDefault(j => j.Model == "llama3");
        Assert.That(job, Is.Not.Null, "the job was stopped while it answered, or at once after: " + ModelUser.Show(jobs));
        Assert.That(job!.KeepAliveUntil, Is.Not.Null.And.GreaterThanOrEqualTo(answeredAt.AddSeconds(8)), ModelUser.Show(jobs));
    }

    /// <summary>The user's newest job of a model, finished or not, as <c>commons ps --all --json</c> lists it.</summary>
    private async Task<JobView> NewestJobAsync(string model)
    {
        var jobs = await User.PsAsync(all: true);
        var newest = jobs.Where(j => j.Model == model).MaxBy(j => j.CreatedAt);
        Assert.That(newest, Is.Not.Null, $"no {model} job in `commons ps --all --json`: {ModelUser.Show(jobs)}");
        return newest!;
    }
}
