using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace Commons.StandIns.Forge.Web;

/// <summary>A requested page: 1-based number and size, read from <c>page</c> and <c>per_page</c>.</summary>
internal readonly record struct PageRequest(int Page, int PerPage)
{
    public const int MaxPerPage = 100;

    /// <summary>Reads the page; a missing or unusable value falls back, as both forges let it.</summary>
    public static PageRequest From(HttpRequest request, int defaultPerPage)
    {
        ArgumentNullException.ThrowIfNull(request);
        var perPage = Number(request, "per_page") is > 0 and var n ? Math.Min(n, MaxPerPage) : defaultPerPage;
        var page = Number(request, "page") is > 0 and var p ? p : 1;
        return new PageRequest(page, perPage);
    }

    public int Skip => (Page - 1) * PerPage;

    public int LastPage(int total) => Math.Max(1, (total + PerPage - 1) / PerPage);

    public IReadOnlyList<T> Slice<T>(IReadOnlyList<T> all) => [.. all.Skip(Skip).Take(PerPage)];

    private static int? Number(HttpRequest request, string name) =>
        int.TryParse(request.Query[name], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}

/// <summary>The headers each forge uses to say where the other pages of a list are.</summary>
internal static class Paging
{
    /// <summary>GitHub's <c>Link</c> header: prev, next, last and first, the ones that apply.</summary>
    public static void AddGitHubLinks(HttpContext context, PageRequest page, int lastPage)
    {
        ArgumentNullException.ThrowIfNull(context);
        var links = new List<string>();
        if (page.Page > 1)
        {
            links.Add(Link(context, Math.Min(page.Page - 1, lastPage), "prev"));
        }

        if (page.Page < lastPage)
        {
            links.Add(Link(context, page.Page + 1, "next"));
            links.Add(Link(context, lastPage, "last"));
        }

        if (page.Page > 1)
        {
            links.Add(Link(context, 1, "first"));
        }

        if (links.Count > 0)
        {
            context.Response.Headers.Link = string.Join(", ", links);
        }
    }

    /// <summary>GitLab's <c>X-Page</c>, <c>X-Next-Page</c> (empty on the last page) and the rest, and a Link.</summary>
    public static void AddGitLabHeaders(HttpContext context, PageRequest page, int total)
    {
        ArgumentNullException.ThrowIfNull(context);
        var lastPage = page.LastPage(total);
        var headers = context.Response.Headers;
        headers["X-Page"] = Text(page.Page);
        headers["X-Per-Page"] = Text(page.PerPage);
        headers["X-Next-Page"] = page.Page < lastPage ? Text(page.Page + 1) : string.Empty;
        headers["X-Prev-Page"] = page.Page > 1 ? Text(Math.Min(page.Page - 1, lastPage)) : string.Empty;
        headers["X-Total"] = Text(total);
        headers["X-Total-Pages"] = Text(lastPage);

        var links = new List<string>();
        if (page.Page > 1)
        {
            links.Add(Link(context, Math.Min(page.Page - 1, lastPage), "prev"));
        }

        if (page.Page < lastPage)
        {
            links.Add(Link(context, page.Page + 1, "next"));
        }

        links.Add(Link(context, 1, "first"));
        links.Add(Link(context, lastPage, "last"));
        headers.Link = string.Join(", ", links);
    }

    private static string Link(HttpContext context, int page, string relation)
    {
        var request = context.Request;
        var query = QueryHelpers.ParseQuery(request.QueryString.Value)
            .Where(pair => pair.Key != "page")
            .SelectMany(pair => pair.Value.Select(value => new KeyValuePair<string, string?>(pair.Key, value)))
            .Append(new KeyValuePair<string, string?>("page", Text(page)));
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{QueryString.Create(query)}";
        return $"<{url}>; rel=\"{relation}\"";
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
