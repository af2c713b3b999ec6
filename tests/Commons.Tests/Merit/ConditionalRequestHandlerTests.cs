using System.Net;
using System.Net.Http.Headers;
using Commons.Bridge.Merit.Http;
using Commons.Tests.Data;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Merit;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ConditionalRequestHandlerTests : IDisposable
{
    private const string Url = "http://github.test/api/v3/repos/big/lib";

    private readonly DataTestFolder _data = new();
    private readonly FakeTimeProvider _time = new(MeritFacts.Now);
    private readonly FakeForge _forge = new();
    private readonly StaleAnswers _stale = new();
    private int _answers;

    public void Dispose() => _data.Dispose();

    [Test]
    public async Task Send_FirstTime_StoresETagAndBodyInForgeCache()
    {
        using var invoker = await CreateSutAsync();

        using var response = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"stars":1}"""));
        Assert.That(_forge.Messages[0].Headers.Contains("If-None-Match"), Is.False);
        Assert.That(await _data.AllValuesAsync("forge_cache"), Does.Contain(Url).And.Contain("\"v1\"").And.Contain("""{"stars":1}"""));
    }

    [Test]
    public async Task Send_WhenTheForgeAnswers304_HandsBackTheCachedBodyAsA200()
    {
        using (var first = await CreateSutAsync())
        {
            (await first.SendAsync(Get(), CancellationToken.None)).Dispose();
        }

        // A new pipeline over the same database: the cache outlives the evaluation that filled it.
        using var invoker = await CreateSutAsync();
        using var response = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.That(_forge.Messages[1].Headers.GetValues("If-None-Match"), Is.EqualTo(new[] { "\"v1\"" }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"stars":1}"""));
        Assert.That(response.Headers.ETag?.Tag, Is.EqualTo("\"v1\""));
        Assert.That(_answers, Is.EqualTo(2));
        Assert.That(_stale.Count, Is.Zero, "a 304 is a fresh answer");
    }

    [Test]
    public async Task Send_WhenTheBodyChanged_StoresTheNewOne()
    {
        using var invoker = await CreateSutAsync();
        (await invoker.SendAsync(Get(), CancellationToken.None)).Dispose();
        _forge.Route(Url, _ => Answer("\"v2\"", """{"stars":2}"""));

        using var response = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"stars":2}"""));
        Assert.That(await _data.AllValuesAsync("forge_cache"), Does.Contain("\"v2\"").And.Not.Contain("\"v1\""));
    }

    [Test]
    public async Task Send_WhenRateLimitedWithACachedAnswer_ServesItAsStale()
    {
        using var invoker = await CreateSutAsync();
        (await invoker.SendAsync(Get(), CancellationToken.None)).Dispose();
        _forge.Route(Url, _ => throw new ForgeRateLimitedException("github.test", "core", MeritFacts.Now.AddHours(1)));

        using var response = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"stars":1}"""));
        Assert.That(
            response.Headers.GetValues(ConditionalRequestHandler.StaleHeader).Single(),
            Is.EqualTo("github.test: rate limit 'core' exhausted until 2026-12-04 01:00:00Z"));
        Assert.That(_stale.Summary, Does.StartWith("1 forge answer(s) came from the cache"));
    }

    [Test]
    public async Task Send_WhenUnreachableWithoutACachedAnswer_ThrowsForgeUnavailable()
    {
        using var invoker = await CreateSutAsync();
        _forge.Route(Url, _ => throw new HttpRequestException("connection refused"));

        var thrown = await Assert.ThrowsAsync<ForgeUnavailableException>(() => invoker.SendAsync(Get(), CancellationToken.None));

        Assert.That(thrown!.Message, Is.EqualTo("github.test: unreachable: connection refused"));
    }

    [Test]
    public async Task Send_WhenTheForgeFailsWithACachedAnswer_ServesItAsStale()
    {
        using var invoker = await CreateSutAsync();
        (await invoker.SendAsync(Get(), CancellationToken.None)).Dispose();
        _forge.Route(Url, _ => new HttpResponseMessage(HttpStatusCode.BadGateway));

        using var response = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_stale.Summary, Does.Contain("github.test answered 502"));
    }

    [Test]
    public async Task Send_ANotFound_IsPassedOnAndNotCached()
    {
        using var invoker = await CreateSutAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "http://github.test/api/v3/repos/gone/away");
        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM forge_cache"), Is.Zero);
    }

    private async Task<HttpMessageInvoker> CreateSutAsync()
    {
        await _data.Database.MigrateAsync(CancellationToken.None);
        _forge.Route(Url, request =>
        {
            _answers++;
            return request.Headers.IfNoneMatch.Any(t => t.Tag == "\"v1\"")
                ? new HttpResponseMessage(HttpStatusCode.NotModified) { Headers = { ETag = new EntityTagHeaderValue("\"v1\"") } }
                : Answer("\"v1\"", """{"stars":1}""");
        });
        var handler = new ConditionalRequestHandler(new ForgeCache(_data.Database, _time), _stale) { InnerHandler = _forge };
        return new HttpMessageInvoker(handler);
    }

    private static HttpRequestMessage Get() => new(HttpMethod.Get, Url);

    private static HttpResponseMessage Answer(string etag, string body) =>
        new(HttpStatusCode.OK)
        {
            Headers = { ETag = new EntityTagHeaderValue(etag) },
            Content = new StringContent(body),
        };
}
