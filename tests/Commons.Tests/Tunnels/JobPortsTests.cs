using System.Text;
using Commons.Bridge.Data;
using Commons.Bridge.Ssh;
using Commons.Bridge.Tunnels;
using Commons.Contracts;
using Moq;

namespace Commons.Tests.Tunnels;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class JobPortsTests
{
    private const string Site = "campus";
    private const string WorkDir = "/srv/commons/jobs/k3v9x2m4q7ab";

    private readonly Mock<ISiteShell> _shell = new(MockBehavior.Strict);
    private readonly List<string> _commands = [];

    [TestCase("8080", 8080)]
    [TestCase("8080\n", 8080)]
    [TestCase(" 41235\r\n", 41235)]
    [TestCase("1", 1)]
    [TestCase("65535", 65535)]
    [TestCase("08080", 8080)]
    public void ParsePort_WhenContentIsAPortNumber_ReturnsIt(string content, int expected)
    {
        var port = JobPorts.ParsePort(content);

        Assert.That(port, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("\n")]
    [TestCase("0")]
    [TestCase("65536")]
    [TestCase("99999")]
    [TestCase("123456")]
    [TestCase("-1")]
    [TestCase("+80")]
    [TestCase("0x50")]
    [TestCase("80 81")]
    [TestCase("80\n81")]
    [TestCase("８０")]
    [TestCase("localhost:80")]
    public void ParsePort_WhenContentIsNoPortNumber_ReturnsNull(string content)
    {
        var port = JobPorts.ParsePort(content);

        Assert.That(port, Is.Null);
    }

    [Test]
    public void ParseListing_WhenFilesAreMixed_KeepsValidNamesWithValidPortsSortedByName()
    {
        const string listing = "web=8080\napi=41235\nbad=70000\nApi=1234\n=99\nnoequals\nempty=\ndebug=5678=9\n";

        var ports = JobPorts.ParseListing(listing);

        Assert.That(ports, Is.EqualTo(new[] { new JobPort("api", 41235), new JobPort("web", 8080) }));
    }

    [Test]
    public void ParseListing_WhenANameRepeats_KeepsTheFirst()
    {
        var ports = JobPorts.ParseListing("web=8080\nweb=9090\n");

        Assert.That(ports, Is.EqualTo(new[] { new JobPort("web", 8080) }));
    }

    [Test]
    public async Task ReadAsync_WhenTheFileHoldsAPort_ReadsOnlyThatFileQuotedAndNoSymlink()
    {
        var ports = CreateSut();
        Answer(0, "41235\n");

        var port = await ports.ReadAsync(Job(), "api", CancellationToken.None);

        Assert.That(port, Is.EqualTo(41235));
        Assert.That(_commands, Has.Count.EqualTo(1));
        Assert.That(_commands[0], Is.EqualTo(
            "f='/srv/commons/jobs/k3v9x2m4q7ab/ports/api'; "
            + "if [ -f \"$f\" ] && [ ! -L \"$f\" ]; then head -c 16 -- \"$f\"; fi; true"));
    }

    [Test]
    public async Task ReadAsync_WhenThereIsNoFile_ReturnsNull()
    {
        var ports = CreateSut();
        Answer(0, "");

        var port = await ports.ReadAsync(Job(), "api", CancellationToken.None);

        Assert.That(port, Is.Null);
    }

    [Test]
    public async Task ReadAsync_WhenTheCommandFails_ReturnsNull()
    {
        var ports = CreateSut();
        Answer(1, "8080");

        var port = await ports.ReadAsync(Job(), "api", CancellationToken.None);

        Assert.That(port, Is.Null);
    }

    [TestCase("../exit_code")]
    [TestCase("api/../../x")]
    [TestCase("x'; rm -rf ~; '")]
    public async Task ReadAsync_WhenNameIsNoPortName_ThrowsWithoutRunningAnything(string name)
    {
        var ports = CreateSut();

        await Assert.ThrowsAsync<ArgumentException>(() => ports.ReadAsync(Job(), name, CancellationToken.None));
        Assert.That(_commands, Is.Empty);
    }

    [Test]
    public async Task ListAsync_WhenTheJobRecordedPorts_ListsThemFromItsOwnFolder()
    {
        var ports = CreateSut();
        Answer(0, "api=41235\nweb=8080\n");

        var listed = await ports.ListAsync(Job(), CancellationToken.None);

        Assert.That(listed, Is.EqualTo(new[] { new JobPort("api", 41235), new JobPort("web", 8080) }));
        Assert.That(_commands[0], Does.StartWith("cd '/srv/commons/jobs/k3v9x2m4q7ab/ports' 2>/dev/null || exit 0;"));
        Assert.That(_commands[0], Does.Contain("[ ! -L \"$f\" ]"));
        Assert.That(_commands[0], Does.EndWith("| head -n 64"));
    }

    private static JobRow Job() => new()
    {
        Id = "k3v9x2m4q7ab",
        UserId = "alice",
        Site = Site,
        State = JobStates.Running,
        Node = "campus-n1",
        WorkDir = WorkDir,
    };

    private JobPorts CreateSut() => new(_shell.Object);

    private void Answer(int exitCode, string stdout) =>
        _shell
            .Setup(s => s.RunAsync(Site, It.IsAny<string>(), null, true, It.IsAny<CancellationToken>()))
            .Callback((string _, string command, byte[]? _, bool _, CancellationToken _) => _commands.Add(command))
            .ReturnsAsync(new CommandResult(exitCode, Encoding.UTF8.GetBytes(stdout), ""));
}
