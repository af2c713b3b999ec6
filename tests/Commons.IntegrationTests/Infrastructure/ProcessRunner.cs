using System.Diagnostics;
using System.Text;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>What a finished helper process left behind.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Everything needed to understand a failure, for assertion messages.</summary>
    public string Describe() => $"`{Command}` exited {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs helper programs (squeue, ssh, kill, scripts/sandbox) directly, without a shell, and collects their output.
/// </summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? stdin = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
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

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var command = string.Join(' ', [fileName, .. start.ArgumentList]);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start `{command}`");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();

        var limit = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"`{command}` did not finish within {limit.TotalSeconds:0} s; killed it. stderr: {Tail(stderr)}");
        }

        return new ProcessResult(command, process.ExitCode, await stdout, await stderr);
    }

    private static string Tail(Task<string> text) => text.IsCompletedSuccessfully ? text.Result : "(still open)";

    /// <summary>Quotes one word for a POSIX shell: single quotes, with <c>'</c> written as <c>'\''</c>.</summary>
    public static string ShellQuote(string word) =>
        new StringBuilder("'").Append(word.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'').ToString();
}
