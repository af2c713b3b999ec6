using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>One line the CLI wrote on stdout, without its newline, and when the test read it.</summary>
public sealed record StdoutLine(string Text, DateTimeOffset ArrivedAt);

/// <summary>How a finished <c>commons</c> run ended.</summary>
public sealed record CliResult(int ExitCode, byte[] StdoutBytes, string Stderr, IReadOnlyList<StdoutLine> Lines)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>Everything needed to understand a failure, for assertion messages.</summary>
    public string Describe() => $"commons exited {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>How to start <c>commons</c>.</summary>
/// <param name="Arguments">The CLI's argv, passed as-is with no shell in between.</param>
/// <param name="Stdin">Written to stdin, which is then closed; stdin is closed at once when null.</param>
/// <param name="SignedIn">Sets COMMONS_BRIDGE and COMMONS_TOKEN to the sandbox's; both are unset otherwise.</param>
/// <param name="ConfigHome">XDG_CONFIG_HOME; a fresh empty folder when null, so no real config file is read.</param>
public sealed record CliOptions(
    IReadOnlyList<string> Arguments,
    string? Stdin = null,
    bool SignedIn = true,
    string? ConfigHome = null);

/// <summary>Runs the real <c>commons</c> binary that the sandbox names.</summary>
public static class Cli
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <c>commons ARGS…</c> signed in as the demo user and waits for it to exit.</summary>
    public static async Task<CliResult> RunAsync(params string[] arguments)
    {
        using var cli = CliProcess.Start(new CliOptions(arguments));
        return await cli.WaitForExitAsync(DefaultTimeout);
    }

    public static async Task<CliResult> RunAsync(CliOptions options)
    {
        using var cli = CliProcess.Start(options);
        return await cli.WaitForExitAsync(DefaultTimeout);
    }
}

/// <summary>
/// A running <c>commons</c>. Stdout is read as raw bytes (so output can be compared byte for byte) and split into
/// lines as they arrive, each stamped with its arrival time; stderr is collected beside it.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly string? _ownConfigHome;
    private readonly object _gate = new();
    private readonly MemoryStream _stdout = new();
    private readonly List<StdoutLine> _lines = [];
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly StringBuilder _stderr = new();

    private CliProcess(Process process, string? ownConfigHome)
    {
        _process = process;
        _ownConfigHome = ownConfigHome;
        _stdoutPump = PumpStdoutAsync(process.StandardOutput.BaseStream);
        _stderrPump = PumpStderrAsync(process.StandardError);
    }

    /// <summary>What the process wrote on stderr so far.</summary>
    public string StderrSoFar
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits until stderr matches <paramref name="pattern"/> and returns the match.</summary>
    public async Task<System.Text.RegularExpressions.Match> WaitForStderrAsync(string pattern, TimeSpan timeout)
    {
        var regex = new System.Text.RegularExpressions.Regex(pattern);
        var match = await Eventually.Async(
            () => Task.FromResult(regex.Match(StderrSoFar)),
            found => found.Success || _process.HasExited,
            timeout,
            $"commons to print /{pattern}/ on stderr");
        return match.Success ? match : throw new AssertionException($"commons exited before printing /{pattern}/; stderr: {StderrSoFar}");
    }

    public int Pid => _process.Id;

    /// <summary>The complete stdout lines so far.</summary>
    public IReadOnlyList<StdoutLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public static CliProcess Start(CliOptions options)
    {
        var settings = Sandbox.Settings;
        var start = new ProcessStartInfo(settings.Cli)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in options.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("COMMONS_BRIDGE");
        start.Environment.Remove("COMMONS_TOKEN");
        if (options.SignedIn)
        {
            start.Environment["COMMONS_BRIDGE"] = settings.Bridge.ToString();
            start.Environment["COMMONS_TOKEN"] = settings.Token;
        }

        string? ownConfigHome = null;
        if (options.ConfigHome is null)
        {
            ownConfigHome = Directory.CreateTempSubdirectory("commons-cli-").FullName;
        }

        start.Environment["XDG_CONFIG_HOME"] = options.ConfigHome ?? ownConfigHome;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {settings.Cli}");
        if (options.Stdin is not null)
        {
            process.StandardInput.Write(options.Stdin);
        }

        process.StandardInput.Close();
        return new CliProcess(process, ownConfigHome);
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal would.</summary>
    public async Task InterruptAsync()
    {
        var kill = await ProcessRunner.RunAsync("kill", ["-INT", Pid.ToString(CultureInfo.InvariantCulture)]);
        Assert.That(kill.ExitCode, Is.Zero, kill.Describe());
    }

    /// <summary>Waits until a stdout line equal to <paramref name="text"/> arrived.</summary>
    public async Task<StdoutLine> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var line = await Eventually.Async(
            () => Task.FromResult(Lines.LastOrDefault(l => l.Text == text)),
            found => found is not null || _process.HasExited,
            timeout,
            $"commons to print the line '{text}'");
        var seen = string.Join(" | ", Lines.Select(l => l.Text));
        return line ?? throw new AssertionException($"commons exited before printing '{text}'; stdout: {seen}");
    }

    /// <summary>Waits for the process to exit; past the timeout it is killed and the test fails.</summary>
    public async Task<CliResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            var partial = await CollectAsync();
            throw new AssertionException(
                $"commons did not exit within {timeout.TotalSeconds:0} s; killed it.\n{partial.Describe()}");
        }

        return await CollectAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _stdout.Dispose();
        if (_ownConfigHome is not null)
        {
            Directory.Delete(_ownConfigHome, recursive: true);
        }
    }

    private async Task<CliResult> CollectAsync()
    {
        await _stdoutPump;
        await _stderrPump;
        lock (_gate)
        {
            return new CliResult(_process.ExitCode, _stdout.ToArray(), _stderr.ToString(), [.. _lines]);
        }
    }

    private async Task PumpStderrAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _stderr.Append(buffer, 0, read);
            }
        }
    }

    private async Task PumpStdoutAsync(Stream stream)
    {
        var buffer = new byte[16 * 1024];
        var pending = new List<byte>();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            var now = DateTimeOffset.UtcNow;
            lock (_gate)
            {
                _stdout.Write(buffer, 0, read);
                foreach (var b in buffer.AsSpan(0, read))
                {
                    if (b == (byte)'\n')
                    {
                        _lines.Add(new StdoutLine(Encoding.UTF8.GetString([.. pending]), now));
                        pending.Clear();
                    }
                    else
                    {
                        pending.Add(b);
                    }
                }
            }
        }

        if (pending.Count > 0)
        {
            lock (_gate)
            {
                _lines.Add(new StdoutLine(Encoding.UTF8.GetString([.. pending]), DateTimeOffset.UtcNow));
            }
        }
    }
}
