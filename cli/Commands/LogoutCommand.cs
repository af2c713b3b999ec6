using System.CommandLine;
using Commons.Cli.Bridge;
using Commons.Cli.Config;
using Commons.Cli.Output;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons logout</c>: revokes the bridge token at the bridge, then forgets it. When the bridge cannot be reached
/// the token is kept, so that a later logout can still revoke it: forgetting a live token would leave it usable.
/// </summary>
internal static class LogoutCommand
{
    public static Command Create()
    {
        var logout = new Command("logout", "Revoke your bridge token and forget it");
        logout.SetAction((_, cancellationToken) => CommandContext.WithBridgeAsync(async bridge =>
        {
            try
            {
                await bridge.RevokeTokenAsync(cancellationToken);
            }
            catch (BridgeException e) when (e.Status == 401)
            {
                // Already revoked or unknown: there is nothing left to revoke, only to forget.
            }
            catch (BridgeException e)
            {
                Errors.Print(e);
                Console.Error.WriteLine("The token was not revoked and is still saved; run `commons logout` again later.");
                return ExitCodes.Error;
            }

            var settings = bridge.Settings;
            if (CliConfig.SavedToken() == settings.Token)
            {
                CliConfig.Save(settings.Bridge.ToString(), null);
            }

            Console.Error.WriteLine($"Signed out of {settings.Bridge}; the token is revoked.");
            if (Environment.GetEnvironmentVariable(CliConfig.TokenVariable) is { Length: > 0 })
            {
                Console.Error.WriteLine($"{CliConfig.TokenVariable} still holds the revoked token; unset it.");
            }

            return ExitCodes.Ok;
        }));
        return logout;
    }
}
