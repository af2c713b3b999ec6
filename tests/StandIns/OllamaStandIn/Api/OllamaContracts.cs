using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Commons.StandIns.Ollama.Api;

// Ollama's request and response bodies, named field for field as in its API documentation (snake_case on the
// wire). Fields the stand-in has no use for are left out of requests; JSON ignores them.

/// <summary>Ollama's error shape, used with 400 and 404 alike.</summary>
public sealed record ErrorBody(string Error);

/// <summary>The answer to GET /api/version.</summary>
public sealed record VersionBody(string Version);

/// <summary>A message in or out of /api/chat. Images and tool calls are accepted and ignored.</summary>
public sealed record ChatMessageBody(string? Role, string? Content);

/// <summary>
/// The options the stand-in obeys: num_predict caps the answer; seed is accepted, the text is fixed anyway.
/// </summary>
public sealed record GenerationOptionsBody(int? NumPredict, long? Seed);

/// <summary>POST /api/chat. <c>stream</c> defaults to true; <c>keep_alive</c> to 5m.</summary>
public sealed record ChatRequestBody(
    string? Model,
    IReadOnlyList<ChatMessageBody>? Messages,
    bool? Stream,
    JsonElement? Format,
    GenerationOptionsBody? Options,
    JsonElement? KeepAlive);

/// <summary>POST /api/generate. An empty prompt only loads the model (or unloads it, with keep_alive 0).</summary>
public sealed record GenerateRequestBody(
    string? Model,
    string? Prompt,
    string? System,
    bool? Stream,
    JsonElement? Format,
    GenerationOptionsBody? Options,
    JsonElement? KeepAlive,
    bool? Raw,
    IReadOnlyList<long>? Context);

/// <summary>
/// POST /api/pull, /api/show and DELETE /api/delete: <c>model</c>, or <c>name</c> as older clients send.
/// </summary>
public sealed record ModelRequestBody(string? Model, string? Name, bool? Stream)
{
    [JsonIgnore]
    public string? ModelOrName => string.IsNullOrEmpty(Model) ? Name : Model;
}

/// <summary>One line of pull progress; digest, total and completed only while a layer is "downloading".</summary>
public sealed record PullProgressBody(string Status, string? Digest = null, long? Total = null, long? Completed = null);

public sealed record ModelDetailsBody(
    string ParentModel,
    string Format,
    string Family,
    IReadOnlyList<string> Families,
    string ParameterSize,
    string QuantizationLevel);

/// <summary>One entry of GET /api/tags.</summary>
public sealed record ModelBody(
    string Name, string Model, DateTime ModifiedAt, long Size, string Digest, ModelDetailsBody Details);

public sealed record TagsBody(IReadOnlyList<ModelBody> Models);

/// <summary>One entry of GET /api/ps.</summary>
public sealed record RunningModelBody(
    string Name,
    string Model,
    long Size,
    string Digest,
    ModelDetailsBody Details,
    DateTime ExpiresAt,
    long SizeVram,
    int ContextLength);

public sealed record RunningModelsBody(IReadOnlyList<RunningModelBody> Models);

/// <summary>The answer to POST /api/show.</summary>
public sealed record ShowBody(
    string License,
    string Modelfile,
    string Parameters,
    string Template,
    string? System,
    ModelDetailsBody Details,
    JsonObject ModelInfo,
    IReadOnlyList<string> Capabilities,
    DateTime ModifiedAt);

/// <summary>
/// A line of a streamed chat, or the whole answer when not streamed. The statistics are only present once
/// <c>done</c> is true; every duration is in nanoseconds.
/// </summary>
public sealed record ChatResponseBody(
    string Model,
    DateTime CreatedAt,
    ChatMessageBody Message,
    bool Done,
    string? DoneReason = null,
    long? TotalDuration = null,
    long? LoadDuration = null,
    int? PromptEvalCount = null,
    long? PromptEvalDuration = null,
    int? EvalCount = null,
    long? EvalDuration = null);

/// <summary>A line of a streamed /api/generate, or the whole answer; <c>context</c> only at the end.</summary>
public sealed record GenerateResponseBody(
    string Model,
    DateTime CreatedAt,
    string Response,
    bool Done,
    string? DoneReason = null,
    IReadOnlyList<long>? Context = null,
    long? TotalDuration = null,
    long? LoadDuration = null,
    int? PromptEvalCount = null,
    long? PromptEvalDuration = null,
    int? EvalCount = null,
    long? EvalDuration = null);
