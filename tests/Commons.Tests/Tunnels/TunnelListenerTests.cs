using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Commons.Cli.Config;
using Commons.Cli.Tunnels;

namespace Commons.Tests.Tunnels;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class TunnelListenerTests
{
    private const string JobId = "k3v9x2m4q7ab";
    private const string Token = "cct_test-token";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<TunnelProblem> _problems = new();

    [TestCase("http://127.0.0.1:8470", "ws://127.0.0.1:8470/v1/jobs/k3v9x2m4q7ab/ports/api")]
    [TestCase("https://bridge.example.org/", "wss://bridge.example.org/v1/jobs/k3v9x2m4q7ab/ports/api")]
    [TestCase("http://bridge.example.org:8080/x?y=1", "ws://bridge.example.org:8080/v1/jobs/k3v9x2m4q7ab/ports/api")]
    public void TunnelAddress_WhenBuilt_SwapsTheSchemeAndKeepsHostAndPort(string bridge, string expected)
    {
        var address = TunnelListener.TunnelAddress(new Uri(bridge), JobId, "api");

        Assert.That(address, Is.EqualTo(new Uri(expected)));
    }

    [Test]
    public async Task StartAsync_WhenPortIsZero_ListensOnAFreeLoopbackPort()
    {
        await using var listener = CreateSut(new Uri("http://127.0.0.1:9/"));

        var bound = await listener.StartAsync(JobId, "api", 0, CancellationToken.None);

        Assert.That(bound.Address, Is.EqualTo(IPAddress.Loopback));
        Assert.That(bound.Port, Is.Positive);
    }

    [Test]
    public async Task StartAsync_WhenThePortIsTaken_Throws()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen(1);
        await using var listener = CreateSut(new Uri("http://127.0.0.1:9/"));

        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        await Assert.ThrowsAsync<SocketException>(
            () => listener.StartAsync(JobId, "api", port, CancellationToken.None));
    }

    [Test]
    public async Task Connection_WhenTheBridgeTakesTheTunnel_CarriesBytesBothWaysWithTheToken()
    {
        await using var bridge = await FakeBridge.StartAsync();
        await using var listener = CreateSut(bridge.Address);
        var bound = await listener.StartAsync(JobId, "api", 0, CancellationToken.None);

        using var client = await ConnectAsync(bound);
        await client.SendAsync("ping"u8.ToArray(), SocketFlags.None);
        var echoed = await ReadAsync(client, 4);

        Assert.That(Encoding.ASCII.GetString(echoed), Is.EqualTo("ping"));
        Assert.That(bridge.Requests.Single(), Is.EqualTo(($"/v1/jobs/{JobId}/ports/api", $"Bearer {Token}")));
        Assert.That(_problems, Is.Empty);
    }

    [Test]
    public async Task Connection_WhenTheLocalProgramCloses_EndsTheTunnelInOrder()
    {
        await using var bridge = await FakeBridge.StartAsync();
        await using var listener = CreateSut(bridge.Address);
        var bound = await listener.StartAsync(JobId, "api", 0, CancellationToken.None);

        using var client = await ConnectAsync(bound);
        await client.SendAsync("bye"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var rest = await ReadAsync(client, 16);

        Assert.That(Encoding.ASCII.GetString(rest), Is.EqualTo("bye"));
        Assert.That(_problems, Is.Empty);
    }

    [Test]
    public async Task Connection_WhenTheBridgeRefuses_ResetsThatConnectionAndReportsTheRefusal()
    {
        await using var bridge = await FakeBridge.StartAsync();
        bridge.Behaviour = FakeTunnelBehaviour.Refuse;
        await using var listener = CreateSut(bridge.Address);
        var bound = await listener.StartAsync(JobId, "api", 0, CancellationToken.None);

        using var client = await ConnectAsync(bound);
        var read = await Assert.ThrowsAsync<SocketException>(() => ReadAsync(client, 1));

        Assert.That(read!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionReset));
        var problem = _problems.Single();
        Assert.That(problem.Status, Is.EqualTo(403));
        Assert.That(problem.Retrying, Is.False);
        Assert.That(problem.Message, Does.Contain("has not recorded port 'api'"));
    }

    [Test]
    public async Task Connection_WhenTheTunnelDropsMidway_FailsThatConnectionAndTheNextOneWorks()
    {
        await using var bridge = await FakeBridge.StartAsync();
        bridge.Behaviour = FakeTunnelBehaviour.DropAfterFirstMessage;
        await using var listener = CreateSut(bridge.Address);
        var bound = await listener.StartAsync(JobId, "api", 0, CancellationToken.None);
        using var first = await ConnectAsync(bound);
        await first.SendAsync("one"u8.ToArray(), SocketFlags.None);
        var dropped = await Assert.ThrowsAsync<SocketException>(() => ReadAsync(first, 1));

        bridge.Behaviour = FakeTunnelBehaviour.Echo;
        using var second = await ConnectAsync(bound);
        await second.SendAsync("two"u8.ToArray(), SocketFlags.None);
        var echoed = await ReadAsync(second, 3);

        Assert.That(dropped!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionReset));
        Assert.That(Encoding.ASCII.GetString(echoed), Is.EqualTo("two"));
        Assert.That(_problems.Single().Message, Does.Contain("broke"));
    }

    [Test]
    public async Task Connection_WhenTheBridgeIsNotUpYet_WaitsForItThenCarriesTheBytes()
    {
        var port = FreePort();
        await using var listener = CreateSut(new Uri($"http://127.0.0.1:{port}/"));
        var bound = await listener.StartAsync(JobId, "api", 0, CancellationToken.None);
        using var client = await ConnectAsync(bound);
        await client.SendAsync("early"u8.ToArray(), SocketFlags.None);
        await WaitForAsync(() => !_problems.IsEmpty);

        await using var bridge = await FakeBridge.StartAsync(port);
        var echoed = await ReadAsync(client, 5);

        Assert.That(Encoding.ASCII.GetString(echoed), Is.EqualTo("early"));
        var problem = _problems.Single();
        Assert.That(problem.Retrying, Is.True);
        Assert.That(problem.Message, Does.StartWith($"cannot reach the bridge at http://127.0.0.1:{port}/"));
    }

    [Test]
    public async Task DisposeAsync_WhenAConnectionIsOpen_CutsItAndStopsListening()
    {
        await using var bridge = await FakeBridge.StartAsync();
        var listener = CreateSut(bridge.Address);
        var bound = await listener.StartAsync(JobId, "api", 0, CancellationToken.None);
        using var client = await ConnectAsync(bound);
        await client.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await ReadAsync(client, 1);

        await listener.DisposeAsync();

        await Assert.ThrowsAsync<SocketException>(() => ReadAsync(client, 1));
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(bound));
        Assert.That(refused!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
    }

    private TunnelListener CreateSut(Uri bridge) => new(new CliSettings(bridge, Token), _problems.Enqueue);

    private static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return socket;
    }

    /// <summary>Reads until <paramref name="count"/> bytes came or the stream ended.</summary>
    private static async Task<byte[]> ReadAsync(Socket socket, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return buffer[..filled];
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
