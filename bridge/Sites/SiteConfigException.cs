namespace Commons.Bridge.Sites;

/// <summary>A site config file that cannot be used: says which file, which key and what was expected.</summary>
public sealed class SiteConfigException(string file, string key, string problem)
    : Exception($"{file}: {key}: {problem}")
{
    public string File { get; } = file;

    public string Key { get; } = key;

    public string Problem { get; } = problem;
}
