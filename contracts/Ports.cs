namespace Commons.Contracts;

/// <summary>A port a running job listens on, as the job recorded it in <c>ports/NAME</c> of its folder.</summary>
/// <param name="Name">The name the job gave the port (see <see cref="PortNames"/>).</param>
/// <param name="Port">The TCP port on the job's node, 1–65535.</param>
public sealed record JobPort(string Name, int Port);

/// <summary>Paths of a job's ports and tunnels.</summary>
public static class PortRoutes
{
    /// <summary><c>GET</c>: the ports the job recorded, as a JSON array of <see cref="JobPort"/>.</summary>
    public static string Ports(string jobId) => $"{ApiRoutes.Job(jobId)}/ports";

    /// <summary>
    /// <c>GET</c> with a WebSocket upgrade: a byte stream to the job's port, relayed as <see cref="TunnelRelay"/>
    /// describes.
    /// </summary>
    public static string Tunnel(string jobId, string portName) => $"{Ports(jobId)}/{Uri.EscapeDataString(portName)}";
}

/// <summary>
/// Names of job ports: <c>[a-z0-9][a-z0-9_-]{0,31}</c>. A name is also a file name in the job's <c>ports/</c>
/// folder, so nothing that could climb out of it (a slash, a dot) is allowed.
/// </summary>
public static class PortNames
{
    public const int MaxLength = 32;

    public const string Pattern = "[a-z0-9][a-z0-9_-]{0,31}";

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !IsLowerAlphanumeric(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsLowerAlphanumeric(c) && c is not ('_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}
