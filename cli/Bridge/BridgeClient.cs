using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Commons.Cli.Config;
using Commons.Contracts;

namespace Commons.Cli.Bridge;

/// <summary>The bridge answered with a problem, or could not be reached.</summary>
internal sealed class BridgeException(
    string message, int? status = null, IReadOnlyList<string>? details = null, bool transient = false,
    string? problemType = null)
    : Exception(message)
{
    /// <summary>HTTP status, or null when the bridge was not reached at all.</summary>
    public int? Status { get; } = status;

    /// <summary>The problem document's type: one of <see cref="ProblemTypes"/>, or null.</summary>
    public string? ProblemType { get; } = problemType;

    /// <summary>True when the user's tier or GPU-hour quota refused the request: nothing failed.</summary>
    public bool IsPolicyRefusal => ProblemType is ProblemTypes.TierLimit or ProblemTypes.QuotaExceeded;

    /// <summary>One line per field error, as <c>field: reason</c>.</summary>
    public IReadOnlyList<string> Details { get; } = details ?? [];

    public bool IsTransient { get; } = transient;
}

/// <summary>The CLI's only way out: HTTP to the bridge. It holds no cluster credentials.</summary>
internal sealed class BridgeClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    public BridgeClient(CliSettings settings)
    {
        Settings = settings;
        Address = settings.Bridge;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = settings.Bridge,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (settings.Token.Length > 0)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        }

        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("commons-cli", "0.1"));
    }

    public Uri Address { get; }

    public CliSettings Settings { get; }

    /// <summary>
    /// Submits a job. The request id makes the call safe to repeat, so a connection that fails before an answer
    /// arrives is tried again, up to three times, without any risk of running the job twice.
    /// </summary>
    public async Task<JobView> SubmitAsync(SubmitJobRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(
                    HttpMethod.Post, ApiRoutes.Jobs, JsonContent.Create(request, JsonDefaults.Context.SubmitJobRequest),
                    JsonDefaults.Context.JobView, cancellationToken);
            }
            catch (BridgeException e) when (e.IsTransient && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    public Task<JobView> GetAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, ApiRoutes.Job(id), null, JsonDefaults.Context.JobView, cancellationToken);

    /// <summary>
    /// Like <see cref="GetAsync"/>, but rides out a bridge that restarts or a network that blips, for up to
    /// <paramref name="patience"/>: the job runs on regardless, so giving up would lose its output and exit code.
    /// <paramref name="retrying"/> hears of each failed try.
    /// </summary>
    public async Task<JobView> GetPatientlyAsync(
        string id, TimeSpan patience, Action<BridgeException>? retrying, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            try
            {
                return await GetAsync(id, cancellationToken);
            }
            catch (BridgeException e) when (e.IsTransient && DateTimeOffset.UtcNow < deadline)
            {
                retrying?.Invoke(e);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task<List<JobView>> ListAsync(bool all, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Get, $"{ApiRoutes.Jobs}?all={(all ? "true" : "false")}", null, JsonDefaults.Context.ListJobView, cancellationToken);

    /// <summary>The user's warm job of a model, or a new one; safe to repeat with the same request id.</summary>
    public async Task<JobView> EnsureModelJobAsync(string model, ModelJobRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(
                    HttpMethod.Post, $"/v1/models/{Uri.EscapeDataString(model)}/job",
                    JsonContent.Create(request, JsonDefaults.Context.ModelJobRequest), JsonDefaults.Context.JobView,
                    cancellationToken);
            }
            catch (BridgeException e) when (e.IsTransient && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    public Task<List<ModelView>> ListModelsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/v1/models", null, JsonDefaults.Context.ListModelView, cancellationToken);

    /// <summary>The forges this bridge signs people in with; needs no token.</summary>
    public Task<List<ForgeProvider>> ProvidersAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, AccountRoutes.Providers, null, JsonDefaults.Context.ListForgeProvider, cancellationToken);

    /// <summary>Trades a forge access token for a bridge token; with a token of ours, links the identity instead.</summary>
    public Task<SignInResponse> SignInAsync(string provider, string accessToken, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Post, AccountRoutes.SignIn(provider),
            JsonContent.Create(new ForgeSignInRequest(accessToken), JsonDefaults.Context.ForgeSignInRequest),
            JsonDefaults.Context.SignInResponse, cancellationToken);

    /// <summary>Revokes the token this client signs in with.</summary>
    public async Task RevokeTokenAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, AccountRoutes.Token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new BridgeException($"cannot reach the bridge at {Address} ({Reason(e)})", transient: true);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ProblemAsync(response, cancellationToken);
            }
        }
    }

    /// <summary>Who the token belongs to, their tier, merit and quota; <paramref name="refresh"/> re-evaluates merit first.</summary>
    public Task<WhoAmIResponse> WhoAmIAsync(bool refresh, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Get, $"{AccountRoutes.Me}?refresh={(refresh ? "true" : "false")}", null,
            JsonDefaults.Context.WhoAmIResponse, cancellationToken);

    /// <summary>The job's output from an offset to what is written so far, without waiting for more.</summary>
    public async Task<byte[]> ReadLogsAsync(string id, long offset, CancellationToken cancellationToken)
    {
        using var sink = new MemoryStream();
        await CopyLogsAsync(id, offset, follow: false, sink, cancellationToken);
        return sink.ToArray();
    }

    public Task<JobView> CancelAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, ApiRoutes.Job(id), null, JsonDefaults.Context.JobView, cancellationToken);

    /// <summary>
    /// Copies the job's output from <paramref name="offset"/> to <paramref name="sink"/> and returns the offset
    /// reached. With <paramref name="follow"/>, it stays until the job ends; a dropped connection is resumed from
    /// the last byte received, so nothing is lost or repeated.
    /// </summary>
    public async Task<long> CopyLogsAsync(string id, long offset, bool follow, Stream sink, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, ApiRoutes.Logs(id, offset, follow));
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw await ProblemAsync(response, cancellationToken);
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await sink.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await sink.FlushAsync(cancellationToken);
                    offset += read;
                    failures = 0;
                }

                return offset;
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested && ++failures <= 30)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, failures)), cancellationToken);
            }
        }
    }

    private async Task<T> SendAsync<T>(
        HttpMethod method, string path, HttpContent? body, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(method, path);
        request.Content = body;

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new BridgeException($"cannot reach the bridge at {Address} ({Reason(e)})", transient: true);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ProblemAsync(response, cancellationToken);
            }

            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new BridgeException($"the bridge at {Address} answered {path} with an empty body");
        }
    }

    private static async Task<BridgeException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonSerializer.Deserialize(text, JsonDefaults.Context.ProblemDocument);
            if (problem?.Title is not null)
            {
                var details = (problem.Errors ?? [])
                    .SelectMany(field => field.Value.Select(reason => $"{field.Key}: {reason}"))
                    .ToList();
                var message = problem.Detail is null ? problem.Title : $"{problem.Title}: {problem.Detail}";
                return new BridgeException(message, status, details, transient: status >= 502, problem.Type);
            }
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's page, say); the status line below says what happened.
        }

        var reason = response.StatusCode == HttpStatusCode.Unauthorized ? "the token was refused" : response.ReasonPhrase;
        return new BridgeException($"the bridge answered {status} ({reason})", status, transient: status >= 502);
    }

    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or IOException or SocketException
        || (e is TaskCanceledException && e.InnerException is TimeoutException)
        || (e is BridgeException { IsTransient: true })
        || (e is OperationCanceledException);

    private static string Reason(Exception e) =>
        e is OperationCanceledException ? "no answer in time"
        : e.InnerException is SocketException socket ? socket.Message
        : e.Message;

    public void Dispose() => _http.Dispose();
}

/// <summary>An RFC 9457 problem document, as the bridge answers errors.</summary>
internal sealed record ProblemDocument(
    string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors, string? Type = null);
