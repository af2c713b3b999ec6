using Commons.Bridge.Auth;
using Commons.Bridge.Merit.Collectors;

namespace Commons.Tests.Auth;

public sealed class ForgesFileTests
{
    private static readonly Func<string, string?> Environment = name => name == "GH_READ" ? "ghp_secret" : null;

    [Test]
    public void Parse_AFullFile_ReadsBothForgesAndTheTokensFromTheEnvironment()
    {
        var forges = ForgesFile.Parse(
            """
            github:
              webUrl: https://github.com
              apiUrl: https://api.github.com
              clientId: Iv1.abc
              apiTokenEnv: GH_READ
            gitlab:
              url: http://127.0.0.1:8490
              clientId: gl-app
            """, "forges.yaml", Environment);

        Assert.That(forges.GitHub!.WebUrl, Is.EqualTo(new Uri("https://github.com/")));
        Assert.That(forges.GitHub.ClientId, Is.EqualTo("Iv1.abc"));
        Assert.That(forges.GitHub.ApiToken, Is.EqualTo("ghp_secret"));
        Assert.That(forges.GitLab!.Url, Is.EqualTo(new Uri("http://127.0.0.1:8490/")));
        Assert.That(forges.GitLab.ApiToken, Is.Null);
    }

    [Test]
    public void Load_WithoutAFile_OffersNoForge()
    {
        var forges = ForgesFile.Load(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.yaml"));

        Assert.That(forges.GitHub, Is.Null);
        Assert.That(forges.GitLab, Is.Null);
    }

    [TestCase("github:\n  apiUrl: https://api.github.com\n  clientId: x\n", "github.webUrl: missing")]
    [TestCase("github:\n  webUrl: http://github.com\n  apiUrl: https://api.github.com\n  clientId: x\n", "github.webUrl: 'http://github.com' uses http")]
    [TestCase("github:\n  webUrl: https://github.com/?x=1\n  apiUrl: https://api.github.com\n  clientId: x\n", "not an http(s) URL without query")]
    [TestCase("gitlab:\n  url: https://gitlab.com\n", "gitlab.clientId: missing")]
    [TestCase("gitlab:\n  url: https://gitlab.com\n  clientId: \"a b\"\n", "gitlab.clientId: expected one word")]
    [TestCase("gitlab:\n  url: https://gitlab.com\n  clientId: x\n  apiTokenEnv: \"X;rm\"\n", "not an environment variable name")]
    [TestCase("github: [1, 2\n", "line ")]
    [TestCase("gitHub:\n  webUrl: https://github.com\n", "line ")]
    public void Parse_ABadFile_NamesTheKeyAndTheReason(string yaml, string expected)
    {
        var e = Assert.Throws<ForgesFileException>(() => ForgesFile.Parse(yaml, "forges.yaml", Environment));

        Assert.That(e!.Message, Does.StartWith("forges.yaml: "));
        Assert.That(e.Message, Does.Contain(expected));
    }

    [TestCase("https://api.github.com/", "https://api.github.com/")]
    [TestCase("https://github.com/", "https://api.github.com/")]
    [TestCase("https://github.example.org/", "https://github.example.org/api/v3/")]
    [TestCase("http://127.0.0.1:8490/", "http://127.0.0.1:8490/api/v3/")]
    [TestCase("https://github.example.org/api/v3", "https://github.example.org/api/v3/")]
    public void GitHubApiRoot_FollowsGitHubAndEnterpriseLayouts(string apiUrl, string root)
    {
        Assert.That(GitHubCollector.ApiBase(new Uri(apiUrl)), Is.EqualTo(new Uri(root)));
    }
}
