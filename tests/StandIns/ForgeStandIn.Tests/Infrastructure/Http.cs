using System.Net.Http.Headers;
using System.Text.Json;

namespace Commons.StandIns.Forge.Tests.Infrastructure;

/// <summary>A response read whole: status, headers and the body as text and, when it is JSON, parsed.</summary>
public sealed record Answer(HttpResponseMessage Response, string Text)
{
    public int Status => (int)Response.StatusCode;

    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    /// <summary>A header's single value, from the response or its content headers; null when absent.</summary>
    public string? Header(string name) =>
        Response.Headers.TryGetValues(name, out var values) || Response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}

/// <summary>Plain requests to the stand-in, with an optional token.</summary>
public static class Http
{
    public static async Task<Answer> GetAsync(
        HttpClient client, string path, string? authorization = null, string? ifNoneMatch = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        var response = await client.SendAsync(request);
        return new Answer(response, await response.Content.ReadAsStringAsync());
    }

    public static async Task<Answer> PostFormAsync(
        HttpClient client, string path, IReadOnlyDictionary<string, string> form, bool json = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (json)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }

        var response = await client.SendAsync(request);
        return new Answer(response, await response.Content.ReadAsStringAsync());
    }

    public static async Task<Answer> PostAsync(HttpClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(client);
        var response = await client.PostAsync(path, null);
        return new Answer(response, await response.Content.ReadAsStringAsync());
    }
}
