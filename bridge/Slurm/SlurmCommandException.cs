namespace Commons.Bridge.Slurm;

/// <summary>A Slurm command ran on the login node and failed.</summary>
public sealed class SlurmCommandException(string site, string command, int exitCode, string stderr)
    : Exception($"site '{site}': {command} exited {exitCode}: {stderr.Trim()}")
{
    public string Site { get; } = site;

    public string Command { get; } = command;

    public int ExitCode { get; } = exitCode;

    public string Stderr { get; } = stderr;
}
