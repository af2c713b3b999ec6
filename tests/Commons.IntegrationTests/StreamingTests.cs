using System.Globalization;
using Commons.IntegrationTests.Infrastructure;

namespace Commons.IntegrationTests;

/// <summary>Output reaches the terminal while the job runs, not when it ends.</summary>
[Order(RunOrder.Streaming)]
public sealed class StreamingTests
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);

    [Test]
    public async Task Run_WhileJobPrintsOnceASecond_ShowsEachLineWithin2SecondsOfItsWriting()
    {
        const string loop = "for i in $(seq 1 20); do echo \"$i $(date +%s.%N)\"; sleep 1; done";

        var result = await Cli.RunAsync("run", "--", "sh", "-c", loop);

        Assert.That(result.ExitCode, Is.Zero, result.Describe());
        var lines = result.Lines.Select(Parse).ToList();
        Assert.That(lines.Select(l => l.Number), Is.EqualTo(Enumerable.Range(1, 20)), result.Describe());
        var delays = lines.Select(l => (l.Number, Delay: l.ArrivedAt - l.WrittenAt)).ToList();
        var worst = delays.MaxBy(d => d.Delay);
        await TestContext.Out.WriteLineAsync(
            $"max delay: {worst.Delay.TotalMilliseconds:0} ms (line {worst.Number}); per line (ms): "
            + string.Join(", ", delays.Select(d => $"{d.Number}={d.Delay.TotalMilliseconds:0}")));
        Assert.That(
            delays.Where(d => d.Delay > MaxDelay).Select(d => $"line {d.Number}: {d.Delay.TotalMilliseconds:0} ms"),
            Is.Empty,
            "lines printed more than 2 s after the job wrote them");
    }

    private static (int Number, DateTimeOffset WrittenAt, DateTimeOffset ArrivedAt) Parse(StdoutLine line)
    {
        var parts = line.Text.Split(' ');
        var seconds = decimal.Parse(parts[1], CultureInfo.InvariantCulture);
        var written = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), written, line.ArrivedAt);
    }
}
