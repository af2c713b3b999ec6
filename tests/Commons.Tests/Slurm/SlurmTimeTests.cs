using Commons.Bridge.Slurm;

namespace Commons.Tests.Slurm;

public sealed class SlurmTimeTests
{
    [TestCase("45", 45, Description = "M")]
    [TestCase("1:30", 2, Description = "M:S, seconds rounded up")]
    [TestCase("0:30", 1, Description = "M:S under a minute")]
    [TestCase("10:00", 10, Description = "M:S on the minute")]
    [TestCase("1:00:00", 60, Description = "H:M:S")]
    [TestCase("01:30:01", 91, Description = "H:M:S with a stray second")]
    [TestCase("2-12", 3600, Description = "D-H")]
    [TestCase("1-2:30", 1590, Description = "D-H:M")]
    [TestCase("1-02:03:04", 1564, Description = "D-H:M:S")]
    [TestCase("2-00:00:00", 2880, Description = "D-H:M:S, whole days")]
    [TestCase("0-00:00:01", 1, Description = "D-H:M:S, one second")]
    [TestCase("90s", 2, Description = "seconds")]
    [TestCase("60s", 1, Description = "seconds, exactly a minute")]
    [TestCase("30m", 30, Description = "minutes")]
    [TestCase("2h", 120, Description = "hours")]
    [TestCase("1d", 1440, Description = "days")]
    [TestCase("365d", 525600, Description = "the longest accepted")]
    [TestCase("  2h  ", 120, Description = "surrounding spaces")]
    public void ParseMinutes_WhenFormIsAccepted_ReturnsWholeMinutes(string text, int minutes)
    {
        var parsed = SlurmTime.ParseMinutes(text);

        Assert.That(parsed, Is.EqualTo(minutes));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("0")]
    [TestCase("0:00")]
    [TestCase("0-0")]
    [TestCase("0m")]
    [TestCase("UNLIMITED")]
    [TestCase("INFINITE")]
    [TestCase("abc")]
    [TestCase("soon")]
    [TestCase("1:2:3:4")]
    [TestCase("1-2:3:4:5")]
    [TestCase("-5")]
    [TestCase("-1:00:00")]
    [TestCase("5m30s")]
    [TestCase("2H")]
    [TestCase("1.5h")]
    [TestCase("366d")]
    [TestCase("1-")]
    public void ParseMinutes_WhenTextIsNotAPositiveWalltime_ReturnsNull(string? text)
    {
        var parsed = SlurmTime.ParseMinutes(text);

        Assert.That(parsed, Is.Null);
    }

    [TestCase(1, "0-00:01:00")]
    [TestCase(59, "0-00:59:00")]
    [TestCase(60, "0-01:00:00")]
    [TestCase(90, "0-01:30:00")]
    [TestCase(1439, "0-23:59:00")]
    [TestCase(1440, "1-00:00:00")]
    [TestCase(1564, "1-02:04:00")]
    [TestCase(2880, "2-00:00:00")]
    [TestCase(525600, "365-00:00:00")]
    public void Format_WhenGivenMinutes_WritesDaysHoursMinutesSeconds(int minutes, string expected)
    {
        var text = SlurmTime.Format(minutes);

        Assert.That(text, Is.EqualTo(expected));
    }

    [TestCase(1)]
    [TestCase(61)]
    [TestCase(1564)]
    [TestCase(525600)]
    public void Format_WhenParsedBack_GivesTheSameMinutes(int minutes)
    {
        var text = SlurmTime.Format(minutes);

        Assert.That(SlurmTime.ParseMinutes(text), Is.EqualTo(minutes));
    }
}
