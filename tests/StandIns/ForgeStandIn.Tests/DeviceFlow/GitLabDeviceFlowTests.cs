using System.Text.Json;
using Commons.StandIns.Forge.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Commons.StandIns.Forge.Tests.DeviceFlow;

/// <summary>GitLab's device flow: JSON answers throughout, errors as 400 with the same codes as GitHub's.</summary>
public sealed class GitLabDeviceFlowTests
{
    private const string ClientId = "commons-standin-gitlab";
    private const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

    private readonly FakeTimeProvider _time = new(TestWorld.Now);
    private ForgeSession _session = null!;

    [SetUp]
    public async Task StartAsync() =>
        _session = await ForgeSession.StartAsync(
            adjust: settings => settings with
            {
                DeviceExpires = TimeSpan.FromSeconds(600),
                DeviceInterval = TimeSpan.FromSeconds(3),
            },
            time: _time);

    [TearDown]
    public async Task StopAsync() => await _session.DisposeAsync();

    [Test]
    public async Task AuthorizeDevice_IsJsonWithTheCompleteVerificationUri_AndTheConfiguredTimes()
    {
        var answer = await _session.PostFormAsync("/oauth/authorize_device", new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["scope"] = "read_user",
        });
        var body = answer.Json;
        var userCode = body.GetProperty("user_code").GetString();

        Assert.That(answer.Status, Is.EqualTo(200));
        Assert.That(body.GetProperty("device_code").GetString(), Is.Not.Empty);
        Assert.That(body.GetProperty("verification_uri").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}oauth/device"));
        Assert.That(
            body.GetProperty("verification_uri_complete").GetString(),
            Is.EqualTo($"{_session.Forge.BaseUrl}oauth/device?user_code={userCode}"));
        Assert.That(body.GetProperty("expires_in").GetInt32(), Is.EqualTo(600));
        Assert.That(body.GetProperty("interval").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task AuthorizeDevice_ForAnUnknownClient_Is400IncorrectClientCredentials()
    {
        var answer = await _session.PostFormAsync(
            "/oauth/authorize_device", new Dictionary<string, string> { ["client_id"] = "commons-standin-github" });

        Assert.That(answer.Status, Is.EqualTo(400));
        Assert.That(answer.Json.GetProperty("error").GetString(), Is.EqualTo("incorrect_client_credentials"));
    }

    [Test]
    public async Task Token_AfterApprovalOnThePage_IsABearerTokenThatIsThatUser()
    {
        var code = await StartFlowAsync();
        var page = await _session.PostFormAsync("/oauth/device", new Dictionary<string, string>
        {
            ["user_code"] = code.UserCode,
            ["login"] = "carol",
            ["action"] = "approve",
        });

        var answer = await PollAsync(code.DeviceCode);
        var token = answer.Json.GetProperty("access_token").GetString();
        var user = await _session.GetAsync("/api/v4/user", $"Bearer {token}");

        Assert.That(page.Status, Is.EqualTo(200));
        Assert.That(answer.Status, Is.EqualTo(200));
        Assert.That(answer.Json.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
        Assert.That(answer.Json.GetProperty("expires_in").GetInt32(), Is.EqualTo(7200));
        Assert.That(answer.Json.GetProperty("refresh_token").GetString(), Is.Not.Empty);
        Assert.That(answer.Json.GetProperty("scope").GetString(), Is.EqualTo("read_user"));
        Assert.That(answer.Json.GetProperty("created_at").GetInt64(), Is.EqualTo(TestWorld.Now.ToUnixTimeSeconds()));
        Assert.That(user.Json.GetProperty("username").GetString(), Is.EqualTo("carol"));
    }

    [Test]
    public async Task Page_OnlyKnowsGitLabAccounts_AndOnlyGitLabCodes()
    {
        var code = await StartFlowAsync();
        var gitHubCode = Form.Parse((await _session.PostFormAsync(
            "/login/device/code", new Dictionary<string, string> { ["client_id"] = "commons-standin-github" })).Text);

        var asGitHubUser = await DecideAsync(code.UserCode, "alice", "approve");
        var gitHubCodeHere = await DecideAsync(gitHubCode["user_code"], "carol", "approve");

        Assert.That(asGitHubUser.Status, Is.EqualTo(400));
        Assert.That(asGitHubUser.Text, Does.Contain("There is no GitLab account named"));
        Assert.That(gitHubCodeHere.Status, Is.EqualTo(400));
        Assert.That(gitHubCodeHere.Text, Does.Contain("not valid"));
    }

    [TestCase("pending")]
    [TestCase("slow_down")]
    [TestCase("expired")]
    [TestCase("denied")]
    [TestCase("unknown_code")]
    [TestCase("wrong_grant")]
    [TestCase("wrong_client")]
    public async Task Token_WhenItCannotBeHad_Is400WithTheDeviceFlowErrorCode(string situation)
    {
        var code = await StartFlowAsync();
        var deviceCode = code.DeviceCode;
        var grant = DeviceGrant;
        var client = ClientId;
        var expected = situation switch
        {
            "pending" => "authorization_pending",
            "slow_down" => "slow_down",
            "expired" => "expired_token",
            "denied" => "access_denied",
            "unknown_code" => "incorrect_device_code",
            "wrong_grant" => "unsupported_grant_type",
            _ => "incorrect_client_credentials",
        };
        switch (situation)
        {
            case "slow_down":
                await PollAsync(deviceCode);
                _time.Advance(TimeSpan.FromSeconds(1));
                break;
            case "expired":
                _time.Advance(TimeSpan.FromSeconds(600));
                break;
            case "denied":
                await DecideAsync(code.UserCode, "carol", "deny");
                break;
            case "unknown_code":
                deviceCode = "0000";
                break;
            case "wrong_grant":
                grant = "refresh_token";
                break;
            case "wrong_client":
                client = "commons-standin-github";
                break;
        }

        var answer = await PollAsync(deviceCode, client, grant);

        Assert.That(answer.Status, Is.EqualTo(400));
        Assert.That(answer.Json.GetProperty("error").GetString(), Is.EqualTo(expected));
        Assert.That(answer.Json.GetProperty("error_description").GetString(), Is.Not.Empty);
    }

    private async Task<(string DeviceCode, string UserCode)> StartFlowAsync()
    {
        var body = (await _session.PostFormAsync("/oauth/authorize_device", new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["scope"] = "read_user",
        })).Json;
        return (Text(body, "device_code"), Text(body, "user_code"));
    }

    private Task<Answer> PollAsync(string deviceCode, string clientId = ClientId, string grantType = DeviceGrant) =>
        _session.PostFormAsync("/oauth/token", new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["device_code"] = deviceCode,
            ["grant_type"] = grantType,
        });

    private Task<Answer> DecideAsync(string userCode, string login, string action) =>
        _session.PostFormAsync("/oauth/device", new Dictionary<string, string>
        {
            ["user_code"] = userCode,
            ["login"] = login,
            ["action"] = action,
        });

    private static string Text(JsonElement body, string name) => body.GetProperty(name).GetString()!;
}
