using Commons.Bridge.Data;
using Commons.Bridge.Jobs;
using Commons.Bridge.Models;
using Commons.Bridge.Polling;
using Commons.Bridge.Quota;
using Commons.Bridge.Sites;
using Commons.Bridge.Slurm;
using Commons.Bridge.Ssh;
using Commons.Contracts;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Commons.Bridge.Api;

/// <summary>The <c>/v1/jobs</c> endpoints: submit, list, show, follow logs, cancel.</summary>
public static class JobsApi
{
    private const int LogChunkBytes = 1024 * 1024;
    private static readonly TimeSpan LogPollInterval = TimeSpan.FromMilliseconds(300);

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup(ApiRoutes.Jobs).WithTags("Jobs").AddEndpointFilter<TokenAuth>();
        jobs.MapPost("", SubmitAsync).WithName("SubmitJob");
        jobs.MapGet("", ListAsync).WithName("ListJobs");
        jobs.MapGet("{id}", GetAsync).WithName("GetJob");
        jobs.MapGet("{id}/logs", LogsAsync).WithName("JobLogs");
        jobs.MapDelete("{id}", CancelAsync).WithName("CancelJob");
        return app;
    }

    public static async Task<Results<Created<JobView>, Ok<JobView>, Accepted<JobView>, ValidationProblem, ProblemHttpResult>>
        SubmitAsync(HttpContext http, JobService service, SiteRegistry sites, CancellationToken cancellationToken)
    {
        var (request, bodyErrors) = await ReadBodyAsync<SubmitJobRequest>(http, cancellationToken);
        if (request is null)
        {
            return TypedResults.ValidationProblem(bodyErrors!, title: "The job request is invalid");
        }

        var outcome = await service.SubmitAsync(TokenAuth.User(http), request, cancellationToken);
        return ToResult(outcome, sites, "job");
    }

    /// <summary>
    /// The answer to a submit: 400 naming each bad field, 403 when the user's tier or GPU-hour quota refused the
    /// job, 422 when Slurm refused it, 200 for a job the same request id already made, 202 while the site cannot be
    /// reached, else 201.
    /// </summary>
    internal static Results<Created<JobView>, Ok<JobView>, Accepted<JobView>, ValidationProblem, ProblemHttpResult> ToResult(
        SubmitOutcome outcome, SiteRegistry sites, string what)
    {
        if (outcome.Errors is not null)
        {
            return TypedResults.ValidationProblem(outcome.Errors, title: $"The {what} request is invalid");
        }

        if (outcome.Refusal is { } refusal)
        {
            return Refused(refusal);
        }

        var job = outcome.Job!;
        var view = job.ToView(sites.IsUnreachable(job.Site));
        if (outcome.SlurmError is not null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: $"Slurm refused the {what}",
                detail: outcome.SlurmError,
                extensions: new Dictionary<string, object?> { ["job"] = view });
        }

        return !outcome.Created ? TypedResults.Ok(view)
            : job.State == JobStates.Submitting ? TypedResults.Accepted(ApiRoutes.Job(job.Id), view)
            : TypedResults.Created(ApiRoutes.Job(job.Id), view);
    }

    /// <summary>A refusal by tier or quota as a 403 problem document: its type, and figures for programs.</summary>
    internal static ProblemHttpResult Refused(SubmitRefusal refusal)
    {
        var extensions = refusal switch
        {
            TierRefusal tier => new Dictionary<string, object?> { ["tier"] = tier.Tier, ["errors"] = tier.Errors },
            QuotaRefusal quota => new Dictionary<string, object?>
            {
                ["period"] = quota.Period,
                ["gpuHoursAllowed"] = quota.GpuHoursAllowed,
                ["gpuHoursLeft"] = quota.GpuHoursLeft,
                ["gpuHoursNeeded"] = quota.GpuHoursNeeded,
                ["resetsAt"] = quota.ResetsAt,
            },
            _ => throw new UnreachableException($"no problem document for {refusal.GetType().Name}"),
        };
        return TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: refusal.Title,
            detail: refusal.Detail,
            type: refusal.Type,
            extensions: extensions);
    }

    public static async Task<Ok<List<JobView>>> ListAsync(
        HttpContext http, JobStore store, SiteRegistry sites, IJobActivity tunnels, TimeProvider time, bool? all, int? limit,
        CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(TokenAuth.User(http), all ?? false, Math.Clamp(limit ?? 200, 1, 1000), cancellationToken);
        return TypedResults.Ok(rows.Select(r => r.WithActivity(tunnels, time).ToView(sites.IsUnreachable(r.Site))).ToList());
    }

    public static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetAsync(
        string id, HttpContext http, JobStore store, SiteRegistry sites, SiteActivity activity, IJobActivity tunnels,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var job = await OwnedAsync(id, http, store, cancellationToken);
        if (job is null)
        {
            return NotFound(id);
        }

        // Someone is watching this job: poll its site at the interactive pace for a while.
        activity.Touch(job.Site);
        return TypedResults.Ok(job.WithActivity(tunnels, time).ToView(sites.IsUnreachable(job.Site)));
    }

    public static async Task<Results<Ok<JobView>, ProblemHttpResult>> CancelAsync(
        string id, HttpContext http, JobStore store, JobService service, SiteRegistry sites, CancellationToken cancellationToken)
    {
        var job = await OwnedAsync(id, http, store, cancellationToken);
        if (job is null)
        {
            return NotFound(id);
        }

        try
        {
            job = await service.CancelAsync(job, cancellationToken);
        }
        catch (Exception e) when (e is SiteUnreachableException or SlurmCommandException)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The job could not be cancelled",
                detail: $"{e.Message} The job may still run; try again.");
        }

        return TypedResults.Ok(job.ToView(sites.IsUnreachable(job.Site)));
    }

    /// <summary>
    /// Streams the job's output from a byte offset. With <c>follow</c> the response stays open and sends what the
    /// job writes until the job has ended and everything it wrote was sent. A client that loses the connection
    /// asks again from the offset it reached, and gets no gap and no repeat.
    /// </summary>
    public static async Task LogsAsync(
        string id, long? offset, bool? follow, HttpContext http, JobStore store, SlurmClient slurm,
        SiteActivity activity, TimeProvider time, CancellationToken cancellationToken)
    {
        var job = await OwnedAsync(id, http, store, cancellationToken);
        if (job is null)
        {
            await NotFound(id).ExecuteAsync(http);
            return;
        }

        if (offset is < 0)
        {
            await TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["offset"] = ["must be 0 or more"] }).ExecuteAsync(http);
            return;
        }

        var position = offset ?? 0;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers[ApiRoutes.LogOffsetHeader] = position.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.StartAsync(cancellationToken);

        var ended = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            byte[] chunk;
            try
            {
                chunk = await slurm.ReadOutputAsync(job.Site, job.WorkDir, position, LogChunkBytes, cancellationToken);
            }
            catch (SiteUnreachableException) when (follow == true)
            {
                // The stream stays open; the client sees a pause, and the next read resumes at the same offset.
                await Task.Delay(TimeSpan.FromSeconds(2), time, cancellationToken);
                continue;
            }

            if (chunk.Length > 0)
            {
                await http.Response.Body.WriteAsync(chunk, cancellationToken);
                await http.Response.Body.FlushAsync(cancellationToken);
                position += chunk.Length;
                if (chunk.Length == LogChunkBytes)
                {
                    continue;
                }
            }

            if (follow != true || ended)
            {
                break;
            }

            // The state is read before the next file read, so output written just before the job ended is still sent.
            var current = await store.GetAsync(job.Id, cancellationToken);
            ended = current is null || JobStates.IsTerminal(current.State);
            if (!ended)
            {
                activity.Touch(job.Site);
                await Task.Delay(LogPollInterval, time, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Reads a JSON body. Unlike the framework's binder, a body that does not parse is answered with the JSON path
    /// of the value that broke it, so the client learns which field to fix.
    /// </summary>
    private static async Task<(T? Value, Dictionary<string, string[]>? Errors)> ReadBodyAsync<T>(
        HttpContext http, CancellationToken cancellationToken)
        where T : class
    {
        if (!http.Request.HasJsonContentType())
        {
            return (null, new() { ["body"] = ["expected Content-Type: application/json"] });
        }

        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, options, cancellationToken);
            return value is null ? (null, new() { ["body"] = ["expected a JSON object, got null"] }) : (value, null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (null, new() { [field] = [$"not valid JSON, or not the type this field takes{where}"] });
        }
    }

    private static async Task<JobRow?> OwnedAsync(string id, HttpContext http, JobStore store, CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(id, cancellationToken);

        // Someone else's job answers exactly like a missing one: its existence is not revealed.
        return job is not null && job.UserId == TokenAuth.User(http) ? job : null;
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such job", detail: $"No job '{id}' of yours.");
}
