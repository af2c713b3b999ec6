namespace Commons.StandIns.Forge.Tests.Infrastructure;

/// <summary>
/// A small world that every API test reads, with the clock pinned to <see cref="Now"/>. Numbers in comments are
/// what the profile rules make of it: pull requests and issues of acme/widget are numbered by creation date.
/// </summary>
public static class TestWorld
{
    public static readonly DateTimeOffset Now = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

    public const string Yaml = """
        # The world of the stand-in's own tests.
        users:
          - {login: alice, provider: github, name: Alice Example, createdDaysAgo: 1000, followers: 7}
          - {login: bob, provider: github, createdDaysAgo: 2000}
          - {login: acme, provider: github, type: Organization, createdDaysAgo: 3000}
          - {login: "helper[bot]", provider: github, type: Bot, createdDaysAgo: 500}
          - {login: carol, provider: gitlab, name: Carol Example, createdDaysAgo: 800}
          - {login: dave, provider: gitlab, createdDaysAgo: 1500}
          - {login: erin, provider: gitlab, createdDaysAgo: 1200}
          - {login: "deploy-bot", provider: gitlab, type: Bot, createdDaysAgo: 100}

        repositories:
          - {owner: acme, name: widget, stars: 1234, forks: 56, createdDaysAgo: 1500}
          - {owner: alice, name: dotfiles, stars: 3, createdDaysAgo: 900}
          - {owner: alice, name: old-fork, fork: true, archived: true, createdDaysAgo: 700}

        pulls:
          # acme/widget #1: merged 400 days ago.
          - repo: acme/widget
            author: alice
            title: Ancient fix
            mergedDaysAgo: 400
            mergedBy: bob
            additions: 20
            deletions: 2
          # acme/widget #2: bob's own, reviewed twice by alice.
          - repo: acme/widget
            author: bob
            title: Widget refactor
            createdDaysAgo: 50
            mergedDaysAgo: 40
            mergedBy: bob
            additions: 10
            deletions: 10
            reviews:
              - {user: alice, state: CHANGES_REQUESTED, daysAgo: 45}
              - {user: alice, state: APPROVED, daysAgo: 41}
          # acme/widget #3, #5, #7: merged 30, 20 and 10 days ago (created 3 days before each).
          - repo: acme/widget
            author: alice
            title: "Widget fix {i}"
            mergedDaysAgo: [30, 10]
            mergedBy: bob
            additions: [100, 120]
            deletions: 5
            reviews: [{user: bob, state: APPROVED}]
            repeat: 3
          # acme/widget #8: open.
          - repo: acme/widget
            author: alice
            title: Work in progress
            createdDaysAgo: 2
            additions: 3
            deletions: 1
          # alice/dotfiles #1: merged by herself.
          - repo: alice/dotfiles
            author: alice
            title: Tweak prompt
            mergedDaysAgo: 5
            mergedBy: alice
            additions: 1
            deletions: 0

        issues:
          # acme/widget #4 and #6: closed 15 and 16 days ago; #9: open.
          - {repo: acme/widget, author: alice, title: Crash on start, createdDaysAgo: 25, closedDaysAgo: 15,
             closedBy: bob, stateReason: completed}
          - {repo: acme/widget, author: alice, title: Feature wish, createdDaysAgo: 19, closedDaysAgo: 16,
             closedBy: bob, stateReason: not_planned}
          - {repo: acme/widget, author: alice, title: Open question, createdDaysAgo: 1}

        projects:
          - {namespace: tools, kind: group, name: builder, stars: 321, forks: 4, createdDaysAgo: 1000}
          - {namespace: carol, name: builder, forkedFrom: tools/builder, createdDaysAgo: 300}

        mergeRequests:
          # tools/builder !1: merged 700 days ago.
          - {project: tools/builder, author: carol, title: Old change, mergedDaysAgo: 700, mergedBy: dave,
             additions: 5, deletions: 5}
          # !2: closed without merging.
          - {project: tools/builder, author: carol, title: Closed idea, createdDaysAgo: 60, closedDaysAgo: 50,
             additions: 1, deletions: 1}
          # !3, !4, !5, !7, !8: merged 25, 20, 15, 10 and 5 days ago.
          - project: tools/builder
            author: carol
            title: "Builder change {i}"
            mergedDaysAgo: [25, 5]
            mergedBy: dave
            approvedBy: [erin]
            reviewers: [erin]
            additions: [30, 50]
            deletions: [10, 20]
            files: 2
            repeat: 5
          # !6: dave's, approved by carol and erin.
          - {project: tools/builder, author: dave, title: Dave's change, createdDaysAgo: 16, mergedDaysAgo: 12,
             mergedBy: dave, approvedBy: [carol, erin], additions: 7, deletions: 3}
        """;
}
