using System.Diagnostics;
using Commons.Bridge.Data;
using Commons.Bridge.Hosting;
using Commons.Bridge.Ssh;
using Commons.Bridge.Tunnels;
using Commons.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.Bridge.Api;

/// <summary>
/// A job's ports: <c>GET /v1/jobs/{id}/ports</c> lists what the job recorded, and
/// <c>GET /v1/jobs/{id}/ports/{name}</c> upgrades to a WebSocket that carries one TCP connection to that port of the
/// job's node (see <see cref="TunnelRelay"/> for what the frames mean).
/// </summary>
public static class TunnelsApi
{
    private const string RefusedTitle = "Tunnel refused";

    // The same words for a missing job and someone else's: a stranger learns nothing about which it was.
    private const string StrangerDetail =
        "No tunnel to that job's port for you: the job is not yours, not running, or has not recorded that port.";

    public static IEndpointRouteBuilder MapTunnelsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup(ApiRoutes.Jobs).WithTags("Tunnels").AddEndpointFilter<TokenAuth>();
        jobs.MapGet("{id}/ports", ListPortsAsync).WithName("ListJobPorts");
        jobs.MapGet("{id}/ports/{name}", OpenTunnelAsync).WithName("OpenTunnel");
        return app;
    }

    /// <summary>
    /// The ports a running job recorded, by name. A job that is not running lists none: files it left behind name
    /// ports nothing listens on any more. Someone else's job answers as a missing one.
    /// </summary>
    public static async Task<Results<Ok<List<JobPort>>, ProblemHttpResult>> ListPortsAsync(
        string id, HttpContext http, JobStore store, JobPorts ports, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken);
        if (job is null || job.UserId != TokenAuth.User(http))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "No such job", detail: $"No job '{id}' of yours.");
        }

        if (job.State != JobStates.Running)
        {
            return TypedResults.Ok(new List<JobPort>());
        }

        try
        {
            return TypedResults.Ok(new List<JobPort>(await ports.ListAsync(job, cancellationToken)));
        }
        catch (SiteUnreachableException e)
        {
            return SiteUnavailable(e);
        }
    }

    /// <summary>
    /// Opens a tunnel for the job's owner, to the job's node and the port the job recorded under that name. Anyone
    /// else gets 403, for a missing job too. The owner gets 403 with the reason when the job is not running or has
    /// not recorded the port, and 503 when the site cannot be reached (worth trying again).
    /// </summary>
    public static async Task OpenTunnelAsync(
        string id, string name, HttpContext http, JobStore store, TunnelTargets targets, ISiteForwarder forwarder,
        TunnelActivity activity, IHostApplicationLifetime lifetime, ILogger<TunnelTargets> logger,
        CancellationToken cancellationToken)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Not a WebSocket request",
                detail: "This endpoint carries a tunnel: send a WebSocket upgrade (GET with Upgrade: websocket).")
                .ExecuteAsync(http);
            return;
        }

        var user = TokenAuth.User(http);
        TunnelDecision decision;
        try
        {
            var job = await store.GetAsync(id, cancellationToken);
            decision = await targets.DecideAsync(job, user, name, cancellationToken);
        }
        catch (SiteUnreachableException e)
        {
            Log.TunnelUnavailable(logger, Shown(id), Shown(name), e.Message);
            await SiteUnavailable(e).ExecuteAsync(http);
            return;
        }

        if (decision.Target is not { } target)
        {
            Log.TunnelRefused(logger, Shown(id), Shown(name), user, decision.Reason ?? "not found, or not theirs");
            await TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: RefusedTitle,
                detail: decision.Reason ?? StrangerDetail)
                .ExecuteAsync(http);
            return;
        }

        ForwardedConnection connection;
        try
        {
            connection = await forwarder.ConnectAsync(target.Site, target.Host, target.Port, cancellationToken);
        }
        catch (SiteUnreachableException e)
        {
            Log.TunnelUnavailable(logger, id, name, e.Message);
            await SiteUnavailable(e).ExecuteAsync(http);
            return;
        }

        using (connection)
        {
            await RelayAsync(http, connection, target, name, user, activity, lifetime, logger, cancellationToken);
        }
    }

    private static async Task RelayAsync(
        HttpContext http, ForwardedConnection connection, TunnelTarget target, string name, string user,
        TunnelActivity activity, IHostApplicationLifetime lifetime, ILogger logger, CancellationToken cancellationToken)
    {
        using var webSocket = await http.WebSockets.AcceptWebSocketAsync();
        using var open = activity.Open(target.JobId);
        Log.TunnelOpened(logger, user, target.JobId, name, target.Host, target.Port, target.Site);
        var started = Stopwatch.GetTimestamp();

        // A bridge shutting down ends its tunnels at once rather than after the host's shutdown timeout; the CLI
        // opens the next connection on another replica, or on this one once it is back.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken, lifetime.ApplicationStopping);
        var outcome = await TunnelRelay.RunAsync(
            connection.Socket, webSocket, () => activity.Touch(target.JobId), stop.Token);

        Log.TunnelEnded(
            logger, target.JobId, name, Stopwatch.GetElapsedTime(started).TotalSeconds, outcome.BytesUp,
            outcome.BytesDown, outcome.Failure ?? "closed in order");
    }

    /// <summary>
    /// A value from the request as a log may show it: at most 64 characters, control characters replaced, so a
    /// crafted id or name cannot forge log lines.
    /// </summary>
    private static string Shown(string value)
    {
        var shown = value.Length > 64 ? value[..64] + "…" : value;
        return string.Create(shown.Length, shown, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = char.IsControl(text[i]) ? '?' : text[i];
            }
        });
    }

    private static ProblemHttpResult SiteUnavailable(SiteUnreachableException e) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The job's site cannot be reached",
            detail: $"{e.Message} Try again shortly.");
}
