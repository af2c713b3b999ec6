using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Commons.IntegrationTests.Infrastructure;
using OllamaSharp;
using OllamaSharp.Models.Chat;

namespace Commons.IntegrationTests;

/// <summary>
/// `commons serve` speaks the Ollama API on this machine: an unmodified Ollama client lists models and chats with a
/// model whose job runs on the sandbox cluster, and concurrent chats share one job.
/// </summary>
[TestFixture]
[Order(RunOrder.Serve)]
public sealed class ServeTests
{
    private CliProcess? _serve;
    private Uri _address = null!;

    [OneTimeSetUp]
    public async Task StartServeAsync()
    {
        var port = FreePort();
        _address = new Uri($"http://127.0.0.1:{port}");
        _serve = CliProcess.Start(new CliOptions(["serve", "--host", $"127.0.0.1:{port}"]));
        using var http = new HttpClient();
        await Eventually.Async(
            async () =>
            {
                try
                {
                    return await http.GetStringAsync(_address);
                }
                catch (HttpRequestException)
                {
                    return "";
                }
            },
            text => text == "Ollama is running",
            TimeSpan.FromSeconds(30),
            "commons serve to answer on its address");
    }

    [OneTimeTearDown]
    public async Task StopServeAsync()
    {
        if (_serve is not null)
        {
            await _serve.InterruptAsync();
            await _serve.WaitForExitAsync(TimeSpan.FromSeconds(30));
            _serve.Dispose();
        }

        await Cli.RunAsync("stop", "llama3");
    }

    [Test]
    public async Task ListLocalModels_WithOllamaSharp_ShowsTheCatalog()
    {
        var ollama = new OllamaApiClient(_address);

        var models = (await ollama.ListLocalModelsAsync()).Select(m => m.Name).ToList();

        Assert.That(models, Does.Contain("llama3:latest"));
        Assert.That(models, Does.Contain("llama3:70b"));
    }

    [Test]
    public async Task Chat_WithOllamaSharp_StreamsTheModelJobsAnswer()
    {
        var ollama = new OllamaApiClient(_address) { SelectedModel = "llama3" };
        var chat = new Chat(ollama);

        var text = new StringBuilder();
        await foreach (var token in chat.SendAsync("hello through serve"))
        {
            text.Append(token);
        }

        Assert.That(text.ToString(), Is.EqualTo(
            "[stand-in llama3:8b] You said: hello through serve. This answer comes from the Compute Commons " +
            "stand-in for Ollama; no language model ran."));
    }

    [Test]
    public async Task Chat_TwoAtOnce_ShareOneModelJob()
    {
        var ollama = new OllamaApiClient(_address) { SelectedModel = "llama3" };

        var answers = await Task.WhenAll(AskAsync(ollama, "first"), AskAsync(ollama, "second"));

        Assert.That(answers[0], Does.Contain("You said: first."));
        Assert.That(answers[1], Does.Contain("You said: second."));
        var ps = await Cli.RunAsync("ps", "--json");
        using var jobs = JsonDocument.Parse(ps.Stdout);
        var llama = jobs.RootElement.EnumerateArray()
            .Where(j => j.GetProperty("model").ValueKind == JsonValueKind.String && j.GetProperty("model").GetString() == "llama3")
            .ToList();
        Assert.That(llama, Has.Count.EqualTo(1), ps.Describe());
    }

    [Test]
    public async Task ChatCompletions_OpenAiStyleStream_EndsWithDone()
    {
        using var http = new HttpClient { BaseAddress = _address };
        var body = """{"model":"llama3","stream":true,"messages":[{"role":"user","content":"openai style"}]}""";

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(lines[^1], Is.EqualTo("data: [DONE]"));
        var content = new StringBuilder();
        foreach (var line in lines[..^1])
        {
            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            var delta = chunk.RootElement.GetProperty("choices")[0].GetProperty("delta");
            if (delta.TryGetProperty("content", out var piece))
            {
                content.Append(piece.GetString());
            }
        }

        Assert.That(content.ToString(), Does.StartWith("[stand-in llama3:8b] You said: openai style."));
    }

    [Test]
    public async Task Chat_WithAModelOutsideTheCatalog_Answers404()
    {
        using var http = new HttpClient { BaseAddress = _address };
        var body = """{"model":"no-such-model","messages":[{"role":"user","content":"x"}]}""";

        using var response = await http.PostAsync("/api/chat", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("no-such-model"));
    }

    private static async Task<string> AskAsync(OllamaApiClient ollama, string message)
    {
        var text = new StringBuilder();
        await foreach (var token in new Chat(ollama).SendAsync(message))
        {
            text.Append(token);
        }

        return text.ToString();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
