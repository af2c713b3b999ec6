using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// <c>commons login</c> keeps the bridge address and token in <c>$XDG_CONFIG_HOME/commons/config.json</c>, readable by
/// its owner alone, and every later command refuses the file once anyone else may read it.
/// </summary>
[Order(RunOrder.Commands)]
public sealed class ConfigFileTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private string _configHome = "";

    private string ConfigFile => Path.Combine(_configHome, "commons", "config.json");

    [SetUp]
    public void CreateConfigHome() => _configHome = Directory.CreateTempSubdirectory("commons-login-").FullName;

    [TearDown]
    public void RemoveConfigHome() => Directory.Delete(_configHome, recursive: true);

    [Test]
    public async Task Login_WithToken_WritesAConfigFileWithMode0600ThatLaterCommandsUse()
    {
        var settings = Sandbox.Settings;

        var login = await Cli.RunAsync(new CliOptions(
            ["login", "--bridge", settings.Bridge.ToString(), "--with-token"],
            Stdin: settings.Token + "\n",
            SignedIn: false,
            ConfigHome: _configHome));
        var ps = await Cli.RunAsync(new CliOptions(["ps"], SignedIn: false, ConfigHome: _configHome));

        Assert.That(login.ExitCode, Is.Zero, login.Describe());
        Assert.That(File.Exists(ConfigFile), Is.True, $"{ConfigFile} missing after login");
        Assert.That(File.GetUnixFileMode(ConfigFile), Is.EqualTo(OwnerReadWrite));
        Assert.That(ps.ExitCode, Is.Zero, ps.Describe());
    }

    [Test]
    public async Task Ps_WhenConfigFileIsReadableByOthers_RefusesAndSaysToChmod600()
    {
        var settings = Sandbox.Settings;
        var login = await Cli.RunAsync(new CliOptions(
            ["login", "--bridge", settings.Bridge.ToString(), "--with-token"],
            Stdin: settings.Token + "\n",
            SignedIn: false,
            ConfigHome: _configHome));
        Assert.That(login.ExitCode, Is.Zero, login.Describe());
        File.SetUnixFileMode(ConfigFile, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var ps = await Cli.RunAsync(new CliOptions(["ps"], SignedIn: false, ConfigHome: _configHome));

        Assert.That(ps.ExitCode, Is.EqualTo(78), ps.Describe());
        Assert.That(ps.Stderr, Does.Contain(ConfigFile), ps.Describe());
        Assert.That(ps.Stderr, Does.Contain($"chmod 600 {ConfigFile}"), ps.Describe());
        Assert.That(ps.Stdout, Is.Empty, ps.Describe());
    }
}
