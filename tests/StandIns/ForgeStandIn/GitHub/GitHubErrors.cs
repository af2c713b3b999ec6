using Commons.StandIns.Forge.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Forge.GitHub;

/// <summary>GitHub's error answers, in GitHub's shapes and words.</summary>
internal static class GitHubErrors
{
    public const string RestDocumentation = "https://docs.github.com/rest";

    private const string RateLimitDocumentation =
        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

    private const string SearchDocumentation = "https://docs.github.com/rest/search/search#search-issues-and-pull-requests";

    public static JsonHttpResult<NotFoundBody> NotFound() =>
        TypedResults.Json(
            new NotFoundBody("Not Found", RestDocumentation, "404"),
            GitHubJson.Wire.NotFoundBody,
            statusCode: StatusCodes.Status404NotFound);

    public static JsonHttpResult<MessageBody> RequiresAuthentication() =>
        TypedResults.Json(
            new MessageBody("Requires authentication", RestDocumentation),
            GitHubJson.Wire.MessageBody,
            statusCode: StatusCodes.Status401Unauthorized);

    public static JsonHttpResult<MessageBody> BadCredentials() =>
        TypedResults.Json(
            new MessageBody("Bad credentials", RestDocumentation),
            GitHubJson.Wire.MessageBody,
            statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>422 Validation Failed, naming the parameter and what is wrong with it.</summary>
    public static JsonHttpResult<ValidationErrorBody> Invalid(string field, string message) =>
        TypedResults.Json(
            new ValidationErrorBody(
                "Validation Failed", [new ValidationErrorItemBody(message, "Search", field, "invalid")],
                SearchDocumentation, "422"),
            GitHubJson.Wire.ValidationErrorBody,
            statusCode: StatusCodes.Status422UnprocessableEntity);

    /// <summary>403 for a used-up allowance, worded for a token's account or a client address.</summary>
    public static JsonHttpResult<MessageBody> RateLimited(Caller caller)
    {
        var message = caller.Account is { } account
            ? $"API rate limit exceeded for user ID {account.Id}."
            : $"API rate limit exceeded for {caller.Address}. (But here's the good news: Authenticated requests get "
                + "a higher rate limit. Check out the documentation for more details.)";
        return TypedResults.Json(
            new MessageBody(message, RateLimitDocumentation),
            GitHubJson.Wire.MessageBody,
            statusCode: StatusCodes.Status403Forbidden);
    }

    public static JsonHttpResult<MessageBody> SecondaryRateLimited() =>
        TypedResults.Json(
            new MessageBody(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                RateLimitDocumentation),
            GitHubJson.Wire.MessageBody,
            statusCode: StatusCodes.Status403Forbidden);
}
