namespace Commons.Bridge.Ssh;

/// <summary>Compares a pinned <c>SHA256:…</c> fingerprint with the one a server presents.</summary>
public static class HostKeyPin
{
    /// <summary>
    /// True when both name the same key. ssh-keygen prints unpadded base64 and SSH.NET gives it without the
    /// <c>SHA256:</c> prefix, so both are brought to that form before comparing.
    /// </summary>
    public static bool Matches(string pinned, string presented) =>
        Normalize(pinned).Length > 0 && string.Equals(Normalize(pinned), Normalize(presented), StringComparison.Ordinal);

    private static string Normalize(string fingerprint)
    {
        var text = fingerprint.Trim();
        if (text.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            text = text["SHA256:".Length..];
        }

        return text.TrimEnd('=');
    }
}
