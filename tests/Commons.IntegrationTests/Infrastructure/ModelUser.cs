using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Commons.Contracts;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>How a <c>commons</c> run ended, and when its first byte of stdout arrived after the process started.</summary>
public sealed record TimedCliResult(int ExitCode, string Stdout, string Stderr, TimeSpan? FirstStdoutByte)
{
    public string Describe() =>
        $"commons exited {ExitCode}; first stdout byte after {FirstStdoutByte?.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} ms"
        + $"\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// A user of the bridge made for one fixture, with the CLI signed in as that user through a config home of its own.
/// Warm model jobs belong to a user and a model, so this user starts with none and shares none with other tests or
/// with people using the sandbox.
/// </summary>
public sealed class ModelUser : IDisposable
{
    /// <summary>Long enough for Slurm to start a model job, the runtime to come up and load the model.</summary>
    public static readonly TimeSpan ColdStart = TimeSpan.FromMinutes(3);

    private ModelUser(string name, string configHome, HttpClient http)
    {
        Name = name;
        ConfigHome = configHome;
        Http = http;
    }

    public string Name { get; }

    /// <summary>XDG_CONFIG_HOME holding the CLI's config file for this user.</summary>
    public string ConfigHome { get; }

    /// <summary>A client of the bridge signed in as this user.</summary>
    public HttpClient Http { get; }

    /// <summary>
    /// The environment a <c>commons</c> started by hand needs to act as this user: its config home, and none of the
    /// demo user's variables (null removes a variable).
    /// </summary>
    public IReadOnlyDictionary<string, string?> CliEnvironment => new Dictionary<string, string?>
    {
        ["XDG_CONFIG_HOME"] = ConfigHome,
        ["COMMONS_BRIDGE"] = null,
        ["COMMONS_TOKEN"] = null,
    };

    /// <summary>Creates the user and a token, and signs the CLI in with <c>commons login --with-token</c>.</summary>
    public static async Task<ModelUser> CreateAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..24];
        var token = await Sandbox.CreateUserTokenAsync(name);
        var configHome = Directory.CreateTempSubdirectory("commons-models-").FullName;
        var login = await Cli.RunAsync(new CliOptions(
            ["login", "--bridge", Sandbox.Settings.Bridge.ToString(), "--with-token"],
            Stdin: token + "\n",
            SignedIn: false,
            ConfigHome: configHome));
        Assert.That(login.ExitCode, Is.Zero, login.Describe());
        return new ModelUser(name, configHome, Sandbox.CreateClient(token));
    }

    /// <summary>Runs <c>commons ARGS…</c> as this user, with <paramref name="stdin"/> piped in (closed at once when null).</summary>
    public async Task<CliResult> RunAsync(IReadOnlyList<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        using var cli = CliProcess.Start(new CliOptions(arguments, stdin, SignedIn: false, ConfigHome: ConfigHome));
        return await cli.WaitForExitAsync(timeout ?? ColdStart);
    }

    /// <summary>
    /// Runs <c>commons ARGS…</c> as this user with stdin closed, timing from just before the process starts to the
    /// first byte it writes on stdout.
    /// </summary>
    public async Task<TimedCliResult> RunTimedAsync(IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Sandbox.Settings.Cli)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("COMMONS_BRIDGE");
        start.Environment.Remove("COMMONS_TOKEN");
        start.Environment["XDG_CONFIG_HOME"] = ConfigHome;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        TimeSpan? firstByte = null;
        var pump = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
            {
                firstByte ??= clock.Elapsed;
                stdout.Write(buffer, 0, read);
            }
        });

        using var deadline = new CancellationTokenSource(timeout ?? ColdStart);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        await pump;
        var result = new TimedCliResult(process.ExitCode, Encoding.UTF8.GetString(stdout.ToArray()), await stderr, firstByte);
        Assert.That(deadline.IsCancellationRequested, Is.False, $"commons did not exit in time; killed it.\n{result.Describe()}");
        return result;
    }

    /// <summary>Starts <c>commons ARGS…</c> as this user in a pseudo-terminal.</summary>
    public Terminal OpenTerminal(params string[] arguments) =>
        Terminal.Start([Sandbox.Settings.Cli, .. arguments], CliEnvironment);

    /// <summary>The user's unfinished jobs (or all, with <paramref name="all"/>) as <c>commons ps --json</c> lists them.</summary>
    public async Task<List<JobView>> PsAsync(bool all = false)
    {
        var result = await RunAsync(all ? ["ps", "--all", "--json"] : ["ps", "--json"], timeout: TimeSpan.FromSeconds(30));
        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        return JsonSerializer.Deserialize<List<JobView>>(result.Stdout, Json.Options) ?? [];
    }

    /// <summary>The user's unfinished job of <paramref name="model"/> per <c>commons ps --json</c>; fails unless there is exactly one.</summary>
    public async Task<JobView> WarmJobAsync(string model)
    {
        var jobs = await PsAsync();
        var ofModel = jobs.Where(j => j.Model == model).ToList();
        Assert.That(ofModel, Has.Count.EqualTo(1), $"unfinished {model} jobs in `commons ps --json`: {Show(jobs)}");
        return ofModel[0];
    }

    /// <summary>
    /// Cancels every unfinished job of this user and waits until Slurm no longer runs them, so the node's CPUs are
    /// free for the next test. Quiet about failures, as cleanup must not hide the test's own.
    /// </summary>
    public async Task StopAllJobsQuietlyAsync()
    {
        try
        {
            var jobs = await Http.GetFromJsonAsync<List<JobView>>(ApiRoutes.Jobs, Json.Options) ?? [];
            foreach (var job in jobs)
            {
                using var response = await Http.DeleteAsync(ApiRoutes.Job(job.Id));
            }

            foreach (var slurmId in jobs.Select(j => j.SlurmJobId).OfType<string>())
            {
                await Eventually.Async(
                    () => Sandbox.SqueueAsync(slurmId, allStates: false),
                    state => state.Length == 0,
                    TimeSpan.FromSeconds(60),
                    $"Slurm job {slurmId} to leave the queue");
            }
        }
        catch (Exception e) when (e is HttpRequestException or AssertionException or TimeoutException
                                       or OperationCanceledException or JsonException)
        {
            await TestContext.Out.WriteLineAsync($"cleanup of {Name}'s jobs: {e.Message}");
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        Directory.Delete(ConfigHome, recursive: true);
    }

    public static string Show(IEnumerable<JobView> jobs) => JsonSerializer.Serialize(jobs, Json.Options);
}

/// <summary>The answers of the Ollama stand-in that model jobs run in the sandbox (tests/StandIns/OllamaStandIn).</summary>
public static class StandIn
{
    public const string Disclaimer = "This answer comes from the Compute Commons stand-in for Ollama; no language model ran.";

    /// <summary>The whole answer to <paramref name="message"/> from the model the runtime knows as <paramref name="runtimeId"/>.</summary>
    public static string Answer(string runtimeId, string message, string? system = null)
    {
        var text = new StringBuilder($"[stand-in {runtimeId}] ");
        if (system is not null)
        {
            text.Append("System prompt: ").Append(Sentence(system));
        }

        return text.Append("You said: ").Append(Sentence(message)).Append(Disclaimer).ToString();
    }

    private static string Sentence(string message)
    {
        var trimmed = message.Trim();
        return trimmed.EndsWith('.') || trimmed.EndsWith('?') || trimmed.EndsWith('!') ? trimmed + " " : trimmed + ". ";
    }
}
