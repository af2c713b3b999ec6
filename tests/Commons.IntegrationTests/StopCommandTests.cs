using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary><c>commons stop ID</c> ends a running job on the cluster.</summary>
[Order(RunOrder.Commands)]
public sealed class StopCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Stop_WhenJobRuns_PrintsCancelledAndTheJobLeavesSlurm()
    {
        var job = await BridgeApi.SubmitOkAsync(BridgeApi.Command("sleep", "300"));
        try
        {
            await Eventually.Async(
                () => Sandbox.SqueueAsync(job.SlurmJobId!), state => state == "RUNNING", Limit, "the job to run");

            var result = await Cli.RunAsync("stop", job.Id);

            Assert.That(result.ExitCode, Is.Zero, result.Describe());
            Assert.That(result.Stdout, Is.EqualTo($"{job.Id} cancelled\n"), result.Describe());
            Assert.That((await BridgeApi.GetAsync(job.Id)).State, Is.EqualTo(JobStates.Cancelled));
            await Eventually.Async(
                () => Sandbox.SqueueAsync(job.SlurmJobId!, allStates: false),
                state => state.Length == 0,
                Limit,
                $"Slurm job {job.SlurmJobId} to leave squeue's default states");
        }
        finally
        {
            await BridgeApi.CancelQuietlyAsync(job.Id);
        }
    }
}
