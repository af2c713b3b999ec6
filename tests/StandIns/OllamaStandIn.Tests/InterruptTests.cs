using System.Text;
using Commons.StandIns.Ollama.Tests.Infrastructure;
using OllamaSharp;
using OllamaSharp.Models.Chat;

namespace Commons.StandIns.Ollama.Tests;

/// <summary>An answer streamed slowly enough to interrupt, as a person pressing Ctrl-C in a chat would.</summary>
public sealed class InterruptTests
{
    private StandInProcess _standIn = null!;

    [OneTimeSetUp]
    public async Task StartStandInAsync()
    {
        // 200 ms a word: an answer of twenty-odd words takes seconds, far longer than the test needs to cut it.
        _standIn = await StandInProcess.StartAsync(new Dictionary<string, string>
        {
            ["OLLAMA_STANDIN_MODELS"] = "llama3",
            ["OLLAMA_STANDIN_TOKEN_DELAY_MS"] = "200",
        });
    }

    [OneTimeTearDown]
    public async Task StopStandInAsync() => await _standIn.DisposeAsync();

    [Test]
    public async Task Chat_WhenTheClientDisconnectsMidAnswer_StopsGenerating()
    {
        using var ollama = new OllamaApiClient(_standIn.BaseUri);
        var request = new ChatRequest { Model = "llama3", Messages = [new Message(ChatRole.User, "Tell me a story.")] };
        var received = new StringBuilder();

        // Leaving the loop disposes the response, which closes the connection: the client is gone.
        await foreach (var chunk in ollama.ChatAsync(request))
        {
            received.Append(chunk!.Message.Content);
            if (received.ToString().EndsWith(']'))
            {
                break;
            }
        }

        await Eventually.TrueAsync(
            () => _standIn.Stderr.Contains("chat llama3: stopped after", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            () => $"the stand-in to log the interrupted chat; stderr so far:\n{_standIn.Stderr}");
        Assert.That(received.ToString(), Is.EqualTo("[stand-in llama3]"));
        Assert.That(_standIn.Stderr, Does.Contain("the client went away"));
        Assert.That(_standIn.Stderr, Does.Not.Contain("tokens, stop"), "no answer ran to its end");
    }
}
