using System.Security.Cryptography;
using Commons.StandIns.Forge.Hosting;
using Commons.StandIns.Forge.Profiles;
using Commons.StandIns.Forge.Web;

namespace Commons.StandIns.Forge.DeviceFlow;

/// <summary>Where a device code stands: waiting, decided in the browser, or exchanged for its token.</summary>
internal enum DeviceState
{
    Pending,
    Approved,
    Denied,
    Redeemed,
}

/// <summary>One device code and what happened to it.</summary>
internal sealed class DeviceAuthorization
{
    public required ForgeKind Forge { get; init; }

    public required string DeviceCode { get; init; }

    public required string UserCode { get; init; }

    public required string Scope { get; init; }

    /// <summary>The lifetime handed out with the code, in seconds.</summary>
    public required int ExpiresIn { get; init; }

    public required DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Seconds a client must wait between polls; grows by 5 with every <c>slow_down</c>.</summary>
    public required int Interval { get; set; }

    public DateTimeOffset? LastPoll { get; set; }

    public DeviceState State { get; set; }

    /// <summary>The profile account that approved the code in the browser.</summary>
    public Account? Account { get; set; }
}

/// <summary>The outcome of one poll: an error code (with the interval for <c>slow_down</c>), or a token.</summary>
internal sealed record PollOutcome(string? Error, int? Interval, string? Token, string Scope)
{
    public static PollOutcome Failed(string error, int? interval = null) => new(error, interval, null, string.Empty);
}

/// <summary>What the browser page's approve or deny did.</summary>
internal enum DecisionOutcome
{
    Decided,
    UnknownCode,
    Expired,
    AlreadyDecided,
}

/// <summary>
/// The device flow's state, shared by both forges (RFC 8628 as GitHub and GitLab run it). Each poll is checked in
/// this order: client id, grant type, device code, expiry, a denial, polling too soon (which adds 5 seconds to the
/// interval), then pending or approved. An approved code is exchanged for a token once; the code is spent then.
/// </summary>
internal sealed class DeviceAuthorizations(
    ForgeSettings settings, TimeProvider time, TokenStore tokens, ILoggerFactory loggers)
{
    public const string DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    // GitHub's user codes use letters that cannot be mistaken for one another, and no vowels.
    private const string UserCodeLetters = "BCDFGHJKLMNPQRSTVWXZ";

    private readonly ILogger _log = loggers.CreateLogger(Log.Category);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DeviceAuthorization> _byDeviceCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceAuthorization> _byUserCode = new(StringComparer.Ordinal);

    /// <summary>The stand-in's clock now.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    public string ClientIdOf(ForgeKind forge) =>
        forge == ForgeKind.GitHub ? settings.GitHubClientId : settings.GitLabClientId;

    /// <summary>Hands out a new device code, or null when the client id is not the forge's.</summary>
    public DeviceAuthorization? Start(ForgeKind forge, string? clientId, string? scope)
    {
        if (clientId != ClientIdOf(forge))
        {
            return null;
        }

        lock (_lock)
        {
            string userCode;
            do
            {
                var letters = RandomNumberGenerator.GetString(UserCodeLetters, 8);
                userCode = $"{letters[..4]}-{letters[4..]}";
            }
            while (_byUserCode.ContainsKey(userCode));

            var authorization = new DeviceAuthorization
            {
                Forge = forge,
                DeviceCode = RandomNumberGenerator.GetHexString(40, lowercase: true),
                UserCode = userCode,
                Scope = scope ?? string.Empty,
                ExpiresIn = (int)settings.DeviceExpires.TotalSeconds,
                ExpiresAt = time.GetUtcNow() + settings.DeviceExpires,
                Interval = (int)settings.DeviceInterval.TotalSeconds,
            };
            _byDeviceCode[authorization.DeviceCode] = authorization;
            _byUserCode[userCode] = authorization;
            Log.DeviceCodeIssued(_log, forge.ToString(), userCode);
            return authorization;
        }
    }

    public PollOutcome Poll(ForgeKind forge, string? clientId, string? deviceCode, string? grantType)
    {
        if (clientId != ClientIdOf(forge))
        {
            return PollOutcome.Failed(DeviceErrors.IncorrectClientCredentials);
        }

        if (grantType != DeviceGrantType)
        {
            return PollOutcome.Failed(DeviceErrors.UnsupportedGrantType);
        }

        lock (_lock)
        {
            if (deviceCode is null
                || !_byDeviceCode.TryGetValue(deviceCode, out var authorization)
                || authorization.Forge != forge
                || authorization.State == DeviceState.Redeemed)
            {
                return PollOutcome.Failed(DeviceErrors.IncorrectDeviceCode);
            }

            var now = time.GetUtcNow();
            if (now >= authorization.ExpiresAt)
            {
                return PollOutcome.Failed(DeviceErrors.ExpiredToken);
            }

            if (authorization.State == DeviceState.Denied)
            {
                return PollOutcome.Failed(DeviceErrors.AccessDenied);
            }

            var tooSoon = authorization.LastPoll is { } last && now - last < TimeSpan.FromSeconds(authorization.Interval);
            authorization.LastPoll = now;
            if (tooSoon)
            {
                authorization.Interval += 5;
                return PollOutcome.Failed(DeviceErrors.SlowDown, authorization.Interval);
            }

            if (authorization.State == DeviceState.Pending)
            {
                return PollOutcome.Failed(DeviceErrors.AuthorizationPending);
            }

            authorization.State = DeviceState.Redeemed;
            var token = tokens.Issue(authorization.Account!, ClientIdOf(forge));
            Log.TokenIssued(_log, forge.ToString(), authorization.Account!.Login);
            return new PollOutcome(null, null, token, authorization.Scope);
        }
    }

    /// <summary>The browser's approve or deny, as the given profile account.</summary>
    public DecisionOutcome Decide(ForgeKind forge, string userCode, Account account, bool approve)
    {
        lock (_lock)
        {
            if (Find(forge, userCode) is not { } authorization)
            {
                return DecisionOutcome.UnknownCode;
            }

            if (time.GetUtcNow() >= authorization.ExpiresAt)
            {
                return DecisionOutcome.Expired;
            }

            if (authorization.State != DeviceState.Pending)
            {
                return DecisionOutcome.AlreadyDecided;
            }

            authorization.State = approve ? DeviceState.Approved : DeviceState.Denied;
            authorization.Account = account;
            Log.DeviceCodeDecided(_log, forge.ToString(), authorization.UserCode, approve ? "approved" : "denied", account.Login);
            return DecisionOutcome.Decided;
        }
    }

    /// <summary>Expires a code now (a test knob); false when no code matches.</summary>
    public bool Expire(string userCode)
    {
        lock (_lock)
        {
            if ((Find(ForgeKind.GitHub, userCode) ?? Find(ForgeKind.GitLab, userCode)) is not { } authorization)
            {
                return false;
            }

            authorization.ExpiresAt = time.GetUtcNow();
            return true;
        }
    }

    /// <summary>Finds a code as a person types it: any case, with or without the dash.</summary>
    private DeviceAuthorization? Find(ForgeKind forge, string userCode)
    {
        var letters = new string([.. userCode.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);
        if (letters.Length != 8)
        {
            return null;
        }

        return _byUserCode.TryGetValue($"{letters[..4]}-{letters[4..]}", out var authorization)
            && authorization.Forge == forge
            ? authorization
            : null;
    }
}

/// <summary>The device flow's error codes, with GitHub's descriptions of them.</summary>
internal static class DeviceErrors
{
    public const string AuthorizationPending = "authorization_pending";
    public const string SlowDown = "slow_down";
    public const string ExpiredToken = "expired_token";
    public const string AccessDenied = "access_denied";
    public const string IncorrectDeviceCode = "incorrect_device_code";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string IncorrectClientCredentials = "incorrect_client_credentials";

    public const string Documentation =
        "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow";

    public static string Describe(string error) => error switch
    {
        AuthorizationPending => "The authorization request is still pending.",
        SlowDown => "Too many requests have been made in the same timeframe.",
        ExpiredToken => "The device_code has expired.",
        AccessDenied => "The authorization request was denied.",
        IncorrectDeviceCode => "The device_code provided is not valid.",
        UnsupportedGrantType => "The grant type is not supported.",
        _ => "The client_id and/or client_secret passed are incorrect.",
    };
}
