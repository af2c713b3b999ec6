using System.Collections.Concurrent;

namespace Commons.Bridge.Models;

/// <summary>
/// Open tunnels and the last traffic per job, in memory: a restarted bridge starts with none open, which at worst
/// lets an idle job live one keep-alive longer (its database time is kept).
/// </summary>
public sealed class JobActivity(TimeProvider time) : IJobActivity
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);

    public int OpenTunnels(string jobId) => _open.GetValueOrDefault(jobId);

    public DateTimeOffset? LastActive(string jobId) => _last.TryGetValue(jobId, out var at) ? at : null;

    public void Opened(string jobId)
    {
        _open.AddOrUpdate(jobId, 1, (_, n) => n + 1);
        Touch(jobId);
    }

    public void Closed(string jobId)
    {
        _open.AddOrUpdate(jobId, 0, (_, n) => Math.Max(0, n - 1));
        Touch(jobId);
    }

    /// <summary>Notes traffic through one of the job's tunnels.</summary>
    public void Touch(string jobId) => _last[jobId] = time.GetUtcNow();
}
