using System.Collections.Concurrent;

namespace Commons.StandIns.Forge.Web;

/// <summary>Counts of the requests answered, for tests that check how sparingly a client asks.</summary>
internal sealed class RequestStats
{
    private readonly ConcurrentDictionary<string, long> _paths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _statuses = new(StringComparer.Ordinal);
    private long _total;
    private long _ok;
    private long _notModified;
    private long _rateLimited;

    public void Answered(string path, int status)
    {
        Interlocked.Increment(ref _total);
        if (status is >= 200 and < 300)
        {
            Interlocked.Increment(ref _ok);
        }
        else if (status == StatusCodes.Status304NotModified)
        {
            Interlocked.Increment(ref _notModified);
        }

        _paths.AddOrUpdate(path, 1, (_, count) => count + 1);
        _statuses.AddOrUpdate(status.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
    }

    public void RateLimited() => Interlocked.Increment(ref _rateLimited);

    public StatsBody Snapshot() => new(
        Interlocked.Read(ref _total),
        Interlocked.Read(ref _ok),
        Interlocked.Read(ref _notModified),
        Interlocked.Read(ref _rateLimited),
        new SortedDictionary<string, long>(_paths, StringComparer.Ordinal),
        new SortedDictionary<string, long>(_statuses, StringComparer.Ordinal));

    public void Reset()
    {
        _paths.Clear();
        _statuses.Clear();
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _ok, 0);
        Interlocked.Exchange(ref _notModified, 0);
        Interlocked.Exchange(ref _rateLimited, 0);
    }
}
