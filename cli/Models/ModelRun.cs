using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Commons.Cli.Bridge;
using Commons.Cli.Output;
using Commons.Contracts;

namespace Commons.Cli.Models;

/// <summary>Flags of <c>commons run MODEL</c>, named as Ollama names them, plus where to run.</summary>
internal sealed record ModelRunOptions(
    string Model, string? Prompt, bool Verbose, string? Format, bool NoWordWrap, string? KeepAlive, string? Site, string? Gpus);

/// <summary>Opens a local HTTP address that reaches a port of a job; disposing closes it.</summary>
internal delegate Task<(Uri Address, IAsyncDisposable Tunnel)> OpenPort(string jobId, string port, CancellationToken cancellationToken);

/// <summary>
/// <c>commons run MODEL [PROMPT]</c>: finds or starts the user's warm job of the model, shows where it is while it
/// waits, then answers one prompt (from the arguments or stdin) or opens a REPL that behaves like Ollama's.
/// </summary>
internal sealed class ModelRun(BridgeClient bridge, OpenPort openPort)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public async Task<int> RunAsync(ModelRunOptions options, CancellationToken cancellationToken)
    {
        var used = new List<string>();
        var connection = await ConnectAsync(options.Model, options, cancellationToken);
        if (connection is null)
        {
            return ExitCodes.RunFailed;
        }

        used.Add(connection.Job.Id);
        try
        {
            var settings = new ChatSettings
            {
                Verbose = options.Verbose,
                Format = options.Format,
                WordWrap = !options.NoWordWrap && !Console.IsOutputRedirected,
            };
            var session = new ChatSession(connection.RuntimeId, settings);
            var prompt = await OneShotPromptAsync(options.Prompt, cancellationToken);
            if (prompt is not null)
            {
                return await AnswerOnceAsync(connection.Ollama, session, prompt, cancellationToken);
            }

            // /load MODEL moves the chat to another model's warm job, started if needed, as Ollama loads a model.
            async Task<OllamaClient?> LoadAsync(string model)
            {
                var next = await ConnectAsync(model, options, cancellationToken);
                if (next is null)
                {
                    return null;
                }

                await connection.DisposeAsync();
                connection = next;
                used.Add(next.Job.Id);
                session.Switch(next.RuntimeId);
                return next.Ollama;
            }

            return await ReplAsync(connection.Ollama, session, LoadAsync, cancellationToken);
        }
        finally
        {
            await connection.DisposeAsync();
            if (options.KeepAlive is "0" or "0s" or "0m")
            {
                foreach (var id in used.Distinct())
                {
                    await bridge.CancelAsync(id, CancellationToken.None);
                }
            }
        }
    }

    /// <summary>A model's warm job, reached through a tunnel, answering; null (and said why) when it ended instead.</summary>
    private async Task<ModelConnection?> ConnectAsync(string model, ModelRunOptions options, CancellationToken cancellationToken)
    {
        JobView job;
        try
        {
            job = await bridge.EnsureModelJobAsync(
                model, new ModelJobRequest(Guid.NewGuid().ToString("N"), options.Site, options.Gpus, options.KeepAlive),
                cancellationToken);
        }
        catch (BridgeException e) when (options.Model != model)
        {
            // A bad /load leaves the chat where it was.
            Errors.Print(e);
            return null;
        }

        job = await WaitUntilReadyAsync(job, cancellationToken);
        if (JobStates.IsTerminal(job.State))
        {
            return null;
        }

        var (address, tunnel) = await openPort(job.Id, "api", cancellationToken);
        var http = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        var ollama = new OllamaClient(http);
        await WaitForApiAsync(ollama, cancellationToken);

        // The runtime knows the model by its own id (llama3:8b), not by the catalog's name (llama3).
        return new ModelConnection(job, ollama, http, tunnel, await RuntimeIdAsync(job.Model ?? model, cancellationToken));
    }

    private async Task<string> RuntimeIdAsync(string model, CancellationToken cancellationToken)
    {
        var catalog = await bridge.ListModelsAsync(cancellationToken);
        var entry = catalog.FirstOrDefault(m => m.Name == model);
        return entry is not null && entry.Runtimes.TryGetValue("ollama", out var id) ? id : model;
    }

    private async Task<JobView> WaitUntilReadyAsync(JobView job, CancellationToken cancellationToken)
    {
        using var status = StatusLine.ForStderr();
        long offset = 0;
        var phase = "";
        while (true)
        {
            if (JobStates.IsTerminal(job.State))
            {
                status.Clear();
                Errors.Print(
                    $"the {job.Model} job {job.Id} {job.State.Replace('_', ' ')}" + (job.Reason is null ? "" : $": {job.Reason}"),
                    $"see its log with `commons logs {job.Id}`");
                return job;
            }

            if (job.State is JobStates.Running or JobStates.Completing)
            {
                var log = await bridge.ReadLogsAsync(job.Id, offset, cancellationToken);
                offset += log.Length;
                foreach (var line in Encoding.UTF8.GetString(log).Split('\n'))
                {
                    phase = Phase(line, job.Model ?? "model") ?? phase;
                }

                if (phase == "ready")
                {
                    status.Clear();
                    return job;
                }
            }

            status.Show(job.State is JobStates.Running ? (phase.Length == 0 ? "starting the model runtime" : phase) : Waiting(job));
            await Task.Delay(Poll, cancellationToken);
            var shown = job;
            job = await bridge.GetPatientlyAsync(
                job.Id, TimeSpan.FromMinutes(5), _ => status.Show($"{Waiting(shown)}; bridge unreachable, retrying"),
                cancellationToken);
        }
    }

    /// <summary>What a line of the model job's log says about its progress; null when it says nothing new.</summary>
    internal static string? Phase(string line, string model)
    {
        if (line.StartsWith("commons: ready", StringComparison.Ordinal))
        {
            return "ready";
        }

        if (line.StartsWith("commons: loading", StringComparison.Ordinal))
        {
            return $"loading {model}";
        }

        if (line.StartsWith("commons: pulling", StringComparison.Ordinal))
        {
            return $"pulling {model}";
        }

        if (line.StartsWith('{') && line.Contains("\"completed\"", StringComparison.Ordinal))
        {
            try
            {
                using var progress = JsonDocument.Parse(line);
                var root = progress.RootElement;
                if (root.TryGetProperty("total", out var total) && root.TryGetProperty("completed", out var done)
                    && total.GetInt64() > 0)
                {
                    var percent = 100.0 * done.GetInt64() / total.GetInt64();
                    return string.Create(CultureInfo.InvariantCulture, $"pulling {model} {percent:0}% of {total.GetInt64() / 1e6:0} MB");
                }
            }
            catch (JsonException)
            {
                // A line that merely looks like progress; the phase stays as it was.
            }
        }

        return null;
    }

    private static string Waiting(JobView job)
    {
        var where = job.Unreachable ? $"{job.Site} (site unreachable; retrying)" : job.Site;
        return job.State switch
        {
            JobStates.Queued => $"queued on {where}" + (job.Reason is null ? "" : $" ({job.Reason})")
                + (job.EstimatedStart is { } at ? $", starts about {at.ToLocalTime():HH:mm}" : ""),
            JobStates.Held => $"held on {where}: {job.Reason}",
            JobStates.Submitting => $"submitting to {where}",
            _ => $"starting on {where}",
        };
    }

    private static async Task WaitForApiAsync(OllamaClient ollama, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await ollama.VersionAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    /// <summary>The prompt of a non-interactive run: the arguments, then whatever is piped in, as Ollama joins them.</summary>
    private static async Task<string?> OneShotPromptAsync(string? prompt, CancellationToken cancellationToken)
    {
        if (!Console.IsInputRedirected)
        {
            return prompt;
        }

        var piped = await Console.In.ReadToEndAsync(cancellationToken);
        return prompt is null ? piped : $"{prompt}\n\n{piped}";
    }

    private static async Task<int> AnswerOnceAsync(
        OllamaClient ollama, ChatSession session, string prompt, CancellationToken cancellationToken)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            interrupt.Cancel();
        });
        try
        {
            await AnswerAsync(ollama, session, prompt, interrupt.Token);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (InvalidOperationException e)
        {
            Errors.Print($"the model answered with an error: {e.Message}");
            return ExitCodes.Error;
        }
    }

    private static async Task<int> ReplAsync(
        OllamaClient ollama, ChatSession session, Func<string, Task<OllamaClient?>> load, CancellationToken cancellationToken)
    {
        CancellationTokenSource? answering = null;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            if (answering is { } current)
            {
                current.Cancel();
            }
            else
            {
                Console.Out.Write("\nUse Ctrl + d or /bye to exit.\n>>> ");
                Console.Out.Flush();
            }
        });

        while (true)
        {
            Console.Out.Write(">>> ");
            Console.Out.Flush();
            var input = await ReadMessageAsync(cancellationToken);
            if (input is null)
            {
                Console.Out.WriteLine();
                return ExitCodes.Ok;
            }

            if (input.Trim().Length == 0)
            {
                continue;
            }

            if (input.StartsWith('/'))
            {
                switch (session.Command(input.Trim(), Console.Out, out var argument))
                {
                    case CommandOutcome.Exit:
                        return ExitCodes.Ok;
                    case CommandOutcome.Load:
                        Console.Out.WriteLine($"Loading model '{argument}'");
                        ollama = await load(argument!) ?? ollama;
                        break;
                }

                continue;
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            answering = cts;
            try
            {
                await AnswerAsync(ollama, session, input, cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Console.Out.WriteLine();
            }
            catch (InvalidOperationException e)
            {
                Errors.Print($"the model answered with an error: {e.Message}");
            }
            finally
            {
                answering = null;
            }
        }
    }

    private static async Task AnswerAsync(OllamaClient ollama, ChatSession session, string prompt, CancellationToken cancellationToken)
    {
        var answer = new StringBuilder();
        var width = Console.IsOutputRedirected ? int.MaxValue : Math.Max(20, Console.WindowWidth - 5);
        var wrap = session.Settings.WordWrap ? new WordWrap(Console.Out, width) : null;
        try
        {
            var done = await ollama.ChatAsync(session.Next(prompt), text =>
            {
                answer.Append(text);
                if (wrap is null)
                {
                    Console.Out.Write(text);
                    Console.Out.Flush();
                }
                else
                {
                    wrap.Write(text);
                }
            }, cancellationToken);
            wrap?.Flush();
            Console.Out.WriteLine();
            Console.Out.WriteLine();
            if (session.Settings.Verbose)
            {
                ChatSession.WriteStats(done, Console.Error);
            }
        }
        finally
        {
            // Ollama keeps what was said before Ctrl+C, so the conversation goes on from there.
            if (answer.Length > 0)
            {
                session.Remember(prompt, answer.ToString());
            }
        }
    }

    /// <summary>One message: a line, or several between lines that start and end with <c>"""</c>. Null at Ctrl+D.</summary>
    private static async Task<string?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var line = await Console.In.ReadLineAsync(cancellationToken);
        if (line is null || !line.StartsWith("\"\"\"", StringComparison.Ordinal))
        {
            return line;
        }

        var text = new StringBuilder(line[3..]);
        if (line.Length > 3 && line.EndsWith("\"\"\"", StringComparison.Ordinal))
        {
            return line[3..^3];
        }

        while (true)
        {
            Console.Out.Write("... ");
            Console.Out.Flush();
            var next = await Console.In.ReadLineAsync(cancellationToken);
            if (next is null)
            {
                return text.ToString();
            }

            if (next.EndsWith("\"\"\"", StringComparison.Ordinal))
            {
                text.Append('\n').Append(next[..^3]);
                return text.ToString().TrimStart('\n');
            }

            text.Append('\n').Append(next);
        }
    }
}

/// <summary>A warm model job the chat talks to, through its tunnel.</summary>
internal sealed record ModelConnection(
    JobView Job, OllamaClient Ollama, HttpClient Http, IAsyncDisposable Tunnel, string RuntimeId) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Tunnel.DisposeAsync();
    }
}
