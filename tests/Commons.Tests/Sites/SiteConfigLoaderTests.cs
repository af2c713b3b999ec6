using Commons.Bridge.Sites;

namespace Commons.Tests.Sites;

public sealed class SiteConfigLoaderTests
{
    private const string File = "site-configs/campus.yaml";

    private const string Valid = """
        name: campus
        title: Campus cluster
        login:
          host: login.campus.example
          port: 2222
          user: svc-campus
          keyFile: /etc/commons/keys/svc-campus
          hostKeySha256: "SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM"
        slurm:
          environment:
            SLURM_CONF: /etc/slurm/campus.conf
            SLURM_TIME_FORMAT: standard
          binDir: /opt/slurm/bin
          accounting: true
          account: commons
          qos: normal
        partitions:
          - name: cpu
            nodes: 12
            cpusPerNode: 64
            memoryPerNodeMb: 257000
            maxTime: "7-00:00:00"
            defaultTime: "01:00:00"
          - name: gpu
            default: true
            nodes: 2
            cpusPerNode: 32
            memoryPerNodeMb: 512000
            gpus:
              a100: 4
              h100: 8
            maxTime: "2-00:00:00"
            defaultTime: "30"
        runtime:
          container: apptainer
          modules: [cuda/12.2, "apptainer/1.2"]
        workDir: /scratch/commons/jobs/
        scratchDir: /tmp/commons
        share: 0.25
        weight: 2.5
        """;

    [Test]
    public void Parse_WhenFileIsComplete_ReadsEveryField()
    {
        var site = SiteConfigLoader.Parse(Valid, File);

        Assert.That(site.Name, Is.EqualTo("campus"));
        Assert.That(site.Title, Is.EqualTo("Campus cluster"));
        Assert.That(site.SourceFile, Is.EqualTo(File));
        Assert.That(site.Login, Is.EqualTo(new SiteLogin
        {
            Host = "login.campus.example",
            Port = 2222,
            User = "svc-campus",
            KeyFile = "/etc/commons/keys/svc-campus",
            HostKeySha256 = "SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM",
        }));
        Assert.That(site.Slurm.Environment, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["SLURM_CONF"] = "/etc/slurm/campus.conf",
            ["SLURM_TIME_FORMAT"] = "standard",
        }));
        Assert.That(site.Slurm.BinDir, Is.EqualTo("/opt/slurm/bin"));
        Assert.That(site.Slurm.Accounting, Is.True);
        Assert.That(site.Slurm.Account, Is.EqualTo("commons"));
        Assert.That(site.Slurm.Qos, Is.EqualTo("normal"));
        Assert.That(site.Runtime.Container, Is.EqualTo("apptainer"));
        Assert.That(site.Runtime.Modules, Is.EqualTo(new[] { "cuda/12.2", "apptainer/1.2" }));
        Assert.That(site.WorkDir, Is.EqualTo("/scratch/commons/jobs"));
        Assert.That(site.ScratchDir, Is.EqualTo("/tmp/commons"));
        Assert.That(site.Share, Is.EqualTo(0.25));
        Assert.That(site.Weight, Is.EqualTo(2.5));
    }

    [Test]
    public void Parse_WhenFileIsComplete_ReadsEveryPartition()
    {
        var site = SiteConfigLoader.Parse(Valid, File);

        Assert.That(site.Partitions, Has.Count.EqualTo(2));
        var cpu = site.Partitions[0];
        Assert.That(cpu.Name, Is.EqualTo("cpu"));
        Assert.That(cpu.Default, Is.False);
        Assert.That(cpu.Nodes, Is.EqualTo(12));
        Assert.That(cpu.CpusPerNode, Is.EqualTo(64));
        Assert.That(cpu.MemoryPerNodeMb, Is.EqualTo(257000));
        Assert.That(cpu.Gpus, Is.Empty);
        Assert.That(cpu.MaxTime, Is.EqualTo("7-00:00:00"));
        Assert.That(cpu.MaxTimeMinutes, Is.EqualTo(10080));
        Assert.That(cpu.DefaultTime, Is.EqualTo("01:00:00"));
        Assert.That(cpu.DefaultTimeMinutes, Is.EqualTo(60));
        var gpu = site.Partitions[1];
        Assert.That(gpu.Name, Is.EqualTo("gpu"));
        Assert.That(gpu.Default, Is.True);
        Assert.That(gpu.Gpus, Is.EquivalentTo(new Dictionary<string, int> { ["a100"] = 4, ["h100"] = 8 }));
        Assert.That(gpu.MaxTimeMinutes, Is.EqualTo(2880));
        Assert.That(gpu.DefaultTimeMinutes, Is.EqualTo(30));
        Assert.That(site.DefaultPartition, Is.SameAs(gpu));
    }

    [Test]
    public void Parse_WhenOptionalKeysAreLeftOut_FillsTheDocumentedDefaults()
    {
        const string minimal = """
            name: tiny
            login:
              host: tiny.example
              user: svc
              keyFile: /keys/svc
              hostKeySha256: SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM
            partitions:
              - name: main
                maxTime: "1:00:00"
                defaultTime: "10"
            workDir: /srv/jobs
            """;

        var site = SiteConfigLoader.Parse(minimal, File);

        Assert.That(site.Title, Is.EqualTo("tiny"));
        Assert.That(site.Login.Port, Is.EqualTo(22));
        Assert.That(site.Slurm.Environment, Is.Empty);
        Assert.That(site.Slurm.BinDir, Is.Null);
        Assert.That(site.Slurm.Accounting, Is.False);
        Assert.That(site.Runtime.Container, Is.EqualTo("none"));
        Assert.That(site.Runtime.Modules, Is.Empty);
        Assert.That(site.Share, Is.EqualTo(1.0));
        Assert.That(site.Weight, Is.EqualTo(1.0));
        Assert.That(site.Partitions[0].Nodes, Is.EqualTo(1));
        Assert.That(site.Partitions[0].CpusPerNode, Is.EqualTo(1));
        Assert.That(site.DefaultPartition?.Name, Is.EqualTo("main"));
    }

    [Test]
    public void Parse_WhenNameIsMissing_NamesTheKey()
    {
        var thrown = ParseFails(With("name: campus\n", ""));

        Assert.That(thrown.File, Is.EqualTo(File));
        Assert.That(thrown.Key, Is.EqualTo("name"));
        Assert.That(thrown.Problem, Is.EqualTo("missing; a value is required"));
    }

    [TestCase("Campus")]
    [TestCase("campus_1")]
    [TestCase("1campus")]
    [TestCase("campus.edu")]
    [TestCase("a23456789012345678901234567890123")]
    public void Parse_WhenNameIsNotASiteName_NamesTheKey(string name)
    {
        var thrown = ParseFails(With("name: campus", $"name: {name}"));

        Assert.That(thrown.Key, Is.EqualTo("name"));
        Assert.That(thrown.Problem, Is.EqualTo(
            "expected lowercase letters, digits and dashes, starting with a letter"));
    }

    [Test]
    public void Parse_WhenLoginIsMissing_NamesTheKey()
    {
        var yaml = Valid[..Valid.IndexOf("login:", StringComparison.Ordinal)]
            + Valid[Valid.IndexOf("slurm:", StringComparison.Ordinal)..];

        var thrown = ParseFails(yaml);

        Assert.That(thrown.Key, Is.EqualTo("login"));
        Assert.That(thrown.Problem, Is.EqualTo("missing; expected host, user, keyFile, hostKeySha256"));
    }

    [TestCase("host", "login.host")]
    [TestCase("user", "login.user")]
    [TestCase("keyFile", "login.keyFile")]
    [TestCase("hostKeySha256", "login.hostKeySha256")]
    public void Parse_WhenALoginKeyIsMissing_NamesIt(string yamlKey, string reportedKey)
    {
        var lines = Valid.Split('\n').Where(l => !l.StartsWith($"  {yamlKey}:", StringComparison.Ordinal));
        var yaml = string.Join('\n', lines);

        var thrown = ParseFails(yaml);

        Assert.That(thrown.Key, Is.EqualTo(reportedKey));
        Assert.That(thrown.Problem, Is.EqualTo("missing; a value is required"));
    }

    [TestCase("TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM")]
    [TestCase("sha256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM")]
    [TestCase("MD5:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89")]
    [TestCase("SHA256:short")]
    public void Parse_WhenHostKeyIsNotASha256Fingerprint_NamesTheKey(string fingerprint)
    {
        var thrown = ParseFails(Valid.Replace(
            "\"SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM\"", $"\"{fingerprint}\"", StringComparison.Ordinal));

        Assert.That(thrown.Key, Is.EqualTo("login.hostKeySha256"));
        Assert.That(thrown.Problem, Is.EqualTo("expected 'SHA256:…' as `ssh-keygen -lf` prints it"));
    }

    [TestCase("70000")]
    [TestCase("0")]
    [TestCase("-22")]
    public void Parse_WhenPortIsOutOfRange_NamesTheKey(string port)
    {
        var thrown = ParseFails(With("port: 2222", $"port: {port}"));

        Assert.That(thrown.Key, Is.EqualTo("login.port"));
        Assert.That(thrown.Problem, Is.EqualTo($"{port} is not a TCP port"));
    }

    [TestCase("SLURM-CONF")]
    [TestCase("1SLURM")]
    [TestCase("\"SLURM CONF\"")]
    public void Parse_WhenSlurmEnvironmentNameIsInvalid_NamesTheVariable(string name)
    {
        var thrown = ParseFails(With("SLURM_CONF:", $"{name}:"));

        Assert.That(thrown.Key, Is.EqualTo($"slurm.environment.{name.Trim('"')}"));
        Assert.That(thrown.Problem, Is.EqualTo("not a valid environment variable name"));
    }

    [TestCase("partitions: []\n")]
    [TestCase("partitions:\n")]
    public void Parse_WhenThereAreNoPartitions_NamesTheKey(string partitions)
    {
        var start = Valid.IndexOf("partitions:", StringComparison.Ordinal);
        var end = Valid.IndexOf("runtime:", StringComparison.Ordinal);
        var yaml = Valid[..start] + partitions + Valid[end..];

        var thrown = ParseFails(yaml);

        Assert.That(thrown.Key, Is.EqualTo("partitions"));
        Assert.That(thrown.Problem, Is.EqualTo("expected at least one partition"));
    }

    [Test]
    public void Parse_WhenTwoPartitionsAreDefault_NamesThePartitions()
    {
        var thrown = ParseFails(With("  - name: cpu\n", "  - name: cpu\n    default: true\n"));

        Assert.That(thrown.Key, Is.EqualTo("partitions"));
        Assert.That(thrown.Problem, Is.EqualTo("more than one partition says default: true"));
    }

    [TestCase("forever")]
    [TestCase("UNLIMITED")]
    [TestCase("0")]
    public void Parse_WhenMaxTimeIsNotAWalltime_NamesThePartitionKey(string maxTime)
    {
        var thrown = ParseFails(With("\"2-00:00:00\"", $"\"{maxTime}\""));

        Assert.That(thrown.Key, Is.EqualTo("partitions[1].maxTime"));
        Assert.That(thrown.Problem, Is.EqualTo($"'{maxTime}'; expected a Slurm time such as 2-00:00:00"));
    }

    [Test]
    public void Parse_WhenDefaultTimeIsLongerThanMaxTime_NamesDefaultTime()
    {
        var thrown = ParseFails(With("defaultTime: \"30\"", "defaultTime: \"2-00:01:00\""));

        Assert.That(thrown.Key, Is.EqualTo("partitions[1].defaultTime"));
        Assert.That(thrown.Problem, Is.EqualTo("longer than maxTime"));
    }

    [Test]
    public void Parse_WhenDefaultTimeIsMissing_NamesIt()
    {
        var thrown = ParseFails(With("    defaultTime: \"01:00:00\"\n", ""));

        Assert.That(thrown.Key, Is.EqualTo("partitions[0].defaultTime"));
        Assert.That(thrown.Problem, Is.EqualTo("missing; a value is required"));
    }

    [TestCase("a100: 0", "partitions[1].gpus.a100")]
    [TestCase("a100: -1", "partitions[1].gpus.a100")]
    [TestCase("\"a 100\": 4", "partitions[1].gpus.a 100")]
    public void Parse_WhenAGpuEntryIsInvalid_NamesTheGpuType(string entry, string key)
    {
        var thrown = ParseFails(With("a100: 4", entry));

        Assert.That(thrown.Key, Is.EqualTo(key));
        Assert.That(thrown.Problem, Is.EqualTo("expected a GRES type name and a count of at least 1"));
    }

    [Test]
    public void Parse_WhenCpusPerNodeIsZero_NamesTheKey()
    {
        var thrown = ParseFails(With("cpusPerNode: 64", "cpusPerNode: 0"));

        Assert.That(thrown.Key, Is.EqualTo("partitions[0].cpusPerNode"));
        Assert.That(thrown.Problem, Is.EqualTo("expected at least 1"));
    }

    [TestCase("docker")]
    [TestCase("Apptainer")]
    [TestCase("singularity")]
    public void Parse_WhenContainerRuntimeIsUnknown_NamesTheKey(string container)
    {
        var thrown = ParseFails(With("container: apptainer", $"container: {container}"));

        Assert.That(thrown.Key, Is.EqualTo("runtime.container"));
        Assert.That(thrown.Problem, Is.EqualTo($"'{container}'; expected none, apptainer or pyxis"));
    }

    [TestCase("scratch/commons/jobs")]
    [TestCase("~/commons/jobs")]
    [TestCase("\"/scratch/commons jobs\"")]
    [TestCase("\"/scratch/it's\"")]
    [TestCase("'/scratch/\"jobs\"'")]
    [TestCase("/scratch/$USER/jobs")]
    [TestCase("/")]
    [TestCase("//")]
    [TestCase("\"/scratch/jobs\\n#SBATCH --gres=gpu:8\"")]
    public void Parse_WhenWorkDirIsNotASafeAbsolutePath_NamesTheKey(string workDir)
    {
        var thrown = ParseFails(With("workDir: /scratch/commons/jobs/", $"workDir: {workDir}"));

        Assert.That(thrown.Key, Is.EqualTo("workDir"));
        Assert.That(thrown.Problem, Is.EqualTo(
            "expected an absolute path of letters, digits and / . _ + - (it lands in #SBATCH lines)"));
    }

    [TestCase("2")]
    [TestCase("0")]
    [TestCase("-0.5")]
    public void Parse_WhenShareIsOutsideZeroToOne_NamesTheKey(string share)
    {
        var thrown = ParseFails(With("share: 0.25", $"share: {share}"));

        Assert.That(thrown.Key, Is.EqualTo("share"));
        Assert.That(thrown.Problem, Is.EqualTo($"{share} is outside (0, 1]"));
    }

    [Test]
    public void Parse_WhenIndentedWithATab_SaysLineAndColumn()
    {
        var thrown = ParseFails(With("  host: login.campus.example", "\thost: login.campus.example"));

        // YamlDotNet places this error at the start of the enclosing mapping, not at the tab itself.
        Assert.That(thrown.Key, Does.Match(@"^line \d+, column \d+$"));
        Assert.That(thrown.Problem, Does.Contain("tab"));
    }

    [Test]
    public void Parse_WhenAQuoteIsNeverClosed_SaysLineAndColumn()
    {
        var thrown = ParseFails(With("title: Campus cluster", "title: \"Campus cluster"));

        Assert.That(thrown.Key, Is.EqualTo("line 2, column 8"));
        Assert.That(thrown.Problem, Does.Contain("double-quoted scalar"));
    }

    [TestCase("partition:", "partition")]
    [TestCase("workdir:", "workdir")]
    public void Parse_WhenAKeyIsMisspelt_RefusesTheFileAndNamesTheKey(string typo, string word)
    {
        var yaml = typo == "partition:"
            ? With("partitions:", typo)
            : With("workDir:", typo);

        var thrown = ParseFails(yaml);

        Assert.That(thrown.Key, Does.Match(@"^line \d+, column \d+$"));
        Assert.That(thrown.Problem, Does.Contain($"'{word}'"));
    }

    [Test]
    public void Parse_WhenALoginKeyIsMisspelt_RefusesTheFile()
    {
        var thrown = ParseFails(With("keyFile:", "keyfile:"));

        Assert.That(thrown.Key, Does.StartWith("line 7, column "));
        Assert.That(thrown.Problem, Does.Contain("'keyfile'"));
    }

    [TestCase("")]
    [TestCase("\n\n")]
    [TestCase("# only a comment\n")]
    [TestCase("---\n")]
    public void Parse_WhenFileIsEmpty_SaysSo(string yaml)
    {
        var thrown = ParseFails(yaml);

        Assert.That(thrown.Key, Is.EqualTo("(document)"));
        Assert.That(thrown.Problem, Is.EqualTo("the file is empty; expected a site mapping"));
    }

    [Test]
    public void Parse_WhenRejected_PutsFileKeyAndProblemInTheMessage()
    {
        var thrown = ParseFails(With("share: 0.25", "share: 2"));

        Assert.That(thrown.Message, Is.EqualTo("site-configs/campus.yaml: share: 2 is outside (0, 1]"));
    }

    [Test]
    public void LoadFolder_WhenTwoFilesUseOneName_NamesTheSecondFile()
    {
        var folder = Directory.CreateTempSubdirectory("commons-sites-");
        try
        {
            System.IO.File.WriteAllText(Path.Combine(folder.FullName, "a.yaml"), Valid);
            System.IO.File.WriteAllText(Path.Combine(folder.FullName, "b.yml"), Valid);
            System.IO.File.WriteAllText(Path.Combine(folder.FullName, "notes.txt"), "not a site");

            var thrown = Assert.Throws<SiteConfigException>(() => SiteConfigLoader.LoadFolder(folder.FullName))!;

            Assert.That(thrown.File, Is.EqualTo(Path.Combine(folder.FullName, "b.yml")));
            Assert.That(thrown.Key, Is.EqualTo("name"));
            var first = Path.Combine(folder.FullName, "a.yaml");
            Assert.That(thrown.Problem, Is.EqualTo($"'campus' is also the name of {first}"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void LoadFolder_WhenFilesAreValid_LoadsThemInNameOrder()
    {
        var folder = Directory.CreateTempSubdirectory("commons-sites-");
        try
        {
            System.IO.File.WriteAllText(Path.Combine(folder.FullName, "b.yaml"), Valid);
            System.IO.File.WriteAllText(
                Path.Combine(folder.FullName, "a.yml"), With("name: campus", "name: alpha"));

            var sites = SiteConfigLoader.LoadFolder(folder.FullName);

            Assert.That(sites.Select(s => s.Name), Is.EqualTo(new[] { "alpha", "campus" }));
            Assert.That(sites[1].SourceFile, Is.EqualTo(Path.Combine(folder.FullName, "b.yaml")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string With(string from, string to) => Valid.Replace(from, to, StringComparison.Ordinal);

    private static SiteConfigException ParseFails(string yaml) =>
        Assert.Throws<SiteConfigException>(() => SiteConfigLoader.Parse(yaml, File))!;
}
