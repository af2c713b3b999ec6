using Commons.Cli.Auth;
using Commons.Cli.Commands;
using Commons.Contracts;

namespace Commons.Tests.Cli;

public sealed class DeviceFlowTests
{
    [Test]
    public void Parse_GitHubsFormEncodedAnswer_ReadsEveryField()
    {
        var fields = DeviceFlow.Parse(
            "device_code=3584d83530557fdd1f46af8289938c8ef79f9dc5&expires_in=900&interval=5&user_code=WDJB-MJHT&verification_uri=https%3A%2F%2Fgithub.com%2Flogin%2Fdevice",
            "application/x-www-form-urlencoded");

        Assert.That(fields!["user_code"], Is.EqualTo("WDJB-MJHT"));
        Assert.That(fields["verification_uri"], Is.EqualTo("https://github.com/login/device"));
        Assert.That(fields["interval"], Is.EqualTo("5"));
    }

    [Test]
    public void Parse_AJsonAnswer_ReadsNumbersAsText()
    {
        var fields = DeviceFlow.Parse("""{"error":"slow_down","interval":10,"error_description":"Too fast"}""", "application/json");

        Assert.That(fields!["error"], Is.EqualTo("slow_down"));
        Assert.That(fields["interval"], Is.EqualTo("10"));
    }

    [TestCase("<html>502 Bad Gateway</html>", "text/html")]
    [TestCase("[1,2]", "application/json")]
    [TestCase("{not json", "application/json")]
    [TestCase("", "text/plain")]
    public void Parse_SomethingElse_IsNull(string text, string mediaType)
    {
        Assert.That(DeviceFlow.Parse(text, mediaType), Is.Null);
    }

    [Test]
    public void Choose_WithoutAName_TakesTheBridgesFirstForge()
    {
        var chosen = LoginCommand.Choose([Provider("github"), Provider("gitlab")], null, out var problem);

        Assert.That(chosen!.Name, Is.EqualTo("github"));
        Assert.That(problem, Is.Null);
    }

    [Test]
    public void Choose_AForgeTheBridgeDoesNotOffer_SaysWhatItOffers()
    {
        var chosen = LoginCommand.Choose([Provider("gitlab")], "github", out var problem);

        Assert.That(chosen, Is.Null);
        Assert.That(problem, Is.EqualTo("--provider 'github' is not offered by this bridge; it offers: gitlab"));
    }

    [Test]
    public void Choose_FromABridgeWithoutForges_SaysSo()
    {
        Assert.That(LoginCommand.Choose([], null, out var problem), Is.Null);
        Assert.That(problem, Does.Contain("offers no GitHub or GitLab sign-in"));
    }

    [Test]
    public async Task StartAsync_AVerificationAddressOffTheForgesHost_IsNotShown()
    {
        // A tampered answer (a proxy, a compromised mirror) that sends the person elsewhere to type their code.
        using var http = new HttpClient(new Answer(
            "device_code=d1&user_code=ABCD-1234&verification_uri=https%3A%2F%2Fgithub.com.evil.example%2Flogin%2Fdevice&expires_in=900&interval=5"));
        var flow = new DeviceFlow(http, Provider("github"));

        var e = await Assert.ThrowsAsync<DeviceFlowException>(() => flow.StartAsync(CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("'https://github.com.evil.example/login/device' that is not on github.example"));
    }

    [Test]
    public async Task StartAsync_AnAnswerWithoutAUserCode_NamesTheMissingField()
    {
        using var http = new HttpClient(new Answer("device_code=d1&verification_uri=https%3A%2F%2Fgithub.example%2Flogin%2Fdevice"));
        var flow = new DeviceFlow(http, Provider("github"));

        var e = await Assert.ThrowsAsync<DeviceFlowException>(() => flow.StartAsync(CancellationToken.None));

        Assert.That(e!.Message, Is.EqualTo("github's answer has no usable 'user_code'"));
    }

    /// <summary>Answers every request with one form-encoded body, as GitHub's device endpoint does by default.</summary>
    private sealed class Answer(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
            });
    }

    private static ForgeProvider Provider(string name) =>
        new(name, $"https://{name}.example/device", $"https://{name}.example/token", "client", "");
}
