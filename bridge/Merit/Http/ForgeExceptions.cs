namespace Commons.Bridge.Merit.Http;

/// <summary>
/// A forge could not be asked: unreachable, failing, or rate-limited beyond what is worth waiting for. The merit
/// service answers it by serving cached answers or the last stored report, marked stale; it never retries at once.
/// </summary>
public class ForgeUnavailableException(string forge, string reason, Exception? inner = null)
    : Exception($"{forge}: {reason}", inner)
{
    /// <summary>The forge's host, as the request named it.</summary>
    public string Forge { get; } = forge;

    public string Reason { get; } = reason;
}

/// <summary>The forge's rate limit is used up until <see cref="ResetsAt"/>, which is further off than the wait bound.</summary>
public sealed class ForgeRateLimitedException(string forge, string resource, DateTimeOffset resetsAt)
    : ForgeUnavailableException(forge, $"rate limit '{resource}' exhausted until {resetsAt:u}")
{
    /// <summary>Which budget ran out: GitHub's <c>core</c> or <c>search</c>; GitLab has one.</summary>
    public string Resource { get; } = resource;

    public DateTimeOffset ResetsAt { get; } = resetsAt;
}
