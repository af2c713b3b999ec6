using Commons.StandIns.Forge.DeviceFlow;
using Commons.StandIns.Forge.GitHub;
using Commons.StandIns.Forge.GitLab;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Web;
using Microsoft.Extensions.Logging.Console;

namespace Commons.StandIns.Forge.Hosting;

/// <summary>Builds the web application: the clock, the profiles, the services, the listener and the routes.</summary>
public static class ForgeHost
{
    /// <summary>On every response, so nobody takes the stand-in for a real forge by accident.</summary>
    public const string MarkerHeader = "X-Stand-In";

    /// <summary>Builds the application without starting it.</summary>
    /// <param name="time">
    /// The clock's pace; a test passes a fake one to expire device codes or reset rate limits without waiting.
    /// Default: the system clock.
    /// </param>
    /// <exception cref="ProfileException">A profile file is unusable.</exception>
    /// <exception cref="FormatException">A preset token names an account no profile has.</exception>
    public static WebApplication Build(ForgeSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var pace = time ?? TimeProvider.System;
        TimeProvider clock = settings.Now is { } now ? new StandInClock(pace, now) : pace;
        var world = ProfileLoader.LoadFolder(settings.ProfilesFolder, settings.Now ?? clock.GetUtcNow());
        var tokens = PresetTokens(settings, world);

        // No args: the command line is the stand-in's own, not configuration for the host.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(ForgeHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddStandInLogging(settings);
        builder.Services.AddForgeStandIn(settings, clock, world, tokens);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.Listen);
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();
        app.UseStandInMarker();
        app.Use(app.Services.GetRequiredService<ApiGate>().InvokeAsync);
        app.MapStandInApi();
        app.MapDeviceFlow();
        app.MapGitHubApi();
        app.MapGitLabApi();
        return app;
    }

    private static TokenStore PresetTokens(ForgeSettings settings, World world)
    {
        var tokens = new TokenStore();
        foreach (var preset in settings.Tokens)
        {
            var account = world.FindAccount(preset.Forge, preset.Login)
                ?? throw new FormatException(
                    $"--token {preset.Forge.ToString().ToLowerInvariant()}:{preset.Login}=…: "
                    + $"'{preset.Login}' is not a {preset.Forge} account in any profile");
            tokens.Add(preset.Token, account);
        }

        return tokens;
    }

    private static void AddStandInLogging(this WebApplicationBuilder builder, ForgeSettings settings)
    {
        var logging = builder.Logging;
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        // Everything to stderr, so stdout stays free for whoever runs the stand-in.
        builder.Services.Configure<ConsoleLoggerOptions>(
            console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(settings.Debug ? LogLevel.Debug : LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);

        // A failure to start (a port in use) is reported by the program in one line.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    }

    private static void AddForgeStandIn(
        this IServiceCollection services, ForgeSettings settings, TimeProvider clock, World world, TokenStore tokens)
    {
        // The clock is handed to the stand-in's own services only, not registered as the TimeProvider: the host
        // and Kestrel keep real time for their timeouts however far a test moves the stand-in's clock.
        services.AddSingleton(settings);
        services.AddSingleton(world);
        services.AddSingleton(tokens);
        services.AddSingleton<RequestStats>();
        services.AddSingleton(_ => new RateLimits(settings, clock));
        services.AddSingleton(
            s => new DeviceAuthorizations(settings, clock, tokens, s.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(s => new ApiGate(
            tokens, s.GetRequiredService<RateLimits>(), s.GetRequiredService<RequestStats>(), clock));
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
    }

    private static void UseStandInMarker(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Log.Category);
        var stats = app.Services.GetRequiredService<RequestStats>();
        app.Use(async (context, next) =>
        {
            context.Response.Headers[MarkerHeader] = "forge";
            await next(context);

            // The knobs are not counted: a test asking for the counts should not change them.
            var path = context.Request.Path;
            if (!path.StartsWithSegments("/_standin"))
            {
                stats.Answered(path.Value ?? "/", context.Response.StatusCode);
            }

            Log.Request(log, context.Request.Method, path.Value ?? "/", context.Response.StatusCode);
        });
    }
}
