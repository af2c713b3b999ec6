using System.Diagnostics;
using System.Text;
using Commons.Bridge.Ssh;

namespace Commons.Tests.Ssh;

public sealed class ShellQuoteTests
{
    private static readonly string[] HostileValues =
    [
        "",
        "plain",
        "it's",
        "''",
        "'\\''",
        "$HOME",
        "${HOME:-x}",
        "$(id)",
        "`id`",
        "a\nb\n",
        "\r\n",
        "a,b,c",
        "semi; rm -rf /tmp/nothing",
        "a && b || c | d > e < f",
        "*?[a-z]~",
        "\"double\" \\back\\slash",
        "  leading and trailing  ",
        "-n",
        "grüße ✓ 日本語 🚀",
        "tab\there",
    ];

    [TestCaseSource(nameof(HostileValues))]
    public void Quote_WhenReadBackBySh_GivesTheSameBytes(string value)
    {
        var quoted = ShellQuote.Quote(value);

        var printed = RunSh($"printf %s {quoted}");

        Assert.That(printed, Is.EqualTo(value));
    }

    [Test]
    public void Join_WhenReadBackBySh_KeepsEveryWordApart()
    {
        string[] words = ["one two", "it's", "", "$(id)", "last\nline"];

        var printed = RunSh($"for w in {ShellQuote.Join(words)}; do printf '<%s>' \"$w\"; done");

        Assert.That(printed, Is.EqualTo("<one two><it's><><$(id)><last\nline>"));
    }

    [Test]
    public void Quote_WhenValueHasASingleQuote_ClosesEscapesAndReopens()
    {
        var quoted = ShellQuote.Quote("it's");

        Assert.That(quoted, Is.EqualTo("'it'\\''s'"));
    }

    [Test]
    public void Quote_WhenValueIsEmpty_GivesTwoQuotes()
    {
        var quoted = ShellQuote.Quote("");

        Assert.That(quoted, Is.EqualTo("''"));
    }

    [Test]
    public void Quote_WhenValueHasNul_ThrowsArgumentException()
    {
        var thrown = Assert.Throws<ArgumentException>(() => ShellQuote.Quote("a\0b"));

        Assert.That(thrown?.ParamName, Is.EqualTo("value"));
    }

    [Test]
    public void Join_WhenOneWordHasNul_ThrowsArgumentException()
    {
        string[] words = ["ok", "bad\0word"];

        Assert.Throws<ArgumentException>(() => ShellQuote.Join(words));
    }

    // Runs a command line through the local /bin/sh, the same reader a login node's shell uses for these words.
    private static string RunSh(string commandLine)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(commandLine);
        start.Environment["LC_ALL"] = "C.UTF-8";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start");
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill();
            throw new TimeoutException($"/bin/sh did not finish: {commandLine}");
        }

        Assert.That(process.ExitCode, Is.Zero, $"/bin/sh failed: {stderr}");
        return stdout;
    }
}
