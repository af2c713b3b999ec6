namespace Commons.Bridge.Quota;

/// <summary>What a tier allows one job: GPUs, GPU types, walltime. The period's GPU-hours are the ledger's.</summary>
public static class TierRules
{
    /// <summary>Where a person learns their tier, their score and what the next tier needs.</summary>
    public const string ExplainHint =
        "`commons whoami --explain` shows your score, what counted, and what the next tier needs.";

    /// <summary>
    /// Checks a job against a tier; null when the tier allows it. Every field over its limit is reported, so one
    /// refusal says all there is to change. A tier without a walltime may run no job at all, not even CPU-only.
    /// </summary>
    /// <param name="gpuType">The GPU type the job asks for; null when it takes any type.</param>
    public static TierRefusal? Check(TierLimits limits, int gpuCount, string? gpuType, int timeMinutes)
    {
        var tier = limits.Tier;
        if (limits.MaxWalltimeMinutes is not { } maxMinutes)
        {
            return new TierRefusal(
                tier,
                "Your tier may not run jobs",
                $"Tier '{tier}' may not run jobs. Compute here is earned: contributions others accepted into their "
                + $"projects raise your merit score and with it your tier. {ExplainHint}",
                new Dictionary<string, string[]>());
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (gpuCount > limits.MaxGpusPerJob)
        {
            errors["resources.gpus"] = [limits.MaxGpusPerJob == 0
                ? $"{QuotaText.Gpus(gpuCount)} asked; tier '{tier}' may run CPU-only jobs, without GPUs"
                : $"{QuotaText.Gpus(gpuCount)} asked; tier '{tier}' allows at most {limits.MaxGpusPerJob} per job"];
        }
        else if (gpuCount > 0 && limits.GpuTypes is { } types && !IsAllowed(gpuType, types))
        {
            var asked = gpuType is null ? "any GPU type" : $"GPU type '{gpuType}'";
            var message = types.Count == 0
                ? $"{asked} asked; tier '{tier}' may use no GPU type"
                : $"{asked} asked; tier '{tier}' may use only {string.Join(", ", types)}";
            if (gpuType is null && types.Count > 0)
            {
                message += $": ask for one, such as {types[0]}:{gpuCount}";
            }

            errors["resources.gpus"] = [message];
        }

        if (timeMinutes > maxMinutes)
        {
            var (asked, longest) = (QuotaText.Walltime(timeMinutes), QuotaText.Walltime(maxMinutes));
            errors["resources.time"] = [$"{asked} asked; tier '{tier}' allows at most {longest}"];
        }

        if (errors.Count == 0)
        {
            return null;
        }

        var ofTypes = limits.GpuTypes is { Count: > 0 } list ? $" of types {string.Join(", ", list)}" : "";
        return new TierRefusal(
            tier,
            "Your tier does not allow this job",
            $"Tier '{tier}' allows {QuotaText.Gpus(limits.MaxGpusPerJob)}{ofTypes} per job "
            + $"and {QuotaText.Walltime(maxMinutes)} of walltime. {ExplainHint}",
            errors);
    }

    private static bool IsAllowed(string? gpuType, IReadOnlyList<string> types) =>
        gpuType is not null && types.Contains(gpuType, StringComparer.OrdinalIgnoreCase);
}
