using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Commons.Contracts;
using Spectre.Console;

namespace Commons.Cli.Commands;

/// <summary><c>commons ps [--all] [--json]</c>: the user's jobs, unfinished ones unless <c>--all</c>.</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--all", "-a") { Description = "Include finished jobs" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of jobs" };
        var ps = new Command("ps", "List your jobs") { all, json };
        ps.SetAction(parse => CommandContext.WithBridgeAsync(async bridge =>
        {
            var jobs = await bridge.ListAsync(parse.GetValue(all), CancellationToken.None);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(jobs, JsonDefaults.Context.ListJobView));
                return ExitCodes.Ok;
            }

            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // Piped into grep or a file: one line per job however long, not the 80 columns of no terminal.
                console.Profile.Width = 400;
            }

            Render(jobs, console, DateTimeOffset.UtcNow);
            return ExitCodes.Ok;
        }));
        return ps;
    }

    /// <summary>
    /// Writes the table people read; <paramref name="now"/> makes the ages testable. A state ending in <c>?</c> is the
    /// last one seen while the job's site cannot be reached.
    /// </summary>
    internal static void Render(IReadOnlyList<JobView> jobs, IAnsiConsole console, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.None).HideRowSeparators();
        foreach (var column in new[] { "ID", "NAME", "STATE", "SITE", "SLURM ID", "GPUS", "CREATED", "UNTIL", "EXIT" })
        {
            table.AddColumn(new TableColumn(column).PadLeft(0).PadRight(2).NoWrap());
        }

        foreach (var job in jobs)
        {
            table.AddRow(
                Markup.Escape(job.Id),
                Markup.Escape(job.Name),
                Markup.Escape(job.State + (job.Unreachable ? "?" : "")),
                Markup.Escape(job.Site),
                Markup.Escape(job.SlurmJobId ?? "-"),
                Markup.Escape(job.Gpus ?? "-"),
                Ago(now - job.CreatedAt),
                Until(job, now),
                job.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-");
        }

        console.Write(table);
    }

    /// <summary>When a model job stops if nobody uses it, as <c>ollama ps</c> says it; "-" for other jobs.</summary>
    internal static string Until(JobView job, DateTimeOffset now)
    {
        if (job.Model is null || job.State is not (JobStates.Running or JobStates.Completing))
        {
            return "-";
        }

        if (job.KeepAliveUntil is not { } until)
        {
            return "Forever";
        }

        var left = until - now;
        return left <= TimeSpan.Zero ? "Stopping..."
            : left.TotalSeconds < 60 ? $"{(int)left.TotalSeconds} seconds from now"
            : left.TotalMinutes < 2 ? "About a minute from now"
            : left.TotalMinutes < 60 ? $"{(int)left.TotalMinutes} minutes from now"
            : $"{(int)left.TotalHours} hours from now";
    }

    internal static string Ago(TimeSpan age) =>
        age.TotalSeconds < 60 ? $"{Math.Max(0, (int)age.TotalSeconds)}s ago"
        : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m ago"
        : age.TotalHours < 48 ? $"{(int)age.TotalHours}h ago"
        : $"{(int)age.TotalDays}d ago";
}
