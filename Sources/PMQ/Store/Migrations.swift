/// The schema's history. A migration is never edited once released: a file made by
/// an older PMQ is brought up to date by running the steps it has not seen.
/// `PRAGMA user_version` records how many have run.
///
/// Dates are stored as integer days since 1970-01-01 (fast arithmetic, indexable);
/// durations as days; booleans as 0/1; tags as a JSON array of text.
enum Migrations {
    static let steps: [String] = [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, v20, v21, v22, v23, v24]
    /// The step that made the row versions (v8): custom fields older than it join them after it.
    static let rowVersionsStep = 8
    /// `steps.count`, written out: reading `steps` builds every step's SQL (v8's triggers are
    /// generated), which every open paid for before (start-up, BENCHMARKS.md s1). Whoever
    /// appends a step bumps this; StoreTests checks the two agree.
    static let latest = 24

    /// The first of `names` (another application's tables, indexes, triggers and views) that
    /// PMQ's schema also uses, compared as SQL compares names (case-insensitively); nil when
    /// `--init` can add PMQ's tables beside them. PMQ's names are read from a new in-memory
    /// store, so they follow the steps as they are (and cost nothing unless `--init` meets a
    /// foreign database).
    static func clash(with names: [String]) throws -> String? {
        let fresh = try SQLiteEngine.openStore(path: nil)
        var ours: Set<String> = []
        try fresh.query("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") { s in
            if case .text(let name) = s[0] { ours.insert(name.lowercased()) }
        }
        return names.first { ours.contains($0.lowercased()) }
    }

    /// v1: the project model of docs/language.md, “The model”.
    static let v1 = """
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT 'person',
        role TEXT, department TEXT, email TEXT,
        rate REAL,
        capacity REAL NOT NULL DEFAULT 8,
        backup INTEGER REFERENCES people(id)
    );
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT, client TEXT,
        manager INTEGER REFERENCES people(id),
        budget REAL, start INTEGER, finish INTEGER,
        status TEXT NOT NULL DEFAULT 'planning'
    );
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        project INTEGER REFERENCES projects(id),
        wbs TEXT NOT NULL,
        wbs_key TEXT NOT NULL,
        parent_wbs TEXT,
        name TEXT NOT NULL,
        owner INTEGER REFERENCES people(id),
        status TEXT NOT NULL DEFAULT 'todo',
        priority TEXT NOT NULL DEFAULT 'medium',
        start INTEGER, finish INTEGER,
        actual_start INTEGER, actual_finish INTEGER,
        baseline_start INTEGER, baseline_finish INTEGER,
        effort REAL,
        progress NUMERIC NOT NULL DEFAULT 0,
        cost REAL,
        milestone INTEGER NOT NULL DEFAULT 0,
        notes TEXT,
        tags TEXT
    );
    CREATE UNIQUE INDEX tasks_project_wbs ON tasks(project, wbs);
    CREATE INDEX tasks_wbs ON tasks(wbs);
    CREATE INDEX tasks_owner ON tasks(owner);
    CREATE INDEX tasks_status_finish ON tasks(status, finish);
    CREATE TABLE dependencies (
        id INTEGER PRIMARY KEY,
        pred INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        succ INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        type TEXT NOT NULL DEFAULT 'FS',
        lag REAL NOT NULL DEFAULT 0,
        UNIQUE (pred, succ)
    );
    CREATE INDEX dependencies_succ ON dependencies(succ);
    CREATE TABLE assignments (
        id INTEGER PRIMARY KEY,
        task INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        person INTEGER NOT NULL REFERENCES people(id),
        role TEXT NOT NULL DEFAULT 'R',
        units REAL NOT NULL DEFAULT 100
    );
    CREATE INDEX assignments_task ON assignments(task);
    CREATE INDEX assignments_person ON assignments(person);
    CREATE TABLE risks (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        project INTEGER REFERENCES projects(id),
        task INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        owner INTEGER REFERENCES people(id),
        probability INTEGER, impact INTEGER,
        status TEXT NOT NULL DEFAULT 'open',
        review INTEGER, response TEXT
    );
    CREATE TABLE costs (
        id INTEGER PRIMARY KEY,
        project INTEGER REFERENCES projects(id),
        task INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        person INTEGER REFERENCES people(id),
        kind TEXT NOT NULL DEFAULT 'other',
        date INTEGER, qty REAL, rate REAL, amount REAL, note TEXT
    );
    CREATE INDEX costs_task ON costs(task);
    CREATE INDEX costs_person ON costs(person);
    CREATE TABLE defects (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        task INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        severity TEXT NOT NULL DEFAULT 'medium',
        status TEXT NOT NULL DEFAULT 'open',
        found INTEGER, fixed INTEGER
    );
    CREATE INDEX defects_task ON defects(task);
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        project INTEGER REFERENCES projects(id),
        status TEXT NOT NULL DEFAULT 'proposed',
        cost_impact REAL, days_impact REAL,
        requested_by INTEGER REFERENCES people(id),
        decided INTEGER
    );
    """

    /// v2: saved queries, the change journal, the project calendar's holidays, the
    /// baseline cost and the fields `schedule` fills in.
    static let v2 = """
    CREATE TABLE saved_queries (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        source TEXT NOT NULL
    );
    CREATE TABLE journal_sets (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT,
        statement TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'change',   -- change, undo or redo
        undone_by INTEGER
    );
    CREATE TABLE journal_entries (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES journal_sets(id) ON DELETE CASCADE,
        entity TEXT NOT NULL,
        row_id INTEGER NOT NULL,
        field TEXT,
        old_value,
        new_value
    );
    CREATE INDEX journal_entries_set ON journal_entries(set_id);
    CREATE TABLE holidays (
        day INTEGER PRIMARY KEY,
        name TEXT
    );
    ALTER TABLE tasks ADD COLUMN baseline_cost REAL;
    -- What `schedule` computes, in a narrow table of its own: a run writes a few bytes a
    -- task instead of rewriting every task row.
    CREATE TABLE task_schedule (
        id INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
        early_start INTEGER, early_finish INTEGER, late_start INTEGER, late_finish INTEGER,
        slack INTEGER, free_slack INTEGER, critical INTEGER
    );
    CREATE INDEX risks_owner ON risks(owner);
    """

    /// v3: mid-project truth (docs/language.md, “Mid-project truth”): task constraints, the index that finds a task's
    /// children (summaries and their roll-up), and what schedule keeps of a started task. `constraint` is an SQL keyword, so
    /// the column is `constraint_type`.
    static let v3 = """
    ALTER TABLE tasks ADD COLUMN constraint_type TEXT NOT NULL DEFAULT 'asap';
    ALTER TABLE tasks ADD COLUMN constraint_date INTEGER;
    CREATE INDEX tasks_children ON tasks(project, parent_wbs);
    -- For a started task `schedule` extended: the working days it planned with, and the
    -- finish it wrote. While the finish is still that one, the next run plans with the
    -- same days, so re-planning on one status date moves nothing more.
    ALTER TABLE task_schedule ADD COLUMN planned_days INTEGER;
    ALTER TABLE task_schedule ADD COLUMN scheduled_finish INTEGER;
    """

    /// v4: people's `login`, the user name `me` matches (docs/language.md, “Reports”).
    static let v4 = """
    ALTER TABLE people ADD COLUMN login TEXT;
    CREATE INDEX people_login ON people(login);
    """

    /// v5: time travel (docs/language.md, “Time travel”). Each change set is booked on a day (the session's
    /// `today`); sets written before this step are booked on the day of their clock time.
    /// The indexes serve `as of` (later sets by day), `was`/`changed` (a field's
    /// entries) and `history of` (a row's entries). Rules are saved queries whose rows
    /// are problems.
    static let v5 = """
    ALTER TABLE journal_sets ADD COLUMN day INTEGER;
    UPDATE journal_sets SET day = CAST(julianday(substr(at, 1, 10)) - 2440587.5 AS INTEGER);
    CREATE INDEX journal_sets_day ON journal_sets(day);
    -- How many rows and fields a set changed, counted once when it commits (history reads it).
    ALTER TABLE journal_sets ADD COLUMN changes INTEGER;
    UPDATE journal_sets SET changes = (SELECT coalesce(sum(CASE WHEN e.field = '+' THEN coalesce(e.new_value, e.row_id) - e.row_id + 1 ELSE 1 END), 0)
                                       FROM journal_entries e WHERE e.set_id = journal_sets.id);
    CREATE INDEX journal_entries_field ON journal_entries(entity, field, row_id);
    CREATE INDEX journal_entries_row ON journal_entries(entity, row_id);
    CREATE TABLE rules (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        source TEXT NOT NULL,
        severity TEXT NOT NULL DEFAULT 'warning',
        last_checked TEXT,
        last_rows TEXT            -- the ids of the rows the last check found, as a JSON array
    );
    """

    /// v6: custom fields (docs/language.md, “Custom fields”) and people who left. A custom field's values are a real
    /// column of its entity's table (`x_<name>`), added by `add field`; `pmq_fields` says
    /// which column holds which field, of what type. Ids are never reused, so a column
    /// named after an id stays unique.
    static let v6 = """
    CREATE TABLE pmq_fields (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        entity TEXT NOT NULL,          -- the table: tasks, people, ...
        name TEXT NOT NULL,
        type TEXT NOT NULL,            -- text, number, date, duration, bool, enum, or a plural entity name
        enum_values TEXT,              -- enum: a JSON array of the values, in order
        default_value TEXT,            -- as JSON: "L2", 3, true; dates as day numbers
        column_name TEXT NOT NULL,
        UNIQUE (entity, name)
    );
    ALTER TABLE people ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE people ADD COLUMN left_on INTEGER;     -- the field `left` (LEFT is an SQL keyword)
    """

    /// v8: the dated row versions `as of` reads (docs/time-travel.md): per travelled table,
    /// each row's earlier values with the days they were valid, written by triggers, and
    /// built here from the journal for the changes made before this step (RowVersions).
    static let v8 = RowVersions.migration
}

extension Migrations {
    /// v7: Taskwarrior's uuid of a task that came from Taskwarrior (`import ... from
    /// taskwarrior`), so that exporting it gives the same uuid back. Not a field: a task
    /// without one is exported with a uuid derived from its project and WBS code.
    static let v7 = """
    CREATE TABLE task_uuids (
        task INTEGER PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
        uuid TEXT NOT NULL UNIQUE
    );
    """
}

extension Migrations {
    /// v9: resources (docs/language.md, “Resources”): people's leave, the project's make-up working days, and
    /// holidays as rows with an id of their own (so they can be listed, deleted and undone
    /// like any entity; a holiday's old id is its day number).
    static let v9 = """
    CREATE TABLE leaves (
        id INTEGER PRIMARY KEY,
        person INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        finish INTEGER NOT NULL,
        note TEXT
    );
    CREATE INDEX leaves_person ON leaves(person, start);
    CREATE TABLE workdays (
        id INTEGER PRIMARY KEY,
        day INTEGER NOT NULL UNIQUE,
        name TEXT
    );
    CREATE TABLE holidays_v9 (
        id INTEGER PRIMARY KEY,
        day INTEGER NOT NULL UNIQUE,
        name TEXT
    );
    INSERT INTO holidays_v9 (id, day, name) SELECT day, day, name FROM holidays;
    DROP TABLE holidays;
    ALTER TABLE holidays_v9 RENAME TO holidays;
    """
}

extension Migrations {
    /// v10: dated row versions for the resource tables of v9 (leaves, holidays, workdays),
    /// so `leaves as of D` and `holidays as of D` read them as `tasks as of D` does.
    static let v10 = RowVersions.resourcesMigration
}

extension Migrations {
    /// v11: the tasks a change request affects (`change_tasks`), a link table like
    /// assignments: deleting the change or the task removes the link. Row versions from the
    /// start, so `change_tasks as of D` reads them as the other tables do.
    static let v11 = """
    CREATE TABLE change_tasks (
        id INTEGER PRIMARY KEY,
        change INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
        task INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        note TEXT,
        UNIQUE (change, task)
    );
    CREATE INDEX change_tasks_task ON change_tasks(task);
    """ + "\n" + RowVersions.linksMigration
}

extension Migrations {
    /// v12: a smaller journal (BENCHMARKS.md, "fourth pass"). The index on (entity, row_id)
    /// served only `history of X`, which now finds a row's entries through (entity, field,
    /// row_id), one seek per field (JournalSQL.rowEntryIDs): ~11 bytes and a b-tree insert
    /// fewer per entry.
    static let v12 = """
    DROP INDEX IF EXISTS journal_entries_row;
    """
}

extension Migrations {
    /// v13: ids are never reused (IdsNeverReused): every table the journal names gets an
    /// AUTOINCREMENT id. Not SQL: `migrate` rebuilds the tables for it.
    static let v13 = IdsNeverReused.step

    /// v14: the row versions' triggers written again with the rule for a change set booked
    /// on an earlier day than a version it reaches (RowVersions.backdatedTrigger).
    static let v14 = RowVersions.backdatedStep
    /// v15: the row versions' triggers written again with the rule for a row deleted by a
    /// change set booked on an earlier day than a version it has (RowVersions.backdatedDeleteTrigger).
    static let v15 = RowVersions.backdatedDeleteStep

    /// v16: each journal entry names the statement that made it (the `journal` source's
    /// `statement`; a script's change set is named by its file). Null for entries made before.
    /// (On PostgreSQL the step also makes `upper()`/`lower()` map case as here: CaseMapping.)
    static let v16 = """
    ALTER TABLE journal_entries ADD COLUMN statement TEXT;
    """

    /// v17: nothing on SQLite, whose number text is `formatNumber` itself (SQLiteEngine); on
    /// PostgreSQL `pmq_number_text` written again to match it (see `pg17`). A statement that
    /// changes nothing keeps the steps in step.
    static let v17 = "SELECT 1 -- v17: number text as formatNumber writes it (PostgreSQL only)"
}

extension Migrations {
    /// v18: every custom field but a bool has an index on its column (`tasks_x_vendor`), so a
    /// filter on it is a lookup (BENCHMARKS.md, c1). `add field` builds it from now on; this
    /// step builds it for the fields added before. Not SQL: `migrate` calls
    /// `FieldStore.indexExisting` for it, on both engines.
    static let v18 = FieldStore.indexStep

    /// v19: nothing on SQLite, whose `~` (pmq_contains, SQLiteEngine) compares NFC text; on
    /// PostgreSQL pmq_contains written again to do the same (see `pg19`, review 4's H11).
    static let v19 = "SELECT 1 -- v19: ~ compares canonically equivalent text alike (PostgreSQL only)"

    /// v20: a journal entry names its statement by number: the text is kept once in
    /// `journal_statements` (JournalWriteSQL.statementText) instead of in every entry a
    /// statement made (about 100 bytes an entry for a weekly update: BENCHMARKS.md, k3). The
    /// entries written before get the numbers of their texts. (SQLite keeps the column's TEXT
    /// affinity, so the number is stored as its digits and compares equal to the id.)
    static let v20 = """
    CREATE TABLE journal_statements (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL
    );
    INSERT INTO journal_statements (text) SELECT statement FROM journal_entries WHERE statement IS NOT NULL GROUP BY statement ORDER BY min(id);
    CREATE INDEX journal_statements_v20 ON journal_statements(text);
    UPDATE journal_entries SET statement = (SELECT t.id FROM journal_statements t WHERE t.text = journal_entries.statement) WHERE statement IS NOT NULL;
    DROP INDEX journal_statements_v20;
    """

    /// v21: a dependency's lag keeps its unit, `d` (calendar days) or `wd` (working days); the
    /// links made before count working days, as `schedule` counted them (LagUnits). Not SQL:
    /// `migrate` calls `LagUnits.migrate`, which also takes the column into the row versions.
    static let v21 = LagUnits.step

    /// v22: versions tables typed like their tables, so a whole number in a REAL column takes
    /// 1 to 3 bytes instead of 8, and each row's latest version end kept in
    /// `<table>_versions_last` for `as of` (RowVersions.typedStep; not SQL: `migrate` calls
    /// `RowVersions.retype`, on both engines).
    static let v22 = RowVersions.typedStep

    /// v23: the row versions keep no column computed from others: a task version's `wbs_key`
    /// and `parent_wbs` are computed from its `wbs` when `as of` reads it (RowVersions.narrowStep;
    /// not SQL: `migrate` calls `RowVersions.narrow`, on both engines).
    static let v23 = RowVersions.narrowStep

    /// v24: each summary's roll-up sums (`task_rollup`, RollupSQL.rollupSums), so a change of
    /// leaves' progress adjusts the summaries above them by its difference instead of reading
    /// all their children again (Rollup, "incremental"). Empty at first: a summary gets its row
    /// the first time it is derived, and one without a row is derived from its children.
    static let v24 = RollupSQL.sumsTable
}

extension SQLiteEngine {
    /// Opens the store at `path` (nil: in memory), creating or upgrading its schema.
    /// `initialize`: also a file that holds other tables and no PMQ schema (`--init`).
    public static func openStore(path: String?, initialize: Bool = false) throws -> SQLiteEngine {
        try openStore(path: path, upTo: Migrations.latest, initialize: initialize)
    }

    /// Opens an existing file without changing it (no migration, no WAL switch): for checking.
    public static func openReadOnly(path: String) throws -> SQLiteEngine {
        let db = try SQLiteEngine(path: path, readOnly: true)
        try db.execute("PRAGMA foreign_keys = ON")
        _ = try db.checkedSchemaVersion()
        return db
    }

    static func openStore(path: String?, upTo version: Int, initialize: Bool = false) throws -> SQLiteEngine {
        do {
            return try openAndMigrate(path: path, upTo: version, initialize: initialize)
        } catch let e as StoreError where e.code != 0 && !e.message.hasPrefix("cannot open database") {
            // A fault found on the first read or write (a damaged file, a read-only folder)
            // names the file, like one found when opening it.
            throw StoreError(e.kind, "cannot open database \(path ?? ":memory:"): \(e.message)", code: e.code)
        }
    }

    private static func openAndMigrate(path: String?, upTo version: Int, initialize: Bool) throws -> SQLiteEngine {
        let db = try SQLiteEngine(path: path)
        try db.execute("PRAGMA foreign_keys = ON")
        // Before anything is written (WAL mode included): refuse files that are not PMQ's,
        // and with --init, files whose tables have names PMQ's tables need.
        let current = try db.checkedSchemaVersion(initialize: initialize)
        if path != nil {
            // WAL lets readers work while a script writes; it fails harmlessly on read-only media.
            try? db.execute("PRAGMA journal_mode = WAL")
            try db.execute("PRAGMA synchronous = NORMAL")
        }
        try db.migrate(upTo: version, from: current)
        return db
    }

    public var schemaVersion: Int {
        if case .integer(let v) = (try? scalar("PRAGMA user_version")) ?? .null { return Int(v) }
        return 0
    }

    /// `from`: the version `checkedSchemaVersion` found, when the caller has just checked it.
    func migrate(upTo target: Int = Migrations.latest, from known: Int? = nil) throws {
        let checked = try known ?? checkedSchemaVersion()
        guard checked < target else { return }
        assert(Migrations.steps.count == Migrations.latest, "Migrations.latest must be Migrations.steps.count")
        // Rebuilding tables (IdsNeverReused) needs foreign keys off, and they can only be
        // turned off outside a transaction: dropping a table with them on deletes its rows'
        // dependants.
        let rebuilds = Migrations.steps[checked..<target].contains(IdsNeverReused.step)
        if rebuilds { try execute("PRAGMA foreign_keys = OFF") }
        defer { if rebuilds { try? execute("PRAGMA foreign_keys = ON") } }
        try execute("BEGIN IMMEDIATE")
        do {
            // Another process may have upgraded the file since it was checked: read it again
            // now that this one holds the write lock.
            let current = schemaVersion
            guard current < target else { try execute("COMMIT"); return }
            for v in current..<target {
                if Migrations.steps[v] == IdsNeverReused.step {
                    try IdsNeverReused.rebuild(self)
                } else if RowVersions.retriggerSteps.contains(Migrations.steps[v]) {
                    for t in RowVersions.travelled { try RowVersions.follow(t.table, self) }
                } else if Migrations.steps[v] == FieldStore.indexStep {
                    try FieldStore.indexExisting(self)
                } else if Migrations.steps[v] == LagUnits.step {
                    try LagUnits.migrate(self)
                } else if Migrations.steps[v] == RowVersions.typedStep {
                    try RowVersions.retype(self)
                } else if Migrations.steps[v] == RowVersions.narrowStep {
                    try RowVersions.narrow(self)
                } else {
                    try execute(Migrations.steps[v])
                }
                try execute("PRAGMA user_version = \(v + 1)")
            }
            // The row-versions step wrote the versions and triggers for the built-in columns;
            // custom fields added before it (step 6 on) join them here.
            if current < Migrations.rowVersionsStep && target >= Migrations.rowVersionsStep {
                for t in RowVersions.tablesAtV6 { try RowVersions.follow(t.table, self) }
            }
            try execute("COMMIT")
            upgradedFrom = current
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The schema version, once the file is known to be a PMQ database this PMQ can open.
    /// `initialize` (`--init`) lets a file with other tables and no PMQ schema through, unless
    /// one of its tables, indexes, triggers or views has a name PMQ's schema uses.
    func checkedSchemaVersion(initialize: Bool = false) throws -> Int {
        let current = schemaVersion
        if current < 0 {
            throw StoreError(.notPMQ, "not a PMQ database: its schema version (user_version) is \(current)")
        }
        if current > Migrations.latest {
            throw StoreError(.notPMQ, "this database was written by a newer PMQ (schema \(current); this PMQ knows up to \(Migrations.latest))")
        }
        // PMQ keeps its schema version in user_version, so a file another application gave a
        // version of its own is not PMQ's, even with --init (PMQ would have to change it).
        var tables = 0, ours = 0
        try query("SELECT count(*), count(*) FILTER (WHERE name = 'tasks') FROM sqlite_master WHERE type = 'table'") { s in
            if case .integer(let n) = s[0] { tables = Int(n) }
            if case .integer(let n) = s[1] { ours = Int(n) }
        }
        if current > 0, ours == 0 {
            throw StoreError(.notPMQ, "not a PMQ database: its schema version (user_version) is \(current) but it has none of PMQ's tables")
        }
        if current == 0, tables > 0 {
            // Another application's file: adding PMQ's tables to it would change it behind its back.
            guard initialize else {
                throw StoreError(.notPMQ, "not a PMQ database: the file holds other tables and no PMQ schema")
            }
            var names: [String] = []
            try query("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name") { s in
                if case .text(let name) = s[0] { names.append(name) }
            }
            if let clash = try Migrations.clash(with: names) {
                throw StoreError(.notPMQ, "cannot add PMQ's tables: the file already has a table, index or view named \"\(clash)\"")
            }
        }
        return current
    }
}
