using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Commons.StandIns.Ollama.Api;

/// <summary>A request body that parsed, or the reason it did not.</summary>
public sealed record Parsed<T>(T? Body, string? Error) where T : class;

/// <summary>
/// Reads JSON bodies by hand rather than through parameter binding: Ollama accepts a body whatever its content
/// type (curl -d sends form encoding) and answers a bad one with its own error shape, which binding would not.
/// </summary>
internal static class RequestBodies
{
    public static async Task<Parsed<T>> ReadAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) where T : class
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return new Parsed<T>(null, "missing request body");
        }

        try
        {
            var body = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo);
            return body is null
                ? new Parsed<T>(null, "missing request body")
                : new Parsed<T>(body, null);
        }
        catch (JsonException e)
        {
            return new Parsed<T>(null, $"invalid request body: {e.Message}");
        }
    }
}
