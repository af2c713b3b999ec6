namespace Commons.Bridge.Ssh;

/// <summary>
/// The login node could not be reached or the connection broke. <see cref="IsTransient"/> says whether
/// trying again later may work (network, refused connection) or not (host key mismatch, key refused).
/// </summary>
public sealed class SiteUnreachableException(string site, string message, bool isTransient, Exception? inner = null)
    : Exception($"site '{site}': {message}", inner)
{
    public string Site { get; } = site;

    public bool IsTransient { get; } = isTransient;
}
