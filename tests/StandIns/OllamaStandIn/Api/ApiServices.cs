using Commons.StandIns.Ollama.Generation;
using Commons.StandIns.Ollama.Hosting;
using Commons.StandIns.Ollama.Models;

namespace Commons.StandIns.Ollama.Api;

/// <summary>
/// What the endpoints work with, handed to them as one service so each handler keeps a short signature.
/// </summary>
public sealed record ApiServices(
    StandInSettings Settings,
    ModelCatalog Catalog,
    LoadedModels Loaded,
    Generator Generator,
    TimeProvider Time,
    ILoggerFactory Loggers)
{
    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// <summary>Waits between two streamed lines, as long as between two tokens.</summary>
    public Task PauseAsync(CancellationToken cancellationToken) =>
        Settings.TokenDelay > TimeSpan.Zero
            ? Task.Delay(Settings.TokenDelay, Time, cancellationToken)
            : Task.CompletedTask;

    /// <summary>
    /// Ollama's answer to a request without a prompt: load the model, or unload it when keep_alive is 0.
    /// Returns the done_reason to report.
    /// </summary>
    public async Task<string> LoadOrUnloadAsync(
        PulledModel model, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (keepAlive <= TimeSpan.Zero)
        {
            Loaded.Unload(model.Name);
            return "unload";
        }

        await Loaded.LoadAsync(model, keepAlive, cancellationToken);
        Loaded.Release(model, keepAlive);
        return "load";
    }

    /// <summary>Runs a generation to its end, for the answers that are not streamed.</summary>
    public static async Task<(string Text, GenerationStats Stats)> CollectAsync(
        IAsyncEnumerable<GenerationStep> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var text = new System.Text.StringBuilder();
        GenerationStats? stats = null;
        await foreach (var step in steps.WithCancellation(cancellationToken))
        {
            text.Append(step.Token);
            stats = step.Done ?? stats;
        }

        return (text.ToString(), stats ?? throw new InvalidOperationException("the generation ended without stats"));
    }

    /// <summary>Ollama reports every duration in nanoseconds.</summary>
    public static long Nanoseconds(TimeSpan span) => span.Ticks * 100;
}
