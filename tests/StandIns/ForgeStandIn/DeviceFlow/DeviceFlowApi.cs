using System.Globalization;
using System.Text.Json;
using Commons.StandIns.Forge.GitHub;
using Commons.StandIns.Forge.GitLab;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Commons.StandIns.Forge.DeviceFlow;

/// <summary>
/// The OAuth device flow of both forges: GitHub's on its web host (<c>/login/device/code</c>,
/// <c>/login/oauth/access_token</c>), GitLab's under <c>/oauth</c>, and the verification page of each.
/// </summary>
public static class DeviceFlowApi
{
    private const int GitLabTokenLifetimeSeconds = 7200;

    public static IEndpointRouteBuilder MapDeviceFlow(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapPost("/login/device/code", StartGitHubAsync).WithName("GitHubDeviceCode");
        app.MapPost("/login/oauth/access_token", PollGitHubAsync).WithName("GitHubAccessToken");
        app.MapGet("/login/device", (HttpContext context, [FromQuery(Name = "user_code")] string? userCode) =>
            VerificationPage.Render(ForgeKind.GitHub, context.Request.Path, userCode, null)).WithName("GitHubDevicePage");
        app.MapPost("/login/device", (HttpContext context, World world, DeviceAuthorizations flows) =>
            VerificationPage.DecideAsync(ForgeKind.GitHub, context, world, flows)).WithName("GitHubDeviceDecision");

        app.MapPost("/oauth/authorize_device", StartGitLabAsync).WithName("GitLabDeviceCode");
        app.MapPost("/oauth/token", PollGitLabAsync).WithName("GitLabToken");
        app.MapGet("/oauth/token/info", GitLabTokenInfo).WithName("GitLabTokenInfo");
        app.MapGet("/oauth/device", (HttpContext context, [FromQuery(Name = "user_code")] string? userCode) =>
            VerificationPage.Render(ForgeKind.GitLab, context.Request.Path, userCode, null)).WithName("GitLabDevicePage");
        app.MapPost("/oauth/device", (HttpContext context, World world, DeviceAuthorizations flows) =>
            VerificationPage.DecideAsync(ForgeKind.GitLab, context, world, flows)).WithName("GitLabDeviceDecision");
        return app;
    }

    /// <summary>
    /// GitLab's <c>GET /oauth/token/info</c> (Doorkeeper): what an OAuth token is, including the application it was
    /// issued to. A personal access token is not an OAuth token and gets 401, as on GitLab.
    /// </summary>
    private static IResult GitLabTokenInfo(HttpContext context, TokenStore tokens)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (tokens.Find(ForgeKind.GitLab, token) is not { } account || tokens.ClientIdOf(token) is not { } clientId)
        {
            var refusal = new System.Text.Json.Nodes.JsonObject
            {
                ["error"] = "invalid_token",
                ["error_description"] = "The access token is invalid",
            };
            return Results.Text(refusal.ToJsonString(), "application/json", statusCode: StatusCodes.Status401Unauthorized);
        }

        var info = new System.Text.Json.Nodes.JsonObject
        {
            ["resource_owner_id"] = account.Id,
            ["scope"] = new System.Text.Json.Nodes.JsonArray("read_user"),
            ["expires_in"] = 7200,
            ["application"] = new System.Text.Json.Nodes.JsonObject { ["uid"] = clientId },
            ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        return Results.Text(info.ToJsonString(), "application/json");
    }

    private static async Task<IResult> StartGitHubAsync(
        HttpContext context, DeviceAuthorizations flows, CancellationToken cancellationToken)
    {
        var started = await StartFlowAsync(context, flows, ForgeKind.GitHub, cancellationToken);
        if (started is null)
        {
            return GitHubError(context, PollOutcome.Failed(DeviceErrors.IncorrectClientCredentials));
        }

        var body = new DeviceCodeBody(
            started.DeviceCode,
            started.UserCode,
            $"{Root(context)}/login/device",
            started.ExpiresIn,
            started.Interval);
        return WantsJson(context)
            ? TypedResults.Json(body, GitHubJson.Wire.DeviceCodeBody)
            : Form(
                ("device_code", body.DeviceCode),
                ("expires_in", Text(body.ExpiresIn)),
                ("interval", Text(body.Interval)),
                ("user_code", body.UserCode),
                ("verification_uri", body.VerificationUri));
    }

    private static async Task<IResult> PollGitHubAsync(
        HttpContext context, DeviceAuthorizations flows, CancellationToken cancellationToken)
    {
        var outcome = await PollFlowAsync(context, flows, ForgeKind.GitHub, cancellationToken);
        if (outcome.Token is not { } token)
        {
            return GitHubError(context, outcome);
        }

        var body = new AccessTokenBody(token, "bearer", outcome.Scope);
        return WantsJson(context)
            ? TypedResults.Json(body, GitHubJson.Wire.AccessTokenBody)
            : Form(("access_token", token), ("scope", outcome.Scope), ("token_type", "bearer"));
    }

    /// <summary>GitHub answers every OAuth error with 200 and the error in the body.</summary>
    private static IResult GitHubError(HttpContext context, PollOutcome outcome)
    {
        var error = outcome.Error!;
        var body = new OAuthErrorBody(error, DeviceErrors.Describe(error), DeviceErrors.Documentation, outcome.Interval);
        if (WantsJson(context))
        {
            return TypedResults.Json(body, GitHubJson.Wire.OAuthErrorBody);
        }

        var fields = new List<(string, string)>
        {
            ("error", body.Error),
            ("error_description", body.ErrorDescription),
            ("error_uri", body.ErrorUri),
        };
        if (body.Interval is { } interval)
        {
            fields.Add(("interval", Text(interval)));
        }

        return Form([.. fields]);
    }

    private static async Task<IResult> StartGitLabAsync(
        HttpContext context, DeviceAuthorizations flows, CancellationToken cancellationToken)
    {
        var started = await StartFlowAsync(context, flows, ForgeKind.GitLab, cancellationToken);
        if (started is null)
        {
            return GitLabError(DeviceErrors.IncorrectClientCredentials);
        }

        var page = $"{Root(context)}/oauth/device";
        return TypedResults.Json(
            new DeviceAuthorizationBody(
                started.DeviceCode,
                started.UserCode,
                page,
                $"{page}?user_code={Uri.EscapeDataString(started.UserCode)}",
                started.ExpiresIn,
                started.Interval),
            GitLabJson.Wire.DeviceAuthorizationBody);
    }

    private static async Task<IResult> PollGitLabAsync(
        HttpContext context, DeviceAuthorizations flows, CancellationToken cancellationToken)
    {
        var outcome = await PollFlowAsync(context, flows, ForgeKind.GitLab, cancellationToken);
        if (outcome.Token is not { } token)
        {
            return GitLabError(outcome.Error!);
        }

        return TypedResults.Json(
            new GitLabTokenBody(
                token,
                "Bearer",
                GitLabTokenLifetimeSeconds,
                System.Security.Cryptography.RandomNumberGenerator.GetHexString(64, lowercase: true),
                outcome.Scope,
                flows.Now.ToUnixTimeSeconds()),
            GitLabJson.Wire.GitLabTokenBody);
    }

    /// <summary>GitLab answers OAuth errors with 400 and a JSON body.</summary>
    private static JsonHttpResult<GitLabOAuthErrorBody> GitLabError(string error) =>
        TypedResults.Json(
            new GitLabOAuthErrorBody(error, DeviceErrors.Describe(error)),
            GitLabJson.Wire.GitLabOAuthErrorBody,
            statusCode: StatusCodes.Status400BadRequest);

    private static async Task<DeviceAuthorization?> StartFlowAsync(
        HttpContext context, DeviceAuthorizations flows, ForgeKind forge, CancellationToken cancellationToken)
    {
        var parameters = await ReadParametersAsync(context.Request, cancellationToken);
        return flows.Start(forge, parameters.GetValueOrDefault("client_id"), parameters.GetValueOrDefault("scope"));
    }

    private static async Task<PollOutcome> PollFlowAsync(
        HttpContext context, DeviceAuthorizations flows, ForgeKind forge, CancellationToken cancellationToken)
    {
        var parameters = await ReadParametersAsync(context.Request, cancellationToken);
        return flows.Poll(
            forge,
            parameters.GetValueOrDefault("client_id"),
            parameters.GetValueOrDefault("device_code"),
            parameters.GetValueOrDefault("grant_type"));
    }

    /// <summary>
    /// The request's parameters from the query, then a form or JSON body (clients send either), the body winning.
    /// A body that cannot be read gives no parameters, and the checks that follow say what is missing.
    /// </summary>
    private static async Task<Dictionary<string, string>> ReadParametersAsync(
        HttpRequest request, CancellationToken cancellationToken)
    {
        var parameters = request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (key, value) in form)
            {
                parameters[key] = value.ToString();
            }
        }
        else if (request.HasJsonContentType())
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        parameters[property.Name] = property.Value.ValueKind == JsonValueKind.String
                            ? property.Value.GetString()!
                            : property.Value.GetRawText();
                    }
                }
            }
            catch (JsonException)
            {
                // Unreadable JSON carries no parameters; the checks that follow refuse the request.
            }
        }

        return parameters;
    }

    private static bool WantsJson(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Contains("json", StringComparison.OrdinalIgnoreCase);

    private static ContentHttpResult Form(params (string Name, string Value)[] fields) =>
        TypedResults.Text(
            string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Name)}={Uri.EscapeDataString(f.Value)}")),
            "application/x-www-form-urlencoded; charset=utf-8");

    private static string Root(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
