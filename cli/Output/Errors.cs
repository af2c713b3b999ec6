using Commons.Cli.Bridge;
using Commons.Contracts;

namespace Commons.Cli.Output;

/// <summary>Prints failures to stderr the same way everywhere: what went wrong, each field, then what to try.</summary>
internal static class Errors
{
    public static void Print(BridgeException e)
    {
        Console.Error.WriteLine($"commons: {e.Message}");
        foreach (var line in e.Details)
        {
            Console.Error.WriteLine($"  {line}");
        }

        var hint = (e.Status, e.ProblemType) switch
        {
            (_, ProblemTypes.QuotaExceeded) =>
                "hint: fewer GPUs or a shorter --time reserves less; `commons whoami` shows this period's GPU-hours.",
            (_, ProblemTypes.TierLimit) =>
                "hint: `commons whoami --explain` shows your tier, your score and what the next tier needs.",
            (null, _) => "hint: is the bridge running? Check COMMONS_BRIDGE or `commons login --bridge URL`.",
            (401, _) => "hint: your token is missing or revoked; set COMMONS_TOKEN or run `commons login --with-token`.",
            (404, _) => "hint: `commons ps --all` lists your jobs.",
            _ => null,
        };
        if (hint is not null)
        {
            Console.Error.WriteLine(hint);
        }
    }

    public static void Print(string message, string? hint = null)
    {
        Console.Error.WriteLine($"commons: {message}");
        if (hint is not null)
        {
            Console.Error.WriteLine($"hint: {hint}");
        }
    }
}
