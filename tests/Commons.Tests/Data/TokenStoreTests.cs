using System.Security.Cryptography;
using System.Text;
using Commons.Bridge.Data;
using Microsoft.Extensions.Time.Testing;

namespace Commons.Tests.Data;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class TokenStoreTests : IDisposable
{
    private readonly DataTestFolder _data = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.Zero));

    public void Dispose() => _data.Dispose();

    [Test]
    public async Task CreateAsync_WhenCalled_ReturnsAPrefixedRandomToken()
    {
        var tokens = await CreateSutAsync();

        var first = await tokens.CreateAsync("alice", CancellationToken.None);
        var second = await tokens.CreateAsync("alice", CancellationToken.None);

        Assert.That(first, Does.Match("^cct_[A-Za-z0-9_-]{43}$"));
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM users"), Is.EqualTo(1));
        Assert.That(await _data.ScalarAsync("SELECT COUNT(*) FROM tokens"), Is.EqualTo(2));
    }

    [Test]
    public async Task FindUserAsync_WhenTokenWasCreated_ReturnsItsUser()
    {
        var tokens = await CreateSutAsync();
        var alice = await tokens.CreateAsync("alice", CancellationToken.None);
        var bob = await tokens.CreateAsync("bob", CancellationToken.None);

        var aliceUser = await tokens.FindUserAsync(alice, CancellationToken.None);
        var bobUser = await tokens.FindUserAsync(bob, CancellationToken.None);

        Assert.That(aliceUser, Is.EqualTo("alice"));
        Assert.That(bobUser, Is.EqualTo("bob"));
    }

    [TestCase("")]
    [TestCase("cct_")]
    [TestCase("cct_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task FindUserAsync_WhenTokenIsUnknown_ReturnsNull(string token)
    {
        var tokens = await CreateSutAsync();
        await tokens.CreateAsync("alice", CancellationToken.None);

        var user = await tokens.FindUserAsync(token, CancellationToken.None);

        Assert.That(user, Is.Null);
    }

    [Test]
    public async Task FindUserAsync_WhenTokenDiffersInOneCharacter_ReturnsNull()
    {
        var tokens = await CreateSutAsync();
        var token = await tokens.CreateAsync("alice", CancellationToken.None);
        var altered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        var user = await tokens.FindUserAsync(altered, CancellationToken.None);

        Assert.That(user, Is.Null);
    }

    [Test]
    public async Task FindUserAsync_WhenTokenWasRevoked_ReturnsNull()
    {
        var tokens = await CreateSutAsync();
        var token = await tokens.CreateAsync("alice", CancellationToken.None);
        await _data.ExecuteAsync("UPDATE tokens SET revoked_at = 1");

        var user = await tokens.FindUserAsync(token, CancellationToken.None);

        Assert.That(user, Is.Null);
    }

    [Test]
    public async Task CreateAsync_WhenStored_KeepsOnlyTheHashOfTheToken()
    {
        var tokens = await CreateSutAsync();

        var token = await tokens.CreateAsync("alice", CancellationToken.None);

        var stored = await _data.AllValuesAsync("tokens");
        var secret = token["cct_".Length..];
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        Assert.That(stored, Has.None.Contains(secret));
        Assert.That(stored, Does.Contain(sha256));
        Assert.That(stored, Does.Contain("alice"));
        Assert.That(stored, Does.Contain(_time.GetUtcNow().ToUnixTimeMilliseconds().ToString(
            System.Globalization.CultureInfo.InvariantCulture)));
    }

    private async Task<TokenStore> CreateSutAsync()
    {
        await _data.Database.MigrateAsync(CancellationToken.None);
        return new TokenStore(_data.Database, _time);
    }
}
