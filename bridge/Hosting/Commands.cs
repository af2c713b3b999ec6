using System.CommandLine;
using System.Reflection;
using Commons.Bridge.Api;
using Commons.Bridge.Auth;
using Commons.Bridge.Data;
using Commons.Bridge.Merit;
using Commons.Bridge.Merit.Collectors;
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

    private static readonly Option<string> PolicyOption = new("--merit-policy")
    {
        Description = "The merit policy (tiers and their limits)",
        DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "config", "merit-policy.yaml"),
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
            DataOption, sitesOption, listenOption, templatesOption, modelsOption, forgesOption, PolicyOption,
        };
        command.SetAction((parse, cancellationToken) => ServeAsync(
            new BridgeOptions(
                parse.GetValue(DataOption)!, parse.GetValue(sitesOption)!, parse.GetValue(templatesOption)!,
                parse.GetValue(listenOption)!, parse.GetValue(modelsOption)!, parse.GetValue(forgesOption)),
            parse.GetValue(PolicyOption)!,
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

            // Operator tokens are for accounts of their own (automation, operators). A name a person took by signing
            // in with a forge is theirs: a token made for it would hand their jobs, logs and tunnels to someone else.
            var linked = await new IdentityStore(database, TimeProvider.System).ForUserAsync(user, cancellationToken);
            if (linked.Count > 0)
            {
                await Console.Error.WriteLineAsync(
                    $"commons-bridge: --user: '{user}' is the account of {linked[0].Provider} user '{linked[0].Login}', who signs in " +
                    "with the forge; pick another name for an operator or automation account");
                return 1;
            }

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

    public static Command Users()
    {
        var loginArgument = new Argument<string>("login") { Description = "The user's id (as their tokens name them)" };
        var tierOption = new Option<string>("--tier")
        {
            Description = $"Tier to hold whatever merit says, or '{MeritPolicyLoader.MeritWord}' to follow merit again",
        };
        var reasonOption = new Option<string>("--reason") { Description = "Why; kept in the user's history" };
        var byOption = new Option<string>("--by")
        {
            Description = "Who decides; the OS user by default",
            DefaultValueFactory = _ => Environment.UserName,
        };

        var grant = new Command("grant", "Hold a user in a tier whatever their merit, or hand them back to merit")
        {
            DataOption, PolicyOption, loginArgument, tierOption, reasonOption, byOption,
        };
        grant.SetAction((parse, cancellationToken) => OperatorAsync(parse, async (context, user) =>
        {
            var tier = parse.GetValue(tierOption);
            if (string.IsNullOrWhiteSpace(tier))
            {
                return await context.UsageAsync($"--tier: required; {context.TierChoices}");
            }

            if (tier == MeritPolicyLoader.MeritWord)
            {
                var cleared = await context.Store.SetOverrideAsync(user, null, "clear", context.Actor, context.Reason, cancellationToken);
                var decision = await context.Tiers.ReapplyAsync(user, cancellationToken);
                await context.Output.WriteLineAsync(
                    $"{user}: override cleared; tier {decision?.Held ?? cleared!.Value.To} follows merit");
                return 0;
            }

            if (context.Policy.Find(tier) is null)
            {
                return await context.UsageAsync($"--tier: no tier '{tier}'; {context.TierChoices}");
            }

            var (from, to) = (await context.Store.SetOverrideAsync(
                user, tier, "grant", context.Actor, context.Reason, cancellationToken))!.Value;
            await context.Output.WriteLineAsync($"{user}: {from} -> {to} (granted by {context.Actor})");
            return 0;
        }, reasonOption, byOption, loginArgument, cancellationToken));

        var revoke = new Command("revoke", "Hold a user in the lowest tier whatever their merit")
        {
            DataOption, PolicyOption, loginArgument, reasonOption, byOption,
        };
        revoke.SetAction((parse, cancellationToken) => OperatorAsync(parse, async (context, user) =>
        {
            var lowest = context.Policy.Lowest.Name;
            var (from, to) = (await context.Store.SetOverrideAsync(
                user, lowest, "revoke", context.Actor, context.Reason, cancellationToken))!.Value;
            await context.Output.WriteLineAsync($"{user}: {from} -> {to} (revoked by {context.Actor})");
            return 0;
        }, reasonOption, byOption, loginArgument, cancellationToken));

        var signoff = new Command("signoff", "Sign a user off as a maintainer (the maintainer tier's rule asks for it)")
        {
            DataOption, PolicyOption, loginArgument, reasonOption, byOption,
        };
        signoff.SetAction((parse, cancellationToken) => OperatorAsync(parse, async (context, user) =>
        {
            await context.Store.SignOffAsync(user, context.Actor, context.Reason, cancellationToken);
            var decision = await context.Tiers.ReapplyAsync(user, cancellationToken);
            await context.Output.WriteLineAsync(decision is null
                ? $"{user}: signed off by {context.Actor}; it counts from their first evaluation"
                : $"{user}: signed off by {context.Actor}; merit tier {decision.Held}. {decision.Why}");
            return 0;
        }, reasonOption, byOption, loginArgument, cancellationToken));

        var show = new Command("show", "A user's tier, override, sign-off and the history of tier changes")
        {
            DataOption, PolicyOption, loginArgument,
        };
        show.SetAction((parse, cancellationToken) => OperatorAsync(parse, async (context, user) =>
        {
            var view = await context.Tiers.TierAsync(user, cancellationToken);
            var row = (await context.Store.UserAsync(user, cancellationToken))!;
            var latest = await context.Store.LatestAsync(user, cancellationToken);
            var output = context.Output;
            await output.WriteLineAsync($"user        {user}");
            await output.WriteLineAsync($"tier        {view.Name} ({view.Source}): {view.Why}");
            await output.WriteLineAsync(
                $"merit tier  {row.Tier}{Since(" since", row.TierSince)}{Since(", below its rule since", row.BelowSince)}");
            await output.WriteLineAsync($"override    {row.OverrideTier ?? "none"}");
            await output.WriteLineAsync($"sign-off    {(row.SignedOffAt is { } signed ? $"{signed:yyyy-MM-dd HH:mm} UTC" : "none")}");
            await output.WriteLineAsync(latest is null
                ? "merit       not evaluated"
                : $"merit       {latest.Report.Score:0.##} on {latest.Report.EvaluatedAt:yyyy-MM-dd HH:mm} UTC"
                    + $" (computes {latest.ComputedTier}){(latest.Report.Stale ? ", stale" : "")}");
            var history = await context.Store.HistoryAsync(user, cancellationToken);
            await output.WriteLineAsync(history.Count == 0 ? "history     none" : "history");
            foreach (var change in history)
            {
                await output.WriteLineAsync(
                    $"  {change.At:yyyy-MM-dd HH:mm}  {change.Action,-8} {change.From} -> {change.To}  by {change.Actor}: {change.Reason}");
            }

            return 0;
        }, null, null, loginArgument, cancellationToken));

        return new Command("users", "Operators' decisions on users' tiers, each kept with who, when and why")
        {
            grant, revoke, signoff, show,
        };
    }

    /// <summary>
    /// Runs a command line: System.CommandLine's own parse errors exit 2 (usage), like the verbs' own checks.
    /// </summary>
    public static async Task<int> InvokeAsync(Command root, string[] args, InvocationConfiguration? configuration = null)
    {
        var parse = root.Parse(args);
        var code = await parse.InvokeAsync(configuration);
        return parse.Errors.Count > 0 ? 2 : code;
    }

    // The common part of the users verbs: the policy, the database, the user, and for verbs that change something
    // a valid actor and reason. Exit codes: 2 usage, 1 no such user, 78 a bad policy file.
    private static async Task<int> OperatorAsync(
        ParseResult parse,
        Func<OperatorContext, string, Task<int>> act,
        Option<string>? reasonOption,
        Option<string>? byOption,
        Argument<string> loginArgument,
        CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        async Task<int> UsageAsync(string message)
        {
            await error.WriteLineAsync($"commons-bridge: {message}");
            return 2;
        }

        var reason = reasonOption is null ? "" : parse.GetValue(reasonOption)?.Trim() ?? "";
        var actor = byOption is null ? "" : parse.GetValue(byOption)?.Trim() ?? "";
        if (reasonOption is not null)
        {
            if (reason.Length == 0)
            {
                return await UsageAsync("--reason: required; say why, it is kept in the user's history");
            }

            if (reason.Any(char.IsControl) || reason.Length > 500)
            {
                return await UsageAsync("--reason: expected one line of at most 500 characters, without control characters");
            }

            if (actor.Length == 0 || actor.Any(char.IsControl) || actor.Length > 64)
            {
                return await UsageAsync("--by: expected a name of 1-64 characters, without control characters");
            }
        }

        MeritPolicy policy;
        try
        {
            policy = MeritPolicyLoader.LoadFile(parse.GetValue(PolicyOption)!);
        }
        catch (MeritPolicyException e)
        {
            await error.WriteLineAsync($"commons-bridge: bad merit policy: {e.Message}");
            return 78;
        }

        var database = new Database(parse.GetValue(DataOption)!);
        await database.MigrateAsync(cancellationToken);
        var store = new MeritStore(database, TimeProvider.System);
        var user = parse.GetValue(loginArgument)!;
        if (await store.UserAsync(user, cancellationToken) is null)
        {
            await error.WriteLineAsync($"commons-bridge: no user '{user}'; users exist once they sign in or get a token");
            return 1;
        }

        var context = new OperatorContext(
            policy, store, new MeritTiers(store, policy, TimeProvider.System), actor, reason, output, UsageAsync);
        return await act(context, user);
    }

    private static string Since(string label, DateTimeOffset? at) =>
        at is { } time ? $"{label} {time:yyyy-MM-dd HH:mm} UTC" : "";

    private sealed record OperatorContext(
        MeritPolicy Policy, MeritStore Store, MeritTiers Tiers, string Actor, string Reason, TextWriter Output,
        Func<string, Task<int>> UsageAsync)
    {
        public string TierChoices =>
            $"one of {string.Join(", ", Policy.Tiers.Select(t => t.Name))} or {MeritPolicyLoader.MeritWord}";
    }

    private static async Task<int> ServeAsync(BridgeOptions options, string policyFile, CancellationToken cancellationToken)
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
        try
        {
            // Merit reads the same forges people sign in with (config/forges.yaml), with the bridge's own tokens.
            builder.Services.AddMerit(forges, policyFile);
        }
        catch (MeritPolicyException e)
        {
            await Console.Error.WriteLineAsync($"commons-bridge: bad merit policy: {e.Message}");
            return 78;
        }

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

        var collected = app.Services.GetRequiredService<ForgeCollectors>().Providers;
        Log.MeritConfigured(
            logger,
            collected.Count == 0 ? "none" : string.Join(", ", collected),
            policyFile,
            string.Join(", ", app.Services.GetRequiredService<MeritPolicy>().Tiers.Select(t => t.Name)));

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
