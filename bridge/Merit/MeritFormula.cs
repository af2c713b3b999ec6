using Commons.Contracts;

namespace Commons.Bridge.Merit;

/// <summary>
/// The arithmetic of the merit score, apart from the rules that decide what counts. Everything here is a pure
/// function of its arguments, so a person can redo it by hand from <c>whoami --explain</c>.
/// </summary>
public static class MeritFormula
{
    /// <summary>Only items of the last 365 days count (S6 looks further back).</summary>
    public const double WindowDays = 365;

    /// <summary>An item's points halve every 180 days.</summary>
    public const double HalfLifeDays = 180;

    /// <summary>A change of at most this many added plus deleted lines is trivial.</summary>
    public const int TrivialLines = 5;

    /// <summary>What a trivial change is worth next to a full one.</summary>
    public const double TrivialSize = 0.1;

    /// <summary>At most this many trivial changes count: the ones worth most.</summary>
    public const int MaxTrivialPulls = 5;

    /// <summary>At most this many pull requests into one repository on one UTC day count.</summary>
    public const int MaxPullsPerRepositoryDay = 3;

    /// <summary>S1 takes at most this much (Σ size·decay) from one repository.</summary>
    public const double PullCapPerRepository = 25;

    /// <summary>S4 takes at most this much (Σ decay) from one repository.</summary>
    public const double StewardshipCapPerRepository = 200;

    /// <summary>A repository must be at least this old when a pull request into it is merged.</summary>
    public const int MinRepositoryAgeDays = 90;

    /// <summary>Stewardship counts only in repositories at least this old ...</summary>
    public const int MinStewardRepositoryAgeDays = 365;

    /// <summary>... with at least this many distinct human authors ...</summary>
    public const int MinStewardAuthors = 3;

    /// <summary>... each with an account at least this old when their pull request was merged.</summary>
    public const int MinStewardAuthorAccountDays = 90;

    /// <summary>Days of a month for S6: whole months are ⌊days / 30.44⌋.</summary>
    public const double DaysPerMonth = 30.44;

    /// <summary>S6 stops growing at five years.</summary>
    public const int MaxMonths = 60;

    /// <summary>The six signals: id, name, weight αᵢ and threshold Tᵢ.</summary>
    public static IReadOnlyList<(string Id, string Name, double Alpha, double Threshold)> Signals { get; } =
    [
        ("S1", "merged pull requests", 4, 40),
        ("S2", "repositories contributed to", 1, 10),
        ("S3", "reviews", 2, 100),
        ("S4", "stewardship (merges for others)", 2, 200),
        ("S5", "issues closed as completed", 0.5, 30),
        ("S6", "months since the first item", 0.5, 60),
    ];

    /// <summary>w = clamp(ln(1 + stars) / ln(10001), 0.1, 1): 10,000 stars or more weigh 1, a new repository 0.1.</summary>
    public static double RepositoryWeight(int stars) =>
        Math.Clamp(Math.Log(1 + Math.Max(0, stars)) / Math.Log(10001), 0.1, 1);

    /// <summary>0.5^(age in days / 180), with the age counted in fractional days; a date in the future is age 0.</summary>
    public static double Decay(DateTimeOffset at, DateTimeOffset now) =>
        Math.Pow(0.5, Math.Max(0, (now - at).TotalDays) / HalfLifeDays);

    /// <summary>1, or 0.1 for a change of at most 5 lines.</summary>
    public static double Size(int changedLines) => changedLines <= TrivialLines ? TrivialSize : 1;

    /// <summary>Whole months since <paramref name="first"/>, ⌊days / 30.44⌋, at most 60; 0 without a first item.</summary>
    public static int Months(DateTimeOffset? first, DateTimeOffset now) =>
        first is { } at ? Math.Min(MaxMonths, (int)Math.Floor(Math.Max(0, (now - at).TotalDays) / DaysPerMonth)) : 0;

    /// <summary>
    /// Turns the six signal values (S1…S6, in order) into the report's signals. Each gives
    /// 100 · αᵢ · ln(1+Sᵢ) / ln(1+max(Sᵢ,Tᵢ)) / Σα points; a signal at or above its threshold gives its full share.
    /// </summary>
    public static IReadOnlyList<MeritSignal> Score(IReadOnlyList<double> values)
    {
        if (values.Count != Signals.Count)
        {
            throw new ArgumentException($"expected {Signals.Count} signal values, got {values.Count}", nameof(values));
        }

        var alphaSum = Signals.Sum(s => s.Alpha);
        return Signals
            .Select((s, i) =>
            {
                var value = Math.Max(0, values[i]);
                var share = Math.Log(1 + value) / Math.Log(1 + Math.Max(value, s.Threshold));
                return new MeritSignal(s.Id, s.Name, value, s.Threshold, s.Alpha, 100 * s.Alpha * share / alphaSum);
            })
            .ToList();
    }

    /// <summary>The score: the sum of the signals' points, rounded to two decimals (tiers compare this number).</summary>
    public static double Total(IReadOnlyList<MeritSignal> signals) => Math.Round(signals.Sum(s => s.Points), 2);
}
