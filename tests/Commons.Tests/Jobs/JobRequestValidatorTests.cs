using Commons.Bridge.Broker;
using Commons.Bridge.Jobs;
using Commons.Bridge.Rendering;
using Commons.Bridge.Sites;
using Commons.Contracts;

namespace Commons.Tests.Jobs;

public sealed class JobRequestValidatorTests
{
    private static readonly string[] Echo = ["/bin/echo", "hello"];

    [Test]
    public void Validate_WhenRequestIsMinimal_FillsTheDefaults()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(new SubmitJobRequest("req-1", Echo));

        Assert.That(errors, Is.Empty);
        Assert.That(job, Is.Not.Null);
        Assert.That(job!.RequestId, Is.EqualTo("req-1"));
        Assert.That(job.Name, Is.EqualTo("echo"));
        Assert.That(job.Template.Name, Is.EqualTo("command"));
        Assert.That(job.Command, Is.EqualTo(Echo));
        Assert.That(job.Placement.Site.Name, Is.EqualTo("campus"));
        Assert.That(job.Placement.Partition.Name, Is.EqualTo("gpu"));
        Assert.That(job.Placement.GpuType, Is.Null);
        Assert.That(job.GpuCount, Is.Zero);
        Assert.That(job.Cpus, Is.EqualTo(1));
        Assert.That(job.MemoryMb, Is.Null);
        Assert.That(job.TimeMinutes, Is.EqualTo(60));
        Assert.That(job.Environment, Is.Empty);
    }

    [Test]
    public void Validate_WhenEveryResourceIsGiven_KeepsThem()
    {
        var validator = CreateSut();
        var resources = new JobResources(Gpus: "A100:2", Cpus: 2, Memory: "3G", Time: "1-12:00:00");
        var request = new SubmitJobRequest("req-1", Echo, Name: "my.run_1", Resources: resources, Site: "campus");

        var (job, errors) = validator.Validate(request);

        Assert.That(errors, Is.Empty);
        Assert.That(job!.Name, Is.EqualTo("my.run_1"));
        Assert.That(job.Placement.GpuType, Is.EqualTo("a100"));
        Assert.That(job.GpuCount, Is.EqualTo(2));
        Assert.That(job.Cpus, Is.EqualTo(2));
        Assert.That(job.MemoryMb, Is.EqualTo(3072));
        Assert.That(job.TimeMinutes, Is.EqualTo(2160));
    }

    [TestCase("512M", 512)]
    [TestCase("4096", 4096)]
    [TestCase("4G", 4096)]
    [TestCase("4GB", 4096)]
    [TestCase("4GiB", 4096)]
    [TestCase("1025K", 2)]
    [TestCase("1m", 1)]
    public void Validate_WhenMemoryHasAUnit_ConvertsItToMiB(string memory, int mb)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Memory: memory)));

        Assert.That(errors, Is.Empty);
        Assert.That(job!.MemoryMb, Is.EqualTo(mb));
    }

    [Test]
    public void Validate_WhenGpusHaveNoType_AsksForThatManyOfAnyType()
    {
        var validator = CreateSut();

        var (job, _) = validator.Validate(Request(resources: new JobResources(Gpus: "4")));

        Assert.That(job!.GpuCount, Is.EqualTo(4));
        Assert.That(job.Placement.GpuType, Is.Null);
    }

    [Test]
    public void Validate_WhenEnvironmentValuesHoldShellText_KeepsThemUnchanged()
    {
        var validator = CreateSut();
        var environment = new Dictionary<string, string>
        {
            ["MULTI"] = "line one\nline two",
            ["QUOTES"] = "it's \"here\"",
            ["LIST"] = "a,b,c",
            ["SUBST"] = "$(id) `id` $HOME",
            ["_lower9"] = "",
        };

        var (job, errors) = validator.Validate(Request(environment: environment));

        Assert.That(errors, Is.Empty);
        Assert.That(job!.Environment, Is.EquivalentTo(environment));
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("slash/y")]
    [TestCase("dot.ted")]
    [TestCase("ünïcode")]
    [TestCase("new\nline")]
    public void Validate_WhenRequestIdIsBad_ReportsRequestId(string requestId)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(requestId: requestId));

        AssertOnlyError(job, errors, "requestId", "required: 1 to 64 characters of letters, digits, '-' and '_'");
    }

    [Test]
    public void Validate_WhenRequestIdIs65Characters_ReportsRequestId()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(requestId: new string('a', 65)));

        AssertOnlyError(job, errors, "requestId", "required: 1 to 64 characters of letters, digits, '-' and '_'");
    }

    [Test]
    public void Validate_WhenRequestIdIs64Characters_AcceptsIt()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(requestId: new string('a', 32) + new string('Z', 30) + "-_"));

        Assert.That(errors, Is.Empty);
        Assert.That(job, Is.Not.Null);
    }

    [Test]
    public void Validate_WhenCommandIsEmpty_ReportsCommand()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(command: []));

        Assert.That(job, Is.Null);
        Assert.That(errors["command"], Is.EqualTo(new[] { "required: the command to run and its arguments" }));
    }

    [Test]
    public void Validate_WhenCommandIsMissing_ReportsCommand()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(new SubmitJobRequest("req-1", null, Name: "x"));

        AssertOnlyError(job, errors, "command", "required: the command to run and its arguments");
    }

    [Test]
    public void Validate_WhenACommandWordHasNul_ReportsThatWordByIndex()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(command: ["echo", "a\0b"]));

        AssertOnlyError(job, errors, "command[1]", "contains a NUL character, which no program can receive");
    }

    // JSON such as ["echo", null] reaches the validator as a null word; passing it on would make the renderer throw
    // a NullReferenceException while quoting the command, after the request was accepted.
    [Test]
    public void Validate_WhenACommandWordIsNull_ReportsThatWordByIndex()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(command: ["echo", null!]));

        Assert.That(job, Is.Null);
        Assert.That(errors.Keys, Is.EqualTo(new[] { "command[1]" }));
    }

    [Test]
    public void Validate_WhenCommandIsTooLong_ReportsItsSize()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(command: ["echo", new string('x', 128 * 1024)]));

        AssertOnlyError(job, errors, "command", "131078 bytes; at most 131072 (put long input in a file)");
    }

    [Test]
    public void Validate_WhenAnEnvironmentNameHasANewline_ReportsItEscaped()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(environment: new Dictionary<string, string> { ["A\nB"] = "x" }));

        AssertOnlyError(job, errors, "environment.A\\u000aB", "the name contains a line break or NUL");
    }

    [TestCase("A-B")]
    [TestCase("1ABC")]
    [TestCase("A B")]
    [TestCase("A=B")]
    [TestCase("")]
    public void Validate_WhenAnEnvironmentNameIsNotAName_ReportsThatName(string name)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(environment: new Dictionary<string, string> { [name] = "x" }));

        AssertOnlyError(
            job, errors, $"environment.{name}",
            "not a variable name: expected a letter or '_' first, then letters, digits and '_'");
    }

    [TestCase("SLURM_JOB_ID", "SLURM_")]
    [TestCase("SBATCH_PARTITION", "SBATCH_")]
    [TestCase("SALLOC_GRES", "SALLOC_")]
    [TestCase("SRUN_CPUS_PER_TASK", "SRUN_")]
    [TestCase("COMMONS_X", "COMMONS_")]
    [TestCase("COMMONS_JOB_DIR", "COMMONS_")]
    public void Validate_WhenAnEnvironmentNameIsReserved_ReportsThePrefix(string name, string prefix)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(environment: new Dictionary<string, string> { [name] = "x" }));

        AssertOnlyError(
            job, errors, $"environment.{name}", $"names starting with {prefix} are reserved for Slurm and the commons");
    }

    [Test]
    public void Validate_WhenAnEnvironmentValueHasNul_ReportsThatVariable()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(environment: new Dictionary<string, string> { ["A"] = "x\0y" }));

        AssertOnlyError(job, errors, "environment.A", "the value is missing or contains a NUL character");
    }

    [Test]
    public void Validate_WhenTooManyVariablesAreGiven_ReportsTheCount()
    {
        var validator = CreateSut();
        var environment = Enumerable.Range(0, 129).ToDictionary(i => $"V{i}", _ => "x");

        var (job, errors) = validator.Validate(Request(environment: environment));

        AssertOnlyError(job, errors, "environment", "129 variables; at most 128");
    }

    [Test]
    public void Validate_WhenGpuTypeIsUnknown_ListsTheTypesOffered()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Gpus: "h100:1")));

        AssertOnlyError(job, errors, "resources.gpus", "unknown GPU type 'h100'; GPU types offered: a100");
    }

    [Test]
    public void Validate_WhenMoreGpusThanANodeHas_SaysHowManyFit()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Gpus: "a100:9")));

        AssertOnlyError(job, errors, "resources.gpus", "9 GPUs asked; at most 4 fit on one node");
    }

    [TestCase("x:y")]
    [TestCase("a100:")]
    [TestCase(":2")]
    [TestCase("a100:1:2")]
    [TestCase("two")]
    [TestCase("1000")]
    public void Validate_WhenGpusAreMalformed_ReportsTheFormat(string gpus)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Gpus: gpus)));

        AssertOnlyError(job, errors, "resources.gpus", $"'{gpus}' is not TYPE:COUNT (such as h100:1) or COUNT");
    }

    [TestCase("0")]
    [TestCase("a100:0")]
    [TestCase("65")]
    public void Validate_WhenGpuCountIsOutOfRange_ReportsTheCount(string gpus)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Gpus: gpus)));

        Assert.That(job, Is.Null);
        Assert.That(errors.Keys, Is.EqualTo(new[] { "resources.gpus" }));
        Assert.That(errors["resources.gpus"][0], Does.EndWith("GPUs; expected 1 to 64"));
    }

    [Test]
    public void Validate_WhenMoreCpusThanANodeHas_SaysHowManyFit()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Cpus: 3)));

        AssertOnlyError(job, errors, "resources.cpus", "3 CPUs asked; at most 2 fit on one node");
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(4097)]
    public void Validate_WhenCpusAreOutOfRange_ReportsCpus(int cpus)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Cpus: cpus)));

        AssertOnlyError(job, errors, "resources.cpus", $"{cpus} is not a CPU count from 1 to 4096");
    }

    [Test]
    public void Validate_WhenMoreMemoryThanANodeHas_SaysWhatANodeHas()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Memory: "5G")));

        AssertOnlyError(job, errors, "resources.memory", "5120 MiB asked; a node of partition 'gpu' has 4096 MiB");
    }

    [TestCase("12Q")]
    [TestCase("lots")]
    [TestCase("-1G")]
    [TestCase("1.5G")]
    [TestCase("G")]
    public void Validate_WhenMemoryIsMalformed_ReportsTheFormat(string memory)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Memory: memory)));

        AssertOnlyError(job, errors, "resources.memory", $"'{memory}' is not a size such as 512M, 16G or 1T");
    }

    [Test]
    public void Validate_WhenMemoryIsZero_ReportsTheRange()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Memory: "0M")));

        AssertOnlyError(job, errors, "resources.memory", "'0M' is outside 1 MiB to 2 PiB");
    }

    [Test]
    public void Validate_WhenTimeIsLongerThanThePartitionAllows_SaysTheLongest()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Time: "3d")));

        AssertOnlyError(
            job, errors, "resources.time", "4320 minutes asked; the longest walltime offered is 2880 minutes");
    }

    [Test]
    public void Validate_WhenTimeIsExactlyTheMaximum_AcceptsIt()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Time: "2d")));

        Assert.That(errors, Is.Empty);
        Assert.That(job!.TimeMinutes, Is.EqualTo(2880));
    }

    [TestCase("soon")]
    [TestCase("0")]
    [TestCase("UNLIMITED")]
    [TestCase("")]
    public void Validate_WhenTimeIsNotAWalltime_ReportsTheFormat(string time)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(resources: new JobResources(Time: time)));

        AssertOnlyError(
            job, errors, "resources.time", $"'{time}' is not a walltime; use 30m, 2h, 1d, HH:MM:SS or D-HH:MM:SS");
    }

    [Test]
    public void Validate_WhenSiteIsUnknown_ListsTheKnownSites()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(site: "nowhere"));

        AssertOnlyError(job, errors, "site", "no site named 'nowhere'; known sites: campus");
    }

    [TestCase("my job")]
    [TestCase("a/b")]
    [TestCase("")]
    public void Validate_WhenNameIsBad_ReportsName(string name)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(name: name));

        AssertOnlyError(job, errors, "name", "1 to 64 characters of letters, digits, '.', '_' and '-'");
    }

    [TestCase("/usr/bin/python3", "python3")]
    [TestCase("./run me.sh", "run-me.sh")]
    [TestCase("$(id)", "id")]
    [TestCase("日本", "job")]
    public void Validate_WhenNameIsLeftOut_DerivesItFromTheCommand(string program, string name)
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request(command: [program]));

        Assert.That(errors, Is.Empty);
        Assert.That(job!.Name, Is.EqualTo(name));
    }

    [Test]
    public void Validate_WhenTemplateIsUnknown_ListsTheKnownTemplates()
    {
        var validator = CreateSut();

        var (job, errors) = validator.Validate(Request() with { Template = "notebook" });

        AssertOnlyError(job, errors, "template", "no template named 'notebook'; known: command, ollama");
    }

    [Test]
    public void Validate_WhenSeveralFieldsAreBad_ReportsEachUnderItsKey()
    {
        var validator = CreateSut();
        var request = new SubmitJobRequest(
            "bad id", [], Name: "bad name", Resources: new JobResources("x:y", 0, "12Q", "soon"),
            Environment: new Dictionary<string, string> { ["SLURM_X"] = "1" });

        var (job, errors) = validator.Validate(request);

        Assert.That(job, Is.Null);
        Assert.That(errors.Keys, Is.EquivalentTo(new[]
        {
            "requestId", "command", "name", "environment.SLURM_X", "resources.gpus", "resources.cpus",
            "resources.memory", "resources.time",
        }));
    }

    private static JobRequestValidator CreateSut()
    {
        var site = new SiteConfig
        {
            Name = "campus",
            Login = new SiteLogin
            {
                Host = "127.0.0.1",
                Port = 2822,
                User = "svc-campus",
                KeyFile = "/keys/svc-campus",
                HostKeySha256 = "SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM",
            },
            Partitions =
            [
                new SitePartition
                {
                    Name = "gpu",
                    Default = true,
                    CpusPerNode = 2,
                    MemoryPerNodeMb = 4096,
                    Gpus = new Dictionary<string, int> { ["a100"] = 4 },
                    MaxTime = "2-00:00:00",
                    DefaultTime = "01:00:00",
                    MaxTimeMinutes = 2880,
                    DefaultTimeMinutes = 60,
                },
            ],
            WorkDir = "/srv/commons/jobs",
        };
        var picker = new SitePicker(new SiteRegistry([site]));
        return new JobRequestValidator(new TemplateCatalog(RepoPaths.Templates), picker);
    }

    private static SubmitJobRequest Request(
        string requestId = "req-1",
        IReadOnlyList<string>? command = null,
        string? name = null,
        JobResources? resources = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? site = null) =>
        new(requestId, command ?? Echo, Name: name, Resources: resources, Environment: environment, Site: site);

    private static void AssertOnlyError(
        ValidatedJob? job, Dictionary<string, string[]> errors, string field, string message)
    {
        Assert.That(job, Is.Null);
        Assert.That(errors.Keys, Is.EqualTo(new[] { field }));
        Assert.That(errors[field], Is.EqualTo(new[] { message }));
    }
}
