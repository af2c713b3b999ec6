using Commons.Contracts;

namespace Commons.Cli;

/// <summary>
/// What <c>commons</c> exits with. For <c>run</c>, the job's own exit code comes first, so a script sees the
/// same status as if the command had run locally; the codes of the commons itself follow docker run's habits.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The request failed: the bridge refused it or answered an error.</summary>
    public const int Error = 1;

    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;

    /// <summary>
    /// The user's tier or GPU-hour quota does not allow the job: nothing failed, and retrying will not help until
    /// the request asks less, the quota period resets or the tier rises. sysexits' EX_NOPERM, beside
    /// <see cref="Config"/>'s EX_CONFIG.
    /// </summary>
    public const int NotPermitted = 77;

    /// <summary>The configuration (bridge address, token, config file) is missing or unsafe.</summary>
    public const int Config = 78;

    /// <summary>The job hit its walltime, as timeout(1) reports it.</summary>
    public const int TimedOut = 124;

    /// <summary><c>run</c> could not run the job: the bridge or Slurm refused it, or the node failed.</summary>
    public const int RunFailed = 125;

    /// <summary>Interrupted with Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Killed for using more memory than it asked for, as a SIGKILL would report it.</summary>
    public const int OutOfMemory = 137;

    /// <summary>Cancelled by someone else, as SIGTERM would report it.</summary>
    public const int Cancelled = 143;

    /// <summary>The exit code that stands for how a job ended.</summary>
    public static int ForJob(JobView job) => job.State switch
    {
        JobStates.Succeeded => 0,
        JobStates.Failed when job.Signal is { } signal && job.ExitCode is null or 0 => 128 + signal,
        JobStates.Failed => job.ExitCode is { } code and not 0 ? code : 1,
        JobStates.TimedOut => TimedOut,
        JobStates.OutOfMemory => OutOfMemory,
        JobStates.Cancelled => Cancelled,
        _ => RunFailed,
    };
}
