using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Commons.StandIns.Forge.GitHub;
using Commons.StandIns.Forge.GitLab;
using Commons.StandIns.Forge.Profiles;
using Microsoft.Extensions.Primitives;

namespace Commons.StandIns.Forge.Web;

/// <summary>Who is asking: the account a token stands for, or nobody; and from which address.</summary>
internal sealed record Caller(Account? Account, string Address)
{
    /// <summary>What the rate limit counts against: the account when there is a token, else the address.</summary>
    public string RateKey => Account is { } account ? $"{account.Forge}:{account.Id}" : $"address:{Address}";

    public static Caller Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<Caller>() ?? new Caller(null, AddressOf(context));
    }

    public static string AddressOf(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>
/// What stands in front of both APIs, in the order the forges apply it: the token (a wrong one is refused),
/// the rate limit (a used-up allowance is refused before any work), then the answer, buffered so that it gets a
/// strong ETag; a matching <c>If-None-Match</c> turns it into a 304 that costs none of the allowance. Every
/// answer carries the forge's rate-limit headers.
/// </summary>
internal sealed class ApiGate(TokenStore tokens, RateLimits limits, RequestStats stats, TimeProvider time)
{
    private static readonly PathString GitHubApi = "/api/v3";
    private static readonly PathString GitLabApi = "/api/v4";
    private static readonly PathString GitHubSearch = "/api/v3/search";
    private static readonly PathString GitHubRateLimit = "/api/v3/rate_limit";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        ForgeKind? forge = path.StartsWithSegments(GitHubApi) ? ForgeKind.GitHub
            : path.StartsWithSegments(GitLabApi) ? ForgeKind.GitLab
            : null;
        if (forge is not { } kind)
        {
            await next(context);
            return;
        }

        if (!TryAuthenticate(context, kind, out var caller))
        {
            IResult refusal = kind == ForgeKind.GitHub ? GitHubErrors.BadCredentials() : GitLabErrors.Unauthorized();
            await refusal.ExecuteAsync(context);
            return;
        }

        context.Features.Set(caller);
        var resource = kind == ForgeKind.GitLab ? RateResource.GitLab
            : path.StartsWithSegments(GitHubSearch) ? RateResource.Search
            : RateResource.Core;

        // GitHub does not count asking about the allowance against the allowance.
        var free = path.Equals(GitHubRateLimit, StringComparison.OrdinalIgnoreCase);
        if (!free && await RefuseWhenLimitedAsync(context, kind, resource, caller))
        {
            return;
        }

        await AnswerAsync(context, next, kind, resource, caller, free);
    }

    private async Task<bool> RefuseWhenLimitedAsync(
        HttpContext context, ForgeKind forge, RateResource resource, Caller caller)
    {
        if (forge == ForgeKind.GitHub && limits.SecondaryLimitLeft() is { } left)
        {
            stats.RateLimited();
            AddRateHeaders(context, forge, resource, limits.Current(resource, caller.RateKey));
            context.Response.Headers.RetryAfter = Seconds(left);
            await GitHubErrors.SecondaryRateLimited().ExecuteAsync(context);
            return true;
        }

        var state = limits.Current(resource, caller.RateKey);
        if (state.Remaining > 0)
        {
            return false;
        }

        stats.RateLimited();
        AddRateHeaders(context, forge, resource, state);
        if (forge == ForgeKind.GitHub)
        {
            await GitHubErrors.RateLimited(caller).ExecuteAsync(context);
        }
        else
        {
            context.Response.Headers.RetryAfter = Seconds(state.Reset - time.GetUtcNow());
            await GitLabErrors.RateLimited().ExecuteAsync(context);
        }

        return true;
    }

    private async Task AnswerAsync(
        HttpContext context, RequestDelegate next, ForgeKind forge, RateResource resource, Caller caller, bool free)
    {
        var response = context.Response;

        // GitHub names the OAuth application behind a token on every answer to it; a personal token has none.
        if (forge == ForgeKind.GitHub && TokenOf(context.Request, forge) is { } token && tokens.ClientIdOf(token) is { } clientId)
        {
            response.Headers["X-OAuth-Client-Id"] = clientId;
        }

        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            response.Body = original;
        }

        if (HttpMethods.IsGet(context.Request.Method) && response.StatusCode == StatusCodes.Status200OK)
        {
            var tag = $"\"{Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))}\"";
            response.Headers.ETag = tag;
            if (Matches(context.Request.Headers.IfNoneMatch, tag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                response.ContentType = null;
                AddRateHeaders(context, forge, resource, limits.Current(resource, caller.RateKey));
                return;
            }
        }

        var state = free ? limits.Current(resource, caller.RateKey) : limits.Use(resource, caller.RateKey);
        AddRateHeaders(context, forge, resource, state);
        response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private bool TryAuthenticate(HttpContext context, ForgeKind forge, out Caller caller)
    {
        var address = Caller.AddressOf(context);
        caller = new Caller(null, address);
        var token = TokenOf(context.Request, forge);
        if (token is null)
        {
            return true;
        }

        var account = tokens.Find(forge, token);
        caller = new Caller(account, address);
        return account is not null;
    }

    /// <summary>
    /// GitHub takes <c>token X</c>, <c>Bearer X</c>, or basic auth with the token as password; GitLab takes
    /// <c>Bearer X</c> or a <c>PRIVATE-TOKEN</c> header.
    /// </summary>
    private static string? TokenOf(HttpRequest request, ForgeKind forge)
    {
        if (forge == ForgeKind.GitLab && request.Headers["PRIVATE-TOKEN"] is [{ Length: > 0 } privateToken])
        {
            return privateToken;
        }

        var authorization = request.Headers.Authorization.ToString();
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return authorization.Length == 0 ? null : authorization;
        }

        var scheme = authorization[..space];
        var value = authorization[(space + 1)..].Trim();
        if (forge == ForgeKind.GitHub && scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(value));
                return pair[(pair.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
            catch (FormatException)
            {
                // Not base64: then it is no token, and the lookup below refuses it as bad credentials.
                return value;
            }
        }

        return value;
    }

    private static bool Matches(StringValues ifNoneMatch, string tag)
    {
        foreach (var header in ifNoneMatch)
        {
            foreach (var candidate in (header ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
            {
                // For GET, If-None-Match compares weakly: W/"x" matches "x".
                var bare = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
                if (bare == tag || bare == "*")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void AddRateHeaders(HttpContext context, ForgeKind forge, RateResource resource, RateState state)
    {
        var headers = context.Response.Headers;
        if (forge == ForgeKind.GitHub)
        {
            headers["X-RateLimit-Limit"] = Text(state.Limit);
            headers["X-RateLimit-Remaining"] = Text(state.Remaining);
            headers["X-RateLimit-Used"] = Text(state.Used);
            headers["X-RateLimit-Reset"] = Text(state.ResetEpoch);
            headers["X-RateLimit-Resource"] = resource == RateResource.Search ? "search" : "core";
            return;
        }

        headers["RateLimit-Limit"] = Text(state.Limit);
        headers["RateLimit-Remaining"] = Text(state.Remaining);
        headers["RateLimit-Observed"] = Text(state.Used);
        headers["RateLimit-Reset"] = Text(state.ResetEpoch);
        headers["RateLimit-ResetTime"] = state.Reset.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string Seconds(TimeSpan span) => Text((long)Math.Ceiling(Math.Max(span.TotalSeconds, 1)));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
