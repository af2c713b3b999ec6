using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Commons.Bridge.Hosting;
using Commons.Bridge.Sites;
using Commons.Bridge.Ssh;

namespace Commons.Bridge.Tunnels;

/// <summary>
/// The address at which a site's login node reaches a compute node: the node's <c>NodeAddr</c> as Slurm has it,
/// which is what Slurm itself connects to (a node's name need not resolve at all). Answers are kept for
/// <see cref="KeepFor"/>, so a tunnel costs one <c>scontrol</c> per node in that time.
/// </summary>
public sealed partial class NodeAddresses(
    ISiteShell shell, SiteRegistry sites, TimeProvider time, ILogger<NodeAddresses> logger)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string Site, string Node), (string Address, DateTimeOffset Until)> _known =
        new();

    /// <summary>The node's address, or null when Slurm does not know the node or gives no usable address.</summary>
    public async Task<string?> ResolveAsync(string site, string node, CancellationToken cancellationToken)
    {
        if (!NodeName().IsMatch(node))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (_known.TryGetValue((site, node), out var known) && known.Until > now)
        {
            return known.Address;
        }

        var command = $"{Scontrol(sites.Get(site))} --oneliner show node {ShellQuote.Quote(node)}";
        var result = await shell.RunAsync(site, command, null, idempotent: true, cancellationToken);
        var address = result.ExitCode == 0 ? ParseNodeAddr(result.Text, node) : null;
        if (address is null)
        {
            return null;
        }

        _known[(site, node)] = (address, now + KeepFor);
        Log.NodeAddressResolved(logger, site, node, address);
        return address;
    }

    /// <summary>The <c>NodeAddr</c> of <paramref name="node"/> in what <c>scontrol show node</c> printed.</summary>
    internal static string? ParseNodeAddr(string text, string node)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = KeyValue().Matches(line)
                .GroupBy(m => m.Groups[1].Value, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Groups[2].Value, StringComparer.Ordinal);
            if (fields.GetValueOrDefault("NodeName") == node
                && fields.GetValueOrDefault("NodeAddr") is { } address
                && Address().IsMatch(address))
            {
                return address;
            }
        }

        return null;
    }

    /// <summary>The same command prefix the Slurm driver uses: the site's environment, then its bin folder.</summary>
    private static string Scontrol(SiteConfig site)
    {
        var command = new StringBuilder();
        foreach (var (variable, value) in site.Slurm.Environment)
        {
            command.Append(variable).Append('=').Append(ShellQuote.Quote(value)).Append(' ');
        }

        return command
            .Append(string.IsNullOrEmpty(site.Slurm.BinDir)
                ? "scontrol"
                : ShellQuote.Quote($"{site.Slurm.BinDir.TrimEnd('/')}/scontrol"))
            .ToString();
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NodeName();

    // A host name, an IPv4 address or an IPv6 address without brackets; nothing a shell or SSH would read otherwise.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$")]
    private static partial Regex Address();

    [GeneratedRegex(@"(?:^|\s)([A-Za-z]+)=(\S*)")]
    private static partial Regex KeyValue();
}
