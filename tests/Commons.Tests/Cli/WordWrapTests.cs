using Commons.Cli.Models;

namespace Commons.Tests.Cli;

public sealed class WordWrapTests
{
    [Test]
    public void Write_WhenAWordWouldCrossTheEdge_StartsItOnTheNextLine()
    {
        var output = new StringWriter();
        var wrap = new WordWrap(output, 12);

        foreach (var token in new[] { "The", " sky", " is", " blue", " because" })
        {
            wrap.Write(token);
        }

        wrap.Flush();

        Assert.That(output.ToString(), Is.EqualTo("The sky is\nblue because"));
    }

    [Test]
    public void Write_WhenTheTextHasNewlines_KeepsThemAndRestartsTheColumn()
    {
        var output = new StringWriter();
        var wrap = new WordWrap(output, 10);

        wrap.Write("one\ntwo three four");
        wrap.Flush();

        Assert.That(output.ToString(), Is.EqualTo("one\ntwo three\nfour"));
    }
}
