namespace Commons.Bridge.Merit;

/// <summary>
/// What the collectors found on one forge for one person, before any rule is applied. The collectors only gather
/// candidates (their searches already leave out what a forge can filter); <see cref="MeritEngine"/> decides what
/// counts and says why the rest does not.
/// </summary>
/// <param name="Provider"><c>github</c> or <c>gitlab</c>.</param>
/// <param name="Login">The person's login on this forge.</param>
/// <param name="AccountCreatedAt">When the person's forge account was made.</param>
/// <param name="Pulls">Pull/merge requests the person authored that were merged in the last 365 days.</param>
/// <param name="Reviews">The person's reviews (GitLab: approvals) of others' merged pull/merge requests.</param>
/// <param name="Issues">Issues the person opened that were closed.</param>
/// <param name="Merges">Pull/merge requests of others that the person merged.</param>
/// <param name="EarliestPulls">
/// The person's oldest merged pull/merge requests, of any age, looked at only to date the first qualifying item (S6).
/// </param>
public sealed record ForgeFacts(
    string Provider,
    string Login,
    DateTimeOffset AccountCreatedAt,
    IReadOnlyList<PullRequestFact> Pulls,
    IReadOnlyList<ReviewFact> Reviews,
    IReadOnlyList<IssueFact> Issues,
    IReadOnlyList<MergeFact> Merges,
    IReadOnlyList<PullRequestFact> EarliestPulls);

/// <summary>A forge account on the other side of a contribution.</summary>
/// <param name="IsBot">See <see cref="ForgePerson.IsBotAccount"/>.</param>
/// <param name="CreatedAt">When the account was made, where the collector looked it up.</param>
public sealed record ForgePerson(string Login, bool IsBot, DateTimeOffset? CreatedAt = null)
{
    /// <summary>
    /// A bot is an account of type <c>Bot</c>, a login ending in <c>[bot]</c> (GitHub Apps), or one GitLab flags
    /// with <c>bot: true</c>.
    /// </summary>
    public static bool IsBotAccount(string login, string? type, bool gitLabBot = false) =>
        gitLabBot
        || string.Equals(type, "Bot", StringComparison.OrdinalIgnoreCase)
        || login.EndsWith("[bot]", StringComparison.OrdinalIgnoreCase);

    /// <summary>Forge logins compare without regard to case, as both forges treat them.</summary>
    public bool Is(string login) => string.Equals(Login, login, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A repository (GitLab: project) as it is now.</summary>
/// <param name="Name"><c>owner/name</c> on GitHub, the <c>path_with_namespace</c> on GitLab.</param>
/// <param name="OwnedByUser">
/// GitHub: the owner's login is the person's. GitLab: the namespace is of kind <c>user</c> and its path is the
/// person's username.
/// </param>
/// <param name="Stars">Stargazers (GitHub) or stars (GitLab).</param>
public sealed record ForgeRepository(
    string Provider, string Name, string Url, bool OwnedByUser, bool Fork, bool Archived, int Stars,
    DateTimeOffset CreatedAt);

/// <summary>A merged pull/merge request.</summary>
/// <param name="MergedBy">Who merged it; null when the forge does not say.</param>
/// <param name="Approvers">
/// Who approved it. Collectors look approvals up only when the merge alone does not qualify the item (the merger is
/// the author, a bot or unknown), so the list may be empty for an item merged by another person.
/// </param>
/// <param name="ChangedLines">Additions plus deletions.</param>
public sealed record PullRequestFact(
    string Url, ForgeRepository Repository, ForgePerson Author, DateTimeOffset MergedAt, ForgePerson? MergedBy,
    IReadOnlyList<ForgePerson> Approvers, int ChangedLines);

/// <summary>The person's review of a merged pull/merge request.</summary>
/// <param name="SubmittedAt">
/// The person's latest review on it; null when the forge lists none (a search hit on comments only). GitLab
/// approvals carry no date in the API the collector reads, so there it is the merge request's merge time.
/// </param>
public sealed record ReviewFact(
    string Url, ForgeRepository Repository, ForgePerson PullAuthor, DateTimeOffset PullMergedAt, DateTimeOffset? SubmittedAt);

/// <summary>A closed issue the person opened.</summary>
/// <param name="ClosedBy">Who closed it; null when the forge does not say.</param>
public sealed record IssueFact(
    string Url, ForgeRepository Repository, DateTimeOffset ClosedAt, bool ClosedAsCompleted, ForgePerson? ClosedBy);

/// <summary>A pull/merge request of someone else that the person merged.</summary>
/// <param name="Author">Its author, with the account's creation time.</param>
public sealed record MergeFact(string Url, ForgeRepository Repository, ForgePerson Author, DateTimeOffset MergedAt);
