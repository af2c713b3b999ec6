using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Commons.StandIns.Ollama.Generation;
using Commons.StandIns.Ollama.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Ollama.Api;

/// <summary>The OpenAI-compatible routes Ollama serves under /v1: models and chat completions.</summary>
public static class OpenAiApi
{
    /// <summary>What Ollama puts in system_fingerprint; clients only check that it is there.</summary>
    private const string Fingerprint = "fp_ollama";

    private static int s_completions;

    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var v1 = app.MapGroup("/v1");
        v1.MapGet("/models", ListModels).WithName("OpenAiListModels");
        v1.MapGet("/models/{**model}", GetModel).WithName("OpenAiGetModel");
        v1.MapPost("/chat/completions", ChatCompletionAsync).WithName("OpenAiChatCompletion");
        return app;
    }

    private static JsonHttpResult<OpenAiModelListBody> ListModels(ApiServices services) =>
        TypedResults.Json(
            new OpenAiModelListBody("list", [.. services.Catalog.All.Select(Describe)]),
            ApiJson.Wire.OpenAiModelListBody);

    private static Results<JsonHttpResult<OpenAiModelBody>, JsonHttpResult<OpenAiErrorBody>> GetModel(
        string model, ApiServices services)
    {
        if (!ModelName.TryParse(model, out var name, out var error))
        {
            return ApiErrors.OpenAi(StatusCodes.Status400BadRequest, error);
        }

        return services.Catalog.Find(name) is { } pulled
            ? TypedResults.Json(Describe(pulled), ApiJson.Wire.OpenAiModelBody)
            : ApiErrors.OpenAi(StatusCodes.Status404NotFound, $"model \"{model}\" not found");
    }

    private static OpenAiModelBody Describe(PulledModel model) =>
        new(
            model.Name.FullName,
            "model",
            new DateTimeOffset(model.ModifiedAt).ToUnixTimeSeconds(),
            model.Name.Namespace);

    private static async Task<Results<ServerSentEventsResult<OpenAiChunkBody>, JsonHttpResult<OpenAiCompletionBody>,
        JsonHttpResult<OpenAiErrorBody>>> ChatCompletionAsync(
        HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var parsed = await RequestBodies.ReadAsync(request, ApiJson.Wire.OpenAiChatRequestBody, cancellationToken);
        if (parsed.Body is not { } body)
        {
            return ApiErrors.OpenAi(StatusCodes.Status400BadRequest, parsed.Error!);
        }

        if (!ModelName.TryParse(body.Model, out var name, out var error)
            || !TryReadMessages(body.Messages, out var messages, out error)
            || !TryReadFormat(body.ResponseFormat, out var format, out error))
        {
            return ApiErrors.OpenAi(StatusCodes.Status400BadRequest, error);
        }

        if (services.Catalog.Find(name) is not { } model)
        {
            return ApiErrors.OpenAi(StatusCodes.Status404NotFound, ApiErrors.ModelNotPulled(body.Model));
        }

        var system = string.Join(' ', messages.Where(message => message.Role == "system").Select(m => m.Text));
        var lastUser = messages.LastOrDefault(message => message.Role == "user")?.Text;
        var reply = Reply.Compose(name, system, lastUser, format);
        var promptTokens = messages.Sum(message => Tokens.Count(message.Text) + 4);
        var maxTokens = body.MaxCompletionTokens ?? body.MaxTokens;
        var job = new GenerationJob(
            "v1/chat", model, reply, promptTokens, maxTokens, services.Settings.DefaultKeepAlive);
        var steps = services.Generator.RunAsync(job, cancellationToken);

        var id = $"chatcmpl-{Interlocked.Increment(ref s_completions)}";
        var created = new DateTimeOffset(services.Now).ToUnixTimeSeconds();
        if (body.Stream ?? false)
        {
            var includeUsage = body.StreamOptions?.IncludeUsage ?? false;
            return new ServerSentEventsResult<OpenAiChunkBody>(
                Chunks(id, created, body.Model!, steps, includeUsage, cancellationToken), ApiJson.Wire.OpenAiChunkBody);
        }

        var (text, stats) = await ApiServices.CollectAsync(steps, cancellationToken);
        var completion = new OpenAiCompletionBody(
            id,
            "chat.completion",
            created,
            body.Model!,
            Fingerprint,
            [new OpenAiChoiceBody(0, new OpenAiMessageOutBody("assistant", text), stats.DoneReason)],
            Usage(stats));
        return TypedResults.Json(completion, ApiJson.Wire.OpenAiCompletionBody);
    }

    private static async IAsyncEnumerable<OpenAiChunkBody> Chunks(
        string id,
        long created,
        string model,
        IAsyncEnumerable<GenerationStep> steps,
        bool includeUsage,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var step in steps.WithCancellation(cancellationToken))
        {
            if (step.Done is not { } stats)
            {
                yield return Chunk(new OpenAiChunkChoiceBody(0, new OpenAiDeltaBody("assistant", step.Token), null));
                continue;
            }

            yield return Chunk(new OpenAiChunkChoiceBody(0, new OpenAiDeltaBody(), stats.DoneReason));

            // OpenAI's stream_options.include_usage: one more chunk with no choices and the token counts.
            if (includeUsage)
            {
                yield return new OpenAiChunkBody(
                    id, "chat.completion.chunk", created, model, Fingerprint, [], Usage(stats));
            }
        }

        OpenAiChunkBody Chunk(OpenAiChunkChoiceBody choice) =>
            new(id, "chat.completion.chunk", created, model, Fingerprint, [choice]);
    }

    private static OpenAiUsageBody Usage(GenerationStats stats) =>
        new(stats.PromptEvalCount, stats.EvalCount, stats.PromptEvalCount + stats.EvalCount);

    private sealed record TextMessage(string Role, string Text);

    /// <summary>Content is a string, or a list of parts of which the text ones count; images are ignored.</summary>
    private static bool TryReadMessages(
        IReadOnlyList<OpenAiMessageBody>? bodies,
        out List<TextMessage> messages,
        [NotNullWhen(false)] out string? error)
    {
        messages = [];
        error = null;
        if (bodies is null || bodies.Count == 0)
        {
            error = "messages is required";
            return false;
        }

        foreach (var body in bodies)
        {
            var role = (body.Role ?? string.Empty).ToLowerInvariant();
            var content = body.Content;
            switch (content?.ValueKind)
            {
                case null or JsonValueKind.Null or JsonValueKind.Undefined:
                    messages.Add(new TextMessage(role, string.Empty));
                    break;

                case JsonValueKind.String:
                    messages.Add(new TextMessage(role, content.Value.GetString()!));
                    break;

                case JsonValueKind.Array:
                    var text = new StringBuilder();
                    foreach (var part in content.Value.EnumerateArray())
                    {
                        if (part.ValueKind == JsonValueKind.Object
                            && part.TryGetProperty("type", out var type) && type.ValueEquals("text")
                            && part.TryGetProperty("text", out var partText)
                            && partText.ValueKind == JsonValueKind.String)
                        {
                            text.Append(text.Length > 0 ? " " : string.Empty).Append(partText.GetString());
                        }
                    }

                    messages.Add(new TextMessage(role, text.ToString()));
                    break;

                default:
                    error = $"invalid message content type: {content.Value.ValueKind}";
                    return false;
            }
        }

        return true;
    }

    private static bool TryReadFormat(
        OpenAiResponseFormatBody? responseFormat, out ReplyFormat format, [NotNullWhen(false)] out string? error)
    {
        error = null;
        format = ReplyFormat.Text;
        switch (responseFormat?.Type)
        {
            case null or "text":
                return true;

            case "json_object":
                format = ReplyFormat.Json;
                return true;

            case "json_schema" when responseFormat.JsonSchema?.Schema is { ValueKind: JsonValueKind.Object } schema:
                format = new ReplyFormat(ReplyKind.Schema, schema.Clone());
                return true;

            default:
                error = $"invalid response_format type '{responseFormat.Type}': "
                    + "expected text, json_object or json_schema";
                return false;
        }
    }
}
