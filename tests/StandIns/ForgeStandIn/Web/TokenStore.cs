using System.Collections.Concurrent;
using System.Security.Cryptography;
using Commons.StandIns.Forge.Profiles;

namespace Commons.StandIns.Forge.Web;

/// <summary>
/// The access tokens the stand-in has handed out (or was given with <c>--token</c>), each standing for one profile
/// account of one forge. Tokens live as long as the process.
/// </summary>
internal sealed class TokenStore
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private readonly ConcurrentDictionary<string, (Account Account, string? ClientId)> _tokens = new(StringComparer.Ordinal);

    /// <summary>
    /// Issues a new token in the forge's own format: <c>gho_</c> and 36 characters, or 64 hex digits.
    /// <paramref name="clientId"/> is the OAuth application it was issued to; null for a personal access token.
    /// </summary>
    public string Issue(Account account, string? clientId)
    {
        ArgumentNullException.ThrowIfNull(account);
        var token = account.Forge == ForgeKind.GitHub
            ? $"{(clientId is null ? "ghp_" : "gho_")}{RandomNumberGenerator.GetString(Base62, 36)}"
            : RandomNumberGenerator.GetHexString(64, lowercase: true);
        _tokens[token] = (account, clientId);
        return token;
    }

    /// <summary>Accepts a token chosen by whoever started the stand-in, as a personal access token.</summary>
    public void Add(string token, Account account) => _tokens[token] = (account, null);

    public Account? Find(ForgeKind forge, string token) =>
        _tokens.TryGetValue(token, out var entry) && entry.Account.Forge == forge ? entry.Account : null;

    /// <summary>The OAuth application a token was issued to; null for a personal access token or an unknown token.</summary>
    public string? ClientIdOf(string token) => _tokens.TryGetValue(token, out var entry) ? entry.ClientId : null;
}
