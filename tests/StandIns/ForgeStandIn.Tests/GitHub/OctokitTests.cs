using Commons.StandIns.Forge.Hosting;
using Commons.StandIns.Forge.Tests.Infrastructure;
using Octokit;
using ForgeKind = Commons.StandIns.Forge.Profiles.ForgeKind;

namespace Commons.StandIns.Forge.Tests.GitHub;

/// <summary>
/// The unmodified Octokit client, pointed at the stand-in as at a GitHub Enterprise host: if the /api/v3 layout or
/// a field name were off, Octokit's models would come back empty or it would throw.
/// </summary>
public sealed class OctokitTests
{
    private RunningForgeStandIn _forge = null!;
    private GitHubClient _github = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _forge = await StandIn.StartAsync();
        _github = new GitHubClient(new ProductHeaderValue("x"), _forge.BaseUrl)
        {
            Credentials = new Credentials(_forge.IssueToken(ForgeKind.GitHub, "alice")),
        };
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _forge.DisposeAsync();

    [Test]
    public async Task CurrentUser_IsTheTokensAccount()
    {
        var user = await _github.User.Current();

        Assert.That(user.Login, Is.EqualTo("alice"));
        Assert.That(user.Type, Is.EqualTo(AccountType.User));
        Assert.That(user.Name, Is.EqualTo("Alice Example"));
        Assert.That(user.CreatedAt, Is.EqualTo(TestWorld.Now.AddDays(-1000)));
        Assert.That(user.Followers, Is.EqualTo(7));
    }

    [Test]
    public async Task AUser_OfTypeBot_ReadsAsABot()
    {
        var user = await _github.User.Get("helper[bot]");

        Assert.That(user.Type, Is.EqualTo(AccountType.Bot));
    }

    [Test]
    public async Task SearchIssues_ReadsTheMergedPulls()
    {
        var request = new SearchIssuesRequest("is:pr is:merged author:alice -user:alice merged:>=2026-01-01")
        {
            SortField = IssueSearchSort.Created,
            Order = SortDirection.Ascending,
        };

        var result = await _github.Search.SearchIssues(request);

        Assert.That(result.TotalCount, Is.EqualTo(3));
        Assert.That(result.Items.Select(i => i.Number), Is.EqualTo(new[] { 3, 5, 7 }));
        Assert.That(result.Items[0].User.Login, Is.EqualTo("alice"));
        Assert.That(result.Items[0].PullRequest, Is.Not.Null);
        Assert.That(result.Items[0].ClosedAt, Is.EqualTo(TestWorld.Now.AddDays(-30)));
    }

    [Test]
    public async Task Pull_ReadsWhoMergedItAndItsSize()
    {
        var pull = await _github.PullRequest.Get("acme", "widget", 5);

        Assert.That(pull.Merged, Is.True);
        Assert.That(pull.MergedAt, Is.EqualTo(TestWorld.Now.AddDays(-20)));
        Assert.That(pull.MergedBy.Login, Is.EqualTo("bob"));
        Assert.That(pull.User.Login, Is.EqualTo("alice"));
        Assert.That(pull.Additions, Is.EqualTo(110));
        Assert.That(pull.Deletions, Is.EqualTo(5));
        Assert.That(pull.Base.Repository.FullName, Is.EqualTo("acme/widget"));
        Assert.That(pull.Base.Repository.Owner.Login, Is.EqualTo("acme"));
    }

    [Test]
    public async Task Reviews_AndRepository_Read()
    {
        var reviews = await _github.PullRequest.Review.GetAll("acme", "widget", 2);
        var repository = await _github.Repository.Get("acme", "widget");

        Assert.That(reviews.Select(r => r.State.Value), Is.EqualTo(new[]
        {
            PullRequestReviewState.ChangesRequested, PullRequestReviewState.Approved,
        }));
        Assert.That(reviews[1].User.Login, Is.EqualTo("alice"));
        Assert.That(repository.StargazersCount, Is.EqualTo(1234));
        Assert.That(repository.Owner.Type, Is.EqualTo(AccountType.Organization));
        Assert.That(repository.Fork, Is.False);
        Assert.That(repository.Archived, Is.False);
    }

    [Test]
    public async Task ApiInfo_ReadsTheRateLimitHeaders()
    {
        await _github.Repository.Get("acme", "widget");

        var info = _github.GetLastApiInfo();

        Assert.That(info.RateLimit.Limit, Is.EqualTo(5000));
        Assert.That(info.RateLimit.Remaining, Is.LessThan(5000));
        Assert.That(info.Etag, Does.StartWith("\""));
    }
}
