namespace Commons.Bridge.Hosting;

/// <summary>
/// Every log message of the bridge, source-generated. Event ids by part: 1xxx startup, 2xxx SSH, 3xxx Slurm and
/// jobs, 4xxx polling, 5xxx tunnels, 6xxx merit. Keys, tokens and passwords never appear in a message.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Compute Commons bridge {Version} starting, listening on {Urls}")]
    public static partial void Starting(ILogger logger, string version, string urls);

    [LoggerMessage(1001, LogLevel.Information, "Database: {Provider} at {Location}, schema version {Schema}")]
    public static partial void DatabaseReady(ILogger logger, string provider, string location, int schema);

    [LoggerMessage(1002, LogLevel.Information, "Job store: Quartz in-memory, not clustered; one poll job per site")]
    public static partial void JobStore(ILogger logger);

    [LoggerMessage(1003, LogLevel.Information, "Site {Site}: {User}@{Host}:{Port}")]
    public static partial void SiteConfigured(ILogger logger, string site, string user, string host, int port);

    [LoggerMessage(2000, LogLevel.Debug, "SSH connected to site {Site} at {Host}:{Port}")]
    public static partial void SshConnected(ILogger logger, string site, string host, int port);

    [LoggerMessage(2001, LogLevel.Warning, "SSH connection to site {Site} failed and is retried once: {Reason}")]
    public static partial void SshRetrying(ILogger logger, string site, string reason);

    [LoggerMessage(2002, LogLevel.Error, "Site {Site} presented host key {Presented}, but {Pinned} is pinned; connection refused")]
    public static partial void HostKeyMismatch(ILogger logger, string site, string pinned, string presented);

    [LoggerMessage(3000, LogLevel.Information, "Job {JobId} of {User} accepted for site {Site}, partition {Partition}")]
    public static partial void JobAccepted(ILogger logger, string jobId, string user, string site, string partition);

    [LoggerMessage(3001, LogLevel.Information, "Job {JobId} submitted to site {Site} as Slurm job {SlurmJobId}")]
    public static partial void JobSubmitted(ILogger logger, string jobId, string site, string slurmJobId);

    [LoggerMessage(3002, LogLevel.Warning, "Job {JobId} waits to be submitted: site {Site} is unreachable ({Reason})")]
    public static partial void SubmitDeferred(ILogger logger, string jobId, string site, string reason);

    [LoggerMessage(3003, LogLevel.Error, "Site {Site} refused job {JobId}: {Stderr}")]
    public static partial void SubmitRefused(ILogger logger, string jobId, string site, string stderr);

    [LoggerMessage(3004, LogLevel.Information, "Job {JobId} on site {Site} cancelled (Slurm job {SlurmJobId})")]
    public static partial void JobCancelled(ILogger logger, string jobId, string site, string slurmJobId);

    [LoggerMessage(3005, LogLevel.Information, "Job {JobId} on site {Site}: {From} -> {To}")]
    public static partial void JobStateChanged(ILogger logger, string jobId, string site, string from, string to);

    [LoggerMessage(3006, LogLevel.Warning, "Job {JobId} found in Slurm on site {Site} as {SlurmJobId} after an interrupted submit")]
    public static partial void JobAdopted(ILogger logger, string jobId, string site, string slurmJobId);

    [LoggerMessage(3007, LogLevel.Warning, "Job {JobId} never reached sbatch on site {Site}; submitting it now")]
    public static partial void Resubmitting(ILogger logger, string jobId, string site);

    [LoggerMessage(3008, LogLevel.Error, "Job {JobId} (Slurm job {SlurmJobId}) left site {Site} without any record; marked failed")]
    public static partial void JobVanished(ILogger logger, string jobId, string site, string slurmJobId);

    [LoggerMessage(3009, LogLevel.Information, "Model job {JobId} ({Model}) on site {Site} was idle past its keep-alive time; stopped")]
    public static partial void ModelJobIdle(ILogger logger, string jobId, string model, string site);

    [LoggerMessage(3010, LogLevel.Warning, "Stopping idle model job {JobId} on site {Site} failed and is retried: {Reason}")]
    public static partial void ModelJobIdleCancelFailed(ILogger logger, string jobId, string site, string reason);

    [LoggerMessage(3011, LogLevel.Information, "Job request {RequestId} of {User} (tier {Tier}) refused: {Reason}")]
    public static partial void JobRefused(ILogger logger, string requestId, string user, string tier, string reason);

    [LoggerMessage(4000, LogLevel.Warning, "Polling site {Site} failed and will be retried: {Reason}")]
    public static partial void PollFailed(ILogger logger, string site, string reason);

    [LoggerMessage(4001, LogLevel.Error, "Polling site {Site} crashed; job states are kept and the next tick retries")]
    public static partial void PollCrashed(ILogger logger, string site, Exception exception);

    [LoggerMessage(
        5000, LogLevel.Information, "Tunnel opened by {User} to job {JobId} port {PortName} ({Host}:{Port} via site {Site})")]
    public static partial void TunnelOpened(
        ILogger logger, string user, string jobId, string portName, string host, int port, string site);

    [LoggerMessage(
        5001,
        LogLevel.Debug,
        "Tunnel to job {JobId} port {PortName} ended after {Seconds:0.0} s, {ToClient} bytes to the client and "
            + "{ToJob} to the job: {Outcome}")]
    public static partial void TunnelEnded(
        ILogger logger, string jobId, string portName, double seconds, long toClient, long toJob, string outcome);

    [LoggerMessage(5002, LogLevel.Debug, "Tunnel to job {JobId} port {PortName} refused for {User}: {Reason}")]
    public static partial void TunnelRefused(ILogger logger, string jobId, string portName, string user, string reason);

    [LoggerMessage(
        5003, LogLevel.Warning, "Tunnel to job {JobId} port {PortName} could not open; the client may retry: {Reason}")]
    public static partial void TunnelUnavailable(ILogger logger, string jobId, string portName, string reason);

    [LoggerMessage(5004, LogLevel.Debug, "Forward on site {Site} to {Host}:{Port} started at 127.0.0.1:{LocalPort}")]
    public static partial void ForwardStarted(ILogger logger, string site, string host, int port, int localPort);

    [LoggerMessage(5005, LogLevel.Debug, "Forward on site {Site} to {Host}:{Port} stopped")]
    public static partial void ForwardStopped(ILogger logger, string site, string host, int port);

    [LoggerMessage(5006, LogLevel.Debug, "Forward on site {Site} to {Host}:{Port}: a connection failed: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, string site, string host, int port, string reason);

    [LoggerMessage(5007, LogLevel.Debug, "Site {Site}: node {Node} is reached at {Address}")]
    public static partial void NodeAddressResolved(ILogger logger, string site, string node, string address);

    [LoggerMessage(6000, LogLevel.Information, "Merit: forges {Forges}; policy {PolicyFile} with tiers {Tiers}")]
    public static partial void MeritConfigured(ILogger logger, string forges, string policyFile, string tiers);

    [LoggerMessage(6001, LogLevel.Warning, "Forge {Forge}: rate limit '{Resource}' exhausted; waiting {Seconds:0.0} s")]
    public static partial void ForgeRateLimitWait(ILogger logger, string forge, string resource, double seconds);

    [LoggerMessage(6002, LogLevel.Information, "Merit of {User}: {Score} points, computed tier {Computed}, held tier {Held}")]
    public static partial void MeritEvaluated(ILogger logger, string user, double score, string computed, string held);

    [LoggerMessage(6003, LogLevel.Warning, "Merit of {User} is stale and will be retried later: {Reason}")]
    public static partial void MeritStale(ILogger logger, string user, string reason);

    [LoggerMessage(6004, LogLevel.Information, "Tier of {User}: {From} -> {To} ({Change}): {Why}")]
    public static partial void TierChanged(ILogger logger, string user, string from, string to, string change, string why);

    [LoggerMessage(6005, LogLevel.Error, "Merit evaluation of {User} failed; the stored tier is kept")]
    public static partial void MeritFailed(ILogger logger, string user, Exception exception);

    [LoggerMessage(6006, LogLevel.Debug, "Merit of {User}: identity on {Provider}, which this bridge is not configured for, skipped")]
    public static partial void ForgeNotConfigured(ILogger logger, string user, string provider);

    [LoggerMessage(6010, LogLevel.Information, "User {User} signed in with {Provider} account {Login} (linked: {Linked})")]
    public static partial void SignedIn(ILogger logger, string user, string provider, string login, bool linked);

    [LoggerMessage(6011, LogLevel.Warning, "Refused sign-in of bot account {Login} on {Provider}")]
    public static partial void BotRefused(ILogger logger, string provider, string login);

    [LoggerMessage(6012, LogLevel.Error, "User {User} signed in, but evaluating their merit failed; the stored tier stands")]
    public static partial void SignInEvaluationFailed(ILogger logger, string user, Exception exception);
}
