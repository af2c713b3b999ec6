namespace Commons.StandIns.Ollama.Hosting;

/// <summary>
/// Every message the stand-in logs. They go to stderr, one short line each: a job's log should show what the
/// server did without drowning the job's own output.
/// </summary>
internal static partial class Log
{
    /// <summary>One category for the whole server keeps each line short.</summary>
    public const string Category = "ollama-standin";

    [LoggerMessage(1, LogLevel.Information, "Listening on {Address} (version {Version}; a stand-in for Ollama)")]
    public static partial void Listening(ILogger logger, string address, string version);

    [LoggerMessage(2, LogLevel.Information, "Models pulled at start: {Models}")]
    public static partial void PresetModels(ILogger logger, string models);

    [LoggerMessage(3, LogLevel.Information, "Models are remembered in {Folder}")]
    public static partial void ModelsFolder(ILogger logger, string folder);

    [LoggerMessage(4, LogLevel.Information, "Pulled {Model}")]
    public static partial void ModelPulled(ILogger logger, string model);

    [LoggerMessage(5, LogLevel.Information, "Loaded {Model} in {Milliseconds} ms")]
    public static partial void ModelLoaded(ILogger logger, string model, double milliseconds);

    [LoggerMessage(6, LogLevel.Information, "Unloaded {Model}")]
    public static partial void ModelUnloaded(ILogger logger, string model);

    [LoggerMessage(7, LogLevel.Information, "{Endpoint} {Model}: {Tokens} tokens, {DoneReason}")]
    public static partial void Generated(ILogger logger, string endpoint, string model, int tokens, string doneReason);

    [LoggerMessage(8, LogLevel.Information, "{Endpoint} {Model}: stopped after {Tokens} tokens, the client went away")]
    public static partial void ClientWentAway(ILogger logger, string endpoint, string model, string tokens);

    [LoggerMessage(
        12, LogLevel.Information, "{Endpoint} {Model}: stopped after {Tokens} tokens, the server is stopping")]
    public static partial void StoppedForShutdown(ILogger logger, string endpoint, string model, string tokens);

    [LoggerMessage(9, LogLevel.Warning, "Skipped {File}: not a model record the stand-in wrote")]
    public static partial void SkippedManifest(ILogger logger, string file);

    [LoggerMessage(10, LogLevel.Debug, "{Method} {Path} -> {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string reason);

    [LoggerMessage(11, LogLevel.Debug, "{Method} {Path} -> {Status}")]
    public static partial void Request(ILogger logger, string method, string path, int status);
}
