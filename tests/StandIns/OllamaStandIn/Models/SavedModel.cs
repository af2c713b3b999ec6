using System.Text.Json.Serialization;

namespace Commons.StandIns.Ollama.Models;

/// <summary>What the stand-in keeps on disk for one pulled model: its name and when it was pulled.</summary>
public sealed record SavedModel(string Name, DateTime PulledAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SavedModel))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
