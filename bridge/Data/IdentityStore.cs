using System.Data.Common;
using System.Text.RegularExpressions;
using Commons.Bridge.Auth;
using Dapper;

namespace Commons.Bridge.Data;

/// <summary>A linked forge account, as stored.</summary>
public sealed record IdentityRow(
    string Provider, string ProviderId, string Login, string UserId, long AccountCreatedAt, long LinkedAt);

/// <summary>Why an identity cannot be linked to the account that asked.</summary>
public sealed class IdentityConflictException(string message) : Exception(message);

/// <summary>
/// Forge identities and the users they sign in as. A forge account belongs to one user; a user has at most one
/// identity per forge. The forge's numeric id is the key, so a renamed account stays the same person.
/// </summary>
public sealed partial class IdentityStore(Database database, TimeProvider time)
{
    private const string Columns =
        "provider AS Provider, provider_id AS ProviderId, login AS Login, user_id AS UserId, " +
        "account_created_at AS AccountCreatedAt, linked_at AS LinkedAt";

    /// <summary>Every identity of a user, GitHub first.</summary>
    public async Task<IReadOnlyList<IdentityRow>> ForUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<IdentityRow>(new CommandDefinition(
            $"SELECT {Columns} FROM identities WHERE user_id = @userId ORDER BY provider",
            new { userId },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Finds or creates the user a forge account signs in as. With <paramref name="currentUser"/> (the caller is
    /// already signed in) the account is linked to that user instead (linking it again is no error). Returns the user
    /// and whether the identity is linked to the account that asked.
    /// </summary>
    public async Task<(string UserId, bool Linked)> SignInAsync(
        ForgeAccount account, string? currentUser, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var owner = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT user_id FROM identities WHERE provider = @Provider AND provider_id = @Id", account, transaction);

        string userId;
        if (currentUser is not null)
        {
            if (owner is not null && owner != currentUser)
            {
                throw new IdentityConflictException(
                    $"The {account.Provider} account '{account.Login}' is already linked to another user of this bridge.");
            }

            var held = await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT login FROM identities WHERE user_id = @currentUser AND provider = @Provider AND provider_id <> @Id",
                new { currentUser, account.Provider, account.Id },
                transaction);
            if (held is not null)
            {
                throw new IdentityConflictException(
                    $"Your account already has the {account.Provider} identity '{held}'; one per forge may be linked.");
            }

            userId = currentUser;
        }
        else
        {
            userId = owner ?? await NewUserAsync(connection, transaction, account, now);
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO identities (provider, provider_id, login, user_id, account_created_at, linked_at)
            VALUES (@Provider, @Id, @Login, @userId, @created, @now)
            ON CONFLICT (provider, provider_id) DO UPDATE SET login = excluded.login
            """,
            new { account.Provider, account.Id, account.Login, userId, created = account.CreatedAt.ToUnixTimeMilliseconds(), now },
            transaction);
        await transaction.CommitAsync(cancellationToken);
        return (userId, currentUser is not null);
    }

    /// <summary>
    /// A new user named after the login where that name is free (an operator's account of that name may be someone
    /// else), else <c>LOGIN-PROVIDER</c>, then <c>LOGIN-PROVIDER-2</c> and so on.
    /// </summary>
    private static async Task<string> NewUserAsync(DbConnection connection, DbTransaction transaction, ForgeAccount account, long now)
    {
        var stem = UnsafeInUserId().Replace(account.Login, "-").Trim('-', '.', '_');
        if (stem.Length == 0)
        {
            stem = account.Provider;
        }

        stem = stem.Length > 48 ? stem[..48] : stem;
        foreach (var candidate in Candidates(stem, account.Provider))
        {
            var inserted = await connection.ExecuteAsync(
                "INSERT INTO users (id, created_at) VALUES (@candidate, @now) ON CONFLICT (id) DO NOTHING",
                new { candidate, now },
                transaction);
            if (inserted == 1)
            {
                return candidate;
            }
        }

        throw new IdentityConflictException($"No free user name near '{stem}'.");
    }

    private static IEnumerable<string> Candidates(string stem, string provider)
    {
        yield return stem;
        yield return $"{stem}-{provider}";
        for (var n = 2; n <= 100; n++)
        {
            yield return $"{stem}-{provider}-{n}";
        }
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex UnsafeInUserId();
}
