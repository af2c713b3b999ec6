using System.Globalization;
using Commons.Bridge.Data;
using Commons.Bridge.Ssh;
using Commons.Contracts;

namespace Commons.Bridge.Tunnels;

/// <summary>
/// The ports a job recorded: one file per port in <c>WORKDIR/ports/</c>, named as the port and holding its number.
/// The files are read over the site's SSH connection. Their content is the job's word and is checked as such: a
/// name must be a <see cref="PortNames">port name</see>, a number 1–65535, and a symbolic link counts for nothing.
/// </summary>
/// <remarks>
/// A job can name any port of its node, not only one its own processes listen on: a port of another job on the same
/// node, or of a service of the node. Confirming that the listening socket belongs to the job would take a command
/// run on the node inside the job's allocation (<c>srun --overlap --jobid</c> with <c>ss -ltnp</c>); the bridge does
/// not do that yet. What a tunnel reaches is still no more than the job's own code can reach from the node.
/// </remarks>
public sealed class JobPorts(ISiteShell shell)
{
    public const string Folder = "ports";

    /// <summary>At most this many ports are listed; a job has a handful.</summary>
    public const int MaxPorts = 64;

    // A port file holds a number of at most five digits and a newline; more is not a port number anyway.
    private const int MaxFileBytes = 16;

    /// <summary>The job's recorded ports, by name; empty when it recorded none (or has no folder yet).</summary>
    public async Task<IReadOnlyList<JobPort>> ListAsync(JobRow job, CancellationToken cancellationToken)
    {
        var command = ListCommand(job.WorkDir);
        var result = await shell.RunAsync(job.Site, command, null, idempotent: true, cancellationToken);
        return result.ExitCode == 0 ? ParseListing(result.Text) : [];
    }

    /// <summary>The port recorded under <paramref name="name"/>, or null when the job recorded no valid one.</summary>
    public async Task<int?> ReadAsync(JobRow job, string name, CancellationToken cancellationToken)
    {
        if (!PortNames.IsValid(name))
        {
            throw new ArgumentException($"a port name matches {PortNames.Pattern}", nameof(name));
        }

        var command = ReadCommand(job.WorkDir, name);
        var result = await shell.RunAsync(job.Site, command, null, idempotent: true, cancellationToken);
        return result.ExitCode == 0 ? ParsePort(result.Text) : null;
    }

    /// <summary>
    /// Prints <c>NAME=CONTENT</c> per regular file of the folder. Names outside the port-name alphabet are skipped in
    /// the shell already, so no name can carry a newline or an <c>=</c> into the listing.
    /// </summary>
    internal static string ListCommand(string workDir) =>
        $"cd {ShellQuote.Quote($"{workDir}/{Folder}")} 2>/dev/null || exit 0; for f in *; do " +
        "case \"$f\" in [!a-z0-9]*|*[!a-z0-9_-]*) continue ;; esac; " +
        "if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then " +
        $"printf '%s=' \"$f\"; head -c {MaxFileBytes} -- \"$f\" | tr -d '\\r\\n'; echo; fi; " +
        $"done | head -n {MaxPorts}";

    internal static string ReadCommand(string workDir, string name) =>
        $"f={ShellQuote.Quote($"{workDir}/{Folder}/{name}")}; " +
        $"if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then head -c {MaxFileBytes} -- \"$f\"; fi; true";

    /// <summary>A port file's content: a decimal number 1–65535, with surrounding whitespace allowed.</summary>
    internal static int? ParsePort(string content)
    {
        var text = content.Trim();
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit))
        {
            return null;
        }

        var port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port is >= 1 and <= 65535 ? port : null;
    }

    internal static IReadOnlyList<JobPort> ParseListing(string text)
    {
        var ports = new SortedDictionary<string, JobPort>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = line[..equals];
            if (PortNames.IsValid(name) && ParsePort(line[(equals + 1)..]) is { } port)
            {
                ports.TryAdd(name, new JobPort(name, port));
            }
        }

        return [.. ports.Values];
    }
}
