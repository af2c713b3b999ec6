namespace Commons.StandIns.Forge.Hosting;

/// <summary>
/// A clock that starts at a chosen instant (<c>--now</c>) and runs on at the pace of another, so profile dates
/// are fixed while device codes still expire and rate-limit windows still reset.
/// </summary>
internal sealed class StandInClock(TimeProvider pace, DateTimeOffset start) : TimeProvider
{
    private readonly TimeSpan _offset = start - pace.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => pace.GetUtcNow() + _offset;

    public override long GetTimestamp() => pace.GetTimestamp();

    public override long TimestampFrequency => pace.TimestampFrequency;
}
