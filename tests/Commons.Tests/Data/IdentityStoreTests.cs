using Commons.Bridge.Auth;
using Commons.Bridge.Data;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Data;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class IdentityStoreTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2020, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly DataTestFolder _data = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => _data.Dispose();

    [Test]
    public async Task SignInAsync_ForANewAccount_CreatesAUserNamedAfterTheLogin()
    {
        var store = await CreateSutAsync();

        var (user, linked) = await store.SignInAsync(GitHub("42", "octo-cat"), null, CancellationToken.None);

        Assert.That(user, Is.EqualTo("octo-cat"));
        Assert.That(linked, Is.False);
        var identities = await store.ForUserAsync(user, CancellationToken.None);
        Assert.That(identities.Select(i => (i.Provider, i.ProviderId, i.Login)), Is.EqualTo(new[] { ("github", "42", "octo-cat") }));
        Assert.That(identities[0].AccountCreatedAt, Is.EqualTo(Created.ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task SignInAsync_ForAKnownAccount_ReturnsItsUserAndRecordsARename()
    {
        var store = await CreateSutAsync();
        await store.SignInAsync(GitHub("42", "octocat"), null, CancellationToken.None);

        var (user, _) = await store.SignInAsync(GitHub("42", "octocat-renamed"), null, CancellationToken.None);

        Assert.That(user, Is.EqualTo("octocat"));
        Assert.That((await store.ForUserAsync("octocat", CancellationToken.None)).Single().Login, Is.EqualTo("octocat-renamed"));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM users"), Is.EqualTo(1));
    }

    [Test]
    public async Task SignInAsync_WhenTheLoginIsTakenByAnotherPerson_PicksAFreeName()
    {
        var store = await CreateSutAsync();
        await new TokenStore(_data.Database, _time).CreateAsync("alice", CancellationToken.None);
        var (first, _) = await store.SignInAsync(GitHub("1", "alice"), null, CancellationToken.None);

        var (second, _) = await store.SignInAsync(GitLab("7", "alice"), null, CancellationToken.None);

        Assert.That(first, Is.EqualTo("alice-github"));
        Assert.That(second, Is.EqualTo("alice-gitlab"));
    }

    [Test]
    public async Task SignInAsync_WithACurrentUser_LinksTheOtherForge()
    {
        var store = await CreateSutAsync();
        var (user, _) = await store.SignInAsync(GitHub("42", "octocat"), null, CancellationToken.None);

        var (same, linked) = await store.SignInAsync(GitLab("9", "octo"), user, CancellationToken.None);

        Assert.That(same, Is.EqualTo(user));
        Assert.That(linked, Is.True);
        Assert.That((await store.ForUserAsync(user, CancellationToken.None)).Select(i => i.Provider), Is.EqualTo(new[] { "github", "gitlab" }));
    }

    [Test]
    public async Task SignInAsync_LinkingTheSameAccountAgain_StillReportsItLinked()
    {
        var store = await CreateSutAsync();
        var (user, _) = await store.SignInAsync(GitHub("42", "octocat"), null, CancellationToken.None);
        await store.SignInAsync(GitLab("9", "octo"), user, CancellationToken.None);

        var (same, linked) = await store.SignInAsync(GitLab("9", "octo"), user, CancellationToken.None);

        Assert.That((same, linked), Is.EqualTo((user, true)));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM identities"), Is.EqualTo(2));
    }

    [Test]
    public async Task SignInAsync_LinkingAnAccountOfSomeoneElse_IsRefused()
    {
        var store = await CreateSutAsync();
        await store.SignInAsync(GitLab("9", "octo"), null, CancellationToken.None);
        var (other, _) = await store.SignInAsync(GitHub("5", "mallory"), null, CancellationToken.None);

        var e = await Assert.ThrowsAsync<IdentityConflictException>(() => store.SignInAsync(GitLab("9", "octo"), other, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("already linked to another user"));
        Assert.That((await store.ForUserAsync(other, CancellationToken.None)).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task SignInAsync_LinkingASecondAccountOfOneForge_IsRefused()
    {
        var store = await CreateSutAsync();
        var (user, _) = await store.SignInAsync(GitHub("42", "octocat"), null, CancellationToken.None);

        var e = await Assert.ThrowsAsync<IdentityConflictException>(() => store.SignInAsync(GitHub("43", "octocat2"), user, CancellationToken.None));

        Assert.That(e!.Message, Does.Contain("one per forge"));
    }

    [Test]
    public async Task SignInAsync_ALoginWithCharactersUsersCannotHave_IsMadeSafe()
    {
        var store = await CreateSutAsync();

        var (user, _) = await store.SignInAsync(GitLab("3", "jo.smith+x"), null, CancellationToken.None);

        Assert.That(user, Is.EqualTo("jo.smith-x"));
    }

    private static ForgeAccount GitHub(string id, string login) =>
        new("github", id, login, false, Created, $"https://github.com/{login}");

    private static ForgeAccount GitLab(string id, string login) =>
        new("gitlab", id, login, false, Created, $"https://gitlab.com/{login}");

    private async Task<IdentityStore> CreateSutAsync()
    {
        await _data.Database.MigrateAsync(CancellationToken.None);
        return new IdentityStore(_data.Database, _time);
    }
}
