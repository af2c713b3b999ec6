using System.Globalization;
using Commons.Bridge.Data;
using Microsoft.Data.Sqlite;

namespace Commons.Tests.Data;

/// <summary>A migrated database in a folder of its own, removed again when the test ends.</summary>
internal sealed class DataTestFolder : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("commons-data-");

    public DataTestFolder()
    {
        Database = new Database(_folder.FullName);
    }

    public Database Database { get; }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every value of every row of a table, as text.</summary>
    public async Task<IReadOnlyList<string>> AllValuesAsync(string table)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values.Add(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "");
            }
        }

        return values;
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; close them before the folder goes.
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
