using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Commons.IntegrationTests.Infrastructure;

/// <summary>
/// Direct access to the bridge's SQLite database (schema in bridge/Data/Migrations.cs), for writing the rows a
/// bridge that crashed mid-submit would have left, and for reading what the bridge recorded while it was down.
/// </summary>
public static class BridgeDatabase
{
    private const string IdAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    /// <summary>A new job id in the bridge's own shape: 12 lowercase letters and digits, a letter first.</summary>
    public static string NewJobId()
    {
        var bytes = RandomNumberGenerator.GetBytes(12);
        var id = bytes.Select(b => IdAlphabet[b & 31]).ToArray();
        id[0] = IdAlphabet[10 + (bytes[0] % 22)];
        return new string(id);
    }

    public static async Task<string?> StateOfAsync(string jobId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM jobs WHERE id = $id";
        command.Parameters.AddWithValue("$id", jobId);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>
    /// Writes a copy of a real job's row under a new id, in state <c>submitting</c> with no Slurm id, as the row a
    /// bridge leaves when it dies before or during sbatch. The copy's script, sbatch options and work dir are the
    /// original's with the id replaced, exactly as the bridge would have rendered them for the new id.
    /// </summary>
    public static async Task InsertSubmittingCopyAsync(string templateJobId, string newJobId, DateTimeOffset createdAt)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO jobs (
                id, user_id, request_id, name, template, site, partition, state, reason, slurm_job_id, exit_code,
                signal, node, gpus, cpus, memory_mb, time_minutes, command_json, work_dir, script, sbatch_json,
                lookup_misses, created_at, submitted_at, started_at, ended_at, updated_at)
            SELECT
                $new, user_id, $request, name, template, site, partition, 'submitting', NULL, NULL, NULL,
                NULL, NULL, gpus, cpus, memory_mb, time_minutes, command_json, replace(work_dir, $old, $new),
                replace(script, $old, $new), replace(sbatch_json, $old, $new),
                0, $created, NULL, NULL, NULL, $created
            FROM jobs WHERE id = $old
            """;
        command.Parameters.AddWithValue("$old", templateJobId);
        command.Parameters.AddWithValue("$new", newJobId);
        command.Parameters.AddWithValue("$request", $"it-crash-{newJobId}");
        command.Parameters.AddWithValue("$created", createdAt.ToUnixTimeMilliseconds());
        var inserted = await command.ExecuteNonQueryAsync();
        Assert.That(inserted, Is.EqualTo(1), $"no job {templateJobId} to copy in {Sandbox.Settings.BridgeDatabase}");
    }

    /// <summary>The script and sbatch options (a JSON array) the bridge stored for a job.</summary>
    public static async Task<(string Script, string SbatchJson, string WorkDir)> SubmissionOfAsync(string jobId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT script, sbatch_json, work_dir FROM jobs WHERE id = $id";
        command.Parameters.AddWithValue("$id", jobId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True, $"no job {jobId} in the bridge's database");
        return (reader.GetString(0), reader.GetString(1), reader.GetString(2));
    }

    public static async Task<SqliteConnection> OpenAsync()
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Sandbox.Settings.BridgeDatabase,
            Mode = SqliteOpenMode.ReadWrite,
            DefaultTimeout = 30,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }
}
