using Commons.StandIns.Forge.Hosting;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Forge.GitHub;

/// <summary>GitHub's REST API under <c>/api/v3</c>, the layout Octokit uses for any host but api.github.com.</summary>
public static class GitHubApi
{
    /// <summary>GitHub hands out at most this many results of one search, however many match.</summary>
    private const int SearchResultCap = 1000;

    public static IEndpointRouteBuilder MapGitHubApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var api = app.MapGroup("/api/v3");
        api.MapGet("/user", GetAuthenticatedUser).WithName("GitHubAuthenticatedUser");
        api.MapGet("/users/{login}", GetUser).WithName("GitHubUser");
        api.MapGet("/users/{login}/repos", ListUserRepositories).WithName("GitHubUserRepositories");
        api.MapGet("/search/issues", SearchIssues).WithName("GitHubSearchIssues");
        api.MapGet("/repos/{owner}/{repo}", GetRepository).WithName("GitHubRepository");
        api.MapGet("/repos/{owner}/{repo}/pulls/{number:int}", GetPull).WithName("GitHubPull");
        api.MapGet("/repos/{owner}/{repo}/pulls/{number:int}/reviews", ListReviews).WithName("GitHubPullReviews");
        api.MapGet("/repos/{owner}/{repo}/issues/{number:int}", GetIssue).WithName("GitHubIssue");
        api.MapGet("/rate_limit", GetRateLimit).WithName("GitHubRateLimit");
        api.MapGet("/meta", GetMeta).WithName("GitHubMeta");
        app.MapFallback("/api/v3/{**rest}", GitHubErrors.NotFound);
        return app;
    }

    private static Results<JsonHttpResult<UserBody>, JsonHttpResult<MessageBody>> GetAuthenticatedUser(
        HttpContext context, World world) =>
        Caller.Of(context).Account is { } account
            ? TypedResults.Json(GitHubViews.For(context, world).User(account), GitHubJson.Wire.UserBody)
            : GitHubErrors.RequiresAuthentication();

    private static Results<JsonHttpResult<UserBody>, JsonHttpResult<NotFoundBody>> GetUser(
        HttpContext context, World world, string login) =>
        world.FindAccount(ForgeKind.GitHub, login) is { } account
            ? TypedResults.Json(GitHubViews.For(context, world).User(account), GitHubJson.Wire.UserBody)
            : GitHubErrors.NotFound();

    private static Results<JsonHttpResult<List<RepositoryBody>>, JsonHttpResult<NotFoundBody>> ListUserRepositories(
        HttpContext context, World world, string login, string? type, string? sort, string? direction)
    {
        if (world.FindAccount(ForgeKind.GitHub, login) is not { } account)
        {
            return GitHubErrors.NotFound();
        }

        // Nobody is a member of another's repository here, so type=member lists nothing.
        var owned = type is "member" ? [] : world.Repositories.Where(r => r.Owner.Id == account.Id);
        var byName = sort is null or "full_name";
        var ascending = direction is null ? byName : direction == "asc";
        Func<Repository, IComparable> key = sort switch
        {
            "created" => r => r.CreatedAt,
            "updated" or "pushed" => r => r.PushedAt,
            _ => r => r.FullName.ToLowerInvariant(),
        };
        var ordered = (ascending ? owned.OrderBy(key) : owned.OrderByDescending(key)).ThenBy(r => r.Id).ToList();

        var page = PageRequest.From(context.Request, defaultPerPage: 30);
        Paging.AddGitHubLinks(context, page, page.LastPage(ordered.Count));
        var views = GitHubViews.For(context, world);
        return TypedResults.Json(
            page.Slice(ordered).Select(views.Repository).ToList(), GitHubJson.Wire.ListRepositoryBody);
    }

    private static Results<JsonHttpResult<SearchIssuesBody>, JsonHttpResult<ValidationErrorBody>> SearchIssues(
        HttpContext context, World world, string? q, string? sort, string? order)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return GitHubErrors.Invalid("q", "The search query (q) is missing.");
        }

        if (!SearchQuery.TryParse(q, out var query, out var error))
        {
            return GitHubErrors.Invalid("q", error);
        }

        if (sort is not (null or "created" or "updated" or "comments" or "best-match"))
        {
            return GitHubErrors.Invalid("sort", $"The sort '{sort}' is not one of created, updated or comments.");
        }

        if (order is not (null or "asc" or "desc"))
        {
            return GitHubErrors.Invalid("order", $"The order '{order}' is not asc or desc.");
        }

        // Best match has no meaning without text relevance; newest first stands in for it. Comments are none.
        Func<IssueItem, DateTimeOffset> key = sort == "updated" ? i => i.UpdatedAt : i => i.CreatedAt;
        var matches = world.Issues.Where(query.Matches);
        var ordered = (order == "asc"
            ? matches.OrderBy(key).ThenBy(i => i.Id)
            : matches.OrderByDescending(key).ThenByDescending(i => i.Id)).ToList();

        var page = PageRequest.From(context.Request, defaultPerPage: 30);
        if (page.Skip >= SearchResultCap)
        {
            return GitHubErrors.Invalid("page", $"Only the first {SearchResultCap} search results are available.");
        }

        var reachable = ordered.Take(SearchResultCap).ToList();
        Paging.AddGitHubLinks(context, page, page.LastPage(reachable.Count));
        var views = GitHubViews.For(context, world);
        var body = new SearchIssuesBody(ordered.Count, false, [.. page.Slice(reachable).Select(views.Issue)]);
        return TypedResults.Json(body, GitHubJson.Wire.SearchIssuesBody);
    }

    private static Results<JsonHttpResult<RepositoryBody>, JsonHttpResult<NotFoundBody>> GetRepository(
        HttpContext context, World world, string owner, string repo) =>
        world.FindRepository(owner, repo) is { } repository
            ? TypedResults.Json(GitHubViews.For(context, world).Repository(repository), GitHubJson.Wire.RepositoryBody)
            : GitHubErrors.NotFound();

    private static Results<JsonHttpResult<PullBody>, JsonHttpResult<NotFoundBody>> GetPull(
        HttpContext context, World world, string owner, string repo, int number) =>
        FindItem(world, owner, repo, number) is { Pull: { } pull } item
            ? TypedResults.Json(GitHubViews.For(context, world).Pull(item, pull), GitHubJson.Wire.PullBody)
            : GitHubErrors.NotFound();

    private static Results<JsonHttpResult<List<ReviewBody>>, JsonHttpResult<NotFoundBody>> ListReviews(
        HttpContext context, World world, string owner, string repo, int number)
    {
        if (FindItem(world, owner, repo, number) is not { Pull: { } pull } item)
        {
            return GitHubErrors.NotFound();
        }

        var page = PageRequest.From(context.Request, defaultPerPage: 30);
        Paging.AddGitHubLinks(context, page, page.LastPage(pull.Reviews.Count));
        var views = GitHubViews.For(context, world);
        var reviews = page.Slice(pull.Reviews.OrderBy(r => r.Id).ToList()).Select(r => views.Review(item, r)).ToList();
        return TypedResults.Json(reviews, GitHubJson.Wire.ListReviewBody);
    }

    private static Results<JsonHttpResult<IssueDetailBody>, JsonHttpResult<NotFoundBody>> GetIssue(
        HttpContext context, World world, string owner, string repo, int number) =>
        FindItem(world, owner, repo, number) is { } item
            ? TypedResults.Json(GitHubViews.For(context, world).IssueDetail(item), GitHubJson.Wire.IssueDetailBody)
            : GitHubErrors.NotFound();

    private static JsonHttpResult<RateLimitBody> GetRateLimit(HttpContext context, RateLimits limits)
    {
        var caller = Caller.Of(context);
        var core = Rate(limits.Current(RateResource.Core, caller.RateKey), "core");
        var search = Rate(limits.Current(RateResource.Search, caller.RateKey), "search");
        return TypedResults.Json(
            new RateLimitBody(new RateResourcesBody(core, search), core), GitHubJson.Wire.RateLimitBody);
    }

    private static JsonHttpResult<MetaBody> GetMeta() =>
        TypedResults.Json(new MetaBody(true, false, ForgeSettings.Version), GitHubJson.Wire.MetaBody);

    private static IssueItem? FindItem(World world, string owner, string repo, int number) =>
        world.FindRepository(owner, repo) is { } repository ? world.FindIssue(repository, number) : null;

    private static RateBody Rate(RateState state, string resource) =>
        new(state.Limit, state.Remaining, state.ResetEpoch, state.Used, resource);
}
