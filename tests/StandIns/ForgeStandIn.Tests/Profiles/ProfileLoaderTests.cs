using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Tests.Infrastructure;

namespace Commons.StandIns.Forge.Tests.Profiles;

/// <summary>How profile files become a world: copies, spreads, relative dates, numbering, and refusals.</summary>
public sealed class ProfileLoaderTests
{
    private static readonly DateTimeOffset Now = TestWorld.Now;

    private const string Owners = """
        users:
          - {login: owner, provider: github, createdDaysAgo: 1000}
          - {login: dev, provider: github, createdDaysAgo: 500}
        repositories:
          - {owner: owner, name: repo, stars: 10, createdDaysAgo: 900}

        """;

    private static World Load(params string[] files) =>
        ProfileLoader.Load(files.Select((yaml, index) => new ProfileText($"file{index + 1}.yaml", yaml)), Now);

    [Test]
    public void Repeat_WithTheIndexPlaceholder_MakesNumberedCopies()
    {
        var world = Load("""
            users:
              - {login: "sock-{i}", provider: github, name: "Sock number {i}", createdDaysAgo: 60, repeat: 3}
            """);

        Assert.That(world.Accounts.Select(a => a.Login), Is.EqualTo(new[] { "sock-1", "sock-2", "sock-3" }));
        Assert.That(world.Accounts[2].Name, Is.EqualTo("Sock number 3"));
    }

    [Test]
    public void Spread_OverARepeatedEntry_GoesEvenlyFromTheFirstValueToTheLast()
    {
        var world = Load(Owners + """
            pulls:
              - {repo: owner/repo, author: dev, mergedDaysAgo: [30, 10], mergedBy: owner, additions: 5, deletions: 0,
                 repeat: 3}
            """);

        var merged = world.Issues.Select(i => i.Pull!.MergedAt).Order().ToList();
        Assert.That(merged, Is.EqualTo(new DateTimeOffset?[] { Now.AddDays(-30), Now.AddDays(-20), Now.AddDays(-10) }));
    }

    [Test]
    public void Spread_OfAWholeNumber_RoundsEachCopy()
    {
        var world = Load(Owners + """
            pulls:
              - {repo: owner/repo, author: dev, mergedDaysAgo: 1, mergedBy: owner, additions: [1, 2], deletions: 0,
                 repeat: 4}
            """);

        Assert.That(world.Issues.Select(i => i.Pull!.Additions), Is.EqualTo(new[] { 1, 1, 2, 2 }));
    }

    [Test]
    public void DaysAgo_CountBackFromThePinnedClock_AndTakeFractions()
    {
        var world = Load("""
            users:
              - {login: young, provider: github, createdDaysAgo: 1.5}
            """);

        Assert.That(world.Accounts[0].CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero)));
        Assert.That(world.Anchor, Is.EqualTo(Now));
    }

    [Test]
    public void Defaults_OpenAnItemThreeDaysBeforeItEnds_AndDateAReviewHalfwayThrough()
    {
        var world = Load(Owners + """
            pulls:
              - {repo: owner/repo, author: dev, mergedDaysAgo: 10, mergedBy: owner, additions: 5, deletions: 1,
                 reviews: [{user: owner}]}
            """);

        var pull = world.Issues.Single();
        Assert.That(pull.CreatedAt, Is.EqualTo(Now.AddDays(-13)));
        Assert.That(pull.Pull!.Reviews.Single().SubmittedAt, Is.EqualTo(Now.AddDays(-11.5)));
        Assert.That(pull.Pull.Reviews.Single().State, Is.EqualTo("APPROVED"));
        Assert.That(pull.Pull.ChangedFiles, Is.EqualTo(1));
    }

    [Test]
    public void Numbers_FollowCreationPerRepository_SharedByIssuesAndPulls()
    {
        var world = Load(Owners + """
            pulls:
              - {repo: owner/repo, author: dev, title: later pull, createdDaysAgo: 5, additions: 1, deletions: 0}
              - {repo: owner/repo, author: dev, title: earlier pull, createdDaysAgo: 50, additions: 1, deletions: 0}
            issues:
              - {repo: owner/repo, author: dev, title: middle issue, createdDaysAgo: 20}
            """);

        var numbered = world.Issues.OrderBy(i => i.Number).Select(i => (i.Number, i.Title)).ToList();
        Assert.That(numbered, Is.EqualTo(new[] { (1, "earlier pull"), (2, "middle issue"), (3, "later pull") }));
        Assert.That(world.Issues.Select(i => i.Id), Is.Ordered.Ascending);
    }

    [Test]
    public void Load_WithTheSameFilesTwice_GivesTheSameIdsAndNumbers()
    {
        var first = ProfileLoader.Load([new ProfileText("w.yaml", TestWorld.Yaml)], Now);
        var second = ProfileLoader.Load([new ProfileText("w.yaml", TestWorld.Yaml)], Now);

        Assert.That(
            second.Issues.Select(i => (i.Id, i.Number, i.Title)),
            Is.EqualTo(first.Issues.Select(i => (i.Id, i.Number, i.Title))));
        Assert.That(
            second.MergeRequests.Select(m => (m.Id, m.Iid)), Is.EqualTo(first.MergeRequests.Select(m => (m.Id, m.Iid))));
    }

    [Test]
    public void References_ResolveAcrossFiles()
    {
        var world = Load(
            Owners,
            """
            pulls:
              - {repo: owner/repo, author: dev, mergedDaysAgo: 3, mergedBy: owner, additions: 9, deletions: 1}
            """);

        Assert.That(world.Issues.Single().Pull!.MergedBy!.Login, Is.EqualTo("owner"));
    }

    [TestCase("users:\n  - {login: a, provider: github, createdDaysAgo: 1, mergdBy: x}",
        "users[0] (line 2), field 'mergdBy'", "unknown field")]
    [TestCase("users:\n  - {login: a, provider: bitbucket, createdDaysAgo: 1}",
        "users[0] (line 2), field 'provider'", "'bitbucket' is not one of github, gitlab")]
    [TestCase("users:\n  - {login: a, provider: github, createdDaysAgo: -4}",
        "field 'createdDaysAgo'", "cannot be negative")]
    [TestCase("users:\n  - {login: a, provider: github}",
        "field 'createdDaysAgo'", "missing")]
    [TestCase("users:\n  - {login: 'not a login', provider: github, createdDaysAgo: 1}",
        "field 'login'", "is not a GitHub login")]
    [TestCase("users:\n  - {login: a, provider: github, createdDaysAgo: 1, repeat: 0}",
        "field 'repeat'", "from 1 to 10000")]
    [TestCase("users:\n  - {login: a, provider: gitlab, type: Organization, createdDaysAgo: 1}",
        "field 'type'", "GitLab has no organisation accounts")]
    [TestCase("repositories:\n  - {owner: nobody, name: r, createdDaysAgo: 1}",
        "repositories[0] (line 2), field 'owner'", "'nobody' is not a GitHub user in any profile")]
    [TestCase("teams:\n  - {name: x}",
        "(document, line 1), field 'teams'", "unknown section")]
    [TestCase("users: [ {login: a",
        "line ", "(syntax)")]
    public void Load_WithABadFile_RefusesNamingTheFileEntryAndField(string yaml, string where, string why)
    {
        var error = Assert.Throws<ProfileException>(() => Load(yaml))!;

        Assert.That(error.Message, Does.StartWith("file1.yaml: "));
        Assert.That(error.Message, Does.Contain(where));
        Assert.That(error.Message, Does.Contain(why));
    }

    [TestCase("pulls:\n  - {repo: owner/repo, author: dev, mergedDaysAgo: 2, additions: 1, deletions: 0}",
        "field 'mergedBy'", "missing; a merged item needs it")]
    [TestCase("pulls:\n  - {repo: owner/repo, author: dev, createdDaysAgo: 2, mergedBy: owner, additions: 1, deletions: 0}",
        "field 'mergedBy'", "only a merged item has one")]
    [TestCase("pulls:\n  - {repo: owner/nothing, author: dev, createdDaysAgo: 2, additions: 1, deletions: 0}",
        "field 'repo'", "'owner/nothing' is not a repository in any profile")]
    [TestCase("pulls:\n  - {repo: owner/repo, author: dev, createdDaysAgo: 2, additions: many, deletions: 0}",
        "field 'additions'", "'many' is not a number")]
    [TestCase("pulls:\n  - {repo: owner/repo, author: dev, createdDaysAgo: 2, mergedDaysAgo: 5, mergedBy: owner,"
        + " additions: 1, deletions: 0}",
        "field 'mergedDaysAgo'", "is before the pull request was created")]
    [TestCase("pulls:\n  - {repo: owner/repo, author: dev, createdDaysAgo: 9, additions: 1, deletions: 0,"
        + " reviews: [{user: owner, state: LGTM}]}",
        "pulls[0].reviews[0] (line 7), field 'state'", "not one of APPROVED")]
    [TestCase("issues:\n  - {repo: owner/repo, author: dev, createdDaysAgo: 9, stateReason: completed}",
        "field 'stateReason'", "only a closed issue has one")]
    public void Load_WithABadEntryAfterGoodOnes_RefusesNamingTheEntry(string section, string where, string why)
    {
        var error = Assert.Throws<ProfileException>(() => Load(Owners + section))!;

        Assert.That(error.Message, Does.StartWith("file1.yaml: "));
        Assert.That(error.Message, Does.Contain(where));
        Assert.That(error.Message, Does.Contain(why));
    }

    [Test]
    public void Load_WithABadValueInOneCopy_NamesTheCopy()
    {
        var error = Assert.Throws<ProfileException>(() => Load(Owners + """
            pulls:
              - {repo: "owner/{i}", author: dev, createdDaysAgo: 2, additions: 1, deletions: 0, repeat: 3}
            """))!;

        Assert.That(error.Message, Does.Contain("pulls[0], copy 1 of 3 (line 7), field 'repo': 'owner/1'"));
    }

    [Test]
    public void Load_WithALoginDefinedInTwoFiles_NamesBothPlaces()
    {
        var user = "users:\n  - {login: twin, provider: github, createdDaysAgo: 3}\n";

        var error = Assert.Throws<ProfileException>(() => Load(user, user))!;

        Assert.That(error.Message, Does.StartWith("file2.yaml: users[0]"));
        Assert.That(error.Message, Does.Contain("'twin' is already defined in file1.yaml: users[0]"));
    }

    [Test]
    public void LoadFolder_WithoutProfiles_SaysSo()
    {
        var folder = Directory.CreateTempSubdirectory("forge-standin-empty-");
        try
        {
            var error = Assert.Throws<ProfileException>(() => ProfileLoader.LoadFolder(folder.FullName, Now))!;

            Assert.That(error.Message, Does.Contain("the folder holds no .yaml profile"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
