using System.Collections.Concurrent;
using Commons.StandIns.Ollama.Hosting;

namespace Commons.StandIns.Ollama.Models;

/// <summary>A model held "in memory": loaded by its first chat or generate, dropped when its keep-alive ends.</summary>
public sealed record LoadedModel(PulledModel Model, DateTime ExpiresAt);

/// <summary>
/// Which models are loaded, as <c>/api/ps</c> reports them. Loading costs a configurable pause, so the first request
/// to a cold model shows a real load_duration the way it does on a GPU node.
/// </summary>
public sealed class LoadedModels(StandInSettings settings, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, LoadedModel> _loaded = new(StringComparer.Ordinal);
    private readonly ILogger _log = loggers.CreateLogger(Log.Category);

    /// <summary>The models whose keep-alive has not run out, soonest to expire first.</summary>
    public IReadOnlyList<LoadedModel> Current
    {
        get
        {
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var (key, loaded) in _loaded)
            {
                if (loaded.ExpiresAt <= now)
                {
                    _loaded.TryRemove(new KeyValuePair<string, LoadedModel>(key, loaded));
                }
            }

            return [.. _loaded.Values.Where(loaded => loaded.ExpiresAt > now).OrderBy(loaded => loaded.ExpiresAt)];
        }
    }

    /// <summary>Loads the model unless it is loaded already, and says how long that took.</summary>
    public async Task<TimeSpan> LoadAsync(PulledModel model, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();

        if (!IsLoaded(model))
        {
            await Task.Delay(settings.LoadDelay, time, cancellationToken);
            Log.ModelLoaded(_log, model.Name.FullName, settings.LoadDelay.TotalMilliseconds);
        }

        // Held for the whole request even when keep_alive is 0; Release decides what happens after it.
        Hold(model, keepAlive > TimeSpan.Zero ? keepAlive : KeepAlive.Forever);

        // A warm model still takes a moment to look up; Ollama never reports a load_duration of zero either.
        return Max(time.GetElapsedTime(started), TimeSpan.FromTicks(1));
    }

    /// <summary>Starts the keep-alive clock when a request ends; a keep-alive of zero unloads at once.</summary>
    public void Release(PulledModel model, TimeSpan keepAlive)
    {
        if (keepAlive <= TimeSpan.Zero)
        {
            Unload(model.Name);
            return;
        }

        Hold(model, keepAlive);
    }

    public bool Unload(ModelName name)
    {
        var unloaded = _loaded.TryRemove(name.Key, out _);
        if (unloaded)
        {
            Log.ModelUnloaded(_log, name.FullName);
        }

        return unloaded;
    }

    private bool IsLoaded(PulledModel model) =>
        _loaded.TryGetValue(model.Name.Key, out var loaded) && loaded.ExpiresAt > time.GetUtcNow().UtcDateTime;

    private void Hold(PulledModel model, TimeSpan keepAlive)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expiresAt = keepAlive >= DateTime.MaxValue - now ? DateTime.MaxValue : now + keepAlive;
        _loaded[model.Name.Key] = new LoadedModel(model, expiresAt);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
