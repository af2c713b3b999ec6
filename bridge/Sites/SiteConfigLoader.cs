using System.Text.RegularExpressions;
using Commons.Bridge.Slurm;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Commons.Bridge.Sites;

/// <summary>
/// Reads site config files. Every problem is reported as a <see cref="SiteConfigException"/> that names the file,
/// the key and what was expected, so a bridge with a bad file refuses to start instead of failing later.
/// </summary>
public static partial class SiteConfigLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Loads every <c>*.yaml</c> and <c>*.yml</c> file of a folder, in name order.</summary>
    public static IReadOnlyList<SiteConfig> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new SiteConfigException(folder, "(folder)", "the sites folder does not exist");
        }

        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sites = files.Select(LoadFile).ToList();
        var duplicate = sites.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SiteConfigException(
                duplicate.Last().SourceFile, "name", $"'{duplicate.Key}' is also the name of {duplicate.First().SourceFile}");
        }

        return sites;
    }

    public static SiteConfig LoadFile(string path) => Parse(File.ReadAllText(path), path);

    public static SiteConfig Parse(string yaml, string file)
    {
        RawSite? raw;
        try
        {
            raw = Yaml.Deserialize<RawSite?>(yaml);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException?.Message ?? e.Message;
            throw new SiteConfigException(file, $"line {e.Start.Line}, column {e.Start.Column}", inner);
        }

        if (raw is null)
        {
            throw new SiteConfigException(file, "(document)", "the file is empty; expected a site mapping");
        }

        return Validate(raw, file);
    }

    private static SiteConfig Validate(RawSite raw, string file)
    {
        var name = Required(raw.Name, file, "name");
        if (!SiteName().IsMatch(name))
        {
            throw new SiteConfigException(file, "name", "expected lowercase letters, digits and dashes, starting with a letter");
        }

        var login = raw.Login ?? throw new SiteConfigException(file, "login", "missing; expected host, user, keyFile, hostKeySha256");
        var fingerprint = Required(login.HostKeySha256, file, "login.hostKeySha256");
        if (!fingerprint.StartsWith("SHA256:", StringComparison.Ordinal) || fingerprint.Length < 20)
        {
            throw new SiteConfigException(file, "login.hostKeySha256", "expected 'SHA256:…' as `ssh-keygen -lf` prints it");
        }

        if (login.Port is < 1 or > 65535)
        {
            throw new SiteConfigException(file, "login.port", $"{login.Port} is not a TCP port");
        }

        var slurmEnv = raw.Slurm?.Environment ?? [];
        foreach (var key in slurmEnv.Keys)
        {
            if (!EnvName().IsMatch(key))
            {
                throw new SiteConfigException(file, $"slurm.environment.{key}", "not a valid environment variable name");
            }
        }

        if (raw.Partitions is null || raw.Partitions.Count == 0)
        {
            throw new SiteConfigException(file, "partitions", "expected at least one partition");
        }

        var partitions = raw.Partitions.Select((p, i) => ValidatePartition(p, file, i)).ToList();
        if (partitions.Count(p => p.Default) > 1)
        {
            throw new SiteConfigException(file, "partitions", "more than one partition says default: true");
        }

        var container = raw.Runtime?.Container ?? "none";
        if (container is not ("none" or "apptainer" or "pyxis"))
        {
            throw new SiteConfigException(file, "runtime.container", $"'{container}'; expected none, apptainer or pyxis");
        }

        var workDir = Required(raw.WorkDir, file, "workDir");
        if (!SafePath().IsMatch(workDir))
        {
            throw new SiteConfigException(
                file, "workDir", "expected an absolute path of letters, digits and / . _ + - (it lands in #SBATCH lines)");
        }

        if (raw.Share is <= 0 or > 1)
        {
            throw new SiteConfigException(file, "share", $"{raw.Share} is outside (0, 1]");
        }

        return new SiteConfig
        {
            Name = name,
            Title = raw.Title ?? name,
            Login = new SiteLogin
            {
                Host = Required(login.Host, file, "login.host"),
                Port = login.Port,
                User = Required(login.User, file, "login.user"),
                KeyFile = Required(login.KeyFile, file, "login.keyFile"),
                HostKeySha256 = fingerprint,
            },
            Slurm = new SiteSlurm
            {
                Environment = slurmEnv,
                BinDir = raw.Slurm?.BinDir,
                Accounting = raw.Slurm?.Accounting ?? false,
                Account = raw.Slurm?.Account,
                Qos = raw.Slurm?.Qos,
            },
            Partitions = partitions,
            Runtime = new SiteRuntime
            {
                Container = container,
                Modules = raw.Runtime?.Modules ?? [],
                Models = ValidateModelRuntimes(raw.Runtime?.Models, file),
            },
            WorkDir = workDir.TrimEnd('/'),
            ScratchDir = raw.ScratchDir,
            Share = raw.Share,
            Weight = raw.Weight,
            SourceFile = file,
        };
    }

    private static SitePartition ValidatePartition(RawPartition p, string file, int index)
    {
        var key = $"partitions[{index}]";
        var name = Required(p.Name, file, $"{key}.name");
        var maxTime = Required(p.MaxTime, file, $"{key}.maxTime");
        var defaultTime = Required(p.DefaultTime, file, $"{key}.defaultTime");
        var maxMinutes = SlurmTime.ParseMinutes(maxTime)
            ?? throw new SiteConfigException(file, $"{key}.maxTime", $"'{maxTime}'; expected a Slurm time such as 2-00:00:00");
        var defaultMinutes = SlurmTime.ParseMinutes(defaultTime)
            ?? throw new SiteConfigException(file, $"{key}.defaultTime", $"'{defaultTime}'; expected a Slurm time such as 01:00:00");
        if (defaultMinutes > maxMinutes)
        {
            throw new SiteConfigException(file, $"{key}.defaultTime", "longer than maxTime");
        }

        foreach (var (type, count) in p.Gpus ?? [])
        {
            if (!GresType().IsMatch(type) || count < 1)
            {
                throw new SiteConfigException(file, $"{key}.gpus.{type}", "expected a GRES type name and a count of at least 1");
            }
        }

        if (p.CpusPerNode < 1)
        {
            throw new SiteConfigException(file, $"{key}.cpusPerNode", "expected at least 1");
        }

        return new SitePartition
        {
            Name = name,
            Default = p.Default,
            Nodes = Math.Max(1, p.Nodes),
            CpusPerNode = p.CpusPerNode,
            MemoryPerNodeMb = p.MemoryPerNodeMb,
            Gpus = p.Gpus ?? [],
            MaxTime = maxTime,
            DefaultTime = defaultTime,
            MaxTimeMinutes = maxMinutes,
            DefaultTimeMinutes = defaultMinutes,
        };
    }

    private static Dictionary<string, SiteModelRuntime> ValidateModelRuntimes(
        Dictionary<string, RawModelRuntime?>? runtimes, string file)
    {
        var result = new Dictionary<string, SiteModelRuntime>(StringComparer.Ordinal);
        foreach (var (name, runtime) in runtimes ?? [])
        {
            if (name is not ("ollama" or "vllm" or "nim"))
            {
                throw new SiteConfigException(file, $"runtime.models.{name}", "unknown model runtime; expected ollama, vllm or nim");
            }

            if (runtime?.StandIn is { } standIn && !SafePath().IsMatch(standIn))
            {
                throw new SiteConfigException(
                    file, $"runtime.models.{name}.standIn", "expected an absolute path of letters, digits and / . _ + -");
            }

            result[name] = new SiteModelRuntime { StandIn = runtime?.StandIn };
        }

        return result;
    }

    private static string Required(string? value, string file, string key) =>
        string.IsNullOrWhiteSpace(value) ? throw new SiteConfigException(file, key, "missing; a value is required") : value;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex SiteName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^/[A-Za-z0-9._+-][A-Za-z0-9/._+-]*$")]
    private static partial Regex SafePath();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,32}$")]
    private static partial Regex GresType();

    // The YAML shape, kept apart from SiteConfig so that validation, not the deserializer, decides what is required.
    private sealed class RawSite
    {
        public string? Name { get; set; }
        public string? Title { get; set; }
        public RawLogin? Login { get; set; }
        public RawSlurm? Slurm { get; set; }
        public List<RawPartition>? Partitions { get; set; }
        public RawRuntime? Runtime { get; set; }
        public string? WorkDir { get; set; }
        public string? ScratchDir { get; set; }
        public double Share { get; set; } = 1.0;
        public double Weight { get; set; } = 1.0;
    }

    private sealed class RawLogin
    {
        public string? Host { get; set; }
        public int Port { get; set; } = 22;
        public string? User { get; set; }
        public string? KeyFile { get; set; }
        public string? HostKeySha256 { get; set; }
    }

    private sealed class RawSlurm
    {
        public Dictionary<string, string>? Environment { get; set; }
        public string? BinDir { get; set; }
        public bool Accounting { get; set; }
        public string? Account { get; set; }
        public string? Qos { get; set; }
    }

    private sealed class RawPartition
    {
        public string? Name { get; set; }
        public bool Default { get; set; }
        public int Nodes { get; set; } = 1;
        public int CpusPerNode { get; set; } = 1;
        public int MemoryPerNodeMb { get; set; }
        public Dictionary<string, int>? Gpus { get; set; }
        public string? MaxTime { get; set; }
        public string? DefaultTime { get; set; }
    }

    private sealed class RawRuntime
    {
        public string? Container { get; set; }
        public List<string>? Modules { get; set; }
        public Dictionary<string, RawModelRuntime?>? Models { get; set; }
    }

    private sealed class RawModelRuntime
    {
        public string? StandIn { get; set; }
    }
}
