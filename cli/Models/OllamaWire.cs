using System.Text.Json;
using System.Text.Json.Serialization;

namespace Commons.Cli.Models;

// Ollama's API bodies as the CLI sends and reads them, snake_case on the wire (see OllamaJson).

internal sealed record ChatMessage(string Role, string Content);

internal sealed record ChatRequest(
    string Model,
    IReadOnlyList<ChatMessage> Messages,
    bool Stream,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Format,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, JsonElement>? Options);

/// <summary>One streamed object of /api/chat; the last one (<c>done</c>) carries the timings.</summary>
internal sealed record ChatChunk(
    string? Model,
    ChatMessage? Message,
    bool Done,
    string? DoneReason,
    long? TotalDuration,
    long? LoadDuration,
    int? PromptEvalCount,
    long? PromptEvalDuration,
    int? EvalCount,
    long? EvalDuration,
    string? Error);

internal sealed record VersionReply(string? Version);

internal sealed record ErrorReply(string? Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatChunk))]
[JsonSerializable(typeof(VersionReply))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class OllamaJson : JsonSerializerContext;
