using System.Text.RegularExpressions;

namespace Commons.StandIns.Ollama.Generation;

/// <summary>
/// The stand-in's "tokenizer": one token per word, each carrying the blank before it, so the streamed tokens
/// put back together give exactly the text.
/// </summary>
public static partial class Tokens
{
    /// <summary>Ids the size of a Llama 3 vocabulary, so a client that checks the range finds them plausible.</summary>
    private const uint VocabularySize = 128_256;

    public static IReadOnlyList<string> Split(string text)
    {
        var tokens = Word().Matches(text).Select(match => match.Value).ToList();

        // Trailing blanks belong to the last word; without this they would be lost from the concatenation.
        var covered = tokens.Sum(token => token.Length);
        if (covered < text.Length)
        {
            if (tokens.Count == 0)
            {
                tokens.Add(text);
            }
            else
            {
                tokens[^1] += text[covered..];
            }
        }

        return tokens;
    }

    public static int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : Word().Count(text);

    /// <summary>A stable id per token, for the <c>context</c> that /api/generate hands back.</summary>
    public static IEnumerable<long> Ids(IEnumerable<string> tokens) =>
        tokens.Select(token => (long)(Hash(token) % VocabularySize));

    // FNV-1a: the same token gets the same id in every process, which string.GetHashCode does not promise.
    private static uint Hash(string token)
    {
        var hash = 2_166_136_261u;
        foreach (var character in token)
        {
            hash = unchecked((hash ^ character) * 16_777_619u);
        }

        return hash;
    }

    [GeneratedRegex(@"\s*\S+")]
    private static partial Regex Word();
}
