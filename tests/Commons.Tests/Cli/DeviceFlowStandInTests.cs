using Commons.Cli.Auth;
using Commons.Contracts;
using Commons.StandIns.Forge.Hosting;
using Microsoft.Extensions.Time.Testing;
using StandInSettings = Commons.StandIns.Forge.Hosting.ForgeSettings;

namespace Commons.Tests.Cli;

/// <summary>
/// The CLI's device flow against the GitHub/GitLab stand-in, started in-process with a fake clock: the flow's waits
/// move that clock instead of sleeping, so every answer of the forge (pending, slow_down, expired, denied, granted)
/// is reached in milliseconds and in a known order.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class DeviceFlowStandInTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly HttpClient _http = new();
    private RunningForgeStandIn? _forge;
    private string _userCode = "";

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_forge is not null)
        {
            await _forge.DisposeAsync();
        }
    }

    [Test]
    public async Task GitHub_PendingThenApproved_GrantsAToken()
    {
        var flow = await FlowAsync("github", ApproveAfter(2, "rg-regular"));

        var code = await StartAsync(flow);
        var (outcome, token) = await flow.PollAsync(code, null, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(DeviceFlowOutcome.Granted));
        Assert.That(token, Is.Not.Empty);
        Assert.That(flow.Waits, Has.Count.EqualTo(3), "two authorization_pending answers, then the token");
        Assert.That(code.VerificationUri, Is.EqualTo(new Uri(_forge!.BaseUrl, "login/device")));
        Assert.That(code.Interval, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task GitHub_PolledTooSoon_SlowsDownByFiveSeconds()
    {
        var waits = 0;
        var slowedTo = new List<TimeSpan>();
        var flow = await FlowAsync("github", async (interval, code) =>
        {
            // The second wait is skipped, so the poll comes too soon; the third poll finds the code approved.
            if (++waits != 2)
            {
                _clock.Advance(interval);
            }

            if (waits == 3)
            {
                await DecideAsync("login/device", code, "rg-regular", "approve");
            }
        });

        var code = await StartAsync(flow);
        var (outcome, _) = await flow.PollAsync(code, slowedTo.Add, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(DeviceFlowOutcome.Granted));
        Assert.That(slowedTo, Is.EqualTo(new[] { TimeSpan.FromSeconds(10) }));
        Assert.That(flow.Waits, Is.EqualTo(new[] { 5, 5, 10 }.Select(s => TimeSpan.FromSeconds(s))));
    }

    [Test]
    public async Task GitHub_Denied_EndsWithDenied()
    {
        var flow = await FlowAsync("github", DecideAfter(1, "rg-regular", "deny"));

        var code = await StartAsync(flow);
        var (outcome, token) = await flow.PollAsync(code, null, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(DeviceFlowOutcome.Denied));
        Assert.That(token, Is.Null);
    }

    [Test]
    public async Task GitHub_CodeExpires_EndsWithExpired()
    {
        var flow = await FlowAsync("github", (interval, _) =>
        {
            _clock.Advance(TimeSpan.FromMinutes(16));
            return Task.CompletedTask;
        });

        var code = await StartAsync(flow);
        var (outcome, _) = await flow.PollAsync(code, null, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(DeviceFlowOutcome.Expired));
        Assert.That(flow.Waits, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task GitHub_UnknownDeviceCode_IsAnError()
    {
        var flow = await FlowAsync("github", Advance());
        var code = await StartAsync(flow);

        var e = await Assert.ThrowsAsync<DeviceFlowException>(
            () => flow.PollAsync(code with { Code = "not-a-code" }, null, CancellationToken.None));

        Assert.That(e!.Message, Does.StartWith("github ended sign-in: incorrect_device_code"));
    }

    [Test]
    public async Task GitHub_UnknownClientId_IsRefusedAtTheStart()
    {
        var flow = await FlowAsync("github", Advance(), clientId: "someone-elses-app");

        var e = await Assert.ThrowsAsync<DeviceFlowException>(() => flow.StartAsync(CancellationToken.None));

        Assert.That(e!.Message, Does.StartWith("github refused to start sign-in: incorrect_client_credentials"));
    }

    [Test]
    public async Task GitLab_ApprovedAfterPending_GrantsAToken()
    {
        var flow = await FlowAsync("gitlab", ApproveAfter(1, "rl-regular", "oauth/device"));

        var code = await StartAsync(flow);
        var (outcome, token) = await flow.PollAsync(code, null, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(DeviceFlowOutcome.Granted));
        Assert.That(token, Is.Not.Empty);
        Assert.That(code.VerificationUri, Is.EqualTo(new Uri(_forge!.BaseUrl, "oauth/device")));
    }

    [Test]
    public async Task GitLab_Denied_EndsWithDeniedFromA400Answer()
    {
        var flow = await FlowAsync("gitlab", DecideAfter(1, "rl-regular", "deny", "oauth/device"));

        var code = await StartAsync(flow);
        var (outcome, _) = await flow.PollAsync(code, null, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(DeviceFlowOutcome.Denied));
    }

    private Func<TimeSpan, string, Task> Advance() => (interval, _) =>
    {
        _clock.Advance(interval);
        return Task.CompletedTask;
    };

    private Func<TimeSpan, string, Task> ApproveAfter(int pendingPolls, string login, string page = "login/device") =>
        DecideAfter(pendingPolls, login, "approve", page);

    /// <summary>Waits out each interval on the fake clock; after <paramref name="polls"/> polls, the person decides.</summary>
    private Func<TimeSpan, string, Task> DecideAfter(int polls, string login, string action, string page = "login/device")
    {
        var waits = 0;
        return async (interval, userCode) =>
        {
            _clock.Advance(interval);
            if (++waits == polls + 1)
            {
                await DecideAsync(page, userCode, login, action);
            }
        };
    }

    private async Task DecideAsync(string page, string userCode, string login, string action)
    {
        using var response = await _http.PostAsync(
            new Uri(_forge!.BaseUrl, page),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["user_code"] = userCode,
                ["login"] = login,
                ["action"] = action,
            }));
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Starts the stand-in and a flow whose every wait runs <paramref name="wait"/> (given the interval and the
    /// user code of the flow's latest start) instead of sleeping.
    /// </summary>
    private async Task<DeviceFlow> FlowAsync(string forge, Func<TimeSpan, string, Task> wait, string? clientId = null)
    {
        _forge = await ForgeStandIn.StartAsync(new StandInSettings { Now = _clock.GetUtcNow() }, _clock);
        var provider = Provider(forge);
        if (clientId is not null)
        {
            provider = provider with { ClientId = clientId };
        }

        return new DeviceFlow(_http, provider, (interval, _) => wait(interval, _userCode));
    }

    /// <summary>Starts the flow and remembers its user code for the person's decision.</summary>
    private async Task<DeviceCode> StartAsync(DeviceFlow flow)
    {
        var code = await flow.StartAsync(CancellationToken.None);
        _userCode = code.UserCode;
        return code;
    }

    private ForgeProvider Provider(string forge) => forge == "github"
        ? new ForgeProvider(
            "github", new Uri(_forge!.BaseUrl, "login/device/code").AbsoluteUri,
            new Uri(_forge.BaseUrl, "login/oauth/access_token").AbsoluteUri, "commons-standin-github", "")
        : new ForgeProvider(
            "gitlab", new Uri(_forge!.BaseUrl, "oauth/authorize_device").AbsoluteUri,
            new Uri(_forge.BaseUrl, "oauth/token").AbsoluteUri, "commons-standin-gitlab", "read_user");
}
