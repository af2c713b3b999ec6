using Commons.StandIns.Ollama.Api;
using Commons.StandIns.Ollama.Generation;
using Commons.StandIns.Ollama.Models;
using Microsoft.Extensions.Logging.Console;

namespace Commons.StandIns.Ollama.Hosting;

/// <summary>Builds the web application: logging, services, the listening address and the routes.</summary>
public static class StandInHost
{
    /// <summary>On every response, so nobody can take the stand-in for a real Ollama by accident.</summary>
    public const string MarkerHeader = "X-Commons-Standin";

    public static WebApplication Build(StandInSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // No args: the command line is the stand-in's own (serve, --version), not configuration for the host.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.AddStandInLogging(settings);
        builder.Services.AddStandIn(settings);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.Listen.Address, settings.Listen.Port);
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();
        app.UseStandInMarker();
        app.MapOllamaApi();
        app.MapOpenAiApi();
        return app;
    }

    private static void AddStandInLogging(this WebApplicationBuilder builder, StandInSettings settings)
    {
        var logging = builder.Logging;
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        // Everything to stderr: a job script's stdout may be the job's result, and stays the job's alone.
        builder.Services.Configure<ConsoleLoggerOptions>(
            console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        logging.SetMinimumLevel(settings.Debug ? LogLevel.Debug : LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);

        // A failure to start (a port in use) is reported by the program in one line; the host's own report of
        // it would add a stack trace to every retry a job script makes.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    }

    private static void AddStandIn(this IServiceCollection services, StandInSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<LoadedModels>();
        services.AddSingleton<Generator>();
        services.AddSingleton<ApiServices>();

        // A streamed answer stops as soon as the server stops, so there is nothing worth a long wait at shutdown.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
    }

    private static void UseStandInMarker(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category);
        app.Use(async (context, next) =>
        {
            context.Response.Headers[MarkerHeader] = "true";
            await next(context);
            Log.Request(log, context.Request.Method, context.Request.Path, context.Response.StatusCode);
        });
    }
}
