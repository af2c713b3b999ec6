using System.Net;
using Commons.StandIns.Forge.Hosting;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Tests.Infrastructure;

namespace Commons.StandIns.Forge.Tests.Hosting;

/// <summary>The command line and start-up: what the stand-in accepts, and how it refuses to start.</summary>
public sealed class StartupTests
{
    [TestCase("http://127.0.0.1:8490", "127.0.0.1", 8490)]
    [TestCase("127.0.0.1:9000", "127.0.0.1", 9000)]
    [TestCase("http://localhost:8491/", "127.0.0.1", 8491)]
    [TestCase("http://[::1]:8492", "::1", 8492)]
    [TestCase("http://127.0.0.2:0", "127.0.0.2", 0)]
    public void Listen_OnALoopbackAddress_IsAccepted(string value, string address, int port)
    {
        var endpoint = ForgeSettings.ParseListen(value);

        Assert.That(endpoint, Is.EqualTo(new IPEndPoint(IPAddress.Parse(address), port)));
    }

    [TestCase("--listen", "http://0.0.0.0:8490", "0.0.0.0 is not a loopback address")]
    [TestCase("--listen", "http://10.1.2.3:8490", "10.1.2.3 is not a loopback address")]
    [TestCase("--listen", "https://127.0.0.1:8490", "expected http://ADDRESS:PORT")]
    [TestCase("--listen", "http://forge.example:8490", "is not an IP address")]
    [TestCase("--core-limit", "lots", "expected a whole number, 1 or more")]
    [TestCase("--now", "tomorrow", "expected an ISO 8601 instant")]
    [TestCase("--token", "github:alice", "expected github:LOGIN=TOKEN")]
    [TestCase("--colour", "blue", "unknown option")]
    public async Task Run_WithAnUnusableOption_ExitsTwoNamingIt(string option, string value, string why)
    {
        var (code, _, error) = await RunAsync(option, value);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith($"Error: {option} {value}: ").And.Contain(why));
    }

    [Test]
    public async Task Run_WithABadProfile_ExitsOneNamingTheFileEntryAndField()
    {
        var folder = StandIn.WriteProfiles(("broken.yaml", "users:\n  - {login: x, provider: github, createdDaysAgo: soon}\n"));
        try
        {
            var (code, _, error) = await RunAsync("--listen", "http://127.0.0.1:0", "--profiles", folder.FullName);

            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("broken.yaml: users[0] (line 2), field 'createdDaysAgo': 'soon' is not a number"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Run_WithATokenForNobody_ExitsOneWithoutShowingTheToken()
    {
        var (code, _, error) = await RunAsync("--listen", "http://127.0.0.1:0", "--token", "github:nobody=secret-value");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("'nobody' is not a GitHub account in any profile"));
        Assert.That(error, Does.Not.Contain("secret-value"));
    }

    [Test]
    public async Task Run_WithVersion_PrintsIt()
    {
        var (code, output, _) = await RunAsync("--version");

        Assert.That(code, Is.Zero);
        Assert.That(output, Is.EqualTo($"forge-standin {ForgeSettings.Version}\n"));
    }

    [Test]
    public async Task StartInProcess_WithABadProfile_Throws()
    {
        var error = (await Assert.ThrowsAsync<ProfileException>(
            () => StandIn.StartAsync("repositories:\n  - {owner: ghost}\n")))!;

        Assert.That(error.Message, Does.Contain("world.yaml: repositories[0] (line 2), field 'owner'"));
    }

    [Test]
    public async Task StartInProcess_WithAPresetToken_AcceptsIt()
    {
        await using var session = await ForgeSession.StartAsync(adjust: settings => settings with
        {
            Tokens = [new PresetToken(ForgeKind.GitHub, "bob", "ghp_service")],
        });

        var answer = await session.GetAsync("/api/v3/user", "token ghp_service");

        Assert.That(answer.Json.GetProperty("login").GetString(), Is.EqualTo("bob"));
        Assert.That(session.Forge.BaseUrl.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(session.Forge.BaseUrl.Port, Is.Not.EqualTo(8490));
    }

    [Test]
    public async Task StartInProcess_WithTheBundledProfiles_Serves()
    {
        await using var forge = await ForgeStandIn.StartAsync(new ForgeSettings { Now = TestWorld.Now });
        using var http = new HttpClient { BaseAddress = forge.BaseUrl };

        using var answer = await http.GetAsync("/api/v3/users/rg-regular");

        Assert.That((int)answer.StatusCode, Is.EqualTo(200));
        Assert.That(forge.GitHubApiUrl, Is.EqualTo(new Uri(forge.BaseUrl, "api/v3/")));
        Assert.That(forge.GitLabApiUrl, Is.EqualTo(new Uri(forge.BaseUrl, "api/v4/")));
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ForgeStandInProgram.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
