using System.Globalization;
using Commons.StandIns.Forge.DeviceFlow;
using Commons.StandIns.Forge.Hosting;
using Commons.StandIns.Forge.Profiles;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Commons.StandIns.Forge.Web;

/// <summary>
/// The stand-in's own routes: <c>GET /</c>, which says what the server is, and the test knobs under
/// <c>/_standin/</c>, which no real forge has.
/// </summary>
public static class StandInApi
{
    public static IEndpointRouteBuilder MapStandInApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGet("/", Describe).WithName("StandIn");
        var knobs = app.MapGroup("/_standin");
        knobs.MapGet("/stats", (RequestStats stats) => TypedResults.Json(stats.Snapshot(), StandInJson.Wire.StatsBody))
            .WithName("StandInStats");
        knobs.MapPost("/reset", Reset).WithName("StandInReset");
        knobs.MapPost("/device/expire", ExpireDeviceCode).WithName("StandInExpireDeviceCode");
        knobs.MapPost("/tokens", MintToken).WithName("StandInMintToken");
        knobs.MapPost("/secondary-limit", ImposeSecondaryLimit).WithName("StandInSecondaryLimit");
        return app;
    }

    private static JsonHttpResult<RootBody> Describe(HttpContext context, World world)
    {
        var root = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        var body = new RootBody(
            true,
            "forge-standin",
            ForgeSettings.Version,
            $"{root}/api/v3",
            $"{root}/api/v4",
            world.Anchor,
            world.Accounts.Count,
            world.Repositories.Count,
            world.Projects.Count);
        return TypedResults.Json(body, StandInJson.Wire.RootBody);
    }

    /// <summary>Clears the request counts and every rate-limit window, so a test starts from a known state.</summary>
    private static JsonHttpResult<KnobBody> Reset(RequestStats stats, RateLimits limits)
    {
        stats.Reset();
        limits.Reset();
        return Done("counts and rate limits cleared");
    }

    private static JsonHttpResult<KnobBody> ExpireDeviceCode(
        DeviceAuthorizations flows, [FromQuery(Name = "user_code")] string? userCode) =>
        userCode is not null && flows.Expire(userCode)
            ? Done($"{userCode} expired")
            : Refused(StatusCodes.Status404NotFound, $"no device code has the user code '{userCode}'");

    /// <summary><c>?forge=github&amp;login=L</c>: a token for that account, as if it had gone through the device flow.</summary>
    private static Results<JsonHttpResult<MintedTokenBody>, JsonHttpResult<KnobBody>> MintToken(
        World world, TokenStore tokens, string? forge, string? login)
    {
        ForgeKind? kind = forge switch
        {
            "github" => ForgeKind.GitHub,
            "gitlab" => ForgeKind.GitLab,
            _ => null,
        };
        if (kind is null)
        {
            return Refused(StatusCodes.Status400BadRequest, $"forge: '{forge}' is not github or gitlab");
        }

        if (login is null || world.FindAccount(kind.Value, login) is not { } account)
        {
            return Refused(StatusCodes.Status400BadRequest, $"login: '{login}' is not a {kind} account in the profiles");
        }

        return TypedResults.Json(
            new MintedTokenBody(tokens.Issue(account, clientId: null), forge!, account.Login), StandInJson.Wire.MintedTokenBody);
    }

    private static JsonHttpResult<KnobBody> ImposeSecondaryLimit(RateLimits limits, string? seconds)
    {
        if (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return Refused(StatusCodes.Status400BadRequest, $"seconds: '{seconds}' is not a whole number of 1 or more");
        }

        limits.ImposeSecondaryLimit(TimeSpan.FromSeconds(count));
        return Done($"GitHub answers 403 with Retry-After for {count} s");
    }

    private static JsonHttpResult<KnobBody> Done(string detail) =>
        TypedResults.Json(new KnobBody(true, detail), StandInJson.Wire.KnobBody);

    private static JsonHttpResult<KnobBody> Refused(int status, string detail) =>
        TypedResults.Json(new KnobBody(false, detail), StandInJson.Wire.KnobBody, statusCode: status);
}
