using System.Text.Json;

namespace Commons.StandIns.Forge.Tests.Infrastructure;

/// <summary>A response read whole: status, headers and the body as text and, when it is JSON, parsed.</summary>
public sealed record Answer(HttpResponseMessage Response, string Text)
{
    public int Status => (int)Response.StatusCode;

    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    /// <summary>A header's value, from the response or its content headers; null when absent.</summary>
    public string? Header(string name) =>
        Response.Headers.TryGetValues(name, out var values) || Response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
