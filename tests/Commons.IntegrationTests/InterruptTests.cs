using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>Ctrl-C on <c>commons run</c> stops the remote job, as it would stop a local command.</summary>
[Order(RunOrder.Interrupt)]
public sealed class InterruptTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Run_WhenInterrupted_Exits130AndTheJobIsCancelledAndLeavesSlurm()
    {
        string[] command = ["sh", "-c", "echo started; sleep 300"];
        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var cli = CliProcess.Start(new CliOptions(["run", "--", .. command]));
        await cli.WaitForLineAsync("started", TimeSpan.FromSeconds(60));
        var job = (await BridgeApi.ListAllAsync())[0];
        try
        {
            Assert.That(job.Command, Is.EqualTo(command), "the newest job is not the one this test started");
            Assert.That(job.CreatedAt, Is.GreaterThanOrEqualTo(startedAt));

            await cli.InterruptAsync();
            var result = await cli.WaitForExitAsync(Limit);

            Assert.That(result.ExitCode, Is.EqualTo(130), result.Describe());
            await Eventually.Async(
                () => Sandbox.SqueueAsync(job.SlurmJobId!, allStates: false),
                state => state.Length == 0,
                Limit,
                $"Slurm job {job.SlurmJobId} to leave squeue's default states");
            var final = await BridgeApi.GetAsync(job.Id);
            Assert.That(final.State, Is.EqualTo(JobStates.Cancelled));
        }
        finally
        {
            await BridgeApi.CancelQuietlyAsync(job.Id);
        }
    }
}
