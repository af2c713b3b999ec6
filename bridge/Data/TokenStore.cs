using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Commons.Bridge.Data;

/// <summary>
/// Bearer tokens. Only a SHA-256 hash is stored: a copy of the database gives nobody a usable token. The tokens are
/// 256 random bits, so a fast hash is enough; there is nothing to brute-force.
/// </summary>
public sealed class TokenStore(Database database, TimeProvider time)
{
    public const string Prefix = "cct_";

    /// <summary>Creates the user if needed and a new token for them; returns the token, which is shown once.</summary>
    public async Task<string> CreateAsync(string userId, CancellationToken cancellationToken)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO users (id, created_at) VALUES (@userId, @now) ON CONFLICT (id) DO NOTHING",
            new { userId, now },
            transaction);
        await connection.ExecuteAsync(
            "INSERT INTO tokens (hash, user_id, created_at) VALUES (@hash, @userId, @now)",
            new { hash = Hash(token), userId, now },
            transaction);
        await transaction.CommitAsync(cancellationToken);
        return token;
    }

    /// <summary>The user a token belongs to, or null for an unknown or revoked token.</summary>
    public async Task<string?> FindUserAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT user_id FROM tokens WHERE hash = @hash AND revoked_at IS NULL",
            new { hash = Hash(token) },
            cancellationToken: cancellationToken));
    }

    /// <summary>Revokes a token; returns false when it was unknown or already revoked.</summary>
    public async Task<bool> RevokeAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE tokens SET revoked_at = @now WHERE hash = @hash AND revoked_at IS NULL",
            new { hash = Hash(token), now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return changed == 1;
    }

    internal static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
