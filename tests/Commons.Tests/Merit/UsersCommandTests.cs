using System.CommandLine;
using Commons.Bridge.Hosting;
using Commons.Tests.Data;

namespace Commons.Tests.Merit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class UsersCommandTests : IDisposable
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private DataTestFolder? _data;

    public void Dispose()
    {
        _data?.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    [Test]
    public async Task Grant_WritesTheOverrideAndATierChange()
    {
        await CreateUserAsync("ada");

        var code = await RunAsync("grant", "ada", "--tier", "core", "--reason", "teaches the GPU course", "--by", "olga");

        Assert.That(code, Is.Zero, _error.ToString());
        Assert.That(_output.ToString(), Is.EqualTo("ada: guest -> core (granted by olga)\n"));
        Assert.That(await _data!.ScalarAsync("SELECT COUNT(*) FROM users WHERE id = 'ada' AND override_tier = 'core'"), Is.EqualTo(1));
        Assert.That(await _data.AllValuesAsync("tier_changes"), Does.Contain("grant").And.Contain("guest").And.Contain("core")
            .And.Contain("olga").And.Contain("teaches the GPU course"));
    }

    [Test]
    public async Task Revoke_OverridesToTheLowestTier()
    {
        await CreateUserAsync("ada");
        await RunAsync("grant", "ada", "--tier", "regular", "--reason", "pilot", "--by", "olga");

        var code = await RunAsync("revoke", "ada", "--reason", "shared the token", "--by", "olga");

        Assert.That(code, Is.Zero);
        Assert.That(await _data!.ScalarAsync("SELECT COUNT(*) FROM users WHERE override_tier = 'guest'"), Is.EqualTo(1));
        Assert.That(
            await _data.ScalarAsync(
                "SELECT COUNT(*) FROM tier_changes WHERE action = 'revoke' AND from_tier = 'regular' AND to_tier = 'guest'"),
            Is.EqualTo(1));
    }

    [Test]
    public async Task GrantMerit_ClearsTheOverride()
    {
        await CreateUserAsync("ada");
        await RunAsync("revoke", "ada", "--reason", "investigating", "--by", "olga");

        var code = await RunAsync("grant", "ada", "--tier", "merit", "--reason", "cleared", "--by", "olga");

        Assert.That(code, Is.Zero);
        Assert.That(await _data!.ScalarAsync("SELECT COUNT(*) FROM users WHERE override_tier IS NULL"), Is.EqualTo(1));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM tier_changes WHERE action = 'clear' AND actor = 'olga'"), Is.EqualTo(1));
        Assert.That(_output.ToString(), Does.EndWith("ada: override cleared; tier guest follows merit\n"));
    }

    [Test]
    public async Task Signoff_RecordsTheSignOffAndWhoGaveIt()
    {
        await CreateUserAsync("ada");

        var code = await RunAsync("signoff", "ada", "--reason", "maintains the scheduler", "--by", "olga");

        Assert.That(code, Is.Zero);
        Assert.That(await _data!.ScalarAsync("SELECT COUNT(*) FROM users WHERE signed_off_at IS NOT NULL"), Is.EqualTo(1));
        Assert.That(
            await _data.ScalarAsync("SELECT COUNT(*) FROM tier_changes WHERE action = 'signoff' AND reason = 'maintains the scheduler'"),
            Is.EqualTo(1));
    }

    [Test]
    public async Task Show_PrintsTierOverrideSignOffAndHistory()
    {
        await CreateUserAsync("ada");
        await RunAsync("grant", "ada", "--tier", "core", "--reason", "keynote", "--by", "olga");
        _output.GetStringBuilder().Clear();

        var code = await RunAsync("show", "ada");

        Assert.That(code, Is.Zero);
        var lines = _output.ToString().Split('\n');
        Assert.That(lines[0], Is.EqualTo("user        ada"));
        Assert.That(lines[1], Does.StartWith("tier        core (operator): Set by an operator's grant by olga on "));
        Assert.That(lines[3], Is.EqualTo("override    core"));
        Assert.That(lines[4], Is.EqualTo("sign-off    none"));
        Assert.That(lines[5], Is.EqualTo("merit       not evaluated"));
        Assert.That(lines[7], Does.Match("^  [0-9-]+ [0-9:]+  grant    guest -> core  by olga: keynote$"));
    }

    [Test]
    public async Task Grant_AnUnknownUser_ExitsOne()
    {
        await CreateUserAsync("ada");

        var code = await RunAsync("grant", "bob", "--tier", "core", "--reason", "x", "--by", "olga");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(_error.ToString(), Does.Contain("no user 'bob'"));
    }

    [Test]
    public async Task Grant_AnUnknownTier_ExitsTwoAndListsTheTiers()
    {
        await CreateUserAsync("ada");

        var code = await RunAsync("grant", "ada", "--tier", "wizard", "--reason", "x", "--by", "olga");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(
            _error.ToString(), Does.Contain("--tier: no tier 'wizard'; one of guest, contributor, regular, core, maintainer or merit"));
        Assert.That(await _data!.ScalarAsync("SELECT COUNT(*) FROM tier_changes"), Is.Zero);
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("two\nlines")]
    [TestCase("bell\a")]
    public async Task Revoke_WithoutAUsableReason_ExitsTwo(string reason)
    {
        await CreateUserAsync("ada");

        var code = await RunAsync("revoke", "ada", "--reason", reason, "--by", "olga");

        Assert.That(code, Is.EqualTo(2));
        Assert.That(_error.ToString(), Does.Contain("--reason"));
        Assert.That(await _data!.ScalarAsync("SELECT COUNT(*) FROM tier_changes"), Is.Zero);
    }

    [Test]
    public async Task Revoke_WithoutTheReasonOption_ExitsTwo()
    {
        await CreateUserAsync("ada");

        var code = await RunAsync("revoke", "ada", "--by", "olga");

        Assert.That(code, Is.EqualTo(2));
    }

    [Test]
    public async Task Show_WithoutALogin_IsAUsageError()
    {
        await CreateUserAsync("ada");

        var code = await RunAsync("show");

        Assert.That(code, Is.EqualTo(2));
    }

    [Test]
    public async Task TokensCreate_ForAnAccountThatSignsInWithAForge_IsRefused()
    {
        await CreateUserAsync("ada");
        await _data!.ExecuteAsync(
            "INSERT INTO identities (provider, provider_id, login, user_id, account_created_at, linked_at) VALUES ('github', '7', 'ada', 'ada', 0, 0)");
        var dataFolder = Path.GetDirectoryName(_data.Database.Path)!;

        var code = await Commands.InvokeAsync(
            new RootCommand { Commands.Tokens() }, ["tokens", "create", "--user", "ada", "--data", dataFolder],
            new InvocationConfiguration { Output = _output, Error = _error });

        Assert.That(code, Is.EqualTo(1));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM tokens"), Is.Zero);
    }

    private async Task CreateUserAsync(string id)
    {
        _data = new DataTestFolder();
        await _data.Database.MigrateAsync(CancellationToken.None);
        await _data.ExecuteAsync($"INSERT INTO users (id, created_at) VALUES ('{id}', 0)");
    }

    private Task<int> RunAsync(params string[] args)
    {
        var dataFolder = Path.GetDirectoryName(_data!.Database.Path)!;
        var policy = Path.Combine(RepoPaths.Root, "config", "merit-policy.yaml");
        var root = new RootCommand { Commands.Users() };
        return Commands.InvokeAsync(
            root,
            ["users", .. args, "--data", dataFolder, "--merit-policy", policy],
            new InvocationConfiguration { Output = _output, Error = _error });
    }
}
