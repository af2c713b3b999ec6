using System.Globalization;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>
/// The KEY=VALUE lines of <c>.sandbox/sandbox.env</c>, which <c>scripts/sandbox up</c> rewrites on every run. Values
/// are bare or single-quoted (with <c>'</c> as <c>'\''</c>), as the script writes them.
/// </summary>
public sealed class SandboxSettings
{
    private readonly Dictionary<string, string> _values;

    private SandboxSettings(string path, Dictionary<string, string> values)
    {
        FilePath = path;
        _values = values;
    }

    public string FilePath { get; }

    public string State => Get("STATE");

    public Uri Bridge => new(Get("COMMONS_BRIDGE"));

    public string Token => Get("COMMONS_TOKEN");

    public string SlurmConf => Get("SLURM_CONF");

    public int SshPort => int.Parse(Get("SANDBOX_SSH_PORT"), CultureInfo.InvariantCulture);

    public string SshUser => Get("SANDBOX_SSH_USER");

    public string SshKey => Get("SANDBOX_SSH_KEY");

    public string KnownHosts => Get("SANDBOX_KNOWN_HOSTS");

    public string Site => Get("SANDBOX_SITE");

    /// <summary>The <c>commons</c> binary under test; read afresh from the file each time, as it may change.</summary>
    public string Cli => Get("COMMONS_CLI");

    public string BridgeBinary => Get("COMMONS_BRIDGE_BIN");

    public string BridgeData => Get("SANDBOX_BRIDGE_DATA");

    public string SitesDir => Get("SANDBOX_SITES_DIR");

    /// <summary>The GitHub/GitLab stand-in the sandbox's bridge signs people in with.</summary>
    public Uri ForgeStandIn => new(Get("FORGE_STANDIN"));

    public string BridgeDatabase => Path.Combine(BridgeData, "bridge.db");

    /// <summary>Where <c>scripts/sandbox</c> records the bridge's pid (its <c>pid_file bridge</c>).</summary>
    public string BridgePidFile => Path.Combine(State, "run", "bridge.pid");

    /// <summary>The folder holding one sub-folder per job on the site, from the site's own config file.</summary>
    public string SiteWorkDir
    {
        get
        {
            var file = Path.Combine(SitesDir, $"{Site}.yaml");
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("workDir:", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"{file} has no top-level workDir");
            return line["workDir:".Length..].Trim().Trim('"', '\'');
        }
    }

    public static SandboxSettings Load(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line.StartsWith('#') || equals <= 0)
            {
                continue;
            }

            values[line[..equals]] = Unquote(line[(equals + 1)..]);
        }

        return new SandboxSettings(path, values);
    }

    private string Get(string key) =>
        _values.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new InvalidOperationException($"{FilePath} has no {key}; run scripts/sandbox up again");

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '\'' && value[^1] == '\''
            ? value[1..^1].Replace("'\\''", "'", StringComparison.Ordinal)
            : value;
}
