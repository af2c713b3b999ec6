using Commons.Bridge.Sites;

namespace Commons.Bridge.Broker;

/// <summary>Where a job goes: a site and one of its partitions.</summary>
public sealed record Placement(SiteConfig Site, SitePartition Partition, string? GpuType);

/// <summary>
/// Picks a site and partition for a job from what the sites offer: GPU type and count, CPUs and walltime. Among
/// sites that fit, a reachable one with the highest weight wins; a job without GPUs prefers a partition without them. (Comparing the earliest start that
/// <c>sbatch --test-only</c> reports on each candidate is the next step; with one site it changes nothing.)
/// </summary>
public sealed class SitePicker(SiteRegistry sites)
{
    /// <summary>Returns the placement, or the request field that cannot be met and why.</summary>
    public (Placement? Placement, string? Field, string? Error) Pick(
        string? site, string? gpuType, int gpuCount, int cpus, int? timeMinutes, string? modelRuntime = null)
    {
        IEnumerable<SiteConfig> candidates = sites.All;
        if (site is not null)
        {
            if (!sites.TryGet(site, out var named))
            {
                return (null, "site", $"no site named '{site}'; known sites: {string.Join(", ", sites.All.Select(s => s.Name))}");
            }

            candidates = [named];
        }

        if (modelRuntime is not null)
        {
            candidates = candidates.Where(s => s.Runtime.Models.ContainsKey(modelRuntime)).ToList();
            if (!candidates.Any())
            {
                return (null, "site", site is null
                    ? $"no site offers the {modelRuntime} model runtime"
                    : $"site '{site}' does not offer the {modelRuntime} model runtime");
            }
        }

        if (gpuType is not null)
        {
            var offered = candidates.SelectMany(s => s.Partitions).SelectMany(p => p.Gpus.Keys).Distinct().Order().ToList();

            // People type h100 or H100; the job asks Slurm for the type as the site's config spells it.
            var spelled = offered.FirstOrDefault(t => string.Equals(t, gpuType, StringComparison.OrdinalIgnoreCase));
            if (spelled is null)
            {
                var known = offered.Count == 0 ? "none" : string.Join(", ", offered);
                return (null, "resources.gpus", $"unknown GPU type '{gpuType}'; GPU types offered: {known}");
            }

            gpuType = spelled;
        }

        var fits = candidates
            .SelectMany(s => s.Partitions.Select(p => (Site: s, Partition: p)))
            .Where(c => gpuType is null || c.Partition.Gpus.ContainsKey(gpuType))
            .Where(c => gpuCount == 0 || c.Partition.Gpus.Count > 0)
            .ToList();
        if (fits.Count == 0)
        {
            return (null, "resources.gpus", "no partition offers GPUs");
        }

        var gpuFit = fits.Where(c => gpuCount == 0 || MaxGpus(c.Partition, gpuType) >= gpuCount).ToList();
        if (gpuFit.Count == 0)
        {
            var most = fits.Max(c => MaxGpus(c.Partition, gpuType));
            return (null, "resources.gpus", $"{gpuCount} GPUs asked; at most {most} fit on one node");
        }

        var cpuFit = gpuFit.Where(c => c.Partition.CpusPerNode >= cpus).ToList();
        if (cpuFit.Count == 0)
        {
            return (null, "resources.cpus", $"{cpus} CPUs asked; at most {gpuFit.Max(c => c.Partition.CpusPerNode)} fit on one node");
        }

        var timeFit = cpuFit.Where(c => timeMinutes is null || c.Partition.MaxTimeMinutes >= timeMinutes).ToList();
        if (timeFit.Count == 0)
        {
            var longest = cpuFit.Max(c => c.Partition.MaxTimeMinutes);
            return (null, "resources.time", $"{timeMinutes} minutes asked; the longest walltime offered is {longest} minutes");
        }

        var best = timeFit
            .OrderBy(c => sites.IsUnreachable(c.Site.Name))
            .ThenByDescending(c => c.Site.Weight)
            // A job without GPUs goes to a partition without them when there is one, so it blocks no GPU node.
            .ThenBy(c => c.Partition.Gpus.Count > 0 && gpuCount == 0)
            .ThenByDescending(c => c.Partition.Default)
            .First();
        var type = gpuCount > 0 ? gpuType : null;
        return (new Placement(best.Site, best.Partition, type), null, null);
    }

    private static int MaxGpus(SitePartition partition, string? type) =>
        type is null ? partition.Gpus.Values.DefaultIfEmpty(0).Max() : partition.Gpus.GetValueOrDefault(type);
}
