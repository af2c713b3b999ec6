using Commons.Bridge.Auth;
using Commons.Bridge.Data;
using Commons.Bridge.Hosting;
using Commons.Bridge.Merit;
using Commons.Bridge.Quota;
using Commons.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.Bridge.Api;

/// <summary>
/// Sign-in with a forge: the CLI runs the forge's device flow itself and hands the bridge the access token it got;
/// the bridge asks the forge who that is, refuses bots, and answers with a token of its own. The forge token is
/// not stored: merit is read later with the bridge's own credentials.
/// </summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(AccountRoutes.Providers, Providers).WithTags("Auth").WithName("SignInProviders");
        app.MapPost("/v1/auth/{provider}", SignInAsync).WithTags("Auth").WithName("SignIn");
        app.MapDelete(AccountRoutes.Token, RevokeAsync).WithTags("Auth").WithName("SignOut").AddEndpointFilter<TokenAuth>();
        app.MapGet(AccountRoutes.Me, WhoAmIAsync).WithTags("Auth").WithName("WhoAmI").AddEndpointFilter<TokenAuth>();
        return app;
    }

    /// <summary>A refresh within this long of the last evaluation answers that one: the forges are asked sparingly.</summary>
    public static readonly TimeSpan RefreshFloor = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The caller's account: identities, the tier held and why, the newest merit report (re-evaluated first with
    /// <c>?refresh=true</c>) and this period's GPU-hours.
    /// </summary>
    public static async Task<Ok<WhoAmIResponse>> WhoAmIAsync(
        bool? refresh, HttpContext http, IdentityStore identities, IMeritService merit, QuotaLedger quota,
        ForgeSettings forges, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = TokenAuth.User(http);
        var report = await merit.LatestAsync(user, cancellationToken);
        if (refresh == true && (report is null || time.GetUtcNow() - report.EvaluatedAt >= RefreshFloor))
        {
            report = await merit.EvaluateAsync(user, cancellationToken);
        }

        // One reading of the tier serves both the answer and the quota's allowance.
        var tier = await merit.TierAsync(user, cancellationToken);
        var status = await quota.StatusAsync(user, MeritTiers.LimitsOf(tier), cancellationToken);
        var linked = (await identities.ForUserAsync(user, cancellationToken))
            .Select(i => new IdentityView(
                i.Provider, i.Login, ProfileUrl(forges, i.Provider, i.Login),
                DateTimeOffset.FromUnixTimeMilliseconds(i.AccountCreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(i.LinkedAt)))
            .ToList();
        return TypedResults.Ok(new WhoAmIResponse(user, linked, tier, report, status));
    }

    private static string ProfileUrl(ForgeSettings forges, string provider, string login) => provider switch
    {
        ForgeAccounts.GitHub when forges.GitHub is { } g => new Uri(g.WebUrl, Uri.EscapeDataString(login)).AbsoluteUri,
        ForgeAccounts.GitLab when forges.GitLab is { } l => new Uri(l.Url, Uri.EscapeDataString(login)).AbsoluteUri,
        _ => "",
    };

    /// <summary>What the CLI needs to run a device flow with each forge this bridge accepts.</summary>
    public static Ok<List<ForgeProvider>> Providers(ForgeSettings forges)
    {
        var list = new List<ForgeProvider>();
        if (forges.GitHub is { } github)
        {
            list.Add(new ForgeProvider(
                ForgeAccounts.GitHub, new Uri(github.WebUrl, "login/device/code").AbsoluteUri,
                new Uri(github.WebUrl, "login/oauth/access_token").AbsoluteUri, github.ClientId, ""));
        }

        if (forges.GitLab is { } gitlab)
        {
            list.Add(new ForgeProvider(
                ForgeAccounts.GitLab, new Uri(gitlab.Url, "oauth/authorize_device").AbsoluteUri,
                new Uri(gitlab.Url, "oauth/token").AbsoluteUri, gitlab.ClientId, "read_user"));
        }

        return TypedResults.Ok(list);
    }

    public static async Task<Results<Ok<SignInResponse>, ValidationProblem, ProblemHttpResult>> SignInAsync(
        string provider, ForgeSignInRequest? request, HttpContext http, ForgeAccounts accounts, IdentityStore identities,
        TokenStore tokens, IMeritService merit, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (request?.AccessToken is not { Length: > 0 and <= 4096 } accessToken || accessToken.Any(char.IsControl))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["accessToken"] = ["required: the forge's access token from the device flow"] },
                title: "The sign-in request is invalid");
        }

        // A caller who is already signed in links this identity to their account.
        string? currentUser = null;
        if (TokenAuth.BearerToken(http) is { } bearer)
        {
            currentUser = await tokens.FindUserAsync(bearer, cancellationToken);
            if (currentUser is null)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in",
                    detail: "The bearer token is unknown or revoked; sign in without it to start a new session.");
            }
        }

        ForgeAccount account;
        try
        {
            account = await accounts.IdentifyAsync(provider, accessToken, cancellationToken);
        }
        catch (ForgeSignInException e)
        {
            return TypedResults.Problem(statusCode: e.Status, title: e.Title, detail: e.Message);
        }

        var logger = loggers.CreateLogger("Commons.Bridge.Auth");
        if (account.IsBot)
        {
            Log.BotRefused(logger, account.Provider, account.Login);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden, title: "Bot accounts cannot sign in",
                detail: $"'{account.Login}' is a bot account on {account.Provider}; compute is earned by people.");
        }

        string userId;
        bool linked;
        try
        {
            (userId, linked) = await identities.SignInAsync(account, currentUser, cancellationToken);
        }
        catch (IdentityConflictException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Identity already linked", detail: e.Message);
        }

        var token = await tokens.CreateAsync(userId, cancellationToken);
        Log.SignedIn(logger, userId, account.Provider, account.Login, linked);

        // Scores are recomputed at every sign-in; a forge that is slow or rate-limited only makes the report stale, and
        // any other failure keeps the stored tier: the person is signed in either way, with the token just made.
        try
        {
            await merit.EvaluateAsync(userId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SignInEvaluationFailed(logger, userId, e);
        }

        return TypedResults.Ok(new SignInResponse(token, userId, account.Provider, account.Login, linked));
    }

    public static async Task<NoContent> RevokeAsync(HttpContext http, TokenStore tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeAsync(TokenAuth.BearerToken(http)!, cancellationToken);
        return TypedResults.NoContent();
    }
}
