using System.Globalization;
using Commons.Contracts;

namespace Commons.Bridge.Quota;

/// <summary>Why a job was refused before anything of it was recorded.</summary>
/// <param name="Type">One of <see cref="ProblemTypes"/>.</param>
/// <param name="Title">One line, the same for every refusal of its kind.</param>
/// <param name="Detail">What this job asked, what the limit is, and what to do about it.</param>
public abstract record SubmitRefusal(string Type, string Title, string Detail);

/// <summary>The user's tier does not allow the job.</summary>
/// <param name="Errors">Each field over its limit (<c>resources.gpus</c>, <c>resources.time</c>) and why; empty
/// when the tier may not run jobs at all.</param>
public sealed record TierRefusal(string Tier, string Title, string Detail, IReadOnlyDictionary<string, string[]> Errors)
    : SubmitRefusal(ProblemTypes.TierLimit, Title, Detail);

/// <summary>
/// The job's reservation does not fit in what is left of the period. Hours are rounded to hundredths the way that
/// never makes the refusal look wrong: what is left down, what is needed up.
/// </summary>
/// <param name="Period">The quota period, <c>YYYY-MM</c> (UTC).</param>
/// <param name="ResetsAt">The first instant of the next period.</param>
public sealed record QuotaRefusal(
    string Period, double GpuHoursAllowed, double GpuHoursLeft, double GpuHoursNeeded, DateTimeOffset ResetsAt,
    string Detail)
    : SubmitRefusal(ProblemTypes.QuotaExceeded, "GPU-hour quota exceeded", Detail)
{
    /// <summary>Builds the refusal from GPU-seconds, as the ledger counts them.</summary>
    public static QuotaRefusal Create(
        string period, long allowedSeconds, long leftSeconds, long neededSeconds, long gpus, long minutes,
        DateTimeOffset resetsAt)
    {
        var allowed = Math.Round(allowedSeconds / 3600.0, 2);
        var left = Math.Floor(Math.Max(0, leftSeconds) / 36.0) / 100;
        var needed = Math.Ceiling(neededSeconds / 36.0) / 100;
        var job = $"{QuotaText.Gpus(gpus)} for {QuotaText.Walltime(minutes)}";
        var detail = string.Create(
            CultureInfo.InvariantCulture,
            $"This job needs {QuotaText.Hours(needed)} GPU-hours ({job}); {QuotaText.Hours(left)} of your "
            + $"{QuotaText.Hours(allowed)} GPU-hours for {period} are left. "
            + $"The quota resets at {resetsAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
        return new QuotaRefusal(period, allowed, left, needed, resetsAt, detail);
    }
}

/// <summary>Quantities as the refusals and the status print them.</summary>
internal static class QuotaText
{
    public static string Gpus(long count) => count == 1 ? "1 GPU" : $"{count} GPUs";

    public static string Hours(double hours) => hours.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A walltime as people say it: <c>45 min</c>, <c>4 h</c>, <c>1 h 30 min</c>.</summary>
    public static string Walltime(long minutes) => (minutes / 60, minutes % 60) switch
    {
        (0, var m) => $"{m} min",
        (var h, 0) => $"{h} h",
        (var h, var m) => $"{h} h {m} min",
    };
}
