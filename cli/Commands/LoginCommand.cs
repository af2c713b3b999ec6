using System.CommandLine;
using Commons.Cli.Auth;
using Commons.Cli.Bridge;
using Commons.Cli.Config;
using Commons.Cli.Output;
using Commons.Contracts;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons login [--bridge URL] [--provider github|gitlab] [--link]</c>: signs in with a forge's device flow, the
/// way <c>gh auth login</c> does, and stores the bridge's token in the 0600 config file. The forge's token goes to
/// the bridge once, as proof of who you are, and is never written down. <c>--with-token</c> reads a bridge token
/// from stdin instead (operators and automation).
/// </summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var bridgeOption = new Option<string>("--bridge") { Description = "Bridge URL (default: the configured one)" };
        var withToken = new Option<bool>("--with-token") { Description = "Read a bridge token from standard input" };
        var providerOption = new Option<string>("--provider")
        {
            Description = "Forge to sign in with: github or gitlab (default: the bridge's first)",
        };
        var linkOption = new Option<bool>("--link")
        {
            Description = "Add this forge identity to the account you are signed in as",
        };
        var login = new Command("login", "Sign in to a bridge with GitHub or GitLab") { bridgeOption, withToken, providerOption, linkOption };
        login.SetAction(async (parse, cancellationToken) =>
        {
            Uri bridge;
            try
            {
                bridge = BridgeAddress(parse.GetValue(bridgeOption));
            }
            catch (CliConfigException e)
            {
                Errors.Print(e.Message);
                return ExitCodes.Config;
            }

            return parse.GetValue(withToken)
                ? await WithTokenAsync(bridge, cancellationToken)
                : await DeviceFlowAsync(bridge, parse.GetValue(providerOption), parse.GetValue(linkOption), cancellationToken);
        });
        return login;
    }

    private static Uri BridgeAddress(string? option)
    {
        var address = option ?? CliConfig.ConfiguredBridge()
            ?? throw new CliConfigException($"no bridge configured; pass --bridge URL or set {CliConfig.BridgeVariable}");
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliConfigException($"--bridge '{address}' is not an http(s) URL");
        }

        // Signing in sends a forge token and receives a bridge token: never in the clear over a network.
        if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            throw new CliConfigException($"--bridge '{address}' uses http; sign in over https (plain http only for a bridge on this machine)");
        }

        return uri;
    }

    private static async Task<int> WithTokenAsync(Uri uri, CancellationToken cancellationToken)
    {
        var token = (await Console.In.ReadToEndAsync(cancellationToken)).Trim();
        if (token.Length == 0 || token.Any(char.IsWhiteSpace))
        {
            Errors.Print("no token on standard input (expected one line)");
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
    }

    private static async Task<int> DeviceFlowAsync(Uri uri, string? providerName, bool link, CancellationToken cancellationToken)
    {
        string? current = null;
        if (link)
        {
            // The token goes only to the bridge it belongs to: the saved one with the saved address, or the
            // environment's when COMMONS_BRIDGE names this bridge.
            current = CliConfig.TokenFor(uri);
            if (current is null)
            {
                Errors.Print(
                    $"--link needs you to be signed in to {uri} already",
                    "run `commons login --bridge URL` first, then `commons login --link --provider NAME`");
                return ExitCodes.Config;
            }
        }

        using var bridge = new BridgeClient(new CliSettings(uri, current ?? ""));
        try
        {
            var providers = await bridge.ProvidersAsync(cancellationToken);
            var provider = Choose(providers, providerName, out var problem);
            if (provider is null)
            {
                Errors.Print(problem!, "operators can still hand out tokens: `commons login --with-token`");
                return ExitCodes.Usage;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("commons-cli/0.1");
            var accessToken = await RunFlowAsync(new DeviceFlow(http, provider), provider, cancellationToken);
            if (accessToken is null)
            {
                return ExitCodes.Error;
            }

            var signedIn = await bridge.SignInAsync(provider.Name, accessToken, cancellationToken);
            CliConfig.Save(uri.ToString(), signedIn.Token);
            var forge = provider.Name == "gitlab" ? "GitLab" : "GitHub";
            Console.Error.WriteLine(signedIn.Linked
                ? $"✓ Linked {forge} account {signedIn.Login} to {signedIn.User} on {uri}"
                : $"✓ Signed in to {uri} as {signedIn.User} ({forge}: {signedIn.Login})");

            using var signedInBridge = new BridgeClient(new CliSettings(uri, signedIn.Token));
            var me = await signedInBridge.WhoAmIAsync(false, cancellationToken);
            var score = me.Merit is { } merit ? $", merit {merit.Score:0.00}" : "";
            Console.Error.WriteLine($"  Tier: {me.Tier.Name}{score}. `commons whoami --explain` shows how it was counted.");
            return ExitCodes.Ok;
        }
        catch (BridgeException e)
        {
            Errors.Print(e);
            return ExitCodes.Error;
        }
        catch (DeviceFlowException e)
        {
            Errors.Print(e.Message);
            return ExitCodes.Error;
        }
        catch (HttpRequestException e)
        {
            Errors.Print($"cannot reach the forge ({e.Message})");
            return ExitCodes.Error;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Errors.Print("the forge did not answer within 30 seconds", "try `commons login` again");
            return ExitCodes.Error;
        }
    }

    internal static ForgeProvider? Choose(IReadOnlyList<ForgeProvider> providers, string? name, out string? problem)
    {
        problem = null;
        if (providers.Count == 0)
        {
            problem = "this bridge offers no GitHub or GitLab sign-in";
            return null;
        }

        if (name is null)
        {
            return providers[0];
        }

        var chosen = providers.FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (chosen is null)
        {
            problem = $"--provider '{name}' is not offered by this bridge; it offers: {string.Join(", ", providers.Select(p => p.Name))}";
        }

        return chosen;
    }

    /// <summary>Shows the code and the forge's address, waits for the person; on an expired code, offers to start again.</summary>
    private static async Task<string?> RunFlowAsync(DeviceFlow flow, ForgeProvider provider, CancellationToken cancellationToken)
    {
        while (true)
        {
            var code = await flow.StartAsync(cancellationToken);
            Console.Error.WriteLine($"! First copy your one-time code: {code.UserCode}");
            Console.Error.WriteLine($"Open this address in your web browser and enter the code: {code.VerificationUri}");
            Console.Error.WriteLine($"Waiting for approval (the code expires in {Minutes(code.ExpiresIn)})…");
            var (outcome, token) = await flow.PollAsync(
                code,
                interval => Console.Error.WriteLine($"{provider.Name} asked to poll more slowly; now every {interval.TotalSeconds:0} s"),
                cancellationToken);
            switch (outcome)
            {
                case DeviceFlowOutcome.Granted:
                    return token;
                case DeviceFlowOutcome.Denied:
                    Errors.Print("sign-in was denied in the browser; nothing was saved", "run `commons login` to try again");
                    return null;
                default:
                    Errors.Print("the code expired before it was approved");
                    if (Console.IsInputRedirected || Console.IsErrorRedirected)
                    {
                        Console.Error.WriteLine("hint: run `commons login` again for a new code");
                        return null;
                    }

                    Console.Error.Write("Start again with a new code? [Y/n] ");
                    var answer = (await Console.In.ReadLineAsync(cancellationToken))?.Trim();
                    if (answer is null || answer.StartsWith('n') || answer.StartsWith('N'))
                    {
                        return null;
                    }

                    break;
            }
        }
    }

    private static string Minutes(TimeSpan span) =>
        span.TotalMinutes >= 2 ? $"{span.TotalMinutes:0} minutes" : $"{span.TotalSeconds:0} seconds";
}
