using Commons.Cli.Commands;

namespace Commons.Tests.Tunnels;

public sealed class ForwardTargetTests
{
    [TestCase("web", 0, "web")]
    [TestCase("8080:web", 8080, "web")]
    [TestCase("0:api", 0, "api")]
    [TestCase("65535:jupyter-lab", 65535, "jupyter-lab")]
    public void TryParseTarget_WhenWellFormed_ReadsLocalPortAndName(string text, int local, string name)
    {
        var ok = ForwardCommand.TryParseTarget(text, out var localPort, out var portName, out var error);

        Assert.That(ok, Is.True, error);
        Assert.That(localPort, Is.EqualTo(local));
        Assert.That(portName, Is.EqualTo(name));
    }

    [TestCase("65536:web", "is not a local port number")]
    [TestCase("-1:web", "is not a local port number")]
    [TestCase("http:web", "is not a local port number")]
    [TestCase(":web", "is not a local port number")]
    [TestCase("8080:", "is not a port name")]
    [TestCase("8080:../x", "is not a port name")]
    [TestCase("Web", "is not a port name")]
    [TestCase("host:8080:web", "is not a local port number")]
    public void TryParseTarget_WhenMalformed_SaysWhichPartIsWrong(string text, string expected)
    {
        var ok = ForwardCommand.TryParseTarget(text, out _, out _, out var error);

        Assert.That(ok, Is.False);
        Assert.That(error, Does.Contain(expected));
    }
}
