using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Commons.Cli.Config;
using Commons.Contracts;

namespace Commons.Cli.Tunnels;

/// <summary>What a tunnel connection ran into, for the user.</summary>
/// <param name="Message">What happened, in a sentence.</param>
/// <param name="Status">The bridge's HTTP answer, when it gave one.</param>
/// <param name="Retrying">True while the listener keeps trying to open the connection.</param>
internal sealed record TunnelProblem(string Message, int? Status, bool Retrying);

/// <summary>
/// Exposes a port of a job on 127.0.0.1. Each connection accepted there becomes one WebSocket to the bridge's tunnel
/// endpoint, which carries its bytes both ways (<see cref="TunnelRelay"/>). Opening the WebSocket is retried with
/// backoff while the bridge cannot answer (it restarts, or the job's site is unreachable) for up to
/// <see cref="OpenPatience"/>, so the next connection works again without the user doing anything; a tunnel that
/// drops in the middle fails that one connection, and the listener goes on serving. Disposing it stops the listener
/// and cuts the connections still open.
/// </summary>
internal sealed class TunnelListener : IAsyncDisposable
{
    /// <summary>How long a new connection waits for the bridge to answer before it is given up.</summary>
    public static readonly TimeSpan OpenPatience = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(20);

    private readonly CliSettings _settings;
    private readonly Action<TunnelProblem>? _report;
    private readonly TimeProvider _time;
    private readonly HttpMessageInvoker _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private Task? _accepting;
    private string _portName = "";
    private long _nextConnection;
    private int _disposed;

    /// <param name="settings">The bridge and the token to sign in with.</param>
    /// <param name="report">Called, from any thread, when a connection cannot be opened or breaks.</param>
    /// <param name="time">The clock for retry delays; the system's when null.</param>
    public TunnelListener(CliSettings settings, Action<TunnelProblem>? report = null, TimeProvider? time = null)
    {
        _settings = settings;
        _report = report;
        _time = time ?? TimeProvider.System;
        _http = new HttpMessageInvoker(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) });
    }

    /// <summary>
    /// Listens on 127.0.0.1:<paramref name="port"/> (a free port when 0) and returns the address bound. Connections
    /// go to the port the job <paramref name="jobId"/> recorded as <paramref name="portName"/>. Throws
    /// <see cref="SocketException"/> when the address cannot be bound (in use, say).
    /// </summary>
    public Task<IPEndPoint> StartAsync(string jobId, string portName, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (!PortNames.IsValid(portName))
        {
            throw new ArgumentException($"a port name matches {PortNames.Pattern}", nameof(portName));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_listener is not null)
        {
            throw new InvalidOperationException("the listener is started already");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen(backlog: 128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _portName = portName;
        _accepting = AcceptAsync(listener, TunnelAddress(_settings.Bridge, jobId, portName), _stop.Token);
        return Task.FromResult((IPEndPoint)listener.LocalEndPoint!);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener?.Dispose();
        if (_accepting is not null)
        {
            await _accepting;
        }

        await Task.WhenAll(_connections.Values);
        _http.Dispose();
        _stop.Dispose();
    }

    /// <summary>The tunnel endpoint as a WebSocket address: ws for an http bridge, wss for https.</summary>
    internal static Uri TunnelAddress(Uri bridge, string jobId, string portName)
    {
        var address = new UriBuilder(bridge)
        {
            Scheme = bridge.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Path = PortRoutes.Tunnel(jobId, portName),
            Query = "",
            Fragment = "",
        };
        return address.Uri;
    }

    private async Task AcceptAsync(Socket listener, Uri tunnel, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection that went away before it was taken, or no file descriptor left for now: the
                // listener itself is fine, so go on after a breath rather than spin.
                await DelayAsync(FirstRetry, cancellationToken);
                continue;
            }

            client.NoDelay = true;
            var id = Interlocked.Increment(ref _nextConnection);
            var connection = ServeAsync(client, tunnel, cancellationToken);
            _connections[id] = connection;
            _ = connection.ContinueWith(
                _ => _connections.TryRemove(id, out var _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Carries one local connection; never throws, as nothing waits on it but disposal.</summary>
    private async Task ServeAsync(Socket client, Uri tunnel, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                using var webSocket = await OpenAsync(tunnel, cancellationToken);
                if (webSocket is null)
                {
                    // The program that connected sees its connection fail, which is what happened.
                    client.LingerState = new LingerOption(enable: true, seconds: 0);
                    return;
                }

                var outcome = await TunnelRelay.RunAsync(client, webSocket, null, cancellationToken);
                if (outcome.Failure is { } failure && !cancellationToken.IsCancellationRequested)
                {
                    _report?.Invoke(new TunnelProblem(
                        $"a connection to port '{_portName}' broke: {failure}; the next one opens a new tunnel",
                        null,
                        Retrying: false));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // The listener is being disposed, or the local program left first: nothing to tell anyone.
            }
        }
    }

    /// <summary>A WebSocket open to the tunnel; null when the bridge refused it or stayed unreachable.</summary>
    private async Task<WebSocket?> OpenAsync(Uri tunnel, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var wait = FirstRetry;
        var told = false;
        while (true)
        {
            var webSocket = new ClientWebSocket();
            webSocket.Options.SetRequestHeader("Authorization", $"Bearer {_settings.Token}");
            webSocket.Options.SetRequestHeader("User-Agent", "commons-cli/0.1");
            webSocket.Options.CollectHttpResponseDetails = true;
            webSocket.Options.KeepAliveInterval = KeepAlive;
            try
            {
                await webSocket.ConnectAsync(tunnel, _http, cancellationToken);
                return webSocket;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException
                && !cancellationToken.IsCancellationRequested)
            {
                var status = (int)webSocket.HttpStatusCode;
                webSocket.Dispose();
                var message = Describe(status, e);
                var worthRetrying = status is 0 or 408 or 429 or 502 or 503 or 504;
                if (!worthRetrying || _time.GetElapsedTime(started) + wait > OpenPatience)
                {
                    _report?.Invoke(new TunnelProblem(message, status == 0 ? null : status, Retrying: false));
                    return null;
                }

                if (!told)
                {
                    _report?.Invoke(new TunnelProblem($"{message}; retrying", status == 0 ? null : status, true));
                    told = true;
                }

                await DelayAsync(wait, cancellationToken);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestRetry.Ticks));
            }
        }
    }

    private string Describe(int status, Exception e) => status switch
    {
        0 => $"cannot reach the bridge at {_settings.Bridge} ({(e.InnerException ?? e).Message})",
        401 => "the bridge refused the token (401); set COMMONS_TOKEN or run `commons login --with-token`",
        403 => $"the bridge refused the tunnel (403): the job is not yours, is not running, "
            + $"or has not recorded port '{_portName}'",
        503 => "the bridge cannot reach the job's site right now (503)",
        _ => $"the bridge answered {status} to the tunnel request",
    };

    private Task DelayAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        Task.Delay(wait, _time, cancellationToken);
}
