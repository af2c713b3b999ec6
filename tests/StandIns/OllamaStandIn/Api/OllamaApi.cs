using System.Runtime.CompilerServices;
using Commons.StandIns.Ollama.Generation;
using Commons.StandIns.Ollama.Hosting;
using Commons.StandIns.Ollama.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Commons.StandIns.Ollama.Api;

/// <summary>Ollama's native API: the routes <c>ollama</c> itself and OllamaSharp call.</summary>
public static class OllamaApi
{
    private const string Assistant = "assistant";

    public static IEndpointRouteBuilder MapOllamaApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.Text("Ollama is running"))
            .WithName("Root");

        var api = app.MapGroup("/api");
        api.MapMethods("/version", [HttpMethods.Get, HttpMethods.Head], GetVersion).WithName("Version");
        api.MapGet("/tags", ListModels).WithName("ListModels");
        api.MapGet("/ps", ListRunningModels).WithName("ListRunningModels");
        api.MapPost("/show", ShowModelAsync).WithName("ShowModel");
        api.MapPost("/pull", PullModelAsync).WithName("PullModel");
        api.MapDelete("/delete", DeleteModelAsync).WithName("DeleteModel");
        api.MapPost("/chat", ChatAsync).WithName("Chat");
        api.MapPost("/generate", GenerateAsync).WithName("Generate");

        // Ollama's router answers unknown paths with Go's plain-text 404.
        app.MapFallback(() => TypedResults.Text("404 page not found", statusCode: StatusCodes.Status404NotFound));
        return app;
    }

    private static JsonHttpResult<VersionBody> GetVersion() =>
        TypedResults.Json(new VersionBody(StandInSettings.Version), ApiJson.Wire.VersionBody);

    private static JsonHttpResult<TagsBody> ListModels(ApiServices services) =>
        TypedResults.Json(new TagsBody([.. services.Catalog.All.Select(ModelViews.Listed)]), ApiJson.Wire.TagsBody);

    private static JsonHttpResult<RunningModelsBody> ListRunningModels(ApiServices services) =>
        TypedResults.Json(
            new RunningModelsBody([.. services.Loaded.Current.Select(ModelViews.Running)]),
            ApiJson.Wire.RunningModelsBody);

    private static async Task<Results<JsonHttpResult<ShowBody>, JsonHttpResult<ErrorBody>>> ShowModelAsync(
        HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var parsed = await RequestBodies.ReadAsync(request, ApiJson.Wire.ModelRequestBody, cancellationToken);
        if (parsed.Body is not { } body)
        {
            return ApiErrors.BadRequest(parsed.Error!);
        }

        if (!ModelName.TryParse(body.ModelOrName, out var name, out var error))
        {
            return ApiErrors.BadRequest(error);
        }

        return services.Catalog.Find(name) is { } model
            ? TypedResults.Json(ModelViews.Show(model), ApiJson.Wire.ShowBody)
            : ApiErrors.NotFound($"model '{body.ModelOrName}' not found");
    }

    private static async Task<Results<NdjsonResult<PullProgressBody>, JsonHttpResult<PullProgressBody>,
        JsonHttpResult<ErrorBody>>> PullModelAsync(
        HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var parsed = await RequestBodies.ReadAsync(request, ApiJson.Wire.ModelRequestBody, cancellationToken);
        if (parsed.Body is not { } body)
        {
            return ApiErrors.BadRequest(parsed.Error!);
        }

        if (!ModelName.TryParse(body.ModelOrName, out var name, out var error))
        {
            return ApiErrors.BadRequest(error);
        }

        if (body.Stream ?? true)
        {
            return new NdjsonResult<PullProgressBody>(
                PullSteps(services, name, cancellationToken), ApiJson.Wire.PullProgressBody);
        }

        Pulled(services, name);
        return TypedResults.Json(new PullProgressBody("success"), ApiJson.Wire.PullProgressBody);
    }

    /// <summary>The progress lines Ollama sends: the manifest, each layer in a few steps, then verification.</summary>
    private static async IAsyncEnumerable<PullProgressBody> PullSteps(
        ApiServices services, ModelName name, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new PullProgressBody("pulling manifest");

        var model = new PulledModel(name, services.Now);
        (string Digest, long Size)[] layers =
            [(model.WeightsLayerDigest, model.Size), (model.TemplateLayerDigest, 1_429)];
        foreach (var (digest, size) in layers)
        {
            // Ollama names a layer by the first twelve hex digits of its digest, after "sha256:".
            var status = $"pulling {digest["sha256:".Length..("sha256:".Length + 12)]}";
            for (var quarter = 0; quarter <= 4; quarter++)
            {
                await services.PauseAsync(cancellationToken);
                yield return new PullProgressBody(status, digest, size, size * quarter / 4);
            }
        }

        yield return new PullProgressBody("verifying sha256 digest");
        yield return new PullProgressBody("writing manifest");
        Pulled(services, name);
        yield return new PullProgressBody("success");
    }

    private static void Pulled(ApiServices services, ModelName name)
    {
        services.Catalog.Add(name);
        Log.ModelPulled(services.Loggers.CreateLogger(Log.Category), name.FullName);
    }

    private static async Task<Results<Ok, JsonHttpResult<ErrorBody>>> DeleteModelAsync(
        HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var parsed = await RequestBodies.ReadAsync(request, ApiJson.Wire.ModelRequestBody, cancellationToken);
        if (parsed.Body is not { } body)
        {
            return ApiErrors.BadRequest(parsed.Error!);
        }

        if (!ModelName.TryParse(body.ModelOrName, out var name, out var error))
        {
            return ApiErrors.BadRequest(error);
        }

        if (!services.Catalog.Remove(name))
        {
            return ApiErrors.NotFound($"model '{body.ModelOrName}' not found");
        }

        services.Loaded.Unload(name);
        return TypedResults.Ok();
    }

    private static async Task<Results<NdjsonResult<ChatResponseBody>, JsonHttpResult<ChatResponseBody>,
        JsonHttpResult<ErrorBody>>> ChatAsync(
        HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var parsed = await RequestBodies.ReadAsync(request, ApiJson.Wire.ChatRequestBody, cancellationToken);
        if (parsed.Body is not { } body)
        {
            return ApiErrors.BadRequest(parsed.Error!);
        }

        var checkedRequest = Check(services, body.Model, body.KeepAlive, body.Format);
        if (checkedRequest.Error is { } refusal)
        {
            return refusal;
        }

        var (model, keepAlive, format) = checkedRequest.Accepted!;
        var messages = body.Messages ?? [];
        if (messages.Count == 0)
        {
            var reason = await services.LoadOrUnloadAsync(model, keepAlive, cancellationToken);
            var empty = new ChatMessageBody(Assistant, string.Empty);
            return TypedResults.Json(
                new ChatResponseBody(body.Model!, services.Now, empty, true, reason), ApiJson.Wire.ChatResponseBody);
        }

        var system = string.Join(' ', messages.Where(message => IsRole(message, "system")).Select(m => m.Content));
        var lastUser = messages.LastOrDefault(message => IsRole(message, "user"))?.Content;
        var reply = Reply.Compose(model.Name, system, lastUser, format);

        // Each message costs its words plus a few template tokens around it, as a chat template would add.
        var promptTokens = messages.Sum(message => Tokens.Count(message.Content) + 4);
        var job = new GenerationJob("chat", model, reply, promptTokens, body.Options?.NumPredict, keepAlive);
        var steps = services.Generator.RunAsync(job, cancellationToken);

        if (body.Stream ?? true)
        {
            return new NdjsonResult<ChatResponseBody>(
                ChatChunks(services, body.Model!, steps, cancellationToken), ApiJson.Wire.ChatResponseBody);
        }

        var (text, stats) = await ApiServices.CollectAsync(steps, cancellationToken);
        return TypedResults.Json(ChatDone(services, body.Model!, text, stats), ApiJson.Wire.ChatResponseBody);
    }

    private static async IAsyncEnumerable<ChatResponseBody> ChatChunks(
        ApiServices services,
        string model,
        IAsyncEnumerable<GenerationStep> steps,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var step in steps.WithCancellation(cancellationToken))
        {
            yield return step.Done is { } stats
                ? ChatDone(services, model, string.Empty, stats)
                : new ChatResponseBody(model, services.Now, new ChatMessageBody(Assistant, step.Token), false);
        }
    }

    private static ChatResponseBody ChatDone(ApiServices services, string model, string text, GenerationStats stats) =>
        new(
            model,
            services.Now,
            new ChatMessageBody(Assistant, text),
            Done: true,
            stats.DoneReason,
            ApiServices.Nanoseconds(stats.Total),
            ApiServices.Nanoseconds(stats.Load),
            stats.PromptEvalCount,
            ApiServices.Nanoseconds(stats.PromptEval),
            stats.EvalCount,
            ApiServices.Nanoseconds(stats.Eval));

    private static async Task<Results<NdjsonResult<GenerateResponseBody>, JsonHttpResult<GenerateResponseBody>,
        JsonHttpResult<ErrorBody>>> GenerateAsync(
        HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var parsed = await RequestBodies.ReadAsync(request, ApiJson.Wire.GenerateRequestBody, cancellationToken);
        if (parsed.Body is not { } body)
        {
            return ApiErrors.BadRequest(parsed.Error!);
        }

        var checkedRequest = Check(services, body.Model, body.KeepAlive, body.Format);
        if (checkedRequest.Error is { } refusal)
        {
            return refusal;
        }

        var (model, keepAlive, format) = checkedRequest.Accepted!;
        if (string.IsNullOrEmpty(body.Prompt))
        {
            var reason = await services.LoadOrUnloadAsync(model, keepAlive, cancellationToken);
            return TypedResults.Json(
                new GenerateResponseBody(body.Model!, services.Now, string.Empty, true, reason),
                ApiJson.Wire.GenerateResponseBody);
        }

        var reply = Reply.Compose(model.Name, body.System, body.Prompt, format);

        // Raw prompts skip the template, so they cost no template tokens and, as in Ollama, return no context.
        var raw = body.Raw ?? false;
        var promptTokens = Tokens.Count(body.System) + Tokens.Count(body.Prompt) + (raw ? 0 : 4);
        IReadOnlyList<long>? context = raw
            ? null
            : [.. body.Context ?? [], .. Tokens.Ids(Tokens.Split(body.Prompt)), .. Tokens.Ids(reply.Tokens)];

        var job = new GenerationJob("generate", model, reply, promptTokens, body.Options?.NumPredict, keepAlive);
        var steps = services.Generator.RunAsync(job, cancellationToken);

        if (body.Stream ?? true)
        {
            return new NdjsonResult<GenerateResponseBody>(
                GenerateChunks(services, body.Model!, steps, context, cancellationToken),
                ApiJson.Wire.GenerateResponseBody);
        }

        var (text, stats) = await ApiServices.CollectAsync(steps, cancellationToken);
        return TypedResults.Json(
            GenerateDone(services, body.Model!, text, stats, context), ApiJson.Wire.GenerateResponseBody);
    }

    private static async IAsyncEnumerable<GenerateResponseBody> GenerateChunks(
        ApiServices services,
        string model,
        IAsyncEnumerable<GenerationStep> steps,
        IReadOnlyList<long>? context,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var step in steps.WithCancellation(cancellationToken))
        {
            yield return step.Done is { } stats
                ? GenerateDone(services, model, string.Empty, stats, context)
                : new GenerateResponseBody(model, services.Now, step.Token, false);
        }
    }

    private static GenerateResponseBody GenerateDone(
        ApiServices services, string model, string text, GenerationStats stats, IReadOnlyList<long>? context) =>
        new(
            model,
            services.Now,
            text,
            Done: true,
            stats.DoneReason,
            context,
            ApiServices.Nanoseconds(stats.Total),
            ApiServices.Nanoseconds(stats.Load),
            stats.PromptEvalCount,
            ApiServices.Nanoseconds(stats.PromptEval),
            stats.EvalCount,
            ApiServices.Nanoseconds(stats.Eval));

    /// <summary>A chat or generate request that names a pulled model, with its keep-alive and format read.</summary>
    private sealed record Accepted(PulledModel Model, TimeSpan KeepAlive, ReplyFormat Format);

    private sealed record Checked(Accepted? Accepted, JsonHttpResult<ErrorBody>? Error);

    /// <summary>The checks chat and generate share, in Ollama's order: the name, the options, then the model.</summary>
    private static Checked Check(
        ApiServices services, string? requestedModel, System.Text.Json.JsonElement? keepAliveValue,
        System.Text.Json.JsonElement? formatValue)
    {
        if (!ModelName.TryParse(requestedModel, out var name, out var nameError))
        {
            return new Checked(null, ApiErrors.BadRequest(nameError));
        }

        if (!KeepAlive.TryRead(keepAliveValue, services.Settings.DefaultKeepAlive, out var keepAlive, out var error)
            || !ReplyFormat.TryRead(formatValue, out var format, out error))
        {
            return new Checked(null, ApiErrors.BadRequest(error));
        }

        return services.Catalog.Find(name) is { } model
            ? new Checked(new Accepted(model, keepAlive, format), null)
            : new Checked(null, ApiErrors.NotFound(ApiErrors.ModelNotPulled(requestedModel)));
    }

    private static bool IsRole(ChatMessageBody message, string role) =>
        string.Equals(message.Role, role, StringComparison.OrdinalIgnoreCase);
}
