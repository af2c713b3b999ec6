namespace Commons.Bridge.Rendering;

/// <summary>A job template: its typed parameters and its Scriban body.</summary>
public sealed record JobTemplate(
    string Name,
    string Description,
    IReadOnlyDictionary<string, TemplateParameter> Parameters,
    IReadOnlyList<string> Runtimes,
    int DefaultCpus,
    Scriban.Template Body,
    string? ModelRuntime = null);

/// <summary>
/// A parameter of a template. <c>string</c> values reach the body single-quoted, <c>argv</c> values as quoted words,
/// <c>int</c> and <c>bool</c> values as literals: a template cannot put a user value into the script unquoted.
/// </summary>
/// <param name="Pattern">A regular expression every value must match, checked before anything is rendered.</param>
public sealed record TemplateParameter(
    string Name, string Type, bool Required, string? Default, string Description, string? Pattern = null);
