using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Commons.Contracts;

/// <summary>How a relayed connection ended.</summary>
/// <param name="BytesUp">Bytes read from the socket and sent on the web socket.</param>
/// <param name="BytesDown">Bytes received on the web socket and written to the socket.</param>
/// <param name="Failure">Null when both sides ended in order; otherwise what broke the connection.</param>
public sealed record RelayOutcome(long BytesUp, long BytesDown, string? Failure)
{
    public bool Completed => Failure is null;
}

/// <summary>
/// Relays one TCP connection over one WebSocket, both ways. The CLI and the bridge run this same code on their
/// ends of a tunnel, so the two agree on what each frame means:
/// <list type="bullet">
/// <item>bytes travel in binary messages; where one message ends and the next begins carries no meaning;</item>
/// <item>a Close with status 1000 (normal) means the sender's socket reached its end (a TCP FIN): the receiver
/// shuts down the sending side of its socket and keeps relaying the other way until its own socket ends, then
/// answers with its own Close — a half-closed TCP connection stays half-closed across the tunnel;</item>
/// <item>any other Close status, a text message, or a WebSocket lost without a Close means the connection broke:
/// the receiver resets its socket, so the program on that end sees a failed connection rather than a clean end.</item>
/// </list>
/// </summary>
public static class TunnelRelay
{
    public const int BufferSize = 256 * 1024;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Relays until both directions ended, one of them broke, or <paramref name="cancellationToken"/> is cancelled.
    /// A broken or cancelled relay leaves the socket reset and closed and the web socket aborted; a completed one
    /// leaves both closed in order. <paramref name="onTraffic"/> is called after every chunk relayed either way.
    /// </summary>
    public static async Task<RelayOutcome> RunAsync(
        Socket socket, WebSocket webSocket, Action? onTraffic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(webSocket);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var up = SocketToWebSocketAsync(socket, webSocket, onTraffic, stop);
        var down = WebSocketToSocketAsync(webSocket, socket, onTraffic, stop);
        var (bytesUp, upFailure) = await up;
        var (bytesDown, downFailure) = await down;

        var failure = upFailure ?? downFailure ?? (cancellationToken.IsCancellationRequested ? "cancelled" : null);
        if (failure is not null)
        {
            Reset(socket);
            webSocket.Abort();
        }

        return new RelayOutcome(bytesUp, bytesDown, failure);
    }

    private static async Task<(long Bytes, string? Failure)> SocketToWebSocketAsync(
        Socket socket, WebSocket webSocket, Action? onTraffic, CancellationTokenSource stop)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long bytes = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None, stop.Token);
                if (read == 0)
                {
                    await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "end of stream", stop.Token);
                    return (bytes, null);
                }

                await webSocket.SendAsync(
                    buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, stop.Token);
                bytes += read;
                onTraffic?.Invoke();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && stop.IsCancellationRequested)
        {
            // The other direction broke, or the caller gave up; whoever stopped the relay holds the reason.
            return (bytes, null);
        }
        catch (SocketException e)
        {
            // This end's connection failed: tell the other end, which resets its own, then stop.
            await CloseWithErrorAsync(webSocket, $"connection failed: {e.SocketErrorCode}");
            await stop.CancelAsync();
            return (bytes, $"the connection failed ({e.SocketErrorCode})");
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            await stop.CancelAsync();
            return (bytes, $"the WebSocket failed ({e.Message})");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<(long Bytes, string? Failure)> WebSocketToSocketAsync(
        WebSocket webSocket, Socket socket, Action? onTraffic, CancellationTokenSource stop)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long bytes = 0;
        try
        {
            while (true)
            {
                var received = await webSocket.ReceiveAsync(buffer.AsMemory(0, BufferSize), stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (webSocket.CloseStatus == WebSocketCloseStatus.NormalClosure)
                    {
                        ShutdownSending(socket);
                        return (bytes, null);
                    }

                    await stop.CancelAsync();
                    return (bytes, $"the other end broke the connection ({webSocket.CloseStatusDescription})");
                }

                if (received.MessageType != WebSocketMessageType.Binary)
                {
                    await stop.CancelAsync();
                    return (bytes, "the other end sent a text message; a tunnel carries binary messages only");
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), SocketFlags.None, stop.Token);
                bytes += received.Count;
                onTraffic?.Invoke();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && stop.IsCancellationRequested)
        {
            return (bytes, null);
        }
        catch (SocketException e)
        {
            await stop.CancelAsync();
            return (bytes, $"the connection failed ({e.SocketErrorCode})");
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            await stop.CancelAsync();
            return (bytes, $"the WebSocket failed ({e.Message})");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>No more bytes come this way; a socket whose peer is gone already has nothing left to tell.</summary>
    private static void ShutdownSending(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The peer closed first; the other direction reports whatever that means.
        }
    }

    private static async Task CloseWithErrorAsync(WebSocket webSocket, string reason)
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await webSocket.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, Fit(reason), timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException
            or InvalidOperationException)
        {
            // The WebSocket is gone too, or already closing; the other end sees it drop, which means the same.
        }
    }

    /// <summary>Closes with a TCP reset, so the program on the socket's other end sees a failure, not an end.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing left to reset.
        }

        socket.Close();
    }

    /// <summary>A close reason is limited to 123 bytes of UTF-8.</summary>
    private static string Fit(string reason)
    {
        while (Encoding.UTF8.GetByteCount(reason) > 123)
        {
            reason = reason[..^1];
        }

        return reason;
    }
}
