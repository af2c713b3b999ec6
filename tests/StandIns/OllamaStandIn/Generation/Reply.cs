using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Commons.StandIns.Ollama.Models;

namespace Commons.StandIns.Ollama.Generation;

/// <summary>The whole answer the stand-in will give, and the tokens it streams it in.</summary>
public sealed record Reply(string Text, IReadOnlyList<string> Tokens)
{
    /// <summary>Closes every prose answer, so nobody mistakes one for a model's.</summary>
    public const string Disclaimer =
        "This answer comes from the Compute Commons stand-in for Ollama; no language model ran.";

    // JSON answers keep quotes and accents unescaped, as a model writes them.
    private static readonly JsonSerializerOptions ReadableJson =
        new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The answer depends on the model, the system prompt and the last user message only, so a test can know it
    /// in advance: <c>[stand-in llama3] You said: hi. This answer comes from …</c>.
    /// </summary>
    public static Reply Compose(ModelName model, string? system, string? lastUserMessage, ReplyFormat format)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(format);

        var prose = Prose(model, system, lastUserMessage);
        var text = format.Kind switch
        {
            ReplyKind.Json => new JsonObject
            {
                ["stand_in"] = true,
                ["model"] = model.ShortName,
                ["reply"] = prose,
            }.ToJsonString(ReadableJson),
            ReplyKind.Schema => SchemaSample.Build(format.Schema!.Value, prose)?.ToJsonString(ReadableJson) ?? "null",
            _ => prose,
        };

        return new Reply(text, Generation.Tokens.Split(text));
    }

    private static string Prose(ModelName model, string? system, string? lastUserMessage)
    {
        var text = new StringBuilder($"[stand-in {model.ShortName}] ");
        if (!string.IsNullOrWhiteSpace(system))
        {
            text.Append("System prompt: ").Append(Sentence(system));
        }

        text.Append(string.IsNullOrWhiteSpace(lastUserMessage)
            ? "You said nothing. "
            : $"You said: {Sentence(lastUserMessage)}");
        return text.Append(Disclaimer).ToString();
    }

    // A message that already ends a sentence gets no second full stop: "You said: why? This answer…".
    private static string Sentence(string message)
    {
        var trimmed = message.Trim();
        return trimmed.EndsWith('.') || trimmed.EndsWith('?') || trimmed.EndsWith('!') ? trimmed + " " : trimmed + ". ";
    }
}
