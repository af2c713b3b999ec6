using System.CommandLine;
using Commons.Cli.Bridge;
using Commons.Cli.Config;
using Commons.Cli.Output;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons login --bridge URL --with-token</c>: stores a bridge address and a token (read from stdin, as
/// <c>gh auth login --with-token</c> does) in the 0600 config file, after checking the bridge accepts it.
/// </summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var bridgeOption = new Option<string>("--bridge") { Description = "Bridge URL", Required = true };
        var withToken = new Option<bool>("--with-token") { Description = "Read a token from standard input" };
        var login = new Command("login", "Sign in to a bridge") { bridgeOption, withToken };
        login.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(withToken))
            {
                Errors.Print("only token sign-in is available: pipe a token into `commons login --bridge URL --with-token`");
                return ExitCodes.Usage;
            }

            var token = (await Console.In.ReadToEndAsync(cancellationToken)).Trim();
            var address = parse.GetValue(bridgeOption)!;
            if (token.Length == 0 || token.Any(char.IsWhiteSpace))
            {
                Errors.Print("no token on standard input (expected one line)");
                return ExitCodes.Usage;
            }

            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                Errors.Print($"--bridge '{address}' is not an http(s) URL");
                return ExitCodes.Usage;
            }

            using var bridge = new BridgeClient(new CliSettings(uri, token));
            try
            {
                await bridge.ListAsync(false, cancellationToken);
            }
            catch (BridgeException e)
            {
                Errors.Print(e);
                return ExitCodes.Error;
            }

            CliConfig.Save(uri.ToString(), token);
            Console.Error.WriteLine($"Signed in to {uri}; settings saved in {CliConfig.FilePath}");
            return ExitCodes.Ok;
        });
        return login;
    }
}
