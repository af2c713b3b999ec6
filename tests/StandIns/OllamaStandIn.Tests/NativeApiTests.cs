using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Commons.StandIns.Ollama.Tests.Infrastructure;
using OllamaSharp;
using OllamaSharp.Models;
using OllamaSharp.Models.Chat;

namespace Commons.StandIns.Ollama.Tests;

/// <summary>
/// Ollama's native API as the unmodified OllamaSharp client sees it, plus the few requests OllamaSharp cannot
/// make (stream false on chat, malformed bodies), sent with a plain HttpClient.
/// </summary>
public sealed class NativeApiTests
{
    private static readonly TimeSpan LoadDelay = TimeSpan.FromMilliseconds(100);

    private StandInProcess _standIn = null!;
    private OllamaApiClient _ollama = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartStandInAsync()
    {
        // Models each test may use without pulling; every test that loads one uses a model of its own, so the
        // order the tests run in changes nothing.
        _standIn = await StandInProcess.StartAsync(new Dictionary<string, string>
        {
            ["OLLAMA_STANDIN_MODELS"] =
                "llama3, chatty:8b, capped, jsonish, schemer, gen, preload, cold, dropme, quiet",
            ["OLLAMA_STANDIN_TOKEN_DELAY_MS"] = "1",
            ["OLLAMA_STANDIN_LOAD_DELAY_MS"] = LoadDelay.TotalMilliseconds.ToString("0", null),
        });
        _ollama = new OllamaApiClient(_standIn.BaseUri);
        _http = new HttpClient { BaseAddress = _standIn.BaseUri };
    }

    [OneTimeTearDown]
    public async Task StopStandInAsync()
    {
        _ollama.Dispose();
        _http.Dispose();
        await _standIn.DisposeAsync();
    }

    [Test]
    public async Task GetVersion_ReturnsAVersionThatNamesTheStandIn()
    {
        var version = await _ollama.GetVersionAsync();

        Assert.That(version, Is.EqualTo(Expected.Version));
    }

    [Test]
    public async Task Root_AnswersLikeOllamaAndMarksTheResponseAsTheStandIns()
    {
        using var response = await _http.GetAsync(new Uri("/", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        var running = await _ollama.IsRunningAsync();

        Assert.That(text, Is.EqualTo("Ollama is running"));
        Assert.That(response.Headers.GetValues("X-Commons-Standin"), Is.EqualTo(new[] { "true" }));
        Assert.That(running, Is.True);
    }

    [Test]
    public async Task PullModel_StreamsOllamasProgressAndThenListsTheModel()
    {
        var progress = new List<PullModelResponse>();

        await foreach (var line in _ollama.PullModelAsync(new PullModelRequest { Model = "mistral:7b" }))
        {
            progress.Add(line!);
        }

        var models = await _ollama.ListLocalModelsAsync();
        var statuses = progress.Select(line => line.Status).ToList();
        var downloads = progress.Where(line => line.Digest is not null).ToList();
        Assert.That(statuses[0], Is.EqualTo("pulling manifest"));
        Assert.That(statuses[^3..], Is.EqualTo(new[] { "verifying sha256 digest", "writing manifest", "success" }));
        Assert.That(downloads, Has.Count.GreaterThan(2));
        Assert.That(downloads.Select(line => line.Digest), Has.All.StartsWith("sha256:"));
        Assert.That(downloads.Select(line => line.Status), Has.All.StartsWith("pulling "));
        Assert.That(downloads.Select(line => line.Total), Has.All.GreaterThan(0));
        Assert.That(downloads.Any(line => line.Completed == line.Total), Is.True);
        Assert.That(models.Select(model => model.Name), Does.Contain("mistral:7b"));
    }

    [Test]
    public async Task PullModel_WithTheOlderNameFieldAndStreamFalse_AnswersSuccessOnce()
    {
        using var response = await _http.PostAsJsonAsync("/api/pull", new { name = "tinyllama", stream = false });
        var body = await response.Content.ReadAsStringAsync();
        var models = await _ollama.ListLocalModelsAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Is.EqualTo("""{"status":"success"}"""));
        Assert.That(models.Select(model => model.Name), Does.Contain("tinyllama:latest"));
    }

    [Test]
    public async Task PullModel_WithANameContainingSpaces_IsRefusedWithOllamasErrorShape()
    {
        using var response = await _http.PostAsJsonAsync("/api/pull", new { model = "llama 3" });
        var error = await ErrorOf(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error, Is.EqualTo("invalid model name"));
    }

    [Test]
    public async Task ListLocalModels_GivesAnUntaggedModelTheLatestTagAndOllamasDetails()
    {
        var models = await _ollama.ListLocalModelsAsync();

        var llama3 = models.Single(model => model.Name == "llama3:latest");
        Assert.That(llama3.ModelName, Is.EqualTo("llama3:latest"));
        Assert.That(llama3.Size, Is.GreaterThan(0));
        Assert.That(llama3.Digest, Has.Length.EqualTo(64));
        Assert.That(llama3.ModifiedAt, Is.GreaterThan(DateTime.UtcNow.AddHours(-1)));
        Assert.That(llama3.Details.Format, Is.EqualTo("gguf"));
        Assert.That(llama3.Details.Family, Is.EqualTo("standin"));
        Assert.That(llama3.Details.Families, Is.EqualTo(new[] { "standin" }));
        Assert.That(llama3.Details.ParameterSize, Is.EqualTo("8B"));
        Assert.That(llama3.Details.QuantizationLevel, Is.EqualTo("Q4_0"));
    }

    [Test]
    public async Task ShowModel_DescribesAPulledModelAndSaysItIsAStandIn()
    {
        var shown = await _ollama.ShowModelAsync(new ShowModelRequest { Model = "llama3" });

        Assert.That(shown.Modelfile, Does.Contain("stand-in"));
        Assert.That(shown.Modelfile, Does.Contain("FROM llama3:latest"));
        Assert.That(shown.Parameters, Does.Contain("num_ctx"));
        Assert.That(shown.Template, Is.Not.Empty);
        Assert.That(shown.Details.Family, Is.EqualTo("standin"));
        Assert.That(shown.Info.Architecture, Is.EqualTo("standin"));
        Assert.That(shown.Info.ParameterCount, Is.EqualTo(8_000_000_000));
    }

    [Test]
    public async Task ShowModel_ForAModelNotPulled_Answers404WithOllamasMessage()
    {
        using var response = await _http.PostAsJsonAsync("/api/show", new { model = "ghost" });
        var error = await ErrorOf(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(error, Is.EqualTo("model 'ghost' not found"));
    }

    [Test]
    public async Task Chat_StreamsTheDeterministicAnswerWordByWordThenOllamasStatistics()
    {
        var request = new ChatRequest
        {
            Model = "chatty:8b",
            Messages =
            [
                new Message(ChatRole.System, "Answer briefly."),
                new Message(ChatRole.User, "What is the capital of France?"),
                new Message(ChatRole.Assistant, "Paris."),
                new Message(ChatRole.User, "Is the GPU node up?"),
            ],
        };
        var chunks = new List<ChatResponseStream>();

        await foreach (var chunk in _ollama.ChatAsync(request))
        {
            chunks.Add(chunk!);
        }

        var text = string.Concat(chunks.Select(chunk => chunk.Message.Content));
        var done = chunks[^1] as ChatDoneResponseStream;
        var tokens = chunks.Count - 1;
        Assert.That(text, Is.EqualTo(Expected.Answer("chatty:8b", "Answer briefly.", "Is the GPU node up?")));
        Assert.That(tokens, Is.EqualTo(text.Split(' ').Length), "one chunk per word");
        Assert.That(chunks.Take(tokens).Select(chunk => chunk.Done), Has.All.False);
        Assert.That(chunks.Select(chunk => chunk.Model), Has.All.EqualTo("chatty:8b"));
        Assert.That(chunks.Select(chunk => chunk.Message.Role), Has.All.EqualTo(ChatRole.Assistant));
        Assert.That(chunks.Select(chunk => chunk.CreatedAt), Has.All.Not.Null);
        Assert.That(done, Is.Not.Null, "the last chunk is a done chunk");
        Assert.That(done!.Done, Is.True);
        Assert.That(done.Message.Content, Is.Empty);
        Assert.That(done.DoneReason, Is.EqualTo("stop"));
        Assert.That(done.EvalCount, Is.EqualTo(tokens));
        Assert.That(done.PromptEvalCount, Is.GreaterThan(0));
        Assert.That(done.TotalDuration, Is.GreaterThan(0));
        Assert.That(done.LoadDuration, Is.GreaterThan(0));
        Assert.That(done.PromptEvalDuration, Is.GreaterThan(0));
        Assert.That(done.EvalDuration, Is.GreaterThan(0));
        Assert.That(done.TotalDuration, Is.GreaterThanOrEqualTo(done.LoadDuration + done.EvalDuration));
    }

    [Test]
    public async Task Chat_WithNumPredict_StopsAtTheCapWithDoneReasonLength()
    {
        var request = new ChatRequest
        {
            Model = "capped",
            Messages = [new Message(ChatRole.User, "Tell me everything.")],
            Options = new RequestOptions { NumPredict = 3 },
        };

        var (text, done) = await ChatToEndAsync(request);

        Assert.That(text, Is.EqualTo("[stand-in capped] You"));
        Assert.That(done.DoneReason, Is.EqualTo("length"));
        Assert.That(done.EvalCount, Is.EqualTo(3));
    }

    [Test]
    public async Task Chat_OnAColdModel_ReportsTheLoadAndLoadsItForTheNextRequest()
    {
        var request = new ChatRequest { Model = "cold", Messages = [new Message(ChatRole.User, "hello")] };

        var (_, first) = await ChatToEndAsync(request);
        var (_, second) = await ChatToEndAsync(request);

        Assert.That(TimeSpan.FromTicks(first.LoadDuration / 100), Is.GreaterThanOrEqualTo(LoadDelay * 0.9));
        Assert.That(second.LoadDuration, Is.GreaterThan(0));
        Assert.That(second.LoadDuration, Is.LessThan(first.LoadDuration));
    }

    [Test]
    public async Task Chat_WithStreamFalse_AnswersOneObjectWithTheWholeMessageAndStatistics()
    {
        using var response = await _http.PostAsJsonAsync("/api/chat", new
        {
            model = "llama3",
            messages = new[] { new { role = "user", content = "Ping." } },
            stream = false,
        });
        var body = await response.Content.ReadAsStringAsync();

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.Trim(), Does.Not.Contain("\n"), "a single object, not a stream");
        Assert.That(root.GetProperty("model").GetString(), Is.EqualTo("llama3"));
        Assert.That(root.GetProperty("done").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("done_reason").GetString(), Is.EqualTo("stop"));
        Assert.That(root.GetProperty("message").GetProperty("role").GetString(), Is.EqualTo("assistant"));
        Assert.That(root.GetProperty("message").GetProperty("content").GetString(),
            Is.EqualTo(Expected.Answer("llama3", "Ping.")));
        foreach (var field in new[] { "total_duration", "load_duration", "prompt_eval_duration", "eval_duration" })
        {
            Assert.That(root.GetProperty(field).GetInt64(), Is.GreaterThan(0), field);
        }

        Assert.That(
            root.GetProperty("eval_count").GetInt32(),
            Is.EqualTo(Expected.Answer("llama3", "Ping.").Split(' ').Length));
        Assert.That(root.GetProperty("prompt_eval_count").GetInt32(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Chat_WithFormatJson_AnswersAParseableJsonObject()
    {
        var request = new ChatRequest
        {
            Model = "jsonish",
            Messages = [new Message(ChatRole.User, "List the \"nodes\", please")],
            Format = "json",
        };

        var (text, done) = await ChatToEndAsync(request);

        using var json = JsonDocument.Parse(text);
        Assert.That(json.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(json.RootElement.GetProperty("stand_in").GetBoolean(), Is.True);
        Assert.That(json.RootElement.GetProperty("reply").GetString(),
            Is.EqualTo(Expected.Answer("jsonish", "List the \"nodes\", please.")));
        Assert.That(done.DoneReason, Is.EqualTo("stop"));
    }

    [Test]
    public async Task Chat_WithAJsonSchemaAsFormat_AnswersAnObjectWithTheSchemasProperties()
    {
        using var response = await _http.PostAsJsonAsync("/api/chat", new
        {
            model = "schemer",
            messages = new[] { new { role = "user", content = "How old is Ollama?" } },
            stream = false,
            format = new
            {
                type = "object",
                properties = new
                {
                    age = new { type = "integer" },
                    available = new { type = "boolean" },
                    summary = new { type = "string" },
                },
                required = new[] { "age", "available", "summary" },
            },
        });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var content = body.RootElement.GetProperty("message").GetProperty("content").GetString()!;
        using var answer = JsonDocument.Parse(content);
        Assert.That(answer.RootElement.GetProperty("age").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(answer.RootElement.GetProperty("available").ValueKind, Is.EqualTo(JsonValueKind.True));
        Assert.That(answer.RootElement.GetProperty("summary").GetString(), Does.StartWith("[stand-in schemer]"));
    }

    [Test]
    public async Task Chat_WithAModelNotPulled_Answers404WithOllamasMessage()
    {
        var request = new ChatRequest { Model = "ghost", Messages = [new Message(ChatRole.User, "boo")] };
        using var response = await _http.PostAsJsonAsync(
            "/api/chat", new { model = "ghost", messages = new[] { new { role = "user", content = "boo" } } });
        var error = await ErrorOf(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(error, Is.EqualTo("model \"ghost\" not found, try pulling it first"));
        await Assert.ThrowsAsync<HttpRequestException>(async () => await ChatToEndAsync(request));
    }

    [TestCase("{\"model\": \"llama3\", \"messages\": [", "invalid request body")]
    [TestCase("[]", "invalid request body")]
    [TestCase("", "missing request body")]
    [TestCase("{\"messages\": []}", "model is required")]
    [TestCase("{\"model\": \"llama3\", \"messages\": [], \"format\": \"xml\"}", "invalid format")]
    [TestCase("{\"model\": \"llama3\", \"messages\": [], \"keep_alive\": \"soon\"}", "invalid keep_alive")]
    public async Task Chat_WithAMalformedBody_Answers400WithOllamasErrorShape(string body, string reason)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await _http.PostAsync(new Uri("/api/chat", UriKind.Relative), content);
        var error = await ErrorOf(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error, Does.StartWith(reason));
    }

    [Test]
    public async Task Generate_StreamsTheAnswerAndEndsWithAContext()
    {
        var request = new GenerateRequest { Model = "gen", Prompt = "Why is the sky blue?", System = "Be brief." };
        var chunks = new List<GenerateResponseStream>();

        await foreach (var chunk in _ollama.GenerateAsync(request))
        {
            chunks.Add(chunk!);
        }

        var text = string.Concat(chunks.Select(chunk => chunk.Response));
        var done = chunks[^1] as GenerateDoneResponseStream;
        Assert.That(text, Is.EqualTo(Expected.Answer("gen", "Be brief.", "Why is the sky blue?")));
        Assert.That(chunks, Has.Count.GreaterThan(2));
        Assert.That(done, Is.Not.Null, "the last chunk is a done chunk");
        Assert.That(done!.DoneReason, Is.EqualTo("stop"));
#pragma warning disable CS0618 // OllamaSharp marks context obsolete; Ollama still sends it, so the stand-in does too.
        Assert.That(done.Context, Is.Not.Empty);
#pragma warning restore CS0618
        Assert.That(done.EvalCount, Is.EqualTo(chunks.Count - 1));
        Assert.That(done.TotalDuration, Is.GreaterThan(0));
        Assert.That(done.EvalDuration, Is.GreaterThan(0));
    }

    [Test]
    public async Task Generate_WithAnEmptyPrompt_LoadsTheModelWhichThenShowsAsRunning()
    {
        using var response = await _http.PostAsJsonAsync("/api/generate", new { model = "preload" });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var running = await _ollama.ListRunningModelsAsync();

        var preload = running.SingleOrDefault(model => model.Name == "preload:latest");
        Assert.That(body.RootElement.GetProperty("done").GetBoolean(), Is.True);
        Assert.That(body.RootElement.GetProperty("response").GetString(), Is.Empty);
        Assert.That(body.RootElement.GetProperty("done_reason").GetString(), Is.EqualTo("load"));
        Assert.That(preload, Is.Not.Null, "preload:latest is among the running models");
        Assert.That(preload!.ExpiresAt, Is.EqualTo(DateTime.UtcNow.AddMinutes(5)).Within(TimeSpan.FromMinutes(1)));
        Assert.That(preload.SizeVram, Is.EqualTo(preload.Size));
        Assert.That(preload.Details.Family, Is.EqualTo("standin"));
    }

    [Test]
    public async Task RequestModelUnload_TakesALoadedModelOffTheRunningList()
    {
        using var loaded = await _http.PostAsJsonAsync("/api/generate", new { model = "dropme" });

        await _ollama.RequestModelUnloadAsync("dropme");
        var running = await _ollama.ListRunningModelsAsync();

        Assert.That(running.Select(model => model.Name), Does.Not.Contain("dropme:latest"));
    }

    [Test]
    public async Task ListRunningModels_LeavesOutAModelNeverUsed()
    {
        var running = await _ollama.ListRunningModelsAsync();

        Assert.That(running.Select(model => model.Name), Does.Not.Contain("quiet:latest"));
    }

    private async Task<(string Text, ChatDoneResponseStream Done)> ChatToEndAsync(ChatRequest request)
    {
        var text = new StringBuilder();
        ChatDoneResponseStream? done = null;
        await foreach (var chunk in _ollama.ChatAsync(request))
        {
            text.Append(chunk!.Message.Content);
            done = chunk as ChatDoneResponseStream ?? done;
        }

        return (text.ToString(), done ?? throw new AssertionException("the chat ended without a done chunk"));
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetString();
    }
}
