using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Commons.StandIns.Ollama.Models;

/// <summary>
/// A model the stand-in pretends to hold. Nothing is downloaded: size, digests and details are derived from the
/// name, so every run reports the same numbers for the same model.
/// </summary>
public sealed record PulledModel(ModelName Name, DateTime ModifiedAt)
{
    /// <summary>Bytes a Q4_0 file of this many parameters would take (4.5 bits each).</summary>
    public long Size => (long)(Name.ParameterCount * 4.5 / 8);

    /// <summary>The manifest digest, bare hex as <c>/api/tags</c> shows it.</summary>
    public string Digest => HashHex("manifest", Name.Key);

    /// <summary>The one weights layer, with its <c>sha256:</c> prefix as pull progress shows it.</summary>
    public string WeightsLayerDigest => "sha256:" + HashHex("weights", Name.Key);

    /// <summary>A small layer holding the chat template, as real models have.</summary>
    public string TemplateLayerDigest => "sha256:" + HashHex("template", Name.Key);

    /// <summary>The parameter size as Ollama writes it, e.g. <c>8B</c>, <c>3.8B</c>, <c>135M</c>.</summary>
    public string ParameterSize
    {
        get
        {
            var count = Name.ParameterCount;
            return count >= 1e9
                ? (count / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "B"
                : (count / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M";
        }
    }

    private static string HashHex(string purpose, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"ollama-standin/{purpose}/{key}")));
}
