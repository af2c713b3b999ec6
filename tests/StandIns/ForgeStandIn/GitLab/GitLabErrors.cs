using Commons.StandIns.Forge.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Forge.GitLab;

/// <summary>GitLab's error answers, in GitLab's shapes and words.</summary>
internal static class GitLabErrors
{
    /// <summary><c>{"message":"404 Project Not Found"}</c> and the like; <paramref name="what"/> names the thing.</summary>
    public static JsonHttpResult<GitLabMessageBody> NotFound(string what) =>
        TypedResults.Json(
            new GitLabMessageBody($"404 {what} Not Found"),
            GitLabJson.Wire.GitLabMessageBody,
            statusCode: StatusCodes.Status404NotFound);

    /// <summary>GitLab's answer for a path no endpoint serves: <c>{"error":"404 Not Found"}</c>.</summary>
    public static JsonHttpResult<GitLabErrorBody> UnknownRoute() =>
        TypedResults.Json(
            new GitLabErrorBody("404 Not Found"),
            GitLabJson.Wire.GitLabErrorBody,
            statusCode: StatusCodes.Status404NotFound);

    public static JsonHttpResult<GitLabMessageBody> Unauthorized() =>
        TypedResults.Json(
            new GitLabMessageBody("401 Unauthorized"),
            GitLabJson.Wire.GitLabMessageBody,
            statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>400 for a parameter GitLab's API would refuse, worded as its parameter validation words it.</summary>
    public static JsonHttpResult<GitLabErrorBody> Invalid(string message) =>
        TypedResults.Json(
            new GitLabErrorBody(message),
            GitLabJson.Wire.GitLabErrorBody,
            statusCode: StatusCodes.Status400BadRequest);

    /// <summary>GitLab's throttle answers 429 with a plain-text body.</summary>
    public static ContentHttpResult RateLimited() =>
        TypedResults.Text("Retry later\n", "text/plain", statusCode: StatusCodes.Status429TooManyRequests);
}
