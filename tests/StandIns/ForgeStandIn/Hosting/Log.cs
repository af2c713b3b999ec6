namespace Commons.StandIns.Forge.Hosting;

/// <summary>Every message the stand-in logs, to stderr, one short line each. Tokens are never logged.</summary>
internal static partial class Log
{
    /// <summary>One category for the whole server keeps each line short.</summary>
    public const string Category = "forge-standin";

    [LoggerMessage(1, LogLevel.Information, "Listening on {Address} (forge-standin {Version}; a stand-in for GitHub and GitLab)")]
    public static partial void Listening(ILogger logger, string address, string version);

    [LoggerMessage(
        2, LogLevel.Information,
        "Profiles from {Folder}: {Accounts} accounts, {Repositories} repositories, {Issues} issues and pull requests, "
        + "{Projects} projects, {MergeRequests} merge requests; dates count back from {Anchor:u}")]
    public static partial void ProfilesLoaded(
        ILogger logger, string folder, int accounts, int repositories, int issues, int projects, int mergeRequests,
        DateTimeOffset anchor);

    [LoggerMessage(3, LogLevel.Information, "{Forge} device code issued, user code {UserCode}")]
    public static partial void DeviceCodeIssued(ILogger logger, string forge, string userCode);

    [LoggerMessage(4, LogLevel.Information, "{Forge} user code {UserCode} {Decision} by {Login}")]
    public static partial void DeviceCodeDecided(ILogger logger, string forge, string userCode, string decision, string login);

    [LoggerMessage(5, LogLevel.Information, "{Forge} token issued to {Login}")]
    public static partial void TokenIssued(ILogger logger, string forge, string login);

    [LoggerMessage(6, LogLevel.Debug, "{Method} {Path} -> {Status}")]
    public static partial void Request(ILogger logger, string method, string path, int status);
}
