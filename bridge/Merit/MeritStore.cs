using System.Data.Common;
using System.Text.Json;
using Commons.Bridge.Data;
using Commons.Bridge.Jobs;
using Commons.Bridge.Merit.Collectors;
using Commons.Contracts;
using Dapper;

namespace Commons.Bridge.Merit;

/// <summary>
/// The merit side of the database: identities (read only; sign-in writes them), evaluations, the tier columns of
/// <c>users</c>, and <c>tier_changes</c>, the history of every tier change and operator action, which is only ever
/// added to.
/// </summary>
public sealed class MeritStore(Database database, TimeProvider time)
{
    /// <summary>Reports are stored as the API shows them (camelCase JSON).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<UserTier?> UserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await UserAsync(connection, null, userId, cancellationToken);
    }

    public async Task<IReadOnlyList<ForgeIdentity>> IdentitiesAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<IdentityRow>(new CommandDefinition(
            """
            SELECT provider AS Provider, provider_id AS ProviderId, login AS Login, account_created_at AS CreatedAt
            FROM identities WHERE user_id = @userId ORDER BY provider
            """,
            new { userId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new ForgeIdentity(r.Provider, r.ProviderId, r.Login, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt)))
            .ToList();
    }

    /// <summary>The newest evaluation of a user and the tier it computed, or null.</summary>
    public async Task<StoredEvaluation?> LatestAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QueryFirstOrDefaultAsync<EvaluationRow>(new CommandDefinition(
            """
            SELECT computed_tier AS ComputedTier, report_json AS ReportJson FROM merit_evaluations
            WHERE user_id = @userId ORDER BY evaluated_at DESC, rowid DESC LIMIT 1
            """,
            new { userId },
            cancellationToken: cancellationToken));
        return row is null
            ? null
            : new StoredEvaluation(row.ComputedTier, JsonSerializer.Deserialize<MeritReport>(row.ReportJson, Json)!);
    }

    /// <summary>
    /// Applies a tier decision in one transaction: the decision is taken on the user's row as it is inside the
    /// transaction (so two evaluations of one user cannot both act on an old state), the report (if any) is stored,
    /// the tier columns are updated, and a change of the held tier is written to <c>tier_changes</c>.
    /// </summary>
    /// <returns>The user's row before, and the decision; null when the user does not exist.</returns>
    public async Task<(UserTier Before, TierDecision Decision)?> RecordAsync(
        string userId, MeritReport? report, Func<UserTier, TierDecision> decide, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await UserAsync(connection, transaction, userId, cancellationToken) is not { } user)
        {
            return null;
        }

        var decision = decide(user);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (report is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO merit_evaluations (id, user_id, evaluated_at, score, computed_tier, report_json)
                VALUES (@id, @userId, @at, @score, @computed, @json)
                """,
                new
                {
                    id = JobIds.New(),
                    userId,
                    at = report.EvaluatedAt.ToUnixTimeMilliseconds(),
                    score = report.Score,
                    computed = decision.Computed,
                    json = JsonSerializer.Serialize(report, Json),
                },
                transaction,
                cancellationToken: cancellationToken));
        }

        var changed = decision.Held != user.Tier;
        if (report is null && !changed && decision.BelowSince == user.BelowSince)
        {
            // A re-read that changes nothing writes nothing: the quota check asks at every submit.
            return (user, decision);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE users SET tier = @held, below_since = @below,
                tier_since = CASE WHEN @changed OR tier_since IS NULL THEN @now ELSE tier_since END
            WHERE id = @userId
            """,
            new { userId, held = decision.Held, below = decision.BelowSince?.ToUnixTimeMilliseconds(), changed, now },
            transaction,
            cancellationToken: cancellationToken));
        if (changed)
        {
            await AddChangeAsync(
                connection, transaction, userId, decision.Change ?? "reset", user.Tier, decision.Held, "merit", decision.Why,
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (user, decision);
    }

    /// <summary>
    /// Sets or clears an operator's override and records it. The history's from and to are the tiers in effect
    /// before and after (the override where there is one, else the merit tier).
    /// </summary>
    /// <returns>The tier in effect before and after; null when the user does not exist.</returns>
    public async Task<(string From, string To)?> SetOverrideAsync(
        string userId, string? tier, string action, string actor, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await UserAsync(connection, transaction, userId, cancellationToken) is not { } user)
        {
            return null;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET override_tier = @tier WHERE id = @userId",
            new { userId, tier },
            transaction,
            cancellationToken: cancellationToken));
        var to = tier ?? user.Tier;
        await AddChangeAsync(connection, transaction, userId, action, user.Effective, to, actor, reason, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (user.Effective, to);
    }

    /// <summary>Records an operator's maintainer sign-off; false when the user does not exist.</summary>
    public async Task<bool> SignOffAsync(string userId, string actor, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await UserAsync(connection, transaction, userId, cancellationToken) is not { } user)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET signed_off_at = @now WHERE id = @userId",
            new { userId, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken));
        await AddChangeAsync(
            connection, transaction, userId, "signoff", user.Effective, user.Effective, actor, reason, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Every tier change and operator action of a user, oldest first.</summary>
    public async Task<IReadOnlyList<TierChange>> HistoryAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ChangeRow>(
            new CommandDefinition(
                """
                SELECT action AS Action, from_tier AS "From", to_tier AS "To", actor AS Actor, reason AS Reason, at AS At
                FROM tier_changes WHERE user_id = @userId ORDER BY at, rowid
                """,
                new { userId },
                cancellationToken: cancellationToken));
        return rows.Select(r => new TierChange(r.Action, r.From, r.To, r.Actor, r.Reason, DateTimeOffset.FromUnixTimeMilliseconds(r.At)))
            .ToList();
    }

    /// <summary>
    /// Users with a linked identity whose newest evaluation is older than <paramref name="evaluatedBefore"/> (or who
    /// were never evaluated), the longest-waiting first.
    /// </summary>
    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset evaluatedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var users = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT u.id FROM users u
            LEFT JOIN (SELECT user_id, MAX(evaluated_at) AS last FROM merit_evaluations GROUP BY user_id) e ON e.user_id = u.id
            WHERE EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id)
              AND (e.last IS NULL OR e.last < @before)
            ORDER BY COALESCE(e.last, 0), u.id
            LIMIT @limit
            """,
            new { before = evaluatedBefore.ToUnixTimeMilliseconds(), limit },
            cancellationToken: cancellationToken));
        return users.ToList();
    }

    private static async Task<UserTier?> UserAsync(
        DbConnection connection, DbTransaction? transaction, string userId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            """
            SELECT id AS Id, tier AS Tier, tier_since AS TierSince, below_since AS BelowSince,
                signed_off_at AS SignedOffAt, override_tier AS OverrideTier
            FROM users WHERE id = @userId
            """,
            new { userId },
            transaction,
            cancellationToken: cancellationToken));
        return row is null
            ? null
            : new UserTier(row.Id, row.Tier, Time(row.TierSince), Time(row.BelowSince), Time(row.SignedOffAt), row.OverrideTier);
    }

    private async Task AddChangeAsync(
        DbConnection connection, DbTransaction transaction, string userId, string action, string from, string to,
        string actor, string reason, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO tier_changes (id, user_id, action, from_tier, to_tier, actor, reason, at)
            VALUES (@id, @userId, @action, @from, @to, @actor, @reason, @at)
            """,
            new { id = JobIds.New(), userId, action, from, to, actor, reason, at = time.GetUtcNow().ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken));

    private static DateTimeOffset? Time(long? unixMilliseconds) =>
        unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    // Row shapes as Dapper fills them; the SQL names each column after its property.
    private sealed class IdentityRow
    {
        public string Provider { get; set; } = "";
        public string ProviderId { get; set; } = "";
        public string Login { get; set; } = "";
        public long CreatedAt { get; set; }
    }

    private sealed class EvaluationRow
    {
        public string ComputedTier { get; set; } = "";
        public string ReportJson { get; set; } = "";
    }

    private sealed class ChangeRow
    {
        public string Action { get; set; } = "";
        public string From { get; set; } = "";
        public string To { get; set; } = "";
        public string Actor { get; set; } = "";
        public string Reason { get; set; } = "";
        public long At { get; set; }
    }

    private sealed class UserRow
    {
        public string Id { get; set; } = "";
        public string Tier { get; set; } = "";
        public long? TierSince { get; set; }
        public long? BelowSince { get; set; }
        public long? SignedOffAt { get; set; }
        public string? OverrideTier { get; set; }
    }
}

/// <summary>The tier columns of a user.</summary>
/// <param name="Tier">The tier merit holds them in (after margin and grace).</param>
/// <param name="BelowSince">When the computed tier first fell below <paramref name="Tier"/>.</param>
/// <param name="OverrideTier">An operator's grant or revoke; null follows merit.</param>
public sealed record UserTier(
    string Id, string Tier, DateTimeOffset? TierSince, DateTimeOffset? BelowSince, DateTimeOffset? SignedOffAt,
    string? OverrideTier)
{
    /// <summary>The tier in effect: the override where there is one.</summary>
    public string Effective => OverrideTier ?? Tier;
}

/// <summary>A stored evaluation: the report and the tier it computed.</summary>
public sealed record StoredEvaluation(string ComputedTier, MeritReport Report);

/// <summary>One row of <c>tier_changes</c>.</summary>
/// <param name="Action"><c>promote</c>, <c>demote</c>, <c>reset</c> (by merit), <c>grant</c>, <c>revoke</c>,
/// <c>clear</c> or <c>signoff</c> (by an operator).</param>
public sealed record TierChange(string Action, string From, string To, string Actor, string Reason, DateTimeOffset At);
