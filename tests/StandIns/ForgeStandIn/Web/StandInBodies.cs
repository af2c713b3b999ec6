using System.Text.Json.Serialization;

namespace Commons.StandIns.Forge.Web;

// Answers of the stand-in's own routes (GET / and /_standin/...), which say plainly what the server is.

internal sealed record RootBody(
    bool StandIn,
    string Name,
    string Version,
    [property: JsonPropertyName("github_api")] string GitHubApi,
    [property: JsonPropertyName("gitlab_api")] string GitLabApi,
    DateTimeOffset ProfileNow,
    int Users,
    int Repositories,
    int Projects);

internal sealed record StatsBody(
    long Total,
    long Ok,
    long NotModified,
    long RateLimited,
    IReadOnlyDictionary<string, long> Paths,
    IReadOnlyDictionary<string, long> Statuses);

internal sealed record MintedTokenBody(string Token, string Forge, string Login);

internal sealed record KnobBody(bool Done, string Detail);
