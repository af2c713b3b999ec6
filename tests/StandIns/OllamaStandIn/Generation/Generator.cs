using System.Runtime.CompilerServices;
using Commons.StandIns.Ollama.Hosting;
using Commons.StandIns.Ollama.Models;

namespace Commons.StandIns.Ollama.Generation;

/// <summary>One answer to produce.</summary>
/// <param name="Endpoint">The route that asked, for the log: <c>chat</c>, <c>generate</c>, <c>v1/chat</c>.</param>
/// <param name="Model">The pulled model that "answers".</param>
/// <param name="Reply">The whole answer.</param>
/// <param name="PromptTokens">How many tokens the prompt counts, reported as prompt_eval_count.</param>
/// <param name="MaxTokens">num_predict or max_tokens when positive; null for no cap.</param>
/// <param name="KeepAlive">How long the model stays loaded after the answer.</param>
public sealed record GenerationJob(
    string Endpoint, PulledModel Model, Reply Reply, int PromptTokens, int? MaxTokens, TimeSpan KeepAlive);

/// <summary>What Ollama reports when an answer is done; durations are measured, not invented.</summary>
public sealed record GenerationStats(
    string DoneReason,
    TimeSpan Total,
    TimeSpan Load,
    int PromptEvalCount,
    TimeSpan PromptEval,
    int EvalCount,
    TimeSpan Eval);

/// <summary>One streamed token, or the end of the answer with its statistics.</summary>
public sealed record GenerationStep(string Token, GenerationStats? Done = null);

/// <summary>
/// Streams an answer word by word with a pause before each word, so a client sees it arrive the way a model's
/// does and can interrupt it. Enumeration stops as soon as the request is cancelled, i.e. when the client
/// disconnects or the server shuts down.
/// </summary>
public sealed class Generator(
    StandInSettings settings, LoadedModels loadedModels, TimeProvider time, IHostApplicationLifetime lifetime,
    ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger(Log.Category);

    public async IAsyncEnumerable<GenerationStep> RunAsync(
        GenerationJob job, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
            cancellationToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        var started = time.GetTimestamp();

        var load = await loadedModels.LoadAsync(job.Model, job.KeepAlive, token);

        // The prompt costs nothing to "evaluate" here; the time it takes is still measured, so it is real and > 0.
        var promptStarted = time.GetTimestamp();
        var promptEval = AtLeastOneTick(time.GetElapsedTime(promptStarted));

        var all = job.Reply.Tokens;
        var limit = job.MaxTokens is > 0 and var cap ? Math.Min(cap, all.Count) : all.Count;
        var evalStarted = time.GetTimestamp();
        var emitted = 0;

        try
        {
            while (emitted < limit)
            {
                if (settings.TokenDelay > TimeSpan.Zero)
                {
                    await Task.Delay(settings.TokenDelay, time, token);
                }

                // Counted before it is handed out: a client that stops reading here has still been sent it.
                emitted++;
                yield return new GenerationStep(all[emitted - 1]);
            }
        }
        finally
        {
            loadedModels.Release(job.Model, job.KeepAlive);
            if (emitted < limit)
            {
                LogInterruption(job, emitted, limit);
            }
        }

        var doneReason = limit < all.Count ? "length" : "stop";
        Log.Generated(_log, job.Endpoint, job.Model.Name.ShortName, emitted, doneReason);

        var eval = AtLeastOneTick(time.GetElapsedTime(evalStarted));
        var total = time.GetElapsedTime(started);
        yield return new GenerationStep(
            string.Empty,
            new GenerationStats(doneReason, total, load, job.PromptTokens, promptEval, emitted, eval));
    }

    private void LogInterruption(GenerationJob job, int emitted, int limit)
    {
        var tokens = $"{emitted} of {limit}";
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            Log.StoppedForShutdown(_log, job.Endpoint, job.Model.Name.ShortName, tokens);
        }
        else
        {
            Log.ClientWentAway(_log, job.Endpoint, job.Model.Name.ShortName, tokens);
        }
    }

    private static TimeSpan AtLeastOneTick(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.FromTicks(1);
}
