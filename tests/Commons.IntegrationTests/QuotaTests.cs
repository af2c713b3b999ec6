using System.Globalization;
using System.Net;
using System.Text.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// The GPU-hour ledger on the real bridge and cluster: concurrent submits never overspend, and a job's end charges
/// what it really used. The user is a contributor (24 GPU-hours a month, 1 GPU and 4 hours a job).
/// </summary>
[TestFixture]
[Order(RunOrder.Quota)]
public sealed class QuotaTests
{
    private readonly List<(HttpClient Client, string JobId)> _started = [];
    private readonly List<HttpClient> _clients = [];

    [TearDown]
    public async Task CancelJobsAsync()
    {
        foreach (var (client, id) in _started)
        {
            using var _ = await client.DeleteAsync(ApiRoutes.Job(id));
        }

        _started.Clear();
        _clients.ForEach(c => c.Dispose());
        _clients.Clear();
    }

    [Test]
    public async Task TwentyParallelSubmits_WithRoomForFive_AcceptExactlyFive()
    {
        var client = await ContributorAsync("quota");

        // One job holding 4 of the 24 GPU-hours leaves room for exactly five more jobs of 1 GPU x 4 hours.
        var holder = await SubmitAsync(client, FourHourGpuJob());
        Assert.That(holder.Status, Is.EqualTo(HttpStatusCode.Created).Or.EqualTo(HttpStatusCode.Accepted), holder.Body);
        _started.Add((client, holder.Job!.Id));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SubmitAsync(client, FourHourGpuJob())));
        _started.AddRange(answers.Where(a => a.Job is not null).Select(a => (client, a.Job!.Id)));

        var accepted = answers.Count(a => a.Status is HttpStatusCode.Created or HttpStatusCode.Accepted);
        var refused = answers.Where(a => a.Status == HttpStatusCode.Forbidden).ToList();
        Assert.That(accepted, Is.EqualTo(5), string.Join("\n", answers.Select(a => $"{(int)a.Status} {a.Body}")));
        Assert.That(refused, Has.Count.EqualTo(15));
        using var problem = JsonDocument.Parse(refused[0].Body);
        Assert.That(problem.RootElement.GetProperty("gpuHoursLeft").GetDouble(), Is.Zero);
        Assert.That(problem.RootElement.GetProperty("gpuHoursNeeded").GetDouble(), Is.EqualTo(4));
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain("0 of your 24 GPU-hours").And.Contain("resets at"));
    }

    [Test]
    public async Task AJobsEnd_ChargesItsRealElapsedTimeTimesGpus()
    {
        var client = await ContributorAsync("charge");
        var submitted = await SubmitAsync(
            client, new SubmitJobRequest(BridgeApi.NewRequestId(), ["sleep", "4"], Resources: new JobResources(Gpus: "a100:1", Time: "30m")));
        Assert.That(submitted.Job, Is.Not.Null, submitted.Body);
        var id = submitted.Job!.Id;
        _started.Add((client, id));

        var charged = await Eventually.Async(
            () => ChargedAsync(id), c => c is not null, TimeSpan.FromSeconds(90), "the job's charge");

        var (reserved, started, ended) = await LedgerAsync(id);
        Assert.That(reserved, Is.EqualTo(1 * 30 * 60), "reserved GPU-seconds: 1 GPU x 30 minutes");
        Assert.That(charged, Is.EqualTo((ended - started) / 1000), "charged GPU-seconds: 1 GPU x elapsed");
        Assert.That(charged, Is.InRange(4, 15), "the job slept 4 s");
    }

    private static SubmitJobRequest FourHourGpuJob() =>
        new(BridgeApi.NewRequestId(), ["sleep", "600"], Resources: new JobResources(Gpus: "a100:1", Time: "4h"));

    private async Task<HttpClient> ContributorAsync(string prefix)
    {
        var user = $"{prefix}-{Guid.NewGuid():N}"[..24];
        var token = await Sandbox.CreateUserTokenAsync(user, tier: "contributor");
        var client = Sandbox.CreateClient(token);
        _clients.Add(client);
        return client;
    }

    private static Task<SubmitResponse> SubmitAsync(HttpClient client, SubmitJobRequest request) =>
        BridgeApi.SubmitAsync(request, client);

    private static async Task<long?> ChargedAsync(string jobId)
    {
        await using var connection = await BridgeDatabase.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT charged_gpu_seconds FROM jobs WHERE id = $id";
        command.Parameters.AddWithValue("$id", jobId);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    private static async Task<(long Reserved, long StartedAt, long EndedAt)> LedgerAsync(string jobId)
    {
        await using var connection = await BridgeDatabase.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT reserved_gpu_seconds, started_at, ended_at FROM jobs WHERE id = $id";
        command.Parameters.AddWithValue("$id", jobId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
