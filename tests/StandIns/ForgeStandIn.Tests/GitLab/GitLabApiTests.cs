using System.Text.Json;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Tests.Infrastructure;

namespace Commons.StandIns.Forge.Tests.GitLab;

/// <summary>GitLab's users, merge request lists, approvals, diffs and projects, against <see cref="TestWorld"/>.</summary>
public sealed class GitLabApiTests
{
    private ForgeSession _session = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _session = await ForgeSession.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _session.DisposeAsync();

    [Test]
    public async Task UsersByUsername_IsAListOfThatOneUser_InGitLabsShape()
    {
        var users = (await _session.GetOkAsync("/api/v4/users?username=carol")).Json;
        var carol = users[0];

        Assert.That(users.GetArrayLength(), Is.EqualTo(1));
        Assert.That(carol.GetProperty("username").GetString(), Is.EqualTo("carol"));
        Assert.That(
            carol.GetProperty("id").GetInt64(), Is.EqualTo(_session.Forge.World.FindAccount(ForgeKind.GitLab, "carol")!.Id));
        Assert.That(carol.GetProperty("name").GetString(), Is.EqualTo("Carol Example"));
        Assert.That(carol.GetProperty("state").GetString(), Is.EqualTo("active"));
        Assert.That(carol.GetProperty("web_url").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}carol"));
        Assert.That(carol.GetProperty("created_at").GetString(), Is.EqualTo("2024-09-25T00:00:00.000Z"));
        Assert.That(carol.GetProperty("bot").GetBoolean(), Is.False);
        Assert.That(carol.GetProperty("avatar_url").GetString(), Does.StartWith(_session.Forge.BaseUrl.ToString()));
    }

    [Test]
    public async Task UsersByUsername_OfNobody_IsAnEmptyList_AndUserById_IsFoundOr404()
    {
        var nobody = (await _session.GetOkAsync("/api/v4/users?username=nobody")).Json;
        var bot = _session.Forge.World.FindAccount(ForgeKind.GitLab, "deploy-bot")!;
        var byId = (await _session.GetOkAsync($"/api/v4/users/{bot.Id}")).Json;
        var missing = await _session.GetAsync("/api/v4/users/999999");

        Assert.That(nobody.GetArrayLength(), Is.Zero);
        Assert.That(byId.GetProperty("bot").GetBoolean(), Is.True);
        Assert.That(missing.Status, Is.EqualTo(404));
        Assert.That(missing.Json.GetProperty("message").GetString(), Is.EqualTo("404 User Not Found"));
    }

    [Test]
    public async Task MergedByAuthor_UpdatedAfterADate_AreTheRecentMergedOnes_NewestFirst()
    {
        var requests = (await _session.GetOkAsync(
            "/api/v4/merge_requests?scope=all&state=merged&author_username=carol&updated_after=2025-12-04T00:00:00Z"
            + "&per_page=100&page=1")).Json;

        Assert.That(Titles(requests), Is.EqualTo(new[]
        {
            "Builder change 5", "Builder change 4", "Builder change 3", "Builder change 2", "Builder change 1",
        }));
    }

    [Test]
    public async Task MergeRequest_HasGitLabsFields()
    {
        var requests = (await _session.GetOkAsync("/api/v4/merge_requests?scope=all&author_username=dave")).Json;
        var request = requests[0];

        Assert.That(request.GetProperty("iid").GetInt32(), Is.EqualTo(6));
        Assert.That(request.GetProperty("title").GetString(), Is.EqualTo("Dave's change"));
        Assert.That(request.GetProperty("state").GetString(), Is.EqualTo("merged"));
        Assert.That(
            request.GetProperty("project_id").GetInt64(), Is.EqualTo(_session.Forge.World.FindProject("tools/builder")!.Id));
        Assert.That(request.GetProperty("created_at").GetString(), Is.EqualTo("2026-11-18T00:00:00.000Z"));
        Assert.That(request.GetProperty("merged_at").GetString(), Is.EqualTo("2026-11-22T00:00:00.000Z"));
        Assert.That(request.GetProperty("closed_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(request.GetProperty("author").GetProperty("username").GetString(), Is.EqualTo("dave"));
        Assert.That(request.GetProperty("merged_by").GetProperty("username").GetString(), Is.EqualTo("dave"));
        Assert.That(request.GetProperty("merge_user").GetProperty("username").GetString(), Is.EqualTo("dave"));
        Assert.That(
            request.GetProperty("web_url").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}tools/builder/-/merge_requests/6"));
        Assert.That(
            request.GetProperty("source_project_id").GetInt64(), Is.EqualTo(request.GetProperty("target_project_id").GetInt64()));
    }

    [Test]
    public async Task ApprovedByUsername_ListsWhatThatPersonApproved()
    {
        var byCarol = (await _session.GetOkAsync(
            "/api/v4/merge_requests?scope=all&state=merged&approved_by_usernames[]=carol")).Json;
        var byBoth = (await _session.GetOkAsync(
            "/api/v4/merge_requests?scope=all&approved_by_usernames[]=carol&approved_by_usernames[]=erin")).Json;
        var byErin = (await _session.GetOkAsync("/api/v4/merge_requests?scope=all&approved_by_usernames[]=erin")).Json;
        var byNobody = (await _session.GetOkAsync("/api/v4/merge_requests?scope=all&approved_by_usernames[]=None")).Json;

        Assert.That(Titles(byCarol), Is.EqualTo(new[] { "Dave's change" }));
        Assert.That(Titles(byBoth), Is.EqualTo(new[] { "Dave's change" }));
        Assert.That(byErin.GetArrayLength(), Is.EqualTo(6));
        Assert.That(Titles(byNobody), Is.EqualTo(new[] { "Closed idea", "Old change" }));
    }

    [Test]
    public async Task TheDefaultScope_IsMine_SoItNeedsAToken()
    {
        var anonymous = await _session.GetAsync("/api/v4/merge_requests?state=closed");
        var token = _session.Forge.IssueToken(ForgeKind.GitLab, "carol");
        var mine = await _session.GetAsync("/api/v4/merge_requests?state=closed", $"Bearer {token}");

        Assert.That(anonymous.Status, Is.EqualTo(401));
        Assert.That(anonymous.Json.GetProperty("message").GetString(), Is.EqualTo("401 Unauthorized"));
        Assert.That(Titles(mine.Json), Is.EqualTo(new[] { "Closed idea" }));
    }

    [TestCase("scope=all&state=shut", "state does not have a valid value")]
    [TestCase("scope=everything", "scope does not have a valid value")]
    [TestCase("scope=all&updated_after=last-week", "updated_after is invalid")]
    [TestCase("scope=all&order_by=stars", "order_by does not have a valid value")]
    [TestCase("scope=all&author_username=carol&author_id=1", "author_id, author_username are mutually exclusive")]
    public async Task AParameterWithABadValue_Is400InGitLabsWords(string query, string message)
    {
        var answer = await _session.GetAsync($"/api/v4/merge_requests?{query}");

        Assert.That(answer.Status, Is.EqualTo(400));
        Assert.That(answer.Json.GetProperty("error").GetString(), Is.EqualTo(message));
    }

    [Test]
    public async Task AListLongerThanAPage_SaysWhereTheNextPageIs_AndTheLastSaysThereIsNone()
    {
        var first = await _session.GetOkAsync("/api/v4/merge_requests?scope=all&author_username=carol&per_page=3");
        var last = await _session.GetOkAsync("/api/v4/merge_requests?scope=all&author_username=carol&per_page=3&page=3");

        Assert.That(first.Header("X-Page"), Is.EqualTo("1"));
        Assert.That(first.Header("X-Per-Page"), Is.EqualTo("3"));
        Assert.That(first.Header("X-Next-Page"), Is.EqualTo("2"));
        Assert.That(first.Header("X-Total"), Is.EqualTo("7"));
        Assert.That(first.Header("X-Total-Pages"), Is.EqualTo("3"));
        Assert.That(first.Header("Link"), Does.Contain("page=2>; rel=\"next\""));
        Assert.That(last.Header("X-Next-Page"), Is.Empty);
        Assert.That(last.Json.GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task Approvals_ListTheApprovers()
    {
        var approvals = (await _session.GetOkAsync("/api/v4/projects/tools%2Fbuilder/merge_requests/6/approvals")).Json;

        Assert.That(approvals.GetProperty("iid").GetInt32(), Is.EqualTo(6));
        Assert.That(approvals.GetProperty("approved").GetBoolean(), Is.True);
        Assert.That(approvals.GetProperty("approvals_required").GetInt32(), Is.EqualTo(1));
        Assert.That(approvals.GetProperty("approvals_left").GetInt32(), Is.Zero);
        Assert.That(
            approvals.GetProperty("approved_by").EnumerateArray()
                .Select(a => a.GetProperty("user").GetProperty("username").GetString()),
            Is.EqualTo(new[] { "carol", "erin" }));
    }

    [Test]
    public async Task Approvals_OfAnUnapprovedRequest_AreLeftToDo()
    {
        var approvals = (await _session.GetOkAsync("/api/v4/projects/tools%2Fbuilder/merge_requests/1/approvals")).Json;

        Assert.That(approvals.GetProperty("approved").GetBoolean(), Is.False);
        Assert.That(approvals.GetProperty("approvals_left").GetInt32(), Is.EqualTo(1));
        Assert.That(approvals.GetProperty("approved_by").GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Diffs_CountTheRequestsAddedAndRemovedLines()
    {
        var project = _session.Forge.World.FindProject("tools/builder")!;
        var request = _session.Forge.World.FindMergeRequest(project, 4)!;

        var diffs = (await _session.GetOkAsync($"/api/v4/projects/{project.Id}/merge_requests/4/diffs?per_page=100")).Json;
        var lines = diffs.EnumerateArray()
            .SelectMany(d => d.GetProperty("diff").GetString()!.Split('\n').Skip(1))
            .ToList();

        Assert.That(diffs.GetArrayLength(), Is.EqualTo(2));
        Assert.That(diffs.EnumerateArray().Select(d => d.GetProperty("diff").GetString()), Is.All.StartWith("@@ "));
        Assert.That(diffs[0].GetProperty("old_path").GetString(), Is.EqualTo(diffs[0].GetProperty("new_path").GetString()));
        Assert.That(lines.Count(l => l.StartsWith('+')), Is.EqualTo(request.Additions).And.EqualTo(35));
        Assert.That(lines.Count(l => l.StartsWith('-')), Is.EqualTo(request.Deletions).And.EqualTo(13));
    }

    [Test]
    public async Task Project_NotAFork_LeavesForkedFromProjectOut()
    {
        var project = (await _session.GetOkAsync("/api/v4/projects/tools%2Fbuilder")).Json;

        Assert.That(project.GetProperty("path_with_namespace").GetString(), Is.EqualTo("tools/builder"));
        Assert.That(project.GetProperty("name").GetString(), Is.EqualTo("builder"));
        Assert.That(project.GetProperty("star_count").GetInt32(), Is.EqualTo(321));
        Assert.That(project.GetProperty("forks_count").GetInt32(), Is.EqualTo(4));
        Assert.That(project.GetProperty("archived").GetBoolean(), Is.False);
        Assert.That(project.GetProperty("created_at").GetString(), Is.EqualTo("2024-03-09T00:00:00.000Z"));
        Assert.That(project.GetProperty("last_activity_at").GetString(), Is.EqualTo("2026-11-29T00:00:00.000Z"));
        Assert.That(project.GetProperty("web_url").GetString(), Is.EqualTo($"{_session.Forge.BaseUrl}tools/builder"));
        Assert.That(project.GetProperty("namespace").GetProperty("kind").GetString(), Is.EqualTo("group"));
        Assert.That(project.GetProperty("namespace").GetProperty("full_path").GetString(), Is.EqualTo("tools"));
        Assert.That(project.TryGetProperty("forked_from_project", out _), Is.False);
    }

    [Test]
    public async Task Project_AFork_ByNumericId_NamesItsUpstream()
    {
        var fork = _session.Forge.World.FindProject("carol/builder")!;

        var project = (await _session.GetOkAsync($"/api/v4/projects/{fork.Id}")).Json;

        Assert.That(project.GetProperty("namespace").GetProperty("kind").GetString(), Is.EqualTo("user"));
        Assert.That(
            project.GetProperty("forked_from_project").GetProperty("path_with_namespace").GetString(),
            Is.EqualTo("tools/builder"));
    }

    [TestCase("/api/v4/projects/nope%2Fnothing", "404 Project Not Found")]
    [TestCase("/api/v4/projects/tools%2Fbuilder/merge_requests/99/approvals", "404 Merge Request Not Found")]
    public async Task SomethingUnknown_IsGitLabsNotFound(string path, string message)
    {
        var answer = await _session.GetAsync(path);

        Assert.That(answer.Status, Is.EqualTo(404));
        Assert.That(answer.Json.GetProperty("message").GetString(), Is.EqualTo(message));
    }

    [Test]
    public async Task AuthenticatedUser_TakesABearerOrAPrivateToken()
    {
        var token = _session.Forge.IssueToken(ForgeKind.GitLab, "carol");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v4/user");
        request.Headers.Add("PRIVATE-TOKEN", token);

        var bearer = await _session.GetAsync("/api/v4/user", $"Bearer {token}");
        using var privateToken = await _session.Http.SendAsync(request);
        var anonymous = await _session.GetAsync("/api/v4/user");

        Assert.That(bearer.Json.GetProperty("username").GetString(), Is.EqualTo("carol"));
        Assert.That((int)privateToken.StatusCode, Is.EqualTo(200));
        Assert.That(anonymous.Status, Is.EqualTo(401));
    }


    private static List<string?> Titles(JsonElement requests) =>
        [.. requests.EnumerateArray().Select(r => r.GetProperty("title").GetString())];
}
