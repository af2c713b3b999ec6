using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Ollama.Api;

/// <summary>
/// Errors in the shapes clients parse: Ollama's <c>{"error":"…"}</c> on the native API, OpenAI's nested object on
/// /v1. ProblemDetails would be the house choice elsewhere, but a stand-in must answer as the server it stands for.
/// </summary>
internal static class ApiErrors
{
    public static JsonHttpResult<ErrorBody> BadRequest(string message) =>
        TypedResults.Json(new ErrorBody(message), ApiJson.Wire.ErrorBody, statusCode: StatusCodes.Status400BadRequest);

    public static JsonHttpResult<ErrorBody> NotFound(string message) =>
        TypedResults.Json(new ErrorBody(message), ApiJson.Wire.ErrorBody, statusCode: StatusCodes.Status404NotFound);

    /// <summary>Ollama's words for a chat or generate with a model nobody pulled.</summary>
    public static string ModelNotPulled(string? requested) => $"model \"{requested}\" not found, try pulling it first";

    public static JsonHttpResult<OpenAiErrorBody> OpenAi(int statusCode, string message)
    {
        var type = statusCode switch
        {
            StatusCodes.Status400BadRequest => "invalid_request_error",
            StatusCodes.Status404NotFound => "not_found_error",
            _ => "api_error",
        };
        return TypedResults.Json(
            new OpenAiErrorBody(new OpenAiErrorDetailBody(message, type)),
            ApiJson.Wire.OpenAiErrorBody,
            statusCode: statusCode);
    }
}
