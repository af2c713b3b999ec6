using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// <c>commons run MODEL [PROMPT]</c> answers from the user's warm model job, which it starts on first use and reuses
/// while the job stays warm; <c>commons ps</c> shows the job and <c>commons stop MODEL</c> ends it.
/// </summary>
[Order(RunOrder.ModelRun)]
public sealed class ModelRunTests
{
    // What the Ollama runtime calls the catalog's models (config/models.yaml), and so what the stand-in answers as.
    private const string Llama3 = "llama3:8b";
    private const string Mistral = "mistral:7b";

    private static readonly TimeSpan WarmAnswer = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LeaveSlurm = TimeSpan.FromSeconds(30);

    private ModelUser? _user;

    private ModelUser User => _user ?? throw new InvalidOperationException("the fixture's user was not created");

    [OneTimeSetUp]
    public async Task CreateUserAsync() => _user = await ModelUser.CreateAsync("models");

    [TearDown]
    public Task StopModelJobsAsync() => User.StopAllJobsQuietlyAsync();

    [OneTimeTearDown]
    public void RemoveUser() => _user?.Dispose();

    [Test]
    public async Task Run_WithAPrompt_PrintsTheStandInsAnswerOnStdoutAndExits0()
    {
        var result = await User.RunAsync(["run", "llama3", "say hi"]);

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        // The answer, then a blank line, as `ollama run` ends one; the waiting status went to stderr.
        Assert.That(result.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "say hi") + "\n\n"), result.Describe());
    }

    [Test]
    public async Task Run_AgainWithinTheKeepAlive_ReusesTheWarmJobAndAnswersWithin2Seconds()
    {
        var first = await User.RunAsync(["run", "llama3", "say hi"]);
        Assert.That(first.ExitCode, Is.Zero, first.Describe());
        var warm = await User.WarmJobAsync("llama3");
        var llama3JobsBefore = (await User.PsAsync(all: true)).Count(j => j.Model == "llama3");

        var second = await User.RunTimedAsync(["run", "llama3", "again"]);
        await TestContext.Out.WriteLineAsync($"first answer byte {second.FirstStdoutByte?.TotalMilliseconds:0} ms after the CLI started");

        Assert.That(second.ExitCode, Is.Zero, second.Describe());
        Assert.That(second.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "again") + "\n\n"), second.Describe());
        var after = await User.WarmJobAsync("llama3");
        Assert.That((after.Id, after.SlurmJobId), Is.EqualTo((warm.Id, warm.SlurmJobId)), "the second run used another job");
        Assert.That((await User.PsAsync(all: true)).Count(j => j.Model == "llama3"), Is.EqualTo(llama3JobsBefore), "the second run submitted a job");
        Assert.That(after.State, Is.EqualTo(JobStates.Running));
        Assert.That(second.FirstStdoutByte, Is.Not.Null.And.LessThanOrEqualTo(WarmAnswer), second.Describe());
    }

    [Test]
    public async Task Run_WithThePromptPipedIn_AnswersIt()
    {
        var result = await User.RunAsync(["run", "llama3"], stdin: "hi\n");

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        Assert.That(result.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "hi") + "\n\n"), result.Describe());
    }

    [Test]
    public async Task Ps_WhileAModelJobIsWarm_ShowsItsModelAndWhenItWillStop()
    {
        var run = await User.RunAsync(["run", "llama3", "say hi"]);
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        var answeredAt = DateTimeOffset.UtcNow;

        var jobs = await User.PsAsync();
        var table = await User.RunAsync(["ps"], timeout: TimeSpan.FromSeconds(30));

        var job = jobs.SingleOrDefault(j => j.Model == "llama3");
        Assert.That(job, Is.Not.Null, ModelUser.Show(jobs));
        Assert.That(job!.State, Is.EqualTo(JobStates.Running), ModelUser.Show(jobs));
        // Five minutes (the default keep-alive) from the last request, which came shortly before the answer.
        Assert.That(
            job.KeepAliveUntil,
            Is.Not.Null.And.InRange(answeredAt.AddMinutes(4), answeredAt.AddMinutes(5).AddSeconds(5)),
            ModelUser.Show(jobs));
        Assert.That(table.ExitCode, Is.Zero, table.Describe());
        Assert.That(table.Stdout, Does.Contain("UNTIL"), table.Describe());
        var row = table.Lines.Select(l => l.Text).SingleOrDefault(l => l.StartsWith(job.Id, StringComparison.Ordinal));
        Assert.That(row, Does.Contain("minutes from now"), table.Describe());
    }

    [Test]
    public async Task Stop_WithTheModelsName_StopsTheWarmJobAndItLeavesSlurm()
    {
        var run = await User.RunAsync(["run", "llama3", "say hi"]);
        Assert.That(run.ExitCode, Is.Zero, run.Describe());
        var warm = await User.WarmJobAsync("llama3");

        var stop = await User.RunAsync(["stop", "llama3"], timeout: TimeSpan.FromSeconds(30));

        Assert.That(stop.ExitCode, Is.Zero, stop.Describe());
        Assert.That(stop.Stdout, Is.EqualTo($"llama3 ({warm.Id}) cancelled\n"), stop.Describe());
        var left = await User.PsAsync();
        Assert.That(left.Where(j => j.Model == "llama3"), Is.Empty, ModelUser.Show(left));
        await Eventually.Async(
            () => Sandbox.SqueueAsync(warm.SlurmJobId!, allStates: false),
            state => state.Length == 0,
            LeaveSlurm,
            $"Slurm job {warm.SlurmJobId} to leave squeue");
    }

    [Test]
    public async Task Run_WithAMisspelledModel_FailsNamingTheFieldModelAndSuggestingLlama3()
    {
        var jobsBefore = (await User.PsAsync(all: true)).Count;

        var result = await User.RunAsync(["run", "lama3", "hi"], timeout: TimeSpan.FromSeconds(30));

        Assert.That(result.ExitCode, Is.EqualTo(125), result.Describe());
        Assert.That(result.Stderr, Does.Contain("model:"), result.Describe());
        Assert.That(result.Stderr, Does.Contain("llama3"), result.Describe());
        Assert.That(result.Stdout, Is.Empty, result.Describe());
        Assert.That((await User.PsAsync(all: true)).Count, Is.EqualTo(jobsBefore), "a job was submitted");
    }

    [Test]
    public async Task Run_TwoModels_EachAnswersFromItsOwnJobSideBySideOnTheNode()
    {
        var llama3 = await User.RunAsync(["run", "llama3", "one"]);
        var mistral = await User.RunAsync(["run", "mistral", "two"]);
        var jobs = await User.PsAsync();
        var llama3Again = await User.RunAsync(["run", "llama3", "three"]);

        Assert.That(llama3.ExitCode, Is.Zero, llama3.Describe());
        Assert.That(llama3.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "one") + "\n\n"), llama3.Describe());
        Assert.That(mistral.ExitCode, Is.Zero, mistral.Describe());
        Assert.That(mistral.Stdout, Is.EqualTo(StandIn.Answer(Mistral, "two") + "\n\n"), mistral.Describe());
        Assert.That(llama3Again.ExitCode, Is.Zero, llama3Again.Describe());
        Assert.That(llama3Again.Stdout, Is.EqualTo(StandIn.Answer(Llama3, "three") + "\n\n"), llama3Again.Describe());
        Assert.That(jobs.Select(j => j.Model).Order(), Is.EqualTo(new[] { "llama3", "mistral" }), ModelUser.Show(jobs));
        Assert.That(jobs.Select(j => j.State), Is.All.EqualTo(JobStates.Running), ModelUser.Show(jobs));
        Assert.That(jobs.Select(j => j.Node).Distinct().Count(), Is.EqualTo(1), ModelUser.Show(jobs));
        Assert.That(jobs.Select(j => j.SlurmJobId).Distinct().Count(), Is.EqualTo(2), ModelUser.Show(jobs));
    }
}
