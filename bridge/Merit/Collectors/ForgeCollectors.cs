using Commons.Bridge.Merit.Http;

namespace Commons.Bridge.Merit.Collectors;

/// <summary>A linked forge account, as sign-in stored it (table <c>identities</c>).</summary>
/// <param name="Provider"><c>github</c> or <c>gitlab</c>.</param>
/// <param name="ProviderId">The forge's numeric id of the account.</param>
/// <param name="Login">Its login at the last sign-in.</param>
public sealed record ForgeIdentity(string Provider, string ProviderId, string Login, DateTimeOffset AccountCreatedAt);

/// <summary>
/// Runs the right collector for a linked identity, each over a pipeline of
/// <see cref="ConditionalRequestHandler"/> → <see cref="RateLimitHandler"/> → the transport. The rate-limit gates
/// live as long as this object (one per forge), so an exhausted budget holds back every evaluation; the cache
/// handler is new for each evaluation, so its stale answers are counted for that evaluation alone.
/// </summary>
public sealed class ForgeCollectors(
    ForgeSettings? settings,
    ForgeCache cache,
    HttpMessageHandler transport,
    TimeProvider time,
    ILogger<ForgeCollectors> logger,
    TimeSpan? maxRateLimitWait = null)
{
    /// <summary>
    /// How long a request may wait for a rate limit to reset: long enough for GitHub's search budget, which resets
    /// every minute; a reset further off (the hourly core budget) makes the evaluation stale instead.
    /// </summary>
    public static readonly TimeSpan DefaultMaxRateLimitWait = TimeSpan.FromSeconds(65);

    private readonly RateLimitGate _gitHubGate = new();
    private readonly RateLimitGate _gitLabGate = new();
    private readonly TimeSpan _maxWait = maxRateLimitWait ?? DefaultMaxRateLimitWait;

    /// <summary>The providers this bridge reads: those configured in <c>config/forges.yaml</c>.</summary>
    public IReadOnlyList<string> Providers { get; } =
    [
        .. settings?.GitHub is null ? Array.Empty<string>() : [GitHubCollector.Provider],
        .. settings?.GitLab is null ? Array.Empty<string>() : [GitLabCollector.Provider],
    ];

    /// <summary>The facts of one identity, or null when its forge is not configured here.</summary>
    /// <exception cref="ForgeUnavailableException">The forge could not be asked and nothing was cached.</exception>
    public async Task<ForgeFacts?> CollectAsync(ForgeIdentity identity, StaleAnswers stale, CancellationToken cancellationToken)
    {
        switch (identity.Provider)
        {
            case GitHubCollector.Provider when settings?.GitHub is { } gitHub:
                var gitHubCollector = new GitHubCollector(gitHub, Pipeline(_gitHubGate, stale), time);
                return await gitHubCollector.CollectAsync(identity.Login, identity.AccountCreatedAt, cancellationToken);
            case GitLabCollector.Provider when settings?.GitLab is { } gitLab:
                using (var gitLabCollector = new GitLabCollector(gitLab, Pipeline(_gitLabGate, stale), time))
                {
                    return await gitLabCollector.CollectAsync(identity.Login, identity.AccountCreatedAt, cancellationToken);
                }

            default:
                return null;
        }
    }

    // The per-evaluation handlers are not disposed: they hold nothing of their own, and disposing them would
    // dispose the shared transport under them.
    private ConditionalRequestHandler Pipeline(RateLimitGate gate, StaleAnswers stale) =>
        new(cache, stale) { InnerHandler = new RateLimitHandler(gate, time, _maxWait, logger) { InnerHandler = transport } };
}
