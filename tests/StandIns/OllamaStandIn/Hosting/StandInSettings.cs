using System.Globalization;
using Commons.StandIns.Ollama.Models;

namespace Commons.StandIns.Ollama.Hosting;

/// <summary>
/// Everything the stand-in reads from its environment. Ollama's own variables keep Ollama's meaning, so a job
/// script starts either server the same way; the <c>OLLAMA_STANDIN_*</c> ones only exist here.
/// </summary>
/// <param name="Listen"><c>OLLAMA_HOST</c>; default 127.0.0.1:11434.</param>
/// <param name="PresetModels">
/// <c>OLLAMA_STANDIN_MODELS</c>, comma-separated names taken as pulled at start; default none.
/// </param>
/// <param name="ModelsDirectory">
/// <c>OLLAMA_MODELS</c>; when set, pulled models are remembered there across restarts. Default: unset, in memory only.
/// </param>
/// <param name="TokenDelay">
/// <c>OLLAMA_STANDIN_TOKEN_DELAY_MS</c>, the pause before each streamed word; default 20 ms.
/// </param>
/// <param name="LoadDelay"><c>OLLAMA_STANDIN_LOAD_DELAY_MS</c>, what loading a cold model takes; default 50 ms.</param>
/// <param name="DefaultKeepAlive"><c>OLLAMA_KEEP_ALIVE</c>, how long a model stays loaded; default 5 minutes.</param>
/// <param name="Debug"><c>OLLAMA_DEBUG</c>: log every request, not only the lifecycle.</param>
public sealed record StandInSettings(
    ListenAddress Listen,
    IReadOnlyList<ModelName> PresetModels,
    string? ModelsDirectory,
    TimeSpan TokenDelay,
    TimeSpan LoadDelay,
    TimeSpan DefaultKeepAlive,
    bool Debug)
{
    public const string Version = "0.0.0-commons-standin";

    /// <summary>Reads and checks the variables.</summary>
    /// <exception cref="FormatException">A variable holds something unusable; the message names it.</exception>
    public static StandInSettings FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);

        return new StandInSettings(
            Listen: Read(variable, "OLLAMA_HOST", ListenAddress.Parse),
            PresetModels: Read(variable, "OLLAMA_STANDIN_MODELS", ParseModelList),
            ModelsDirectory: NullIfBlank(variable("OLLAMA_MODELS")),
            TokenDelay: Read(variable, "OLLAMA_STANDIN_TOKEN_DELAY_MS", text => ParseMilliseconds(text, 20)),
            LoadDelay: Read(variable, "OLLAMA_STANDIN_LOAD_DELAY_MS", text => ParseMilliseconds(text, 50)),
            DefaultKeepAlive: Read(variable, "OLLAMA_KEEP_ALIVE", ParseKeepAlive),
            Debug: IsSet(variable("OLLAMA_DEBUG")));
    }

    private static T Read<T>(Func<string, string?> variable, string name, Func<string?, T> parse)
    {
        var text = variable(name);
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{name}={text}: {e.Message}", e);
        }
    }

    private static List<ModelName> ParseModelList(string? text)
    {
        var names = new List<ModelName>();
        foreach (var item in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries))
        {
            if (item.Length == 0)
            {
                continue;
            }

            names.Add(ModelName.TryParse(item, out var name, out var error)
                ? name
                : throw new FormatException($"'{item}': {error}; expected names such as llama3 or llama3:70b"));
        }

        return names;
    }

    private static TimeSpan ParseMilliseconds(string? text, int fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.FromMilliseconds(fallback);
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : throw new FormatException("expected a whole number of milliseconds, 0 or more");
    }

    private static TimeSpan ParseKeepAlive(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.FromMinutes(5);
        }

        return KeepAlive.TryParse(text.Trim().Trim('"', '\''), out var keepAlive)
            ? keepAlive
            : throw new FormatException("expected seconds or a duration such as 5m, 1h or -1");
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    // Ollama takes any value that is not a false boolean as "on".
    private static bool IsSet(string? text) =>
        !string.IsNullOrWhiteSpace(text) && !(bool.TryParse(text.Trim(), out var flag) && !flag) && text.Trim() != "0";
}
