using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Commons.Tests.Tunnels;

public sealed class TunnelRelayTests
{
    [Test]
    public async Task Relay_WhenTheProgramWrites_SendsTheBytesAsBinaryMessages()
    {
        await using var rig = await RelayRig.StartAsync();

        await rig.App.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray(), SocketFlags.None);
        var (type, data) = await rig.ReceivePeerAsync();

        Assert.That(type, Is.EqualTo(WebSocketMessageType.Binary));
        Assert.That(Encoding.ASCII.GetString(data), Is.EqualTo("GET / HTTP/1.1\r\n\r\n"));
        Assert.That(rig.TrafficCalls, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Relay_WhenThePeerSendsBinaryMessages_WritesTheirBytesInOrder()
    {
        await using var rig = await RelayRig.StartAsync();

        await rig.Peer.SendAsync("HTTP/1.1 200 OK\r\n"u8.ToArray(), WebSocketMessageType.Binary, true, default);
        await rig.Peer.SendAsync("\r\nhello"u8.ToArray(), WebSocketMessageType.Binary, true, default);
        var bytes = await rig.ReadAppAsync("HTTP/1.1 200 OK\r\n\r\nhello".Length);

        Assert.That(Encoding.ASCII.GetString(bytes), Is.EqualTo("HTTP/1.1 200 OK\r\n\r\nhello"));
    }

    [Test]
    public async Task Relay_WhenALargeStreamPasses_KeepsEveryByte()
    {
        await using var rig = await RelayRig.StartAsync();
        var payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(payload);

        var sending = rig.Peer.SendAsync(payload, WebSocketMessageType.Binary, true, default);
        var received = await rig.ReadAppAsync(payload.Length);
        await sending;

        Assert.That(received, Is.EqualTo(payload));
    }

    [Test]
    public async Task Relay_WhenTheProgramHalfCloses_SendsANormalCloseAndStillDeliversTheReply()
    {
        await using var rig = await RelayRig.StartAsync();

        rig.App.Shutdown(SocketShutdown.Send);
        var (type, _) = await rig.ReceivePeerAsync();
        await rig.Peer.SendAsync("late reply"u8.ToArray(), WebSocketMessageType.Binary, true, default);
        await rig.Peer.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "end of stream", default);
        var reply = await rig.ReadAppAsync(64);
        var outcome = await rig.OutcomeAsync();

        Assert.That(type, Is.EqualTo(WebSocketMessageType.Close));
        Assert.That(rig.Peer.CloseStatus, Is.EqualTo(WebSocketCloseStatus.NormalClosure));
        Assert.That(Encoding.ASCII.GetString(reply), Is.EqualTo("late reply"));
        Assert.That(outcome.Completed, Is.True, outcome.Failure);
        Assert.That(outcome.BytesDown, Is.EqualTo("late reply".Length));
    }

    [Test]
    public async Task Relay_WhenThePeerHalfCloses_EndsTheProgramsInputAndStillCarriesItsOutput()
    {
        await using var rig = await RelayRig.StartAsync();

        await rig.Peer.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "end of stream", default);
        var endOfInput = await rig.ReadAppAsync(1);
        await rig.App.SendAsync("still talking"u8.ToArray(), SocketFlags.None);
        var (type, data) = await rig.ReceivePeerAsync();
        rig.App.Shutdown(SocketShutdown.Send);
        var (closeType, _) = await rig.ReceivePeerAsync();
        var outcome = await rig.OutcomeAsync();

        Assert.That(endOfInput, Is.Empty);
        Assert.That(type, Is.EqualTo(WebSocketMessageType.Binary));
        Assert.That(Encoding.ASCII.GetString(data), Is.EqualTo("still talking"));
        Assert.That(closeType, Is.EqualTo(WebSocketMessageType.Close));
        Assert.That(outcome.Completed, Is.True, outcome.Failure);
        Assert.That(rig.Peer.State, Is.EqualTo(WebSocketState.Closed));
    }

    [Test]
    public async Task Relay_WhenThePeerReportsABrokenConnection_ResetsTheProgramsConnection()
    {
        await using var rig = await RelayRig.StartAsync();

        await rig.Peer.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, "connection failed", default);
        var outcome = await rig.OutcomeAsync();
        var read = await Assert.ThrowsAsync<SocketException>(() => rig.ReadAppAsync(1));

        Assert.That(outcome.Completed, Is.False);
        Assert.That(outcome.Failure, Does.Contain("connection failed"));
        Assert.That(read!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionReset));
    }

    [Test]
    public async Task Relay_WhenTheProgramsConnectionIsReset_ClosesTheWebSocketWithAnError()
    {
        await using var rig = await RelayRig.StartAsync();

        rig.App.LingerState = new LingerOption(enable: true, seconds: 0);
        rig.App.Close();
        var (type, _) = await rig.ReceivePeerAsync();
        var outcome = await rig.OutcomeAsync();

        Assert.That(type, Is.EqualTo(WebSocketMessageType.Close));
        Assert.That(rig.Peer.CloseStatus, Is.EqualTo(WebSocketCloseStatus.InternalServerError));
        Assert.That(outcome.Failure, Does.Contain("ConnectionReset"));
    }

    [Test]
    public async Task Relay_WhenThePeerSendsText_TreatsTheTunnelAsBroken()
    {
        await using var rig = await RelayRig.StartAsync();

        await rig.Peer.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, default);
        var outcome = await rig.OutcomeAsync();

        Assert.That(outcome.Failure, Does.Contain("text message"));
    }

    [Test]
    public async Task Relay_WhenThePeerVanishesWithoutAClose_ResetsTheProgramsConnection()
    {
        await using var rig = await RelayRig.StartAsync();

        rig.Peer.Abort();
        rig.Peer.Dispose();
        var outcome = await rig.OutcomeAsync();
        var read = await Assert.ThrowsAsync<SocketException>(() => rig.ReadAppAsync(1));

        Assert.That(outcome.Completed, Is.False);
        Assert.That(read!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionReset));
    }

    [Test]
    public async Task Relay_WhenCancelled_EndsAsCancelledAndResetsTheProgramsConnection()
    {
        await using var rig = await RelayRig.StartAsync();

        await rig.StopRelayAsync();
        var outcome = await rig.OutcomeAsync();
        var read = await Assert.ThrowsAsync<SocketException>(() => rig.ReadAppAsync(1));

        Assert.That(outcome.Failure, Is.EqualTo("cancelled"));
        Assert.That(read!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionReset));
    }
}
