using System.Collections.Concurrent;
using Commons.Bridge.Data;
using Commons.Bridge.Jobs;
using Commons.Contracts;

namespace Commons.Bridge.Models;

/// <summary>
/// Model jobs: one warm job per user and model, reused by every `commons run MODEL`, `commons serve` request and
/// REPL, and stopped once idle for its keep-alive time (as Ollama unloads a model).
/// </summary>
public sealed class ModelJobs(ModelCatalog catalog, JobStore store, JobService jobs)
{
    public const string Runtime = "ollama";

    // Two requests for the same user and model at once must not start two jobs.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>The user's warm job of the model, or a new one. Errors name the field, as submit errors do.</summary>
    public async Task<SubmitOutcome> EnsureAsync(
        string userId, string name, ModelJobRequest request, CancellationToken cancellationToken)
    {
        var model = catalog.Find(name, out var closest);
        if (model is null)
        {
            var hint = closest.Count == 0 ? "" : $"; did you mean {string.Join(", ", closest)}?";
            return Problem("model", $"no model named '{name}' in the catalog{hint}");
        }

        long? keepAlive = null;
        if (request.KeepAlive is not null)
        {
            if (!KeepAlive.TryParseSeconds(request.KeepAlive, out var seconds))
            {
                return Problem("keepAlive", $"'{request.KeepAlive}' is not a duration such as 5m, 30s, 0 or -1");
            }

            keepAlive = seconds;
        }

        if (!model.Runtimes.TryGetValue(Runtime, out var runtimeId))
        {
            return Problem("model", $"'{model.Name}' has no {Runtime} build, and no site here runs another runtime yet");
        }

        var gate = _locks.GetOrAdd($"{userId}\n{model.Name}", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var warm = await store.FindWarmAsync(userId, model.Name, cancellationToken);
            if (warm is not null)
            {
                await store.TouchAsync(warm.Id, keepAlive, cancellationToken);
                return new SubmitOutcome(await store.GetAsync(warm.Id, cancellationToken), false, null, null);
            }

            var submit = new SubmitJobRequest(
                request.RequestId,
                null,
                Template: "ollama",
                Name: model.Name.Replace(':', '-'),
                Resources: new JobResources(Gpus: request.Gpus ?? model.Gpus.ToString(System.Globalization.CultureInfo.InvariantCulture), Time: request.Time),
                Site: request.Site,
                Parameters: new Dictionary<string, string> { ["model"] = runtimeId });
            return await jobs.SubmitAsync(userId, submit, cancellationToken, model.Name, keepAlive);
        }
        finally
        {
            gate.Release();
        }
    }

    private static SubmitOutcome Problem(string field, string message) =>
        new(null, false, new Dictionary<string, string[]> { [field] = [message] }, null);
}
