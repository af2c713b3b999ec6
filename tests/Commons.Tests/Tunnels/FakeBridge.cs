using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Commons.Tests.Tunnels;

/// <summary>What the stand-in bridge does with a tunnel request.</summary>
internal enum FakeTunnelBehaviour
{
    /// <summary>Accepts the WebSocket and sends every message back; answers a close with a close.</summary>
    Echo,

    /// <summary>Answers 403, as the bridge does for a job that is not the caller's.</summary>
    Refuse,

    /// <summary>Accepts, receives one message, then drops the connection without a close.</summary>
    DropAfterFirstMessage,
}

/// <summary>
/// A stand-in for the bridge's tunnel endpoint on loopback, in this process: enough to watch what the CLI's listener
/// sends and how it copes with refusals, drops and a bridge that is not up yet.
/// </summary>
internal sealed class FakeBridge : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeBridge(WebApplication app)
    {
        _app = app;
    }

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public FakeTunnelBehaviour Behaviour { get; set; } = FakeTunnelBehaviour.Echo;

    /// <summary>Path and Authorization header of every tunnel request, in arrival order.</summary>
    public ConcurrentQueue<(string Path, string Authorization)> Requests { get; } = new();

    public static async Task<FakeBridge> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var bridge = new FakeBridge(app);
        app.UseWebSockets();
        app.Map("/v1/jobs/{id}/ports/{name}", bridge.HandleAsync);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        bridge.Address = new Uri(bound.Addresses.Single());
        return bridge;
    }

    /// <summary>Stops at once, cutting tunnels still open rather than waiting for them as a real host would.</summary>
    public async ValueTask DisposeAsync()
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        await _app.StopAsync(now.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        Requests.Enqueue((http.Request.Path.Value ?? "", http.Request.Headers.Authorization.ToString()));
        if (Behaviour == FakeTunnelBehaviour.Refuse || !http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        using var webSocket = await http.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await webSocket.ReceiveAsync(buffer.AsMemory(), http.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "end of stream", default);
                return;
            }

            if (Behaviour == FakeTunnelBehaviour.DropAfterFirstMessage)
            {
                http.Abort();
                return;
            }

            await webSocket.SendAsync(
                buffer.AsMemory(0, received.Count), WebSocketMessageType.Binary, received.EndOfMessage, default);
        }
    }
}
