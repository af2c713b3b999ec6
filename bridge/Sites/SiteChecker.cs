using System.Globalization;
using System.Text.RegularExpressions;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;

namespace Commons.Bridge.Sites;

/// <summary>One finding of a site check: what was compared, and whether the config and the cluster agree.</summary>
public sealed record SiteFinding(bool Ok, string Subject, string Message);

/// <summary>
/// Compares a site config with the live cluster: the login (host key, service account), each partition (exists,
/// walltime, CPUs, memory, GPU types and counts per node), the work folder, and sacct where the config says
/// accounting works. Each difference is reported with both values, so the admin can tell which side to change.
/// </summary>
public sealed partial class SiteChecker(ISiteShell shell)
{
    public async Task<IReadOnlyList<SiteFinding>> CheckAsync(SiteConfig site, CancellationToken cancellationToken)
    {
        var findings = new List<SiteFinding>();
        var env = string.Concat(site.Slurm.Environment.Select(e => $"{e.Key}={ShellQuote.Quote(e.Value)} "));
        CommandResult sinfo;
        try
        {
            sinfo = await shell.RunAsync(
                site.Name, $"{env}sinfo --noheader --all --format='%R|%l|%L|%c|%m|%G|%D'", null, idempotent: true, cancellationToken);
        }
        catch (SiteUnreachableException e)
        {
            findings.Add(new SiteFinding(false, "login", e.Message));
            return findings;
        }

        findings.Add(new SiteFinding(true, "login", $"{site.Login.User}@{site.Login.Host}:{site.Login.Port}, host key matches the pin"));
        if (sinfo.ExitCode != 0)
        {
            findings.Add(new SiteFinding(false, "slurm", $"sinfo exited {sinfo.ExitCode}: {sinfo.Stderr.Trim()}"));
            return findings;
        }

        var live = ParseSinfo(sinfo.Text);
        foreach (var partition in site.Partitions)
        {
            findings.AddRange(ComparePartition(partition, live));
        }

        var dir = ShellQuote.Quote(site.WorkDir);
        var probe = await shell.RunAsync(site.Name, $"mkdir -p {dir} && test -w {dir}", null, idempotent: true, cancellationToken);
        findings.Add(probe.ExitCode == 0
            ? new SiteFinding(true, "workDir", $"{site.WorkDir} is writable by {site.Login.User}")
            : new SiteFinding(false, "workDir", $"{site.WorkDir} cannot be created or written: {probe.Stderr.Trim()}"));

        if (site.Slurm.Accounting)
        {
            var sacct = await shell.RunAsync(site.Name, $"{env}sacct --noheader --allocations --starttime=now", null, idempotent: true, cancellationToken);
            findings.Add(sacct.ExitCode == 0
                ? new SiteFinding(true, "slurm.accounting", "sacct answers")
                : new SiteFinding(false, "slurm.accounting", $"the config says true, but sacct fails: {sacct.Stderr.Trim()}"));
        }

        return findings;
    }

    /// <summary>sinfo prints one line per partition and node configuration; a partition may have several.</summary>
    internal static ILookup<string, LivePartition> ParseSinfo(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|'))
            .Where(f => f.Length == 7)
            .Select(f => new LivePartition(
                f[0].TrimEnd('*'),
                LimitMinutes(f[1]),
                LimitMinutes(f[2]),
                int.TryParse(f[3].TrimEnd('+'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var cpus) ? cpus : 0,
                int.TryParse(f[4].TrimEnd('+'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var memory) ? memory : 0,
                ParseGres(f[5]),
                int.TryParse(f[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var nodes) ? nodes : 0))
            .ToLookup(p => p.Name, StringComparer.Ordinal);

    internal static IEnumerable<SiteFinding> ComparePartition(SitePartition partition, ILookup<string, LivePartition> live)
    {
        var subject = $"partition {partition.Name}";
        if (!live.Contains(partition.Name))
        {
            var known = string.Join(", ", live.Select(g => g.Key));
            yield return new SiteFinding(false, subject, $"not on the cluster; sinfo shows: {known}");
            yield break;
        }

        var configs = live[partition.Name].ToList();
        var limit = configs.Max(c => c.MaxMinutes);
        if (limit is { } max && partition.MaxTimeMinutes > max)
        {
            yield return new SiteFinding(false, $"{subject}.maxTime", $"{partition.MaxTime} in the config, but Slurm allows {SlurmTime.Format(max)}");
        }

        var cpus = configs.Max(c => c.CpusPerNode);
        if (partition.CpusPerNode > cpus)
        {
            yield return new SiteFinding(false, $"{subject}.cpusPerNode", $"{partition.CpusPerNode} in the config, but nodes have {cpus}");
        }

        var memory = configs.Max(c => c.MemoryMb);
        if (partition.MemoryPerNodeMb > memory)
        {
            yield return new SiteFinding(false, $"{subject}.memoryPerNodeMb", $"{partition.MemoryPerNodeMb} in the config, but nodes have {memory}");
        }

        foreach (var (type, count) in partition.Gpus)
        {
            var offered = configs.Max(c => c.Gpus.GetValueOrDefault(type));
            if (offered == 0)
            {
                var types = string.Join(", ", configs.SelectMany(c => c.Gpus.Keys).Distinct());
                yield return new SiteFinding(false, $"{subject}.gpus.{type}", $"no GRES gpu:{type} on its nodes; GRES types there: {(types.Length == 0 ? "none" : types)}");
            }
            else if (count > offered)
            {
                yield return new SiteFinding(false, $"{subject}.gpus.{type}", $"{count} in the config, but nodes have {offered}");
            }
        }

        yield return new SiteFinding(true, subject, $"{configs.Sum(c => c.Nodes)} node(s) seen by sinfo");
    }

    private static int? LimitMinutes(string text) =>
        text is "infinite" or "UNLIMITED" or "n/a" ? null : SlurmTime.ParseMinutes(text);

    private static Dictionary<string, int> ParseGres(string text)
    {
        var gpus = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in GresEntry().Matches(text))
        {
            gpus[m.Groups["type"].Value] = int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        }

        return gpus;
    }

    [GeneratedRegex(@"gpu:(?<type>[A-Za-z0-9_.-]+):(?<n>[0-9]+)")]
    private static partial Regex GresEntry();
}

/// <summary>A partition's node configuration as sinfo shows it.</summary>
public sealed record LivePartition(
    string Name, int? MaxMinutes, int? DefaultMinutes, int CpusPerNode, int MemoryMb, IReadOnlyDictionary<string, int> Gpus,
    int Nodes);
