using System.Net;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Commons.StandIns.Forge.Hosting;

/// <summary>
/// Starts the stand-in inside the calling process, on a free loopback port, for tests that point a client (Octokit,
/// an HttpClient, the CLI's device flow) at it:
/// <code>
/// await using var forge = await ForgeStandIn.StartAsync(new ForgeSettings { Now = pinned });
/// var github = new GitHubClient(new ProductHeaderValue("x"), forge.BaseUrl);
/// </code>
/// </summary>
public static class ForgeStandIn
{
    /// <summary>Loads the profiles, starts listening on port 0 of the settings' loopback address, and returns.</summary>
    /// <param name="settings">Default: <c>new ForgeSettings()</c>, the bundled profiles and the real clock.</param>
    /// <param name="time">The clock's pace (a fake one in tests); default the system clock.</param>
    /// <exception cref="ProfileException">A profile file is unusable.</exception>
    public static async Task<RunningForgeStandIn> StartAsync(
        ForgeSettings? settings = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var chosen = settings ?? new ForgeSettings();
        chosen = chosen with { Listen = new IPEndPoint(chosen.Listen.Address, 0) };
        var app = ForgeHost.Build(chosen, time);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        return new RunningForgeStandIn(app, new Uri($"{address.TrimEnd('/')}/"));
    }
}

/// <summary>A stand-in running in this process; disposing it stops it.</summary>
public sealed class RunningForgeStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    internal RunningForgeStandIn(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The root, such as <c>http://127.0.0.1:41234/</c>: GitHub's web host and the base for Octokit.</summary>
    public Uri BaseUrl { get; }

    /// <summary>GitHub's REST API root, <c>BaseUrl + "api/v3/"</c>.</summary>
    public Uri GitHubApiUrl => new(BaseUrl, "api/v3/");

    /// <summary>GitLab's REST API root, <c>BaseUrl + "api/v4/"</c>.</summary>
    public Uri GitLabApiUrl => new(BaseUrl, "api/v4/");

    /// <summary>What the profiles describe, with the ids and numbers the API answers with.</summary>
    public World World => _app.Services.GetRequiredService<World>();

    /// <summary>
    /// A token for a profile account, as if it had gone through the device flow of the stand-in's OAuth application;
    /// with <paramref name="personal"/>, a personal access token, which belongs to no application.
    /// </summary>
    /// <exception cref="ArgumentException">No account of that forge has the login.</exception>
    public string IssueToken(ForgeKind forge, string login, bool personal = false)
    {
        var account = World.FindAccount(forge, login)
            ?? throw new ArgumentException($"'{login}' is not a {forge} account in the profiles", nameof(login));
        var settings = _app.Services.GetRequiredService<ForgeSettings>();
        var clientId = personal ? null : forge == ForgeKind.GitHub ? settings.GitHubClientId : settings.GitLabClientId;
        return _app.Services.GetRequiredService<TokenStore>().Issue(account, clientId);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
