using Commons.Bridge.Tunnels;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Tunnels;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class TunnelActivityTests
{
    private const string Job = "k3v9x2m4q7ab";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);

    [Test]
    public void OpenTunnels_WhenTheJobNeverHadOne_IsZeroWithNoTime()
    {
        var activity = CreateSut();

        Assert.That(activity.OpenTunnels(Job), Is.Zero);
        Assert.That(activity.LastActive(Job), Is.Null);
    }

    [Test]
    public void Open_WhenTwoTunnelsOpenAndOneCloses_CountsOneAndNotesTheClose()
    {
        var activity = CreateSut();
        using var first = activity.Open(Job);
        var second = activity.Open(Job);
        _time.Advance(TimeSpan.FromMinutes(1));

        second.Dispose();

        Assert.That(activity.OpenTunnels(Job), Is.EqualTo(1));
        Assert.That(activity.LastActive(Job), Is.EqualTo(Start + TimeSpan.FromMinutes(1)));
    }

    [Test]
    public void Open_WhenTheHandleIsDisposedTwice_CountsTheCloseOnce()
    {
        var activity = CreateSut();
        using var kept = activity.Open(Job);
        var closed = activity.Open(Job);

        closed.Dispose();
        closed.Dispose();

        Assert.That(activity.OpenTunnels(Job), Is.EqualTo(1));
    }

    [Test]
    public void Touch_WhenBytesMove_MovesLastActiveForThatJobOnly()
    {
        var activity = CreateSut();
        using var open = activity.Open(Job);
        using var other = activity.Open("otherjob0001");
        _time.Advance(TimeSpan.FromSeconds(42));

        activity.Touch(Job);

        Assert.That(activity.LastActive(Job), Is.EqualTo(Start + TimeSpan.FromSeconds(42)));
        Assert.That(activity.LastActive("otherjob0001"), Is.EqualTo(Start));
    }

    [Test]
    public void Forget_WhenATunnelIsStillOpen_KeepsTheJob()
    {
        var activity = CreateSut();
        using var open = activity.Open(Job);

        activity.Forget(Job);

        Assert.That(activity.OpenTunnels(Job), Is.EqualTo(1));
    }

    [Test]
    public void Forget_WhenNoTunnelIsOpen_DropsTheJob()
    {
        var activity = CreateSut();
        activity.Open(Job).Dispose();

        activity.Forget(Job);

        Assert.That(activity.LastActive(Job), Is.Null);
    }

    private TunnelActivity CreateSut() => new(_time);
}
