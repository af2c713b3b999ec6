using System.Net;
using System.Text.Json;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// <c>commons login</c> through the forge device flow against the sandbox bridge, which signs people in with the
/// GitHub/GitLab stand-in. The person's part (typing the code in the browser and pressing Authorize or Cancel) is
/// done by posting the stand-in's verification form, as a browser would.
/// </summary>
[TestFixture]
[Order(RunOrder.SignIn)]
public sealed class SignInTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Login_WithGitHub_SavesABridgeTokenAndWhoamiShowsTheEarnedTier()
    {
        using var home = new ConfigHome();
        using var cli = StartLogin(home);
        var code = await ShownCodeAsync(cli, "/login/device");

        await DecideAsync("/login/device", code, "rg-regular", "approve");

        var result = await cli.WaitForExitAsync(Wait);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        Assert.That(result.Stderr, Does.Contain("Signed in to").And.Contain("(GitHub: rg-regular)"));
        Assert.That(File.GetUnixFileMode(home.ConfigFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.ReadAllText(home.ConfigFile), Does.Contain("cct_").And.Not.Contain("gho_"));

        var me = await WhoAmIJsonAsync(home);
        Assert.That(me.GetProperty("identities")[0].GetProperty("login").GetString(), Is.EqualTo("rg-regular"));
        Assert.That(me.GetProperty("tier").GetProperty("name").GetString(), Is.EqualTo("regular"), me.ToString());
        var score = me.GetProperty("merit").GetProperty("score").GetDouble();
        Assert.That(score, Is.InRange(30, 50));
        Assert.That(me.GetProperty("quota").GetProperty("allowed").GetDouble(), Is.EqualTo(150));

        var explained = await Cli.RunAsync(new CliOptions(["whoami", "--explain"], SignedIn: false, ConfigHome: home.Path));
        Assert.That(explained.ExitCode, Is.Zero, explained.Describe());
        Assert.That(explained.Stdout, Does.Contain("Counted (").And.Contain("rg-org-4/compiler").And.Contain("/pull/"));
        Assert.That(explained.Stdout, Does.Contain("Never counted:").And.Contain("commits"));
    }

    [Test]
    public async Task Login_WithGitLab_SignsInTheGitLabAccount()
    {
        using var home = new ConfigHome();
        using var cli = StartLogin(home, "--provider", "gitlab");
        var code = await ShownCodeAsync(cli, "/oauth/device");

        await DecideAsync("/oauth/device", code, "rl-regular", "approve");

        var result = await cli.WaitForExitAsync(Wait);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        var me = await WhoAmIJsonAsync(home);
        Assert.That(me.GetProperty("identities")[0].GetProperty("provider").GetString(), Is.EqualTo("gitlab"));
        Assert.That(me.GetProperty("tier").GetProperty("name").GetString(), Is.EqualTo("regular"), me.ToString());
    }

    [Test]
    public async Task Login_AsABotAccount_IsRefusedAndSavesNothing()
    {
        using var home = new ConfigHome();
        using var cli = StartLogin(home);
        var code = await ShownCodeAsync(cli, "/login/device");

        await DecideAsync("/login/device", code, "ba-helper[bot]", "approve");

        var result = await cli.WaitForExitAsync(Wait);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.Describe());
        Assert.That(result.Stderr, Does.Contain("Bot accounts cannot sign in"));
        Assert.That(File.Exists(home.ConfigFile), Is.False);
    }

    [Test]
    public async Task Login_DeniedInTheBrowser_SaysSoAndSavesNothing()
    {
        using var home = new ConfigHome();
        using var cli = StartLogin(home);
        var code = await ShownCodeAsync(cli, "/login/device");

        await DecideAsync("/login/device", code, "rg-regular", "deny");

        var result = await cli.WaitForExitAsync(Wait);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.Describe());
        Assert.That(result.Stderr, Does.Contain("sign-in was denied in the browser"));
        Assert.That(File.Exists(home.ConfigFile), Is.False);
    }

    [Test]
    public async Task Login_WhenTheCodeExpires_SaysSoAndHowToStartAgain()
    {
        using var home = new ConfigHome();
        using var cli = StartLogin(home);
        var code = await ShownCodeAsync(cli, "/login/device");

        using var forge = new HttpClient { BaseAddress = Sandbox.Settings.ForgeStandIn };
        using var expire = await forge.PostAsync(
            new Uri($"/_standin/device/expire?user_code={Uri.EscapeDataString(code)}", UriKind.Relative), null);
        Assert.That(expire.IsSuccessStatusCode, Is.True, await expire.Content.ReadAsStringAsync());

        var result = await cli.WaitForExitAsync(Wait);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.Describe());
        Assert.That(result.Stderr, Does.Contain("the code expired before it was approved").And.Contain("run `commons login` again"));
    }

    [Test]
    public async Task LoginLink_AddsAGitLabIdentityToTheSignedInAccount()
    {
        using var home = new ConfigHome();
        await SignInAsync(home, "ya-newcomer");

        using var link = StartLogin(home, "--provider", "gitlab", "--link");
        await DecideAsync("/oauth/device", await ShownCodeAsync(link, "/oauth/device"), "rl-reviewer", "approve");
        var result = await link.WaitForExitAsync(Wait);

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        Assert.That(result.Stderr, Does.Contain("Linked GitLab account rl-reviewer to ya-newcomer"));
        var me = await WhoAmIJsonAsync(home);
        var providers = me.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("provider").GetString());
        Assert.That(providers, Is.EqualTo(new[] { "github", "gitlab" }));
    }

    [Test]
    public async Task Logout_RevokesTheTokenAtTheBridge()
    {
        using var home = new ConfigHome();
        await SignInAsync(home, "rg-regular");

        var token = JsonDocument.Parse(File.ReadAllText(home.ConfigFile)).RootElement.GetProperty("token").GetString();

        var logout = await Cli.RunAsync(new CliOptions(["logout"], SignedIn: false, ConfigHome: home.Path));

        Assert.That(logout.ExitCode, Is.Zero, logout.Describe());
        Assert.That(File.ReadAllText(home.ConfigFile), Does.Not.Contain(token!));
        using var client = Sandbox.CreateClient(token);
        using var response = await client.GetAsync(new Uri("/v1/me", UriKind.Relative));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>Signs in with GitHub as a profile account, approving the code at once.</summary>
    private static async Task SignInAsync(ConfigHome home, string login)
    {
        using var cli = StartLogin(home);
        await DecideAsync("/login/device", await ShownCodeAsync(cli, "/login/device"), login, "approve");
        var result = await cli.WaitForExitAsync(Wait);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
    }

    private static CliProcess StartLogin(ConfigHome home, params string[] extra) =>
        CliProcess.Start(new CliOptions(
            ["login", "--bridge", Sandbox.Settings.Bridge.ToString(), .. extra], SignedIn: false, ConfigHome: home.Path));

    /// <summary>The user code the CLI shows, after checking it points at the forge's own verification page.</summary>
    private static async Task<string> ShownCodeAsync(CliProcess cli, string verificationPath)
    {
        var code = (await cli.WaitForStderrAsync(@"one-time code: (\S+)", Wait)).Groups[1].Value;
        var address = (await cli.WaitForStderrAsync(@"enter the code: (\S+)", Wait)).Groups[1].Value;
        Assert.That(new Uri(address), Is.EqualTo(new Uri(Sandbox.Settings.ForgeStandIn, verificationPath)));
        return code;
    }

    /// <summary>What the person does in the browser: types the code, picks the account, approves or denies.</summary>
    private static async Task DecideAsync(string verificationPath, string userCode, string login, string action)
    {
        using var forge = new HttpClient { BaseAddress = Sandbox.Settings.ForgeStandIn };
        using var response = await forge.PostAsync(
            new Uri(verificationPath, UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["user_code"] = userCode,
                ["login"] = login,
                ["action"] = action,
            }));
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> WhoAmIJsonAsync(ConfigHome home)
    {
        var result = await Cli.RunAsync(new CliOptions(["whoami", "--json"], SignedIn: false, ConfigHome: home.Path));
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    /// <summary>A config folder of the test's own, so every sign-in starts with no saved token.</summary>
    private sealed class ConfigHome : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("commons-signin-").FullName;

        public string ConfigFile => System.IO.Path.Combine(Path, "commons", "config.json");

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
