using System.Collections.Concurrent;

namespace Commons.Bridge.Tunnels;

/// <summary>
/// What the tunnels of each job are doing, in memory: how many are open and when bytes last moved through one (or
/// one opened or closed). Keep-alive of model jobs reads it; a restarted bridge starts with none open and no time.
/// Each replica knows its own tunnels only.
/// </summary>
public sealed class TunnelActivity(TimeProvider time) : Models.IJobActivity
{
    private readonly ConcurrentDictionary<string, Entry> _jobs = new(StringComparer.Ordinal);

    /// <summary>Tunnels of the job open right now.</summary>
    public int OpenTunnels(string jobId) => _jobs.TryGetValue(jobId, out var entry) ? Volatile.Read(ref entry.Open) : 0;

    /// <summary>When the job's tunnels were last active; null when it had none since the bridge started.</summary>
    public DateTimeOffset? LastActive(string jobId) =>
        _jobs.TryGetValue(jobId, out var entry)
            ? new DateTimeOffset(Interlocked.Read(ref entry.LastActiveTicks), TimeSpan.Zero)
            : null;

    /// <summary>Counts a tunnel as open until the returned handle is disposed.</summary>
    public IDisposable Open(string jobId)
    {
        var entry = _jobs.GetOrAdd(jobId, _ => new Entry());
        Interlocked.Increment(ref entry.Open);
        Touch(entry);
        return new OpenTunnel(this, entry);
    }

    /// <summary>Notes that bytes moved through one of the job's tunnels.</summary>
    public void Touch(string jobId) => Touch(_jobs.GetOrAdd(jobId, _ => new Entry()));

    /// <summary>Drops what is known of a job (once it ended), unless a tunnel of it is still open.</summary>
    public void Forget(string jobId)
    {
        if (_jobs.TryGetValue(jobId, out var entry) && Volatile.Read(ref entry.Open) == 0)
        {
            _jobs.TryRemove(KeyValuePair.Create(jobId, entry));
        }
    }

    private void Touch(Entry entry) => Interlocked.Exchange(ref entry.LastActiveTicks, time.GetUtcNow().UtcTicks);

    private sealed class Entry
    {
        public int Open;
        public long LastActiveTicks;
    }

    private sealed class OpenTunnel(TunnelActivity activity, Entry entry) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Interlocked.Decrement(ref entry.Open);
                activity.Touch(entry);
            }
        }
    }
}
