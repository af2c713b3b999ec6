using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Commons.Cli.Bridge;
using Commons.Cli.Config;
using Commons.Contracts;

namespace Commons.Cli;

/// <summary>
/// The JSON shape the bridge speaks and <c>--json</c> prints: camelCase, indented for people. Serialization code
/// is generated at build time, so the CLI compiles ahead of time and starts in milliseconds.
/// </summary>
internal static class JsonDefaults
{
    public static readonly CliJsonContext Context = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,

        // Output is read by people and jq, not embedded in HTML: keep quotes and non-ASCII text as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

[JsonSerializable(typeof(SubmitJobRequest))]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(List<JobView>))]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(ConfigFile))]
[JsonSerializable(typeof(List<JobPort>))]
[JsonSerializable(typeof(ModelJobRequest))]
[JsonSerializable(typeof(List<ModelView>))]
[JsonSerializable(typeof(List<ForgeProvider>))]
[JsonSerializable(typeof(ForgeSignInRequest))]
[JsonSerializable(typeof(SignInResponse))]
[JsonSerializable(typeof(WhoAmIResponse))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
