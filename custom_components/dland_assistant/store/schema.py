"""The schema of the integration's SQLite file, as forward migrations."""

# Each entry upgrades the schema by one version; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        agent TEXT NOT NULL,
        prompt TEXT NOT NULL,
        user TEXT,
        platform TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('once', 'cron')),
        next_run REAL,
        cron TEXT,
        time_zone TEXT,
        enabled INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL,
        timeout REAL NOT NULL,
        missed_run_policy TEXT NOT NULL,
        source TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    -- Only runnable tasks are indexed, so "what is due" reads a handful of rows
    -- however many finished tasks are kept.
    CREATE INDEX tasks_due ON tasks (next_run)
        WHERE status = 'scheduled' AND enabled = 1;
    CREATE INDEX tasks_updated ON tasks (updated);
    CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        task_id TEXT REFERENCES tasks (id) ON DELETE SET NULL,
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        started REAL NOT NULL,
        finished REAL,
        error TEXT,
        response TEXT,
        boot_id TEXT NOT NULL
    );
    CREATE INDEX executions_task ON executions (task_id, started);
    CREATE INDEX executions_started ON executions (started);
    CREATE INDEX executions_in_progress ON executions (boot_id)
        WHERE status = 'in_progress';
    """,
    # 2: delivery of results, reminders, and conversation sessions of personas.
    """
    ALTER TABLE tasks ADD COLUMN deliver INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE tasks ADD COLUMN action TEXT NOT NULL DEFAULT 'agent';
    ALTER TABLE executions ADD COLUMN conversation_id TEXT;
    ALTER TABLE executions ADD COLUMN delivery_channel TEXT;
    ALTER TABLE executions ADD COLUMN delivery_target TEXT;
    ALTER TABLE executions ADD COLUMN delivery_status TEXT;
    ALTER TABLE executions ADD COLUMN delivery_error TEXT;
    CREATE INDEX executions_conversation ON executions (conversation_id, started)
        WHERE conversation_id IS NOT NULL;
    """,
    # 3: wakeups are executions without a task; they carry their own request.
    """
    ALTER TABLE executions ADD COLUMN origin TEXT;
    ALTER TABLE executions ADD COLUMN agent TEXT;
    ALTER TABLE executions ADD COLUMN user TEXT;
    ALTER TABLE executions ADD COLUMN prompt TEXT;
    """,
    # 4: events routed from outside, for arrival snapshots and audits.
    """
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        type TEXT NOT NULL,
        user TEXT,
        summary TEXT NOT NULL,
        significance INTEGER NOT NULL DEFAULT 1,
        time REAL NOT NULL,
        dedupe_key TEXT UNIQUE
    );
    CREATE INDEX events_time ON events (time);
    CREATE INDEX events_user_time ON events (user, time);
    """,
    # 5: small durable values, such as a source's high-water mark.
    """
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 6: heartbeat routines' runs, their audit records, and long-term memory.
    """
    ALTER TABLE executions ADD COLUMN routine TEXT;
    CREATE INDEX executions_routine ON executions (routine, started)
        WHERE routine IS NOT NULL;
    CREATE TABLE audits (
        id TEXT PRIMARY KEY,
        time REAL NOT NULL,
        report TEXT NOT NULL
    );
    CREATE INDEX audits_time ON audits (time);
    CREATE TABLE facts (
        id TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        fact TEXT NOT NULL,
        confidence REAL NOT NULL,
        source TEXT,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        -- Normalised subject and fact: the same fact said twice is stored once.
        norm TEXT NOT NULL UNIQUE
    );
    """,
    # 7: who a task or run belongs to (and acts as, when trusted), and whether
    # anything it was given came from outside. Runs woken by outside sources were
    # outside before too; facts distilled before this could say nothing of where
    # they came from, so they count as outside (never recalled into trusted runs).
    """
    ALTER TABLE tasks ADD COLUMN owner TEXT;
    ALTER TABLE tasks ADD COLUMN trust TEXT NOT NULL DEFAULT 'trusted';
    ALTER TABLE executions ADD COLUMN owner TEXT;
    ALTER TABLE executions ADD COLUMN trust TEXT NOT NULL DEFAULT 'trusted';
    UPDATE executions SET trust = 'outside'
        WHERE origin IN ('vonage', 'youtube', 'whmcs', 'camera');
    ALTER TABLE facts ADD COLUMN trust TEXT NOT NULL DEFAULT 'outside';
    CREATE INDEX tasks_owner ON tasks (owner, status);
    CREATE INDEX executions_owner ON executions (owner, started);
    """,
    # 8: events are counted per source against its quota.
    """
    CREATE INDEX events_source ON events (source, time);
    """,
    # 9: each routine's rhythm: its anchor and next run survive restarts.
    """
    CREATE TABLE routine_schedules (
        routine TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        anchor REAL NOT NULL,
        next_run REAL
    );
    -- Cron times due while their task still runs (single flight) are found
    -- among the few running tasks.
    CREATE INDEX tasks_running ON tasks (next_run) WHERE status = 'running';
    """,
    # 10: retries. A task counts the failed attempts of its current run and its
    # failed runs in a row (the back-off); a pending retry is its next run. Each
    # execution says which attempt it was and when the next one is.
    """
    ALTER TABLE tasks ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN max_attempts INTEGER;
    ALTER TABLE tasks ADD COLUMN retry_until REAL;
    ALTER TABLE tasks ADD COLUMN only_when_needed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE executions ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE executions ADD COLUMN next_attempt REAL;
    """,
    # 11: what a run did: the user it acted as, and the tools its agent called
    # (JSON, bounded; see engine.tool_log).
    """
    ALTER TABLE executions ADD COLUMN acting_user TEXT;
    ALTER TABLE executions ADD COLUMN tool_calls TEXT;
    """,
    # 12: moment tasks wait for something to happen (models.Moment, as JSON); when
    # it does, they are due at once and say what happened. The kind's CHECK
    # takes 'moment', so the table is rebuilt (SQLite's way: new table, copy,
    # drop, rename; migrations run with foreign keys off, see database.py).
    """
    CREATE TABLE tasks_new (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        agent TEXT NOT NULL,
        prompt TEXT NOT NULL,
        user TEXT,
        platform TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('once', 'cron', 'moment')),
        next_run REAL,
        cron TEXT,
        time_zone TEXT,
        enabled INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL,
        timeout REAL NOT NULL,
        missed_run_policy TEXT NOT NULL,
        source TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        deliver INTEGER NOT NULL DEFAULT 1,
        action TEXT NOT NULL DEFAULT 'agent',
        owner TEXT,
        trust TEXT NOT NULL DEFAULT 'trusted',
        attempt INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER,
        retry_until REAL,
        only_when_needed INTEGER NOT NULL DEFAULT 0,
        moment TEXT,
        fired REAL,
        occurrence TEXT
    );
    INSERT INTO tasks_new (id, name, agent, prompt, user, platform, kind, next_run,
        cron, time_zone, enabled, status, timeout, missed_run_policy, source,
        created, updated, deliver, action, owner, trust, attempt, failures,
        max_attempts, retry_until, only_when_needed)
    SELECT id, name, agent, prompt, user, platform, kind, next_run, cron,
        time_zone, enabled, status, timeout, missed_run_policy, source, created,
        updated, deliver, action, owner, trust, attempt, failures, max_attempts,
        retry_until, only_when_needed
    FROM tasks;
    DROP TABLE tasks;
    ALTER TABLE tasks_new RENAME TO tasks;
    CREATE INDEX tasks_due ON tasks (next_run)
        WHERE status = 'scheduled' AND enabled = 1;
    CREATE INDEX tasks_updated ON tasks (updated);
    CREATE INDEX tasks_owner ON tasks (owner, status);
    CREATE INDEX tasks_running ON tasks (next_run) WHERE status = 'running';
    CREATE INDEX tasks_waiting ON tasks (owner)
        WHERE kind = 'moment' AND status = 'scheduled';
    """,
    # 13: indexes a run's claim and end need not touch. An execution's
    # conversation and routine are indexed only when it has one; a task's
    # last change only once it has ended (what pruning reads), so claiming and
    # ending the runs of a recurring task leave that index alone.
    """
    DROP INDEX executions_conversation;
    CREATE INDEX executions_conversation ON executions (conversation_id, started)
        WHERE conversation_id IS NOT NULL;
    DROP INDEX executions_routine;
    CREATE INDEX executions_routine ON executions (routine, started)
        WHERE routine IS NOT NULL;
    DROP INDEX tasks_updated;
    CREATE INDEX tasks_ended ON tasks (updated)
        WHERE status NOT IN ('scheduled', 'running');
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
