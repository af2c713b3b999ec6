using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Commons.StandIns.Forge.Profiles;

/// <summary>
/// One copy of one entry of a profile file, read field by field. A repeated entry (<c>repeat: N</c>) is read once
/// per copy: <c>{i}</c> in its strings becomes the copy's number (1..N), and a two-element list <c>[a, b]</c> in a
/// numeric field spreads the copies evenly from a to b. Every problem names the file, the entry and the field.
/// </summary>
internal sealed class ProfileEntry
{
    private const string RepeatKey = "repeat";

    private readonly YamlMappingNode _node;
    private readonly int _copy;
    private readonly int _copies;

    private ProfileEntry(string file, string label, YamlMappingNode node, int copy, int copies)
    {
        File = file;
        _node = node;
        _copy = copy;
        _copies = copies;
        var where = copies > 1 ? $"{label}, copy {copy} of {copies}" : label;
        Label = $"{where} (line {node.Start.Line})";
    }

    public string File { get; }

    /// <summary>Where the entry is, such as <c>pulls[2], copy 5 of 15 (line 14)</c>.</summary>
    public string Label { get; }

    /// <summary>Reads the copies of an entry, checking its keys against the ones the section allows.</summary>
    public static IEnumerable<ProfileEntry> Expand(string file, string label, YamlNode node, IReadOnlySet<string> keys)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw new ProfileException(file, $"{label} (line {node.Start.Line})", "(entry)", "expected a mapping of fields");
        }

        var first = new ProfileEntry(file, label, mapping, 1, 1);
        first.CheckKeys(keys.Append(RepeatKey).ToHashSet(StringComparer.Ordinal));
        var copies = first.Repeat();
        for (var copy = 1; copy <= copies; copy++)
        {
            yield return new ProfileEntry(file, label, mapping, copy, copies);
        }
    }

    public ProfileException Error(string field, string reason) => new(File, Label, field, reason);

    public string? Text(string key) =>
        Scalar(key) is { } scalar ? Substitute(scalar.Value ?? string.Empty) : null;

    public string RequiredText(string key) =>
        Text(key) is { Length: > 0 } text ? text : throw Error(key, "missing; expected a value");

    /// <summary>A whole number, at least <paramref name="min"/>; a spread rounds to the nearest whole number.</summary>
    public int? Integer(string key, int min = 0)
    {
        if (Number(key) is not { } value)
        {
            return null;
        }

        var rounded = Math.Round(value, MidpointRounding.AwayFromZero);
        if (rounded < min)
        {
            throw Error(key, $"{value.ToString(CultureInfo.InvariantCulture)} is less than {min}");
        }

        return rounded <= int.MaxValue
            ? (int)rounded
            : throw Error(key, $"{value.ToString(CultureInfo.InvariantCulture)} is too large");
    }

    /// <summary>A number of days before the stand-in's clock: 0 or more, fractions allowed.</summary>
    public double? DaysAgo(string key)
    {
        var value = Number(key);
        return value is null or >= 0 ? value : throw Error(key, "a number of days ago cannot be negative");
    }

    public bool? Flag(string key)
    {
        if (Scalar(key) is not { } scalar)
        {
            return null;
        }

        return bool.TryParse(scalar.Value, out var flag) ? flag : throw Error(key, $"'{scalar.Value}' is not true or false");
    }

    /// <summary>One of <paramref name="choices"/>, matched without regard to case and returned as spelled there.</summary>
    public string? Choice(string key, params string[] choices)
    {
        if (Text(key) is not { } text)
        {
            return null;
        }

        return choices.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase))
            ?? throw Error(key, $"'{text}' is not one of {string.Join(", ", choices)}");
    }

    public IReadOnlyList<string> TextList(string key)
    {
        if (!_node.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(key, "expected a list of logins, such as [alice, bob]");
        }

        return sequence.Children
            .Select(item => item is YamlScalarNode { Value: { Length: > 0 } value }
                ? Substitute(value)
                : throw Error(key, "every item of the list must be a plain value"))
            .ToList();
    }

    /// <summary>The entries of a nested list such as a pull request's reviews; each shares this copy's number.</summary>
    public IReadOnlyList<ProfileEntry> Nested(string key, IReadOnlySet<string> keys)
    {
        if (!_node.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(key, "expected a list of mappings");
        }

        var baseLabel = Label[..Label.LastIndexOf(" (line", StringComparison.Ordinal)];
        var nested = new List<ProfileEntry>();
        for (var index = 0; index < sequence.Children.Count; index++)
        {
            if (sequence.Children[index] is not YamlMappingNode item)
            {
                throw Error($"{key}[{index}]", "expected a mapping of fields");
            }

            var entry = new ProfileEntry(File, $"{baseLabel}.{key}[{index}]", item, _copy, _copies);
            entry.CheckKeys(keys);
            nested.Add(entry);
        }

        return nested;
    }

    private void CheckKeys(IReadOnlySet<string> keys)
    {
        foreach (var keyNode in _node.Children.Keys)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!keys.Contains(key))
            {
                throw Error(key, $"unknown field; expected one of {string.Join(", ", keys.Order(StringComparer.Ordinal))}");
            }
        }
    }

    private int Repeat()
    {
        if (Scalar(RepeatKey) is not { } scalar)
        {
            return 1;
        }

        return int.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var copies)
            && copies is >= 1 and <= 10_000
            ? copies
            : throw Error(RepeatKey, $"'{scalar.Value}' is not a whole number from 1 to 10000");
    }

    private YamlScalarNode? Scalar(string key)
    {
        if (!_node.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        return node as YamlScalarNode ?? throw Error(key, "expected a single value, not a list or mapping");
    }

    private double? Number(string key)
    {
        if (!_node.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                return ParseNumber(key, scalar.Value);

            case YamlSequenceNode { Children: [YamlScalarNode from, YamlScalarNode to] }:
                var first = ParseNumber(key, from.Value);
                var last = ParseNumber(key, to.Value);
                return _copies == 1 ? first : first + ((last - first) * (_copy - 1) / (_copies - 1));

            default:
                throw Error(key, "expected a number, or a spread [from, to] for a repeated entry");
        }
    }

    private double ParseNumber(string key, string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(key, $"'{text}' is not a number");

    private string Substitute(string text) =>
        text.Replace("{i}", _copy.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
