using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Commons.Cli.Bridge;
using Commons.Cli.Models;
using Commons.Contracts;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons serve [--host 127.0.0.1:11434]</c>: a local server that speaks the Ollama API (and its OpenAI-style
/// <c>/v1</c> routes), so every tool made for a local Ollama works unchanged. A request that names a model goes
/// through a tunnel to the user's warm job of that model, started when needed and shared by concurrent requests.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on, as OLLAMA_HOST takes it",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OLLAMA_HOST") is { Length: > 0 } h ? h : "127.0.0.1:11434",
        };
        var serve = new Command("serve", "Serve the Ollama API locally, backed by model jobs on the clusters") { host };
        serve.SetAction(parse => CommandContext.WithBridgeAsync(bridge => ServeAsync(bridge, parse.GetValue(host)!)));
        return serve;
    }

    private static async Task<int> ServeAsync(BridgeClient bridge, string host)
    {
        var prefix = Prefix(host);
        if (prefix is null)
        {
            Output.Errors.Print($"--host '{host}' is not HOST:PORT on this machine (127.0.0.1:11434, say)");
            return ExitCodes.Usage;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var listener = new HttpListener();
        listener.Prefixes.Add(prefix);
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            Output.Errors.Print($"cannot listen on {host}: {e.Message}", "is another Ollama or `commons serve` running there?");
            return ExitCodes.Error;
        }

        var catalog = await bridge.ListModelsAsync(stop.Token);
        await using var backends = new ModelBackends(bridge, ModelTunnels.Opener(bridge), Console.Error);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var server = new OllamaFront(bridge, catalog, backends, http);
        Console.Error.WriteLine($"commons serve: listening on {prefix} (Ollama API; Ctrl-C stops)");
        using var registration = stop.Token.Register(listener.Stop);
        var requests = new List<Task>();
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && stop.IsCancellationRequested)
            {
                break;
            }

            requests.RemoveAll(t => t.IsCompleted);
            requests.Add(server.HandleAsync(context, stop.Token));
        }

        await Task.WhenAll(requests.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        return ExitCodes.Ok;
    }

    private static string? Prefix(string host)
    {
        var text = host.StartsWith("http://", StringComparison.Ordinal) ? host["http://".Length..].TrimEnd('/') : host;
        var colon = text.LastIndexOf(':');
        var name = colon > 0 ? text[..colon] : colon == 0 ? "127.0.0.1" : text;
        var port = colon >= 0 ? text[(colon + 1)..] : "11434";
        return int.TryParse(port, out var p) && p is > 0 and < 65536 && name is "127.0.0.1" or "localhost" or "[::1]"
            ? $"http://{name}:{p}/"
            : null;
    }
}

/// <summary>The Ollama API in front of the bridge: the catalog answers locally, model requests go to model jobs.</summary>
internal sealed class OllamaFront(BridgeClient bridge, IReadOnlyList<ModelView> catalog, ModelBackends backends, HttpClient http)
{
    private const string Version = "0.6.0-commons";

    public async Task HandleAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var path = request.Url!.AbsolutePath;
            switch (request.HttpMethod, path)
            {
                case ("GET" or "HEAD", "/"):
                    await TextAsync(response, 200, "Ollama is running", "text/plain; charset=utf-8");
                    break;
                case ("GET", "/api/version"):
                    await JsonAsync(response, 200, new JsonObject { ["version"] = Version });
                    break;
                case ("GET", "/api/tags"):
                    await JsonAsync(response, 200, new JsonObject { ["models"] = new JsonArray(catalog.Select(Tag).ToArray<JsonNode?>()) });
                    break;
                case ("GET", "/api/ps"):
                    await RunningAsync(response, cancellationToken);
                    break;
                case ("GET", "/v1/models"):
                    await JsonAsync(response, 200, new JsonObject
                    {
                        ["object"] = "list",
                        ["data"] = new JsonArray(catalog.Select(m => (JsonNode?)new JsonObject
                        {
                            ["id"] = m.Name, ["object"] = "model", ["created"] = 0, ["owned_by"] = "commons",
                        }).ToArray()),
                    });
                    break;
                case ("POST", "/api/show"):
                    await ShowAsync(request, response, cancellationToken);
                    break;
                case ("POST", "/api/pull"):
                    await PullAsync(request, response, cancellationToken);
                    break;
                case ("POST", "/api/chat" or "/api/generate" or "/api/embed" or "/api/embeddings" or "/v1/chat/completions"
                    or "/v1/completions" or "/v1/embeddings"):
                    await ForwardAsync(request, response, path, cancellationToken);
                    break;
                default:
                    await TextAsync(response, 404, "404 page not found", "text/plain; charset=utf-8");
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
        {
            // The client went away, or we are stopping: nothing is left to answer.
        }
        catch (BridgeException e) when (e.IsPolicyRefusal)
        {
            // The owner's tier or quota refused the model's job: not a gateway fault, so the client hears 403.
            await ErrorAsync(response, 403, e.Message);
        }
        catch (Exception e) when (e is BridgeException or InvalidOperationException or HttpRequestException)
        {
            await ErrorAsync(response, 502, e.Message);
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Already closed by a client that left.
            }
        }
    }

    private async Task ForwardAsync(HttpListenerRequest request, HttpListenerResponse response, string path, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body?["model"]?.GetValue<string>() is not { } asked)
        {
            await ErrorAsync(response, 400, "model is required");
            return;
        }

        var model = Find(asked);
        if (model is null)
        {
            await ErrorAsync(response, 404, $"model \"{asked}\" not found, try pulling it first");
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            var backend = await backends.GetAsync(model.Name, null, cancellationToken);
            body["model"] = backend.RuntimeId;
            using var upstream = new HttpRequestMessage(HttpMethod.Post, new Uri(backend.Address, path))
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            HttpResponseMessage answer;
            try
            {
                answer = await http.SendAsync(upstream, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException) when (attempt == 1)
            {
                // The job behind this backend ended (keep-alive, walltime): start again once.
                await backends.DropAsync(model.Name);
                continue;
            }

            using (answer)
            {
                response.StatusCode = (int)answer.StatusCode;
                response.ContentType = answer.Content.Headers.ContentType?.ToString() ?? "application/json";
                response.SendChunked = true;
                await using var stream = await answer.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await response.OutputStream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await response.OutputStream.FlushAsync(cancellationToken);
                }
            }

            return;
        }
    }

    private async Task PullAsync(HttpListenerRequest request, HttpListenerResponse response, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        var asked = body?["model"]?.GetValue<string>() ?? body?["name"]?.GetValue<string>();
        var model = asked is null ? null : Find(asked);
        if (model is null)
        {
            await ErrorAsync(response, 404, $"pull model manifest: file does not exist ({asked})");
            return;
        }

        var stream = body?["stream"]?.GetValue<bool>() ?? true;
        response.ContentType = "application/x-ndjson";
        response.SendChunked = true;
        async Task Status(string status)
        {
            var line = Encoding.UTF8.GetBytes(new JsonObject { ["status"] = status }.ToJsonString() + "\n");
            await response.OutputStream.WriteAsync(line, cancellationToken);
            await response.OutputStream.FlushAsync(cancellationToken);
        }

        var phases = new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true };
        var channel = System.Threading.Channels.Channel.CreateUnbounded<string>(phases);
        var starting = backends.GetAsync(model.Name, phase => channel.Writer.TryWrite(phase), cancellationToken);
        _ = starting.ContinueWith(_ => channel.Writer.TryComplete(), TaskScheduler.Default);
        await foreach (var phase in channel.Reader.ReadAllAsync(cancellationToken))
        {
            if (stream)
            {
                await Status(phase);
            }
        }

        await starting;
        await Status("success");
    }

    private async Task ShowAsync(HttpListenerRequest request, HttpListenerResponse response, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        var asked = body?["model"]?.GetValue<string>() ?? body?["name"]?.GetValue<string>();
        var model = asked is null ? null : Find(asked);
        if (model is null)
        {
            await ErrorAsync(response, 404, $"model '{asked}' not found");
            return;
        }

        await JsonAsync(response, 200, new JsonObject
        {
            ["modelfile"] = $"# {model.Description}, served by Compute Commons on a cluster GPU node",
            ["parameters"] = "",
            ["template"] = "",
            ["details"] = Details(model),
            ["model_info"] = new JsonObject { ["general.architecture"] = model.Name.Split(':')[0] },
            ["capabilities"] = new JsonArray("completion"),
        });
    }

    private async Task RunningAsync(HttpListenerResponse response, CancellationToken cancellationToken)
    {
        var jobs = await bridge.ListAsync(false, cancellationToken);
        var running = jobs.Where(j => j.Model is not null && j.State == JobStates.Running).Select(j =>
        {
            var model = catalog.FirstOrDefault(m => m.Name == j.Model);
            return (JsonNode?)new JsonObject
            {
                ["name"] = TagName(j.Model!),
                ["model"] = TagName(j.Model!),
                ["size"] = 0,
                ["digest"] = "",
                ["details"] = model is null ? new JsonObject() : Details(model),
                ["expires_at"] = (j.KeepAliveUntil ?? j.StartedAt?.AddMinutes(j.TimeLimitMinutes) ?? DateTimeOffset.UtcNow).ToString("O"),
                ["size_vram"] = (model?.GpuMemoryGb ?? 0) * 1_000_000_000L,
                ["context_length"] = 4096,
            };
        }).ToArray();
        await JsonAsync(response, 200, new JsonObject { ["models"] = new JsonArray(running) });
    }

    private ModelView? Find(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        key = key.EndsWith(":latest", StringComparison.Ordinal) ? key[..^":latest".Length] : key;
        return catalog.FirstOrDefault(m => m.Name == key);
    }

    private static JsonNode Tag(ModelView model) => new JsonObject
    {
        ["name"] = TagName(model.Name),
        ["model"] = TagName(model.Name),
        ["modified_at"] = DateTimeOffset.UnixEpoch.ToString("O"),
        ["size"] = 0,
        ["digest"] = "",
        ["details"] = Details(model),
    };

    private static JsonObject Details(ModelView model) => new()
    {
        ["parent_model"] = "",
        ["format"] = "gguf",
        ["family"] = model.Name.Split(':')[0],
        ["families"] = new JsonArray(model.Name.Split(':')[0]),
        ["parameter_size"] = "",
        ["quantization_level"] = "",
    };

    private static string TagName(string name) => name.Contains(':', StringComparison.Ordinal) ? name : $"{name}:latest";

    private static async Task<JsonObject?> ReadBodyAsync(HttpListenerRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken);
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task ErrorAsync(HttpListenerResponse response, int status, string message) =>
        JsonAsync(response, status, new JsonObject { ["error"] = message });

    // As Ollama writes JSON: '+' in a time stays '+', not \u002B.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Task JsonAsync(HttpListenerResponse response, int status, JsonNode body) =>
        TextAsync(response, status, body.ToJsonString(Relaxed), "application/json; charset=utf-8");

    private static async Task TextAsync(HttpListenerResponse response, int status, string text, string contentType)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }
}
