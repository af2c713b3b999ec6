using System.Net;
using System.Net.Http.Json;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>A job is visible to its owner only: others get the answer a missing job gets, strangers 401.</summary>
[Order(RunOrder.Api)]
public sealed class OwnershipTests
{
    private JobView _job = null!;
    private HttpClient _intruder = null!;
    private HttpClient _anonymous = null!;

    [OneTimeSetUp]
    public async Task SubmitADemoJobAsync()
    {
        _job = await BridgeApi.SubmitOkAsync(BridgeApi.Command("sh", "-c", "echo private; sleep 300"));
        var token = await Sandbox.CreateUserTokenAsync($"intruder-{Guid.NewGuid():N}"[..24]);
        _intruder = Sandbox.CreateClient(token);
        _anonymous = Sandbox.CreateClient(null);
    }

    [OneTimeTearDown]
    public async Task CleanUpAsync()
    {
        await BridgeApi.CancelQuietlyAsync(_job?.Id);
        _intruder?.Dispose();
        _anonymous?.Dispose();
    }

    [TestCase("GET", "")]
    [TestCase("DELETE", "")]
    [TestCase("GET", "/logs?offset=0&follow=false")]
    public async Task Request_WithAnotherUsersToken_Answers404AndLeavesTheJobAlone(string method, string suffix)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), ApiRoutes.Job(_job.Id) + suffix);

        using var response = await _intruder.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), body);
        Assert.That(body, Does.Not.Contain("private"));
        var job = await BridgeApi.GetAsync(_job.Id);
        Assert.That(JobStates.IsTerminal(job.State), Is.False, $"the job ended: {job.State} ({job.Reason})");
    }

    [TestCase("GET", "")]
    [TestCase("DELETE", "")]
    [TestCase("GET", "/logs?offset=0&follow=false")]
    public async Task Request_WithoutToken_Answers401(string method, string suffix)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), ApiRoutes.Job(_job.Id) + suffix);

        using var response = await _anonymous.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
    }

    [Test]
    public async Task List_WithAnotherUsersToken_DoesNotShowTheJob()
    {
        var jobs = await _intruder.GetFromJsonAsync<List<JobView>>($"{ApiRoutes.Jobs}?all=true", Json.Options);

        Assert.That(jobs!.Select(j => j.Id), Does.Not.Contain(_job.Id));
    }
}
