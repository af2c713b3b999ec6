namespace Commons.Bridge.Data;

/// <summary>
/// The schema, as numbered steps. A step is never edited once released: a change is a new step. Times are Unix
/// milliseconds (UTC) so that SQLite and PostgreSQL compare them alike.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<(long Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE users (
                id          TEXT PRIMARY KEY,
                created_at  INTEGER NOT NULL
            );

            CREATE TABLE tokens (
                hash        TEXT PRIMARY KEY,
                user_id     TEXT NOT NULL REFERENCES users(id),
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            );

            CREATE TABLE jobs (
                id            TEXT PRIMARY KEY,
                user_id       TEXT NOT NULL REFERENCES users(id),
                request_id    TEXT NOT NULL,
                name          TEXT NOT NULL,
                template      TEXT NOT NULL,
                site          TEXT NOT NULL,
                partition     TEXT,
                state         TEXT NOT NULL,
                reason        TEXT,
                slurm_job_id  TEXT,
                exit_code     INTEGER,
                signal        INTEGER,
                node          TEXT,
                gpus          TEXT,
                cpus          INTEGER NOT NULL,
                memory_mb     INTEGER,
                time_minutes  INTEGER NOT NULL,
                command_json  TEXT NOT NULL,
                work_dir      TEXT NOT NULL,
                script        TEXT NOT NULL,
                sbatch_json   TEXT NOT NULL,
                lookup_misses INTEGER NOT NULL DEFAULT 0,
                created_at    INTEGER NOT NULL,
                submitted_at  INTEGER,
                started_at    INTEGER,
                ended_at      INTEGER,
                updated_at    INTEGER NOT NULL,
                UNIQUE (user_id, request_id)
            );

            CREATE INDEX jobs_by_site_state ON jobs (site, state);
            CREATE INDEX jobs_by_user ON jobs (user_id, created_at);
            """),
        (2, """
            ALTER TABLE jobs ADD COLUMN model TEXT;
            ALTER TABLE jobs ADD COLUMN keep_alive_seconds INTEGER;
            ALTER TABLE jobs ADD COLUMN last_active_at INTEGER;
            ALTER TABLE jobs ADD COLUMN estimated_start INTEGER;
            CREATE INDEX jobs_by_user_model ON jobs (user_id, model, state);
            """),
    ];
}
