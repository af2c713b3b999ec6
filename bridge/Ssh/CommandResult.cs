using System.Text;

namespace Commons.Bridge.Ssh;

/// <summary>What a command run on a login node returned.</summary>
public sealed record CommandResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string Text => Encoding.UTF8.GetString(Stdout);
}
