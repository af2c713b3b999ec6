using System.Globalization;
using System.Text.RegularExpressions;

namespace Commons.Bridge.Slurm;

/// <summary>Walltimes in Slurm's notations and the short ones people type (<c>30m</c>, <c>2h</c>, <c>1d</c>).</summary>
public static partial class SlurmTime
{
    /// <summary>
    /// Parses a walltime to whole minutes, rounding seconds up. Accepts <c>M</c>, <c>M:S</c>, <c>H:M:S</c>,
    /// <c>D-H</c>, <c>D-H:M</c>, <c>D-H:M:S</c> (as sbatch does) and <c>90s</c>, <c>30m</c>, <c>2h</c>, <c>1d</c>.
    /// Returns null for anything else, and for zero or <c>UNLIMITED</c>: the commons never runs a job without a limit.
    /// </summary>
    public static int? ParseMinutes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        long seconds;
        var unit = UnitForm().Match(text);
        if (unit.Success)
        {
            if (!long.TryParse(unit.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return null;
            }

            seconds = unit.Groups[2].Value switch
            {
                "s" => n,
                "m" => n * 60,
                "h" => n * 3600,
                _ => n * 86400,
            };
        }
        else
        {
            var slurm = SlurmForm().Match(text);
            if (!slurm.Success || !TrySlurm(slurm, out seconds))
            {
                return null;
            }
        }

        if (seconds <= 0 || seconds > 365L * 86400)
        {
            return null;
        }

        return (int)((seconds + 59) / 60);
    }

    /// <summary>Formats minutes as <c>D-HH:MM:SS</c>, which every Slurm version reads.</summary>
    public static string Format(int minutes) =>
        string.Create(CultureInfo.InvariantCulture, $"{minutes / 1440}-{minutes / 60 % 24:00}:{minutes % 60:00}:00");

    private static bool TrySlurm(Match m, out long seconds)
    {
        seconds = 0;
        var hasDays = m.Groups["d"].Success;
        var parts = m.Groups["rest"].Value.Split(':');
        var numbers = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        long days = hasDays ? long.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture) : 0;
        seconds = (hasDays, numbers.Length) switch
        {
            (false, 1) => numbers[0] * 60,
            (false, 2) => numbers[0] * 60 + numbers[1],
            (false, 3) => numbers[0] * 3600 + numbers[1] * 60 + numbers[2],
            (true, 1) => numbers[0] * 3600,
            (true, 2) => numbers[0] * 3600 + numbers[1] * 60,
            (true, 3) => numbers[0] * 3600 + numbers[1] * 60 + numbers[2],
            _ => -1,
        };
        seconds += days * 86400;
        return seconds >= 0;
    }

    [GeneratedRegex(@"^([0-9]{1,7})([smhd])$")]
    private static partial Regex UnitForm();

    [GeneratedRegex(@"^(?:(?<d>[0-9]{1,4})-)?(?<rest>[0-9]{1,7}(?::[0-9]{1,2}){0,2})$")]
    private static partial Regex SlurmForm();
}
