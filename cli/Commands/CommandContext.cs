using Commons.Cli.Bridge;
using Commons.Cli.Config;
using Commons.Cli.Output;

namespace Commons.Cli.Commands;

/// <summary>What every verb that talks to the bridge does first and last: load settings, map failures to exit codes.</summary>
internal static class CommandContext
{
    public static async Task<int> WithBridgeAsync(Func<BridgeClient, Task<int>> action, int failureCode = ExitCodes.Error)
    {
        CliSettings settings;
        try
        {
            settings = CliConfig.Load();
        }
        catch (CliConfigException e)
        {
            Errors.Print(e.Message);
            return ExitCodes.Config;
        }

        using var bridge = new BridgeClient(settings);
        try
        {
            return await action(bridge);
        }
        catch (BridgeException e)
        {
            Errors.Print(e);
            return e.IsPolicyRefusal ? ExitCodes.NotPermitted : failureCode;
        }
    }
}
