using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Commons.StandIns.Forge.Profiles;

/// <summary>
/// Reads profile files (YAML, one scenario each) and merges them into one <see cref="World"/>. Files are read in
/// name order and entries in the order written, so ids and numbers come out the same on every start.
/// </summary>
public static class ProfileLoader
{
    /// <summary>The sections a profile file may have, in the order they are built.</summary>
    internal static readonly IReadOnlyList<string> Sections =
        ["users", "repositories", "pulls", "issues", "projects", "mergeRequests"];

    /// <summary>Loads every <c>*.yaml</c> and <c>*.yml</c> file of a folder.</summary>
    /// <param name="anchor">The instant "days ago" counts back from.</param>
    /// <exception cref="ProfileException">A file is unusable; the message names the file, entry and field.</exception>
    public static World LoadFolder(string folder, DateTimeOffset anchor)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new ProfileException(folder, "(folder)", "--profiles", "the profiles folder does not exist");
        }

        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => new ProfileText(f, File.ReadAllText(f)))
            .ToList();
        if (files.Count == 0)
        {
            throw new ProfileException(folder, "(folder)", "--profiles", "the folder holds no .yaml profile");
        }

        return Load(files, anchor);
    }

    /// <summary>Loads profiles given as text; each is named by <see cref="ProfileText.File"/> in messages.</summary>
    /// <exception cref="ProfileException">A file is unusable; the message names the file, entry and field.</exception>
    public static World Load(IEnumerable<ProfileText> files, DateTimeOffset anchor)
    {
        ArgumentNullException.ThrowIfNull(files);

        var sections = Sections.ToDictionary(s => s, _ => new List<(string File, string Label, YamlNode Node)>());
        foreach (var file in files)
        {
            foreach (var (section, entries) in ReadSections(file))
            {
                sections[section].AddRange(entries.Select((node, index) => (file.File, $"{section}[{index}]", node)));
            }
        }

        var builder = new WorldBuilder(TruncateToSeconds(anchor));
        return builder.Build(section => sections[section]);
    }

    private static IEnumerable<(string Section, IReadOnlyList<YamlNode> Entries)> ReadSections(ProfileText file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(file.Yaml));
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new ProfileException(file.File, $"line {e.Start.Line}, column {e.Start.Column}", "(syntax)", reason);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ProfileException(
                file.File, "(document)", "(root)", $"expected a mapping with any of {string.Join(", ", Sections)}");
        }

        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!Sections.Contains(key))
            {
                throw new ProfileException(
                    file.File, $"(document, line {keyNode.Start.Line})", key,
                    $"unknown section; expected one of {string.Join(", ", Sections)}");
            }

            yield return value switch
            {
                YamlSequenceNode list => (key, list.Children.ToList()),
                YamlScalarNode { Value: null or "" } => (key, []),
                _ => throw new ProfileException(
                    file.File, $"(document, line {value.Start.Line})", key, "expected a list of entries"),
            };
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}

/// <summary>A profile file's name and text.</summary>
public sealed record ProfileText(string File, string Yaml);
