using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// Jobs that end while the bridge is down and then leave Slurm's memory (MinJobAge) are settled from the exit-code
/// file each job writes into its folder: neither squeue nor scontrol knows them any more when the bridge is back.
/// </summary>
/// <remarks>
/// Both jobs share one bridge outage, so the long wait for Slurm to forget them is paid once.
/// </remarks>
[Order(RunOrder.ExitCodeFile)]
[NonParallelizable]
public sealed class ExitCodeFileTests
{
    private const string FileReason = "exit code read from the job's folder";
    private static readonly TimeSpan ForgetLimit = TimeSpan.FromSeconds(90);

    private JobView _failing = null!;
    private JobView _succeeding = null!;

    [OneTimeSetUp]
    public async Task RunJobsWhileTheBridgeIsDownAsync()
    {
        _failing = await DetachAsync("sleep 3; exit 1");
        _succeeding = await DetachAsync("sleep 3; exit 0");
        try
        {
            await Sandbox.KillBridgeAsync();
            foreach (var job in new[] { _failing, _succeeding })
            {
                var recorded = await BridgeDatabase.StateOfAsync(job.Id);
                Assert.That(
                    JobStates.IsTerminal(recorded!),
                    Is.False,
                    $"job {job.Id} was already {recorded} when the bridge died; the test would prove nothing");
            }

            await Task.WhenAll(WaitUntilForgottenAsync(_failing), WaitUntilForgottenAsync(_succeeding));
        }
        finally
        {
            await Sandbox.RunScriptAsync("up");
        }
    }

    [Test]
    public async Task Poll_WhenAFailedJobLeftSlurmWhileTheBridgeWasDown_ReportsFailedWithExitCode1()
    {
        var job = await BridgeApi.WaitForEndAsync(_failing.Id);

        Assert.That(job.State, Is.EqualTo(JobStates.Failed), $"reason: {job.Reason}");
        Assert.That(job.ExitCode, Is.EqualTo(1));
        Assert.That(job.Reason, Is.EqualTo(FileReason));
    }

    [Test]
    public async Task Poll_WhenASucceededJobLeftSlurmWhileTheBridgeWasDown_ReportsSucceeded()
    {
        var job = await BridgeApi.WaitForEndAsync(_succeeding.Id);

        Assert.That(job.State, Is.EqualTo(JobStates.Succeeded), $"reason: {job.Reason}");
        Assert.That(job.ExitCode, Is.Zero);
        Assert.That(job.Reason, Is.EqualTo(FileReason));
    }

    private static async Task<JobView> DetachAsync(string script)
    {
        var result = await Cli.RunAsync("run", "--detach", "--json", "--", "sh", "-c", script);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        var job = JsonSerializer.Deserialize<JobView>(result.Stdout, Json.Options)!;
        Assert.That(job.SlurmJobId, Is.Not.Null, result.Stdout);
        return job;
    }

    private static Task<string> WaitUntilForgottenAsync(JobView job) =>
        Eventually.Async(
            () => Sandbox.SqueueAsync(job.SlurmJobId!),
            state => state.Length == 0,
            ForgetLimit,
            $"Slurm to forget job {job.SlurmJobId} (squeue -h -t all -j {job.SlurmJobId} printing nothing)");
}
