using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// Jobs that serve HTTP on a free port of their node, for the tunnel tests. The server binds 127.0.0.1, records its
/// port in <c>$COMMONS_JOB_DIR/ports/NAME</c> (written aside and renamed, so nobody reads half a file) and answers
/// every request with its body, in one write, on kept-alive connections.
/// </summary>
internal static class WebJobs
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How long a job may wait for a CPU of the sandbox's node (it has two). A model job another fixture left warm
    /// holds one for its keep-alive time, 5 minutes by default; past that, something else is wrong.
    /// </summary>
    public static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(6);

    private const string Server = """
        import http.server, os, sys, time
        name, body, delay = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3])
        time.sleep(delay)
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            def do_GET(self):
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        folder = os.path.join(os.environ["COMMONS_JOB_DIR"], "ports")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name + ".tmp"), "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(os.path.join(folder, name + ".tmp"), os.path.join(folder, name))
        server.serve_forever()
        """;

    private static bool _checked;

    /// <summary>Submits a job that serves <paramref name="body"/> on a port it records as its port name.</summary>
    public static async Task<JobView> SubmitAsync(string portName, string body, double delaySeconds = 0)
    {
        await EnsurePythonAsync();
        var delay = delaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await BridgeApi.SubmitOkAsync(BridgeApi.Command("python3", "-c", Server, portName, body, delay));
    }

    /// <summary>Waits until the job runs and the bridge lists the port; returns the port on the node.</summary>
    public static async Task<int> WaitForPortAsync(string jobId, string portName)
    {
        var ports = await Eventually.Async(
            () => Sandbox.Http.GetFromJsonAsync<List<JobPort>>(PortRoutes.Ports(jobId), Json.Options),
            listed => listed?.Any(p => p.Name == portName) == true,
            StartLimit,
            $"job {jobId} to run and record port '{portName}'");
        return ports!.Single(p => p.Name == portName).Port;
    }

    /// <summary>
    /// The node runs the jobs as the service account with the system's python3; a machine without it gets Debian's
    /// package here, once, rather than a test that fails for a reason it does not name.
    /// </summary>
    private static async Task EnsurePythonAsync()
    {
        if (_checked)
        {
            return;
        }

        var found = await Sandbox.SshAsync("command -v python3 && python3 -c 'import http.server'");
        if (found.ExitCode != 0)
        {
            var install = await ProcessRunner.RunAsync(
                "apt-get",
                ["install", "-y", "--no-install-recommends", "python3"],
                new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" },
                timeout: TimeSpan.FromMinutes(5));
            Assert.That(
                install.ExitCode, Is.Zero, $"python3 is missing and could not be installed\n{install.Describe()}");
        }

        _checked = true;
    }
}

/// <summary>A running <c>commons forward</c> and the local address it printed.</summary>
internal sealed class Forward : IDisposable
{
    private Forward(CliProcess process, Uri address)
    {
        Process = process;
        Address = address;
    }

    public CliProcess Process { get; }

    public Uri Address { get; }

    public static async Task<Forward> StartAsync(string jobId, string target)
    {
        var process = CliProcess.Start(new CliOptions(["forward", jobId, target]));
        var line = await Eventually.Async(
            () => Task.FromResult(process.Lines is [var first, ..] ? first.Text : null),
            text => text is not null,
            WebJobs.StartLimit,
            $"commons forward {jobId} {target} to print its address");
        return new Forward(process, new Uri($"http://{line}/"));
    }

    /// <summary>One GET on a fresh connection through the forward.</summary>
    public async Task<string> GetAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = WebJobs.Limit };
        return await http.GetStringAsync(new Uri("/", UriKind.Relative));
    }

    public void Dispose() => Process.Dispose();
}

/// <summary>
/// Tunnels on the sandbox: a job's port reaches localhost through <c>commons forward</c>, and only for the job's
/// owner; everyone else gets 403 and learns nothing, not even whether the job exists.
/// </summary>
[Order(RunOrder.Api)]
public sealed class TunnelTests
{
    private JobView _web = null!;
    private string _intruderToken = null!;

    [OneTimeSetUp]
    public async Task StartAServingJobAsync()
    {
        _web = await WebJobs.SubmitAsync("web", "served by the first job");
        _intruderToken = await Sandbox.CreateUserTokenAsync($"intruder-{Guid.NewGuid():N}"[..24]);
        await WebJobs.WaitForPortAsync(_web.Id, "web");
    }

    [OneTimeTearDown]
    public Task CleanUpAsync() => BridgeApi.CancelQuietlyAsync(_web?.Id);

    [Test]
    public async Task Ports_WhenTheJobRecordedOne_ListsItForTheOwner()
    {
        var ports = await Sandbox.Http.GetFromJsonAsync<List<JobPort>>(PortRoutes.Ports(_web.Id), Json.Options);

        Assert.That(ports, Has.Count.EqualTo(1));
        Assert.That(ports![0].Name, Is.EqualTo("web"));
        Assert.That(ports[0].Port, Is.InRange(1, 65535));
    }

    [Test]
    public async Task Ports_WithAnotherUsersToken_Answers404()
    {
        using var intruder = Sandbox.CreateClient(_intruderToken);

        using var response = await intruder.GetAsync(PortRoutes.Ports(_web.Id));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Forward_WhenTheJobServes_ReturnsTheServersBytesUntilCtrlC()
    {
        using var forward = await Forward.StartAsync(_web.Id, "web");

        var body = await forward.GetAsync();
        var again = await forward.GetAsync();
        await forward.Process.InterruptAsync();
        var result = await forward.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.That(body, Is.EqualTo("served by the first job"));
        Assert.That(again, Is.EqualTo("served by the first job"));
        Assert.That(forward.Address.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(result.Lines.Select(l => l.Text), Is.EqualTo(new[] { forward.Address.Authority }));
        Assert.That(result.Stderr, Does.Contain($"Forwarding {forward.Address.Authority} -> {_web.Id}:web"));
        Assert.That(result.ExitCode, Is.EqualTo(130), result.Describe());
    }

    [Test]
    public async Task Forward_WhenALocalPortIsGiven_ListensThere()
    {
        var local = FreePort();

        using var forward = await Forward.StartAsync(_web.Id, $"{local}:web");
        var body = await forward.GetAsync();

        Assert.That(forward.Address.Port, Is.EqualTo(local));
        Assert.That(body, Is.EqualTo("served by the first job"));
    }

    [Test]
    public async Task Tunnel_WithAnotherUsersToken_Answers403()
    {
        var status = await TunnelStatusAsync(_web.Id, "web", _intruderToken);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Tunnel_ForAMadeUpJob_Answers403()
    {
        var status = await TunnelStatusAsync("nosuchjob000", "web", Sandbox.Settings.Token);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Tunnel_ToAnotherUsersJobOrAMadeUpOne_AnswersTheSameWords()
    {
        using var intruder = Sandbox.CreateClient(_intruderToken);

        var others = await RefusalAsync(intruder, _web.Id, "web");
        var madeUp = await RefusalAsync(intruder, "nosuchjob000", "web");

        Assert.That(others.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(others.Title + others.Detail, Is.EqualTo(madeUp.Title + madeUp.Detail));
        Assert.That(others.Detail, Does.Not.Contain(_web.Id));
    }

    [Test]
    public async Task Tunnel_WithoutToken_Answers401()
    {
        var status = await TunnelStatusAsync(_web.Id, "web", token: null);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Tunnel_ForAPortTheJobDidNotRecord_TellsTheOwnerWhy()
    {
        var refusal = await RefusalAsync(Sandbox.Http, _web.Id, "nope");

        Assert.That(refusal.Status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refusal.Detail, Does.Contain("has not recorded a port named 'nope'"));
    }

    [Test]
    public async Task Forward_ForTwoJobsOnTheSameNode_EachAnswersThroughItsOwnTunnel()
    {
        var second = await WebJobs.SubmitAsync("web", "served by the second job");
        try
        {
            var firstPort = await WebJobs.WaitForPortAsync(_web.Id, "web");
            var secondPort = await WebJobs.WaitForPortAsync(second.Id, "web");

            using var toFirst = await Forward.StartAsync(_web.Id, "web");
            using var toSecond = await Forward.StartAsync(second.Id, "web");
            var bodies = await Task.WhenAll(toFirst.GetAsync(), toSecond.GetAsync(), toFirst.GetAsync());

            var nodes = new[] { await BridgeApi.GetAsync(_web.Id), await BridgeApi.GetAsync(second.Id) };
            Assert.That(nodes.Select(j => j.Node).Distinct().Count(), Is.EqualTo(1), "both jobs share one node");
            Assert.That(firstPort, Is.Not.EqualTo(secondPort));
            Assert.That(bodies, Is.EqualTo(new[]
            {
                "served by the first job", "served by the second job", "served by the first job",
            }));
        }
        finally
        {
            await BridgeApi.CancelQuietlyAsync(second.Id);
        }
    }

    [Test]
    public async Task Forward_WhenTheJobHasNotRecordedThePortYet_WaitsUntilItHas()
    {
        var late = await WebJobs.SubmitAsync("late", "served after a while", delaySeconds: 3);
        try
        {
            using var forward = await Forward.StartAsync(late.Id, "late");
            var body = await forward.GetAsync();

            Assert.That(body, Is.EqualTo("served after a while"));
        }
        finally
        {
            await BridgeApi.CancelQuietlyAsync(late.Id);
        }
    }

    [Test]
    public async Task Tunnel_ToAFinishedJob_IsRefusedAndForwardSaysTheJobEnded()
    {
        var done = await WebJobs.SubmitAsync("web", "served until cancelled");
        try
        {
            await WebJobs.WaitForPortAsync(done.Id, "web");
        }
        finally
        {
            await BridgeApi.CancelAsync(done.Id);
        }

        await BridgeApi.WaitForEndAsync(done.Id);

        var status = await TunnelStatusAsync(done.Id, "web", Sandbox.Settings.Token);
        var ports = await Sandbox.Http.GetFromJsonAsync<List<JobPort>>(PortRoutes.Ports(done.Id), Json.Options);
        var forward = await Cli.RunAsync("forward", done.Id, "web");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(ports, Is.Empty);
        Assert.That(forward.ExitCode, Is.EqualTo(1), forward.Describe());
        Assert.That(forward.Stderr, Does.Contain($"{done.Id} ended (cancelled) before it recorded port 'web'"));
        Assert.That(forward.Stdout, Is.Empty);
    }

    [Test]
    public async Task Forward_ForAMissingJob_ExitsWithTheBridgesAnswer()
    {
        var result = await Cli.RunAsync("forward", "nosuchjob000", "web");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.Describe());
        Assert.That(result.Stderr, Does.Contain("No such job"));
        Assert.That(result.Stdout, Is.Empty);
    }

    [TestCase("99999:web")]
    [TestCase("../web")]
    public async Task Forward_WithAMalformedPort_ExitsWithUsageError(string target)
    {
        var result = await Cli.RunAsync("forward", _web.Id, target);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.Describe());
        Assert.That(result.Stderr, Does.Contain("LOCAL:NAME"));
    }

    /// <summary>The HTTP status the tunnel endpoint answers a WebSocket upgrade with (101 when it opened).</summary>
    internal static async Task<HttpStatusCode> TunnelStatusAsync(string jobId, string portName, string? token)
    {
        using var webSocket = new ClientWebSocket();
        webSocket.Options.CollectHttpResponseDetails = true;
        if (token is not null)
        {
            webSocket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }

        var address = new UriBuilder(Sandbox.Settings.Bridge)
        {
            Scheme = "ws",
            Path = PortRoutes.Tunnel(jobId, portName),
        };
        try
        {
            await webSocket.ConnectAsync(address.Uri, CancellationToken.None);
            webSocket.Abort();
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return webSocket.HttpStatusCode;
        }
    }

    /// <summary>The problem document a refused WebSocket upgrade carries.</summary>
    private static async Task<(HttpStatusCode Status, string Title, string Detail)> RefusalAsync(
        HttpClient client, string jobId, string portName)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, PortRoutes.Tunnel(jobId, portName));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(body);
        return (
            response.StatusCode,
            problem.RootElement.GetProperty("title").GetString() ?? "",
            problem.RootElement.GetProperty("detail").GetString() ?? "");
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>
/// A forward outlives a bridge restart: the connection open at the time fails, and the next one opens a new tunnel
/// once the bridge is back, without anyone restarting <c>commons forward</c>.
/// </summary>
[Order(RunOrder.BridgeRestart)]
[NonParallelizable]
public sealed class TunnelRestartTests
{
    [Test]
    public async Task Forward_WhenTheBridgeRestarts_ServesTheNextConnectionOnItsOwn()
    {
        var job = await WebJobs.SubmitAsync("web", "served across a restart");
        try
        {
            await WebJobs.WaitForPortAsync(job.Id, "web");
            using var forward = await Forward.StartAsync(job.Id, "web");
            var before = await forward.GetAsync();

            await Sandbox.RestartBridgeAsync();
            var after = await forward.GetAsync();

            Assert.That(before, Is.EqualTo("served across a restart"));
            Assert.That(after, Is.EqualTo("served across a restart"));
            Assert.That(forward.Process.Lines, Has.Count.EqualTo(1), "the forward kept its one address");
        }
        finally
        {
            await BridgeApi.CancelQuietlyAsync(job.Id);
        }
    }
}
