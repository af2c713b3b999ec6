using System.Text.Json;

namespace Commons.Cli;

/// <summary>The JSON shape the bridge speaks and <c>--json</c> prints: camelCase, indented for people.</summary>
internal static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,

        // Output is read by people and jq, not embedded in HTML: keep quotes and non-ASCII text as they are.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
