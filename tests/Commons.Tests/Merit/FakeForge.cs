using System.Net;
using System.Text;
using System.Text.Json;

namespace Commons.Tests.Merit;

/// <summary>
/// The HTTP transport under the collectors' pipeline in tests: answers each request from the routes it was given
/// (JSON in the forges' shapes), 404 otherwise, and records every request. Nothing leaves the process.
/// </summary>
internal sealed class FakeForge : HttpMessageHandler
{
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly Dictionary<string, Func<HttpRequestMessage, HttpResponseMessage>> _routes = new(StringComparer.Ordinal);

    /// <summary>Each request as <see cref="Key"/> makes it: the path and the sorted, decoded query.</summary>
    public List<string> Requests { get; } = [];

    public List<HttpRequestMessage> Messages { get; } = [];

    /// <summary>Answers before any route does, where it returns an answer (a rate limit, an outage).</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Override { get; set; }

    /// <summary>Answers what no route does, where it returns an answer; 404 otherwise.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Fallback { get; set; }

    /// <summary>Answers every search no route answers with no hits, and every list with an empty one.</summary>
    public FakeForge EmptyByDefault()
    {
        Fallback = request => request.RequestUri!.AbsolutePath.EndsWith("/search/issues", StringComparison.Ordinal)
            ? JsonAnswer(new { total_count = 0, incomplete_results = false, items = Array.Empty<object>() })
            : request.RequestUri.AbsolutePath.EndsWith("/repos", StringComparison.Ordinal)
                || request.RequestUri.AbsolutePath.EndsWith("/merge_requests", StringComparison.Ordinal)
                ? JsonAnswer(Array.Empty<object>())
                : null;
        return this;
    }

    /// <summary>Answers GET <paramref name="pathAndQuery"/> with <paramref name="body"/> as snake_case JSON.</summary>
    public FakeForge Json(string pathAndQuery, object body, Action<HttpResponseMessage>? headers = null) =>
        Route(pathAndQuery, _ =>
        {
            var response = JsonAnswer(body);
            headers?.Invoke(response);
            return response;
        });

    public static HttpResponseMessage JsonAnswer(object body) =>
        new(HttpStatusCode.OK)
        {
            Content = new StringContent(JsonSerializer.Serialize(body, SnakeCase), Encoding.UTF8, "application/json"),
        };

    public FakeForge Route(string pathAndQuery, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        _routes[Key(pathAndQuery)] = answer;
        return this;
    }

    /// <summary>
    /// A path (or the path of a URL) with its query parameters decoded and sorted, so parameter order does not matter.
    /// </summary>
    public static string Key(string pathAndQuery)
    {
        if (pathAndQuery.StartsWith("http", StringComparison.Ordinal))
        {
            pathAndQuery = new Uri(pathAndQuery).PathAndQuery;
        }

        var parts = pathAndQuery.Split('?', 2);
        var path = Uri.UnescapeDataString(parts[0]);
        if (parts.Length == 1 || parts[1].Length == 0)
        {
            return path;
        }

        var query = parts[1].Split('&').Select(Uri.UnescapeDataString).Order(StringComparer.Ordinal);
        return $"{path}?{string.Join('&', query)}";
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = Key(request.RequestUri!.PathAndQuery);
        Requests.Add(key);
        Messages.Add(request);
        var response = Override?.Invoke(request) ?? (_routes.TryGetValue(key, out var answer)
            ? answer(request)
            : Fallback?.Invoke(request) ?? new HttpResponseMessage(HttpStatusCode.NotFound)
            {
                Content = new StringContent("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"""),
            });
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
