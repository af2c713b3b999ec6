using Scriban;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Commons.Bridge.Rendering;

/// <summary>The templates of a folder: one subfolder each, with <c>template.yaml</c> and <c>job.sbatch.scriban</c>.</summary>
public sealed class TemplateCatalog
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    private static readonly HashSet<string> Types = ["string", "int", "bool", "argv"];

    private readonly Dictionary<string, JobTemplate> _templates;

    public TemplateCatalog(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"templates folder {folder} does not exist");
        }

        _templates = Directory.EnumerateDirectories(folder)
            .Where(d => File.Exists(Path.Combine(d, "template.yaml")))
            .Select(Load)
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<JobTemplate> All => _templates.Values;

    public bool TryGet(string name, out JobTemplate template) => _templates.TryGetValue(name, out template!);

    private static JobTemplate Load(string directory)
    {
        var file = Path.Combine(directory, "template.yaml");
        RawTemplate raw;
        try
        {
            raw = Yaml.Deserialize<RawTemplate?>(File.ReadAllText(file))
                ?? throw new InvalidOperationException($"{file}: empty file");
        }
        catch (YamlException e)
        {
            throw new InvalidOperationException($"{file}: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }

        var name = raw.Name ?? Path.GetFileName(directory);
        var parameters = new Dictionary<string, TemplateParameter>(StringComparer.Ordinal);
        foreach (var (key, p) in raw.Parameters ?? [])
        {
            var type = p.Type ?? "string";
            if (!Types.Contains(type))
            {
                throw new InvalidOperationException($"{file}: parameters.{key}.type: '{type}'; expected one of {string.Join(", ", Types)}");
            }

            if (p.Pattern is not null)
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(p.Pattern);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidOperationException($"{file}: parameters.{key}.pattern: {e.Message}", e);
                }
            }

            parameters[key] = new TemplateParameter(key, type, p.Required, p.Default, p.Description ?? "", p.Pattern);
        }

        var bodyFile = Path.Combine(directory, "job.sbatch.scriban");
        var body = Template.Parse(File.ReadAllText(bodyFile), bodyFile);
        if (body.HasErrors)
        {
            throw new InvalidOperationException($"{bodyFile}: {string.Join("; ", body.Messages)}");
        }

        return new JobTemplate(
            name, raw.Description ?? "", parameters, raw.Runtimes ?? ["none"], raw.Resources?.Cpus ?? 1, body,
            raw.ModelRuntime);
    }

    private sealed class RawTemplate
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public Dictionary<string, RawParameter>? Parameters { get; set; }
        public RawResources? Resources { get; set; }
        public List<string>? Runtimes { get; set; }
        public string? ModelRuntime { get; set; }
        public List<string>? Ports { get; set; }
    }

    private sealed class RawParameter
    {
        public string? Type { get; set; }
        public bool Required { get; set; }
        public string? Default { get; set; }
        public string? Description { get; set; }
        public string? Pattern { get; set; }
    }

    private sealed class RawResources
    {
        public int? Cpus { get; set; }
    }
}
