using Commons.Bridge.Data;

namespace Commons.Bridge.Api;

/// <summary>
/// Bearer-token check for the API group. The user id it finds is kept on the request for the handlers; a missing,
/// unknown or revoked token gets 401 before any handler runs.
/// </summary>
public sealed class TokenAuth(TokenStore tokens) : IEndpointFilter
{
    private const string UserKey = "commons.user";

    public static string User(HttpContext context) =>
        context.Items[UserKey] as string ?? throw new InvalidOperationException("endpoint is outside the token filter");

    /// <summary>The bearer token of a request, or null when it has none.</summary>
    public static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header[scheme.Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        string? user = null;
        if (BearerToken(http) is { } token)
        {
            user = await tokens.FindUserAsync(token, http.RequestAborted);
        }

        if (user is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Not signed in",
                detail: header.Length == 0
                    ? "The request has no bearer token. Set COMMONS_TOKEN or run `commons login`."
                    : "The bearer token is unknown or revoked.");
        }

        http.Items[UserKey] = user;
        return await next(context);
    }
}
