using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// Restarting the bridge loses no job: running and queued jobs are followed again from the database, and a
/// <c>commons run</c> waiting in the foreground carries on as if nothing happened.
/// </summary>
[Order(RunOrder.BridgeRestart)]
[NonParallelizable]
public sealed class BridgeRestartTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    // Longer than the CLI's 1 s status poll, so that a waiting `commons run` asks at least once while the bridge
    // is away, as it would during a deploy or a crash and restart.
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    [Test]
    public async Task RestartBridge_WhileJobsRunAndQueue_EveryJobSucceedsWithItsOutput()
    {
        var first = await DetachAsync("--", "sh", "-c", "sleep 8; echo done-1");
        var second = await DetachAsync("--", "sh", "-c", "sleep 8; echo done-2");
        await WaitForSlurmStateAsync(first, "RUNNING");
        await WaitForSlurmStateAsync(second, "RUNNING");
        var third = await DetachAsync("--cpus", "2", "--", "sh", "-c", "echo done-3");
        await WaitForSlurmStateAsync(third, "PENDING");

        await Sandbox.RestartBridgeAsync();
        var ended = new List<JobView>();
        foreach (var job in new[] { first, second, third })
        {
            ended.Add(await BridgeApi.WaitForEndAsync(job.Id, Limit));
        }

        Assert.That(ended.Select(j => j.State), Is.All.EqualTo(JobStates.Succeeded), Show(ended));
        Assert.That(ended.Select(j => j.ExitCode), Is.All.EqualTo(0), Show(ended));
        var listed = (await BridgeApi.ListAllAsync()).Select(j => j.Id).ToList();
        Assert.That(listed, Is.SupersetOf(new[] { first.Id, second.Id, third.Id }));
        var logs = new[] { first, second, third }.Select(j => Cli.RunAsync("logs", j.Id));
        var outputs = await Task.WhenAll(logs);
        Assert.That(outputs.Select(o => o.ExitCode), Is.All.Zero, string.Join("\n", outputs.Select(o => o.Describe())));
        Assert.That(outputs.Select(o => o.Stdout), Is.EqualTo(new[] { "done-1\n", "done-2\n", "done-3\n" }));
    }

    [Test]
    public async Task Run_WhenBridgeIsDownForAWhileTheJobQueues_StillPrintsTheOutputAndExitsWithTheJobsCode()
    {
        string[] command = ["sh", "-c", "echo after-restart; exit 4"];
        var blocker = await DetachAsync("--cpus", "2", "--", "sleep", "10");
        try
        {
            await WaitForSlurmStateAsync(blocker, "RUNNING");
            using var cli = CliProcess.Start(new CliOptions(["run", "--", .. command]));
            var job = await Eventually.Async(
                async () => (await BridgeApi.ListAllAsync())[0],
                newest => newest.Command.SequenceEqual(command) && newest.SlurmJobId is not null,
                TimeSpan.FromSeconds(20),
                "the foreground job to be submitted");
            await WaitForSlurmStateAsync(job, "PENDING");

            await Sandbox.KillBridgeAsync();
            await Task.Delay(Outage);
            await Sandbox.RunScriptAsync("up");
            var result = await cli.WaitForExitAsync(Limit);

            Assert.That(result.ExitCode, Is.EqualTo(4), result.Describe());
            Assert.That(result.Stdout, Is.EqualTo("after-restart\n"), result.Describe());
        }
        finally
        {
            await BridgeApi.CancelQuietlyAsync(blocker.Id);
        }
    }

    [Test]
    public async Task Run_WhenBridgeRestartsWhileOutputStreams_PrintsEveryLineOnceAndExitsWithTheJobsCode()
    {
        const string loop = "for i in $(seq 1 10); do echo line-$i; sleep 1; done; exit 5";
        using var cli = CliProcess.Start(new CliOptions(["run", "--", "sh", "-c", loop]));
        await cli.WaitForLineAsync("line-3", TimeSpan.FromSeconds(60));

        await Sandbox.RestartBridgeAsync();
        var result = await cli.WaitForExitAsync(Limit);

        Assert.That(result.ExitCode, Is.EqualTo(5), result.Describe());
        var expected = string.Concat(Enumerable.Range(1, 10).Select(i => $"line-{i}\n"));
        Assert.That(result.Stdout, Is.EqualTo(expected), result.Describe());
    }

    private static async Task<JobView> DetachAsync(params string[] arguments)
    {
        var result = await Cli.RunAsync(["run", "--detach", "--json", .. arguments]);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        return JsonSerializer.Deserialize<JobView>(result.Stdout, Json.Options)!;
    }

    private static Task<string> WaitForSlurmStateAsync(JobView job, string state) =>
        Eventually.Async(
            () => Sandbox.SqueueAsync(job.SlurmJobId!),
            seen => seen == state,
            TimeSpan.FromSeconds(20),
            $"Slurm job {job.SlurmJobId} ({string.Join(' ', job.Command)}) to be {state}");

    private static string Show(IEnumerable<JobView> jobs) =>
        string.Join("\n", jobs.Select(j => $"{j.Id}: {j.State} exit {j.ExitCode} ({j.Reason})"));
}
