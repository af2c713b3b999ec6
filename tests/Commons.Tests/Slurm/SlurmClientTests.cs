using System.Text;
using Commons.Bridge.Sites;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Moq;

namespace Commons.Tests.Slurm;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SlurmClientTests
{
    private const string Site = "campus";
    private const string SlurmConf = "/etc/slurm/campus conf/slurm.conf";
    private const string WorkDir = "/srv/commons/jobs/k3v9x2m4q7ab";

    private readonly Mock<ISiteShell> _shell = new(MockBehavior.Strict);
    private readonly List<(string Command, byte[]? Stdin, bool Idempotent)> _calls = [];

    [Test]
    public async Task SubmitAsync_WhenSbatchAnswers_RunsOneQuotedCommandAndReturnsTheId()
    {
        var client = CreateSut();
        Answer(0, "4242;campus\n");
        string[] options = ["--job-name=cc-k3v9x2m4q7ab", "--comment=commons:k3v9x2m4q7ab", "--time=0-01:00:00"];

        var id = await client.SubmitAsync(Site, WorkDir, "#!/bin/bash\nexec 'true'\n", options, CancellationToken.None);

        Assert.That(id, Is.EqualTo("4242"));
        Assert.That(_calls, Has.Count.EqualTo(1));
        Assert.That(_calls[0].Command, Is.EqualTo(
            "umask 077 && mkdir -p '/srv/commons/jobs/k3v9x2m4q7ab' && cd '/srv/commons/jobs/k3v9x2m4q7ab' "
            + "&& cat > job.sbatch && SLURM_CONF='/etc/slurm/campus conf/slurm.conf' sbatch --parsable "
            + "'--job-name=cc-k3v9x2m4q7ab' '--comment=commons:k3v9x2m4q7ab' '--time=0-01:00:00' job.sbatch "
            + "> slurm_job_id.tmp && mv slurm_job_id.tmp slurm_job_id && cat slurm_job_id"));
    }

    [Test]
    public async Task SubmitAsync_WhenCalled_SendsTheScriptBytesOnStdinAndDoesNotRetry()
    {
        var client = CreateSut();
        Answer(0, "7\n");
        const string script = "#!/bin/bash\nexport A='grüße $(id)'\n";

        await client.SubmitAsync(Site, WorkDir, script, ["--nodes=1"], CancellationToken.None);

        Assert.That(_calls[0].Stdin, Is.EqualTo(Encoding.UTF8.GetBytes(script)));
        Assert.That(_calls[0].Idempotent, Is.False);
    }

    [Test]
    public async Task SubmitAsync_WhenAnOptionCarriesShellText_QuotesItAsOneWord()
    {
        var client = CreateSut();
        Answer(0, "7\n");

        await client.SubmitAsync(Site, WorkDir, "", ["--comment=x'; touch /tmp/pwned; echo '"], CancellationToken.None);

        Assert.That(_calls[0].Command, Does.Contain(" '--comment=x'\\''; touch /tmp/pwned; echo '\\''' job.sbatch "));
    }

    [Test]
    public async Task SubmitAsync_WhenSiteHasABinDir_CallsSbatchThroughItAfterTheEnvironment()
    {
        var client = CreateSut(binDir: "/opt/slurm/bin/");
        Answer(0, "7\n");

        await client.SubmitAsync(Site, WorkDir, "", ["--nodes=1"], CancellationToken.None);

        Assert.That(_calls[0].Command, Does.Contain(
            " && SLURM_CONF='/etc/slurm/campus conf/slurm.conf' '/opt/slurm/bin/sbatch' --parsable '--nodes=1' "));
    }

    [Test]
    public async Task SubmitAsync_WhenSbatchFails_ThrowsWithCommandExitCodeAndStderr()
    {
        var client = CreateSut();
        const string stderr = "sbatch: error: Batch job submission failed: Invalid partition name specified\n";
        Answer(1, "", stderr);

        var thrown = (await Assert.ThrowsAsync<SlurmCommandException>(
            () => client.SubmitAsync(Site, WorkDir, "", ["--partition=nope"], CancellationToken.None)))!;

        Assert.That(thrown.Site, Is.EqualTo(Site));
        Assert.That(thrown.Command, Is.EqualTo("sbatch"));
        Assert.That(thrown.ExitCode, Is.EqualTo(1));
        Assert.That(thrown.Stderr, Is.EqualTo(stderr));
        Assert.That(thrown.Message, Is.EqualTo(
            "site 'campus': sbatch exited 1: "
            + "sbatch: error: Batch job submission failed: Invalid partition name specified"));
    }

    [Test]
    public async Task SubmitAsync_WhenSbatchPrintsNoJobId_Throws()
    {
        var client = CreateSut();
        Answer(0, "Submitted batch job\n");

        var thrown = (await Assert.ThrowsAsync<SlurmCommandException>(
            () => client.SubmitAsync(Site, WorkDir, "", ["--nodes=1"], CancellationToken.None)))!;

        Assert.That(thrown.ExitCode, Is.Zero);
        Assert.That(thrown.Stderr, Is.EqualTo("unexpected output 'Submitted batch job'"));
    }

    [Test]
    public async Task QueueAsync_WhenCalled_ListsAllStatesOfTheServiceUser()
    {
        var client = CreateSut();
        Answer(0, "42|RUNNING|None|campus-n1|2026-12-04T10:00:00|commons:k3v9x2m4q7ab\n");

        var queue = await client.QueueAsync(Site, CancellationToken.None);

        Assert.That(_calls[0].Command, Is.EqualTo(
            "SLURM_CONF='/etc/slurm/campus conf/slurm.conf' squeue --noheader --all --states=all "
            + "--user='svc-campus' --format='%i|%T|%r|%N|%S|%k'"));
        Assert.That(_calls[0].Idempotent, Is.True);
        Assert.That(queue, Is.EqualTo(new[]
        {
            new QueueEntry("42", "RUNNING", "None", "campus-n1", "commons:k3v9x2m4q7ab", "2026-12-04T10:00:00"),
        }));
    }

    [Test]
    public async Task QueueAsync_WhenSqueueFails_ThrowsWithItsStderr()
    {
        var client = CreateSut();
        Answer(1, "", "squeue: error: Unable to contact slurm controller (connect failure)");

        var thrown = (await Assert.ThrowsAsync<SlurmCommandException>(
            () => client.QueueAsync(Site, CancellationToken.None)))!;

        Assert.That(thrown.Command, Is.EqualTo("squeue"));
        Assert.That(thrown.Stderr, Is.EqualTo("squeue: error: Unable to contact slurm controller (connect failure)"));
    }

    [Test]
    public async Task CancelAsync_WhenJobIsKnown_RunsScancelWithTheQuotedId()
    {
        var client = CreateSut();
        Answer(0, "");

        await client.CancelAsync(Site, "4242", CancellationToken.None);

        Assert.That(_calls[0].Command, Is.EqualTo("SLURM_CONF='/etc/slurm/campus conf/slurm.conf' scancel '4242'"));
    }

    [Test]
    public async Task CancelAsync_WhenSlurmNoLongerKnowsTheJob_DoesNotThrow()
    {
        var client = CreateSut();
        Answer(1, "", "scancel: error: Kill job error on job id 4242: Invalid job id specified\n");

        await client.CancelAsync(Site, "4242", CancellationToken.None);

        Assert.That(_calls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task CancelAsync_WhenScancelFailsOtherwise_Throws()
    {
        var client = CreateSut();
        Answer(1, "", "scancel: error: Kill job error on job id 4242: Access/permission denied\n");

        var thrown = (await Assert.ThrowsAsync<SlurmCommandException>(
            () => client.CancelAsync(Site, "4242", CancellationToken.None)))!;

        Assert.That(thrown.Command, Is.EqualTo("scancel"));
        Assert.That(thrown.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public async Task LookupAsync_WhenSiteHasAccounting_AsksSacctForAllIdsAtOnce()
    {
        var client = CreateSut(accounting: true);
        Answer(0, "8|FAILED|3:0|campus-n1|2024-12-04T15:40:02|2024-12-04T15:40:03|None\n");

        var records = await client.LookupAsync(Site, ["8", "9"], CancellationToken.None);

        Assert.That(_calls, Has.Count.EqualTo(1));
        Assert.That(_calls[0].Command, Is.EqualTo(
            "SLURM_CONF='/etc/slurm/campus conf/slurm.conf' sacct --noheader --parsable2 --allocations --jobs='8,9' "
            + "--format=JobID,State,ExitCode,NodeList,Start,End,Reason"));
        Assert.That(records.Keys, Is.EquivalentTo(new[] { "8" }));
        Assert.That(records["8"].ExitCode, Is.EqualTo(3));
    }

    [Test]
    public async Task LookupAsync_WhenSacctFails_FallsBackToScontrol()
    {
        var client = CreateSut(accounting: true);
        _shell.SetupSequence(s => s.RunAsync(Site, It.IsAny<string>(), null, true, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CommandResult(1, [], "sacct: error: Problem talking to the database"))
            .ReturnsAsync(new CommandResult(0, "JobId=8 JobState=COMPLETED ExitCode=0:0\n"u8.ToArray(), ""));

        var records = await client.LookupAsync(Site, ["8"], CancellationToken.None);

        Assert.That(records["8"].State, Is.EqualTo("COMPLETED"));
    }

    [Test]
    public async Task LookupAsync_WhenSiteHasNoAccounting_LoopsScontrolOverQuotedIds()
    {
        var client = CreateSut();
        Answer(0, "JobId=8 JobState=COMPLETED ExitCode=0:0\n");

        await client.LookupAsync(Site, ["8", "10_1"], CancellationToken.None);

        Assert.That(_calls[0].Command, Is.EqualTo(
            "for j in '8' '10_1'; do SLURM_CONF='/etc/slurm/campus conf/slurm.conf' scontrol --oneliner show job "
            + "\"$j\" 2>/dev/null; done; true"));
    }

    [Test]
    public async Task LookupAsync_WhenNoIdsAreGiven_RunsNothing()
    {
        var client = CreateSut();

        var records = await client.LookupAsync(Site, [], CancellationToken.None);

        Assert.That(records, Is.Empty);
        _shell.VerifyNoOtherCalls();
    }

    [Test]
    public async Task ReadExitCodesAsync_WhenFilesExist_MapsEachFolderToItsCode()
    {
        var client = CreateSut();
        Answer(0, "/srv/commons/jobs/a|0\n/srv/commons/jobs/b|137\n/srv/commons/jobs/c|not a number\n");

        var codes = await client.ReadExitCodesAsync(
            Site, ["/srv/commons/jobs/a", "/srv/commons/jobs/b", "/srv/commons/jobs/c"], CancellationToken.None);

        Assert.That(codes, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["/srv/commons/jobs/a"] = 0,
            ["/srv/commons/jobs/b"] = 137,
        }));
    }

    [Test]
    public async Task ReadSubmittedIdAsync_WhenFileHoldsAnId_ReturnsIt()
    {
        var client = CreateSut();
        Answer(0, "4242\n");

        var id = await client.ReadSubmittedIdAsync(Site, WorkDir, CancellationToken.None);

        Assert.That(id, Is.EqualTo("4242"));
        Assert.That(_calls[0].Command, Is.EqualTo(
            "cat '/srv/commons/jobs/k3v9x2m4q7ab/slurm_job_id' 2>/dev/null || true"));
    }

    private SlurmClient CreateSut(bool accounting = false, string? binDir = null)
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
                Environment = new Dictionary<string, string> { ["SLURM_CONF"] = SlurmConf },
                Accounting = accounting,
                BinDir = binDir,
            },
            Partitions = [new SitePartition { Name = "gpu", MaxTime = "2-00:00:00", DefaultTime = "01:00:00" }],
            WorkDir = "/srv/commons/jobs",
        };
        return new SlurmClient(_shell.Object, new SiteRegistry([site]));
    }

    private void Answer(int exitCode, string stdout, string stderr = "") =>
        _shell
            .Setup(s => s.RunAsync(
                Site, It.IsAny<string>(), It.IsAny<byte[]?>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Callback((string _, string command, byte[]? stdin, bool idempotent, CancellationToken _) =>
                _calls.Add((command, stdin, idempotent)))
            .ReturnsAsync(new CommandResult(exitCode, Encoding.UTF8.GetBytes(stdout), stderr));
}
