using Commons.Bridge.Models;
using Commons.Bridge.Sites;
using Commons.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.Bridge.Api;

/// <summary>The <c>/v1/models</c> endpoints: the catalog, and the caller's warm job of a model.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/v1/models").WithTags("Models").AddEndpointFilter<TokenAuth>();
        models.MapGet("", (ModelCatalog catalog) => TypedResults.Ok(catalog.All.OrderBy(m => m.Name, StringComparer.Ordinal).ToList()))
            .WithName("ListModels");
        models.MapPost("{name}/job", EnsureJobAsync).WithName("EnsureModelJob");
        return app;
    }

    /// <summary>
    /// Returns the caller's unfinished job of the model (200), or submits one (201, or 202 while the site cannot be
    /// reached). Every call restarts the job's keep-alive time, and may change it.
    /// </summary>
    public static async Task<Results<Created<JobView>, Ok<JobView>, Accepted<JobView>, ValidationProblem, ProblemHttpResult>>
        EnsureJobAsync(
            string name, ModelJobRequest request, HttpContext http, ModelJobs models, SiteRegistry sites,
            CancellationToken cancellationToken)
    {
        var outcome = await models.EnsureAsync(TokenAuth.User(http), name, request, cancellationToken);
        return JobsApi.ToResult(outcome, sites, "model job");
    }
}
