namespace Commons.Bridge.Sites;

/// <summary>One cluster, as its admins describe it in <c>site-configs/NAME.yaml</c>.</summary>
public sealed record SiteConfig
{
    /// <summary>Short name users pass to <c>--site</c>: lowercase letters, digits and dashes.</summary>
    public required string Name { get; init; }

    public string Title { get; init; } = "";

    public required SiteLogin Login { get; init; }

    public SiteSlurm Slurm { get; init; } = new();

    public required IReadOnlyList<SitePartition> Partitions { get; init; }

    public SiteRuntime Runtime { get; init; } = new();

    /// <summary>Folder on the cluster's shared filesystem under which each job gets its own folder.</summary>
    public required string WorkDir { get; init; }

    public string? ScratchDir { get; init; }

    /// <summary>Fraction of the cluster the commons may use (0–1]; 1 when omitted.</summary>
    public double Share { get; init; } = 1.0;

    /// <summary>Broker preference among equal candidates; 1 when omitted.</summary>
    public double Weight { get; init; } = 1.0;

    /// <summary>The file this config came from, for error messages.</summary>
    public string SourceFile { get; init; } = "";

    public SitePartition? DefaultPartition =>
        Partitions.FirstOrDefault(p => p.Default) ?? (Partitions.Count > 0 ? Partitions[0] : null);
}

/// <summary>How the bridge reaches the login node.</summary>
public sealed record SiteLogin
{
    public required string Host { get; init; }

    /// <summary>SSH port; 22 when omitted.</summary>
    public int Port { get; init; } = 22;

    /// <summary>The commons' service account on the cluster.</summary>
    public required string User { get; init; }

    /// <summary>Private key of the service account (OpenSSH format), readable by the bridge only.</summary>
    public required string KeyFile { get; init; }

    /// <summary>Pinned host key fingerprint as <c>ssh-keygen -lf</c> prints it: <c>SHA256:…</c>.</summary>
    public required string HostKeySha256 { get; init; }
}

/// <summary>How Slurm is called on the login node.</summary>
public sealed record SiteSlurm
{
    /// <summary>Variables set before every Slurm command (for example <c>SLURM_CONF</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Folder holding sbatch, squeue and the rest when they are not on the account's PATH.</summary>
    public string? BinDir { get; init; }

    /// <summary>Whether <c>sacct</c> works (slurmdbd runs); false when omitted.</summary>
    public bool Accounting { get; init; }

    public string? Account { get; init; }

    public string? Qos { get; init; }
}

/// <summary>A Slurm partition the commons may submit to.</summary>
public sealed record SitePartition
{
    public required string Name { get; init; }

    public bool Default { get; init; }

    public int Nodes { get; init; } = 1;

    public int CpusPerNode { get; init; } = 1;

    public int MemoryPerNodeMb { get; init; }

    /// <summary>GPUs per node by GRES type, such as <c>a100: 4</c>.</summary>
    public IReadOnlyDictionary<string, int> Gpus { get; init; } = new Dictionary<string, int>();

    /// <summary>Longest walltime in Slurm's notation (<c>2-00:00:00</c>).</summary>
    public required string MaxTime { get; init; }

    /// <summary>Walltime of a job that asks for none.</summary>
    public required string DefaultTime { get; init; }

    public int MaxTimeMinutes { get; init; }

    public int DefaultTimeMinutes { get; init; }
}

/// <summary>What the site offers to run containers and software.</summary>
public sealed record SiteRuntime
{
    /// <summary><c>none</c>, <c>apptainer</c> or <c>pyxis</c>.</summary>
    public string Container { get; init; } = "none";

    /// <summary>Environment modules loaded at the start of every job.</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary>Model runtimes the site offers, by name (<c>ollama</c>); a model job needs its runtime here.</summary>
    public IReadOnlyDictionary<string, SiteModelRuntime> Models { get; init; } = new Dictionary<string, SiteModelRuntime>();
}

/// <summary>How a model runtime is started on the site's nodes.</summary>
public sealed record SiteModelRuntime
{
    /// <summary>
    /// A stand-in server run when the runtime's own command is not on the node's PATH: test support for sandboxes
    /// without GPUs or model weights. Null on a real site.
    /// </summary>
    public string? StandIn { get; init; }
}
