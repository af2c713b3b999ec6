using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Commons.StandIns.Ollama.Api;

/// <summary>
/// Serialization for every body, generated at build time. Names are snake_case as on Ollama's wire, nulls are left
/// out as Go's <c>omitempty</c> leaves them out, and names match without regard to case as Go's decoder does.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(VersionBody))]
[JsonSerializable(typeof(ChatRequestBody))]
[JsonSerializable(typeof(GenerateRequestBody))]
[JsonSerializable(typeof(ModelRequestBody))]
[JsonSerializable(typeof(PullProgressBody))]
[JsonSerializable(typeof(TagsBody))]
[JsonSerializable(typeof(RunningModelsBody))]
[JsonSerializable(typeof(ShowBody))]
[JsonSerializable(typeof(ChatResponseBody))]
[JsonSerializable(typeof(GenerateResponseBody))]
[JsonSerializable(typeof(OpenAiChatRequestBody))]
[JsonSerializable(typeof(OpenAiModelListBody))]
[JsonSerializable(typeof(OpenAiModelBody))]
[JsonSerializable(typeof(OpenAiCompletionBody))]
[JsonSerializable(typeof(OpenAiChunkBody))]
[JsonSerializable(typeof(OpenAiErrorBody))]
internal sealed partial class ApiJson : JsonSerializerContext
{
    /// <summary>
    /// The context to use: the options above, plus an encoder that escapes only what JSON requires, so quotes and
    /// accented letters in an answer stay readable in a log or a terminal, as Ollama's Go encoder leaves them. The
    /// attribute cannot name an encoder, hence the options spelled out again here.
    /// </summary>
    public static ApiJson Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
