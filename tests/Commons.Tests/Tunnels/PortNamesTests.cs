using Commons.Contracts;

namespace Commons.Tests.Tunnels;

public sealed class PortNamesTests
{
    [TestCase("api")]
    [TestCase("web")]
    [TestCase("8080")]
    [TestCase("jupyter-lab")]
    [TestCase("tensor_board")]
    [TestCase("a")]
    [TestCase("abcdefghijklmnopqrstuvwxyz012345")]
    public void IsValid_WhenNameUsesTheAlphabet_IsTrue(string name)
    {
        var valid = PortNames.IsValid(name);

        Assert.That(valid, Is.True);
    }

    [TestCase("")]
    [TestCase("-api")]
    [TestCase("_api")]
    [TestCase("Api")]
    [TestCase("api.tmp")]
    [TestCase(".")]
    [TestCase("..")]
    [TestCase("../exit_code")]
    [TestCase("a/b")]
    [TestCase("/etc/passwd")]
    [TestCase("api\n")]
    [TestCase("api ")]
    [TestCase("ápi")]
    [TestCase("abcdefghijklmnopqrstuvwxyz0123456")]
    public void IsValid_WhenNameCouldLeaveThePortsFolderOrBreaksTheAlphabet_IsFalse(string name)
    {
        var valid = PortNames.IsValid(name);

        Assert.That(valid, Is.False);
    }

    [Test]
    public void IsValid_WhenNull_IsFalse()
    {
        var valid = PortNames.IsValid(null);

        Assert.That(valid, Is.False);
    }

    [Test]
    public void Tunnel_WhenBuilt_NestsUnderTheJobsPorts()
    {
        var route = PortRoutes.Tunnel("k3v9x2m4q7ab", "api");

        Assert.That(route, Is.EqualTo("/v1/jobs/k3v9x2m4q7ab/ports/api"));
        Assert.That(PortRoutes.Ports("k3v9x2m4q7ab"), Is.EqualTo("/v1/jobs/k3v9x2m4q7ab/ports"));
    }
}
