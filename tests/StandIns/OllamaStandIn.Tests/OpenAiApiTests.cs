using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Commons.StandIns.Ollama.Tests.Infrastructure;

namespace Commons.StandIns.Ollama.Tests;

/// <summary>The OpenAI-compatible routes under /v1, driven with a plain HttpClient as an OpenAI SDK would.</summary>
public sealed class OpenAiApiTests
{
    private StandInProcess _standIn = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartStandInAsync()
    {
        _standIn = await StandInProcess.StartAsync(new Dictionary<string, string>
        {
            ["OLLAMA_STANDIN_MODELS"] = "llama3,example/coder:7b",
            ["OLLAMA_STANDIN_TOKEN_DELAY_MS"] = "1",
        });
        _http = new HttpClient { BaseAddress = _standIn.BaseUri };
    }

    [OneTimeTearDown]
    public async Task StopStandInAsync()
    {
        _http.Dispose();
        await _standIn.DisposeAsync();
    }

    [Test]
    public async Task Models_ListsPulledModelsAsOpenAiModelObjects()
    {
        using var response = await _http.GetAsync(new Uri("/v1/models", UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var data = body.RootElement.GetProperty("data").EnumerateArray().ToList();
        var llama3 = data.Single(model => model.GetProperty("id").GetString() == "llama3:latest");
        var coder = data.Single(model => model.GetProperty("id").GetString() == "example/coder:7b");
        Assert.That(body.RootElement.GetProperty("object").GetString(), Is.EqualTo("list"));
        Assert.That(llama3.GetProperty("object").GetString(), Is.EqualTo("model"));
        Assert.That(llama3.GetProperty("created").GetInt64(), Is.GreaterThan(0));
        Assert.That(llama3.GetProperty("owned_by").GetString(), Is.EqualTo("library"));
        Assert.That(coder.GetProperty("owned_by").GetString(), Is.EqualTo("example"));
    }

    [Test]
    public async Task ChatCompletions_Streamed_SendsOneChunkPerWordThenAStopChunkThenDone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = "llama3",
                stream = true,
                messages = new object[]
                {
                    new { role = "system", content = "Answer briefly." },
                    new { role = "user", content = "Is the GPU node up?" },
                },
            }),
        };

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await ReadEventsAsync(response);

        var chunks = events.SkipLast(1).Select(data => JsonDocument.Parse(data).RootElement).ToList();
        var deltas = chunks.SkipLast(1).ToList();
        var last = chunks[^1].GetProperty("choices")[0];
        var text = string.Concat(
            deltas.Select(chunk => Choice(chunk).GetProperty("delta").GetProperty("content").GetString()));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(events[^1], Is.EqualTo("[DONE]"));
        Assert.That(text, Is.EqualTo(Expected.Answer("llama3", "Answer briefly.", "Is the GPU node up?")));
        Assert.That(deltas.Select(chunk => Choice(chunk).GetProperty("delta").GetProperty("role").GetString()),
            Has.All.EqualTo("assistant"));
        Assert.That(deltas.Select(chunk => Choice(chunk).GetProperty("finish_reason").ValueKind),
            Has.All.EqualTo(JsonValueKind.Null));
        Assert.That(chunks.Select(chunk => chunk.GetProperty("object").GetString()),
            Has.All.EqualTo("chat.completion.chunk"));
        Assert.That(chunks.Select(chunk => chunk.GetProperty("id").GetString()).Distinct().Count(), Is.EqualTo(1));
        Assert.That(chunks[0].GetProperty("id").GetString(), Does.StartWith("chatcmpl-"));
        Assert.That(chunks[0].GetProperty("model").GetString(), Is.EqualTo("llama3"));
        Assert.That(last.GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
        Assert.That(last.GetProperty("delta").EnumerateObject(), Is.Empty);
    }

    [Test]
    public async Task ChatCompletions_NotStreamed_AnswersACompletionWithUsage()
    {
        using var response = await _http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "llama3",
            messages = new[] { new { role = "user", content = "Ping." } },
        });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var root = body.RootElement;
        var choice = root.GetProperty("choices")[0];
        var usage = root.GetProperty("usage");
        var expected = Expected.Answer("llama3", "Ping.");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(root.GetProperty("id").GetString(), Does.StartWith("chatcmpl-"));
        Assert.That(root.GetProperty("object").GetString(), Is.EqualTo("chat.completion"));
        Assert.That(root.GetProperty("created").GetInt64(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("system_fingerprint").GetString(), Is.Not.Empty);
        Assert.That(choice.GetProperty("index").GetInt32(), Is.Zero);
        Assert.That(choice.GetProperty("message").GetProperty("role").GetString(), Is.EqualTo("assistant"));
        Assert.That(choice.GetProperty("message").GetProperty("content").GetString(), Is.EqualTo(expected));
        Assert.That(choice.GetProperty("finish_reason").GetString(), Is.EqualTo("stop"));
        Assert.That(usage.GetProperty("completion_tokens").GetInt32(), Is.EqualTo(expected.Split(' ').Length));
        var promptTokens = usage.GetProperty("prompt_tokens").GetInt32();
        Assert.That(promptTokens, Is.GreaterThan(0));
        Assert.That(
            usage.GetProperty("total_tokens").GetInt32(),
            Is.EqualTo(promptTokens + usage.GetProperty("completion_tokens").GetInt32()));
    }

    [Test]
    public async Task ChatCompletions_WithMaxTokensAndIncludeUsage_StopsForLengthAndReportsUsageLast()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = "llama3",
                stream = true,
                max_tokens = 2,
                stream_options = new { include_usage = true },
                messages = new[] { new { role = "user", content = "hi" } },
            }),
        };

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await ReadEventsAsync(response);

        var chunks = events.SkipLast(1).Select(data => JsonDocument.Parse(data).RootElement).ToList();
        Assert.That(chunks, Has.Count.EqualTo(4), "two words, the finish chunk, the usage chunk");
        Assert.That(Choice(chunks[2]).GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
        Assert.That(chunks[3].GetProperty("choices").GetArrayLength(), Is.Zero);
        Assert.That(chunks[3].GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task ChatCompletions_WithAModelNotPulled_Answers404InOpenAisErrorShape()
    {
        using var response = await _http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "ghost",
            messages = new[] { new { role = "user", content = "boo" } },
        });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var error = body.RootElement.GetProperty("error");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(
            error.GetProperty("message").GetString(), Is.EqualTo("model \"ghost\" not found, try pulling it first"));
        Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("not_found_error"));
    }

    private static JsonElement Choice(JsonElement chunk) => chunk.GetProperty("choices")[0];

    /// <summary>The data of each server-sent event, in order, read line by line as they arrive.</summary>
    private static async Task<List<string>> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line["data: ".Length..]);
            }
            else
            {
                Assert.That(line, Is.Empty, "between events there are only blank lines");
            }
        }

        return events;
    }
}
