using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Commons.Bridge.Data;

/// <summary>Opens connections to the bridge's database (SQLite in a data folder) and keeps its schema current.</summary>
public sealed class Database
{
    private readonly string _connectionString;

    public Database(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        Path = System.IO.Path.Combine(dataDirectory, "bridge.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string Provider => "sqlite";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);

        // WAL lets the API read while the poller writes; the busy timeout makes concurrent writers wait
        // instead of failing with SQLITE_BUSY.
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;");
        return connection;
    }

    /// <summary>
    /// Begins a transaction that holds the database's write lock from its first statement, so that what it reads
    /// cannot change before it commits: a check-then-insert inside it is atomic against every other writer.
    /// Microsoft.Data.Sqlite starts a <see cref="IsolationLevel.Serializable"/> transaction that is not deferred
    /// with <c>BEGIN IMMEDIATE</c>; a second writer waits for the busy timeout instead of reading a sum the first
    /// is about to change. (On PostgreSQL the same guarantee needs a lock on a row both writers must touch, such as
    /// <c>SELECT … FROM users WHERE id = @user FOR UPDATE</c> before the read; the store speaks SQLite only today.)
    /// </summary>
    /// <remarks>
    /// The call blocks while another writer holds the lock, as every Microsoft.Data.Sqlite call does underneath
    /// its async face.
    /// </remarks>
    public static DbTransaction BeginWrite(DbConnection connection) =>
        ((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false);

    /// <summary>Applies the migrations the database has not seen yet, each in its own transaction.</summary>
    public async Task<long> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations")).ToHashSet();
        foreach (var (version, sql) in Migrations.All)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @now)",
                new { version, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction);
            await transaction.CommitAsync(cancellationToken);
        }

        return Migrations.All[^1].Version;
    }
}
