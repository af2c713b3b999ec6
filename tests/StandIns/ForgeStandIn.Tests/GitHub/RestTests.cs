using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Tests.Infrastructure;

namespace Commons.StandIns.Forge.Tests.GitHub;

/// <summary>GitHub's users, repositories, pulls, reviews and issues, in GitHub's shapes.</summary>
public sealed class RestTests
{
    private ForgeSession _session = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _session = await ForgeSession.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _session.DisposeAsync();

    [Test]
    public async Task User_HasGitHubsFields()
    {
        var user = (await _session.GetOkAsync("/api/v3/users/alice")).Json;

        Assert.That(user.GetProperty("login").GetString(), Is.EqualTo("alice"));
        Assert.That(
            user.GetProperty("id").GetInt64(), Is.EqualTo(_session.Forge.World.FindAccount(ForgeKind.GitHub, "alice")!.Id));
        Assert.That(user.GetProperty("node_id").GetString(), Is.Not.Empty);
        Assert.That(user.GetProperty("type").GetString(), Is.EqualTo("User"));
        Assert.That(user.GetProperty("site_admin").GetBoolean(), Is.False);
        Assert.That(user.GetProperty("name").GetString(), Is.EqualTo("Alice Example"));
        Assert.That(user.GetProperty("html_url").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}alice"));
        Assert.That(user.GetProperty("url").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}api/v3/users/alice"));
        Assert.That(user.GetProperty("created_at").GetString(), Is.EqualTo("2024-03-09T00:00:00Z"));
        Assert.That(user.GetProperty("updated_at").GetString(), Is.Not.Empty);
        Assert.That(user.GetProperty("followers").GetInt32(), Is.EqualTo(7));
        Assert.That(user.GetProperty("public_repos").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task User_OfABotAndOfAnOrganisation_SayWhatTheyAre()
    {
        var bot = (await _session.GetOkAsync("/api/v3/users/helper%5Bbot%5D")).Json;
        var organisation = (await _session.GetOkAsync("/api/v3/users/acme")).Json;

        Assert.That(bot.GetProperty("type").GetString(), Is.EqualTo("Bot"));
        Assert.That(bot.GetProperty("login").GetString(), Is.EqualTo("helper[bot]"));
        Assert.That(organisation.GetProperty("type").GetString(), Is.EqualTo("Organization"));
    }

    [TestCase("/api/v3/users/nobody")]
    [TestCase("/api/v3/repos/acme/nothing")]
    [TestCase("/api/v3/repos/acme/widget/pulls/99")]
    [TestCase("/api/v3/repos/acme/widget/pulls/4")]
    [TestCase("/api/v3/repos/acme/widget/issues/99")]
    [TestCase("/api/v3/no/such/endpoint")]
    public async Task AnythingUnknown_IsGitHubsNotFound(string path)
    {
        var answer = await _session.GetAsync(path);

        Assert.That(answer.Status, Is.EqualTo(404));
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.EqualTo("Not Found"));
        Assert.That(answer.Json.GetProperty("documentation_url").GetString(), Does.StartWith("https://docs.github.com/"));
    }

    [Test]
    public async Task UserRepositories_OfTheOwner_ListTheirOwnByName()
    {
        var repositories = (await _session.GetOkAsync("/api/v3/users/alice/repos?type=owner&per_page=100&page=1")).Json;

        Assert.That(
            repositories.EnumerateArray().Select(r => r.GetProperty("full_name").GetString()),
            Is.EqualTo(new[] { "alice/dotfiles", "alice/old-fork" }));
        Assert.That(repositories[1].GetProperty("fork").GetBoolean(), Is.True);
        Assert.That(repositories[1].GetProperty("archived").GetBoolean(), Is.True);
        Assert.That(repositories[0].GetProperty("stargazers_count").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task Repository_HasGitHubsFields()
    {
        var repository = (await _session.GetOkAsync("/api/v3/repos/acme/widget")).Json;

        Assert.That(repository.GetProperty("name").GetString(), Is.EqualTo("widget"));
        Assert.That(repository.GetProperty("full_name").GetString(), Is.EqualTo("acme/widget"));
        Assert.That(repository.GetProperty("owner").GetProperty("login").GetString(), Is.EqualTo("acme"));
        Assert.That(repository.GetProperty("owner").GetProperty("type").GetString(), Is.EqualTo("Organization"));
        Assert.That(repository.GetProperty("private").GetBoolean(), Is.False);
        Assert.That(repository.GetProperty("fork").GetBoolean(), Is.False);
        Assert.That(repository.GetProperty("archived").GetBoolean(), Is.False);
        Assert.That(repository.GetProperty("stargazers_count").GetInt32(), Is.EqualTo(1234));
        Assert.That(repository.GetProperty("watchers_count").GetInt32(), Is.EqualTo(1234));
        Assert.That(repository.GetProperty("forks_count").GetInt32(), Is.EqualTo(56));
        Assert.That(repository.GetProperty("created_at").GetString(), Is.EqualTo("2022-10-26T00:00:00Z"));
        Assert.That(repository.GetProperty("pushed_at").GetString(), Is.EqualTo("2026-12-03T00:00:00Z"));
        Assert.That(repository.GetProperty("default_branch").GetString(), Is.EqualTo("main"));
        Assert.That(repository.GetProperty("html_url").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}acme/widget"));
    }

    [Test]
    public async Task Pull_Merged_HasWhoMergedItTheSizeAndBothBranches()
    {
        var pull = (await _session.GetOkAsync("/api/v3/repos/acme/widget/pulls/5")).Json;

        Assert.That(pull.GetProperty("number").GetInt32(), Is.EqualTo(5));
        Assert.That(pull.GetProperty("state").GetString(), Is.EqualTo("closed"));
        Assert.That(pull.GetProperty("title").GetString(), Is.EqualTo("Widget fix 2"));
        Assert.That(pull.GetProperty("merged").GetBoolean(), Is.True);
        Assert.That(pull.GetProperty("merged_at").GetString(), Is.EqualTo("2026-11-14T00:00:00Z"));
        Assert.That(pull.GetProperty("user").GetProperty("login").GetString(), Is.EqualTo("alice"));
        Assert.That(pull.GetProperty("merged_by").GetProperty("login").GetString(), Is.EqualTo("bob"));
        Assert.That(pull.GetProperty("additions").GetInt32(), Is.EqualTo(110));
        Assert.That(pull.GetProperty("deletions").GetInt32(), Is.EqualTo(5));
        Assert.That(pull.GetProperty("changed_files").GetInt32(), Is.EqualTo(2));
        Assert.That(pull.GetProperty("commits").GetInt32(), Is.EqualTo(1));
        Assert.That(pull.GetProperty("base").GetProperty("ref").GetString(), Is.EqualTo("main"));
        Assert.That(
            pull.GetProperty("base").GetProperty("repo").GetProperty("full_name").GetString(), Is.EqualTo("acme/widget"));
        Assert.That(
            pull.GetProperty("base").GetProperty("repo").GetProperty("owner").GetProperty("login").GetString(),
            Is.EqualTo("acme"));
        Assert.That(
            pull.GetProperty("head").GetProperty("repo").GetProperty("full_name").GetString(), Is.EqualTo("alice/widget"));
        Assert.That(pull.GetProperty("author_association").GetString(), Is.EqualTo("CONTRIBUTOR"));
    }

    [Test]
    public async Task Pull_Open_IsNotMergedAndHasNoMerger()
    {
        var pull = (await _session.GetOkAsync("/api/v3/repos/acme/widget/pulls/8")).Json;

        Assert.That(pull.GetProperty("state").GetString(), Is.EqualTo("open"));
        Assert.That(pull.GetProperty("merged").GetBoolean(), Is.False);
        Assert.That(pull.GetProperty("merged_at").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(pull.GetProperty("merged_by").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task Reviews_ListEachReviewInOrder_WithItsStateAndTime()
    {
        var reviews = (await _session.GetOkAsync("/api/v3/repos/acme/widget/pulls/2/reviews?per_page=100")).Json;

        Assert.That(reviews.GetArrayLength(), Is.EqualTo(2));
        Assert.That(reviews[0].GetProperty("state").GetString(), Is.EqualTo("CHANGES_REQUESTED"));
        Assert.That(reviews[1].GetProperty("state").GetString(), Is.EqualTo("APPROVED"));
        Assert.That(reviews[1].GetProperty("user").GetProperty("login").GetString(), Is.EqualTo("alice"));
        Assert.That(reviews[1].GetProperty("submitted_at").GetString(), Is.EqualTo("2026-10-24T00:00:00Z"));
        Assert.That(reviews[1].GetProperty("id").GetInt64(), Is.GreaterThan(reviews[0].GetProperty("id").GetInt64()));
        Assert.That(
            reviews[1].GetProperty("html_url").GetString(), Does.StartWith($"{_session.Forge.BaseUrl}acme/widget/pull/2#"));
        Assert.That(reviews[1].TryGetProperty("body", out _), Is.True);
        Assert.That(reviews[1].TryGetProperty("node_id", out _), Is.True);
    }

    [Test]
    public async Task Issue_Closed_SaysWhoClosedItAndWhy()
    {
        var issue = (await _session.GetOkAsync("/api/v3/repos/acme/widget/issues/4")).Json;

        Assert.That(issue.GetProperty("title").GetString(), Is.EqualTo("Crash on start"));
        Assert.That(issue.GetProperty("state").GetString(), Is.EqualTo("closed"));
        Assert.That(issue.GetProperty("state_reason").GetString(), Is.EqualTo("completed"));
        Assert.That(issue.GetProperty("closed_by").GetProperty("login").GetString(), Is.EqualTo("bob"));
        Assert.That(issue.GetProperty("closed_at").GetString(), Is.EqualTo("2026-11-19T00:00:00Z"));
        Assert.That(issue.TryGetProperty("pull_request", out _), Is.False);
    }

    [Test]
    public async Task Issue_OfAPullNumber_IsThePullAsAnIssue()
    {
        var issue = (await _session.GetOkAsync("/api/v3/repos/acme/widget/issues/3")).Json;

        Assert.That(
            issue.GetProperty("pull_request").GetProperty("merged_at").GetString(), Is.EqualTo("2026-11-04T00:00:00Z"));
        Assert.That(issue.GetProperty("closed_by").GetProperty("login").GetString(), Is.EqualTo("bob"));
    }

    [Test]
    public async Task AuthenticatedUser_WithoutAToken_RequiresAuthentication()
    {
        var answer = await _session.GetAsync("/api/v3/user");

        Assert.That(answer.Status, Is.EqualTo(401));
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.EqualTo("Requires authentication"));
    }

    [TestCase("token")]
    [TestCase("Bearer")]
    public async Task AuthenticatedUser_WithATokenOfTheAccount_IsThatAccount(string scheme)
    {
        var token = _session.Forge.IssueToken(ForgeKind.GitHub, "alice");

        var answer = await _session.GetAsync("/api/v3/user", $"{scheme} {token}");

        Assert.That(answer.Status, Is.EqualTo(200));
        Assert.That(answer.Json.GetProperty("login").GetString(), Is.EqualTo("alice"));
        Assert.That(token, Does.StartWith("gho_"));
    }

    [Test]
    public async Task AnyRequest_WithATokenNobodyIssued_IsBadCredentials()
    {
        var answer = await _session.GetAsync("/api/v3/users/alice", "token gho_made_up");
        var gitLabToken = _session.Forge.IssueToken(ForgeKind.GitLab, "carol");
        var crossed = await _session.GetAsync("/api/v3/user", $"token {gitLabToken}");

        Assert.That(answer.Status, Is.EqualTo(401));
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.EqualTo("Bad credentials"));
        Assert.That(crossed.Status, Is.EqualTo(401));
    }

    [Test]
    public async Task Meta_AndRoot_SayTheyAreAStandIn_AndEveryAnswerCarriesTheMarker()
    {
        var meta = await _session.GetOkAsync("/api/v3/meta");
        var root = await _session.GetOkAsync("/");
        var missing = await _session.GetAsync("/api/v3/users/nobody");

        Assert.That(meta.Json.GetProperty("stand_in").GetBoolean(), Is.True);
        Assert.That(root.Json.GetProperty("stand_in").GetBoolean(), Is.True);
        Assert.That(root.Json.GetProperty("github_api").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}api/v3"));
        Assert.That(root.Json.GetProperty("gitlab_api").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}api/v4"));
        Assert.That(new[] { meta, root, missing }.Select(a => a.Header("X-Stand-In")), Is.All.EqualTo("forge"));
    }

}
