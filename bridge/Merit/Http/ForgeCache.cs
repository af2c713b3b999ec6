using Commons.Bridge.Data;
using Dapper;

namespace Commons.Bridge.Merit.Http;

/// <summary>
/// The last answer of each forge URL (table <c>forge_cache</c>): its ETag, for conditional requests, and its body,
/// which stands in for the forge when it answers 304 or cannot be asked.
/// </summary>
public sealed class ForgeCache(Database database, TimeProvider time)
{
    public async Task<CachedAnswer?> FindAsync(string url, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT etag AS ETag, body AS Body, fetched_at AS FetchedAt FROM forge_cache WHERE url = @url",
            new { url },
            cancellationToken: cancellationToken));
        return row is null ? null : new CachedAnswer(row.ETag, row.Body, DateTimeOffset.FromUnixTimeMilliseconds(row.FetchedAt));
    }

    public async Task StoreAsync(string url, string? etag, string body, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO forge_cache (url, etag, body, fetched_at) VALUES (@url, @etag, @body, @now)
            ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, body = excluded.body, fetched_at = excluded.fetched_at
            """,
            new { url, etag, body, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Marks a cached answer as confirmed by a 304 now.</summary>
    public async Task TouchAsync(string url, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE forge_cache SET fetched_at = @now WHERE url = @url",
            new { url, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    private sealed class Row
    {
        public string? ETag { get; set; }
        public string Body { get; set; } = "";
        public long FetchedAt { get; set; }
    }
}

/// <summary>A cached forge answer; <see cref="FetchedAt"/> is the time of its last 200 or 304.</summary>
public sealed record CachedAnswer(string? ETag, string Body, DateTimeOffset FetchedAt);
