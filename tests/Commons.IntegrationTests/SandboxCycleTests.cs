using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// <c>scripts/sandbox down</c> and <c>up</c> can follow each other any number of times and leave a working sandbox.
/// Runs after every other fixture, whatever their outcome: <c>down</c> cancels every job and stops the bridge.
/// </summary>
[Order(RunOrder.SandboxCycle)]
[NonParallelizable]
public sealed class SandboxCycleTests
{
    [Test]
    public async Task DownThenUpTwice_LeavesASandboxThatRunsAJob()
    {
        for (var cycle = 0; cycle < 2; cycle++)
        {
            await Sandbox.RunScriptAsync("down");
            await Sandbox.RunScriptAsync("up");
        }

        var result = await Cli.RunAsync("run", "--", "true");

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
    }
}
