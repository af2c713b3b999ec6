using System.Security.Cryptography;
using System.Text;
using Commons.StandIns.Forge.Profiles;

namespace Commons.StandIns.Forge.GitHub;

/// <summary>
/// Turns the world into GitHub's bodies. URLs point back at the stand-in under the host the client used, with
/// the API under <c>/api/v3</c> as on GitHub Enterprise.
/// </summary>
internal sealed class GitHubViews(World world, string root)
{
    private string Api => $"{root}/api/v3";

    public static GitHubViews For(HttpContext context, World world)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        return new GitHubViews(world, $"{request.Scheme}://{request.Host}{request.PathBase}");
    }

    public SimpleUserBody SimpleUser(Account account) => new(
        account.Login,
        account.Id,
        NodeId(account.Type == AccountType.Organization ? "012:Organization" : $"04:{account.Type}", account.Id),
        $"{root}/avatars/u/{account.Id}",
        $"{Api}/users/{account.Login}",
        $"{root}/{account.Login}",
        account.Type.ToString(),
        SiteAdmin: false);

    public UserBody User(Account account) => new(
        account.Login,
        account.Id,
        SimpleUser(account).NodeId,
        $"{root}/avatars/u/{account.Id}",
        $"{Api}/users/{account.Login}",
        $"{root}/{account.Login}",
        $"{Api}/users/{account.Login}/repos",
        account.Type.ToString(),
        SiteAdmin: false,
        account.Name,
        Company: null,
        Blog: null,
        Location: null,
        Email: null,
        Bio: null,
        world.OwnedRepositoryCount(account),
        PublicGists: 0,
        account.Followers,
        Following: 0,
        account.CreatedAt,
        account.CreatedAt);

    public RepositoryBody Repository(Repository repository) => new(
        repository.Id,
        NodeId("010:Repository", repository.Id),
        repository.Name,
        repository.FullName,
        SimpleUser(repository.Owner),
        Private: false,
        $"{root}/{repository.FullName}",
        Description: null,
        repository.Fork,
        $"{Api}/repos/{repository.FullName}",
        repository.Archived,
        Disabled: false,
        "public",
        repository.Stars,
        repository.Stars,
        repository.Forks,
        world.OpenIssueCount(repository),
        repository.CreatedAt,
        repository.PushedAt,
        repository.PushedAt,
        repository.DefaultBranch);

    /// <summary>
    /// The issue as search lists it. The body built is the detailed one, but a list of <see cref="IssueBody"/> is
    /// written by its declared type, so <c>closed_by</c> stays out of search results as on GitHub.
    /// </summary>
    public IssueBody Issue(IssueItem item) => IssueDetail(item);

    public IssueDetailBody IssueDetail(IssueItem item) => new()
    {
        Id = item.Id,
        NodeId = NodeId(item.IsPull ? "011:PullRequest" : "05:Issue", item.Id),
        Url = IssueUrl(item),
        RepositoryUrl = $"{Api}/repos/{item.Repository.FullName}",
        HtmlUrl = HtmlUrl(item),
        Number = item.Number,
        State = item.State,
        StateReason = item.StateReason,
        Title = item.Title,
        Body = null,
        User = SimpleUser(item.Author),
        CreatedAt = item.CreatedAt,
        UpdatedAt = item.UpdatedAt,
        ClosedAt = item.ClosedAt,
        AuthorAssociation = world.Association(item.Repository, item.Author),
        PullRequest = item.Pull is { } pull ? PullLink(item, pull) : null,
        ClosedBy = item.ClosedBy is { } closer ? SimpleUser(closer) : null,
    };

    public PullBody Pull(IssueItem item, PullDetails pull)
    {
        var repository = item.Repository;
        var author = item.Author;

        // The branch comes from the author's fork, or from the repository itself for its owner.
        var fromFork = author.Id != repository.Owner.Id;
        var headRepository = new HeadRepositoryBody(
            repository.Name,
            $"{author.Login}/{repository.Name}",
            SimpleUser(author),
            fromFork,
            $"{root}/{author.Login}/{repository.Name}");
        var branch = $"change-{item.Number}";
        var head = new HeadBody($"{author.Login}:{branch}", branch, Sha("head", item.Id), SimpleUser(author), headRepository);
        var baseBranch = new BaseBody(
            $"{repository.Owner.Login}:{repository.DefaultBranch}",
            repository.DefaultBranch,
            Sha("base", item.Id),
            SimpleUser(repository.Owner),
            Repository(repository));

        return new PullBody(
            $"{Api}/repos/{repository.FullName}/pulls/{item.Number}",
            item.Id,
            NodeId("011:PullRequest", item.Id),
            $"{root}/{repository.FullName}/pull/{item.Number}",
            $"{root}/{repository.FullName}/pull/{item.Number}.diff",
            IssueUrl(item),
            item.Number,
            item.State,
            Locked: false,
            item.Title,
            SimpleUser(author),
            Body: null,
            item.CreatedAt,
            item.UpdatedAt,
            item.ClosedAt,
            pull.MergedAt,
            pull.MergedAt is null ? null : Sha("merge", item.Id),
            head,
            baseBranch,
            world.Association(repository, author),
            Draft: false,
            Merged: pull.MergedAt is not null,
            Mergeable: null,
            pull.MergedBy is { } merger ? SimpleUser(merger) : null,
            Comments: 0,
            ReviewComments: 0,
            pull.Commits,
            pull.Additions,
            pull.Deletions,
            pull.ChangedFiles);
    }

    public ReviewBody Review(IssueItem item, Review review) => new(
        review.Id,
        NodeId("017:PullRequestReview", review.Id),
        SimpleUser(review.User),
        review.Body,
        review.State,
        $"{root}/{item.Repository.FullName}/pull/{item.Number}#pullrequestreview-{review.Id}",
        $"{Api}/repos/{item.Repository.FullName}/pulls/{item.Number}",
        world.Association(item.Repository, review.User),
        review.SubmittedAt,
        Sha("head", item.Id));

    private IssuePullLinkBody PullLink(IssueItem item, PullDetails pull) => new(
        $"{Api}/repos/{item.Repository.FullName}/pulls/{item.Number}",
        $"{root}/{item.Repository.FullName}/pull/{item.Number}",
        $"{root}/{item.Repository.FullName}/pull/{item.Number}.diff",
        $"{root}/{item.Repository.FullName}/pull/{item.Number}.patch",
        pull.MergedAt);

    private string IssueUrl(IssueItem item) => $"{Api}/repos/{item.Repository.FullName}/issues/{item.Number}";

    private string HtmlUrl(IssueItem item) =>
        $"{root}/{item.Repository.FullName}/{(item.IsPull ? "pull" : "issues")}/{item.Number}";

    /// <summary>GitHub's older node id form: base64 of the type and the database id.</summary>
    private static string NodeId(string type, long id) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"{type}{id}"));

    /// <summary>A commit id that is the same for the same pull request on every start.</summary>
    private static string Sha(string role, long id) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes($"{role}:{id}")))[..40];
}
