using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Commons.Bridge.Hosting;
using Commons.Bridge.Sites;
using Commons.Bridge.Tunnels;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Commons.Bridge.Ssh;

/// <summary>Runs commands on a site's login node.</summary>
public interface ISiteShell
{
    /// <summary>
    /// Runs one command through the site's pooled connection. <paramref name="idempotent"/> commands are tried once
    /// more on a fresh connection when the old one turns out to be dead; others are not, since the first try may
    /// have reached the server.
    /// </summary>
    Task<CommandResult> RunAsync(
        string site, string command, byte[]? stdin, bool idempotent, CancellationToken cancellationToken);
}

/// <summary>
/// One SSH connection per site, shared by every command: connecting costs a key exchange and authentication,
/// a channel on a live connection costs one round trip. At most <see cref="MaxChannels"/> commands run at once on
/// a connection (OpenSSH allows 10 sessions by default); the rest wait their turn.
/// </summary>
public sealed class SshPool(SiteRegistry sites, ILogger<SshPool> logger) : ISiteShell, ISiteForwarder, IDisposable
{
    public const int MaxChannels = 8;

    /// <summary>How long a forward stays up with no connection through it.</summary>
    public static readonly TimeSpan ForwardIdleTime = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, SiteConnection> _connections = new();

    public async Task<CommandResult> RunAsync(
        string site, string command, byte[]? stdin, bool idempotent, CancellationToken cancellationToken)
    {
        var connection = _connections.GetOrAdd(site, name => new SiteConnection(sites.Get(name), logger));
        try
        {
            return await connection.RunAsync(command, stdin, cancellationToken);
        }
        catch (SiteUnreachableException e) when (idempotent && e.IsTransient && !cancellationToken.IsCancellationRequested)
        {
            Log.SshRetrying(logger, site, e.Message);
            return await connection.RunAsync(command, stdin, cancellationToken);
        }
    }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> through an SSH local forward on the site's pooled
    /// connection. Every connection to the same target shares one forward, which stops once no connection has used it
    /// for <see cref="ForwardIdleTime"/>, or with the SSH connection. Opening a connection changes nothing on the
    /// site, so a transient failure is always tried once more, on a fresh connection.
    /// </summary>
    public async Task<ForwardedConnection> ConnectAsync(
        string site, string host, int port, CancellationToken cancellationToken)
    {
        var connection = _connections.GetOrAdd(site, name => new SiteConnection(sites.Get(name), logger));
        try
        {
            return await connection.ConnectForwardAsync(host, port, cancellationToken);
        }
        catch (SiteUnreachableException e) when (e.IsTransient && !cancellationToken.IsCancellationRequested)
        {
            Log.SshRetrying(logger, site, e.Message);
            return await connection.ConnectForwardAsync(host, port, cancellationToken);
        }
    }

    public void Dispose()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Dispose();
        }
    }

    private sealed class SiteConnection(SiteConfig site, ILogger logger) : IDisposable
    {
        private readonly SemaphoreSlim _channels = new(MaxChannels, MaxChannels);
        private readonly SemaphoreSlim _connectLock = new(1, 1);
        private readonly Lock _forwardsLock = new();
        private readonly Dictionary<(string Host, int Port), SharedForward> _forwards = [];
        private SshClient? _client;

        // Set by the host key check of the connection being opened; SSH.NET reports the refusal as a generic failure.
        private volatile string? _rejectedHostKey;

        public async Task<CommandResult> RunAsync(string command, byte[]? stdin, CancellationToken cancellationToken)
        {
            await _channels.WaitAsync(cancellationToken);
            try
            {
                var client = await ConnectedClientAsync(cancellationToken);
                try
                {
                    return await ExecuteAsync(client, command, stdin, cancellationToken);
                }
                catch (Exception e) when (IsConnectionFault(e))
                {
                    Drop(client);
                    throw new SiteUnreachableException(site.Name, $"connection lost: {e.Message}", isTransient: true, e);
                }
            }
            finally
            {
                _channels.Release();
            }
        }

        private static async Task<CommandResult> ExecuteAsync(
            SshClient client, string command, byte[]? stdin, CancellationToken cancellationToken)
        {
            using var ssh = client.CreateCommand(command);
            var execution = ssh.ExecuteAsync(cancellationToken);
            if (stdin is not null)
            {
                using var input = ssh.CreateInputStream();
                await input.WriteAsync(stdin, cancellationToken);
            }

            await execution;
            using var stdout = new MemoryStream();
            await ssh.OutputStream.CopyToAsync(stdout, cancellationToken);
            return new CommandResult(ssh.ExitStatus ?? -1, stdout.ToArray(), ssh.Error);
        }

        private async Task<SshClient> ConnectedClientAsync(CancellationToken cancellationToken)
        {
            var current = _client;
            if (current is { IsConnected: true })
            {
                return current;
            }

            await _connectLock.WaitAsync(cancellationToken);
            try
            {
                if (_client is { IsConnected: true })
                {
                    return _client;
                }

                _client?.Dispose();
                _client = null;
                var client = CreateClient();
                _rejectedHostKey = null;
                try
                {
                    await client.ConnectAsync(cancellationToken);
                }
                catch (SshException e) when (_rejectedHostKey is { } presented)
                {
                    client.Dispose();
                    throw new SiteUnreachableException(
                        site.Name,
                        $"the login node presented host key {presented}, but login.hostKeySha256 pins " +
                        $"{site.Login.HostKeySha256}; refusing to connect",
                        isTransient: false,
                        e);
                }
                catch (SshAuthenticationException e)
                {
                    client.Dispose();
                    throw new SiteUnreachableException(
                        site.Name, $"the login node refused the service account's key: {e.Message}", isTransient: false, e);
                }
                catch (Exception e) when (e is SocketException or SshException or TimeoutException or IOException)
                {
                    client.Dispose();
                    throw new SiteUnreachableException(
                        site.Name, $"cannot connect to {site.Login.Host}:{site.Login.Port}: {e.Message}", isTransient: true, e);
                }

                Log.SshConnected(logger, site.Name, site.Login.Host, site.Login.Port);
                _client = client;
                return client;
            }
            finally
            {
                _connectLock.Release();
            }
        }

        private SshClient CreateClient()
        {
            PrivateKeyFile key;
            try
            {
                key = new PrivateKeyFile(site.Login.KeyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException)
            {
                throw new SiteUnreachableException(
                    site.Name, $"cannot read login.keyFile {site.Login.KeyFile}: {e.Message}", isTransient: false, e);
            }

            var info = new Renci.SshNet.ConnectionInfo(
                site.Login.Host, site.Login.Port, site.Login.User, new PrivateKeyAuthenticationMethod(site.Login.User, key))
            {
                Timeout = ConnectTimeout,
            };
            PreferAesGcm(info);
            var client = new SshClient(info) { KeepAliveInterval = KeepAlive };
            client.HostKeyReceived += (_, e) =>
            {
                e.CanTrust = HostKeyPin.Matches(site.Login.HostKeySha256, e.FingerPrintSHA256);
                if (!e.CanTrust)
                {
                    _rejectedHostKey = "SHA256:" + e.FingerPrintSHA256;
                    Log.HostKeyMismatch(logger, site.Name, site.Login.HostKeySha256, _rejectedHostKey);
                }
            };
            return client;
        }

        /// <summary>
        /// Offers AES-GCM first. SSH.NET's own order starts with AES-CTR and a separate HMAC; GCM (hardware AES that
        /// authenticates as it goes) cost the login node's sshd a fifth and the bridge a quarter less CPU per byte when
        /// measured on the sandbox, which counts for tunnels that move gigabytes. A server without GCM gets the rest,
        /// in SSH.NET's order.
        /// </summary>
        private static void PreferAesGcm(Renci.SshNet.ConnectionInfo info)
        {
            var ciphers = info.Encryptions.ToList();
            info.Encryptions.Clear();
            var gcmFirst = ciphers.OrderBy(c => c.Key.Contains("-gcm@", StringComparison.Ordinal) ? 0 : 1);
            foreach (var (name, cipher) in gcmFirst)
            {
                info.Encryptions.Add(name, cipher);
            }
        }

        private void Drop(SshClient client)
        {
            if (Interlocked.CompareExchange(ref _client, null, client) == client)
            {
                client.Dispose();
            }
        }

        private static bool IsConnectionFault(Exception e) =>
            e is SshConnectionException or SocketException or ObjectDisposedException or IOException
                or SshOperationTimeoutException
            || (e is InvalidOperationException && e.Message.Contains("not connected", StringComparison.OrdinalIgnoreCase));

        public async Task<ForwardedConnection> ConnectForwardAsync(
            string host, int port, CancellationToken cancellationToken)
        {
            var client = await ConnectedClientAsync(cancellationToken);
            SharedForward forward;
            try
            {
                forward = LeaseForward(client, host, port);
            }
            catch (Exception e) when (IsConnectionFault(e) || e is SshException)
            {
                Drop(client);
                throw new SiteUnreachableException(
                    site.Name, $"cannot forward to {host}:{port}: {e.Message}", isTransient: true, e);
            }

            var connected = false;
            try
            {
                var socket = await forward.ConnectAsync(cancellationToken);
                connected = true;
                return new ForwardedConnection(socket, new ForwardLease(this, forward));
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                throw new SiteUnreachableException(
                    site.Name, $"the forward to {host}:{port} took no connection: {e.Message}", isTransient: true, e);
            }
            finally
            {
                if (!connected)
                {
                    ReleaseForward(forward);
                }
            }
        }

        private SharedForward LeaseForward(SshClient client, string host, int port)
        {
            lock (_forwardsLock)
            {
                if (!_forwards.TryGetValue((host, port), out var forward) || !forward.IsUsableWith(client))
                {
                    // A forward of a dropped connection stopped with it; its last tunnels end on their own.
                    forward?.Retire();
                    forward = SharedForward.Start(client, site.Name, host, port, logger);
                    _forwards[(host, port)] = forward;
                }

                forward.Leases++;
                forward.StopIdleTimer();
                return forward;
            }
        }

        public void ReleaseForward(SharedForward forward)
        {
            lock (_forwardsLock)
            {
                forward.Leases--;
                if (forward.Leases > 0)
                {
                    return;
                }

                if (forward.Retired)
                {
                    forward.Retire();
                }
                else
                {
                    forward.StartIdleTimer(() => RetireIfIdle(forward));
                }
            }
        }

        private void RetireIfIdle(SharedForward forward)
        {
            lock (_forwardsLock)
            {
                if (forward.Leases > 0 || forward.Retired)
                {
                    return;
                }

                if (_forwards.TryGetValue(forward.Target, out var current) && current == forward)
                {
                    _forwards.Remove(forward.Target);
                }

                forward.Retire();
            }
        }

        public void Dispose()
        {
            lock (_forwardsLock)
            {
                foreach (var forward in _forwards.Values)
                {
                    forward.Retire();
                }

                _forwards.Clear();
            }

            _client?.Dispose();
            _channels.Dispose();
            _connectLock.Dispose();
        }
    }

    /// <summary>One tunnel's hold on a shared forward; the forward may stop once every hold is let go.</summary>
    private sealed class ForwardLease(SiteConnection connection, SharedForward forward) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                connection.ReleaseForward(forward);
            }
        }
    }

    /// <summary>
    /// An SSH.NET local forward from 127.0.0.1 (a port the system picks) to one target, shared by every tunnel to
    /// that target. What SSH.NET's forward brings with it, named here because this is where it lives:
    /// <list type="bullet">
    /// <item>The forward's local port is reachable by any local process on the bridge host, not only by the bridge:
    /// while it is open, another user of that host can connect to it and reach the job's port without a token.
    /// Closing that takes a direct-tcpip channel used as a stream, with no listener at all, which SSH.NET does not
    /// offer publicly (its channel types are internal). Until then the bridge host must have no other users.</item>
    /// <item>SSH.NET serves an accepted connection on the thread that accepted it; a second connection already
    /// waiting at that moment is accepted and served on the same thread, and the first then waits until the second
    /// ends. So connections are made one at a time, each only once SSH.NET has taken the one before.</item>
    /// <item>Each open connection holds a thread-pool thread in SSH.NET's blocking read loop.</item>
    /// <item>SSH.NET opens channels with an unbounded window (int.MaxValue) and writes what arrives to the local
    /// socket from the session's single receive loop, blocking: a tunnel whose client reads slowly holds up every
    /// channel of the site's connection, Slurm commands included, until it catches up. And since the window never
    /// closes, the login node's sshd reads whatever the target sends and queues it for the bridge: on the sandbox a
    /// 256 MiB download left ~30 MB queued in sshd, which spent a quarter of the machine's CPU moving that queue
    /// around. That queue is what still limits a tunnel's throughput on a small host: of 86 downloads on the
    /// sandbox, those during which sshd used 1.2 s of CPU or more reached 0.51 of ssh -L's rate (median), those
    /// where it used under 0.7 s reached 0.97, with the bridge's own CPU the same in both. A channel with a real
    /// window would fix both, and a connection of its own for tunnels the first.</item>
    /// <item>A FIN from the bridge's side ends the whole SSH channel, so a reply the target sends after the client
    /// half-closed its connection is lost.</item>
    /// </list>
    /// </summary>
    private sealed class SharedForward : IDisposable
    {
        private static readonly TimeSpan AcceptTimeout = TimeSpan.FromSeconds(10);

        /// <summary>
        /// The receive buffer of the bridge's end of the loopback hop. SSH.NET writes each packet from the target to
        /// this socket from the session's receive loop, blocking; while it blocks it reads nothing more from the SSH
        /// connection, and the login node's sshd (which SSH.NET granted an unbounded window) queues what the target
        /// keeps sending, at a cost per byte that grows with the queue. Linux did not grow this loopback socket's
        /// buffer past its 128 KiB default during a 256 MiB download, so SSH.NET stalled whenever the relay was
        /// 128 KiB behind. With 4 MiB (the kernel caps it at net.core.rmem_max; memory is used only while bytes wait)
        /// SSH.NET stalls less: on the sandbox, sshd's CPU per 256 MiB fell from
        /// 0.82 to 0.70 s and the tunnel's throughput against ssh -L rose from 0.76 to 0.85 (medians of 58 and 86
        /// downloads, on a busy 2-core machine where single downloads vary twofold).
        /// </summary>
        private const int ForwardReceiveBuffer = 4 * 1024 * 1024;

        private readonly SshClient _client;
        private readonly ForwardedPortLocal _port;
        private readonly string _site;
        private readonly ILogger _logger;
        private readonly SemaphoreSlim _oneAtATime = new(1, 1);
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _awaitingAccept = new();
        private ITimer? _idleTimer;
        private int _stopped;

        private SharedForward(SshClient client, ForwardedPortLocal port, string site, ILogger logger)
        {
            _client = client;
            _port = port;
            _site = site;
            _logger = logger;
            Target = (port.Host, (int)port.Port);
        }

        public (string Host, int Port) Target { get; }

        /// <summary>Tunnels holding the forward; changed under the owning connection's lock.</summary>
        public int Leases { get; set; }

        public bool Retired { get; private set; }

        public static SharedForward Start(SshClient client, string site, string host, int port, ILogger logger)
        {
            var forwarded = new ForwardedPortLocal("127.0.0.1", 0, host, (uint)port);
            var shared = new SharedForward(client, forwarded, site, logger);
            forwarded.RequestReceived += shared.OnRequestReceived;
            forwarded.Exception += shared.OnException;
            try
            {
                client.AddForwardedPort(forwarded);
                forwarded.Start();
            }
            catch
            {
                forwarded.Dispose();
                throw;
            }

            Log.ForwardStarted(logger, site, host, port, (int)forwarded.BoundPort);
            return shared;
        }

        public bool IsUsableWith(SshClient client) => ReferenceEquals(client, _client) && _port.IsStarted && !Retired;

        /// <summary>A socket connected through the forward, once SSH.NET has taken the connection.</summary>
        public async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
        {
            await _oneAtATime.WaitAsync(cancellationToken);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
                ReceiveBufferSize = ForwardReceiveBuffer,
            };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var localPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
                var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _awaitingAccept[localPort] = taken;
                try
                {
                    var forward = new IPEndPoint(IPAddress.Loopback, (int)_port.BoundPort);
                    await socket.ConnectAsync(forward, cancellationToken);
                    await taken.Task.WaitAsync(AcceptTimeout, cancellationToken);
                }
                finally
                {
                    _awaitingAccept.TryRemove(localPort, out _);
                }

                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            finally
            {
                _oneAtATime.Release();
            }
        }

        public void StartIdleTimer(Action onIdle)
        {
            _idleTimer?.Dispose();
            _idleTimer = TimeProvider.System.CreateTimer(
                _ => onIdle(), null, ForwardIdleTime, Timeout.InfiniteTimeSpan);
        }

        public void StopIdleTimer()
        {
            _idleTimer?.Dispose();
            _idleTimer = null;
        }

        /// <summary>No new tunnel uses the forward; it stops once the last one holding it lets go.</summary>
        public void Retire()
        {
            Retired = true;
            StopIdleTimer();
            if (Leases == 0)
            {
                // Stopping waits for the forward's channels to close; that is no work for the caller's thread.
                _ = Task.Run(Dispose);
            }
        }

        /// <summary>Stops the forward now; connections still open through it are cut.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return;
            }

            StopIdleTimer();
            try
            {
                _client.RemoveForwardedPort(_port);
            }
            catch (Exception e) when (e is ObjectDisposedException or SshException or InvalidOperationException)
            {
                // The SSH connection went first and took the forward with it.
            }

            _port.Dispose();
            _oneAtATime.Dispose();
            Log.ForwardStopped(_logger, _site, Target.Host, Target.Port);
        }

        private void OnRequestReceived(object? sender, PortForwardEventArgs e)
        {
            if (_awaitingAccept.TryRemove((int)e.OriginatorPort, out var taken))
            {
                taken.TrySetResult();
            }
        }

        private void OnException(object? sender, ExceptionEventArgs e) =>
            Log.ForwardFailed(_logger, _site, Target.Host, Target.Port, e.Exception.Message);
    }
}
