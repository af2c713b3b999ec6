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

    /// <summary>Answers GET <paramref name="pathAndQuery"/> with <paramref name="body"/> as snake_case JSON.</summary>
    public FakeForge Json(string pathAndQuery, object body, Action<HttpResponseMessage>? headers = null) =>
        Route(pathAndQuery, _ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(JsonSerializer.Serialize(body, SnakeCase), Encoding.UTF8, "application/json"),
            };
            headers?.Invoke(response);
            return response;
        });

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
        var response = _routes.TryGetValue(key, out var answer)
            ? answer(request)
            : new HttpResponseMessage(HttpStatusCode.NotFound)
            {
                Content = new StringContent("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"""),
            };
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
