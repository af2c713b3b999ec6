using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Commons.Bridge.Hosting;

namespace Commons.Bridge.Merit.Http;

/// <summary>
/// Obeys a forge's rate-limit headers: GitHub's <c>X-RateLimit-Remaining</c>/<c>-Reset</c>/<c>-Resource</c>, GitLab's
/// <c>RateLimit-Remaining</c>/<c>-Reset</c>, and <c>Retry-After</c>. A 403 with no requests remaining or a
/// <c>Retry-After</c>, or any 429, closes the <see cref="RateLimitGate"/> of that budget until the reset; so does a
/// success that used the last request. While the gate is closed nothing is sent: a request waits when the reset is at
/// most <c>maxWait</c> away (a limited answer is then retried once), otherwise it fails with <see cref="ForgeRateLimitedException"/>.
/// </summary>
public sealed class RateLimitHandler(RateLimitGate gate, TimeProvider time, TimeSpan maxWait, ILogger logger)
    : DelegatingHandler
{
    /// <summary>How long the forge is left alone after a limit answer that names no reset.</summary>
    public static readonly TimeSpan UnnamedReset = TimeSpan.FromSeconds(60);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var host = request.RequestUri?.Host ?? "forge";
        var resource = request.RequestUri?.AbsolutePath.Contains("/search/", StringComparison.Ordinal) == true ? "search" : "core";
        await WaitForGateAsync(host, resource, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken);

            var now = time.GetUtcNow();
            var remaining = Header(response, "X-RateLimit-Remaining") ?? Header(response, "RateLimit-Remaining");
            var reset = Header(response, "X-RateLimit-Reset") ?? Header(response, "RateLimit-Reset");
            var resetsAt = reset is { } epoch ? DateTimeOffset.FromUnixTimeSeconds(epoch) : (DateTimeOffset?)null;
            var retryAt = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => now + delta,
                { Date: { } date } => date,
                _ => (DateTimeOffset?)null,
            };
            var budget = response.Headers.TryGetValues("X-RateLimit-Resource", out var names) ? names.First() : resource;

            var limited = response.StatusCode == HttpStatusCode.TooManyRequests
                || (response.StatusCode == HttpStatusCode.Forbidden && (remaining == 0 || retryAt is not null));
            if (!limited)
            {
                if (remaining == 0 && resetsAt is { } next)
                {
                    gate.Close(budget, next);
                }

                return response;
            }

            var until = retryAt ?? resetsAt ?? now + UnnamedReset;
            gate.Close(budget, until);
            response.Dispose();
            if (attempt > 0 || until - now > maxWait)
            {
                throw new ForgeRateLimitedException(host, budget, until);
            }

            await DelayAsync(host, budget, until - now, cancellationToken);
        }
    }

    private async Task WaitForGateAsync(string host, string resource, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (gate.ClosedUntil(resource, now) is not { } until)
        {
            return;
        }

        var wait = until - now;
        if (wait > maxWait)
        {
            throw new ForgeRateLimitedException(host, resource, until);
        }

        await DelayAsync(host, resource, wait, cancellationToken);
    }

    private async Task DelayAsync(string host, string resource, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait > TimeSpan.Zero)
        {
            Log.ForgeRateLimitWait(logger, host, resource, wait.TotalSeconds);
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.First(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}

/// <summary>
/// When each rate-limit budget of one forge opens again. Shared by every request to that forge, so that one
/// exhausted answer stops all evaluations from asking until the reset.
/// </summary>
public sealed class RateLimitGate
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _closedUntil = new(StringComparer.Ordinal);

    /// <summary>The time the budget opens again, or null when it is open now.</summary>
    public DateTimeOffset? ClosedUntil(string resource, DateTimeOffset now) =>
        _closedUntil.TryGetValue(resource, out var until) && until > now ? until : null;

    public void Close(string resource, DateTimeOffset until) =>
        _closedUntil.AddOrUpdate(resource, until, (_, known) => known > until ? known : until);
}
