using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Commons.Bridge.Merit;
using Commons.Bridge.Merit.Collectors;

namespace Commons.Bridge.Auth;

/// <summary>Who a forge says the holder of a token is.</summary>
/// <param name="Id">The forge's numeric id, which survives renames.</param>
public sealed record ForgeAccount(string Provider, string Id, string Login, bool IsBot, DateTimeOffset CreatedAt, string Url);

/// <summary>Why a forge token could not prove an identity; <c>Status</c> is what the bridge answers.</summary>
public sealed class ForgeSignInException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}

/// <summary>
/// Asks the forge itself who a token belongs to (<c>GET /user</c>), so the bridge never trusts a name the client
/// sends. The token is used for that one request and then dropped.
/// </summary>
public sealed class ForgeAccounts(ForgeSettings forges, IHttpClientFactory clients)
{
    public const string GitHub = "github";
    public const string GitLab = "gitlab";

    public const string HttpClientName = "forge-sign-in";

    /// <summary>The forges people may sign in with, in the order the CLI offers them.</summary>
    public IReadOnlyList<string> Offered =>
        [.. forges.GitHub is null ? Array.Empty<string>() : [GitHub], .. forges.GitLab is null ? Array.Empty<string>() : [GitLab]];

    public async Task<ForgeAccount> IdentifyAsync(string provider, string accessToken, CancellationToken cancellationToken)
    {
        var (url, name) = provider switch
        {
            GitHub when forges.GitHub is { } g => (new Uri(GitHubCollector.ApiBase(g.ApiUrl), "user"), "GitHub"),
            GitLab when forges.GitLab is { } l => (new Uri(l.Url, "api/v4/user"), "GitLab"),
            _ => throw new ForgeSignInException(
                StatusCodes.Status404NotFound, "Unknown sign-in provider",
                $"This bridge does not sign people in with '{provider}'; it offers: {string.Join(", ", Offered)}."),
        };

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.ParseAdd(provider == GitHub ? "application/vnd.github+json" : "application/json");
        request.Headers.UserAgent.ParseAdd("commons-bridge");

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ForgeSignInException(
                StatusCodes.Status502BadGateway, $"{name} cannot be reached", $"{name} did not answer ({e.Message}); try again.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ForgeSignInException(
                StatusCodes.Status504GatewayTimeout, $"{name} cannot be reached", $"{name} did not answer in time; try again.");
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ForgeSignInException(
                    StatusCodes.Status401Unauthorized, $"{name} refused the token",
                    $"{name} did not accept the access token ({(int)response.StatusCode}); run `commons login` again.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ForgeSignInException(
                    StatusCodes.Status502BadGateway, $"{name} answered an error",
                    $"{name} answered {(int)response.StatusCode} to GET /user; try again later.");
            }

            // Only a token issued to this bridge's own OAuth application proves the person signed in here: any other
            // token of theirs (a personal token, another app's) could have been handed on by someone else.
            if (provider == GitHub)
            {
                var issuedTo = response.Headers.TryGetValues("X-OAuth-Client-Id", out var values) ? values.FirstOrDefault() : null;
                if (issuedTo != forges.GitHub!.ClientId)
                {
                    throw ForeignToken(name);
                }
            }
            else
            {
                await CheckGitLabApplicationAsync(accessToken, cancellationToken);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            return provider == GitHub ? ReadGitHub(document.RootElement) : ReadGitLab(document.RootElement);
        }
    }

    /// <summary>GitLab says which application an OAuth token belongs to at <c>/oauth/token/info</c>.</summary>
    private async Task CheckGitLabApplicationAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(forges.GitLab!.Url, "oauth/token/info"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.UserAgent.ParseAdd("commons-bridge");
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ForeignToken("GitLab");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var uid = document.RootElement.TryGetProperty("application", out var application)
            && application.ValueKind == JsonValueKind.Object
            && application.TryGetProperty("uid", out var u) && u.ValueKind == JsonValueKind.String
                ? u.GetString()
                : null;
        if (uid != forges.GitLab.ClientId)
        {
            throw ForeignToken("GitLab");
        }
    }

    private static ForgeSignInException ForeignToken(string name) =>
        new(StatusCodes.Status401Unauthorized, $"The {name} token is not from this bridge's sign-in",
            $"The token was not issued to this bridge's {name} application (a personal token or another app's is " +
            "not proof of who is signing in); run `commons login`.");

    /// <summary>A bot is a forge account of type Bot, or one whose login ends in <c>[bot]</c> (GitHub Apps).</summary>
    public static bool IsBotLogin(string login) => login.EndsWith("[bot]", StringComparison.OrdinalIgnoreCase);

    private static ForgeAccount ReadGitHub(JsonElement user)
    {
        var login = Text(user, "login", "GitHub");
        var type = user.TryGetProperty("type", out var t) ? t.GetString() : null;
        return new ForgeAccount(
            GitHub, Id(user, "GitHub"), login, type == "Bot" || IsBotLogin(login), Created(user, "GitHub"),
            Text(user, "html_url", "GitHub"));
    }

    private static ForgeAccount ReadGitLab(JsonElement user)
    {
        var login = Text(user, "username", "GitLab");
        var bot = user.TryGetProperty("bot", out var b) && b.ValueKind == JsonValueKind.True;
        return new ForgeAccount(
            GitLab, Id(user, "GitLab"), login, bot || IsBotLogin(login), Created(user, "GitLab"),
            Text(user, "web_url", "GitLab"));
    }

    private static string Text(JsonElement user, string field, string name) =>
        user.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw Malformed(name, field);

    private static string Id(JsonElement user, string name) =>
        user.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id)
            ? id.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : throw Malformed(name, "id");

    private static DateTimeOffset Created(JsonElement user, string name) =>
        user.TryGetProperty("created_at", out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw Malformed(name, "created_at");

    private static ForgeSignInException Malformed(string name, string field) =>
        new(StatusCodes.Status502BadGateway, $"{name} answered an unexpected user",
            $"{name}'s GET /user answer has no usable '{field}'.");
}
