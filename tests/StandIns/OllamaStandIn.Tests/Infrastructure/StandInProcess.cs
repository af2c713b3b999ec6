using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Commons.StandIns.Ollama.Tests.Infrastructure;

/// <summary>
/// The stand-in running as a separate process, started the way a job script starts <c>ollama serve</c>: the built
/// <c>ollama-standin</c> executable, with <c>OLLAMA_HOST</c> naming a free loopback port.
/// </summary>
public sealed class StandInProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private StandInProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>What the process has written to stderr so far: its log, or why it did not start.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the stand-in on a free port and waits until it answers <c>GET /</c>.</summary>
    public static async Task<StandInProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreeLoopbackPort();
        var standIn = Launch(
            new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
            {
                ["OLLAMA_HOST"] = $"127.0.0.1:{port}",
            },
            port,
            "serve");
        await standIn.WaitUntilAnsweringAsync();
        return standIn;
    }

    /// <summary>
    /// Starts the executable with exactly this environment and these arguments and returns at once. The caller
    /// says which port <paramref name="port"/> the environment makes it use.
    /// </summary>
    public static StandInProcess Launch(
        IReadOnlyDictionary<string, string> environment, int port, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A test's settings win over whatever the machine running the tests has set for a real Ollama.
        foreach (var name in start.Environment.Keys.Where(IsOllamaVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var standIn = new StandInProcess(process, port);
        process.ErrorDataReceived += (_, line) => Append(standIn._stderr, line.Data);
        process.OutputDataReceived += (_, line) => Append(standIn._stdout, line.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return standIn;
    }

    /// <summary>A port nobody listens on right now; the operating system picks it.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new AssertionException(
                    $"ollama-standin exited with {_process.ExitCode} before answering; stderr:\n{Stderr}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet; asked again below until the deadline.
            }
            catch (TaskCanceledException)
            {
                // The request timed out: same as not listening yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new AssertionException(
                    $"ollama-standin did not answer on {BaseUri} within {StartTimeout.TotalSeconds} s; "
                    + $"stderr:\n{Stderr}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new AssertionException(
                $"ollama-standin was still running after {timeout.TotalSeconds} s; stderr:\n{Stderr}");
        }

        return _process.ExitCode;
    }

    /// <summary>Stops the process the way Slurm ends a job step: SIGTERM, then a kill if it lingers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            using var cancellation = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    // Process.Kill sends SIGKILL; SIGTERM lets the stand-in shut down as it would at the end of a Slurm job.
    private void Terminate() => _ = NativeMethods.Kill(_process.Id, NativeMethods.SigTerm);

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    // DllImport rather than LibraryImport: two ints marshal as they are, and LibraryImport would need unsafe code.
    private static class NativeMethods
    {
        public const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int processId, int signal);
    }

    private static bool IsOllamaVariable(string name) => name.StartsWith("OLLAMA_", StringComparison.Ordinal);

    /// <summary>
    /// The built executable, located through the path the build recorded in this assembly. The apphost next to
    /// the assembly is what a job script would run.
    /// </summary>
    private static string Executable
    {
        get
        {
            var assembly = typeof(StandInProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(attribute => attribute.Key == "StandInAssembly")?.Value;
            if (string.IsNullOrEmpty(assembly))
            {
                throw new InvalidOperationException(
                    "the test assembly records no StandInAssembly; build it with its project, not on its own");
            }

            var executable = Path.Combine(Path.GetDirectoryName(assembly)!, Path.GetFileNameWithoutExtension(assembly));
            return File.Exists(executable)
                ? executable
                : throw new InvalidOperationException(
                    $"{executable} does not exist; build tests/StandIns/OllamaStandIn");
        }
    }
}
