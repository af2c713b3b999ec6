using System.Collections.Concurrent;

namespace Commons.Bridge.Polling;

/// <summary>
/// How often each site should be polled. Someone waiting on a job of the site (a CLI following its logs or
/// status) makes it poll every second; a site with unfinished jobs is polled every few seconds; an idle site
/// rarely. Polling cost grows with the number of sites, not jobs: one squeue covers them all.
/// </summary>
public sealed class SiteActivity(TimeProvider time)
{
    public static readonly TimeSpan Interactive = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Active = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InterestLasts = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _interest = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastPoll = new();

    /// <summary>Notes that a client is waiting on a job of this site right now.</summary>
    public void Touch(string site) => _interest[site] = time.GetUtcNow();

    /// <summary>Whether a poll is due, given whether the site has unfinished jobs.</summary>
    public bool IsDue(string site, bool hasActiveJobs)
    {
        var now = time.GetUtcNow();
        var interval = !hasActiveJobs ? Idle
            : _interest.TryGetValue(site, out var seen) && now - seen < InterestLasts ? Interactive
            : Active;
        return !_lastPoll.TryGetValue(site, out var last) || now - last >= interval - TimeSpan.FromMilliseconds(100);
    }

    public void Polled(string site) => _lastPoll[site] = time.GetUtcNow();

    /// <summary>Makes the next tick poll the site, for example right after a submit or a cancel.</summary>
    public void PollSoon(string site)
    {
        _lastPoll.TryRemove(site, out _);
        Touch(site);
    }
}
