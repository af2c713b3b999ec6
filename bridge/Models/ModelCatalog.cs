using Commons.Contracts;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Commons.Bridge.Models;

/// <summary>
/// The models people can run by name (<c>config/models.yaml</c>). Names are matched as Ollama matches them: a name
/// without a tag is the same as <c>NAME:latest</c>, which means the catalog's untagged entry.
/// </summary>
public sealed class ModelCatalog
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private readonly Dictionary<string, ModelView> _models;

    public ModelCatalog(IEnumerable<ModelView> models)
    {
        _models = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<ModelView> All => _models.Values;

    public static ModelCatalog Load(string file)
    {
        RawCatalog? raw;
        try
        {
            raw = Yaml.Deserialize<RawCatalog?>(File.ReadAllText(file));
        }
        catch (YamlException e)
        {
            throw new InvalidOperationException(
                $"{file}: line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}", e);
        }

        var models = new List<ModelView>();
        foreach (var (name, entry) in raw?.Models ?? [])
        {
            if (Normalize(name) != name || name.Length == 0)
            {
                throw new InvalidOperationException($"{file}: models.{name}: expected a lowercase name, with a tag other than 'latest' if any");
            }

            if (entry.Runtimes is not { Count: > 0 })
            {
                throw new InvalidOperationException($"{file}: models.{name}.runtimes: expected at least one runtime id");
            }

            if (entry.Gpus < 1)
            {
                throw new InvalidOperationException($"{file}: models.{name}.gpus: expected at least 1");
            }

            models.Add(new ModelView(name, entry.Description ?? name, entry.Runtimes, entry.Gpus, entry.GpuMemoryGb));
        }

        return new ModelCatalog(models);
    }

    /// <summary>The model a name means, or null; <paramref name="closest"/> then lists the nearest names.</summary>
    public ModelView? Find(string name, out IReadOnlyList<string> closest)
    {
        var key = Normalize(name);
        if (_models.TryGetValue(key, out var model))
        {
            closest = [];
            return model;
        }

        closest = _models.Keys
            .Select(candidate => (candidate, distance: Distance(key, candidate)))
            .OrderBy(c => c.distance)
            .ThenBy(c => c.candidate, StringComparer.Ordinal)
            .Take(3)
            .Select(c => c.candidate)
            .ToList();
        return null;
    }

    /// <summary>Lowercases a name and drops a <c>:latest</c> tag, which is what a bare name means.</summary>
    public static string Normalize(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        return lower.EndsWith(":latest", StringComparison.Ordinal) ? lower[..^":latest".Length] : lower;
    }

    // Edit distance, so that `lama3` or `llama-3` point at llama3.
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private sealed class RawCatalog
    {
        public Dictionary<string, RawModel>? Models { get; set; }
    }

    private sealed class RawModel
    {
        public string? Description { get; set; }
        public Dictionary<string, string>? Runtimes { get; set; }
        public int Gpus { get; set; } = 1;
        public int GpuMemoryGb { get; set; }
    }
}
