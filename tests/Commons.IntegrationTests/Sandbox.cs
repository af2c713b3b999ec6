using System.Globalization;
using System.Net.Http.Headers;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>A job as <c>squeue</c> lists it.</summary>
public sealed record SlurmQueueEntry(string SlurmJobId, string State, string Comment);

/// <summary>
/// The running sandbox (<c>scripts/sandbox up</c>): Slurm cluster, login sshd and bridge on this machine. Every test
/// in the assembly needs it. Missing, the tests are skipped with a hint locally and fail in CI, so a broken CI
/// sandbox never passes silently.
/// </summary>
[SetUpFixture]
public sealed class Sandbox
{
    public const string NotUpHint = "sandbox not up: run scripts/sandbox up";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);
    private static HttpClient? _http;
    private static string? _root;

    /// <summary>The folder holding CC.sln.</summary>
    public static string RepoRoot => _root ?? throw new InvalidOperationException("the sandbox fixture has not run");

    public static string EnvFile => Path.Combine(RepoRoot, ".sandbox", "sandbox.env");

    /// <summary>The sandbox's settings, read from its env file on every access: <c>up</c> rewrites the file.</summary>
    public static SandboxSettings Settings => SandboxSettings.Load(EnvFile);

    /// <summary>A client of the bridge that signs in with the demo user's token.</summary>
    public static HttpClient Http => _http ?? throw new InvalidOperationException("the sandbox fixture has not run");

    [OneTimeSetUp]
    public async Task FindSandboxAsync()
    {
        _root = FindRepoRoot();
        if (!File.Exists(EnvFile))
        {
            Unavailable($"{EnvFile} does not exist");
            return;
        }

        var settings = Settings;
        if (!await IsBridgeHealthyAsync())
        {
            Unavailable($"the bridge at {settings.Bridge} does not answer /healthz");
            return;
        }

        _http = CreateClient(settings.Token);
    }

    [OneTimeTearDown]
    public void Release()
    {
        _http?.Dispose();
        _http = null;
    }

    /// <summary>A client of the bridge with the given bearer token, or none.</summary>
    public static HttpClient CreateClient(string? token)
    {
        var client = new HttpClient { BaseAddress = Settings.Bridge, Timeout = TimeSpan.FromMinutes(3) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static async Task<bool> IsBridgeHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = Settings.Bridge, Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Creates a user (if new) and a token for them, with the bridge's own admin verb.</summary>
    public static async Task<string> CreateUserTokenAsync(string user, string tier = "maintainer")
    {
        var settings = Settings;
        var result = await ProcessRunner.RunAsync(
            settings.BridgeBinary, ["tokens", "create", "--user", user, "--data", settings.BridgeData]);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        await GrantAsync(user, tier);
        return result.Stdout.Trim();
    }

    /// <summary>
    /// Gives a user a tier with the operator's verb: accounts made by tests have no forge identity, so merit alone
    /// would leave them guests, who may not run jobs.
    /// </summary>
    public static async Task GrantAsync(string user, string tier)
    {
        var settings = Settings;
        var result = await ProcessRunner.RunAsync(
            settings.BridgeBinary,
            ["users", "grant", user, "--tier", tier, "--reason", "integration test account", "--by", "tests", "--data", settings.BridgeData]);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
    }

    /// <summary>
    /// The Slurm state of one job (<c>squeue -h -j ID -o %T</c>), with every state or only the default ones
    /// (pending, running, completing…). Empty when the controller does not list the job.
    /// </summary>
    public static async Task<string> SqueueAsync(string slurmJobId, bool allStates = true)
    {
        string[] states = allStates ? ["-t", "all"] : [];
        var result = await SlurmAsync("squeue", ["-h", .. states, "-j", slurmJobId, "-o", "%T"]);
        if (result.ExitCode != 0 && result.Stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        return result.Stdout.Trim();
    }

    /// <summary>Every job the controller lists, in any state, with its comment.</summary>
    public static async Task<IReadOnlyList<SlurmQueueEntry>> QueueAsync()
    {
        var result = await SlurmAsync("squeue", ["-h", "-t", "all", "-o", "%i|%T|%k"]);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        return result.Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|', 3))
            .Select(f => new SlurmQueueEntry(f[0], f[1], f.Length > 2 ? f[2] : ""))
            .ToList();
    }

    /// <summary>Runs <c>scripts/sandbox VERB</c> and asserts it succeeded.</summary>
    /// <remarks>
    /// The binaries under test are the ones already built: <c>up</c> would otherwise rebuild the whole solution
    /// when it finds the bridge stopped, in the middle of the test run. Set SANDBOX_SKIP_BUILD=0 to let it build.
    /// </remarks>
    public static async Task<ProcessResult> RunScriptAsync(string verb)
    {
        var environment = new Dictionary<string, string>
        {
            ["SANDBOX_SKIP_BUILD"] = Environment.GetEnvironmentVariable("SANDBOX_SKIP_BUILD") ?? "1",
        };
        var result = await ProcessRunner.RunAsync(
            Path.Combine(RepoRoot, "scripts", "sandbox"), [verb], environment, timeout: ScriptTimeout);
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        return result;
    }

    public static Task RestartBridgeAsync() => RunScriptAsync("restart-bridge");

    /// <summary>
    /// Kills the bridge with SIGKILL, as a crash would end it: no shutdown code runs. Only the pid the sandbox
    /// recorded is killed, and only while it still names the bridge.
    /// </summary>
    public static async Task KillBridgeAsync()
    {
        var pidFile = Settings.BridgePidFile;
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        var comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
        Assert.That(comm, Is.EqualTo("commons-bridge"), $"{pidFile} names pid {pid}, which is no bridge");

        var kill = await ProcessRunner.RunAsync("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        Assert.That(kill.ExitCode, Is.Zero, kill.Describe());

        await Eventually.Async(
            async () => !await IsBridgeHealthyAsync(), TimeSpan.FromSeconds(15), "the killed bridge to stop answering");
    }

    /// <summary>Runs a command on the login node as the site's service account, as the bridge does.</summary>
    public static Task<ProcessResult> SshAsync(string remoteCommand, string? stdin = null)
    {
        var s = Settings;
        return ProcessRunner.RunAsync(
            "ssh",
            [
                "-F", "/dev/null", "-i", s.SshKey, "-p", s.SshPort.ToString(CultureInfo.InvariantCulture),
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", $"UserKnownHostsFile={s.KnownHosts}", "-o", "LogLevel=ERROR",
                $"{s.SshUser}@127.0.0.1", remoteCommand,
            ],
            stdin: stdin);
    }

    private static Task<ProcessResult> SlurmAsync(string tool, IEnumerable<string> arguments) =>
        ProcessRunner.RunAsync(tool, arguments, new Dictionary<string, string> { ["SLURM_CONF"] = Settings.SlurmConf });

    private static void Unavailable(string why)
    {
        var message = $"{NotUpHint} ({why})";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }
        else
        {
            Assert.Ignore(message);
        }
    }

    private static string FindRepoRoot()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CC.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName
            ?? throw new InvalidOperationException($"no CC.sln above {TestContext.CurrentContext.TestDirectory}");
    }
}
