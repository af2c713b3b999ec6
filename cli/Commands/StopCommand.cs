using System.CommandLine;
using Commons.Contracts;

namespace Commons.Cli.Commands;

/// <summary><c>commons stop JOB</c>: cancels a job; stopping a job that already ended is not an error.</summary>
internal static class StopCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "Job id, as `commons ps` shows it" };
        var stop = new Command("stop", "Cancel a job") { job };
        stop.SetAction((parse, cancellationToken) => CommandContext.WithBridgeAsync(async bridge =>
        {
            var id = parse.GetValue(job)!;
            var before = await bridge.GetAsync(id, cancellationToken);
            if (JobStates.IsTerminal(before.State))
            {
                Console.Out.WriteLine($"{id} had already ended ({before.State})");
                return ExitCodes.Ok;
            }

            var after = await bridge.CancelAsync(id, cancellationToken);
            Console.Out.WriteLine($"{id} {after.State}");
            return ExitCodes.Ok;
        }));
        return stop;
    }
}
