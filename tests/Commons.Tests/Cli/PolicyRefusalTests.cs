using System.Text.Json;
using Commons.Bridge.Api;
using Commons.Bridge.Quota;
using Commons.Cli;
using Commons.Cli.Bridge;
using Commons.Cli.Commands;
using Commons.Cli.Config;
using Commons.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Commons.Tests.Cli;

/// <summary>
/// A refusal by tier or quota, as the bridge writes it and the CLI reads it: the detail printed whole, the fields
/// listed, a hint of what to do, and the exit code of a refusal rather than a failure.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class PolicyRefusalTests : IAsyncDisposable
{
    private static readonly QuotaRefusal Quota = QuotaRefusal.Create(
        "2026-11", allowedSeconds: 24 * 3600, leftSeconds: 3 * 3600 + 1800, neededSeconds: 8 * 3600, gpus: 2,
        minutes: 240, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private static readonly TierRefusal Tier =
        TierRules.Check(new TierLimits("contributor", 24, 1, 240, null), 2, null, 60)!;

    private WebApplication? _bridge;
    private string _address = "";

    public async ValueTask DisposeAsync()
    {
        if (_bridge is not null)
        {
            await _bridge.StopAsync();
            await _bridge.DisposeAsync();
        }
    }

    [Test]
    public async Task Refused_WhenTheQuotaIsShort_WritesAProblemDocumentWithTheFigures()
    {
        await StartBridgeAsync(Quota);

        var (status, type, body) = await PostAsync();

        Assert.That(status, Is.EqualTo(403));
        Assert.That(type, Is.EqualTo("application/problem+json"));
        Assert.That(body.GetProperty("type").GetString(), Is.EqualTo(ProblemTypes.QuotaExceeded));
        Assert.That(body.GetProperty("title").GetString(), Is.EqualTo("GPU-hour quota exceeded"));
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo(
            "This job needs 8 GPU-hours (2 GPUs for 4 h); 3.5 of your 24 GPU-hours for 2026-11 are left. "
            + "The quota resets at 2026-12-01T00:00:00Z."));
        Assert.That(body.GetProperty("period").GetString(), Is.EqualTo("2026-11"));
        Assert.That(body.GetProperty("gpuHoursAllowed").GetDouble(), Is.EqualTo(24));
        Assert.That(body.GetProperty("gpuHoursLeft").GetDouble(), Is.EqualTo(3.5));
        Assert.That(body.GetProperty("gpuHoursNeeded").GetDouble(), Is.EqualTo(8));
        Assert.That(body.GetProperty("resetsAt").GetDateTimeOffset(), Is.EqualTo(Quota.ResetsAt));
    }

    [Test]
    public async Task Refused_WhenTheTierForbids_WritesTheTierAndEachFieldWithItsLimit()
    {
        await StartBridgeAsync(Tier);

        var (status, _, body) = await PostAsync();

        Assert.That(status, Is.EqualTo(403));
        Assert.That(body.GetProperty("type").GetString(), Is.EqualTo(ProblemTypes.TierLimit));
        Assert.That(body.GetProperty("tier").GetString(), Is.EqualTo("contributor"));
        Assert.That(body.GetProperty("errors").GetProperty("resources.gpus")[0].GetString(),
            Is.EqualTo("2 GPUs asked; tier 'contributor' allows at most 1 per job"));
    }

    [Test]
    public async Task SubmitAsync_WhenTheQuotaRefuses_PrintsTheDetailAndAHintAndExitsNotPermitted()
    {
        await StartBridgeAsync(Quota);

        var (code, stderr) = await RunCliAsync(bridge => bridge.SubmitAsync(
            new SubmitJobRequest("req-1", ["true"]), CancellationToken.None));

        Assert.That(code, Is.EqualTo(ExitCodes.NotPermitted));
        Assert.That(stderr, Is.EqualTo(
            "commons: GPU-hour quota exceeded: This job needs 8 GPU-hours (2 GPUs for 4 h); 3.5 of your 24 GPU-hours "
            + "for 2026-11 are left. The quota resets at 2026-12-01T00:00:00Z.\n"
            + "hint: fewer GPUs or a shorter --time reserves less; `commons whoami` shows this period's GPU-hours.\n"));
    }

    [Test]
    public async Task EnsureModelJobAsync_WhenTheTierRefuses_PrintsEachFieldAndAHintAndExitsNotPermitted()
    {
        await StartBridgeAsync(Tier);

        var (code, stderr) = await RunCliAsync(bridge => bridge.EnsureModelJobAsync(
            "llama3", new ModelJobRequest("req-1"), CancellationToken.None));

        Assert.That(code, Is.EqualTo(ExitCodes.NotPermitted));
        Assert.That(stderr, Does.StartWith("commons: Your tier does not allow this job: Tier 'contributor' allows"));
        Assert.That(stderr, Does.Contain("\n  resources.gpus: 2 GPUs asked; tier 'contributor' allows at most 1 per"));
        Assert.That(stderr, Does.EndWith(
            "hint: `commons whoami --explain` shows your tier, your score and what the next tier needs.\n"));
    }

    [Test]
    public void ExitCodes_NotPermitted_IsDistinctFromEveryOtherCode()
    {
        int[] others =
        [
            ExitCodes.Ok, ExitCodes.Error, ExitCodes.Usage, ExitCodes.Config, ExitCodes.TimedOut, ExitCodes.RunFailed,
            ExitCodes.Interrupted, ExitCodes.OutOfMemory, ExitCodes.Cancelled,
        ];

        Assert.That(others, Does.Not.Contain(ExitCodes.NotPermitted));
    }

    private async Task<(int Status, string? ContentType, JsonElement Body)> PostAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_address) };
        using var response = await client.PostAsync(ApiRoutes.Jobs, null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    private async Task StartBridgeAsync(SubmitRefusal refusal)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _bridge = builder.Build();
        _bridge.MapPost("/v1/{**rest}", () => JobsApi.Refused(refusal));
        await _bridge.StartAsync();
        var server = _bridge.Services.GetRequiredService<IServer>();
        _address = server.Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    /// <summary>Runs a bridge call as every verb does; returns its exit code and what it wrote to stderr.</summary>
    private async Task<(int Code, string Stderr)> RunCliAsync<T>(Func<BridgeClient, Task<T>> call)
    {
        var config = Directory.CreateTempSubdirectory("commons-cli-");
        var saved = (Bridge: Environment.GetEnvironmentVariable(CliConfig.BridgeVariable),
            Token: Environment.GetEnvironmentVariable(CliConfig.TokenVariable),
            Home: Environment.GetEnvironmentVariable("XDG_CONFIG_HOME"));
        var stderr = new StringWriter { NewLine = "\n" };
        var original = Console.Error;
        try
        {
            Environment.SetEnvironmentVariable(CliConfig.BridgeVariable, _address);
            Environment.SetEnvironmentVariable(CliConfig.TokenVariable, "cct_test-token");
            Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", config.FullName);
            Console.SetError(stderr);
            var code = await CommandContext.WithBridgeAsync(
                async bridge =>
                {
                    await call(bridge);
                    return ExitCodes.Ok;
                },
                ExitCodes.RunFailed);
            return (code, stderr.ToString());
        }
        finally
        {
            Console.SetError(original);
            Environment.SetEnvironmentVariable(CliConfig.BridgeVariable, saved.Bridge);
            Environment.SetEnvironmentVariable(CliConfig.TokenVariable, saved.Token);
            Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", saved.Home);
            config.Delete(recursive: true);
        }
    }
}
