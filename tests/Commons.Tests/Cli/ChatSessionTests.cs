using Commons.Cli.Models;

namespace Commons.Tests.Cli;

public sealed class ChatSessionTests
{
    [Test]
    public void Next_AfterSystemAndHistory_SendsThemBeforeTheNewMessage()
    {
        var session = CreateSut();
        session.Command("/set system Answer briefly.", TextWriter.Null, out _);
        session.Remember("hi", "hello");

        var request = session.Next("why is the sky blue");

        Assert.That(request.Model, Is.EqualTo("llama3"));
        Assert.That(request.Messages.Select(m => (m.Role, m.Content)), Is.EqualTo(new[]
        {
            ("system", "Answer briefly."),
            ("user", "hi"),
            ("assistant", "hello"),
            ("user", "why is the sky blue"),
        }));
    }

    [Test]
    public void Command_SetParameter_SendsItAsATypedOption()
    {
        var session = CreateSut();
        var output = new StringWriter();

        session.Command("/set parameter num_predict 12", output, out _);
        session.Command("/set parameter stop END", output, out _);
        var request = session.Next("x");

        Assert.That(output.ToString(), Does.Contain("Set parameter 'num_predict' to '12'"));
        Assert.That(request.Options!["num_predict"].GetInt32(), Is.EqualTo(12));
        Assert.That(request.Options["stop"].GetString(), Is.EqualTo("END"));
    }

    [Test]
    public void Command_Clear_EmptiesTheHistory()
    {
        var session = CreateSut();
        session.Remember("a", "b");

        session.Command("/clear", TextWriter.Null, out _);

        Assert.That(session.History, Is.Empty);
    }

    [TestCase("/bye", "Exit")]
    [TestCase("/exit", "Exit")]
    [TestCase("/load mistral", "Load")]
    [TestCase("/?", "Handled")]
    public void Command_ReturnsWhatTheReplMustDo(string line, string expected)
    {
        var session = CreateSut();

        var outcome = session.Command(line, TextWriter.Null, out var argument);

        Assert.That(outcome.ToString(), Is.EqualTo(expected));
        Assert.That(argument, Is.EqualTo(expected == "Load" ? "mistral" : null));
    }

    [Test]
    public void Command_SetVerboseFormatAndWordwrap_ChangesTheSettings()
    {
        var session = CreateSut();

        session.Command("/set verbose", TextWriter.Null, out _);
        session.Command("/set format json", TextWriter.Null, out _);
        session.Command("/set nowordwrap", TextWriter.Null, out _);

        Assert.That(session.Settings.Verbose, Is.True);
        Assert.That(session.Settings.Format, Is.EqualTo("json"));
        Assert.That(session.Settings.WordWrap, Is.False);
        Assert.That(session.Next("x").Format!.Value.GetString(), Is.EqualTo("json"));
    }

    [Test]
    public void Command_ShowSystem_PrintsTheSystemMessage()
    {
        var session = CreateSut();
        var output = new StringWriter();
        session.Command("/set system Be terse.", TextWriter.Null, out _);

        session.Command("/show system", output, out _);

        Assert.That(output.ToString(), Is.EqualTo("Be terse." + Environment.NewLine));
    }

    [Test]
    public void WriteStats_PrintsOllamasVerboseLines()
    {
        var done = new ChatChunk("llama3", null, true, "stop", 2_000_000_000, 50_000_000, 10, 100_000_000, 40, 1_000_000_000, null);
        var output = new StringWriter();

        ChatSession.WriteStats(done, output);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.EqualTo(new[]
        {
            "total duration:       2000ms",
            "load duration:        50ms",
            "prompt eval count:    10 token(s)",
            "prompt eval duration: 100ms",
            "prompt eval rate:     100.00 tokens/s",
            "eval count:           40 token(s)",
            "eval duration:        1000ms",
            "eval rate:            40.00 tokens/s",
        }));
    }

    private static ChatSession CreateSut() => new("llama3", new ChatSettings());
}
