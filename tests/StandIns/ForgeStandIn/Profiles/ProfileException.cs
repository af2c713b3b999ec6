namespace Commons.StandIns.Forge.Profiles;

/// <summary>
/// A profile file the stand-in cannot use. The message names the file, the entry (such as <c>pulls[2]</c>, with
/// the copy for a repeated entry and the line), the field and what was expected; the server refuses to start.
/// </summary>
public sealed class ProfileException(string file, string entry, string field, string reason)
    : Exception($"{file}: {entry}, field '{field}': {reason}")
{
    public string File { get; } = file;

    public string Entry { get; } = entry;

    public string Field { get; } = field;

    public string Reason { get; } = reason;
}
