using Commons.Cli.Bridge;

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

        var hint = e.Status switch
        {
            null => "hint: is the bridge running? Check COMMONS_BRIDGE or `commons login --bridge URL`.",
            401 => "hint: your token is missing or revoked; set COMMONS_TOKEN or run `commons login --with-token`.",
            404 => "hint: `commons ps --all` lists your jobs.",
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
