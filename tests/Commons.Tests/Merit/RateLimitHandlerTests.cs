using System.Globalization;
using System.Net;
using Commons.Bridge.Merit.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Merit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class RateLimitHandlerTests : IDisposable
{
    private const string Core = "http://github.test/api/v3/repos/big/lib";
    private const string Search = "http://github.test/api/v3/search/issues?q=is:pr";

    private readonly FakeTimeProvider _time = new(MeritFacts.Now);
    private readonly FakeForge _forge = new();
    private readonly RateLimitGate _gate = new();

    public void Dispose() => _forge.Dispose();

    [Test]
    public async Task Send_WhenTheLimitResetsWithinTheBound_WaitsAndRetriesOnce()
    {
        var calls = 0;
        _forge.Route(Search, _ => ++calls == 1 ? Exhausted(resetInSeconds: 30) : Ok());
        using var invoker = CreateSut();

        var sending = invoker.SendAsync(Get(Search), CancellationToken.None);
        Assert.That(sending.IsCompleted, Is.False, "it waits for the reset");
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(sending.IsCompleted, Is.False);
        _time.Advance(TimeSpan.FromSeconds(1));
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task Send_WhenTheResetIsBeyondTheBound_ThrowsTypedWithoutRetrying()
    {
        _forge.Route(Core, _ => Exhausted(resetInSeconds: 1800));
        using var invoker = CreateSut();

        var thrown = await Assert.ThrowsAsync<ForgeRateLimitedException>(() => invoker.SendAsync(Get(Core), CancellationToken.None));

        Assert.That(thrown!.Resource, Is.EqualTo("core"));
        Assert.That(thrown.ResetsAt, Is.EqualTo(MeritFacts.Now.AddSeconds(1800)));
        Assert.That(_forge.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Send_AfterAnExhaustedAnswer_SendsNothingUntilTheReset()
    {
        _forge.Route(Core, _ => Exhausted(resetInSeconds: 1800));
        using var invoker = CreateSut();
        await Assert.ThrowsAsync<ForgeRateLimitedException>(() => invoker.SendAsync(Get(Core), CancellationToken.None));

        await Assert.ThrowsAsync<ForgeRateLimitedException>(() => invoker.SendAsync(Get(Core), CancellationToken.None));
        await Assert.ThrowsAsync<ForgeRateLimitedException>(() => invoker.SendAsync(Get(Core), CancellationToken.None));

        Assert.That(_forge.Requests, Has.Count.EqualTo(1), "the forge is not asked again before its reset");
    }

    [Test]
    public async Task Send_AnExhaustedSearchBudget_LeavesTheCoreBudgetOpen()
    {
        _forge.Route(Search, _ => Exhausted(resetInSeconds: 1800, resource: "search"));
        _forge.Route(Core, _ => Ok());
        using var invoker = CreateSut();
        await Assert.ThrowsAsync<ForgeRateLimitedException>(() => invoker.SendAsync(Get(Search), CancellationToken.None));

        using var response = await invoker.SendAsync(Get(Core), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Send_WhenStillLimitedAfterTheWait_ThrowsInsteadOfHammering()
    {
        _forge.Route(Search, _ => Exhausted(resetInSeconds: 10));
        using var invoker = CreateSut();

        var sending = invoker.SendAsync(Get(Search), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<ForgeRateLimitedException>(() => sending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(_forge.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Send_GitLabs429WithRetryAfter_IsObeyed()
    {
        _forge.Route(Core, _ => new HttpResponseMessage(HttpStatusCode.TooManyRequests)
        {
            Headers = { { "Retry-After", "600" }, { "RateLimit-Remaining", "0" } },
        });
        using var invoker = CreateSut();

        var thrown = await Assert.ThrowsAsync<ForgeRateLimitedException>(() => invoker.SendAsync(Get(Core), CancellationToken.None));

        Assert.That(thrown!.ResetsAt, Is.EqualTo(MeritFacts.Now.AddSeconds(600)));
    }

    [Test]
    public async Task Send_ASuccessThatUsedTheLastRequest_MakesTheNextOneWait()
    {
        var reset = MeritFacts.Now.AddSeconds(20).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        _forge.Route(Core, _ => Ok(("RateLimit-Remaining", "0"), ("RateLimit-Reset", reset)));
        using var invoker = CreateSut();
        (await invoker.SendAsync(Get(Core), CancellationToken.None)).Dispose();

        var next = invoker.SendAsync(Get(Core), CancellationToken.None);
        Assert.That(_forge.Requests, Has.Count.EqualTo(1), "nothing is sent before the reset");
        _time.Advance(TimeSpan.FromSeconds(20));
        (await next.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();

        Assert.That(_forge.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Send_AForbiddenThatIsNoRateLimit_IsPassedOn()
    {
        _forge.Route(Core, _ => new HttpResponseMessage(HttpStatusCode.Forbidden) { Headers = { { "X-RateLimit-Remaining", "4000" } } });
        using var invoker = CreateSut();

        using var response = await invoker.SendAsync(Get(Core), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    private HttpMessageInvoker CreateSut() =>
        new(new RateLimitHandler(_gate, _time, TimeSpan.FromSeconds(65), NullLogger.Instance) { InnerHandler = _forge });

    private static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);

    private HttpResponseMessage Exhausted(int resetInSeconds, string resource = "core")
    {
        var reset = _time.GetUtcNow().AddSeconds(resetInSeconds).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return new HttpResponseMessage(HttpStatusCode.Forbidden)
        {
            Headers =
            {
                { "X-RateLimit-Limit", "30" },
                { "X-RateLimit-Remaining", "0" },
                { "X-RateLimit-Used", "30" },
                { "X-RateLimit-Reset", reset },
                { "X-RateLimit-Resource", resource },
            },
            Content = new StringContent(
                """{"message":"API rate limit exceeded for 127.0.0.1.","documentation_url":"https://docs.github.com/rest"}"""),
        };
    }

    private static HttpResponseMessage Ok(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
        foreach (var (name, value) in headers)
        {
            response.Headers.Add(name, value);
        }

        return response;
    }
}
