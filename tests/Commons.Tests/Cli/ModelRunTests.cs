using Commons.Cli.Models;

namespace Commons.Tests.Cli;

public sealed class ModelRunTests
{
    [TestCase("commons: pulling llama3:8b", "pulling llama3")]
    [TestCase("commons: loading llama3:8b", "loading llama3")]
    [TestCase("commons: ready: llama3:8b", "ready")]
    [TestCase("{\"status\":\"pulling 70da\",\"digest\":\"sha256:70da\",\"total\":4000000000,\"completed\":1000000000}",
        "pulling llama3 25% of 4000 MB")]
    [TestCase("{\"status\":\"success\"}", null)]
    [TestCase("commons: runtime answering on 127.0.0.1:4000", null)]
    [TestCase("{not json \"completed\"", null)]
    public void Phase_ReadsTheModelJobsLogLines(string line, string? expected)
    {
        Assert.That(ModelRun.Phase(line, "llama3"), Is.EqualTo(expected));
    }
}
