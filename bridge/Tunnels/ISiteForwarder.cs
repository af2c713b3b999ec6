using System.Net.Sockets;

namespace Commons.Bridge.Tunnels;

/// <summary>Opens TCP connections onward from a site's login node, to the site's compute nodes.</summary>
public interface ISiteForwarder
{
    /// <summary>
    /// A TCP connection to <paramref name="host"/>:<paramref name="port"/> as the site's login node reaches it.
    /// Throws <see cref="Ssh.SiteUnreachableException"/> when the login node cannot be reached. A target that refuses
    /// the connection shows as a socket that ends at once: the refusal travels over SSH after the local connect.
    /// </summary>
    Task<ForwardedConnection> ConnectAsync(string site, string host, int port, CancellationToken cancellationToken);
}

/// <summary>A connection through a site's forward. Disposing it closes the socket and lets go of the forward.</summary>
public sealed class ForwardedConnection(Socket socket, IDisposable forward) : IDisposable
{
    private int _disposed;

    public Socket Socket { get; } = socket;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Socket.Dispose();
            forward.Dispose();
        }
    }
}
