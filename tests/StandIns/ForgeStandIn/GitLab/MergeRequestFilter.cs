using System.Globalization;
using Commons.StandIns.Forge.Profiles;

namespace Commons.StandIns.Forge.GitLab;

/// <summary>
/// The query of GitLab's merge request lists: state, scope, author, reviewer, approvers, date bounds and order.
/// Unknown parameters are ignored, as GitLab ignores them; a known one with a bad value is refused in GitLab's
/// words (<c>state does not have a valid value</c>).
/// </summary>
internal sealed class MergeRequestFilter
{
    private readonly List<Func<MergeRequest, bool>> _tests = [];
    private Func<MergeRequest, IComparable> _key = m => m.CreatedAt;
    private bool _ascending;

    /// <summary>True when the scope asks about "me" and there is no token to say who that is.</summary>
    public bool NeedsCaller { get; private set; }

    public IReadOnlyList<MergeRequest> Apply(IEnumerable<MergeRequest> requests)
    {
        var matching = requests.Where(m => _tests.TrueForAll(test => test(m)));
        return (_ascending
            ? matching.OrderBy(_key).ThenBy(m => m.Id)
            : matching.OrderByDescending(_key).ThenByDescending(m => m.Id)).ToList();
    }

    public static bool TryParse(
        IQueryCollection query, World world, Account? caller, out MergeRequestFilter filter, out string error)
    {
        ArgumentNullException.ThrowIfNull(query);
        filter = new MergeRequestFilter();
        error = filter.ReadState(query["state"])
            ?? filter.ReadScope(query["scope"], caller)
            ?? filter.ReadPerson(query, world, "author", m => [m.Author])
            ?? filter.ReadPerson(query, world, "reviewer", m => m.Reviewers)
            ?? filter.ReadApprovers(query, world)
            ?? filter.ReadBound(query["created_after"], "created_after", m => m.CreatedAt, after: true)
            ?? filter.ReadBound(query["created_before"], "created_before", m => m.CreatedAt, after: false)
            ?? filter.ReadBound(query["updated_after"], "updated_after", m => m.UpdatedAt, after: true)
            ?? filter.ReadBound(query["updated_before"], "updated_before", m => m.UpdatedAt, after: false)
            ?? filter.ReadOrder(query["order_by"], query["sort"])
            ?? string.Empty;
        return error.Length == 0;
    }

    private string? ReadState(string? state)
    {
        switch (state)
        {
            case null or "all":
                return null;

            case "opened" or "closed" or "merged":
                Add(m => m.State == state);
                return null;

            case "locked":
                // Nothing here is ever locked.
                Add(_ => false);
                return null;

            default:
                return "state does not have a valid value";
        }
    }

    private string? ReadScope(string? scope, Account? caller)
    {
        switch (scope)
        {
            case "all":
                return null;

            case null or "created_by_me" or "created-by-me":
                NeedsCaller = caller is null;
                Add(m => m.Author.Id == caller?.Id);
                return null;

            case "assigned_to_me" or "assigned-to-me":
                // Nobody is assigned anything here.
                NeedsCaller = caller is null;
                Add(_ => false);
                return null;

            case "reviews_for_me":
                NeedsCaller = caller is null;
                Add(m => m.Reviewers.Any(r => r.Id == caller?.Id));
                return null;

            default:
                return "scope does not have a valid value";
        }
    }

    /// <summary><c>NAME_username</c> or <c>NAME_id</c>, never both; an unknown person matches nothing.</summary>
    private string? ReadPerson(
        IQueryCollection query, World world, string role, Func<MergeRequest, IEnumerable<Account>> people)
    {
        var username = query[$"{role}_username"].ToString();
        var id = query[$"{role}_id"].ToString();
        if (username.Length > 0 && id.Length > 0)
        {
            return $"{role}_id, {role}_username are mutually exclusive";
        }

        if (username.Length > 0)
        {
            var account = world.FindAccount(ForgeKind.GitLab, username);
            Add(m => account is not null && people(m).Any(p => p.Id == account.Id));
        }
        else if (id.Length > 0)
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return $"{role}_id is invalid";
            }

            Add(m => people(m).Any(p => p.Id == number));
        }

        return null;
    }

    /// <summary>
    /// <c>approved_by_usernames[]</c> (or <c>approved_by_ids[]</c>): approved by every one listed; the single
    /// values <c>None</c> and <c>Any</c> mean no approval and at least one.
    /// </summary>
    private string? ReadApprovers(IQueryCollection query, World world)
    {
        var usernames = query["approved_by_usernames[]"].Concat(query["approved_by_usernames"]).OfType<string>().ToList();
        var ids = query["approved_by_ids[]"].Concat(query["approved_by_ids"]).OfType<string>().ToList();
        if (usernames.Count > 0 && ids.Count > 0)
        {
            return "approved_by_ids, approved_by_usernames are mutually exclusive";
        }

        var given = usernames.Count > 0 ? usernames : ids;
        switch (given)
        {
            case []:
                return null;

            case ["None" or "none"]:
                Add(m => m.ApprovedBy.Count == 0);
                return null;

            case ["Any" or "any"]:
                Add(m => m.ApprovedBy.Count > 0);
                return null;
        }

        var wanted = new List<long>();
        foreach (var value in given)
        {
            if (usernames.Count > 0)
            {
                // An approver nobody knows approves nothing, so the list matches nothing.
                wanted.Add(world.FindAccount(ForgeKind.GitLab, value)?.Id ?? -1);
            }
            else if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                wanted.Add(id);
            }
            else
            {
                return "approved_by_ids is invalid";
            }
        }

        Add(m => wanted.TrueForAll(id => m.ApprovedBy.Any(a => a.Id == id)));
        return null;
    }

    /// <summary>An inclusive bound: "after" means on or after, "before" on or before, as GitLab documents.</summary>
    private string? ReadBound(string? text, string name, Func<MergeRequest, DateTimeOffset> date, bool after)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var bound))
        {
            return $"{name} is invalid";
        }

        Add(after ? m => date(m) >= bound : m => date(m) <= bound);
        return null;
    }

    private string? ReadOrder(string? orderBy, string? sort)
    {
        Func<MergeRequest, IComparable>? key = orderBy switch
        {
            null or "created_at" => m => m.CreatedAt,
            "updated_at" => m => m.UpdatedAt,
            "merged_at" => m => m.MergedAt ?? DateTimeOffset.MinValue,
            "title" => m => m.Title,
            _ => null,
        };
        if (key is null)
        {
            return "order_by does not have a valid value";
        }

        if (sort is not (null or "asc" or "desc"))
        {
            return "sort does not have a valid value";
        }

        _key = key;
        _ascending = sort == "asc";
        return null;
    }

    private void Add(Func<MergeRequest, bool> test) => _tests.Add(test);
}
