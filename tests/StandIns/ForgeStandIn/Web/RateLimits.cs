using Commons.StandIns.Forge.Hosting;

namespace Commons.StandIns.Forge.Web;

/// <summary>Which allowance a request draws on: GitHub's core or search, or GitLab's.</summary>
internal enum RateResource
{
    Core,
    Search,
    GitLab,
}

/// <summary>One caller's allowance as the headers report it.</summary>
internal readonly record struct RateState(int Limit, int Remaining, int Used, DateTimeOffset Reset)
{
    public long ResetEpoch => Reset.ToUnixTimeSeconds();
}

/// <summary>
/// Fixed-window allowances per caller (a token's account, or the client address): GitHub core per hour, GitHub
/// search per minute, GitLab per minute. A window opens with its caller's first request and resets whole, as
/// GitHub's does. A test can also impose GitHub's secondary limit for a while.
/// </summary>
internal sealed class RateLimits(ForgeSettings settings, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(RateResource, string), Window> _windows = [];
    private DateTimeOffset _secondaryUntil = DateTimeOffset.MinValue;

    /// <summary>The caller's allowance now, without using any of it.</summary>
    public RateState Current(RateResource resource, string caller)
    {
        lock (_lock)
        {
            return State(resource, WindowOf(resource, caller));
        }
    }

    /// <summary>Uses one request of the caller's allowance, unless none is left, and returns what remains.</summary>
    public RateState Use(RateResource resource, string caller)
    {
        lock (_lock)
        {
            var window = WindowOf(resource, caller);
            window.Used = Math.Min(window.Used + 1, LimitOf(resource));
            return State(resource, window);
        }
    }

    /// <summary>Makes every GitHub API request answer 403 with <c>Retry-After</c> for the given time.</summary>
    public void ImposeSecondaryLimit(TimeSpan duration)
    {
        lock (_lock)
        {
            _secondaryUntil = time.GetUtcNow() + duration;
        }
    }

    /// <summary>How long the secondary limit still holds, or null when it does not.</summary>
    public TimeSpan? SecondaryLimitLeft()
    {
        lock (_lock)
        {
            var left = _secondaryUntil - time.GetUtcNow();
            return left > TimeSpan.Zero ? left : null;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _windows.Clear();
            _secondaryUntil = DateTimeOffset.MinValue;
        }
    }

    private Window WindowOf(RateResource resource, string caller)
    {
        var now = time.GetUtcNow();
        if (!_windows.TryGetValue((resource, caller), out var window) || now >= window.Reset)
        {
            window = _windows[(resource, caller)] = new Window { Reset = now + LengthOf(resource) };
        }

        return window;
    }

    private RateState State(RateResource resource, Window window)
    {
        var limit = LimitOf(resource);
        return new RateState(limit, limit - window.Used, window.Used, window.Reset);
    }

    private int LimitOf(RateResource resource) => resource switch
    {
        RateResource.Core => settings.CoreLimit,
        RateResource.Search => settings.SearchLimit,
        _ => settings.GitLabLimit,
    };

    private static TimeSpan LengthOf(RateResource resource) =>
        resource == RateResource.Core ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(1);

    private sealed class Window
    {
        public int Used { get; set; }

        public DateTimeOffset Reset { get; init; }
    }
}
