using System.Collections.Concurrent;

namespace Commons.Bridge.Sites;

/// <summary>The configured sites, and what the bridge currently knows about reaching them.</summary>
public sealed class SiteRegistry
{
    private readonly Dictionary<string, SiteConfig> _sites;
    private readonly ConcurrentDictionary<string, string> _unreachable = new();

    public SiteRegistry(IEnumerable<SiteConfig> sites)
    {
        _sites = sites.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<SiteConfig> All => _sites.Values;

    public SiteConfig Get(string name) =>
        _sites.TryGetValue(name, out var site) ? site : throw new KeyNotFoundException($"no site named '{name}'");

    public bool TryGet(string name, out SiteConfig site) => _sites.TryGetValue(name, out site!);

    /// <summary>True while the last attempt to reach the site failed.</summary>
    public bool IsUnreachable(string name) => _unreachable.ContainsKey(name);

    public string? UnreachableReason(string name) => _unreachable.GetValueOrDefault(name);

    public void MarkUnreachable(string name, string reason) => _unreachable[name] = reason;

    public void MarkReachable(string name) => _unreachable.TryRemove(name, out _);
}
