namespace Commons.Bridge.Merit;

/// <summary>
/// The forges a bridge signs people in with and reads merit from (<c>config/forges.yaml</c>). A forge left out is
/// not offered. The API tokens are the bridge's own, read from environment variables the file names; they are used
/// only to read public data.
/// </summary>
public sealed record ForgeSettings(GitHubSettings? GitHub, GitLabSettings? GitLab);

/// <param name="WebUrl">Where the device flow lives: <c>https://github.com</c>.</param>
/// <param name="ApiUrl"><c>https://api.github.com</c>; any other host is treated as GitHub Enterprise (<c>/api/v3/</c>).</param>
/// <param name="ClientId">The OAuth app's client id; the device flow needs no secret.</param>
/// <param name="ApiToken">The bridge's read token for collection, or null to read anonymously.</param>
public sealed record GitHubSettings(Uri WebUrl, Uri ApiUrl, string ClientId, string? ApiToken);

/// <param name="Url">The GitLab instance: <c>https://gitlab.com</c>; the API is under <c>/api/v4/</c>.</param>
public sealed record GitLabSettings(Uri Url, string ClientId, string? ApiToken);
