using Commons.Bridge.Broker;
using Commons.Bridge.Data;
using Commons.Bridge.Jobs;
using Commons.Bridge.Polling;
using Commons.Bridge.Quota;
using Commons.Bridge.Rendering;
using Commons.Bridge.Sites;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Commons.Contracts;
using Commons.Tests.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Commons.Tests.Jobs;

/// <summary>
/// The bridge's job path over a real, migrated SQLite database, with the cluster's login node played by a mocked
/// <see cref="ISiteShell"/> and the user's tier by a mocked <see cref="ITierLimitsSource"/>: the two seams. sbatch
/// answers with ids from 1001 on; squeue, sacct and scancel answer what a test sets.
/// </summary>
internal sealed class JobServiceRig : IDisposable
{
    public const string Site = "campus";
    public const string User = "alice";

    /// <summary>Limits that let every job of these tests through.</summary>
    public static readonly TierLimits Generous = new("maintainer", 2000, 8, 2880, null);

    public static readonly DateTimeOffset Start = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);

    private readonly DataTestFolder _data = new();
    private int _nextSlurmId = 1000;

    public JobServiceRig()
    {
        Shell.Setup(s => s.RunAsync(
                Site, It.IsAny<string>(), It.IsAny<byte[]?>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns((string _, string command, byte[]? _, bool _, CancellationToken _) =>
                Task.FromResult(Answer(command)));
        GiveTier(Generous);

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
            Slurm = new SiteSlurm { Accounting = true },
            Partitions =
            [
                new SitePartition
                {
                    Name = "gpu",
                    Default = true,
                    CpusPerNode = 8,
                    Gpus = new Dictionary<string, int> { ["a100"] = 4, ["l40s"] = 4 },
                    MaxTime = "2-00:00:00",
                    DefaultTime = "10:00:00",
                    MaxTimeMinutes = 2880,
                    DefaultTimeMinutes = 600,
                },
            ],
            Runtime = new SiteRuntime
            {
                Models = new Dictionary<string, SiteModelRuntime> { ["ollama"] = new() },
            },
            WorkDir = "/srv/commons/jobs",
        };
        Sites = new SiteRegistry([site]);
        Store = new JobStore(_data.Database, Time);
        Ledger = new QuotaLedger(_data.Database, Store, Time);
        var slurm = new SlurmClient(Shell.Object, Sites);
        var validator = new JobRequestValidator(new TemplateCatalog(RepoPaths.Templates), new SitePicker(Sites));
        Service = new JobService(
            validator, Store, Ledger, Tiers.Object, slurm, Sites, new SiteActivity(Time),
            NullLogger<JobService>.Instance);
        Poller = new SitePoller(Store, slurm, Service, Sites, Time, NullLogger<SitePoller>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public Mock<ISiteShell> Shell { get; } = new();

    public Mock<ITierLimitsSource> Tiers { get; } = new();

    public SiteRegistry Sites { get; }

    public JobStore Store { get; }

    public QuotaLedger Ledger { get; }

    public JobService Service { get; }

    public SitePoller Poller { get; }

    public DataTestFolder Data => _data;

    /// <summary>What squeue lists, in its <c>%i|%T|%r|%N|%S|%k</c> format; nothing by default.</summary>
    public string Queue { get; set; } = "";

    /// <summary>What sacct answers, in its parsable format; nothing by default.</summary>
    public string Accounting { get; set; } = "";

    /// <summary>What the loop over the jobs' exit-code files prints (<c>FOLDER|CODE</c> lines).</summary>
    public string ExitCodeFiles { get; set; } = "";

    /// <summary>sbatch's stderr when it should refuse; null to accept.</summary>
    public string? SbatchRefusal { get; set; }

    /// <summary>Every command the login node was asked to run.</summary>
    public List<string> Commands { get; } = [];

    /// <summary>Makes every user's tier the one given.</summary>
    public void GiveTier(TierLimits limits) =>
        Tiers.Setup(t => t.ForUserAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(limits);

    /// <summary>Migrates the database and adds the users the tests submit as.</summary>
    public async Task<JobServiceRig> StartAsync()
    {
        await _data.Database.MigrateAsync(CancellationToken.None);
        await _data.ExecuteAsync($"INSERT INTO users (id, created_at) VALUES ('{User}', 0), ('bob', 0)");
        return this;
    }

    public static SubmitJobRequest Request(string requestId, string? gpus = "a100:1", string? time = "1h") =>
        new(requestId, ["python", "train.py"], Resources: new JobResources(gpus, Time: time));

    public async Task<JobRow> SubmitAsync(SubmitJobRequest request)
    {
        var outcome = await Service.SubmitAsync(User, request, CancellationToken.None);
        Assert.That(outcome.Refusal, Is.Null, outcome.Refusal?.Detail);
        return outcome.Job!;
    }

    /// <summary>A job row as the service would build it, for tests that call the ledger or the store.</summary>
    public JobRow Row(string requestId, int gpus, int minutes, string user = User)
    {
        var id = JobIds.New();
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        return new JobRow
        {
            Id = id,
            UserId = user,
            RequestId = requestId,
            Name = "train",
            Template = "command",
            Site = Site,
            Partition = "gpu",
            State = JobStates.Submitting,
            Gpus = gpus > 0 ? $"a100:{gpus}" : null,
            GpuCount = gpus,
            Cpus = 1,
            TimeMinutes = minutes,
            CommandJson = "[\"python\",\"train.py\"]",
            WorkDir = $"/srv/commons/jobs/{id}",
            Script = "#!/bin/bash\n",
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Reserves a job through the ledger and fails the test if it is refused.</summary>
    public async Task<JobRow> ReserveAsync(JobRow row, TierLimits limits)
    {
        var reservation = await Ledger.ReserveAsync(row, "a100", limits, CancellationToken.None);
        Assert.That(reservation.Refusal, Is.Null, reservation.Refusal?.Detail);
        return reservation.Job!;
    }

    /// <summary>Ends a job as a poll would, with the start and end given (null start: it never ran).</summary>
    public async Task EndAsync(
        JobRow job, DateTimeOffset? startedAt, DateTimeOffset endedAt, string state = JobStates.Succeeded)
    {
        job.State = state;
        job.StartedAt = startedAt?.ToUnixTimeMilliseconds();
        job.EndedAt = endedAt.ToUnixTimeMilliseconds();
        await Store.UpdateProgressAsync(job, CancellationToken.None);
    }

    public async Task<JobRow> ReadAsync(string id) => (await Store.GetAsync(id, CancellationToken.None))!;

    public void Dispose() => _data.Dispose();

    private CommandResult Answer(string command)
    {
        lock (Commands)
        {
            Commands.Add(command);
        }

        string? stdout = null;
        if (command.Contains("sbatch --parsable", StringComparison.Ordinal))
        {
            if (SbatchRefusal is not null)
            {
                return new CommandResult(1, [], SbatchRefusal);
            }

            stdout = $"{Interlocked.Increment(ref _nextSlurmId)}\n";
        }
        else if (command.Contains("squeue", StringComparison.Ordinal))
        {
            stdout = Queue;
        }
        else if (command.Contains("sacct", StringComparison.Ordinal))
        {
            stdout = Accounting;
        }
        else if (command.Contains(SlurmClient.ExitCodeFile, StringComparison.Ordinal))
        {
            stdout = ExitCodeFiles;
        }

        return new CommandResult(0, System.Text.Encoding.UTF8.GetBytes(stdout ?? ""), "");
    }
}
