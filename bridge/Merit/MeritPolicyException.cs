namespace Commons.Bridge.Merit;

/// <summary>A merit policy file that cannot be used: says which file, which key and what was expected.</summary>
public sealed class MeritPolicyException(string file, string key, string problem)
    : Exception($"{file}: {key}: {problem}")
{
    public string File { get; } = file;

    public string Key { get; } = key;

    public string Problem { get; } = problem;
}
