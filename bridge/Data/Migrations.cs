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
        (3, """
            -- A person's linked forge accounts: at most one GitHub and one GitLab identity per user. provider_id is
            -- the forge's numeric id, which survives renames; login is the name it had at the last sign-in.
            CREATE TABLE identities (
                provider            TEXT NOT NULL,
                provider_id         TEXT NOT NULL,
                login               TEXT NOT NULL,
                user_id             TEXT NOT NULL REFERENCES users(id),
                account_created_at  INTEGER NOT NULL,
                linked_at           INTEGER NOT NULL,
                PRIMARY KEY (provider, provider_id),
                UNIQUE (user_id, provider)
            );

            -- The tier a user holds (after the demotion margin and grace), when the computed tier first fell below
            -- it, the maintainer sign-off, and an operator's override ('guest' after a revoke; NULL follows merit).
            ALTER TABLE users ADD COLUMN tier TEXT NOT NULL DEFAULT 'guest';
            ALTER TABLE users ADD COLUMN tier_since INTEGER;
            ALTER TABLE users ADD COLUMN below_since INTEGER;
            ALTER TABLE users ADD COLUMN signed_off_at INTEGER;
            ALTER TABLE users ADD COLUMN override_tier TEXT;

            -- Every tier change and operator action, with who, when and why. Never updated or deleted.
            CREATE TABLE tier_changes (
                id          TEXT PRIMARY KEY,
                user_id     TEXT NOT NULL REFERENCES users(id),
                action      TEXT NOT NULL,
                from_tier   TEXT NOT NULL,
                to_tier     TEXT NOT NULL,
                actor       TEXT NOT NULL,
                reason      TEXT NOT NULL,
                at          INTEGER NOT NULL
            );
            CREATE INDEX tier_changes_by_user ON tier_changes (user_id, at);

            -- Each evaluation of a user's merit: the score, the tier it computes and the whole report (signals,
            -- counted and ignored items) as JSON, so `whoami --explain` shows exactly what was decided.
            CREATE TABLE merit_evaluations (
                id              TEXT PRIMARY KEY,
                user_id         TEXT NOT NULL REFERENCES users(id),
                evaluated_at    INTEGER NOT NULL,
                score           REAL NOT NULL,
                computed_tier   TEXT NOT NULL,
                report_json     TEXT NOT NULL
            );
            CREATE INDEX merit_evaluations_by_user ON merit_evaluations (user_id, evaluated_at);

            -- Conditional-request cache of the forge APIs: the last body and ETag of each URL.
            CREATE TABLE forge_cache (
                url         TEXT PRIMARY KEY,
                etag        TEXT,
                body        TEXT NOT NULL,
                fetched_at  INTEGER NOT NULL
            );

            -- The quota ledger lives on the job: what it reserved at submit (GPUs x walltime) in the month it was
            -- submitted, and what it was charged when it ended (GPUs x elapsed; NULL while it runs).
            ALTER TABLE jobs ADD COLUMN gpu_count INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN quota_period TEXT;
            ALTER TABLE jobs ADD COLUMN reserved_gpu_seconds INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN charged_gpu_seconds INTEGER;
            CREATE INDEX jobs_by_user_period ON jobs (user_id, quota_period);
            """),
    ];
}
