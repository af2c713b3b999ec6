namespace Commons.Contracts;

/// <summary>Routes of sign-in, identity and merit.</summary>
public static class AccountRoutes
{
    /// <summary><c>GET</c>, no token: which forges the bridge signs in with, and their device-flow settings.</summary>
    public const string Providers = "/v1/auth/providers";

    /// <summary><c>POST</c> a <see cref="ForgeSignInRequest"/>; answers a <see cref="SignInResponse"/>.</summary>
    public static string SignIn(string provider) => $"/v1/auth/{Uri.EscapeDataString(provider)}";

    /// <summary><c>DELETE</c> revokes the bearer token the request carries.</summary>
    public const string Token = "/v1/auth/token";

    /// <summary><c>GET</c> a <see cref="WhoAmIResponse"/>; <c>?refresh=true</c> re-evaluates merit first.</summary>
    public const string Me = "/v1/me";
}

/// <summary>A forge the bridge accepts sign-ins from, with what the CLI needs to run its device flow.</summary>
/// <param name="Name"><c>github</c> or <c>gitlab</c>.</param>
/// <param name="DeviceCodeUrl">Where the CLI asks for a device and user code.</param>
/// <param name="TokenUrl">Where the CLI polls for the access token.</param>
/// <param name="ClientId">The bridge operator's OAuth application.</param>
/// <param name="Scope">Scopes to ask for; sign-in needs none beyond reading the user's public profile.</param>
public sealed record ForgeProvider(string Name, string DeviceCodeUrl, string TokenUrl, string ClientId, string Scope);

/// <summary>Body of <c>POST /v1/auth/{provider}</c>: the forge token the device flow gave the CLI.</summary>
public sealed record ForgeSignInRequest(string AccessToken);

/// <summary>The bridge's own token for the signed-in person (shown once), and who they are.</summary>
/// <param name="Linked">True when the identity was added to the caller's existing account.</param>
public sealed record SignInResponse(string Token, string User, string Provider, string Login, bool Linked);

/// <summary>A linked forge account.</summary>
public sealed record IdentityView(string Provider, string Login, string Url, DateTimeOffset AccountCreatedAt, DateTimeOffset LinkedAt);

/// <summary>One signal of the merit formula.</summary>
/// <param name="Id"><c>S1</c>…<c>S6</c>.</param>
/// <param name="Value">The signal's value Sᵢ.</param>
/// <param name="Threshold">Tᵢ: the value at which the signal gives its full share.</param>
/// <param name="Weight">αᵢ.</param>
/// <param name="Points">What the signal adds to the score: 100 · αᵢ · ln(1+Sᵢ)/ln(1+max(Sᵢ,Tᵢ)) / Σα.</param>
public sealed record MeritSignal(string Id, string Name, double Value, double Threshold, double Weight, double Points);

/// <summary>A contribution that counted.</summary>
/// <param name="Kind"><c>pull</c>, <c>review</c>, <c>issue</c> or <c>merge</c> (stewardship).</param>
/// <param name="Signal">The signal it feeds (<c>S1</c>, <c>S3</c>, <c>S4</c>, <c>S5</c>).</param>
/// <param name="Weight">The repository's weight w.</param>
/// <param name="Decay">0.5^(age in days / 180).</param>
/// <param name="Size">1, or 0.1 for a change of at most 5 lines.</param>
/// <param name="Points">What it added to its signal before the signal's per-repository cap: w · size · decay.</param>
public sealed record MeritItem(
    string Kind, string Provider, string Url, string Repository, DateTimeOffset At, string Signal, double Weight,
    double Decay, double Size, double Points, string? Note = null);

/// <summary>A contribution that was looked at and did not count, with the rule that set it aside.</summary>
public sealed record IgnoredItem(string Kind, string Provider, string Url, string Repository, string Rule);

/// <summary>The whole of one merit evaluation: anyone can recompute the score from it.</summary>
/// <param name="Stale">True when a forge was rate-limited or unreachable and its last good result was used.</param>
/// <param name="NotCounted">What is never counted, by design (commits, followers…), said once.</param>
public sealed record MeritReport(
    double Score,
    DateTimeOffset EvaluatedAt,
    IReadOnlyList<MeritSignal> Signals,
    IReadOnlyList<MeritItem> Counted,
    IReadOnlyList<IgnoredItem> Ignored,
    IReadOnlyList<string> NotCounted,
    DateTimeOffset? FirstItemAt,
    DateTimeOffset? LastItemAt,
    bool Stale,
    string? StaleReason = null);

/// <summary>The tier a user holds and what it allows.</summary>
/// <param name="Source"><c>merit</c>, or <c>operator</c> when an operator's grant or revoke decides it.</param>
/// <param name="Why">One sentence: the rule that put the user in this tier (or the operator's reason).</param>
/// <param name="MaxWalltimeMinutes">Null when the tier may not run jobs.</param>
public sealed record TierView(
    string Name, string Source, string Why, double GpuHoursPerMonth, int MaxGpusPerJob, int? MaxWalltimeMinutes,
    IReadOnlyList<string>? GpuTypes);

/// <summary>GPU-hours of the current period (a calendar month, UTC).</summary>
/// <param name="Used">Charged by jobs that ended.</param>
/// <param name="Reserved">Held by jobs still queued or running (GPUs × walltime).</param>
public sealed record QuotaView(string Period, double Allowed, double Used, double Reserved, double Left, DateTimeOffset ResetsAt);

/// <summary><c>GET /v1/me</c>.</summary>
public sealed record WhoAmIResponse(
    string User, IReadOnlyList<IdentityView> Identities, TierView Tier, MeritReport? Merit, QuotaView Quota);
