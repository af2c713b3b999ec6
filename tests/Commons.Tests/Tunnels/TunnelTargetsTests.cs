using System.Text;
using Commons.Bridge.Data;
using Commons.Bridge.Sites;
using Commons.Bridge.Ssh;
using Commons.Bridge.Tunnels;
using Commons.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Commons.Tests.Tunnels;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class TunnelTargetsTests
{
    private const string Site = "campus";
    private const string Owner = "alice";

    private readonly Mock<ISiteShell> _shell = new(MockBehavior.Strict);
    private readonly List<string> _commands = [];
    private string _portFile = "41235\n";
    private string _showNode = "NodeName=campus-n1 NodeAddr=10.1.2.3 NodeHostName=gpu-host-1 State=ALLOCATED\n";

    [Test]
    public async Task DecideAsync_WhenTheOwnerAsksForARecordedPortOfARunningJob_TargetsTheNodeAddressAndPort()
    {
        var targets = CreateSut();

        var decision = await targets.DecideAsync(Job(), Owner, "api", CancellationToken.None);

        Assert.That(
            decision.Target, Is.EqualTo(new TunnelTarget("k3v9x2m4q7ab", Site, "campus-n1", "10.1.2.3", 41235)));
        Assert.That(decision.Reason, Is.Null);
    }

    [Test]
    public async Task DecideAsync_WhenAnotherUserAsks_RefusesWithoutAReasonAndWithoutAskingTheSite()
    {
        var targets = CreateSut();

        var decision = await targets.DecideAsync(Job(), "mallory", "api", CancellationToken.None);

        Assert.That(decision, Is.EqualTo(TunnelDecision.Stranger));
        Assert.That(_commands, Is.Empty);
    }

    [Test]
    public async Task DecideAsync_WhenThereIsNoSuchJob_AnswersExactlyAsForSomeoneElsesJob()
    {
        var targets = CreateSut();

        var missing = await targets.DecideAsync(null, Owner, "api", CancellationToken.None);
        var others = await targets.DecideAsync(Job(), "mallory", "api", CancellationToken.None);

        Assert.That(missing, Is.EqualTo(others));
    }

    [TestCase(JobStates.Queued)]
    [TestCase(JobStates.Starting)]
    [TestCase(JobStates.Completing)]
    [TestCase(JobStates.Succeeded)]
    [TestCase(JobStates.Cancelled)]
    public async Task DecideAsync_WhenTheJobIsNotRunning_TellsTheOwnerItsState(string state)
    {
        var targets = CreateSut();

        var decision = await targets.DecideAsync(Job(state), Owner, "api", CancellationToken.None);

        Assert.That(decision.Target, Is.Null);
        Assert.That(decision.Reason, Is.EqualTo($"job k3v9x2m4q7ab is {state}, not running"));
        Assert.That(_commands, Is.Empty);
    }

    [TestCase("../exit_code")]
    [TestCase("API")]
    [TestCase("")]
    public async Task DecideAsync_WhenThePortNameIsInvalid_RefusesWithoutAskingTheSite(string name)
    {
        var targets = CreateSut();

        var decision = await targets.DecideAsync(Job(), Owner, name, CancellationToken.None);

        Assert.That(decision.Target, Is.Null);
        Assert.That(decision.Reason, Does.Contain(PortNames.Pattern));
        Assert.That(_commands, Is.Empty);
    }

    [TestCase("")]
    [TestCase("0\n")]
    [TestCase("70000\n")]
    [TestCase("127.0.0.1:22\n")]
    public async Task DecideAsync_WhenThePortFileIsMissingOrNotAPort_TellsTheOwnerThePortIsNotRecorded(string content)
    {
        var targets = CreateSut();
        _portFile = content;

        var decision = await targets.DecideAsync(Job(), Owner, "api", CancellationToken.None);

        Assert.That(decision.Target, Is.Null);
        Assert.That(decision.Reason, Does.Contain("has not recorded a port named 'api'"));
    }

    [Test]
    public async Task DecideAsync_WhenSlurmGivesNoAddressForTheNode_Refuses()
    {
        var targets = CreateSut();
        _showNode = "";

        var decision = await targets.DecideAsync(Job(), Owner, "api", CancellationToken.None);

        Assert.That(decision.Target, Is.Null);
        Assert.That(decision.Reason, Does.Contain("no address for node campus-n1"));
    }

    [Test]
    public async Task DecideAsync_WhenTheJobHasNoNode_Refuses()
    {
        var targets = CreateSut();
        var job = Job();
        job.Node = null;

        var decision = await targets.DecideAsync(job, Owner, "api", CancellationToken.None);

        Assert.That(decision.Reason, Is.EqualTo("job k3v9x2m4q7ab has no node yet"));
    }

    [Test]
    public async Task DecideAsync_WhenTheSiteIsUnreachable_Throws()
    {
        var targets = CreateSut();
        _shell.Reset();
        _shell
            .Setup(s => s.RunAsync(Site, It.IsAny<string>(), null, true, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SiteUnreachableException(Site, "connection refused", isTransient: true));

        await Assert.ThrowsAsync<SiteUnreachableException>(
            () => targets.DecideAsync(Job(), Owner, "api", CancellationToken.None));
    }

    private static JobRow Job(string state = JobStates.Running) => new()
    {
        Id = "k3v9x2m4q7ab",
        UserId = Owner,
        Site = Site,
        State = state,
        Node = "campus-n1",
        WorkDir = "/srv/commons/jobs/k3v9x2m4q7ab",
    };

    private TunnelTargets CreateSut()
    {
        _shell
            .Setup(s => s.RunAsync(Site, It.IsAny<string>(), null, true, It.IsAny<CancellationToken>()))
            .Returns((string _, string command, byte[]? _, bool _, CancellationToken _) =>
            {
                _commands.Add(command);
                var stdout = command.Contains("scontrol", StringComparison.Ordinal) ? _showNode : _portFile;
                return Task.FromResult(new CommandResult(0, Encoding.UTF8.GetBytes(stdout), ""));
            });
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
            Partitions = [new SitePartition { Name = "gpu", MaxTime = "2-00:00:00", DefaultTime = "01:00:00" }],
            WorkDir = "/srv/commons/jobs",
        };
        var nodes = new NodeAddresses(
            _shell.Object, new SiteRegistry([site]), new FakeTimeProvider(), NullLogger<NodeAddresses>.Instance);
        return new TunnelTargets(new JobPorts(_shell.Object), nodes);
    }
}
