using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Commons.Bridge.Sites;
using Commons.Bridge.Ssh;

namespace Commons.Bridge.Slurm;

/// <summary>A job as squeue lists it.</summary>
/// <param name="StartTime">When the job started, or for a pending job Slurm's estimate (<c>N/A</c> when it has none).</param>
public sealed record QueueEntry(string SlurmJobId, string State, string Reason, string Nodes, string Comment, string StartTime);

/// <summary>What the accounting, the controller or the job's own files say about a job.</summary>
public sealed record JobRecord(
    string SlurmJobId, string State, int? ExitCode, int? Signal, string? Nodes, string? Reason,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt);

/// <summary>
/// The Slurm commands the bridge runs on a site's login node. Every user-derived value reaching a command line is
/// quoted with <see cref="ShellQuote"/>; the job script itself travels on stdin.
/// </summary>
public sealed partial class SlurmClient(ISiteShell shell, SiteRegistry sites)
{
    /// <summary>File in a job's folder where the job script writes its command's exit code.</summary>
    public const string ExitCodeFile = "exit_code";

    /// <summary>File in a job's folder where the submit step writes the Slurm job id, for recovery.</summary>
    public const string SubmittedIdFile = "slurm_job_id";

    public const string OutputFile = "output.log";

    public const string ScriptFile = "job.sbatch";

    /// <summary>
    /// Creates the job's folder, keeps the script there, and submits it with <c>sbatch --parsable</c>. The
    /// options given override any <c>#SBATCH</c> line. Returns Slurm's job id (without a cluster suffix).
    /// </summary>
    public async Task<string> SubmitAsync(
        string site, string workDir, string script, IReadOnlyList<string> sbatchOptions, CancellationToken cancellationToken)
    {
        var dir = ShellQuote.Quote(workDir);
        var command = new StringBuilder()
            .Append("umask 077 && mkdir -p ").Append(dir)
            .Append(" && cd ").Append(dir)
            .Append(" && cat > ").Append(ScriptFile)
            .Append(" && ").Append(Tool(site, "sbatch")).Append(" --parsable ").Append(ShellQuote.Join(sbatchOptions))
            .Append(' ').Append(ScriptFile)
            .Append(" > ").Append(SubmittedIdFile).Append(".tmp")
            .Append(" && mv ").Append(SubmittedIdFile).Append(".tmp ").Append(SubmittedIdFile)
            .Append(" && cat ").Append(SubmittedIdFile)
            .ToString();
        var result = await shell.RunAsync(site, command, Encoding.UTF8.GetBytes(script), idempotent: false, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new SlurmCommandException(site, "sbatch", result.ExitCode, result.Stderr);
        }

        return ParseParsable(result.Text)
            ?? throw new SlurmCommandException(site, "sbatch", 0, $"unexpected output '{result.Text.Trim()}'");
    }

    /// <summary>The Slurm job id a submit step recorded in the job's folder, or null when it never got that far.</summary>
    public async Task<string?> ReadSubmittedIdAsync(string site, string workDir, CancellationToken cancellationToken)
    {
        var path = ShellQuote.Quote($"{workDir}/{SubmittedIdFile}");
        var result = await shell.RunAsync(site, $"cat {path} 2>/dev/null || true", null, idempotent: true, cancellationToken);
        return ParseParsable(result.Text);
    }

    /// <summary>Every job of the service account that the controller still knows, in one squeue call.</summary>
    public async Task<IReadOnlyList<QueueEntry>> QueueAsync(string site, CancellationToken cancellationToken)
    {
        var user = ShellQuote.Quote(sites.Get(site).Login.User);
        var command = $"{Tool(site, "squeue")} --noheader --all --states=all --user={user} --format='%i|%T|%r|%N|%S|%k'";
        var result = await shell.RunAsync(site, command, null, idempotent: true, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new SlurmCommandException(site, "squeue", result.ExitCode, result.Stderr);
        }

        return ParseQueue(result.Text);
    }

    /// <summary>
    /// Looks up jobs that left the queue: through sacct where the site has accounting, otherwise through
    /// <c>scontrol show job</c>, which remembers a finished job for MinJobAge. Ids neither knows are missing
    /// from the answer.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, JobRecord>> LookupAsync(
        string site, IReadOnlyCollection<string> slurmJobIds, CancellationToken cancellationToken)
    {
        if (slurmJobIds.Count == 0)
        {
            return new Dictionary<string, JobRecord>();
        }

        if (sites.Get(site).Slurm.Accounting)
        {
            var ids = ShellQuote.Quote(string.Join(',', slurmJobIds));
            var sacct = $"{Tool(site, "sacct")} --noheader --parsable2 --allocations --jobs={ids} " +
                "--format=JobID,State,ExitCode,NodeList,Start,End,Reason";
            var accounted = await shell.RunAsync(site, sacct, null, idempotent: true, cancellationToken);
            if (accounted.ExitCode == 0)
            {
                return ParseSacct(accounted.Text);
            }
        }

        var loop = $"for j in {ShellQuote.Join(slurmJobIds)}; do {Tool(site, "scontrol")} --oneliner show job \"$j\" 2>/dev/null; done; true";
        var result = await shell.RunAsync(site, loop, null, idempotent: true, cancellationToken);
        return ParseScontrol(result.Text);
    }

    /// <summary>
    /// The exit codes that jobs wrote into their folders, for jobs Slurm no longer remembers. A job whose file
    /// is missing is missing from the answer.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> ReadExitCodesAsync(
        string site, IReadOnlyCollection<string> workDirs, CancellationToken cancellationToken)
    {
        if (workDirs.Count == 0)
        {
            return new Dictionary<string, int>();
        }

        var loop = $"for d in {ShellQuote.Join(workDirs)}; do " +
            $"if [ -f \"$d/{ExitCodeFile}\" ]; then printf '%s|' \"$d\"; head -c 16 \"$d/{ExitCodeFile}\"; echo; fi; done; true";
        var result = await shell.RunAsync(site, loop, null, idempotent: true, cancellationToken);
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Lines(result.Text))
        {
            var bar = line.LastIndexOf('|');
            if (bar > 0 && int.TryParse(line[(bar + 1)..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
            {
                codes[line[..bar]] = code;
            }
        }

        return codes;
    }

    /// <summary>Asks Slurm to cancel a job. A job Slurm no longer knows counts as cancelled already.</summary>
    public async Task CancelAsync(string site, string slurmJobId, CancellationToken cancellationToken)
    {
        var command = $"{Tool(site, "scancel")} {ShellQuote.Quote(slurmJobId)}";
        var result = await shell.RunAsync(site, command, null, idempotent: true, cancellationToken);
        if (result.ExitCode != 0 && !result.Stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            throw new SlurmCommandException(site, "scancel", result.ExitCode, result.Stderr);
        }
    }

    /// <summary>Reads up to <paramref name="maxBytes"/> of a job's output from <paramref name="offset"/> on.</summary>
    public async Task<byte[]> ReadOutputAsync(
        string site, string workDir, long offset, int maxBytes, CancellationToken cancellationToken)
    {
        var path = ShellQuote.Quote($"{workDir}/{OutputFile}");
        var command = string.Create(
            CultureInfo.InvariantCulture,
            $"[ -f {path} ] && tail -c +{offset + 1} {path} | head -c {maxBytes}; true");
        var result = await shell.RunAsync(site, command, null, idempotent: true, cancellationToken);
        return result.Stdout;
    }

    internal static string? ParseParsable(string text)
    {
        var line = text.Trim();
        if (line.Length == 0)
        {
            return null;
        }

        var id = line.Split(';', 2)[0].Trim();
        return SlurmJobId().IsMatch(id) ? id : null;
    }

    internal static IReadOnlyList<QueueEntry> ParseQueue(string text) =>
        Lines(text)
            .Select(line => line.Split('|', 6))
            .Where(f => f.Length == 6 && SlurmJobId().IsMatch(f[0]))
            .Select(f => new QueueEntry(f[0], f[1], f[2], f[3], f[5], f[4]))
            .ToList();

    internal static IReadOnlyDictionary<string, JobRecord> ParseScontrol(string text)
    {
        var records = new Dictionary<string, JobRecord>(StringComparer.Ordinal);
        foreach (var line in Lines(text))
        {
            var fields = KeyValue().Matches(line).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (!fields.TryGetValue("JobId", out var id) || !fields.TryGetValue("JobState", out var state))
            {
                continue;
            }

            if (fields.TryGetValue("ArrayJobId", out var arrayJob) && fields.TryGetValue("ArrayTaskId", out var task))
            {
                id = $"{arrayJob}_{task}";
            }

            var (exit, signal) = ParseExitCode(fields.GetValueOrDefault("ExitCode"));
            records[id] = new JobRecord(
                id, state, exit, signal, NullIfNone(fields.GetValueOrDefault("NodeList")),
                NullIfNone(fields.GetValueOrDefault("Reason")),
                ParseTime(fields.GetValueOrDefault("StartTime")), ParseTime(fields.GetValueOrDefault("EndTime")));
        }

        return records;
    }

    internal static IReadOnlyDictionary<string, JobRecord> ParseSacct(string text)
    {
        var records = new Dictionary<string, JobRecord>(StringComparer.Ordinal);
        foreach (var line in Lines(text))
        {
            var f = line.Split('|');
            if (f.Length < 6 || !SlurmJobId().IsMatch(f[0]))
            {
                continue;
            }

            var (exit, signal) = ParseExitCode(f[2]);
            records[f[0]] = new JobRecord(
                f[0], f[1], exit, signal, NullIfNone(f[3]), f.Length > 6 ? NullIfNone(f[6]) : null,
                ParseTime(f[4]), ParseTime(f[5]));
        }

        return records;
    }

    internal static (int? Exit, int? Signal) ParseExitCode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }

        var parts = text.Split(':');
        int? exit = int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var e) ? e : null;
        int? signal = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
            && s != 0 ? s : null;
        return (exit, signal);
    }

    /// <summary>
    /// A time as Slurm prints it, in the controller's local zone, which the bridge assumes is its own: true for the
    /// sandbox and a bridge beside its cluster, off by the zone difference otherwise (Slurm offers no UTC output).
    /// </summary>
    internal static DateTimeOffset? ParseTime(string? text) =>
        DateTime.TryParseExact(
            text, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)
            ? new DateTimeOffset(time)
            : null;

    private static string? NullIfNone(string? value) =>
        string.IsNullOrEmpty(value) || value is "None" or "(null)" or "None assigned" ? null : value;

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// A Slurm command with the site's environment assigned in front of it, so the assignments apply to that
    /// command alone and cannot break a <c>&amp;&amp;</c> chain.
    /// </summary>
    private string Tool(string site, string name)
    {
        var slurm = sites.Get(site).Slurm;
        var command = new StringBuilder();
        foreach (var (variable, value) in slurm.Environment)
        {
            command.Append(variable).Append('=').Append(ShellQuote.Quote(value)).Append(' ');
        }

        command.Append(string.IsNullOrEmpty(slurm.BinDir) ? name : ShellQuote.Quote($"{slurm.BinDir.TrimEnd('/')}/{name}"));
        return command.ToString();
    }

    [GeneratedRegex(@"^[0-9]+(?:_[0-9]+|\+[0-9]+)?$")]
    private static partial Regex SlurmJobId();

    [GeneratedRegex(@"(?:^|\s)([A-Za-z]+)=(\S*)")]
    private static partial Regex KeyValue();
}
