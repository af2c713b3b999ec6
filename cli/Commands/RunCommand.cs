using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Commons.Cli.Bridge;
using Commons.Cli.Output;
using Commons.Contracts;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons run [options] -- CMD [ARGS...]</c>: runs a command as a Slurm job and behaves like the command run
/// here: its output on stdout as it is written, its exit code as ours, Ctrl-C cancels it.
/// </summary>
internal static class RunCommand
{
    private static readonly TimeSpan StatusPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BridgePatience = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var gpus = new Option<string?>("--gpus") { Description = "GPUs as TYPE:COUNT (h100:1) or COUNT", HelpName = "TYPE:N" };
        var cpus = new Option<int?>("--cpus") { Description = "CPUs for the job" };
        var mem = new Option<string?>("--mem") { Description = "Memory, such as 16G", HelpName = "SIZE" };
        var time = new Option<string?>("--time") { Description = "Walltime: 30m, 2h, 1d or D-HH:MM:SS", HelpName = "DURATION" };
        var site = new Option<string?>("--site") { Description = "Cluster to run on (default: the broker picks)" };
        var name = new Option<string?>("--name") { Description = "Name shown by `commons ps`" };
        var env = new Option<string[]>("--env", "-e")
        {
            Description = "Set a variable in the job: K=V, or K to pass this shell's value",
            HelpName = "K=V",
            AllowMultipleArgumentsPerToken = false,
        };
        var detach = new Option<bool>("--detach", "-d") { Description = "Print the job id and return at once" };
        var json = new Option<bool>("--json") { Description = "With --detach: print the job as JSON" };
        var command = new Argument<string[]>("command")
        {
            Description = "MODEL [PROMPT] to chat with a model, or -- CMD [ARGS...] to run a command",
            Arity = ArgumentArity.OneOrMore,
        };
        var verbose = new Option<bool>("--verbose") { Description = "Model: show timings after each answer" };
        var format = new Option<string?>("--format") { Description = "Model: answer format (json)" };
        var noWordWrap = new Option<bool>("--nowordwrap") { Description = "Model: do not wrap answers at word boundaries" };
        var keepAlive = new Option<string?>("--keepalive")
        {
            Description = "Model: how long the model stays warm after its last request (5m; 0 stops it on exit; -1 keeps it)",
            HelpName = "DURATION",
        };

        var run = new Command("run", "Chat with a model, or run a command, on a GPU node of a Slurm cluster")
        {
            gpus, cpus, mem, time, site, name, env, detach, json, verbose, format, noWordWrap, keepAlive, command,
        };
        run.SetAction(parse =>
        {
            var words = parse.GetValue(command) ?? [];

            // `commons run llama3` chats with a model; `commons run -- llama3` would run a program named llama3.
            if (!parse.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash))
            {
                var options = new Models.ModelRunOptions(
                    words[0], words.Length > 1 ? string.Join(' ', words[1..]) : null, parse.GetValue(verbose),
                    parse.GetValue(format), parse.GetValue(noWordWrap), parse.GetValue(keepAlive), parse.GetValue(site),
                    parse.GetValue(gpus));
                return CommandContext.WithBridgeAsync(
                    bridge => new Models.ModelRun(bridge, Models.ModelTunnels.Opener(bridge)).RunAsync(options, CancellationToken.None),
                    ExitCodes.RunFailed);
            }

            var environment = ParseEnvironment(parse.GetValue(env) ?? [], out var envError);
            if (envError is not null)
            {
                Errors.Print(envError);
                return Task.FromResult(ExitCodes.Usage);
            }

            var request = new SubmitJobRequest(
                Guid.NewGuid().ToString("N"),
                parse.GetValue(command) ?? [],
                Name: parse.GetValue(name),
                Resources: new JobResources(parse.GetValue(gpus), parse.GetValue(cpus), parse.GetValue(mem), parse.GetValue(time)),
                Environment: environment,
                Site: parse.GetValue(site));
            return CommandContext.WithBridgeAsync(
                bridge => RunAsync(bridge, request, parse.GetValue(detach), parse.GetValue(json)), ExitCodes.RunFailed);
        });
        return run;
    }

    private static async Task<int> RunAsync(BridgeClient bridge, SubmitJobRequest request, bool detach, bool json)
    {
        using var interrupt = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Interrupt(c, interrupt));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Interrupt(c, interrupt));

        var job = await bridge.SubmitAsync(request, interrupt.Token);
        if (detach)
        {
            Console.Out.WriteLine(json ? JsonSerializer.Serialize(job, JsonDefaults.Context.JobView) : job.Id);
            return ExitCodes.Ok;
        }

        try
        {
            job = await WaitForStartAsync(bridge, job, interrupt.Token);
            await using var stdout = Console.OpenStandardOutput();
            await bridge.CopyLogsAsync(job.Id, 0, follow: true, stdout, interrupt.Token);
            job = await WaitForEndAsync(bridge, job, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return await CancelAsync(bridge, job);
        }

        ReportEnd(job);
        return ExitCodes.ForJob(job);
    }

    private static async Task<JobView> WaitForStartAsync(BridgeClient bridge, JobView job, CancellationToken cancellationToken)
    {
        using var status = StatusLine.ForStderr();
        while (JobStates.IsWaiting(job.State))
        {
            status.Show(Describe(job));
            await Task.Delay(StatusPoll, cancellationToken);
            job = await GetPatientlyAsync(bridge, job, status, cancellationToken);
        }

        return job;
    }

    private static async Task<JobView> WaitForEndAsync(BridgeClient bridge, JobView job, CancellationToken cancellationToken)
    {
        // The log stream ends once the bridge has seen the job end, so this loop rarely turns more than once.
        job = await GetPatientlyAsync(bridge, job, null, cancellationToken);
        while (!JobStates.IsTerminal(job.State))
        {
            await Task.Delay(StatusPoll, cancellationToken);
            job = await GetPatientlyAsync(bridge, job, null, cancellationToken);
        }

        return job;
    }

    private static Task<JobView> GetPatientlyAsync(
        BridgeClient bridge, JobView job, StatusLine? status, CancellationToken cancellationToken) =>
        bridge.GetPatientlyAsync(
            job.Id, BridgePatience, _ => status?.Show($"{Describe(job)}; bridge unreachable, retrying"), cancellationToken);

    private static async Task<int> CancelAsync(BridgeClient bridge, JobView job)
    {
        Console.Error.WriteLine();
        Console.Error.WriteLine($"commons: cancelling job {job.Id}…");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await bridge.CancelAsync(job.Id, timeout.Token);
        }
        catch (Exception e) when (e is BridgeException or OperationCanceledException)
        {
            Errors.Print($"could not cancel job {job.Id}: {e.Message}", $"run `commons stop {job.Id}` to try again");
        }

        return ExitCodes.Interrupted;
    }

    private static void Interrupt(PosixSignalContext context, CancellationTokenSource interrupt)
    {
        if (interrupt.IsCancellationRequested)
        {
            // A second Ctrl-C while cancelling: leave at once, as a shell would.
            Environment.Exit(ExitCodes.Interrupted);
        }

        context.Cancel = true;
        interrupt.Cancel();
    }

    private static void ReportEnd(JobView job)
    {
        var message = job.State switch
        {
            JobStates.Succeeded or JobStates.Failed when job.Reason is null || job.ExitCode is not null => null,
            JobStates.TimedOut => $"job {job.Id} reached its walltime ({job.TimeLimitMinutes} min) and was stopped",
            JobStates.OutOfMemory => $"job {job.Id} ran out of memory; ask for more with --mem",
            JobStates.Cancelled => $"job {job.Id} was cancelled" + (job.Reason is null ? "" : $" ({job.Reason})"),
            _ => $"job {job.Id} {job.State.Replace('_', ' ')}" + (job.Reason is null ? "" : $": {job.Reason}"),
        };
        if (message is not null)
        {
            Errors.Print(message);
        }
    }

    internal static string Describe(JobView job)
    {
        var where = job.Unreachable ? $"{job.Site} (site unreachable; retrying)" : job.Site;
        return job.State switch
        {
            JobStates.Submitting => $"submitting to {where}",
            JobStates.Queued => $"queued on {where}" + (job.Reason is null ? "" : $" ({job.Reason})"),
            JobStates.Held => $"held on {where}: {job.Reason ?? "no reason given"}",
            JobStates.Starting => $"starting on {where}" + (job.Node is null ? "" : $" node {job.Node}"),
            _ => $"{job.State} on {where}",
        };
    }

    internal static Dictionary<string, string> ParseEnvironment(IEnumerable<string> pairs, out string? error)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                error = $"--env '{pair}': the name is empty";
                return environment;
            }

            if (equals > 0)
            {
                environment[pair[..equals]] = pair[(equals + 1)..];
                continue;
            }

            var local = Environment.GetEnvironmentVariable(pair);
            if (local is null)
            {
                error = $"--env {pair}: not set in this shell; use --env {pair}=VALUE";
                return environment;
            }

            environment[pair] = local;
        }

        return environment;
    }
}
