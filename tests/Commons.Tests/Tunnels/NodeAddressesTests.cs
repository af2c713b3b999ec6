using System.Text;
using Commons.Bridge.Sites;
using Commons.Bridge.Ssh;
using Commons.Bridge.Tunnels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Commons.Tests.Tunnels;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class NodeAddressesTests
{
    private const string Site = "campus";

    private const string ShowNode =
        "NodeName=campus-n1 Arch=x86_64 CoresPerSocket=1 CPUAlloc=0 CPUTot=2 CPULoad=0.10 AvailableFeatures=(null) "
        + "ActiveFeatures=(null) Gres=gpu:a100:4 NodeAddr=10.1.2.3 NodeHostName=gpu-host-1 Version=22.05.8 "
        + "OS=Linux 6.1.0 RealMemory=4096 AllocMem=0 State=IDLE Partitions=gpu\n";

    private readonly Mock<ISiteShell> _shell = new(MockBehavior.Strict);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.Zero));
    private readonly List<string> _commands = [];

    [Test]
    public void ParseNodeAddr_WhenTheNodeIsListed_ReturnsItsNodeAddrNotItsHostName()
    {
        var address = NodeAddresses.ParseNodeAddr(ShowNode, "campus-n1");

        Assert.That(address, Is.EqualTo("10.1.2.3"));
    }

    [Test]
    public void ParseNodeAddr_WhenAnotherNodeIsListed_ReturnsNull()
    {
        var address = NodeAddresses.ParseNodeAddr(ShowNode, "campus-n2");

        Assert.That(address, Is.Null);
    }

    [TestCase("NodeName=n1 NodeAddr=")]
    [TestCase("NodeName=n1 NodeAddr=-oProxyCommand=x")]
    [TestCase("NodeName=n1 NodeAddr=host;reboot")]
    [TestCase("NodeName=n1")]
    public void ParseNodeAddr_WhenTheAddressIsMissingOrUnsafe_ReturnsNull(string line)
    {
        var address = NodeAddresses.ParseNodeAddr(line, "n1");

        Assert.That(address, Is.Null);
    }

    [TestCase("NodeName=n1 NodeAddr=fd00::12", "fd00::12")]
    [TestCase("NodeName=n1 NodeAddr=n1.cluster.example.org", "n1.cluster.example.org")]
    public void ParseNodeAddr_WhenTheAddressIsAHostNameOrIPv6_ReturnsIt(string line, string expected)
    {
        var address = NodeAddresses.ParseNodeAddr(line, "n1");

        Assert.That(address, Is.EqualTo(expected));
    }

    [Test]
    public async Task ResolveAsync_WhenAskedTwice_AsksSlurmOnceWithTheSitesEnvironment()
    {
        var nodes = CreateSut();
        Answer(0, ShowNode);

        var first = await nodes.ResolveAsync(Site, "campus-n1", CancellationToken.None);
        var second = await nodes.ResolveAsync(Site, "campus-n1", CancellationToken.None);

        Assert.That(first, Is.EqualTo("10.1.2.3"));
        Assert.That(second, Is.EqualTo("10.1.2.3"));
        Assert.That(_commands, Is.EqualTo(new[]
        {
            "SLURM_CONF='/etc/slurm/campus/slurm.conf' scontrol --oneliner show node 'campus-n1'",
        }));
    }

    [Test]
    public async Task ResolveAsync_WhenTheAnswerIsOlderThanItsKeepTime_AsksAgain()
    {
        var nodes = CreateSut();
        Answer(0, ShowNode);
        await nodes.ResolveAsync(Site, "campus-n1", CancellationToken.None);

        _time.Advance(NodeAddresses.KeepFor);
        await nodes.ResolveAsync(Site, "campus-n1", CancellationToken.None);

        Assert.That(_commands, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ResolveAsync_WhenSlurmDoesNotKnowTheNode_ReturnsNullAndKeepsNothing()
    {
        var nodes = CreateSut();
        Answer(1, "");

        var first = await nodes.ResolveAsync(Site, "campus-n9", CancellationToken.None);
        var second = await nodes.ResolveAsync(Site, "campus-n9", CancellationToken.None);

        Assert.That(first, Is.Null);
        Assert.That(second, Is.Null);
        Assert.That(_commands, Has.Count.EqualTo(2));
    }

    [TestCase("campus-n[1-2]")]
    [TestCase("n1 n2")]
    [TestCase("-n1")]
    [TestCase("")]
    public async Task ResolveAsync_WhenTheNodeNameIsNoSingleNode_ReturnsNullWithoutAskingSlurm(string node)
    {
        var nodes = CreateSut();

        var address = await nodes.ResolveAsync(Site, node, CancellationToken.None);

        Assert.That(address, Is.Null);
        Assert.That(_commands, Is.Empty);
    }

    private NodeAddresses CreateSut()
    {
        var site = new SiteConfig
        {
            Name = Site,
            Login = new SiteLogin
            {
                Host = "127.0.0.1",
                User = "svc-campus",
                KeyFile = "/keys/svc-campus",
                HostKeySha256 = "SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM",
            },
            Slurm = new SiteSlurm
            {
                Environment = new Dictionary<string, string> { ["SLURM_CONF"] = "/etc/slurm/campus/slurm.conf" },
            },
            Partitions = [new SitePartition { Name = "gpu", MaxTime = "2-00:00:00", DefaultTime = "01:00:00" }],
            WorkDir = "/srv/commons/jobs",
        };
        return new NodeAddresses(
            _shell.Object, new SiteRegistry([site]), _time, NullLogger<NodeAddresses>.Instance);
    }

    private void Answer(int exitCode, string stdout) =>
        _shell
            .Setup(s => s.RunAsync(Site, It.IsAny<string>(), null, true, It.IsAny<CancellationToken>()))
            .Callback((string _, string command, byte[]? _, bool _, CancellationToken _) => _commands.Add(command))
            .ReturnsAsync(new CommandResult(exitCode, Encoding.UTF8.GetBytes(stdout), ""));
}
