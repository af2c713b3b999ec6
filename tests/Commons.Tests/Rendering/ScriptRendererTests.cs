using System.Diagnostics;
using System.Text;
using Commons.Bridge.Rendering;
using Commons.Bridge.Sites;
using Commons.Bridge.Ssh;

namespace Commons.Tests.Rendering;

public sealed class ScriptRendererTests
{
    private const string JobId = "k3v9x2m4q7ab";
    private const string TrickyValue = "first line\nsecond 'quoted' \"double\", a,b,c $(id) `id` $HOME";

    private static readonly string[] TrainCommand = ["python3", "train.py", "--lr", "0.1", "--note", "it's $HOME"];

    [Test]
    public void Render_WhenGivenTheCommandTemplate_MatchesTheStoredScript()
    {
        var rendered = CreateSut(TrainCommand);

        AssertMatchesExpected(rendered.Script, "command.sbatch");
    }

    [Test]
    public void Render_WhenGivenAPlan_WritesTheSbatchOptionsAsTheHeader()
    {
        var rendered = CreateSut(TrainCommand);

        var lines = rendered.Script.Split('\n');
        var header = lines.Skip(1).TakeWhile(l => l.StartsWith("#SBATCH ", StringComparison.Ordinal))
            .Select(l => l["#SBATCH ".Length..]);
        Assert.That(lines[0], Is.EqualTo("#!/bin/bash"));
        Assert.That(header, Is.EqualTo(rendered.SbatchOptions));
    }

    [Test]
    public void SbatchOptions_WhenGivenAPlan_ListsEveryResourceExactly()
    {
        var plan = Plan(TrainCommand);

        var options = ScriptRenderer.SbatchOptions(plan);

        Assert.That(options, Is.EqualTo(new[]
        {
            "--job-name=cc-k3v9x2m4q7ab",
            "--comment=commons:k3v9x2m4q7ab",
            "--output=/srv/commons/jobs/k3v9x2m4q7ab/output.log",
            "--chdir=/srv/commons/jobs/k3v9x2m4q7ab",
            "--partition=gpu",
            "--time=0-01:30:00",
            "--nodes=1",
            "--ntasks=1",
            "--cpus-per-task=2",
            "--gres=gpu:a100:2",
            "--mem=3072M",
            "--account=commons",
            "--qos=normal",
        }));
    }

    [Test]
    public void SbatchOptions_WhenNoGpusMemoryAccountOrQos_LeavesThoseOut()
    {
        var plan = Plan(TrainCommand) with
        {
            Site = Site() with { Slurm = new SiteSlurm() },
            GpuType = null,
            GpuCount = 0,
            MemoryMb = null,
        };

        var options = ScriptRenderer.SbatchOptions(plan);

        Assert.That(options, Has.None.StartsWith("--gres"));
        Assert.That(options, Has.None.StartsWith("--mem"));
        Assert.That(options, Has.None.StartsWith("--account"));
        Assert.That(options, Has.None.StartsWith("--qos"));
        Assert.That(options, Has.Count.EqualTo(9));
    }

    [Test]
    public void SbatchOptions_WhenGpusHaveNoType_AsksForAnyGpu()
    {
        var plan = Plan(TrainCommand) with { GpuType = null, GpuCount = 3 };

        var options = ScriptRenderer.SbatchOptions(plan);

        Assert.That(options, Does.Contain("--gres=gpu:3"));
    }

    [Test]
    public void Render_WhenAnEnvironmentValueIsHostile_ExportsItSingleQuoted()
    {
        var rendered = CreateSut(TrainCommand);

        Assert.That(rendered.Script, Does.Contain(
            "\nexport TRICKY='first line\nsecond '\\''quoted'\\'' \"double\", a,b,c $(id) `id` $HOME'\n"));
        Assert.That(rendered.Script, Does.Contain("\nexport TRICKY=" + ShellQuote.Quote(TrickyValue) + "\n"));
    }

    [Test]
    public void Render_WhenCommandWordsCarryShellText_PassesEachAsOneQuotedWord()
    {
        var rendered = CreateSut(["sh", "-c", "echo $(id); rm -rf ~"]);

        Assert.That(rendered.Script, Does.Contain("\nexec 'sh' '-c' 'echo $(id); rm -rf ~'\n"));
    }

    [Test]
    public void Render_WhenACommandWordLooksLikeADirective_KeepsItInTheBodyAfterTheFirstCommand()
    {
        var rendered = CreateSut(["echo", "#SBATCH --gres=gpu:8"]);

        var lines = rendered.Script.Split('\n');
        var firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        var open = Array.IndexOf(lines, "(");
        var close = Array.IndexOf(lines, ")");
        var word = Array.FindIndex(lines, l => l.Contains("#SBATCH --gres=gpu:8", StringComparison.Ordinal));
        Assert.That(lines[firstCommand], Is.EqualTo("export COMMONS_JOB_ID='k3v9x2m4q7ab'"));
        Assert.That(firstCommand, Is.LessThan(open));
        Assert.That(word, Is.GreaterThan(open));
        Assert.That(word, Is.LessThan(close));
        Assert.That(lines[word], Is.EqualTo("exec 'echo' '#SBATCH --gres=gpu:8'"));
    }

    [Test]
    public void Render_WhenACommandWordStartsANewDirectiveLine_KeepsThatLineAfterTheFirstCommand()
    {
        var rendered = CreateSut(["echo", "x\n#SBATCH --gres=gpu:8\n"]);

        var lines = rendered.Script.Split('\n');
        var firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        var lastHeader = Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH --", StringComparison.Ordinal)
            && !l.Contains("gpu:8", StringComparison.Ordinal));
        var open = Array.IndexOf(lines, "(");
        var smuggled = Array.FindIndex(lines, l => l.StartsWith("#SBATCH --gres=gpu:8", StringComparison.Ordinal));
        Assert.That(lastHeader, Is.LessThan(firstCommand));
        Assert.That(smuggled, Is.GreaterThan(firstCommand));
        Assert.That(smuggled, Is.GreaterThan(open));
        Assert.That(lines[smuggled], Is.EqualTo("#SBATCH --gres=gpu:8"));
        Assert.That(lines[smuggled + 1], Is.EqualTo("'"));
    }

    [Test]
    public void Render_WhenAnEnvironmentValueStartsANewDirectiveLine_KeepsThatLineAfterTheFirstCommand()
    {
        var environment = new Dictionary<string, string> { ["X"] = "a\n#SBATCH --partition=admin" };
        var rendered = CreateSut(TrainCommand, environment);

        var lines = rendered.Script.Split('\n');
        var firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        var smuggled = Array.FindIndex(lines, l => l.StartsWith("#SBATCH --partition=admin", StringComparison.Ordinal));
        Assert.That(smuggled, Is.GreaterThan(firstCommand));
    }

    [Test]
    public void Render_WhenRendered_EndsByRecordingTheExitCodeAndExitingWithIt()
    {
        var rendered = CreateSut(TrainCommand);

        Assert.That(rendered.Script, Does.EndWith(
            ")\ncommons_rc=$?\nprintf '%s\\n' \"$commons_rc\" > \"$COMMONS_JOB_DIR/exit_code.tmp\" && "
            + "mv \"$COMMONS_JOB_DIR/exit_code.tmp\" \"$COMMONS_JOB_DIR/exit_code\"\nexit \"$commons_rc\"\n"));
    }

    [Test]
    public void Render_WhenRunByBash_RunsTheCommandWithItsEnvironmentAndRecordsTheExitCode()
    {
        var workDir = Directory.CreateTempSubdirectory("commons-render-");
        try
        {
            var plan = Plan(["sh", "-c", "printf '%s|%s' \"$TRICKY\" \"$COMMONS_JOB_ID\"; exit 3"]) with
            {
                Site = Site() with { WorkDir = workDir.FullName, Runtime = new SiteRuntime(), ScratchDir = null },
            };
            var template = CommandTemplate();
            Directory.CreateDirectory(plan.WorkDir);

            var rendered = ScriptRenderer.Render(template, plan);
            var (exitCode, stdout) = RunBash(rendered.Script);

            Assert.That(exitCode, Is.EqualTo(3));
            Assert.That(stdout, Is.EqualTo(TrickyValue + "|" + JobId));
            Assert.That(File.ReadAllText(Path.Combine(plan.WorkDir, "exit_code")), Is.EqualTo("3\n"));
            Assert.That(File.Exists(Path.Combine(plan.WorkDir, "exit_code.tmp")), Is.False);
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    private static RenderedJob CreateSut(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? env = null)
    {
        var template = CommandTemplate();
        var plan = Plan(command);
        if (env is not null)
        {
            plan = plan with { Environment = env };
        }

        return ScriptRenderer.Render(template, plan);
    }

    private static JobTemplate CommandTemplate()
    {
        var catalog = new TemplateCatalog(RepoPaths.Templates);
        Assert.That(catalog.TryGet("command", out var template), Is.True, "templates/command is missing");
        return template;
    }

    // Runs a script with the local bash, as a compute node would run it, and returns its exit code and output.
    private static (int ExitCode, string Stdout) RunBash(string script)
    {
        var start = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-s");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("/bin/bash did not start");
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the rendered script did not finish");
        }

        Assert.That(stderr.Result, Is.Empty);
        return (process.ExitCode, stdout.Result);
    }

    private static JobPlan Plan(IReadOnlyList<string> command)
    {
        var site = Site();
        return new JobPlan(
            JobId,
            site,
            site.Partitions[0],
            GpuType: "a100",
            GpuCount: 2,
            Cpus: 2,
            MemoryMb: 3072,
            TimeMinutes: 90,
            Environment: new Dictionary<string, string> { ["TRICKY"] = TrickyValue, ["GREETING"] = "hello world" },
            Parameters: new Dictionary<string, object> { ["command"] = command });
    }

    private static SiteConfig Site() => new()
    {
        Name = "campus",
        Login = new SiteLogin
        {
            Host = "127.0.0.1",
            User = "svc-campus",
            KeyFile = "/keys/svc-campus",
            HostKeySha256 = "SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM",
        },
        Slurm = new SiteSlurm { Account = "commons", Qos = "normal" },
        Partitions =
        [
            new SitePartition
            {
                Name = "gpu",
                Default = true,
                CpusPerNode = 8,
                MemoryPerNodeMb = 16384,
                Gpus = new Dictionary<string, int> { ["a100"] = 4 },
                MaxTime = "2-00:00:00",
                DefaultTime = "01:00:00",
                MaxTimeMinutes = 2880,
                DefaultTimeMinutes = 60,
            },
        ],
        Runtime = new SiteRuntime { Container = "none", Modules = ["cuda/12.2", "python/3.12"] },
        WorkDir = "/srv/commons/jobs",
        ScratchDir = "/scratch/commons",
    };

    // The expected file sits in Rendering/Expected and is copied beside the test assembly. After a deliberate change
    // to the renderer or the template, run the tests once with UPDATE_EXPECTED=1 to rewrite the stored file in the
    // source tree, then review its diff like any other change.
    private static void AssertMatchesExpected(string actual, string name)
    {
        if (Environment.GetEnvironmentVariable("UPDATE_EXPECTED") == "1")
        {
            File.WriteAllText(Path.Combine(RepoPaths.TestProject, "Rendering", "Expected", name), actual);
            return;
        }

        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Rendering", "Expected", name);
        Assert.That(File.Exists(path), Is.True, $"{path} is missing; run once with UPDATE_EXPECTED=1 to create it");
        Assert.That(actual, Is.EqualTo(File.ReadAllText(path)));
    }
}
