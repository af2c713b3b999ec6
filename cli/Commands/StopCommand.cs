using System.CommandLine;
using Commons.Contracts;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons stop JOB|MODEL</c>: cancels a job, or the user's running job of a model (as <c>ollama stop</c> unloads
/// one); stopping a job that already ended is not an error.
/// </summary>
internal static class StopCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "Job id, as `commons ps` shows it, or a model name" };
        var stop = new Command("stop", "Cancel a job, or stop a running model") { job };
        stop.SetAction((parse, cancellationToken) => CommandContext.WithBridgeAsync(async bridge =>
        {
            var id = parse.GetValue(job)!;
            var model = ModelName(id);
            var warm = (await bridge.ListAsync(false, cancellationToken)).FirstOrDefault(j => j.Model == model);
            if (warm is not null)
            {
                var stopped = await bridge.CancelAsync(warm.Id, cancellationToken);
                Console.Out.WriteLine($"{model} ({warm.Id}) {stopped.State}");
                return ExitCodes.Ok;
            }

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

    // As Ollama reads it: case aside, `llama3:latest` is `llama3`.
    private static string ModelName(string text)
    {
        var lower = text.ToLowerInvariant();
        return lower.EndsWith(":latest", StringComparison.Ordinal) ? lower[..^":latest".Length] : lower;
    }
}
