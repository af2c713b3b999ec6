using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Commons.Cli.Models;

/// <summary>
/// One conversation with a model, as Ollama's REPL keeps it: the history, the system message, parameters and
/// display modes, and the slash commands that change them. Input and output are plain readers and writers, so a
/// test can drive it line by line.
/// </summary>
internal sealed class ChatSession(string model, ChatSettings settings)
{
    private readonly List<ChatMessage> _history = [];
    private readonly Dictionary<string, JsonElement> _parameters = new(StringComparer.Ordinal);

    public string Model { get; private set; } = model;

    public string? System { get; private set; }

    public ChatSettings Settings { get; } = settings;

    public IReadOnlyList<ChatMessage> History => _history;

    /// <summary>The request for the next answer: the system message, the history, then the new message.</summary>
    public ChatRequest Next(string prompt)
    {
        var messages = new List<ChatMessage>();
        if (System is not null)
        {
            messages.Add(new ChatMessage("system", System));
        }

        messages.AddRange(_history);
        messages.Add(new ChatMessage("user", prompt));
        JsonElement? format = Settings.Format is null ? null : JsonDocument.Parse($"\"{Settings.Format}\"").RootElement;
        return new ChatRequest(Model, messages, true, format, _parameters.Count == 0 ? null : new(_parameters));
    }

    /// <summary>Keeps an exchange in the history once its answer arrived (whole or stopped by Ctrl+C).</summary>
    public void Remember(string prompt, string answer)
    {
        _history.Add(new ChatMessage("user", prompt));
        _history.Add(new ChatMessage("assistant", answer));
    }

    /// <summary>
    /// Runs a slash command and says what it did. Returns <see cref="CommandOutcome.Exit"/> for /bye and
    /// <see cref="CommandOutcome.Load"/> (with the model in <paramref name="argument"/>) for /load.
    /// </summary>
    public CommandOutcome Command(string line, TextWriter output, out string? argument)
    {
        argument = null;
        var words = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        switch (words[0])
        {
            case "/bye" or "/exit":
                return CommandOutcome.Exit;
            case "/?" or "/help":
                output.Write(Help);
                return CommandOutcome.Handled;
            case "/clear":
                _history.Clear();
                output.WriteLine("Cleared session context");
                return CommandOutcome.Handled;
            case "/load" when words.Length > 1:
                argument = words[1];
                return CommandOutcome.Load;
            case "/set":
                Set(words.Skip(1).ToArray(), line, output);
                return CommandOutcome.Handled;
            case "/show":
                Show(words.Length > 1 ? words[1] : "", output);
                return CommandOutcome.Handled;
            default:
                output.WriteLine($"Unknown command '{words[0]}'. Type /? for help");
                return CommandOutcome.Handled;
        }
    }

    /// <summary>After /load: the new model, with an empty history, as Ollama does.</summary>
    public void Switch(string newModel)
    {
        Model = newModel;
        _history.Clear();
    }

    private void Set(string[] words, string line, TextWriter output)
    {
        var what = words.Length > 0 ? words[0] : "";
        switch (what)
        {
            case "parameter" when words.Length > 1:
                var parts = words[1].Split(' ', 2, StringSplitOptions.TrimEntries);
                if (parts.Length < 2)
                {
                    output.WriteLine("Usage: /set parameter <name> <value>");
                    return;
                }

                _parameters[parts[0]] = ParameterValue(parts[1]);
                output.WriteLine($"Set parameter '{parts[0]}' to '{parts[1]}'");
                return;
            case "system":
                var text = line.Split(' ', 3, StringSplitOptions.TrimEntries) is { Length: 3 } s ? s[2] : "";
                System = text.Trim('"');
                output.WriteLine("Set system message.");
                return;
            case "verbose":
                Settings.Verbose = true;
                output.WriteLine("Set 'verbose' mode.");
                return;
            case "quiet":
                Settings.Verbose = false;
                output.WriteLine("Set 'quiet' mode.");
                return;
            case "format" when words.Length > 1 && words[1] == "json":
                Settings.Format = "json";
                output.WriteLine("Set format to 'json' mode.");
                return;
            case "noformat":
                Settings.Format = null;
                output.WriteLine("Disabled format.");
                return;
            case "wordwrap":
                Settings.WordWrap = true;
                output.WriteLine("Set 'wordwrap' mode.");
                return;
            case "nowordwrap":
                Settings.WordWrap = false;
                output.WriteLine("Set 'nowordwrap' mode.");
                return;
            default:
                output.Write(SetHelp);
                return;
        }
    }

    private void Show(string what, TextWriter output)
    {
        switch (what)
        {
            case "info":
                output.WriteLine($"  Model");
                output.WriteLine($"    name        {Model}");
                output.WriteLine($"    runs on     a Slurm job of Compute Commons (see `commons ps`)");
                return;
            case "parameters":
                if (_parameters.Count == 0)
                {
                    output.WriteLine("No parameters were set for this session.");
                    return;
                }

                output.WriteLine("User defined parameters:");
                foreach (var (name, value) in _parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    output.WriteLine($"{name,-30} {value}");
                }

                return;
            case "system":
                output.WriteLine(System ?? "No system message was specified for this model.");
                return;
            default:
                output.Write(ShowHelp);
                return;
        }
    }

    private static JsonElement ParameterValue(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || text is "true" or "false")
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        var quoted = new StringBuilder().Append('"').Append(JsonEncodedText.Encode(text)).Append('"').ToString();
        return JsonDocument.Parse(quoted).RootElement.Clone();
    }

    /// <summary>Prints the timings of an answer the way <c>ollama run --verbose</c> does.</summary>
    public static void WriteStats(ChatChunk done, TextWriter output)
    {
        static string Duration(long? ns) => ns is { } v ? $"{TimeSpan.FromTicks(v / 100).TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture)}ms" : "-";
        static string Rate(int? count, long? ns) =>
            count is { } c && ns is > 0 ? (c / (ns.Value / 1e9)).ToString("0.00", CultureInfo.InvariantCulture) + " tokens/s" : "-";

        output.WriteLine($"total duration:       {Duration(done.TotalDuration)}");
        output.WriteLine($"load duration:        {Duration(done.LoadDuration)}");
        output.WriteLine($"prompt eval count:    {done.PromptEvalCount} token(s)");
        output.WriteLine($"prompt eval duration: {Duration(done.PromptEvalDuration)}");
        output.WriteLine($"prompt eval rate:     {Rate(done.PromptEvalCount, done.PromptEvalDuration)}");
        output.WriteLine($"eval count:           {done.EvalCount} token(s)");
        output.WriteLine($"eval duration:        {Duration(done.EvalDuration)}");
        output.WriteLine($"eval rate:            {Rate(done.EvalCount, done.EvalDuration)}");
    }

    private const string Help = """"
        Available Commands:
          /set            Set session variables
          /show           Show model information
          /load <model>   Load a session or model
          /clear          Clear session context
          /bye            Exit
          /?, /help       Help for a command

        Use """ to begin a multi-line message.

        """";

    private const string SetHelp = """
        Available Commands:
          /set parameter ...     Set a parameter
          /set system <string>   Set system message
          /set verbose           Show LLM stats
          /set quiet             Disable LLM stats
          /set wordwrap          Enable wordwrap
          /set nowordwrap        Disable wordwrap
          /set format json       Enable JSON mode
          /set noformat          Disable formatting

        """;

    private const string ShowHelp = """
        Available Commands:
          /show info         Show details for this model
          /show parameters   Show parameters for this model
          /show system       Show system message

        """;
}

/// <summary>What a slash command asks of the REPL.</summary>
internal enum CommandOutcome
{
    Handled,
    Exit,
    Load,
}

/// <summary>Display settings of a chat, from the flags and changed by /set.</summary>
internal sealed class ChatSettings
{
    public bool Verbose { get; set; }

    public string? Format { get; set; }

    public bool WordWrap { get; set; } = true;
}
