using Commons.Bridge.Ssh;

namespace Commons.Tests.Ssh;

public sealed class HostKeyPinTests
{
    private const string Fingerprint = "TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM";

    [TestCase("SHA256:" + Fingerprint, Fingerprint)]
    [TestCase("SHA256:" + Fingerprint, "SHA256:" + Fingerprint)]
    [TestCase(Fingerprint, "SHA256:" + Fingerprint)]
    [TestCase(Fingerprint, Fingerprint)]
    [TestCase("SHA256:" + Fingerprint, Fingerprint + "=")]
    [TestCase("SHA256:" + Fingerprint + "=", Fingerprint)]
    [TestCase("  SHA256:" + Fingerprint + "  ", Fingerprint)]
    public void Matches_WhenBothNameTheSameKey_ReturnsTrue(string pinned, string presented)
    {
        var matches = HostKeyPin.Matches(pinned, presented);

        Assert.That(matches, Is.True);
    }

    [TestCase("SHA256:" + Fingerprint, "SHA256:UPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM")]
    [TestCase("SHA256:" + Fingerprint, "tps43gsyfodvretuvds4p3qf4oxlg2ncb163chchbqm")]
    [TestCase("SHA256:" + Fingerprint, Fingerprint + "x")]
    [TestCase("SHA256:" + Fingerprint, "")]
    [TestCase("MD5:" + Fingerprint, Fingerprint)]
    public void Matches_WhenKeysDiffer_ReturnsFalse(string pinned, string presented)
    {
        var matches = HostKeyPin.Matches(pinned, presented);

        Assert.That(matches, Is.False);
    }

    [TestCase("", "")]
    [TestCase("SHA256:", "")]
    [TestCase("SHA256:", "SHA256:")]
    [TestCase("=", "")]
    [TestCase("   ", "   ")]
    public void Matches_WhenPinnedIsEmpty_NeverMatches(string pinned, string presented)
    {
        var matches = HostKeyPin.Matches(pinned, presented);

        Assert.That(matches, Is.False);
    }
}
