namespace Commons.Bridge.Merit;

/// <summary>The rules that set a contribution aside, worded as <c>whoami --explain</c> shows them.</summary>
public static class MeritRules
{
    public const string NotYours = "not authored by you";
    public const string OwnRepository = "in a repository you own";
    public const string Fork = "in a fork";
    public const string Archived = "in an archived repository";
    public const string YoungRepository = "the repository was less than 90 days old when it was merged";
    public const string NoOtherPerson = "neither merged nor approved by another person";
    public const string BotParty = "a bot account is the other party";
    public const string OutsideWindow = "older than 365 days";
    public const string OutsideWindowHistory = "older than 365 days; it dates your first item (S6) only";
    public const string TrivialLimit = "one of more than 5 changes of at most 5 lines; only the 5 worth most count";
    public const string DailyLimit =
        "one of more than 3 pull requests into this repository on one UTC day; only the 3 worth most count";
    public const string OwnPull = "your own pull request";
    public const string NoReview = "no review of yours is on it";
    public const string PullNotInWindow = "the pull request was not merged in the last 365 days";
    public const string NotCompleted = "not closed as completed";
    public const string ClosedByYou = "closed by you, not by someone else";
    public const string ClosedByUnknown = "the forge does not say who closed it";
    public const string YoungAuthor = "the author's account was less than 90 days old when it was merged";
    public const string YoungStewardRepository = "stewardship counts only in repositories at least one year old";
    public const string FewStewardAuthors =
        "stewardship counts only in repositories with at least 3 distinct human authors whose accounts are 90 days old";
    public const string Duplicate = "listed twice; counted once";

    /// <summary>What the score never counts, by design; every report says so.</summary>
    public static IReadOnlyList<string> NotCounted { get; } =
    [
        "commits",
        "the contribution calendar",
        "followers",
        "stars of your own repositories",
        "anything by or with bot accounts",
    ];
}
