using System.Net;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>A submit repeated with the same request id returns the first job and never runs it twice.</summary>
[Order(RunOrder.Api)]
public sealed class IdempotencyTests
{
    [Test]
    public async Task Submit_WhenRequestIdRepeats_ReturnsTheSameJobWith200AndSubmitsOneSlurmJob()
    {
        var request = BridgeApi.Command("true");

        var first = await BridgeApi.SubmitAsync(request);
        var second = await BridgeApi.SubmitAsync(request);

        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Created).Or.EqualTo(HttpStatusCode.Accepted), first.Body);
        Assert.That(second.Status, Is.EqualTo(HttpStatusCode.OK), second.Body);
        Assert.That(second.Job!.Id, Is.EqualTo(first.Job!.Id));
        Assert.That(await SlurmJobsTaggedAsync(first.Job.Id), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Submit_WhenTheSameRequestArrivesTwiceAtOnce_CreatesOneJobAndSubmitsOneSlurmJob()
    {
        var request = BridgeApi.Command("true");

        var answers = await Task.WhenAll(BridgeApi.SubmitAsync(request), BridgeApi.SubmitAsync(request));

        var statuses = answers.Select(a => a.Status).Order().ToList();
        Assert.That(statuses[0], Is.EqualTo(HttpStatusCode.OK), string.Join("\n", answers.Select(a => a.Body)));
        Assert.That(statuses[1], Is.EqualTo(HttpStatusCode.Created).Or.EqualTo(HttpStatusCode.Accepted));
        Assert.That(answers[1].Job!.Id, Is.EqualTo(answers[0].Job!.Id));
        var id = answers[0].Job!.Id;
        await BridgeApi.WaitForEndAsync(id);
        Assert.That(await SlurmJobsTaggedAsync(id), Has.Count.EqualTo(1));
    }

    private static async Task<IReadOnlyList<SlurmQueueEntry>> SlurmJobsTaggedAsync(string jobId) =>
        (await Sandbox.QueueAsync()).Where(q => q.Comment == $"commons:{jobId}").ToList();
}
