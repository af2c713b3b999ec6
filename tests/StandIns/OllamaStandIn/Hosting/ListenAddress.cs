using System.Globalization;
using System.Net;

namespace Commons.StandIns.Ollama.Hosting;

/// <summary>Where the stand-in listens, read from <c>OLLAMA_HOST</c> the way Ollama reads it.</summary>
/// <param name="Address">The IP address to bind; 127.0.0.1 unless the variable names another.</param>
/// <param name="Port">The TCP port; 11434 unless the variable names another.</param>
public sealed record ListenAddress(IPAddress Address, int Port)
{
    public const int DefaultPort = 11434;

    public static ListenAddress Default { get; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>Host and port as Ollama prints them, e.g. <c>127.0.0.1:11434</c> or <c>[::1]:11434</c>.</summary>
    public override string ToString() => new IPEndPoint(Address, Port).ToString();

    /// <summary>
    /// Parses <c>127.0.0.1:PORT</c>, <c>http://127.0.0.1:PORT</c>, <c>:PORT</c>, a bare address or a bare
    /// <c>localhost</c>. An empty value means the default, 127.0.0.1:11434.
    /// </summary>
    /// <exception cref="FormatException">The value names no usable address or port; the message says why.</exception>
    public static ListenAddress Parse(string? value)
    {
        // Ollama trims blanks and quotes that shell scripts tend to leave around the value.
        var text = (value ?? string.Empty).Trim().Trim('"', '\'').Trim();
        if (text.Length == 0)
        {
            return Default;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = text[..schemeEnd];
            if (scheme is not ("http" or "https"))
            {
                throw new FormatException($"scheme '{scheme}' is not supported; use http:// or none");
            }

            text = text[(schemeEnd + 3)..];
        }

        text = text.TrimEnd('/');
        var (host, portText) = SplitHostAndPort(text);
        return new ListenAddress(ParseHost(host), ParsePort(portText));
    }

    private static (string Host, string? Port) SplitHostAndPort(string text)
    {
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException("an IPv6 address opened with '[' is never closed with ']'");
            }

            var rest = text[(close + 1)..];
            return rest.Length == 0 ? (text[1..close], null)
                : rest.StartsWith(':') ? (text[1..close], rest[1..])
                : throw new FormatException($"unexpected '{rest}' after the IPv6 address");
        }

        // More than one colon without brackets is a bare IPv6 address, which Ollama accepts too.
        var firstColon = text.IndexOf(':', StringComparison.Ordinal);
        if (firstColon < 0 || firstColon != text.LastIndexOf(':'))
        {
            return (text, null);
        }

        return (text[..firstColon], text[(firstColon + 1)..]);
    }

    private static IPAddress ParseHost(string host)
    {
        // Ollama binds every interface for a bare ":PORT". The stand-in keeps to loopback instead: it is test
        // support, and whoever wants it reachable from elsewhere can say 0.0.0.0 explicitly.
        if (host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        // Host names other than localhost would need a DNS lookup, which has no place on a test node.
        return IPAddress.TryParse(host, out var address)
            ? address
            : throw new FormatException($"'{host}' is not an IP address; give one such as 127.0.0.1 or 0.0.0.0");
    }

    private static int ParsePort(string? portText)
    {
        if (portText is null)
        {
            return DefaultPort;
        }

        return int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is >= 0 and <= 65535
            ? port
            : throw new FormatException($"'{portText}' is not a port number between 0 and 65535");
    }
}
