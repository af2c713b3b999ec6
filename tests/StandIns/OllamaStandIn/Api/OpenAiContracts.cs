using System.Text.Json;
using System.Text.Json.Serialization;

namespace Commons.StandIns.Ollama.Api;

// The subset of OpenAI's chat completions API that Ollama serves under /v1, with OpenAI's field names.

public sealed record OpenAiMessageBody(string? Role, JsonElement? Content);

public sealed record OpenAiStreamOptionsBody(bool IncludeUsage);

public sealed record OpenAiJsonSchemaBody(string? Name, JsonElement? Schema);

/// <summary><c>{"type":"json_object"}</c> or <c>{"type":"json_schema","json_schema":{"schema":…}}</c>.</summary>
public sealed record OpenAiResponseFormatBody(string? Type, OpenAiJsonSchemaBody? JsonSchema);

/// <summary>POST /v1/chat/completions. <c>stream</c> defaults to false, as in OpenAI's API.</summary>
public sealed record OpenAiChatRequestBody(
    string? Model,
    IReadOnlyList<OpenAiMessageBody>? Messages,
    bool? Stream,
    OpenAiStreamOptionsBody? StreamOptions,
    int? MaxTokens,
    int? MaxCompletionTokens,
    long? Seed,
    OpenAiResponseFormatBody? ResponseFormat);

/// <remarks>
/// <c>ObjectType</c> is OpenAI's <c>object</c> field, renamed to keep a type name out of the identifier.
/// </remarks>
public sealed record OpenAiModelBody(
    string Id, [property: JsonPropertyName("object")] string ObjectType, long Created, string OwnedBy);

public sealed record OpenAiModelListBody(
    [property: JsonPropertyName("object")] string ObjectType, IReadOnlyList<OpenAiModelBody> Data);

public sealed record OpenAiUsageBody(int PromptTokens, int CompletionTokens, int TotalTokens);

public sealed record OpenAiMessageOutBody(string Role, string Content);

public sealed record OpenAiChoiceBody(
    int Index,
    OpenAiMessageOutBody Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

/// <summary>The whole answer of a chat completion that is not streamed.</summary>
public sealed record OpenAiCompletionBody(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    long Created,
    string Model,
    string SystemFingerprint,
    IReadOnlyList<OpenAiChoiceBody> Choices,
    OpenAiUsageBody Usage);

/// <summary>A delta: role and content while streaming, nothing at all (<c>{}</c>) in the closing chunk.</summary>
public sealed record OpenAiDeltaBody(string? Role = null, string? Content = null);

public sealed record OpenAiChunkChoiceBody(
    int Index,
    OpenAiDeltaBody Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

/// <summary>One server-sent event of a streamed chat completion.</summary>
public sealed record OpenAiChunkBody(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    long Created,
    string Model,
    string SystemFingerprint,
    IReadOnlyList<OpenAiChunkChoiceBody> Choices,
    OpenAiUsageBody? Usage = null);

public sealed record OpenAiErrorDetailBody(
    string Message,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code = null);

/// <summary>OpenAI's error shape, which OpenAI clients parse; Ollama answers /v1 errors the same way.</summary>
public sealed record OpenAiErrorBody(OpenAiErrorDetailBody Error);
