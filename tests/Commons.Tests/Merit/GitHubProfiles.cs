using static Commons.Tests.Merit.ForgeJson;

namespace Commons.Tests.Merit;

/// <summary>GitHub as one person's contributions look through the contract's endpoints, as of <see cref="MeritFacts.Now"/>.</summary>
internal static class GitHubProfiles
{
    private const string Api = "/api/v3";
    private const string Since = "2025-12-04";
    private static readonly DateTimeOffset Now = MeritFacts.Now;

    // ada: one merged pull request into big/lib (merged by maint), two reviews of bob's #9, one issue closed as
    // completed, a self-merged pull request three years ago approved by carol, and her own repository where she
    // merged carol's #3 (a bot's #4 is skipped unopened).
    public static void Ada(FakeForge forge)
    {
        var ada = UserRef("ada");
        var pull7 = Hit("big/lib", 7, ada, Now.AddDays(-40), Now.AddDays(-30));
        var pull9 = Hit("big/lib", 9, UserRef("bob"), Now.AddDays(-25), Now.AddDays(-19));
        forge
            .Json(SearchUrl($"is:pr is:merged author:ada -user:ada merged:>={Since}"), Search(pull7))
            .Json($"{Api}/repos/big/lib", Repo("big/lib", 20000, Now.AddYears(-10)))
            .Json($"{Api}/repos/big/lib/pulls/7", Pull("big/lib", 7, ada, UserRef("maint"), Now.AddDays(-30), 30, 2))
            .Json(SearchUrl($"is:pr is:merged reviewed-by:ada -author:ada merged:>={Since}"), Search(pull9))
            .Json($"{Api}/repos/big/lib/pulls/9/reviews?per_page=100", new[]
            {
                Review("ada", "CHANGES_REQUESTED", Now.AddDays(-24)),
                Review("ada", "APPROVED", Now.AddDays(-20)),
                Review("maint", "APPROVED", Now.AddDays(-19)),
            })
            .Json(
                SearchUrl($"is:issue author:ada -user:ada is:closed reason:completed closed:>={Since}"),
                Search(Hit("big/lib", 11, ada, Now.AddDays(-60), closedAt: Now.AddDays(-50))))
            .Json($"{Api}/repos/big/lib/issues/11", Issue("big/lib", 11, ada, UserRef("maint"), Now.AddDays(-50), "completed"))
            .Json(
                $"{Api}/search/issues?q=is:pr is:merged author:ada -user:ada&sort=created&order=asc&page=1&per_page=5",
                Search(Hit("old/tool", 1, ada, Now.AddYears(-3).AddDays(-1), Now.AddYears(-3)), pull7))
            .Json($"{Api}/repos/old/tool", Repo("old/tool", 300, Now.AddYears(-8)))
            .Json($"{Api}/repos/old/tool/pulls/1", Pull("old/tool", 1, ada, ada, Now.AddYears(-3), 50, 5))
            .Json(
                $"{Api}/repos/old/tool/pulls/1/reviews?per_page=100",
                new[] { Review("carol", "APPROVED", Now.AddYears(-3).AddHours(-2)) })
            .Json(
                $"{Api}/users/ada/repos?type=owner&per_page=100&page=1",
                new[] { Repo("ada/own", 50, Now.AddYears(-4)), Repo("ada/fresh", 1, Now.AddDays(-30)) })
            .Json(SearchUrl($"repo:big/lib is:pr is:merged -author:ada merged:>={Since}"), Search(pull9))
            .Json($"{Api}/repos/big/lib/pulls/9", Pull("big/lib", 9, UserRef("bob"), UserRef("maint"), Now.AddDays(-19), 10, 1))
            .Json(
                SearchUrl($"repo:ada/own is:pr is:merged -author:ada merged:>={Since}"),
                Search(
                    Hit("ada/own", 3, UserRef("carol"), Now.AddDays(-12), Now.AddDays(-10)),
                    Hit("ada/own", 4, UserRef("dependabot[bot]", "Bot"), Now.AddDays(-9), Now.AddDays(-8))))
            .Json($"{Api}/repos/ada/own/pulls/3", Pull("ada/own", 3, UserRef("carol"), ada, Now.AddDays(-10), 40, 4))
            .Json($"{Api}/users/carol", User("carol", Now.AddYears(-7)));
    }
}
