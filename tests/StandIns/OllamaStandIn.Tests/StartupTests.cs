using System.Net;
using System.Net.Sockets;
using Commons.StandIns.Ollama.Tests.Infrastructure;
using OllamaSharp;

namespace Commons.StandIns.Ollama.Tests;

/// <summary>
/// How the stand-in starts, as a job script starts it: where it listens, when it refuses, what it keeps.
/// </summary>
public sealed class StartupTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Start_WhenThePortIsTaken_ExitsNonZeroWithOllamasMessage()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        await using var standIn = StandInProcess.Launch(
            new Dictionary<string, string> { ["OLLAMA_HOST"] = $"127.0.0.1:{port}" }, port, "serve");
        var exitCode = await standIn.WaitForExitAsync(ExitTimeout);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(standIn.Stderr, Does.Contain($"Error: listen tcp 127.0.0.1:{port}: bind: address already in use"));
    }

    [Test]
    public async Task Start_WithAnHttpUrlInOllamaHost_ListensThere()
    {
        var port = StandInProcess.FreeLoopbackPort();

        await using var standIn = StandInProcess.Launch(
            new Dictionary<string, string> { ["OLLAMA_HOST"] = $"http://127.0.0.1:{port}/" }, port, "serve");
        await standIn.WaitUntilAnsweringAsync();
        using var ollama = new OllamaApiClient(standIn.BaseUri);

        Assert.That(await ollama.GetVersionAsync(), Is.EqualTo(Expected.Version));
        Assert.That(standIn.Stderr, Does.Contain($"Listening on 127.0.0.1:{port}"));
    }

    [Test]
    public async Task Start_WithABarePortInOllamaHostAndNoArguments_ListensOnLoopback()
    {
        var port = StandInProcess.FreeLoopbackPort();

        await using var standIn = StandInProcess.Launch(
            new Dictionary<string, string> { ["OLLAMA_HOST"] = $":{port}" }, port);
        await standIn.WaitUntilAnsweringAsync();

        Assert.That(standIn.Stderr, Does.Contain($"Listening on 127.0.0.1:{port}"));
    }

    [TestCase("OLLAMA_HOST", "gpu-node-7:11434", "is not an IP address")]
    [TestCase("OLLAMA_STANDIN_MODELS", "llama3,bad name", "invalid model name")]
    [TestCase("OLLAMA_STANDIN_TOKEN_DELAY_MS", "fast", "whole number of milliseconds")]
    public async Task Start_WithAnUnusableSetting_ExitsNonZeroNamingTheVariable(string name, string value, string why)
    {
        var port = StandInProcess.FreeLoopbackPort();
        var environment = new Dictionary<string, string> { ["OLLAMA_HOST"] = $"127.0.0.1:{port}", [name] = value };

        await using var standIn = StandInProcess.Launch(environment, port, "serve");
        var exitCode = await standIn.WaitForExitAsync(ExitTimeout);

        Assert.That(exitCode, Is.Not.Zero);
        Assert.That(standIn.Stderr, Does.Contain($"Error: {name}={value}: ").And.Contain(why));
    }

    [Test]
    public async Task PulledModels_WithOllamaModelsSet_AreStillListedAfterARestart()
    {
        var folder = Directory.CreateTempSubdirectory("ollama-standin-models-");
        try
        {
            var environment = new Dictionary<string, string> { ["OLLAMA_MODELS"] = folder.FullName };
            await using (var first = await StandInProcess.StartAsync(environment))
            {
                using var ollama = new OllamaApiClient(first.BaseUri);
                await foreach (var _ in ollama.PullModelAsync("qwen2:0.5b"))
                {
                    // Pulling is done when the stream ends.
                }
            }

            await using var second = await StandInProcess.StartAsync(environment);
            using var client = new OllamaApiClient(second.BaseUri);
            var models = await client.ListLocalModelsAsync();

            var qwen = models.Single(model => model.Name == "qwen2:0.5b");
            Assert.That(qwen.Details.ParameterSize, Is.EqualTo("500M"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
