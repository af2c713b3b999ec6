namespace Commons.StandIns.Ollama.Tests;

/// <summary>
/// The stand-in's fixed answers, written out in full: if the wording changes, these tests say so, and whoever
/// relies on the wording elsewhere gets the same warning.
/// </summary>
internal static class Expected
{
    public const string Version = "0.0.0-commons-standin";

    public const string Disclaimer =
        "This answer comes from the Compute Commons stand-in for Ollama; no language model ran.";

    public static string Answer(string model, string userMessage) =>
        $"[stand-in {model}] You said: {userMessage} {Disclaimer}";

    public static string Answer(string model, string systemPrompt, string userMessage) =>
        $"[stand-in {model}] System prompt: {systemPrompt} You said: {userMessage} {Disclaimer}";
}
