using Commons.Bridge.Models;

namespace Commons.Tests.Models;

public sealed class KeepAliveTests
{
    [TestCase("5m", 300)]
    [TestCase("30s", 30)]
    [TestCase("1h", 3600)]
    [TestCase("90", 90)]
    [TestCase("0", 0)]
    [TestCase("-1", -1)]
    [TestCase("-5m", -1)]
    public void TryParseSeconds_WhenGivenAnOllamaDuration_ReturnsSeconds(string text, long expected)
    {
        var parsed = KeepAlive.TryParseSeconds(text, out var seconds);

        Assert.That(parsed, Is.True);
        Assert.That(seconds, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("soon")]
    [TestCase("5d")]
    [TestCase("99999h")]
    public void TryParseSeconds_WhenNotADuration_ReturnsFalse(string text)
    {
        Assert.That(KeepAlive.TryParseSeconds(text, out _), Is.False);
    }
}
