namespace Commons.Contracts;

/// <summary>
/// The <c>type</c> of the bridge's own kinds of problem document, so a client can tell them apart without reading
/// the title. They are identifiers, not links: nothing is served at them. Any other problem has the default type
/// (<c>about:blank</c>), and its status says what it is.
/// </summary>
public static class ProblemTypes
{
    /// <summary>
    /// 403: the user's tier does not allow the job (too many GPUs, too long a walltime, a GPU type it may not use,
    /// or no jobs at all). The document carries <c>tier</c>, and <c>errors</c> naming each field and its limit.
    /// </summary>
    public const string TierLimit = "urn:compute-commons:problem:tier-limit";

    /// <summary>
    /// 403: the job's reservation (GPUs × walltime) does not fit in what is left of the period's GPU-hours. The
    /// document carries <c>period</c> (<c>YYYY-MM</c>, UTC), <c>gpuHoursAllowed</c>, <c>gpuHoursLeft</c>,
    /// <c>gpuHoursNeeded</c> and <c>resetsAt</c> (the first instant of the next period).
    /// </summary>
    public const string QuotaExceeded = "urn:compute-commons:problem:quota-exceeded";
}
