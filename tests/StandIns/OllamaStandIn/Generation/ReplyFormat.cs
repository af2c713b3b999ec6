using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Commons.StandIns.Ollama.Generation;

/// <summary>What shape the reply takes: prose, a JSON object, or a JSON value that follows a schema.</summary>
/// <param name="Kind">Which of the three.</param>
/// <param name="Schema">The schema, for <see cref="ReplyKind.Schema"/> only.</param>
public sealed record ReplyFormat(ReplyKind Kind, JsonElement? Schema = null)
{
    public static ReplyFormat Text { get; } = new(ReplyKind.Text);

    public static ReplyFormat Json { get; } = new(ReplyKind.Json);

    /// <summary>Reads Ollama's <c>format</c>: absent or empty for prose, <c>"json"</c>, or a JSON schema.</summary>
    public static bool TryRead(JsonElement? format, [NotNullWhen(true)] out ReplyFormat? replyFormat,
        [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (format?.ValueKind)
        {
            case null or JsonValueKind.Undefined or JsonValueKind.Null:
                replyFormat = Text;
                return true;

            case JsonValueKind.String when format.Value.GetString() is "" or null:
                replyFormat = Text;
                return true;

            case JsonValueKind.String when format.Value.GetString() == "json":
                replyFormat = Json;
                return true;

            case JsonValueKind.Object:
                replyFormat = new ReplyFormat(ReplyKind.Schema, format.Value.Clone());
                return true;

            default:
                replyFormat = null;
                error = $"invalid format: expected \"json\" or a valid JSON schema, got {format.Value.GetRawText()}";
                return false;
        }
    }
}

public enum ReplyKind
{
    Text,
    Json,
    Schema,
}
