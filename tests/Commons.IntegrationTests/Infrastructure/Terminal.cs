using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>
/// A program run in a pseudo-terminal, as a person runs it in a terminal window. util-linux <c>script</c> gives the
/// program the terminal; what is written here reaches it as typed keys (Ctrl+C becomes SIGINT, Ctrl+D end of input,
/// as the terminal's line discipline makes them), and what it shows is read back as text, with escape sequences and
/// carriage returns dropped.
/// </summary>
public sealed partial class Terminal : IDisposable
{
    public const string CtrlC = "\u0003";
    public const string CtrlD = "\u0004";

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly StringBuilder _shown = new();
    private readonly Task _pump;
    private int _read;

    private Terminal(Process process)
    {
        _process = process;
        _pump = PumpAsync(process.StandardOutput.BaseStream);
    }

    /// <summary>Everything the terminal showed so far, as text.</summary>
    public string Screen
    {
        get
        {
            lock (_gate)
            {
                return Clean(_shown.ToString());
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="command"/> (argv, no shell syntax) in a terminal of the given size, with
    /// <paramref name="environment"/> applied to this process's environment (a null value removes a variable).
    /// </summary>
    public static Terminal Start(
        IReadOnlyList<string> command, IReadOnlyDictionary<string, string?> environment, int columns = 100, int rows = 30)
    {
        var inner = $"stty cols {columns} rows {rows} && exec {string.Join(' ', command.Select(ProcessRunner.ShellQuote))}";
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--quiet", "--flush", "--return", "--command", inner, "/dev/null" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SHELL"] = "/bin/sh";
        start.Environment["TERM"] = "xterm-256color";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start `script`");
        return new Terminal(process);
    }

    /// <summary>Types keys, as they are: control characters included.</summary>
    public async Task TypeAsync(string keys)
    {
        await _process.StandardInput.WriteAsync(keys);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Types a line and presses Enter (a carriage return, as a terminal sends it).</summary>
    public Task TypeLineAsync(string line) => TypeAsync(line + "\r");

    /// <summary>
    /// Waits until <paramref name="text"/> appears after what earlier waits consumed, and returns what the terminal
    /// showed from there up to and including it; later waits look only past it.
    /// </summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        var found = await Eventually.Async(
            () => Task.FromResult(Find(text)),
            match => match is not null || _process.HasExited,
            timeout,
            $"the terminal to show {Quote(text)}; it shows:\n{Screen}");
        if (found is null)
        {
            // The program may have printed it just before it exited.
            await _pump;
            found = Find(text) ?? throw new AssertionException(
                $"the program exited ({_process.ExitCode}) before the terminal showed {Quote(text)}; it showed:\n{Screen}");
        }

        return found;
    }

    /// <summary>Waits for the program to exit and returns its exit code; past the timeout it is killed and the test fails.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
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
            throw new AssertionException($"the program did not exit within {timeout.TotalSeconds:0} s; killed it. It showed:\n{Screen}");
        }

        await _pump;
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private string? Find(string text)
    {
        lock (_gate)
        {
            var screen = Clean(_shown.ToString());
            var at = screen.IndexOf(text, _read, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            var end = at + text.Length;
            var seen = screen[_read..end];
            _read = end;
            return seen;
        }
    }

    private async Task PumpAsync(Stream stream)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[4096];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        int read;
        while ((read = await stream.ReadAsync(bytes)) > 0)
        {
            var count = decoder.GetChars(bytes, 0, read, chars, 0);
            lock (_gate)
            {
                _shown.Append(chars, 0, count);
            }
        }
    }

    private static string Clean(string raw) => Escape().Replace(raw, "").Replace("\r", "", StringComparison.Ordinal);

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    // CSI sequences (colours, erase, cursor), OSC sequences (titles) and the two-byte keypad modes.
    [GeneratedRegex(@"\x1B\[[0-?]*[ -/]*[@-~]|\x1B\][^\x07\x1B]*(\x07|\x1B\\)|\x1B[=>()][0-9A-Za-z]?")]
    private static partial Regex Escape();
}
