using Commons.StandIns.Forge.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Commons.StandIns.Forge.Tests.DeviceFlow;

/// <summary>
/// GitHub's device flow as <c>gh auth login</c> drives it: a code, the browser page, polling, and every error
/// code, form-encoded by default and JSON when asked. The clock is fake, so waiting costs nothing.
/// </summary>
public sealed class GitHubDeviceFlowTests
{
    private const string ClientId = "commons-standin-github";
    private const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

    private readonly FakeTimeProvider _time = new(TestWorld.Now);
    private ForgeSession _session = null!;

    [SetUp]
    public async Task StartAsync() =>
        _session = await ForgeSession.StartAsync(time: _time);

    [TearDown]
    public async Task StopAsync() => await _session.DisposeAsync();

    [Test]
    public async Task DeviceCode_IsFormEncodedByDefault_WithGitHubsFields()
    {
        var answer = await _session.PostFormAsync("/login/device/code", new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["scope"] = "read:user",
        });
        var fields = Form.Parse(answer.Text);

        Assert.That(answer.Status, Is.EqualTo(200));
        Assert.That(answer.Header("Content-Type"), Does.StartWith("application/x-www-form-urlencoded"));
        Assert.That(fields["device_code"], Does.Match("^[0-9a-f]{40}$"));
        Assert.That(fields["user_code"], Does.Match("^[A-Z]{4}-[A-Z]{4}$"));
        Assert.That(fields["verification_uri"], Is.EqualTo($"{_session.Forge.BaseUrl}login/device"));
        Assert.That(fields["expires_in"], Is.EqualTo("900"));
        Assert.That(fields["interval"], Is.EqualTo("5"));
        Assert.That(answer.Text, Does.Contain("verification_uri=http%3A%2F%2F127.0.0.1%3A"));
    }

    [Test]
    public async Task DeviceCode_WithAcceptJson_IsJson()
    {
        var answer = await _session.PostFormAsync(
            "/login/device/code", new Dictionary<string, string> { ["client_id"] = ClientId }, json: true);

        Assert.That(answer.Header("Content-Type"), Does.StartWith("application/json"));
        Assert.That(answer.Json.GetProperty("expires_in").GetInt32(), Is.EqualTo(900));
        Assert.That(
            answer.Json.GetProperty("verification_uri").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}login/device"));
    }

    [Test]
    public async Task DeviceCode_ForAnUnknownClient_IsIncorrectClientCredentials()
    {
        var answer = await _session.PostFormAsync(
            "/login/device/code", new Dictionary<string, string> { ["client_id"] = "someone-else" });

        Assert.That(Form.Parse(answer.Text)["error"], Is.EqualTo("incorrect_client_credentials"));
    }

    [Test]
    public async Task Poll_BeforeTheBrowserSaysAnything_IsAuthorizationPending()
    {
        var code = await StartFlowAsync();

        var answer = await PollAsync(code.DeviceCode);

        Assert.That(answer["error"], Is.EqualTo("authorization_pending"));
        Assert.That(answer["error_description"], Is.Not.Empty);
        Assert.That(answer["error_uri"], Does.StartWith("https://docs.github.com/"));
    }

    [Test]
    public async Task Poll_SoonerThanTheInterval_IsSlowDownWithTheIntervalPlusFive_WhichThenHolds()
    {
        var code = await StartFlowAsync();
        await PollAsync(code.DeviceCode);

        _time.Advance(TimeSpan.FromSeconds(2));
        var tooSoon = await PollAsync(code.DeviceCode);
        _time.Advance(TimeSpan.FromSeconds(6));
        var stillTooSoon = await PollAsync(code.DeviceCode);
        _time.Advance(TimeSpan.FromSeconds(15));
        var patient = await PollAsync(code.DeviceCode);

        Assert.That(tooSoon["error"], Is.EqualTo("slow_down"));
        Assert.That(tooSoon["interval"], Is.EqualTo("10"));
        Assert.That(stillTooSoon["error"], Is.EqualTo("slow_down"));
        Assert.That(stillTooSoon["interval"], Is.EqualTo("15"));
        Assert.That(patient["error"], Is.EqualTo("authorization_pending"));
    }

    [Test]
    public async Task Poll_AfterApproval_IsATokenThatIsThatUser()
    {
        var code = await StartFlowAsync("read:user");
        var page = await DecideAsync(code.UserCode, "alice", "approve");

        var answer = await PollAsync(code.DeviceCode);
        var user = await _session.GetAsync("/api/v3/user", $"token {answer["access_token"]}");

        Assert.That(page.Status, Is.EqualTo(200));
        Assert.That(page.Text, Does.Contain("all set"));
        Assert.That(answer["access_token"], Does.Match("^gho_[A-Za-z0-9]{36}$"));
        Assert.That(answer["token_type"], Is.EqualTo("bearer"));
        Assert.That(answer["scope"], Is.EqualTo("read:user"));
        Assert.That(user.Json.GetProperty("login").GetString(), Is.EqualTo("alice"));
    }

    [Test]
    public async Task Poll_AfterApprovalByABot_GivesATokenWhoseUserIsABot()
    {
        var code = await StartFlowAsync();
        await DecideAsync(code.UserCode.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal), "helper[bot]", "approve");

        var answer = await PollAsync(code.DeviceCode, json: true);
        var user = await _session.GetAsync("/api/v3/user", $"Bearer {answer["access_token"]}");

        Assert.That(user.Json.GetProperty("type").GetString(), Is.EqualTo("Bot"));
    }

    [Test]
    public async Task Poll_AfterTheTokenWasIssued_IsIncorrectDeviceCode()
    {
        var code = await StartFlowAsync();
        await DecideAsync(code.UserCode, "alice", "approve");
        await PollAsync(code.DeviceCode);
        _time.Advance(TimeSpan.FromSeconds(5));

        var again = await PollAsync(code.DeviceCode);

        Assert.That(again["error"], Is.EqualTo("incorrect_device_code"));
    }

    [Test]
    public async Task Poll_AfterCancel_IsAccessDenied()
    {
        var code = await StartFlowAsync();
        var page = await DecideAsync(code.UserCode, "alice", "deny");

        var answer = await PollAsync(code.DeviceCode);

        Assert.That(page.Text, Does.Contain("Access denied"));
        Assert.That(answer["error"], Is.EqualTo("access_denied"));
    }

    [Test]
    public async Task Poll_AfterExpiresIn_IsExpiredToken()
    {
        var code = await StartFlowAsync();

        _time.Advance(TimeSpan.FromSeconds(900));
        var answer = await PollAsync(code.DeviceCode);

        Assert.That(answer["error"], Is.EqualTo("expired_token"));
    }

    [Test]
    public async Task Poll_AfterTheExpireKnob_IsExpiredToken_AndTheBrowserRefusesTheCode()
    {
        var code = await StartFlowAsync();

        var knob = await _session.PostAsync($"/_standin/device/expire?user_code={code.UserCode}");
        var answer = await PollAsync(code.DeviceCode, json: true);
        var page = await DecideAsync(code.UserCode, "alice", "approve");

        Assert.That(knob.Status, Is.EqualTo(200));
        Assert.That(answer["error"], Is.EqualTo("expired_token"));
        Assert.That(page.Status, Is.EqualTo(400));
        Assert.That(page.Text, Does.Contain("expired"));
    }

    [TestCase(null, DeviceGrant, "not-a-device-code", "incorrect_device_code")]
    [TestCase(null, "authorization_code", null, "unsupported_grant_type")]
    [TestCase("someone-else", DeviceGrant, null, "incorrect_client_credentials")]
    public async Task Poll_WithAWrongPart_SaysWhichError(string? clientId, string grantType, string? deviceCode, string error)
    {
        var code = await StartFlowAsync();

        var form = await PollAsync(deviceCode ?? code.DeviceCode, clientId ?? ClientId, grantType);
        var json = await PollAsync(deviceCode ?? code.DeviceCode, clientId ?? ClientId, grantType, json: true);

        Assert.That(form["error"], Is.EqualTo(error));
        Assert.That(json["error"], Is.EqualTo(error));
    }

    [Test]
    public async Task Poll_WithAJsonBody_IsReadLikeAForm()
    {
        var code = await StartFlowAsync();
        using var content = new StringContent(
            $$"""{"client_id":"{{ClientId}}","device_code":"{{code.DeviceCode}}","grant_type":"{{DeviceGrant}}"}""",
            System.Text.Encoding.UTF8,
            "application/json");

        using var response = await _session.Http.PostAsync("/login/oauth/access_token", content);

        Assert.That(Form.Parse(await response.Content.ReadAsStringAsync())["error"], Is.EqualTo("authorization_pending"));
    }

    [Test]
    public async Task Page_ShowsAFormForTheCodeAndTheLogin()
    {
        var page = await _session.GetAsync("/login/device?user_code=ABCD-EFGH");

        Assert.That(page.Header("Content-Type"), Does.StartWith("text/html"));
        Assert.That(page.Text, Does.Contain("<form method=\"post\" action=\"/login/device\">"));
        Assert.That(page.Text, Does.Contain("value=\"ABCD-EFGH\""));
        Assert.That(
            page.Text, Does.Contain("name=\"login\"").And.Contain("value=\"approve\"").And.Contain("value=\"deny\""));
    }

    [TestCase("nobody", "approve", "There is no GitHub account named 'nobody'")]
    [TestCase("carol", "approve", "There is no GitHub account named 'carol'")]
    [TestCase("alice", "maybe", "Choose Authorize or Cancel")]
    public async Task Page_RefusesWhatItCannotDo(string login, string action, string message)
    {
        var code = await StartFlowAsync();

        var page = await DecideAsync(code.UserCode, login, action);

        Assert.That(page.Status, Is.EqualTo(400));
        Assert.That(page.Text, Does.Contain(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(message)));
    }

    [Test]
    public async Task Page_WithACodeNobodyIssued_SaysItIsNotValid()
    {
        var page = await DecideAsync("ZZZZ-ZZZZ", "alice", "approve");

        Assert.That(page.Status, Is.EqualTo(400));
        Assert.That(page.Text, Does.Contain("not valid"));
    }

    private async Task<(string DeviceCode, string UserCode)> StartFlowAsync(string scope = "")
    {
        var answer = await _session.PostFormAsync("/login/device/code", new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["scope"] = scope,
        });
        var fields = Form.Parse(answer.Text);
        return (fields["device_code"], fields["user_code"]);
    }

    private async Task<IReadOnlyDictionary<string, string>> PollAsync(
        string deviceCode, string clientId = ClientId, string grantType = DeviceGrant, bool json = false)
    {
        var answer = await _session.PostFormAsync(
            "/login/oauth/access_token",
            new Dictionary<string, string>
            {
                ["client_id"] = clientId,
                ["device_code"] = deviceCode,
                ["grant_type"] = grantType,
            },
            json);
        Assert.That(answer.Status, Is.EqualTo(200), "GitHub answers every poll with 200");
        return json
            ? answer.Json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString())
            : Form.Parse(answer.Text);
    }

    private Task<Answer> DecideAsync(string userCode, string login, string action) =>
        _session.PostFormAsync("/login/device", new Dictionary<string, string>
        {
            ["user_code"] = userCode,
            ["login"] = login,
            ["action"] = action,
        });
}
