using System.Diagnostics;
using System.Text.RegularExpressions;
using Commons.Contracts;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>
/// <c>commons run MODEL</c> in a terminal opens a REPL that behaves like Ollama's: a <c>&gt;&gt;&gt; </c> prompt,
/// streamed answers, Ctrl+C stopping an answer, slash commands, and Ctrl+D or <c>/bye</c> to leave.
/// </summary>
[Order(RunOrder.Repl)]
public sealed partial class ReplTests
{
    private const string Llama3 = "llama3:8b";
    private const string Prompt = ">>> ";

    private static readonly TimeSpan Reply = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(30);

    private ModelUser? _user;

    private ModelUser User => _user ?? throw new InvalidOperationException("the fixture's user was not created");

    [OneTimeSetUp]
    public async Task CreateUserAsync() => _user = await ModelUser.CreateAsync("repl");

    [TearDown]
    public Task StopModelJobsAsync() => User.StopAllJobsQuietlyAsync();

    [OneTimeTearDown]
    public void RemoveUser() => _user?.Dispose();

    [Test]
    public async Task Repl_WithVerboseSet_ShowsTheAnswerThenItsStats()
    {
        using var terminal = User.OpenTerminal("run", "llama3");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);

        await terminal.TypeLineAsync("/set verbose");
        var set = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("say hi");
        var answer = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("/bye");
        var exitCode = await terminal.WaitForExitAsync(Exit);

        Assert.That(set, Does.Contain("Set 'verbose' mode."), terminal.Screen);
        Assert.That(Words(answer), Does.Contain(StandIn.Answer(Llama3, "say hi")), terminal.Screen);
        Assert.That(answer, Does.Match(@"(?m)^eval count:\s+\d+ token\(s\)$"), terminal.Screen);
        Assert.That(answer, Does.Match(@"(?m)^eval rate:\s+[0-9.]+ tokens/s$"), terminal.Screen);
        Assert.That(
            Words(answer).IndexOf("eval count:", StringComparison.Ordinal),
            Is.GreaterThan(Words(answer).IndexOf(StandIn.Disclaimer, StringComparison.Ordinal)),
            "the stats come after the answer");
        Assert.That(exitCode, Is.Zero, terminal.Screen);
    }

    [Test]
    public async Task Repl_CtrlCDuringALongAnswer_StopsItReturnsToThePromptAndTheJobKeepsRunning()
    {
        // The stand-in streams one word per 20 ms: echoing 500 words takes over 10 s.
        var message = string.Join(' ', Enumerable.Range(1, 500).Select(i => $"w{i}"));
        using var terminal = User.OpenTerminal("run", "llama3");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);
        await terminal.TypeLineAsync(message);
        await terminal.WaitForAsync($"[stand-in {Llama3}] You said: w1 w2", Reply);

        var clock = Stopwatch.StartNew();
        await terminal.TypeAsync(Terminal.CtrlC);
        var afterInterrupt = await terminal.WaitForAsync(Prompt, Reply);
        var backAfter = clock.Elapsed;
        await TestContext.Out.WriteLineAsync($"the prompt came back {backAfter.TotalMilliseconds:0} ms after Ctrl+C");
        var job = await User.WarmJobAsync("llama3");
        await terminal.TypeLineAsync("/bye");
        var exitCode = await terminal.WaitForExitAsync(Exit);

        Assert.That(backAfter, Is.LessThan(TimeSpan.FromSeconds(3)), $"the prompt came back only after {backAfter.TotalSeconds:0.0} s");
        Assert.That(Words(afterInterrupt), Does.Not.Contain("w500."), "the answer ran to its end");
        Assert.That(Words(afterInterrupt), Does.Not.Contain(StandIn.Disclaimer), "the answer ran to its end");
        Assert.That(job.State, Is.EqualTo(JobStates.Running), ModelUser.Show([job]));
        var runtimeLog = Path.Combine(Sandbox.Settings.SiteWorkDir, job.Id, "runtime.log");
        await Eventually.Async(
            () => Task.FromResult(File.Exists(runtimeLog) && File.ReadAllText(runtimeLog).Contains("the client went away", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            $"the runtime to log that it stopped the answer ({runtimeLog})");
        Assert.That(exitCode, Is.Zero, terminal.Screen);
    }

    [TestCase("/bye")]
    [TestCase("Ctrl+D")]
    public async Task Repl_ByeOrCtrlD_LeavesWithExitCode0(string leave)
    {
        using var terminal = User.OpenTerminal("run", "llama3");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);

        await terminal.TypeAsync(leave == "Ctrl+D" ? Terminal.CtrlD : leave + "\r");
        var exitCode = await terminal.WaitForExitAsync(Exit);

        Assert.That(exitCode, Is.Zero, terminal.Screen);
    }

    [Test]
    public async Task Repl_TripleQuotedLines_AreSentAsOneMessage()
    {
        using var terminal = User.OpenTerminal("run", "llama3");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);

        await terminal.TypeLineAsync("\"\"\"first line");
        await terminal.WaitForAsync("... ", Reply);
        await terminal.TypeLineAsync("second line\"\"\"");
        var answer = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("/bye");
        await terminal.WaitForExitAsync(Exit);

        Assert.That(Words(answer), Does.Contain(StandIn.Answer(Llama3, "first line second line")), terminal.Screen);
    }

    [Test]
    public async Task Repl_SetSystem_ShapesTheAnswersAndShowSystemPrintsIt()
    {
        const string system = "Be brief.";
        using var terminal = User.OpenTerminal("run", "llama3");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);

        await terminal.TypeLineAsync($"/set system {system}");
        await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("/show system");
        var shown = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("is the node up?");
        var answer = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("/bye");
        await terminal.WaitForExitAsync(Exit);

        Assert.That(shown, Does.Contain($"\n{system}\n"), terminal.Screen);
        Assert.That(Words(answer), Does.Contain(StandIn.Answer(Llama3, "is the node up?", system)), terminal.Screen);
    }

    [Test]
    public async Task Repl_SetParameterNumPredict_CapsTheAnswersAndShowParametersListsIt()
    {
        using var terminal = User.OpenTerminal("run", "llama3");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);

        await terminal.TypeLineAsync("/set parameter num_predict 3");
        var set = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("/show parameters");
        var shown = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("say hi");
        var answer = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("/bye");
        await terminal.WaitForExitAsync(Exit);

        Assert.That(set, Does.Contain("Set parameter 'num_predict' to '3'"), terminal.Screen);
        Assert.That(shown, Does.Match(@"(?m)^num_predict\s+3$"), terminal.Screen);
        // The runtime stops after three words when it received the parameter.
        Assert.That(Words(answer), Does.EndWith($"say hi [stand-in {Llama3}] You {Prompt}"), terminal.Screen);
    }

    [Test]
    public async Task Repl_Clear_ForgetsTheConversationSoFar()
    {
        using var terminal = User.OpenTerminal("run", "llama3", "--verbose");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);

        await terminal.TypeLineAsync("say hi");
        var first = PromptEvalCount(await terminal.WaitForAsync(Prompt, Reply));
        await terminal.TypeLineAsync("say hi");
        var second = PromptEvalCount(await terminal.WaitForAsync(Prompt, Reply));
        await terminal.TypeLineAsync("/clear");
        var cleared = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("say hi");
        var afterClear = PromptEvalCount(await terminal.WaitForAsync(Prompt, Reply));
        await terminal.TypeLineAsync("/bye");
        await terminal.WaitForExitAsync(Exit);

        Assert.That(cleared, Does.Contain("Cleared session context"), terminal.Screen);
        Assert.That(second, Is.GreaterThan(first), "the second message was sent without the first exchange");
        Assert.That(afterClear, Is.EqualTo(first), "the message after /clear was sent with the earlier exchanges");
    }

    [Test]
    public async Task Repl_LoadAnotherModel_AnswersAsThatModel()
    {
        using var terminal = User.OpenTerminal("run", "llama3");
        await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);

        await terminal.TypeLineAsync("/load mistral");
        var loaded = await terminal.WaitForAsync(Prompt, ModelUser.ColdStart);
        await terminal.TypeLineAsync("say hi");
        var answer = await terminal.WaitForAsync(Prompt, Reply);
        await terminal.TypeLineAsync("/bye");
        await terminal.WaitForExitAsync(Exit);

        Assert.That(loaded, Does.Contain("Loading model 'mistral'"), terminal.Screen);
        Assert.That(Words(answer), Does.Contain(StandIn.Answer("mistral:7b", "say hi")), terminal.Screen);
    }

    /// <summary>The prompt eval count that <c>--verbose</c> printed after an answer.</summary>
    private static int PromptEvalCount(string answer)
    {
        var match = PromptEvalCountLine().Match(answer);
        Assert.That(match.Success, Is.True, $"no prompt eval count in: {answer}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The text with every run of blanks and line breaks as one space, so word wrapping does not matter.</summary>
    private static string Words(string text) => Blanks().Replace(text, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Blanks();

    [GeneratedRegex(@"(?m)^prompt eval count:\s+(\d+) token\(s\)$")]
    private static partial Regex PromptEvalCountLine();
}
