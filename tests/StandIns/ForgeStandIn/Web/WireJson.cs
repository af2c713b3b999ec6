using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Commons.StandIns.Forge.GitHub;
using Commons.StandIns.Forge.GitLab;

namespace Commons.StandIns.Forge.Web;

/// <summary>
/// GitHub's bodies, generated at build time: snake_case names, nulls written as GitHub writes them, instants as
/// <c>2026-12-04T00:00:00Z</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UserBody))]
[JsonSerializable(typeof(List<RepositoryBody>))]
[JsonSerializable(typeof(RepositoryBody))]
[JsonSerializable(typeof(SearchIssuesBody))]
[JsonSerializable(typeof(IssueDetailBody))]
[JsonSerializable(typeof(PullBody))]
[JsonSerializable(typeof(List<ReviewBody>))]
[JsonSerializable(typeof(RateLimitBody))]
[JsonSerializable(typeof(NotFoundBody))]
[JsonSerializable(typeof(MessageBody))]
[JsonSerializable(typeof(ValidationErrorBody))]
[JsonSerializable(typeof(MetaBody))]
[JsonSerializable(typeof(DeviceCodeBody))]
[JsonSerializable(typeof(AccessTokenBody))]
[JsonSerializable(typeof(OAuthErrorBody))]
internal sealed partial class GitHubJson : JsonSerializerContext
{
    public static GitHubJson Wire { get; } = new(WireOptions.Create(new InstantConverter("yyyy-MM-ddTHH:mm:ssZ")));
}

/// <summary>GitLab's bodies: snake_case names, instants as <c>2026-12-04T00:00:00.000Z</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(GitLabUserBody))]
[JsonSerializable(typeof(List<GitLabUserBody>))]
[JsonSerializable(typeof(List<MergeRequestBody>))]
[JsonSerializable(typeof(MergeRequestBody))]
[JsonSerializable(typeof(ProjectBody))]
[JsonSerializable(typeof(ApprovalsBody))]
[JsonSerializable(typeof(List<DiffBody>))]
[JsonSerializable(typeof(GitLabMessageBody))]
[JsonSerializable(typeof(GitLabErrorBody))]
[JsonSerializable(typeof(DeviceAuthorizationBody))]
[JsonSerializable(typeof(GitLabTokenBody))]
[JsonSerializable(typeof(GitLabOAuthErrorBody))]
internal sealed partial class GitLabJson : JsonSerializerContext
{
    public static GitLabJson Wire { get; } =
        new(WireOptions.Create(new InstantConverter("yyyy-MM-ddTHH:mm:ss.fffZ")));
}

/// <summary>The stand-in's own answers.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RootBody))]
[JsonSerializable(typeof(StatsBody))]
[JsonSerializable(typeof(MintedTokenBody))]
[JsonSerializable(typeof(KnobBody))]
internal sealed partial class StandInJson : JsonSerializerContext
{
    public static StandInJson Wire { get; } =
        new(WireOptions.Create(new InstantConverter("yyyy-MM-ddTHH:mm:ssZ")));
}

internal static class WireOptions
{
    /// <summary>
    /// The attributes above cannot name an encoder, so the options are spelled out again here: escaping only what
    /// JSON requires keeps a diff's <c>+</c> lines and quotes readable, as the real forges leave them.
    /// </summary>
    public static JsonSerializerOptions Create(JsonConverter instants) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { instants },
    };
}

/// <summary>Writes instants in UTC with a fixed format, the way each forge prints them.</summary>
internal sealed class InstantConverter(string format) : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
    }
}
