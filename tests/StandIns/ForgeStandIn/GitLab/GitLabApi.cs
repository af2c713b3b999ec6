using System.Globalization;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Forge.GitLab;

/// <summary>GitLab's REST API under <c>/api/v4</c>: users, merge requests, approvals, diffs and projects.</summary>
public static class GitLabApi
{
    private const int DefaultPerPage = 20;

    public static IEndpointRouteBuilder MapGitLabApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        var api = app.MapGroup("/api/v4");
        api.MapGet("/user", GetAuthenticatedUser).WithName("GitLabAuthenticatedUser");
        api.MapGet("/users", ListUsers).WithName("GitLabUsers");
        api.MapGet("/users/{id:long}", GetUser).WithName("GitLabUser");
        api.MapGet("/merge_requests", ListMergeRequests).WithName("GitLabMergeRequests");
        api.MapGet("/projects/{id}", GetProject).WithName("GitLabProject");
        api.MapGet("/projects/{id}/merge_requests", ListProjectMergeRequests).WithName("GitLabProjectMergeRequests");
        api.MapGet("/projects/{id}/merge_requests/{iid:int}", GetMergeRequest).WithName("GitLabMergeRequest");
        api.MapGet("/projects/{id}/merge_requests/{iid:int}/approvals", GetApprovals).WithName("GitLabApprovals");
        api.MapGet("/projects/{id}/merge_requests/{iid:int}/diffs", ListDiffs).WithName("GitLabDiffs");
        app.MapFallback("/api/v4/{**rest}", GitLabErrors.UnknownRoute);
        return app;
    }

    private static Results<JsonHttpResult<GitLabUserBody>, JsonHttpResult<GitLabMessageBody>> GetAuthenticatedUser(
        HttpContext context, World world) =>
        Caller.Of(context).Account is { } account
            ? TypedResults.Json(GitLabViews.For(context, world).User(account), GitLabJson.Wire.GitLabUserBody)
            : GitLabErrors.Unauthorized();

    private static JsonHttpResult<List<GitLabUserBody>> ListUsers(HttpContext context, World world, string? username)
    {
        var users = world.Accounts
            .Where(a => a.Forge == ForgeKind.GitLab)
            .Where(a => username is null || a.Login.Equals(username, StringComparison.OrdinalIgnoreCase))
            .OrderBy(a => a.Id)
            .ToList();
        var views = GitLabViews.For(context, world);
        return TypedResults.Json(Page(context, users).Select(views.User).ToList(), GitLabJson.Wire.ListGitLabUserBody);
    }

    private static Results<JsonHttpResult<GitLabUserBody>, JsonHttpResult<GitLabMessageBody>> GetUser(
        HttpContext context, World world, long id) =>
        world.FindGitLabUser(id) is { } account
            ? TypedResults.Json(GitLabViews.For(context, world).User(account), GitLabJson.Wire.GitLabUserBody)
            : GitLabErrors.NotFound("User");

    private static Results<JsonHttpResult<List<MergeRequestBody>>, JsonHttpResult<GitLabErrorBody>,
        JsonHttpResult<GitLabMessageBody>> ListMergeRequests(HttpContext context, World world) =>
        MergeRequestList(context, world, world.MergeRequests);

    private static Results<JsonHttpResult<List<MergeRequestBody>>, JsonHttpResult<GitLabErrorBody>,
        JsonHttpResult<GitLabMessageBody>> ListProjectMergeRequests(HttpContext context, World world, string id)
    {
        if (FindProject(world, id) is not { } project)
        {
            return GitLabErrors.NotFound("Project");
        }

        // Inside a project the list covers everyone's merge requests unless a scope says otherwise.
        return MergeRequestList(
            context, world, world.MergeRequests.Where(m => m.Project.Id == project.Id), defaultScope: "all");
    }

    private static Results<JsonHttpResult<List<MergeRequestBody>>, JsonHttpResult<GitLabErrorBody>,
        JsonHttpResult<GitLabMessageBody>> MergeRequestList(
        HttpContext context, World world, IEnumerable<MergeRequest> requests, string? defaultScope = null)
    {
        var query = context.Request.Query;
        if (defaultScope is not null && !query.ContainsKey("scope"))
        {
            query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>(query)
            {
                ["scope"] = defaultScope,
            });
        }

        var caller = Caller.Of(context).Account;
        if (!MergeRequestFilter.TryParse(query, world, caller, out var filter, out var error))
        {
            return GitLabErrors.Invalid(error);
        }

        // GitLab lists "my" merge requests by default, and needs to know who "me" is.
        if (filter.NeedsCaller)
        {
            return GitLabErrors.Unauthorized();
        }

        var views = GitLabViews.For(context, world);
        var page = Page(context, filter.Apply(requests));
        return TypedResults.Json(page.Select(views.MergeRequest).ToList(), GitLabJson.Wire.ListMergeRequestBody);
    }

    private static Results<JsonHttpResult<ProjectBody>, JsonHttpResult<GitLabMessageBody>> GetProject(
        HttpContext context, World world, string id) =>
        FindProject(world, id) is { } project
            ? TypedResults.Json(GitLabViews.For(context, world).Project(project), GitLabJson.Wire.ProjectBody)
            : GitLabErrors.NotFound("Project");

    private static Results<JsonHttpResult<MergeRequestBody>, JsonHttpResult<GitLabMessageBody>> GetMergeRequest(
        HttpContext context, World world, string id, int iid) =>
        FindMergeRequest(world, id, iid) is { } request
            ? TypedResults.Json(GitLabViews.For(context, world).MergeRequest(request), GitLabJson.Wire.MergeRequestBody)
            : GitLabErrors.NotFound(FindProject(world, id) is null ? "Project" : "Merge Request");

    private static Results<JsonHttpResult<ApprovalsBody>, JsonHttpResult<GitLabMessageBody>> GetApprovals(
        HttpContext context, World world, string id, int iid) =>
        FindMergeRequest(world, id, iid) is { } request
            ? TypedResults.Json(GitLabViews.For(context, world).Approvals(request), GitLabJson.Wire.ApprovalsBody)
            : GitLabErrors.NotFound(FindProject(world, id) is null ? "Project" : "Merge Request");

    private static Results<JsonHttpResult<List<DiffBody>>, JsonHttpResult<GitLabMessageBody>> ListDiffs(
        HttpContext context, World world, string id, int iid)
    {
        if (FindMergeRequest(world, id, iid) is not { } request)
        {
            return GitLabErrors.NotFound(FindProject(world, id) is null ? "Project" : "Merge Request");
        }

        return TypedResults.Json(Page(context, GitLabViews.Diffs(request)).ToList(), GitLabJson.Wire.ListDiffBody);
    }

    /// <summary>A project by numeric id or by its URL-encoded path (<c>gnome%2Fshell</c>).</summary>
    private static Project? FindProject(World world, string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? world.FindProject(number)
            : world.FindProject(Uri.UnescapeDataString(id));

    private static MergeRequest? FindMergeRequest(World world, string id, int iid) =>
        FindProject(world, id) is { } project ? world.FindMergeRequest(project, iid) : null;

    private static IReadOnlyList<T> Page<T>(HttpContext context, IReadOnlyList<T> all)
    {
        var page = PageRequest.From(context.Request, DefaultPerPage);
        Paging.AddGitLabHeaders(context, page, all.Count);
        return page.Slice(all);
    }
}
