namespace Commons.Cli.Output;

/// <summary>
/// One status line on stderr while a job waits. On a terminal it is redrawn in place with a spinner and the time
/// waited; elsewhere (a pipe, a log file, CI) each new status is printed once, on its own line, so logs stay readable.
/// </summary>
internal sealed class StatusLine(TextWriter writer, bool interactive, TimeProvider time) : IDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly DateTimeOffset _started = time.GetUtcNow();
    private string? _last;
    private int _frame;
    private bool _drawn;

    public static StatusLine ForStderr() => new(Console.Error, !Console.IsErrorRedirected, TimeProvider.System);

    public void Show(string text)
    {
        if (interactive)
        {
            var waited = time.GetUtcNow() - _started;
            writer.Write($"\r\x1b[2K{Frames[_frame++ % Frames.Length]} {text} · {Elapsed(waited)}");
            writer.Flush();
            _drawn = true;
        }
        else if (text != _last)
        {
            writer.WriteLine($"commons: {text}");
            writer.Flush();
        }

        _last = text;
    }

    /// <summary>Removes the line, so the job's own output starts on a clean line.</summary>
    public void Clear()
    {
        if (interactive && _drawn)
        {
            writer.Write("\r\x1b[2K");
            writer.Flush();
            _drawn = false;
        }
    }

    public void Dispose() => Clear();

    internal static string Elapsed(TimeSpan waited) =>
        waited.TotalHours >= 1 ? $"{(int)waited.TotalHours}h{waited.Minutes:00}m"
        : waited.TotalMinutes >= 1 ? $"{(int)waited.TotalMinutes}m{waited.Seconds:00}s"
        : $"{(int)waited.TotalSeconds}s";
}
