using System.Net.Sockets;
using Commons.StandIns.Ollama.Models;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Commons.StandIns.Ollama.Hosting;

/// <summary>
/// The command line: <c>ollama-standin [serve]</c> runs the server, <c>--version</c> prints the version. Exit codes:
/// 0 after a clean shutdown, 1 when the server cannot start (bad settings, address in use), 2 for bad usage.
/// </summary>
public static class StandInProgram
{
    private const string Usage = """
        Usage: ollama-standin [serve]
               ollama-standin --version

        A stand-in for `ollama serve` that answers Ollama's API with fixed text, for tests without GPUs.
        Environment: OLLAMA_HOST (127.0.0.1:11434), OLLAMA_MODELS, OLLAMA_KEEP_ALIVE (5m), OLLAMA_DEBUG,
        OLLAMA_STANDIN_MODELS (models pulled at start, comma-separated),
        OLLAMA_STANDIN_TOKEN_DELAY_MS (20), OLLAMA_STANDIN_LOAD_DELAY_MS (50).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);

        switch (args)
        {
            case [] or ["serve"]:
                break;

            case ["-v" or "--version" or "version"]:
                Console.Out.WriteLine($"ollama version is {StandInSettings.Version}");
                return 0;

            case ["-h" or "--help" or "help"]:
                Console.Out.WriteLine(Usage);
                return 0;

            default:
                await Console.Error.WriteLineAsync($"Error: unknown arguments '{string.Join(' ', args)}'\n\n{Usage}");
                return 2;
        }

        return await ServeAsync();
    }

    private static async Task<int> ServeAsync()
    {
        StandInSettings settings;
        try
        {
            settings = StandInSettings.FromEnvironment(Environment.GetEnvironmentVariable);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"Error: {e.Message}");
            return 1;
        }

        await using var app = StandInHost.Build(settings);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            // Worded as Ollama words it, so a job script that retries on another port recognises either server.
            var reason = IsAddressInUse(e) ? "bind: address already in use" : e.Message;
            await Console.Error.WriteLineAsync($"Error: listen tcp {settings.Listen}: {reason}");
            return 1;
        }

        LogStart(app, settings);
        await app.WaitForShutdownAsync();
        return 0;
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

    private static void LogStart(WebApplication app, StandInSettings settings)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category);

        // Port 0 asks for any free port; the one actually bound is the one worth printing.
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault()?.Replace("http://", string.Empty, StringComparison.Ordinal);
        Log.Listening(log, bound ?? settings.Listen.ToString(), StandInSettings.Version);

        var models = app.Services.GetRequiredService<ModelCatalog>().All;
        if (models.Count > 0)
        {
            Log.PresetModels(log, string.Join(", ", models.Select(model => model.Name.FullName)));
        }

        if (settings.ModelsDirectory is { } folder)
        {
            Log.ModelsFolder(log, folder);
        }
    }
}
