using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Commons.StandIns.Ollama.Models;

/// <summary>
/// A model name as Ollama writes it: <c>[host/][namespace/]model[:tag]</c>, the tag <c>latest</c> when none is given.
/// </summary>
/// <param name="Path">Everything before the tag, e.g. <c>llama3</c> or <c>example/model</c>.</param>
/// <param name="Tag">The tag, e.g. <c>latest</c> or <c>70b</c>.</param>
public sealed partial record ModelName(string Path, string Tag)
{
    private const string LatestTag = "latest";

    /// <summary>The full name, e.g. <c>llama3:latest</c>: what <c>/api/tags</c> lists.</summary>
    public string FullName => $"{Path}:{Tag}";

    /// <summary>The name without a <c>:latest</c> tag, e.g. <c>llama3</c> or <c>llama3:70b</c>.</summary>
    public string ShortName => Tag.Equals(LatestTag, StringComparison.OrdinalIgnoreCase) ? Path : FullName;

    /// <summary>The namespace, <c>library</c> for the official models as on Ollama's registry.</summary>
    public string Namespace
    {
        get
        {
            var parts = Path.Split('/');
            return parts.Length >= 2 ? parts[^2] : "library";
        }
    }

    /// <summary>Ollama compares names without regard to case; so does every lookup here.</summary>
    public string Key => FullName.ToLowerInvariant();

    /// <summary>
    /// The parameter count the tag announces (<c>70b</c>, <c>3.8b</c>, <c>135m</c>), 8 billion when it announces
    /// none, so that a 70b model looks bigger than an 8b one in listings.
    /// </summary>
    public double ParameterCount
    {
        get
        {
            var match = ParameterSizeInTag().Match(Tag);
            if (!match.Success)
            {
                return 8e9;
            }

            var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            return match.Groups["unit"].Value is "m" or "M" ? number * 1e6 : number * 1e9;
        }
    }

    public override string ToString() => FullName;

    /// <summary>Parses a name, or says in Ollama's words why it is not one.</summary>
    public static bool TryParse(
        string? text, [NotNullWhen(true)] out ModelName? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "model is required";
            return false;
        }

        var lastSlash = text.LastIndexOf('/');
        var tagColon = text.IndexOf(':', lastSlash + 1);
        var path = tagColon < 0 ? text : text[..tagColon];
        var tag = tagColon < 0 ? LatestTag : text[(tagColon + 1)..];

        var segments = path.Split('/');
        var valid = segments.Length <= 3
            && tag.Length is > 0 and <= 128
            && TagPattern().IsMatch(tag)
            && segments.Select((segment, index) => IsValidSegment(segment, index, segments.Length)).All(ok => ok);
        if (!valid)
        {
            error = "invalid model name";
            return false;
        }

        name = new ModelName(path, tag);
        error = null;
        return true;
    }

    // The first of three segments is a registry host, which may carry a port.
    private static bool IsValidSegment(string segment, int index, int count) =>
        index == 0 && count == 3 ? HostPattern().IsMatch(segment) : SegmentPattern().IsMatch(segment);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
    private static partial Regex SegmentPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?$")]
    private static partial Regex HostPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"(^|[-_])(?<n>[0-9]+(\.[0-9]+)?)(?<unit>[bBmM])($|[-_])")]
    private static partial Regex ParameterSizeInTag();
}
