using Commons.Bridge.Auth;
using Commons.Bridge.Broker;
using Commons.Bridge.Data;
using Commons.Bridge.Jobs;
using Commons.Bridge.Merit;
using Commons.Bridge.Merit.Collectors;
using Commons.Bridge.Merit.Http;
using Commons.Bridge.Models;
using Commons.Bridge.Polling;
using Commons.Bridge.Quota;
using Commons.Bridge.Rendering;
using Commons.Bridge.Sites;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Commons.Bridge.Tunnels;
using Quartz;

namespace Commons.Bridge.Hosting;

/// <summary>Registrations of the bridge's parts.</summary>
public static class BridgeServices
{
    public static IServiceCollection AddBridgeCore(this IServiceCollection services, BridgeOptions options, IReadOnlyList<SiteConfig> sites)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new Database(options.DataDirectory));
        services.AddSingleton<JobStore>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton(new SiteRegistry(sites));
        services.AddSingleton(new TemplateCatalog(options.TemplatesDirectory));
        services.AddSingleton<SshPool>();
        services.AddSingleton<ISiteShell>(sp => sp.GetRequiredService<SshPool>());
        services.AddSingleton<ISiteForwarder>(sp => sp.GetRequiredService<SshPool>());
        services.AddSingleton<JobPorts>();
        services.AddSingleton<NodeAddresses>();
        services.AddSingleton<TunnelTargets>();
        services.AddSingleton<TunnelActivity>();
        services.AddSingleton<SlurmClient>();
        services.AddSingleton<SitePicker>();
        services.AddSingleton<JobRequestValidator>();

        // The ledger needs the user's tier limits: ITierLimitsSource is registered by the merit part.
        services.AddSingleton<QuotaLedger>();
        services.AddSingleton<JobService>();
        services.AddSingleton<SiteActivity>();
        services.AddSingleton<SitePoller>();
        services.AddSingleton(ModelCatalog.Load(options.ModelsFile));
        services.AddSingleton<ModelJobs>();
        services.AddSingleton<IJobActivity>(sp => sp.GetRequiredService<TunnelActivity>());
        return services;
    }

    /// <summary>Forge sign-in: the forges file's settings, the identity check against the forge, and the identity store.</summary>
    public static IServiceCollection AddSignIn(this IServiceCollection services, ForgeSettings forges)
    {
        services.AddSingleton(forges);
        services.AddSingleton<ForgeAccounts>();
        services.AddSingleton<IdentityStore>();
        services.AddHttpClient(ForgeAccounts.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(20));
        return services;
    }

    /// <summary>One Quartz job per site, fired every second; <see cref="SiteActivity"/> decides which ticks poll.</summary>
    public static IServiceCollection AddSitePolling(this IServiceCollection services, IReadOnlyList<SiteConfig> sites)
    {
        services.AddQuartz(quartz =>
        {
            foreach (var site in sites)
            {
                quartz.ScheduleJob<SitePollJob>(
                    trigger => trigger
                        .WithIdentity($"poll-{site.Name}")
                        .StartNow()
                        .WithSimpleSchedule(s => s.WithInterval(SiteActivity.Interactive).RepeatForever()),
                    job => job
                        .WithIdentity($"poll-{site.Name}")
                        .UsingJobData(SitePollJob.SiteKey, site.Name));
            }
        });
        services.AddQuartz(quartz => quartz.ScheduleJob<KeepAliveSweep>(
            trigger => trigger
                .WithIdentity("keep-alive-sweep")
                .StartNow()
                .WithSimpleSchedule(s => s.WithInterval(KeepAliveSweep.Interval).RepeatForever()),
            job => job.WithIdentity("keep-alive-sweep")));
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }

    /// <summary>
    /// Merit: the policy (loaded now, so a bad file stops the start with a <see cref="MeritPolicyException"/>), the
    /// collectors of the configured forges, <see cref="IMeritService"/>, <see cref="ITierLimitsSource"/>, and the
    /// background re-evaluation. Needs <see cref="AddBridgeCore"/> (database, clock); the Quartz scheduler is run by
    /// <see cref="AddSitePolling"/>. With no forges configured every report is empty and everyone is the lowest tier,
    /// unless an operator grants otherwise.
    /// </summary>
    public static IServiceCollection AddMerit(this IServiceCollection services, ForgeSettings? forges, string policyFile)
    {
        services.AddSingleton(MeritPolicyLoader.LoadFile(policyFile));
        services.AddSingleton<ForgeCache>();
        services.AddSingleton<MeritStore>();
        services.AddSingleton<MeritTiers>();
        services.AddSingleton<ITierLimitsSource>(sp => sp.GetRequiredService<MeritTiers>());
        services.AddSingleton(sp => new ForgeCollectors(
            forges,
            sp.GetRequiredService<ForgeCache>(),
            new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(10),
                ConnectTimeout = TimeSpan.FromSeconds(15),
                AutomaticDecompression = System.Net.DecompressionMethods.All,
            },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ForgeCollectors>>()));
        services.AddSingleton<IMeritService, MeritService>();
        services.AddSingleton<StaleEvaluations>();
        services.AddQuartz(quartz => quartz.ScheduleJob<MeritRecomputeJob>(
            trigger => trigger
                .WithIdentity("merit-recompute")
                .StartNow()
                .WithSimpleSchedule(s => s.WithInterval(MeritRecomputeJob.Interval).RepeatForever()),
            job => job.WithIdentity("merit-recompute")));
        return services;
    }
}
