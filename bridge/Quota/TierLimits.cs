namespace Commons.Bridge.Quota;

/// <summary>What a user's tier allows at submit time.</summary>
/// <param name="Tier">The tier's name.</param>
/// <param name="GpuHoursPerMonth">GPU-hours of one period (a calendar month, UTC).</param>
/// <param name="MaxGpusPerJob">GPUs one job may ask for.</param>
/// <param name="MaxWalltimeMinutes">Longest walltime; null when the tier may not run jobs at all.</param>
/// <param name="GpuTypes">GPU types the tier may use; null for any.</param>
public sealed record TierLimits(
    string Tier, double GpuHoursPerMonth, int MaxGpusPerJob, int? MaxWalltimeMinutes, IReadOnlyList<string>? GpuTypes);

/// <summary>Finds the limits of the tier a user holds now. The merit module implements it.</summary>
public interface ITierLimitsSource
{
    Task<TierLimits> ForUserAsync(string userId, CancellationToken cancellationToken);
}
