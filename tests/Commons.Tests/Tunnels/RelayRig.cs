using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Commons.Contracts;

namespace Commons.Tests.Tunnels;

/// <summary>
/// One relay at work: a program's TCP connection on one side (<see cref="App"/>, the program's end of it), the far
/// end of the tunnel's WebSocket on the other (<see cref="Peer"/>), and <see cref="TunnelRelay"/> between them, all
/// over loopback sockets.
/// </summary>
internal sealed class RelayRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _relayStop = new();
    private readonly Socket _relaySocket;
    private readonly WebSocket _relayWebSocket;
    private int _traffic;

    private RelayRig(Socket app, Socket relaySocket, WebSocket relayWebSocket, WebSocket peer)
    {
        App = app;
        _relaySocket = relaySocket;
        _relayWebSocket = relayWebSocket;
        Peer = peer;
        Relay = TunnelRelay.RunAsync(
            relaySocket, relayWebSocket, () => Interlocked.Increment(ref _traffic), _relayStop.Token);
    }

    /// <summary>The program's end of the relayed TCP connection.</summary>
    public Socket App { get; }

    /// <summary>The other end of the tunnel's WebSocket, where the other relay would be.</summary>
    public WebSocket Peer { get; }

    public Task<RelayOutcome> Relay { get; }

    public int TrafficCalls => Volatile.Read(ref _traffic);

    public static async Task<RelayRig> StartAsync()
    {
        var (app, relaySocket) = await ConnectedPairAsync();
        var (server, client) = await ConnectedPairAsync();
        var relayWebSocket = WebSocket.CreateFromStream(
            new NetworkStream(server, ownsSocket: true), isServer: true, subProtocol: null, Timeout.InfiniteTimeSpan);
        var peer = WebSocket.CreateFromStream(
            new NetworkStream(client, ownsSocket: true), isServer: false, subProtocol: null, Timeout.InfiniteTimeSpan);
        return new RelayRig(app, relaySocket, relayWebSocket, peer);
    }

    public Task StopRelayAsync() => _relayStop.CancelAsync();

    /// <summary>Reads the program's socket until <paramref name="count"/> bytes came or the stream ended.</summary>
    public async Task<byte[]> ReadAppAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await App.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return buffer[..filled];
    }

    /// <summary>Receives one whole message on the peer's WebSocket, data or close.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceivePeerAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        using var data = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await Peer.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            data.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return (received.MessageType, data.ToArray());
            }
        }
    }

    public async Task<RelayOutcome> OutcomeAsync() => await Relay.WaitAsync(Patience);

    public async ValueTask DisposeAsync()
    {
        await _relayStop.CancelAsync();
        try
        {
            await Relay.WaitAsync(Patience);
        }
        finally
        {
            App.Dispose();
            _relaySocket.Dispose();
            _relayWebSocket.Dispose();
            Peer.Dispose();
            _relayStop.Dispose();
        }
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepted = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await accepted);
    }
}
