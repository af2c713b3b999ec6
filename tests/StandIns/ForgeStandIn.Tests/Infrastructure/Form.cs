namespace Commons.StandIns.Forge.Tests.Infrastructure;

/// <summary>Reads a form-encoded body (<c>a=1&amp;b=2</c>), as a device-flow client reads GitHub's answers.</summary>
public static class Form
{
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(
                pair => Decode(pair[0]),
                pair => pair.Length > 1 ? Decode(pair[1]) : string.Empty,
                StringComparer.Ordinal);
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
