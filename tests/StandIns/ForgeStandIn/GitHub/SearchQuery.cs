using System.Globalization;
using System.Text;
using Commons.StandIns.Forge.Profiles;

namespace Commons.StandIns.Forge.GitHub;

/// <summary>
/// The <c>q</c> of GitHub's issue search: space-separated qualifiers (<c>is:pr author:alice -user:alice
/// merged:&gt;=2026-01-01</c>), each negated by a leading <c>-</c>, values quoted when they hold spaces
/// (<c>reason:"not planned"</c>), and plain words matched against titles. All must hold for an item to match.
/// </summary>
internal sealed class SearchQuery
{
    /// <summary>The qualifiers understood; anything else is refused with 422, so a typo never matches silently.</summary>
    public static readonly IReadOnlyList<string> Qualifiers =
    [
        "is", "type", "state", "author", "user", "org", "repo", "reviewed-by", "reason", "merged", "closed",
        "created", "updated", "archived", "draft",
    ];

    private readonly List<Func<IssueItem, bool>> _tests;

    private SearchQuery(List<Func<IssueItem, bool>> tests) => _tests = tests;

    public bool Matches(IssueItem item) => _tests.TrueForAll(test => test(item));

    /// <summary>Parses a query; on failure <paramref name="error"/> says which term and why.</summary>
    public static bool TryParse(string? text, out SearchQuery query, out string error)
    {
        var tests = new List<Func<IssueItem, bool>>();
        query = new SearchQuery(tests);
        error = string.Empty;
        foreach (var term in Terms(text ?? string.Empty))
        {
            var negated = term.Length > 1 && term[0] == '-';
            var body = negated ? term[1..] : term;
            var colon = body.IndexOf(':', StringComparison.Ordinal);
            Func<IssueItem, bool>? test;
            if (colon < 0)
            {
                test = item => item.Title.Contains(body, StringComparison.OrdinalIgnoreCase);
            }
            else if (!TryQualifier(body[..colon].ToLowerInvariant(), body[(colon + 1)..], out test, out error))
            {
                return false;
            }

            tests.Add(negated ? item => !test!(item) : test!);
        }

        return true;
    }

    private static bool TryQualifier(string name, string value, out Func<IssueItem, bool>? test, out string error)
    {
        test = null;
        if (!Qualifiers.Contains(name))
        {
            error = $"The qualifier '{name}:' is not supported; use one of {string.Join(", ", Qualifiers.Select(q => q + ":"))}.";
            return false;
        }

        if (value.Length == 0)
        {
            error = $"The qualifier '{name}:' needs a value.";
            return false;
        }

        error = string.Empty;
        var lowered = value.ToLowerInvariant();
        test = name switch
        {
            "is" => Is(lowered),
            "type" => lowered switch
            {
                "pr" or "pull-request" => item => item.IsPull,
                "issue" => item => !item.IsPull,
                _ => null,
            },
            "state" => lowered is "open" or "closed" ? item => item.State == lowered : null,
            "author" => item => Same(item.Author.Login, value),
            "user" or "org" => item => Same(item.Repository.Owner.Login, value),
            "repo" => item => Same(item.Repository.FullName, value),
            "reviewed-by" => item => item.Pull?.Reviews.Any(review => Same(review.User.Login, value)) == true,
            "reason" => lowered switch
            {
                "completed" => item => item.StateReason == "completed",
                "not planned" or "not_planned" => item => item.StateReason == "not_planned",
                "reopened" => item => item.StateReason == "reopened",
                _ => null,
            },
            "merged" => Dated(value, item => item.Pull?.MergedAt),
            "closed" => Dated(value, item => item.ClosedAt),
            "created" => Dated(value, item => item.CreatedAt),
            "updated" => Dated(value, item => item.UpdatedAt),
            "archived" => bool.TryParse(value, out var archived) ? item => item.Repository.Archived == archived : null,
            "draft" => bool.TryParse(value, out var draft) ? item => item.IsPull && !draft : null,
            _ => null,
        };

        if (test is null)
        {
            error = $"The value '{value}' of the qualifier '{name}:' is not valid.";
        }

        return test is not null;
    }

    private static Func<IssueItem, bool>? Is(string value) => value switch
    {
        "pr" or "pull-request" => item => item.IsPull,
        "issue" => item => !item.IsPull,
        "merged" => item => item.IsMerged,
        "unmerged" => item => item.IsPull && !item.IsMerged && item.ClosedAt is not null,
        "open" => item => item.ClosedAt is null,
        "closed" => item => item.ClosedAt is not null,
        "public" => _ => true,
        "private" => _ => false,
        "draft" => _ => false,
        _ => null,
    };

    private static bool Same(string login, string value) => login.Equals(value, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>&gt;=D</c>, <c>&gt;D</c>, <c>&lt;=D</c>, <c>&lt;D</c>, <c>D</c>, <c>D..D</c>, <c>D..*</c> or
    /// <c>*..D</c>, where D is a date (a whole UTC day) or an ISO 8601 instant. An item without the date (say,
    /// <c>merged:</c> on an unmerged one) never matches.
    /// </summary>
    private static Func<IssueItem, bool>? Dated(string value, Func<IssueItem, DateTimeOffset?> date)
    {
        DateTimeOffset? from = null;
        DateTimeOffset? until = null;
        if (value.Contains("..", StringComparison.Ordinal))
        {
            var parts = value.Split("..", 2);
            var fromOk = parts[0] == "*" || TryDay(parts[0], out from, out _);
            var untilOk = parts[1] == "*" || TryDay(parts[1], out _, out until);
            if (!fromOk || !untilOk)
            {
                return null;
            }
        }
        else if (value.StartsWith(">=", StringComparison.Ordinal))
        {
            if (!TryDay(value[2..], out from, out _))
            {
                return null;
            }
        }
        else if (value.StartsWith("<=", StringComparison.Ordinal))
        {
            if (!TryDay(value[2..], out _, out until))
            {
                return null;
            }
        }
        else if (value.StartsWith('>'))
        {
            if (!TryDay(value[1..], out _, out from))
            {
                return null;
            }
        }
        else if (value.StartsWith('<'))
        {
            if (!TryDay(value[1..], out until, out _))
            {
                return null;
            }
        }
        else if (!TryDay(value, out from, out until))
        {
            return null;
        }

        return item => date(item) is { } at && (from is null || at >= from) && (until is null || at < until);
    }

    /// <summary>
    /// A day's bounds: its first instant and the first instant after it. An instant with a time of day is a
    /// "day" of one tick, so <c>&gt;=</c> and <c>&lt;</c> compare with it exactly.
    /// </summary>
    private static bool TryDay(string text, out DateTimeOffset? start, out DateTimeOffset? end)
    {
        start = end = null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            end = start.Value.AddDays(1);
            return true;
        }

        if (text.Contains('T', StringComparison.Ordinal) && DateTimeOffset.TryParse(
            text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            start = instant;
            end = instant.AddTicks(1);
            return true;
        }

        return false;
    }

    /// <summary>Splits on spaces outside double quotes and drops the quotes.</summary>
    private static IEnumerable<string> Terms(string text)
    {
        var term = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (term.Length > 0)
                {
                    yield return term.ToString();
                    term.Clear();
                }
            }
            else
            {
                term.Append(c);
            }
        }

        if (term.Length > 0)
        {
            yield return term.ToString();
        }
    }
}
