using System.Collections.Concurrent;
using System.Net.Sockets;
using Commons.Bridge.Hosting;
using Commons.Bridge.Sites;
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
public sealed class SshPool(SiteRegistry sites, ILogger<SshPool> logger) : ISiteShell, IDisposable
{
    public const int MaxChannels = 8;

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

        public void Dispose()
        {
            _client?.Dispose();
            _channels.Dispose();
            _connectLock.Dispose();
        }
    }
}
