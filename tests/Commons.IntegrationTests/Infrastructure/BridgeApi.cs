using System.Net;
using System.Net.Http.Json;
using Commons.Contracts;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>The answer to a submit: the HTTP status and the job, when the bridge returned one.</summary>
public sealed record SubmitResponse(HttpStatusCode Status, JobView? Job, string Body);

/// <summary>The bridge's HTTP API, called as the demo user unless another client is given.</summary>
public static class BridgeApi
{
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A submit request for a raw command, with a fresh request id.</summary>
    public static SubmitJobRequest Command(params string[] command) => new(NewRequestId(), command);

    public static string NewRequestId() => $"it-{Guid.NewGuid():N}";

    public static async Task<SubmitResponse> SubmitAsync(SubmitJobRequest request, HttpClient? client = null)
    {
        using var response = await (client ?? Sandbox.Http).PostAsJsonAsync(ApiRoutes.Jobs, request, Json.Options);
        var body = await response.Content.ReadAsStringAsync();
        var job = response.IsSuccessStatusCode
            ? System.Text.Json.JsonSerializer.Deserialize<JobView>(body, Json.Options)
            : null;
        return new SubmitResponse(response.StatusCode, job, body);
    }

    /// <summary>Submits and asserts the bridge accepted the job.</summary>
    public static async Task<JobView> SubmitOkAsync(SubmitJobRequest request)
    {
        var response = await SubmitAsync(request);
        Assert.That(
            response.Status,
            Is.EqualTo(HttpStatusCode.Created).Or.EqualTo(HttpStatusCode.Accepted),
            $"submit answered: {response.Body}");
        return response.Job!;
    }

    public static async Task<JobView> GetAsync(string id)
    {
        using var response = await Sandbox.Http.GetAsync(ApiRoutes.Job(id));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {ApiRoutes.Job(id)} answered: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<JobView>(body, Json.Options)!;
    }

    /// <summary>Every job of the demo user, finished ones included, newest first.</summary>
    public static async Task<List<JobView>> ListAllAsync()
    {
        var jobs = await Sandbox.Http.GetFromJsonAsync<List<JobView>>($"{ApiRoutes.Jobs}?all=true", Json.Options);
        return jobs ?? [];
    }

    public static async Task<JobView> CancelAsync(string id)
    {
        using var response = await Sandbox.Http.DeleteAsync(ApiRoutes.Job(id));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"DELETE {ApiRoutes.Job(id)} answered: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<JobView>(body, Json.Options)!;
    }

    /// <summary>The whole output of a job, followed until the job ended.</summary>
    public static async Task<byte[]> ReadLogAsync(string id)
    {
        using var timeout = new CancellationTokenSource(JobTimeout);
        return await Sandbox.Http.GetByteArrayAsync(ApiRoutes.Logs(id, 0, follow: true), timeout.Token);
    }

    /// <summary>Waits until the bridge reports the job in a terminal state, and returns it.</summary>
    public static Task<JobView> WaitForEndAsync(string id, TimeSpan? timeout = null) =>
        Eventually.Async(
            () => GetAsync(id),
            job => JobStates.IsTerminal(job.State),
            timeout ?? JobTimeout,
            $"job {id} to reach a terminal state");

    /// <summary>Cancels a job a test left running; quietly, as cleanup must not hide the test's own failure.</summary>
    public static async Task CancelQuietlyAsync(string? id)
    {
        if (id is null)
        {
            return;
        }

        try
        {
            using var response = await Sandbox.Http.DeleteAsync(ApiRoutes.Job(id));
        }
        catch (HttpRequestException e)
        {
            await TestContext.Out.WriteLineAsync($"cleanup: could not cancel job {id}: {e.Message}");
        }
    }
}
