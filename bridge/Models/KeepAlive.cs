using System.Globalization;
using System.Text.RegularExpressions;

namespace Commons.Bridge.Models;

/// <summary>Keep-alive durations as Ollama takes them: <c>5m</c>, <c>30s</c>, <c>1h</c>, a number of seconds, <c>0</c>, or negative.</summary>
public static partial class KeepAlive
{
    /// <summary>
    /// Parses a keep-alive into seconds: 0 stops the job as soon as its client is done, a negative value keeps it
    /// until its walltime (returned as -1). Returns false for anything else.
    /// </summary>
    public static bool TryParseSeconds(string? text, out long seconds)
    {
        seconds = 0;
        var match = Form().Match(text?.Trim() ?? "");
        if (!match.Success || !long.TryParse(match.Groups["n"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        if (n < 0)
        {
            seconds = -1;
            return true;
        }

        seconds = match.Groups["unit"].Value switch
        {
            "m" => n * 60,
            "h" => n * 3600,
            _ => n,
        };
        return seconds <= 30L * 86400;
    }

    [GeneratedRegex("^(?<n>-?[0-9]{1,7})(?<unit>[smh]?)$")]
    private static partial Regex Form();
}
