namespace Commons.Contracts;

/// <summary>Paths of the bridge's HTTP API, shared so the CLI and the bridge never drift.</summary>
public static class ApiRoutes
{
    public const string Jobs = "/v1/jobs";

    public static string Job(string id) => $"{Jobs}/{Uri.EscapeDataString(id)}";

    public static string Logs(string id, long offset, bool follow) =>
        $"{Job(id)}/logs?offset={offset}&follow={(follow ? "true" : "false")}";

    /// <summary>Response header on a log stream: the byte offset its first byte sits at.</summary>
    public const string LogOffsetHeader = "X-Log-Offset";
}
