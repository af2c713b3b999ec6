using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Commons.Cli.Bridge;
using Commons.Cli.Config;
using Commons.Cli.Output;
using Commons.Cli.Tunnels;
using Commons.Contracts;

namespace Commons.Cli.Commands;

/// <summary>
/// <c>commons forward JOB [LOCAL:]PORTNAME</c>: exposes a port the job recorded on 127.0.0.1 until Ctrl-C or the
/// job ends. A job still starting is waited for until it records the port. The local address goes to stdout alone,
/// so a script can read it; everything meant for people goes to stderr.
/// </summary>
internal static class ForwardCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan BridgePatience = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "Job id, as `commons ps` shows it" };
        var port = new Argument<string>("port")
        {
            Description = "[LOCAL:]PORTNAME: the name the job recorded the port under, and the local port to "
                + "listen on (a free one when omitted)",
        };
        var forward = new Command("forward", "Expose a port of a job on localhost until Ctrl-C") { job, port };
        forward.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(job)!, parse.GetValue(port)!, cancellationToken));
        return forward;
    }

    /// <summary>Reads <c>[LOCAL:]PORTNAME</c>; LOCAL is 0–65535, 0 (or none) meaning any free port.</summary>
    internal static bool TryParseTarget(string text, out int localPort, out string portName, out string? error)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var local = colon >= 0 ? text[..colon] : null;
        portName = colon >= 0 ? text[(colon + 1)..] : text;
        localPort = 0;
        error = null;
        if (local is not null
            && (!int.TryParse(local, NumberStyles.None, CultureInfo.InvariantCulture, out localPort)
                || localPort > IPEndPoint.MaxPort))
        {
            error = $"'{local}' is not a local port number (0-65535)";
            return false;
        }

        if (!PortNames.IsValid(portName))
        {
            error = $"'{portName}' is not a port name; port names match {PortNames.Pattern}";
            return false;
        }

        return true;
    }

    private static async Task<int> RunAsync(string jobId, string target, CancellationToken cancellationToken)
    {
        if (!TryParseTarget(target, out var localPort, out var portName, out var error))
        {
            Errors.Print(error!, "write the port as NAME or LOCAL:NAME, for example `commons forward JOB 8080:web`");
            return ExitCodes.Usage;
        }

        CliSettings settings;
        try
        {
            settings = CliConfig.Load();
        }
        catch (CliConfigException e)
        {
            Errors.Print(e.Message);
            return ExitCodes.Config;
        }

        using var bridge = new BridgeClient(settings);
        using var ports = new JobPortsClient(settings);
        try
        {
            var job = await WaitForPortAsync(bridge, ports, jobId, portName, cancellationToken);
            if (JobStates.IsTerminal(job.State))
            {
                Errors.Print(
                    $"{jobId} ended ({job.State}) before it recorded port '{portName}'",
                    $"`commons logs {jobId}` shows what it printed");
                return ExitCodes.Error;
            }

            await using var listener = new TunnelListener(settings, problem => Errors.Print(problem.Message));
            IPEndPoint local;
            try
            {
                local = await listener.StartAsync(jobId, portName, localPort, cancellationToken);
            }
            catch (SocketException e)
            {
                Errors.Print(
                    $"cannot listen on 127.0.0.1:{localPort}: {e.Message}",
                    "choose another local port, or give none to get a free one");
                return ExitCodes.Error;
            }

            Console.Error.WriteLine($"Forwarding {local} -> {jobId}:{portName}");
            Console.Out.WriteLine(local.ToString());
            Console.Out.Flush();

            var ended = await WaitForEndAsync(bridge, jobId, cancellationToken);
            Errors.Print($"{jobId} ended ({ended.State}); stopped forwarding");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how forwarding normally ends; the job itself keeps running.
            return ExitCodes.Interrupted;
        }
        catch (BridgeException e)
        {
            Errors.Print(e);
            return ExitCodes.Error;
        }
    }

    /// <summary>
    /// The job once it runs and has recorded the port, or once it ended without doing so. Shows on a status line
    /// what it waits for. A missing job or a refused token fails at once; a bridge that stops answering midway is
    /// waited for, up to <see cref="BridgePatience"/>.
    /// </summary>
    private static async Task<JobView> WaitForPortAsync(
        BridgeClient bridge, JobPortsClient ports, string jobId, string portName, CancellationToken cancellationToken)
    {
        using var status = StatusLine.ForStderr();
        var job = await bridge.GetAsync(jobId, cancellationToken);
        while (!JobStates.IsTerminal(job.State))
        {
            if (job.State == JobStates.Running)
            {
                var recorded = await PatientlyAsync(() => ports.ListAsync(jobId, cancellationToken), cancellationToken);
                if (recorded.Any(p => p.Name == portName))
                {
                    return job;
                }

                var others = recorded.Count == 0 ? "none yet" : string.Join(", ", recorded.Select(p => p.Name));
                status.Show($"{jobId} is running; waiting for it to record port '{portName}' (recorded: {others})");
            }
            else
            {
                status.Show($"{jobId} is {job.State}; waiting for it to run and record port '{portName}'");
            }

            await Task.Delay(Poll, cancellationToken);
            job = await PatientlyAsync(() => bridge.GetAsync(jobId, cancellationToken), cancellationToken);
        }

        return job;
    }

    /// <summary>Asks after the job now and then until it ends, and returns it then.</summary>
    private static async Task<JobView> WaitForEndAsync(
        BridgeClient bridge, string jobId, CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(WatchInterval, cancellationToken);
            try
            {
                var job = await bridge.GetAsync(jobId, cancellationToken);
                if (JobStates.IsTerminal(job.State))
                {
                    return job;
                }
            }
            catch (BridgeException e) when (e.IsTransient)
            {
                // The bridge restarts or the network blips; the tunnels retry on their own, and so does this.
            }
        }
    }

    private static async Task<T> PatientlyAsync<T>(Func<Task<T>> ask, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + BridgePatience;
        while (true)
        {
            try
            {
                return await ask();
            }
            catch (BridgeException e) when (e.IsTransient && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(Poll, cancellationToken);
            }
        }
    }
}
