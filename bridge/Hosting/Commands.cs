using System.CommandLine;
using System.Reflection;
using Commons.Bridge.Api;
using Commons.Bridge.Auth;
using Commons.Bridge.Data;
using Commons.Bridge.Merit;
using Commons.Bridge.Sites;
using Microsoft.Extensions.Logging.Abstractions;

namespace Commons.Bridge.Hosting;

/// <summary>The verbs of <c>commons-bridge</c>.</summary>
internal static class Commands
{
    private static readonly Option<string> DataOption = new("--data")
    {
        Description = "Folder of the bridge's database",
        DefaultValueFactory = _ => Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "commons-bridge"),
    };

    public static Command Serve()
    {
        var sitesOption = new Option<string>("--sites") { Description = "Folder of site config files", Required = true };
        var listenOption = new Option<string>("--listen")
        {
            Description = "URL to listen on",
            DefaultValueFactory = _ => "http://127.0.0.1:8470",
        };
        var templatesOption = new Option<string>("--templates")
        {
            Description = "Folder of job templates",
            DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "templates"),
        };
        var modelsOption = new Option<string>("--models")
        {
            Description = "The model catalog",
            DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "config", "models.yaml"),
        };
        var forgesOption = new Option<string>("--forges")
        {
            Description = "The forges people sign in with (GitHub, GitLab); without the file, only operator tokens work",
            DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "config", "forges.yaml"),
        };
        var command = new Command("serve", "Run the bridge's API and pollers")
        {
            DataOption, sitesOption, listenOption, templatesOption, modelsOption, forgesOption,
        };
        command.SetAction((parse, cancellationToken) => ServeAsync(
            new BridgeOptions(
                parse.GetValue(DataOption)!, parse.GetValue(sitesOption)!, parse.GetValue(templatesOption)!,
                parse.GetValue(listenOption)!, parse.GetValue(modelsOption)!, parse.GetValue(forgesOption)),
            cancellationToken));
        return command;
    }

    public static Command Tokens()
    {
        var userOption = new Option<string>("--user") { Description = "User the token signs in as", Required = true };
        var create = new Command("create", "Create a bearer token and print it (it is shown once)") { DataOption, userOption };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var user = parse.GetValue(userOption)!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(user, "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))
            {
                await Console.Error.WriteLineAsync("commons-bridge: --user: expected 1-64 letters, digits, '.', '_' or '-'");
                return 2;
            }

            var database = new Database(parse.GetValue(DataOption)!);
            await database.MigrateAsync(cancellationToken);
            var token = await new TokenStore(database, TimeProvider.System).CreateAsync(user, cancellationToken);
            Console.Out.WriteLine(token);
            return 0;
        });
        return new Command("tokens", "Manage bearer tokens") { create };
    }

    public static Command Site()
    {
        var sitesOption = new Option<string>("--sites") { Description = "Folder of site config files", Required = true };
        var nameArgument = new Argument<string>("name") { Description = "The site to check, as its file names it" };
        var check = new Command("check", "Compare a site config with the live cluster and say what differs")
        {
            sitesOption, nameArgument,
        };
        check.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<SiteConfig> sites;
            try
            {
                sites = SiteConfigLoader.LoadFolder(parse.GetValue(sitesOption)!);
            }
            catch (SiteConfigException e)
            {
                await Console.Error.WriteLineAsync($"commons-bridge: bad site config: {e.Message}");
                return 78;
            }

            var name = parse.GetValue(nameArgument)!;
            var site = sites.FirstOrDefault(s => s.Name == name);
            if (site is null)
            {
                await Console.Error.WriteLineAsync(
                    $"commons-bridge: no site '{name}'; configured: {string.Join(", ", sites.Select(s => s.Name))}");
                return 2;
            }

            using var pool = new Ssh.SshPool(new SiteRegistry(sites), NullLogger<Ssh.SshPool>.Instance);
            var findings = await new SiteChecker(pool).CheckAsync(site, cancellationToken);
            foreach (var finding in findings)
            {
                Console.Out.WriteLine($"{(finding.Ok ? "ok     " : "DIFFERS")}  {finding.Subject}: {finding.Message}");
            }

            return findings.All(f => f.Ok) ? 0 : 1;
        });
        return new Command("site", "Site config tools") { check };
    }

    private static async Task<int> ServeAsync(BridgeOptions options, CancellationToken cancellationToken)
    {
        IReadOnlyList<SiteConfig> sites;
        try
        {
            sites = SiteConfigLoader.LoadFolder(options.SitesDirectory);
        }
        catch (SiteConfigException e)
        {
            await Console.Error.WriteLineAsync($"commons-bridge: bad site config: {e.Message}");
            return 78;
        }

        ForgeSettings forges;
        try
        {
            forges = options.ForgesFile is null ? new ForgeSettings(null, null) : ForgesFile.Load(options.ForgesFile);
        }
        catch (ForgesFileException e)
        {
            await Console.Error.WriteLineAsync($"commons-bridge: bad forges file: {e.Message}");
            return 78;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Listen);
        builder.Services.AddProblemDetails();

        // A null where the contract says string (a command word, an env value) is a request error, not a crash.
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.RespectNullableAnnotations = true);
        builder.Services.AddBridgeCore(options, sites);
        builder.Services.AddSignIn(forges);
        builder.Services.AddSitePolling(sites);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Commons.Bridge");
        var version = Assembly.GetExecutingAssembly().GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
        Log.Starting(logger, version, options.Listen);

        var database = app.Services.GetRequiredService<Database>();
        var schema = await database.MigrateAsync(cancellationToken);
        Log.DatabaseReady(logger, database.Provider, database.Path, (int)schema);
        Log.JobStore(logger);
        foreach (var site in sites)
        {
            Log.SiteConfigured(logger, site.Name, site.Login.User, site.Login.Host, site.Login.Port);
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.MapGet("/healthz", () => TypedResults.Text("ok\n")).WithName("Health");
        app.MapJobsApi();
        app.MapTunnelsApi();
        app.MapModelsApi();
        app.MapAuthApi();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
