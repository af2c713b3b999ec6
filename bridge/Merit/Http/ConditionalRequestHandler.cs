using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Commons.Bridge.Merit.Http;

/// <summary>
/// Asks a forge only for what changed. Each GET goes out with the ETag of the last answer for its URL
/// (<c>If-None-Match</c>); a 304 is handed back as a 200 with the cached body, so the client above never sees a
/// 304, and GitHub does not count it against the rate limit. When the forge cannot be asked (rate-limited beyond the
/// wait bound, unreachable, or failing with 5xx) and an answer is cached, that answer is served and noted in
/// <see cref="StaleAnswers"/>; without one, the failure surfaces as <see cref="ForgeUnavailableException"/>.
/// </summary>
/// <remarks>
/// The cache is keyed by the absolute URL alone: the bridge reads with one token of its own, and only public data.
/// It is never pruned; one row per URL the collectors have asked for.
/// </remarks>
public sealed class ConditionalRequestHandler(ForgeCache cache, StaleAnswers stale) : DelegatingHandler
{
    /// <summary>Set on an answer served from the cache because the forge could not be asked; its value says why.</summary>
    public const string StaleHeader = "X-Commons-Stale";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get || request.RequestUri is null)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var url = request.RequestUri.AbsoluteUri;
        var cached = await cache.FindAsync(url, cancellationToken);
        if (cached?.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (ForgeUnavailableException e) when (cached is not null)
        {
            return Stale(request, url, cached, $"{e.Forge}: {e.Reason}");
        }
        catch (HttpRequestException e)
        {
            if (cached is not null)
            {
                return Stale(request, url, cached, $"{request.RequestUri.Host} unreachable ({e.Message})");
            }

            throw new ForgeUnavailableException(request.RequestUri.Host, $"unreachable: {e.Message}", e);
        }

        if (response.StatusCode == HttpStatusCode.NotModified && cached is not null)
        {
            await cache.TouchAsync(url, cancellationToken);
            var fromCache = Cached(request, cached);
            foreach (var header in response.Headers.Where(h => h.Key != "ETag"))
            {
                fromCache.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            fromCache.Headers.TryAddWithoutValidation("ETag", cached.ETag);
            response.Dispose();
            return fromCache;
        }

        if ((int)response.StatusCode >= 500 && cached is not null)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            return Stale(request, url, cached, $"{request.RequestUri.Host} answered {status}");
        }

        if (response.StatusCode == HttpStatusCode.OK)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            await cache.StoreAsync(url, response.Headers.ETag?.ToString(), body, cancellationToken);
        }

        return response;
    }

    private HttpResponseMessage Stale(HttpRequestMessage request, string url, CachedAnswer cached, string reason)
    {
        stale.Add(url, reason);
        var response = Cached(request, cached);
        response.Headers.TryAddWithoutValidation(StaleHeader, reason);
        return response;
    }

    private static HttpResponseMessage Cached(HttpRequestMessage request, CachedAnswer cached) =>
        new(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new StringContent(cached.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
}
