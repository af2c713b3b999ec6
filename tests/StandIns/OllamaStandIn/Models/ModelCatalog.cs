using System.Collections.Concurrent;
using System.Text.Json;
using Commons.StandIns.Ollama.Hosting;

namespace Commons.StandIns.Ollama.Models;

/// <summary>
/// The models "pulled" so far. They live for the process, and in <c>OLLAMA_MODELS</c> when it is set, so a
/// restarted stand-in still lists what an earlier one pulled into the same folder.
/// </summary>
public sealed class ModelCatalog
{
    private readonly ConcurrentDictionary<string, PulledModel> _models = new(StringComparer.Ordinal);
    private readonly string? _folder;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    public ModelCatalog(StandInSettings settings, TimeProvider time, ILoggerFactory loggers)
    {
        _time = time;
        _log = loggers.CreateLogger(Log.Category);

        // A subfolder of its own, so pointing the stand-in at a real Ollama models folder never touches its files.
        _folder = settings.ModelsDirectory is null ? null : Path.Combine(settings.ModelsDirectory, "standin");

        var startedAt = time.GetUtcNow().UtcDateTime;
        foreach (var name in settings.PresetModels)
        {
            _models[name.Key] = new PulledModel(name, startedAt);
        }

        LoadFolder();
    }

    public IReadOnlyList<PulledModel> All =>
        [.. _models.Values.OrderByDescending(model => model.ModifiedAt).ThenBy(model => model.Name.Key)];

    public PulledModel? Find(ModelName name) => _models.GetValueOrDefault(name.Key);

    /// <summary>Records a finished pull; a model pulled again keeps one entry with a new time.</summary>
    public PulledModel Add(ModelName name)
    {
        var model = new PulledModel(name, _time.GetUtcNow().UtcDateTime);
        _models[name.Key] = model;
        Save(model);
        return model;
    }

    public bool Remove(ModelName name)
    {
        if (!_models.TryRemove(name.Key, out _))
        {
            return false;
        }

        if (_folder is not null)
        {
            File.Delete(FileFor(name));
        }

        return true;
    }

    private void LoadFolder()
    {
        if (_folder is null || !Directory.Exists(_folder))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(_folder, "*.json"))
        {
            var record = ReadRecord(file);
            if (record is null || !ModelName.TryParse(record.Name, out var name, out _))
            {
                Log.SkippedManifest(_log, file);
                continue;
            }

            _models[name.Key] = new PulledModel(name, record.PulledAt);
        }
    }

    private static SavedModel? ReadRecord(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.SavedModel);
        }
        catch (JsonException)
        {
            // A half-written or foreign file: the caller skips it with a warning rather than failing to start.
            return null;
        }
    }

    private void Save(PulledModel model)
    {
        if (_folder is null)
        {
            return;
        }

        Directory.CreateDirectory(_folder);
        var record = new SavedModel(model.Name.FullName, model.ModifiedAt);

        // Written beside and then moved, so a stand-in killed mid-write leaves no half file behind.
        var target = FileFor(model.Name);
        var temporary = target + ".tmp";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, CatalogJsonContext.Default.SavedModel);
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, target, overwrite: true);
    }

    private string FileFor(ModelName name) => Path.Combine(_folder!, Uri.EscapeDataString(name.Key) + ".json");
}
