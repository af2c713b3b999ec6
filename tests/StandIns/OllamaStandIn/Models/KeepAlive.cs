using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Commons.StandIns.Ollama.Models;

/// <summary>
/// Reads <c>keep_alive</c> the way Ollama does: a number of seconds, or a Go duration such as <c>5m</c>,
/// <c>1h30m</c> or <c>0</c>; anything negative keeps the model loaded for good.
/// </summary>
public static class KeepAlive
{
    private static readonly SearchValues<char> NumberCharacters = SearchValues.Create("0123456789.");

    /// <summary>Ollama's "for good": the longest duration Go can hold, about 292 years.</summary>
    public static TimeSpan Forever { get; } = TimeSpan.FromTicks(long.MaxValue / 100);

    public static bool TryRead(
        JsonElement? value, TimeSpan fallback, out TimeSpan keepAlive, [NotNullWhen(false)] out string? error)
    {
        error = null;
        keepAlive = fallback;
        switch (value?.ValueKind)
        {
            case null or JsonValueKind.Undefined or JsonValueKind.Null:
                return true;

            case JsonValueKind.Number when value.Value.TryGetDouble(out var seconds):
                keepAlive = seconds < 0 ? Forever : TimeSpan.FromSeconds(Math.Min(seconds, Forever.TotalSeconds));
                return true;

            case JsonValueKind.String when TryParse(value.Value.GetString()!, out var parsed):
                keepAlive = parsed;
                return true;

            default:
                error = $"invalid keep_alive {value.Value.GetRawText()}: expected seconds or a duration such as \"5m\"";
                return false;
        }
    }

    /// <summary>Parses <c>300</c> (seconds), <c>-1</c>, or a Go duration: <c>1h2m3.5s</c>, <c>250ms</c>.</summary>
    public static bool TryParse(string text, out TimeSpan keepAlive)
    {
        keepAlive = TimeSpan.Zero;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            keepAlive = whole < 0 ? Forever : TimeSpan.FromSeconds(Math.Min(whole, (long)Forever.TotalSeconds));
            return true;
        }

        var negative = text.StartsWith('-');
        var rest = text.TrimStart('-', '+').AsSpan();
        if (rest.IsEmpty)
        {
            return false;
        }

        double totalSeconds = 0;
        while (!rest.IsEmpty)
        {
            var numberLength = rest.IndexOfAnyExcept(NumberCharacters);
            if (numberLength <= 0
                || !double.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture,
                    out var number))
            {
                return false;
            }

            rest = rest[numberLength..];
            var unitLength = rest.IndexOfAny(NumberCharacters);
            var unit = unitLength < 0 ? rest : rest[..unitLength];
            double? scale = unit switch
            {
                "h" => 3600,
                "m" => 60,
                "s" => 1,
                "ms" => 1e-3,
                "us" or "µs" => 1e-6,
                "ns" => 1e-9,
                _ => null,
            };
            if (scale is null)
            {
                return false;
            }

            totalSeconds += number * scale.Value;
            rest = unitLength < 0 ? [] : rest[unitLength..];
        }

        keepAlive = negative ? Forever : TimeSpan.FromSeconds(Math.Min(totalSeconds, Forever.TotalSeconds));
        return true;
    }
}
