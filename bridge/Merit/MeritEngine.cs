using Commons.Contracts;

namespace Commons.Bridge.Merit;

/// <summary>
/// Turns collected facts into a <see cref="MeritReport"/>: which items count, what each is worth, and the rule that
/// set each other item aside. Pure: no I/O, no clock of its own, so every rule is a unit test.
/// </summary>
/// <remarks>
/// Where the issue is silent, these readings hold:
/// <list type="bullet">
/// <item>Only items of the last 365 days count; the age of an item is its fractional age in days.</item>
/// <item>A pull request qualifies when it is the person's, merged into a repository they do not own, that is no fork,
/// not archived and was at least 90 days old when it merged, and either another human merged it or another human
/// approved it. A bot that merged it does not qualify it; a bot that merged a change a human approved does not
/// disqualify it.</item>
/// <item>The daily limit is applied first: of one repository's pull requests merged on one UTC day the 3 worth most
/// count. Then the trivial limit: of the changes of at most 5 lines (size 0.1) the 5 worth most count. Ties go to
/// the earlier merge.</item>
/// <item>A review counts once per pull request (the person's latest review on it), dated by its submission, of a pull
/// request merged in the last 365 days whose author is another human, in a repository that is no fork and not
/// archived. Reviews in one's own repositories count.</item>
/// <item>An issue is dated by its closing. It counts in a repository the person does not own, that is no fork and
/// not archived, closed as completed by another human.</item>
/// <item>A merge (stewardship) counts when its author is another human whose account was at least 90 days old at the
/// merge, in a repository that is no fork, not archived, at least one year old now, and whose counted merges come
/// from at least 3 such distinct authors. Merges in one's own repositories count.</item>
/// <item>S6 is ⌊days / 30.44⌋ since the first qualifying item of any kind, capped at 60. A qualifying item is one
/// that passes the rules above apart from the 365-day window and the daily and trivial limits; beyond the window
/// only the person's oldest merged pull requests are looked at.</item>
/// <item><see cref="MeritReport.LastItemAt"/> is the newest qualifying item, which the tiers' recency rule reads.</item>
/// </list>
/// </remarks>
public static class MeritEngine
{
    /// <summary>The note of a counted merge names the author it was merged for: <c>merged for @LOGIN</c>.</summary>
    public const string StewardNotePrefix = "merged for @";

    /// <summary>Scores the facts of every linked forge as of <paramref name="now"/>.</summary>
    /// <param name="staleReason">Set when some facts came from the cache because a forge could not be asked.</param>
    public static MeritReport Evaluate(IReadOnlyList<ForgeFacts> forges, DateTimeOffset now, string? staleReason = null)
    {
        var sheet = new Sheet(now);
        foreach (var forge in forges)
        {
            Pulls(forge, sheet);
            Reviews(forge, sheet);
            Issues(forge, sheet);
            Merges(forge, sheet);
        }

        var signals = MeritFormula.Score(
        [
            CappedSum(sheet.Counted.Where(i => i.Signal == "S1"), MeritFormula.PullCapPerRepository),
            sheet.Counted.Where(i => i.Signal == "S1" && i.Size >= 1).Select(i => (i.Provider, i.Repository)).Distinct().Count(),
            sheet.Counted.Where(i => i.Signal == "S3").Sum(i => i.Points),
            CappedSum(sheet.Counted.Where(i => i.Signal == "S4"), MeritFormula.StewardshipCapPerRepository),
            sheet.Counted.Where(i => i.Signal == "S5").Sum(i => i.Points),
            MeritFormula.Months(sheet.First, now),
        ]);

        return new MeritReport(
            MeritFormula.Total(signals),
            now,
            signals,
            sheet.Counted.OrderByDescending(i => i.At).ThenBy(i => i.Url, StringComparer.Ordinal).ToList(),
            sheet.Ignored,
            MeritRules.NotCounted,
            sheet.First,
            sheet.Last,
            staleReason is not null,
            staleReason);
    }

    /// <summary>The author a counted merge was for, read back from its note; null for any other item.</summary>
    public static string? StewardAuthor(MeritItem item) =>
        item.Kind == "merge" && item.Note?.StartsWith(StewardNotePrefix, StringComparison.Ordinal) == true
            ? item.Note[StewardNotePrefix.Length..]
            : null;

    private static void Pulls(ForgeFacts forge, Sheet sheet)
    {
        var candidates = new List<MeritItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pull in forge.Pulls)
        {
            if (!seen.Add(pull.Url))
            {
                sheet.Ignore("pull", pull.Url, pull.Repository, MeritRules.Duplicate);
                continue;
            }

            if (Admit(forge.Login, pull, sheet, MeritRules.OutsideWindow))
            {
                candidates.Add(sheet.Item("pull", "S1", pull.Url, pull.Repository, pull.MergedAt, MeritFormula.Size(pull.ChangedLines)));
            }
        }

        var withinDailyLimit = new List<MeritItem>();
        foreach (var day in candidates.GroupBy(i => (i.Repository, i.At.UtcDateTime.Date)))
        {
            var ranked = Ranked(day).ToList();
            withinDailyLimit.AddRange(ranked.Take(MeritFormula.MaxPullsPerRepositoryDay));
            foreach (var dropped in ranked.Skip(MeritFormula.MaxPullsPerRepositoryDay))
            {
                sheet.Ignore(dropped, MeritRules.DailyLimit);
            }
        }

        var trivial = Ranked(withinDailyLimit.Where(i => i.Size < 1)).ToList();
        foreach (var dropped in trivial.Skip(MeritFormula.MaxTrivialPulls))
        {
            sheet.Ignore(dropped, MeritRules.TrivialLimit);
        }

        var counted = withinDailyLimit.Where(i => i.Size >= 1).Concat(trivial.Take(MeritFormula.MaxTrivialPulls)).ToList();
        foreach (var repository in counted.GroupBy(i => i.Repository))
        {
            var capped = repository.Sum(i => i.Size * i.Decay) > MeritFormula.PullCapPerRepository;
            sheet.Counted.AddRange(capped
                ? repository.Select(i => i with { Note = "this repository reaches S1's cap of 25 (Σ size·decay)" })
                : repository);
        }

        // The window's search found the recent ones; an older one only dates the first item.
        foreach (var pull in forge.EarliestPulls.Where(p => seen.Add(p.Url)))
        {
            Admit(forge.Login, pull, sheet, MeritRules.OutsideWindowHistory);
        }
    }

    /// <summary>
    /// Applies the qualifying rules and then the window to a pull request; true when it may count. A qualifying one
    /// dates the first and last item even when it falls outside the window.
    /// </summary>
    private static bool Admit(string login, PullRequestFact pull, Sheet sheet, string outsideWindowRule)
    {
        if (PullRule(login, pull) is { } rule)
        {
            sheet.Ignore("pull", pull.Url, pull.Repository, rule);
            return false;
        }

        sheet.Qualifies(pull.MergedAt);
        if (!sheet.InWindow(pull.MergedAt))
        {
            sheet.Ignore("pull", pull.Url, pull.Repository, outsideWindowRule);
            return false;
        }

        return true;
    }

    private static string? PullRule(string login, PullRequestFact pull)
    {
        if (!pull.Author.Is(login))
        {
            return MeritRules.NotYours;
        }

        if (RepositoryRule(pull.Repository, allowOwn: false) is { } rule)
        {
            return rule;
        }

        if (pull.MergedAt - pull.Repository.CreatedAt < TimeSpan.FromDays(MeritFormula.MinRepositoryAgeDays))
        {
            return MeritRules.YoungRepository;
        }

        if (IsOtherHuman(pull.MergedBy, login) || pull.Approvers.Any(a => IsOtherHuman(a, login)))
        {
            return null;
        }

        return pull.MergedBy is { IsBot: true } ? MeritRules.BotParty : MeritRules.NoOtherPerson;
    }

    private static void Reviews(ForgeFacts forge, Sheet sheet)
    {
        // One review per pull request: the latest, so a long review thread counts as much as a single approval.
        var latest = forge.Reviews
            .GroupBy(r => r.Url, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(r => r.SubmittedAt ?? DateTimeOffset.MinValue).First());
        foreach (var review in latest)
        {
            var rule = review.SubmittedAt is null ? MeritRules.NoReview
                : review.PullAuthor.Is(forge.Login) ? MeritRules.OwnPull
                : review.PullAuthor.IsBot ? MeritRules.BotParty
                : RepositoryRule(review.Repository, allowOwn: true);
            if (rule is not null)
            {
                sheet.Ignore("review", review.Url, review.Repository, rule);
                continue;
            }

            var at = review.SubmittedAt!.Value;
            sheet.Qualifies(at);
            rule = !sheet.InWindow(review.PullMergedAt) ? MeritRules.PullNotInWindow
                : !sheet.InWindow(at) ? MeritRules.OutsideWindow
                : null;
            if (rule is not null)
            {
                sheet.Ignore("review", review.Url, review.Repository, rule);
                continue;
            }

            sheet.Counted.Add(sheet.Item("review", "S3", review.Url, review.Repository, at, 1));
        }
    }

    private static void Issues(ForgeFacts forge, Sheet sheet)
    {
        foreach (var issue in forge.Issues.DistinctBy(i => i.Url, StringComparer.Ordinal))
        {
            var rule = RepositoryRule(issue.Repository, allowOwn: false)
                ?? (!issue.ClosedAsCompleted ? MeritRules.NotCompleted
                    : issue.ClosedBy is null ? MeritRules.ClosedByUnknown
                    : issue.ClosedBy.Is(forge.Login) ? MeritRules.ClosedByYou
                    : issue.ClosedBy.IsBot ? MeritRules.BotParty
                    : null);
            if (rule is not null)
            {
                sheet.Ignore("issue", issue.Url, issue.Repository, rule);
                continue;
            }

            sheet.Qualifies(issue.ClosedAt);
            if (!sheet.InWindow(issue.ClosedAt))
            {
                sheet.Ignore("issue", issue.Url, issue.Repository, MeritRules.OutsideWindow);
                continue;
            }

            sheet.Counted.Add(sheet.Item("issue", "S5", issue.Url, issue.Repository, issue.ClosedAt, 1));
        }
    }

    private static void Merges(ForgeFacts forge, Sheet sheet)
    {
        var candidates = new List<MergeFact>();
        foreach (var merge in forge.Merges.DistinctBy(m => m.Url, StringComparer.Ordinal))
        {
            var rule = merge.Author.Is(forge.Login) ? MeritRules.OwnPull
                : merge.Author.IsBot ? MeritRules.BotParty
                : RepositoryRule(merge.Repository, allowOwn: true)
                    ?? (merge.Author.CreatedAt is not { } created
                        || merge.MergedAt - created < TimeSpan.FromDays(MeritFormula.MinStewardAuthorAccountDays)
                        ? MeritRules.YoungAuthor
                        : !sheet.InWindow(merge.MergedAt) ? MeritRules.OutsideWindow
                        : null);
            if (rule is not null)
            {
                sheet.Ignore("merge", merge.Url, merge.Repository, rule);
                continue;
            }

            candidates.Add(merge);
        }

        foreach (var repository in candidates.GroupBy(m => m.Repository.Name, StringComparer.Ordinal))
        {
            var facts = repository.First().Repository;
            var authors = repository.Select(m => m.Author.Login).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            var rule = sheet.Now - facts.CreatedAt < TimeSpan.FromDays(MeritFormula.MinStewardRepositoryAgeDays)
                ? MeritRules.YoungStewardRepository
                : authors < MeritFormula.MinStewardAuthors ? MeritRules.FewStewardAuthors
                : null;
            foreach (var merge in repository)
            {
                if (rule is not null)
                {
                    sheet.Ignore("merge", merge.Url, merge.Repository, rule);
                    continue;
                }

                sheet.Qualifies(merge.MergedAt);
                sheet.Counted.Add(sheet.Item("merge", "S4", merge.Url, merge.Repository, merge.MergedAt, 1)
                    with { Note = StewardNotePrefix + merge.Author.Login });
            }
        }
    }

    private static string? RepositoryRule(ForgeRepository repository, bool allowOwn) =>
        !allowOwn && repository.OwnedByUser ? MeritRules.OwnRepository
        : repository.Fork ? MeritRules.Fork
        : repository.Archived ? MeritRules.Archived
        : null;

    private static bool IsOtherHuman(ForgePerson? person, string login) =>
        person is not null && !person.IsBot && !person.Is(login);

    private static IEnumerable<MeritItem> Ranked(IEnumerable<MeritItem> items) =>
        items.OrderByDescending(i => i.Points).ThenBy(i => i.At).ThenBy(i => i.Url, StringComparer.Ordinal);

    /// <summary>Σ over repositories of w · min(cap, Σ size·decay).</summary>
    private static double CappedSum(IEnumerable<MeritItem> items, double cap) =>
        items
            .GroupBy(i => (i.Provider, i.Repository))
            .Sum(g => g.First().Weight * Math.Min(cap, g.Sum(i => i.Size * i.Decay)));

    // What one evaluation has found so far.
    private sealed class Sheet(DateTimeOffset now)
    {
        public DateTimeOffset Now { get; } = now;

        public List<MeritItem> Counted { get; } = [];

        public List<IgnoredItem> Ignored { get; } = [];

        public DateTimeOffset? First { get; private set; }

        public DateTimeOffset? Last { get; private set; }

        public bool InWindow(DateTimeOffset at) => Now - at <= TimeSpan.FromDays(MeritFormula.WindowDays);

        public void Qualifies(DateTimeOffset at)
        {
            First = First is { } first && first <= at ? first : at;
            Last = Last is { } last && last >= at ? last : at;
        }

        public MeritItem Item(string kind, string signal, string url, ForgeRepository repository, DateTimeOffset at, double size)
        {
            var weight = MeritFormula.RepositoryWeight(repository.Stars);
            var decay = MeritFormula.Decay(at, Now);
            return new MeritItem(
                kind, repository.Provider, url, repository.Name, at, signal, weight, decay, size, weight * size * decay);
        }

        public void Ignore(string kind, string url, ForgeRepository repository, string rule) =>
            Ignored.Add(new IgnoredItem(kind, repository.Provider, url, repository.Name, rule));

        public void Ignore(MeritItem item, string rule) =>
            Ignored.Add(new IgnoredItem(item.Kind, item.Provider, item.Url, item.Repository, rule));
    }
}
