using System.Text.Json;
using Commons.StandIns.Forge.Tests.Infrastructure;

namespace Commons.StandIns.Forge.Tests.GitHub;

/// <summary>GitHub's issue search with the qualifiers the merit collectors send, against <see cref="TestWorld"/>.</summary>
public sealed class SearchTests
{
    private ForgeSession _session = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _session = await ForgeSession.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _session.DisposeAsync();

    [Test]
    public async Task MergedPullsByAnAuthorElsewhere_SinceADate_AreTheOnesMergedSinceThen()
    {
        var titles = await TitlesAsync("is:pr is:merged author:alice -user:alice merged:>=2026-11-01", "sort=created&order=asc");

        Assert.That(titles, Is.EqualTo(new[] { "Widget fix 1", "Widget fix 2", "Widget fix 3" }));
    }

    [Test]
    public async Task MergedPullsByAnAuthor_WithoutTheOwnerExclusion_IncludeTheirOwnRepositories()
    {
        var titles = await TitlesAsync("is:pr is:merged author:alice", "sort=created&order=asc");

        Assert.That(
            titles, Is.EqualTo(new[] { "Ancient fix", "Widget fix 1", "Widget fix 2", "Widget fix 3", "Tweak prompt" }));
    }

    [Test]
    public async Task MergedBefore_FindsOnlyTheOlderOnes()
    {
        var titles = await TitlesAsync("is:pr author:alice merged:<2026-01-01");

        Assert.That(titles, Is.EqualTo(new[] { "Ancient fix" }));
    }

    [Test]
    public async Task ReviewedBy_ExcludingTheirOwn_FindsWhatTheyReviewed()
    {
        var titles = await TitlesAsync("is:pr reviewed-by:alice -author:alice");

        Assert.That(titles, Is.EqualTo(new[] { "Widget refactor" }));
    }

    [Test]
    public async Task ClosedIssuesCompleted_ByAnAuthorElsewhere_LeaveOutNotPlannedAndOpenOnes()
    {
        var completed = await TitlesAsync("is:issue author:alice -user:alice is:closed reason:completed");
        var notPlanned = await TitlesAsync("is:issue author:alice is:closed reason:\"not planned\"");

        Assert.That(completed, Is.EqualTo(new[] { "Crash on start" }));
        Assert.That(notPlanned, Is.EqualTo(new[] { "Feature wish" }));
    }

    [Test]
    public async Task MergedPullsInARepository_ByOthers_AreTheMergesDoneThere()
    {
        var titles = await TitlesAsync("repo:acme/widget is:pr is:merged -author:bob", "sort=created&order=asc");

        Assert.That(titles, Is.EqualTo(new[] { "Ancient fix", "Widget fix 1", "Widget fix 2", "Widget fix 3" }));
    }

    [Test]
    public async Task OpenItems_AreTheOpenPullAndIssue_NewestFirstByDefault()
    {
        var titles = await TitlesAsync("repo:acme/widget is:open");

        Assert.That(titles, Is.EqualTo(new[] { "Open question", "Work in progress" }));
    }

    [Test]
    public async Task Items_HaveGitHubsIssueShape_WithPullRequestOnlyOnPulls()
    {
        var answer = await SearchAsync("repo:acme/widget created:>=2026-11-09", "sort=created&order=asc");
        var items = answer.Json.GetProperty("items").EnumerateArray().ToList();
        var pull = items.Single(i => i.GetProperty("title").GetString() == "Widget fix 2");
        var issue = items.Single(i => i.GetProperty("title").GetString() == "Crash on start");

        Assert.That(answer.Json.GetProperty("incomplete_results").GetBoolean(), Is.False);
        Assert.That(pull.GetProperty("number").GetInt32(), Is.EqualTo(5));
        Assert.That(pull.GetProperty("state").GetString(), Is.EqualTo("closed"));
        Assert.That(pull.GetProperty("user").GetProperty("login").GetString(), Is.EqualTo("alice"));
        Assert.That(pull.GetProperty("user").GetProperty("type").GetString(), Is.EqualTo("User"));
        Assert.That(pull.GetProperty("created_at").GetString(), Is.EqualTo("2026-11-11T00:00:00Z"));
        Assert.That(pull.GetProperty("closed_at").GetString(), Is.EqualTo("2026-11-14T00:00:00Z"));
        Assert.That(
            pull.GetProperty("pull_request").GetProperty("merged_at").GetString(), Is.EqualTo("2026-11-14T00:00:00Z"));
        Assert.That(
            pull.GetProperty("pull_request").GetProperty("url").GetString(),
            Is.EqualTo($"{_session.Forge.BaseUrl}api/v3/repos/acme/widget/pulls/5"));
        Assert.That(
            pull.GetProperty("repository_url").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}api/v3/repos/acme/widget"));
        Assert.That(issue.TryGetProperty("pull_request", out _), Is.False);
        Assert.That(issue.GetProperty("state_reason").GetString(), Is.EqualTo("completed"));
        Assert.That(issue.TryGetProperty("closed_by", out _), Is.False);
    }

    [Test]
    public async Task SortByCreated_OrdersBothWays()
    {
        var ascending = await TitlesAsync("author:alice is:pr", "sort=created&order=asc");
        var descending = await TitlesAsync("author:alice is:pr", "sort=created&order=desc");

        Assert.That(ascending[0], Is.EqualTo("Ancient fix"));
        Assert.That(descending, Is.EqualTo(ascending.AsEnumerable().Reverse()));
    }

    [Test]
    public async Task APageSmallerThanTheResults_LinksTheNextAndLastPages()
    {
        var first = await SearchAsync("author:alice", "sort=created&order=asc&per_page=3");
        var second = await SearchAsync("author:alice", "sort=created&order=asc&per_page=3&page=3");

        Assert.That(first.Json.GetProperty("total_count").GetInt32(), Is.EqualTo(9));
        Assert.That(first.Json.GetProperty("items").GetArrayLength(), Is.EqualTo(3));
        Assert.That(first.Header("Link"), Does.Contain("page=2>; rel=\"next\"").And.Contain("page=3>; rel=\"last\""));
        Assert.That(first.Header("Link"), Does.StartWith($"<{_session.Forge.BaseUrl}api/v3/search/issues?q="));
        Assert.That(second.Header("Link"), Does.Not.Contain("rel=\"next\"").And.Contain("page=2>; rel=\"prev\""));
        Assert.That(second.Json.GetProperty("items").GetArrayLength(), Is.EqualTo(3));
    }

    [Test]
    public async Task OnePageOfResults_HasNoLinkHeader()
    {
        var answer = await SearchAsync("reviewed-by:alice");

        Assert.That(answer.Header("Link"), Is.Null);
    }

    [TestCase("is:pr label:bug", "The qualifier 'label:' is not supported")]
    [TestCase("is:pr merged:>=yesterday", "The value '>=yesterday' of the qualifier 'merged:' is not valid")]
    [TestCase("is:thing", "The value 'thing' of the qualifier 'is:' is not valid")]
    [TestCase("author:", "The qualifier 'author:' needs a value")]
    public async Task AQueryItCannotRead_Is422ValidationFailedNamingTheQualifier(string query, string message)
    {
        var answer = await SearchAsync(query);
        var error = answer.Json.GetProperty("errors")[0];

        Assert.That(answer.Status, Is.EqualTo(422));
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.EqualTo("Validation Failed"));
        Assert.That(answer.Json.GetProperty("documentation_url").GetString(), Does.StartWith("https://docs.github.com/"));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain(message));
        Assert.That(error.GetProperty("resource").GetString(), Is.EqualTo("Search"));
        Assert.That(error.GetProperty("field").GetString(), Is.EqualTo("q"));
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("invalid"));
    }

    [Test]
    public async Task AnUnknownSort_Is422OnTheSortField()
    {
        var answer = await SearchAsync("author:alice", "sort=stars");

        Assert.That(answer.Status, Is.EqualTo(422));
        Assert.That(answer.Json.GetProperty("errors")[0].GetProperty("field").GetString(), Is.EqualTo("sort"));
    }

    private async Task<Answer> SearchAsync(string query, string? extra = null)
    {
        var path = $"/api/v3/search/issues?q={Uri.EscapeDataString(query)}{(extra is null ? "" : "&" + extra)}";
        return await _session.GetAsync(path);
    }

    private async Task<List<string>> TitlesAsync(string query, string? extra = null)
    {
        var answer = await SearchAsync(query, extra);
        Assert.That(answer.Status, Is.EqualTo(200), answer.Text);
        return [.. answer.Json.GetProperty("items").EnumerateArray().Select(Title)];
    }

    private static string Title(JsonElement item) => item.GetProperty("title").GetString()!;
}
