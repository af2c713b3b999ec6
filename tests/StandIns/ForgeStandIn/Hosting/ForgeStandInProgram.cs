using System.Net.Sockets;
using Commons.StandIns.Forge.Profiles;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Commons.StandIns.Forge.Hosting;

/// <summary>
/// The command line of <c>forge-standin</c>. Exit codes: 0 after a clean shutdown, 1 when the server cannot start
/// (an unusable profile, a preset token for nobody, the address in use), 2 for bad usage.
/// </summary>
public static class ForgeStandInProgram
{
    private const string Usage = """
        Usage: forge-standin [options]

        A stand-in for GitHub and GitLab, for tests: the device flow, and the REST endpoints Compute Commons reads,
        answered from profile files. GitHub's API is under /api/v3, GitLab's under /api/v4.

        Options:
          --listen URL            loopback address to listen on (http://127.0.0.1:8490; port 0 picks one)
          --profiles DIR          folder of profile files (*.yaml); default: the bundled profiles
          --now ISO               the clock at start, e.g. 2026-12-04T00:00:00Z (it then runs on); default: now
          --device-expires S      device code lifetime in seconds (900)
          --device-interval S     polling interval handed out, in seconds (5)
          --core-limit N          GitHub core requests per hour per token or address (5000)
          --search-limit N        GitHub search requests per minute per token or address (30)
          --gitlab-limit N        GitLab requests per minute per token or address (2000)
          --github-client-id ID   the OAuth client id GitHub's device flow accepts (commons-standin-github)
          --gitlab-client-id ID   the OAuth client id GitLab's device flow accepts (commons-standin-gitlab)
          --token FORGE:LOGIN=T   accept token T for profile account LOGIN (FORGE is github or gitlab); repeatable
          --debug                 log every request
          --version, --help
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        output ??= Console.Out;
        error ??= Console.Error;

        switch (args)
        {
            case ["--version" or "-v"]:
                await output.WriteLineAsync($"forge-standin {ForgeSettings.Version}");
                return 0;

            case ["--help" or "-h"]:
                await output.WriteLineAsync(Usage);
                return 0;
        }

        ForgeSettings settings;
        try
        {
            settings = ForgeSettings.Parse(args);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"Error: {e.Message}\n\n{Usage}");
            return 2;
        }

        WebApplication app;
        try
        {
            app = ForgeHost.Build(settings);
        }
        catch (Exception e) when (e is ProfileException or FormatException)
        {
            await error.WriteLineAsync($"Error: {e.Message}");
            return 1;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync();
            }
            catch (IOException e)
            {
                var reason = IsAddressInUse(e) ? "address already in use" : e.Message;
                await error.WriteLineAsync($"Error: cannot listen on {settings.Listen}: {reason}");
                return 1;
            }

            LogStart(app, settings);
            await app.WaitForShutdownAsync();
            return 0;
        }
    }

    private static bool IsAddressInUse(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is AddressInUseException
                || exception is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private static void LogStart(WebApplication app, ForgeSettings settings)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault();
        Log.Listening(log, bound ?? settings.Listen.ToString(), ForgeSettings.Version);

        var world = app.Services.GetRequiredService<World>();
        Log.ProfilesLoaded(
            log,
            settings.ProfilesFolder,
            world.Accounts.Count,
            world.Repositories.Count,
            world.Issues.Count,
            world.Projects.Count,
            world.MergeRequests.Count,
            world.Anchor);
    }
}
