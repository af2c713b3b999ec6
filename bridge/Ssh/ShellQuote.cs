namespace Commons.Bridge.Ssh;

/// <summary>POSIX shell quoting: every value becomes one single-quoted word.</summary>
public static class ShellQuote
{
    /// <summary>
    /// Quotes a value so that sh and bash read it back byte for byte: wrapped in single quotes, each
    /// <c>'</c> written as <c>'\''</c>. Newlines inside the quotes are kept as they are; NUL cannot be passed.
    /// </summary>
    public static string Quote(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A NUL character cannot be passed to a shell.", nameof(value));
        }

        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>Quotes each word and joins them with spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
