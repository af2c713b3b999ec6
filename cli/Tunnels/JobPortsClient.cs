using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Commons.Cli.Bridge;
using Commons.Cli.Config;
using Commons.Contracts;

namespace Commons.Cli.Tunnels;

/// <summary>The ports a job recorded, as the bridge lists them (<c>GET /v1/jobs/{id}/ports</c>).</summary>
internal sealed class JobPortsClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    public JobPortsClient(CliSettings settings)
    {
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = settings.Bridge,
            Timeout = RequestTimeout,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("commons-cli", "0.1"));
    }

    /// <summary>
    /// The job's ports; none while it is not running. Throws <see cref="BridgeException"/> as the other bridge calls
    /// do: transient when the bridge could not be reached or answered 502–504.
    /// </summary>
    public async Task<List<JobPort>> ListAsync(string jobId, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(new Uri(PortRoutes.Ports(jobId), UriKind.Relative), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            throw new BridgeException($"cannot reach the bridge at {_http.BaseAddress} ({e.Message})", transient: true);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return await response.Content.ReadFromJsonAsync(JsonDefaults.Context.ListJobPort, cancellationToken)
                    ?? [];
            }

            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var problem = TryReadProblem(text);
            var message = problem?.Title is { } title
                ? problem.Detail is { } detail ? $"{title}: {detail}" : title
                : $"the bridge answered {status} ({response.ReasonPhrase})";
            throw new BridgeException(message, status, transient: status is 502 or 503 or 504);
        }
    }

    public void Dispose() => _http.Dispose();

    private static ProblemDocument? TryReadProblem(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, JsonDefaults.Context.ProblemDocument);
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's page, say): the status line has to do.
            return null;
        }
    }
}
