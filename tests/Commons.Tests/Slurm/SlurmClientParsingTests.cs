using Commons.Bridge.Slurm;

namespace Commons.Tests.Slurm;

public sealed class SlurmClientParsingTests
{
    // `scontrol --oneliner show job` lines in the shape Slurm 22.05 prints them.
    private const string FailedWithExitThree =
        "JobId=8 JobName=cc-k3v9x2m4q7ab UserId=svc-campus(1001) GroupId=svc-campus(1001) MCS_label=N/A " +
        "Priority=4294901753 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode " +
        "Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:01 " +
        "TimeLimit=01:00:00 TimeMin=N/A SubmitTime=2024-12-04T15:40:01 EligibleTime=2024-12-04T15:40:01 " +
        "AccrueTime=2024-12-04T15:40:01 StartTime=2024-12-04T15:40:02 EndTime=2024-12-04T15:40:03 Deadline=N/A " +
        "SuspendTime=None SecsPreSuspend=0 LastSchedEval=2024-12-04T15:40:02 Scheduler=Main Partition=gpu " +
        "AllocNode:Sid=login:4242 ReqNodeList=(null) ExcNodeList=(null) NodeList=campus-n1 BatchHost=campus-n1 " +
        "NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,node=1,billing=1 " +
        "Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 " +
        "Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) " +
        "Command=/srv/commons/jobs/k3v9x2m4q7ab/job.sbatch WorkDir=/srv/commons/jobs/k3v9x2m4q7ab " +
        "Comment=commons:k3v9x2m4q7ab StdErr=/srv/commons/jobs/k3v9x2m4q7ab/output.log StdIn=/dev/null " +
        "StdOut=/srv/commons/jobs/k3v9x2m4q7ab/output.log Power=";

    private const string KilledBySigterm =
        "JobId=9 JobName=cc-m2n4p6q8r0st UserId=svc-campus(1001) GroupId=svc-campus(1001) MCS_label=N/A " +
        "Priority=4294901752 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=RaisedSignal:15(Terminated) " +
        "Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:00:05 " +
        "TimeLimit=01:00:00 TimeMin=N/A SubmitTime=2024-12-04T15:41:00 EligibleTime=2024-12-04T15:41:00 " +
        "AccrueTime=2024-12-04T15:41:00 StartTime=2024-12-04T15:41:00 EndTime=2024-12-04T15:41:05 Deadline=N/A " +
        "SuspendTime=None SecsPreSuspend=0 LastSchedEval=2024-12-04T15:41:00 Scheduler=Main Partition=gpu " +
        "AllocNode:Sid=login:4242 ReqNodeList=(null) ExcNodeList=(null) NodeList=campus-n1 BatchHost=campus-n1 " +
        "NumNodes=1 NumCPUs=2 NumTasks=1 CPUs/Task=2 ReqB:S:C:T=0:0:*:* TRES=cpu=2,node=1,billing=2 " +
        "Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=2 MinMemoryNode=0 MinTmpDiskNode=0 " +
        "Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) " +
        "Command=/srv/commons/jobs/m2n4p6q8r0st/job.sbatch WorkDir=/srv/commons/jobs/m2n4p6q8r0st " +
        "Comment=commons:m2n4p6q8r0st StdErr=/srv/commons/jobs/m2n4p6q8r0st/output.log StdIn=/dev/null " +
        "StdOut=/srv/commons/jobs/m2n4p6q8r0st/output.log Power= TresPerNode=gres:gpu:a100:1";

    private const string HeldByUser =
        "JobId=12 JobName=cc-h0ldh0ldh0ld UserId=svc-campus(1001) GroupId=svc-campus(1001) MCS_label=N/A " +
        "Priority=0 Nice=0 Account=(null) QOS=(null) JobState=PENDING Reason=JobHeldUser Dependency=(null) " +
        "Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=01:00:00 TimeMin=N/A " +
        "SubmitTime=2024-12-04T15:42:00 EligibleTime=Unknown AccrueTime=Unknown StartTime=Unknown " +
        "EndTime=Unknown Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2024-12-04T15:42:00 " +
        "Scheduler=Main Partition=gpu AllocNode:Sid=login:4242 ReqNodeList=(null) ExcNodeList=(null) " +
        "NodeList=(null) NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* " +
        "TRES=cpu=1,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 " +
        "MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 " +
        "Licenses=(null) Network=(null) Command=/srv/commons/jobs/h0ldh0ldh0ld/job.sbatch " +
        "WorkDir=/srv/commons/jobs/h0ldh0ldh0ld Comment=commons:h0ldh0ldh0ld StdErr=/dev/null StdIn=/dev/null " +
        "StdOut=/dev/null Power=";

    private static string ArrayTask(int jobId, int task, string state) =>
        $"JobId={jobId} ArrayJobId=10 ArrayTaskId={task} ArrayTaskThrottle=0 JobName=wrap " +
        "UserId=svc-campus(1001) GroupId=svc-campus(1001) MCS_label=N/A Priority=4294901750 Nice=0 " +
        $"Account=(null) QOS=(null) JobState={state} Reason=None Dependency=(null) Requeue=1 Restarts=0 " +
        "BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:01 TimeLimit=01:00:00 TimeMin=N/A " +
        "SubmitTime=2024-12-04T15:43:00 EligibleTime=2024-12-04T15:43:00 AccrueTime=2024-12-04T15:43:00 " +
        "StartTime=2024-12-04T15:43:01 EndTime=2024-12-04T15:43:02 Deadline=N/A Partition=gpu " +
        "NodeList=campus-n1 BatchHost=campus-n1 NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 " +
        "Command=(null) WorkDir=/tmp StdErr=/tmp/slurm-10_1.out StdIn=/dev/null StdOut=/tmp/slurm-10_1.out Power=";

    [TestCase("123", "123")]
    [TestCase("123\n", "123")]
    [TestCase("  77  \n", "77")]
    [TestCase("123;cluster", "123")]
    [TestCase("123;campus\n", "123")]
    [TestCase("123_4", "123_4")]
    [TestCase("123+1", "123+1")]
    public void ParseParsable_WhenOutputHasAJobId_ReturnsIt(string output, string expected)
    {
        var id = SlurmClient.ParseParsable(output);

        Assert.That(id, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("\n")]
    [TestCase("sbatch: error: Batch job submission failed")]
    [TestCase("Submitted batch job 123")]
    [TestCase("abc;cluster")]
    [TestCase("12a")]
    [TestCase("-1")]
    [TestCase("123_")]
    [TestCase("10_[1-2]")]
    public void ParseParsable_WhenOutputIsGarbage_ReturnsNull(string output)
    {
        var id = SlurmClient.ParseParsable(output);

        Assert.That(id, Is.Null);
    }

    [Test]
    public void ParseQueue_WhenGivenSqueueLines_ReadsEveryField()
    {
        const string output =
            "42|RUNNING|None|campus-n1|2026-12-04T10:00:00|commons:k3v9x2m4q7ab\n" +
            "43|PENDING|JobHeldUser||N/A|commons:h0ldh0ldh0ld\n" +
            "44_2|COMPLETING|None|campus-n[1-2]|2026-12-04T09:00:00|(null)\n";

        var entries = SlurmClient.ParseQueue(output);

        Assert.That(entries, Is.EqualTo(new[]
        {
            new QueueEntry("42", "RUNNING", "None", "campus-n1", "commons:k3v9x2m4q7ab", "2026-12-04T10:00:00"),
            new QueueEntry("43", "PENDING", "JobHeldUser", "", "commons:h0ldh0ldh0ld", "N/A"),
            new QueueEntry("44_2", "COMPLETING", "None", "campus-n[1-2]", "(null)", "2026-12-04T09:00:00"),
        }));
    }

    [Test]
    public void ParseQueue_WhenCommentHoldsABar_KeepsItInTheComment()
    {
        var entries = SlurmClient.ParseQueue("42|RUNNING|None|campus-n1|N/A|commons:a|b\n");

        Assert.That(entries.Single().Comment, Is.EqualTo("commons:a|b"));
    }

    [Test]
    public void ParseQueue_WhenLinesAreNotJobs_SkipsThem()
    {
        const string output =
            "JOBID|STATE|REASON|NODELIST|START_TIME|COMMENT\n" +
            "\n" +
            "squeue: error: slurm_load_jobs error: Unable to contact slurm controller\n" +
            "45|RUNNING|None\n" +
            "  46|PENDING|Priority||2026-12-04T11:30:00|commons:x  \n";

        var entries = SlurmClient.ParseQueue(output);

        Assert.That(entries, Is.EqualTo(new[] { new QueueEntry("46", "PENDING", "Priority", "", "commons:x", "2026-12-04T11:30:00") }));
    }

    [Test]
    public void ParseScontrol_WhenJobExitedWithThree_ReadsExitCodeNodeReasonAndTimes()
    {
        var records = SlurmClient.ParseScontrol(FailedWithExitThree + "\n");

        Assert.That(records.Keys, Is.EquivalentTo(new[] { "8" }));
        Assert.That(records["8"], Is.EqualTo(new JobRecord(
            "8", "FAILED", 3, null, "campus-n1", "NonZeroExitCode",
            Local(2024, 12, 4, 15, 40, 2), Local(2024, 12, 4, 15, 40, 3))));
    }

    [Test]
    public void ParseScontrol_WhenJobDiedOfASignal_ReadsTheSignal()
    {
        var records = SlurmClient.ParseScontrol(KilledBySigterm);

        Assert.That(records["9"], Is.EqualTo(new JobRecord(
            "9", "FAILED", 0, 15, "campus-n1", "RaisedSignal:15(Terminated)",
            Local(2024, 12, 4, 15, 41, 0), Local(2024, 12, 4, 15, 41, 5))));
    }

    [Test]
    public void ParseScontrol_WhenJobIsHeld_GivesNoNodeAndNoTimes()
    {
        var records = SlurmClient.ParseScontrol(HeldByUser);

        Assert.That(records["12"], Is.EqualTo(
            new JobRecord("12", "PENDING", 0, null, null, "JobHeldUser", null, null)));
    }

    [Test]
    public void ParseScontrol_WhenJobsAreArrayTasks_KeysThemByArrayJobAndTask()
    {
        var text = ArrayTask(10, 1, "COMPLETED") + "\n" + ArrayTask(11, 2, "RUNNING") + "\n";

        var records = SlurmClient.ParseScontrol(text);

        Assert.That(records.Keys, Is.EquivalentTo(new[] { "10_1", "10_2" }));
        Assert.That(records["10_1"].SlurmJobId, Is.EqualTo("10_1"));
        Assert.That(records["10_2"].State, Is.EqualTo("RUNNING"));
        Assert.That(records["10_2"].Reason, Is.Null);
    }

    [Test]
    public void ParseScontrol_WhenOutputMixesJobsAndErrors_KeepsOnlyTheJobs()
    {
        var text = "slurm_load_jobs error: Invalid job id specified\n\n" + FailedWithExitThree + "\n"
            + "JobId=99\n" + HeldByUser + "\n";

        var records = SlurmClient.ParseScontrol(text);

        Assert.That(records.Keys, Is.EquivalentTo(new[] { "8", "12" }));
    }

    [Test]
    public void ParseSacct_WhenGivenParsable2Lines_ReadsEveryField()
    {
        const string output =
            "8|FAILED|3:0|campus-n1|2024-12-04T15:40:02|2024-12-04T15:40:03|None\n" +
            "9|CANCELLED by 1001|0:15|campus-n1|2024-12-04T15:41:00|2024-12-04T15:41:05|None\n" +
            "10_1|COMPLETED|0:0|campus-n1|2024-12-04T15:43:01|2024-12-04T15:43:02|None\n" +
            "12|PENDING|0:0|None assigned|Unknown|Unknown|JobHeldUser\n";

        var records = SlurmClient.ParseSacct(output);

        Assert.That(records.Keys, Is.EquivalentTo(new[] { "8", "9", "10_1", "12" }));
        Assert.That(records["8"], Is.EqualTo(new JobRecord(
            "8", "FAILED", 3, null, "campus-n1", null,
            Local(2024, 12, 4, 15, 40, 2), Local(2024, 12, 4, 15, 40, 3))));
        Assert.That(records["9"], Is.EqualTo(new JobRecord(
            "9", "CANCELLED by 1001", 0, 15, "campus-n1", null,
            Local(2024, 12, 4, 15, 41, 0), Local(2024, 12, 4, 15, 41, 5))));
        Assert.That(records["10_1"].ExitCode, Is.Zero);
        Assert.That(records["12"], Is.EqualTo(
            new JobRecord("12", "PENDING", 0, null, null, "JobHeldUser", null, null)));
    }

    [Test]
    public void ParseSacct_WhenLinesAreStepsOrShort_SkipsThem()
    {
        const string output =
            "8.batch|FAILED|3:0|campus-n1|2024-12-04T15:40:02|2024-12-04T15:40:03|None\n" +
            "8.extern|COMPLETED|0:0|campus-n1|2024-12-04T15:40:02|2024-12-04T15:40:03|None\n" +
            "8|FAILED|3:0\n" +
            "sacct: error: Problem talking to the database\n";

        var records = SlurmClient.ParseSacct(output);

        Assert.That(records, Is.Empty);
    }

    [Test]
    public void ParseSacct_WhenReasonColumnIsMissing_LeavesReasonNull()
    {
        var records = SlurmClient.ParseSacct("8|COMPLETED|0:0|campus-n1|Unknown|Unknown\n");

        Assert.That(records["8"], Is.EqualTo(new JobRecord("8", "COMPLETED", 0, null, "campus-n1", null, null, null)));
    }

    [TestCase("0:0", 0, null)]
    [TestCase("3:0", 3, null)]
    [TestCase("0:15", 0, 15)]
    [TestCase("137:9", 137, 9)]
    [TestCase("255", 255, null)]
    [TestCase("x:9", null, 9)]
    [TestCase("garbage", null, null)]
    [TestCase("", null, null)]
    [TestCase(null, null, null)]
    public void ParseExitCode_WhenGivenSlurmExitCode_SplitsExitAndSignal(string? text, int? exit, int? signal)
    {
        var parsed = SlurmClient.ParseExitCode(text);

        Assert.That(parsed, Is.EqualTo((exit, signal)));
    }

    // Slurm prints times in the login node's local time without a zone; the parser reads them as local time.
    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute, int second) =>
        new(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Local));
}
