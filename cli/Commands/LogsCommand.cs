using System.CommandLine;

namespace Commons.Cli.Commands;

/// <summary><c>commons logs JOB [-f]</c>: the job's output so far, or followed until the job ends.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing output until the job ends" };
        var job = new Argument<string>("job") { Description = "Job id, as `commons ps` shows it" };
        var logs = new Command("logs", "Print a job's output") { follow, job };
        logs.SetAction((parse, cancellationToken) => CommandContext.WithBridgeAsync(async bridge =>
        {
            await using var stdout = Console.OpenStandardOutput();
            try
            {
                await bridge.CopyLogsAsync(parse.GetValue(job)!, 0, parse.GetValue(follow), stdout, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C stops following; the job itself keeps running.
                return ExitCodes.Interrupted;
            }

            return ExitCodes.Ok;
        }));
        return logs;
    }
}
