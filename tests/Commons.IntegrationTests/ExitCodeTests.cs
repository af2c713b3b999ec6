using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>A job's exit code decides how the bridge reports it.</summary>
[Order(RunOrder.ExitCodes)]
public sealed class ExitCodeTests
{
    [Test]
    public async Task Run_WhenCommandExits1_IsReportedFailedWithExitCode1()
    {
        var detached = await Cli.RunAsync("run", "--detach", "--json", "--", "sh", "-c", "sleep 0.1; exit 1");
        Assert.That(detached.ExitCode, Is.Zero, detached.Describe());
        var submitted = JsonSerializer.Deserialize<JobView>(detached.Stdout, Json.Options)!;

        var job = await BridgeApi.WaitForEndAsync(submitted.Id);

        Assert.That(job.State, Is.EqualTo(JobStates.Failed), $"reason: {job.Reason}");
        Assert.That(job.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public async Task Run_WhenCommandExits1InTheForeground_ExitsWith1()
    {
        var result = await Cli.RunAsync("run", "--", "sh", "-c", "sleep 0.1; exit 1");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Describe());
    }
}
