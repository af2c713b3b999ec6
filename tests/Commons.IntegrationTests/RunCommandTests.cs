using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary><c>commons run -- CMD</c> behaves like CMD run here: its output, its exit code, its argv.</summary>
[Order(RunOrder.Run)]
public sealed class RunCommandTests
{
    [Test]
    public async Task Run_WhenCommandExits3_PrintsStdoutAndStderrOnStdoutAndExits3()
    {
        string[] command = ["sh", "-c", "echo hello; echo oops >&2; exit 3"];

        var result = await Cli.RunAsync(["run", "--", .. command]);

        Assert.That(result.ExitCode, Is.EqualTo(3), result.Describe());
        Assert.That(result.Stdout, Is.EqualTo("hello\noops\n"), result.Describe());
    }

    [Test]
    public async Task Run_WhenArgumentHoldsShellSyntax_PassesItAsOneWordUnchanged()
    {
        const string argument = "it's $HOME; $(id)";

        var result = await Cli.RunAsync("run", "--", "echo", argument);

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        Assert.That(result.Stdout, Is.EqualTo("it's $HOME; $(id)\n"), result.Describe());
    }

    [Test]
    public async Task Run_WhenGpuTypeIsUnknown_Exits125NamingTheFieldAndTheOfferedTypes()
    {
        var result = await Cli.RunAsync("run", "--gpus", "h100:1", "--", "true");

        Assert.That(result.ExitCode, Is.EqualTo(125), result.Describe());
        Assert.That(result.Stderr, Does.Contain("resources.gpus"), result.Describe());
        Assert.That(result.Stderr, Does.Contain("a100"), result.Describe());
        Assert.That(result.Stdout, Is.Empty, result.Describe());
    }
}
