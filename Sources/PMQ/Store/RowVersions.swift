/// The dated row-version store behind `as of` (docs/language.md, “Time travel”; design in docs/time-travel.md).
///
/// For every table the model travels in, `<table>_versions` keeps each row's earlier
/// versions: a version is the whole row as it was, valid from day `valid_from` up to (not
/// including) day `valid_to`, the day of the change set that replaced or deleted it. So the
/// model as of day D is
///
///     rows of the table with no version ending after D           (unchanged since D)
///     + versions with valid_from <= D < valid_to                 (changed or deleted since)
///
/// two indexed range lookups in one SQL statement instead of a replay of the journal.
///
/// Versions are written by triggers, so every path that changes a row (update, delete and
/// the rows the database removes or clears on its own, roll-up, schedule, undo and redo)
/// writes them inside its own transaction. A row gets at most one version per booked day:
/// `valid_from` is the latest `valid_to` the row already has (the first version of a row is
/// valid "always", `Day.always`), and a change booked on a day not after it writes nothing,
/// because a version valid for no whole day is never seen. The day is the newest change
/// set's: every change statement books its set before it writes a row.
///
/// The journal stays what undo, `was`/`changed`, the journal source and history read; the
/// versions are what `as of` reads. Added rows need no version: the journal's `+` entries
/// say which rows did not exist yet (see AsOfSQL).
///
/// The columns are the tables' columns at schema 6, written out here because a released
/// migration never changes. A custom field's column (docs/language.md, “Custom fields”) joins its table's versions
/// when the field is added (`follow`); a later step that adds a column must do the same.
enum RowVersions {
    /// A valid_from before every day: the row's first version.
    static let always: Int64 = -2_147_483_648

    /// The travelled tables and their columns (besides `id`) at schema 6.
    static let tablesAtV6: [(table: String, columns: [String])] = [
        ("people", ["name", "kind", "role", "department", "email", "rate", "capacity", "backup", "login", "active", "left_on"]),
        ("projects", ["code", "name", "client", "manager", "budget", "start", "finish", "status"]),
        ("tasks", ["project", "wbs", "wbs_key", "parent_wbs", "name", "owner", "status", "priority", "start", "finish",
                   "actual_start", "actual_finish", "baseline_start", "baseline_finish", "effort", "progress", "cost",
                   "milestone", "notes", "tags", "baseline_cost", "constraint_type", "constraint_date"]),
        ("dependencies", ["pred", "succ", "type", "lag"]),
        ("assignments", ["task", "person", "role", "units"]),
        ("risks", ["title", "project", "task", "owner", "probability", "impact", "status", "review", "response"]),
        ("costs", ["project", "task", "person", "kind", "date", "qty", "rate", "amount", "note"]),
        ("defects", ["title", "task", "severity", "status", "found", "fixed"]),
        ("changes", ["title", "project", "status", "cost_impact", "days_impact", "requested_by", "decided"]),
    ]

    /// The resource tables (migration step 9), versioned from step 10 on.
    static let tablesAtV9: [(table: String, columns: [String])] = [
        ("leaves", ["person", "start", "finish", "note"]),
        ("holidays", ["day", "name"]),
        ("workdays", ["day", "name"]),
    ]

    /// The link table of migration step 11, versioned from its start.
    static let tablesAtV11: [(table: String, columns: [String])] = [
        ("change_tasks", ["change", "task", "note"]),
    ]

    /// Every travelled table: what `as of` reads versions of.
    static var travelled: [(table: String, columns: [String])] { tablesAtV6 + tablesAtV9 + tablesAtV11 }

    static func versions(_ table: String) -> String { table + "_versions" }

    /// Columns of a table that its versions do not keep (schema step 23, `narrowStep`): each
    /// is computed from another column of the same row, so `as of` computes it from the
    /// version when it reads one (`derived`), as the writers compute it (WBS.sortKey,
    /// WBS.parent; SQL functions on both engines). A task's `wbs_key` and `parent_wbs` were
    /// about 36 bytes of every task version (BENCHMARKS.md, k3).
    static let derivedColumns: [String: [String]] = derivedFunctions.mapValues { $0.map(\.column) }

    /// Each derived column with the SQL function (of the row's `wbs`) that computes it: the one
    /// table `derivedColumns` and `derived` read.
    private static let derivedFunctions: [String: [(column: String, function: String)]] =
        ["tasks": [("wbs_key", "pmq_wbs_key"), ("parent_wbs", "pmq_parent_wbs")]]

    /// The SQL that computes derived `column` of `table` from the version aliased `alias`, or
    /// nil when the versions keep the column.
    static func derived(_ table: String, _ column: String, alias: String) -> String? {
        derivedFunctions[table]?.first { $0.column == column }.map { "\($0.function)(\(alias).wbs)" }
    }

    /// Schema step 23 (both engines): the versions no longer keep the derived columns
    /// (`derivedColumns`); see `narrow`.
    static let narrowStep = "-- v23: row versions without the columns computed from others (RowVersions.narrow): a task version's wbs_key and parent_wbs are computed from its wbs when read"

    /// Step 23: on PostgreSQL the two functions `derived` calls are made (SQLite registers
    /// them on every connection); for each table with derived columns, its triggers go, the
    /// columns leave the versions table, and the triggers are written again for the columns
    /// the versions keep (`follow` leaves out a derived column the versions table lacks).
    static func narrow(_ db: any Engine) throws {
        if db.kind == .postgres { try db.execute(postgresDerivedFunctions) }
        for (table, columns) in derivedColumns.sorted(by: { $0.key < $1.key }) {
            let v = versions(table)
            let have = Set(try db.columns(of: v))
            try dropTriggers(table, db)
            for c in columns where have.contains(c) {
                try db.execute("ALTER TABLE \(v) DROP COLUMN \(c)")
            }
            try follow(table, db)
        }
    }

    /// PostgreSQL's forms of SQLite's `pmq_wbs_key` and `pmq_parent_wbs` (SQLiteEngine's
    /// functions, WBS.sortKey and WBS.parent): a segment of ASCII digits is padded to ten with
    /// zeros after its own leading zeros are dropped (all zeros: `0`; ten digits or more are
    /// kept); any other segment as written. The parent is the code before its last dot.
    static let postgresDerivedFunctions = """
    CREATE OR REPLACE FUNCTION pmq_wbs_key(w text) RETURNS text LANGUAGE sql IMMUTABLE AS $pmq$
        SELECT CASE WHEN w = '' THEN '' ELSE (
            SELECT string_agg(CASE WHEN u.s ~ '^[0-9]+$' THEN
                       CASE WHEN length(coalesce(nullif(ltrim(u.s, '0'), ''), '0')) >= 10 THEN coalesce(nullif(ltrim(u.s, '0'), ''), '0')
                            ELSE lpad(coalesce(nullif(ltrim(u.s, '0'), ''), '0'), 10, '0') END
                       ELSE u.s END, '.' ORDER BY u.n)
            FROM unnest(string_to_array(w, '.')) WITH ORDINALITY AS u(s, n)) END
    $pmq$;
    CREATE OR REPLACE FUNCTION pmq_parent_wbs(w text) RETURNS text LANGUAGE sql IMMUTABLE AS $pmq$
        SELECT CASE WHEN strpos(w, '.') = 0 THEN NULL ELSE substr(w, 1, length(rtrim(w, replace(w, '.', ''))) - 1) END
    $pmq$;
    """

    /// The versions table: clustered by (valid_to, id), so the versions that end after a
    /// day are one contiguous range (a recent day reads a few rows), plus (id, valid_to) for
    /// a row's newest version. Columns have no declared type here, so values are kept exactly
    /// as the table held them; schema step 22 (`retype`) declares each with its table's type,
    /// which keeps them exactly too and stores whole REALs as compactly as the table does.
    static func create(_ table: String, _ columns: [String]) -> String {
        let v = versions(table)
        return """
        CREATE TABLE \(v) (
            valid_to INTEGER NOT NULL,
            id INTEGER NOT NULL,
            valid_from INTEGER NOT NULL,
            \(columns.joined(separator: ", ")),
            PRIMARY KEY (valid_to, id)
        ) WITHOUT ROWID;
        CREATE INDEX \(v)_row ON \(v)(id, valid_to);
        """
    }

    /// After an update or a delete, the row as it was becomes a version ending on the day
    /// of the newest change set, unless the row already has one ending on or after it.
    static func triggers(_ table: String, _ columns: [String]) -> String {
        let v = versions(table)
        // Plain VALUES with the two look-ups repeated (each one seek): a derived table in the
        // trigger's SELECT would be built for every row.
        let day = bookedDay
        let from = "coalesce((SELECT max(valid_to) FROM \(v) WHERE id = OLD.id), \(always))"
        func trigger(_ event: String) -> String {
            """
            CREATE TRIGGER \(v)_on_\(event.lowercased()) AFTER \(event) ON \(table) WHEN \(day) > \(from) BEGIN
            INSERT INTO \(v) (valid_to, id, valid_from, \(columns.joined(separator: ", ")))
            VALUES (\(day), OLD.id, \(from), \(columns.map { "OLD.\($0)" }.joined(separator: ", ")));
            END;
            """
        }
        return trigger("UPDATE") + "\n" + trigger("DELETE")
    }

    /// A change set booked on a day before a version the row already has (a status entered
    /// late with `--today` of last Friday, after Monday's edits) is, as of each day from its
    /// own, part of the model (docs/language.md, “Time travel”: every change set booked on or
    /// before D counts, applied in the order they committed). So the version that spans its
    /// day is split there, and from that day on every version takes the columns it changed.
    /// Fired only when the newest set is booked before the latest booked day (one seek in
    /// the normal case) and before a version of this row.
    static func backdatedTrigger(_ table: String, _ columns: [String]) -> String {
        let v = versions(table)
        let changed = columns.map { "\($0) = CASE WHEN OLD.\($0) IS NEW.\($0) THEN \($0) ELSE NEW.\($0) END" }
        return backdated(table, columns, name: "\(v)_on_backdate", event: "UPDATE", then: """
        UPDATE \(v) SET valid_from = \(bookedDay) WHERE id = OLD.id AND valid_from < \(bookedDay) AND valid_to > \(bookedDay);
        UPDATE \(v) SET \(changed.joined(separator: ", ")) WHERE id = OLD.id AND valid_from >= \(bookedDay);
        """)
    }

    /// A row deleted by a change set booked before a version the row already has is gone
    /// from the set's day on: the version that spans the day ends there, and the row's later
    /// versions (changes committed earlier but booked after the day) are dropped, because
    /// the delete, committed last, is applied after them on every day from its own.
    static func backdatedDeleteTrigger(_ table: String, _ columns: [String]) -> String {
        let v = versions(table)
        return backdated(table, columns, name: "\(v)_on_backdated_delete", event: "DELETE", then: """
        DELETE FROM \(v) WHERE id = OLD.id AND valid_to > \(bookedDay);
        """)
    }

    /// The day of the change set being written (the newest).
    private static let bookedDay = "(SELECT day FROM journal_sets ORDER BY id DESC LIMIT 1)"

    /// What both back-dated triggers share: they fire only when the set is booked before the
    /// latest booked day and before a version of this row, and first copy the version that
    /// spans the set's day so that it ends there; `then` says what follows the split.
    private static func backdated(_ table: String, _ columns: [String], name: String, event: String, then: String) -> String {
        let v = versions(table)
        let day = bookedDay
        return """
        CREATE TRIGGER \(name) AFTER \(event) ON \(table)
        WHEN \(day) < (SELECT max(day) FROM journal_sets) AND \(day) < (SELECT max(valid_to) FROM \(v) WHERE id = OLD.id) BEGIN
        INSERT INTO \(v) (valid_to, id, valid_from, \(columns.joined(separator: ", ")))
        SELECT \(day), x.id, x.valid_from, \(columns.map { "x.\($0)" }.joined(separator: ", ")) FROM \(v) x
        WHERE x.id = OLD.id AND x.valid_from < \(day) AND x.valid_to > \(day);
        \(then)
        END;
        """
    }

    /// Schema step 14 (both engines): the triggers written again, with the back-dated rule.
    static let backdatedStep = "-- v14: row versions follow change sets booked on an earlier day (RowVersions.backdatedTrigger)"

    /// Schema step 15 (both engines): the triggers written again, with the back-dated delete.
    static let backdatedDeleteStep = "-- v15: a row deleted by a change set booked on an earlier day is gone from that day (RowVersions.backdatedDeleteTrigger)"

    /// The steps that write every travelled table's triggers again (for the columns each
    /// table has now, custom fields included) instead of running SQL text.
    static let retriggerSteps: Set<String> = [backdatedStep, backdatedDeleteStep]

    /// Versions for a file journaled before this store existed, from its journal: per row,
    /// one version for each change set that updated or deleted it (on a day after the row's
    /// latest so far), each column taken from the first entry at or after that set that
    /// changed it (its old value) or deleted the row (the row's JSON), else the row as it is.
    static func backfill(_ table: String, _ columns: [String]) -> String {
        let v = versions(table)
        let values = columns.map { c in
            "(SELECT CASE WHEN x.field = '-' THEN json_extract(x.old_value, '$.\(c)') ELSE x.old_value END FROM journal_entries x"
                + " WHERE x.entity = '\(table)' AND x.field IN ('\(c)', '-') AND x.row_id = o.rid AND x.id >= o.first ORDER BY x.id LIMIT 1)"
        }
        let now = columns.map { c in
            "(SELECT k.\(c) FROM \(table) k WHERE k.id = o.rid)"
        }
        let picked = zip(columns, zip(values, now)).map { c, pair in
            "CASE WHEN EXISTS (SELECT 1 FROM journal_entries x WHERE x.entity = '\(table)' AND x.field IN ('\(c)', '-') AND x.row_id = o.rid AND x.id >= o.first)"
                + " THEN \(pair.0) ELSE \(pair.1) END"
        }
        return """
        INSERT INTO \(v) (valid_to, id, valid_from, \(columns.joined(separator: ", ")))
        SELECT o.day, o.rid, coalesce(o.before, \(always)), \(picked.joined(separator: ", "))
        FROM (SELECT rid, first, day, max(day) OVER (PARTITION BY rid ORDER BY first ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
              FROM (SELECT e.row_id AS rid, min(e.id) AS first, s.day AS day
                    FROM journal_entries e JOIN journal_sets s ON s.id = e.set_id
                    WHERE e.entity = '\(table)' AND e.field != '+'
                    GROUP BY e.row_id, e.set_id)) o
        WHERE o.day IS NOT NULL AND (o.before IS NULL OR o.before < o.day);
        """
    }

    /// Migration step 8: the versions tables, their triggers, and versions for the changes
    /// already journaled.
    static let migration: String = tablesAtV6.map { t in
        create(t.table, t.columns) + "\n" + backfill(t.table, t.columns) + "\n" + triggers(t.table, t.columns)
    }.joined(separator: "\n")

    /// Migration step 10: the same for the resource tables step 9 made.
    static let resourcesMigration: String = tablesAtV9.map { t in
        create(t.table, t.columns) + "\n" + backfill(t.table, t.columns) + "\n" + triggers(t.table, t.columns)
    }.joined(separator: "\n")

    /// Migration step 11: versions of the change links (a new table: nothing to backfill).
    static let linksMigration: String = tablesAtV11.map { t in
        create(t.table, t.columns) + "\n" + triggers(t.table, t.columns)
    }.joined(separator: "\n")

    /// Before a column of `table` is added or dropped (a custom field): its triggers go, so
    /// the change of the column (and the default written into every row) makes no versions.
    static func dropTriggers(_ table: String, _ db: any Engine) throws {
        guard travelled.contains(where: { $0.table == table }) else { return }
        let v = versions(table)
        let on = db.kind == .postgres ? " ON \(table)" : ""
        try db.execute("DROP TRIGGER IF EXISTS \(v)_on_update\(on); DROP TRIGGER IF EXISTS \(v)_on_delete\(on); DROP TRIGGER IF EXISTS \(v)_on_backdate\(on); DROP TRIGGER IF EXISTS \(v)_on_backdated_delete\(on)")
    }

    /// After a column of `table` was added or dropped: the versions table gets the columns it
    /// lacks (a new custom field's earlier versions take `fill`, the value every row got, as
    /// the field reads before it existed), and the triggers are written for the columns now.
    /// Column names come from the database's own schema.
    static func follow(_ table: String, _ db: any Engine, fill: Value? = nil) throws {
        guard travelled.contains(where: { $0.table == table }) else { return }
        let v = versions(table)
        let postgres = db.kind == .postgres
        let have = Set(try db.columns(of: v))
        // Since step 23 the versions do not keep a derived column (`derivedColumns`): one the
        // versions table lacks is neither added back nor written by the triggers.
        let dropped = Set(derivedColumns[table] ?? []).subtracting(have)
        let kept = try db.columns(of: table).filter { $0 != "id" && !dropped.contains($0) }
        let declared = postgres ? [:] : try declaredTypes(table, db)
        for c in kept where !have.contains(c) {
            guard History.isPlainIdentifier(c) else { continue }
            let type = postgres ? " " + (try postgresType(table, c, db)) : declared[c].map { " " + $0 } ?? ""
            try db.execute("ALTER TABLE \(v) ADD COLUMN \(c)" + type)
            if let fill, fill != .null { try db.run("UPDATE \(v) SET \(c) = ?1", [fill]) }
        }
        try dropTriggers(table, db)
        let columns = kept.filter(History.isPlainIdentifier)
        try db.execute(postgres ? postgresTriggers(table, columns)
                       : [triggers(table, columns), backdatedTrigger(table, columns), backdatedDeleteTrigger(table, columns)].joined(separator: "\n"))
    }

    /// Schema step 22 (SQLite; nothing on PostgreSQL, whose versions columns were always
    /// typed as their tables type them): every versions table is written again with each
    /// column declared with its table's type, so the column has the table's affinity. A value
    /// the table holds is then stored in its versions exactly as in the table, and a whole
    /// number in a REAL column (effort 946.0, cost 57610.0) takes 1 to 3 bytes on disk instead
    /// of 8, as SQLite stores it in the table itself (BENCHMARKS.md, k3: 8.3 MB less at 1M
    /// entries). Before this step the versions columns had no declared type. A column the table
    /// no longer has (a dropped custom field) stays untyped.
    ///
    /// The same step gives each versions table a companion `<table>_versions_last (id, last_to)`:
    /// each row's latest version end (`lastStore`), kept by triggers on the versions table, on
    /// both engines. `as of D` asks it whether a row changed after D (one rowid look-up, instead
    /// of a seek in the versions' `(id, valid_to)` index).
    static let typedStep = "-- v22: versions columns declared with their tables' types (RowVersions.retype, SQLite only); each row's latest version end in <table>_versions_last (both engines)"

    /// Step 22 on SQLite (see `typedStep`), for every travelled table: triggers dropped, the
    /// versions copied into a typed table that takes the old one's name and index, triggers
    /// written again for the columns the table has now.
    static func retype(_ db: any Engine) throws {
        guard db.kind != .postgres else {
            for t in travelled { try db.execute(postgresLastStore(t.table)) }
            return
        }
        for t in travelled {
            let v = versions(t.table)
            let declared = try declaredTypes(t.table, db)
            let columns = try db.columns(of: v).filter { !["valid_to", "id", "valid_from"].contains($0) && History.isPlainIdentifier($0) }
            try dropTriggers(t.table, db)
            let defs = columns.map { c in declared[c].map { "\(c) \($0)" } ?? c }
            let list = (["valid_to", "id", "valid_from"] + columns).joined(separator: ", ")
            try db.execute("""
                CREATE TABLE \(v)_typed (
                    valid_to INTEGER NOT NULL,
                    id INTEGER NOT NULL,
                    valid_from INTEGER NOT NULL,
                    \((defs + ["PRIMARY KEY (valid_to, id)"]).joined(separator: ",\n    "))
                ) WITHOUT ROWID;
                INSERT INTO \(v)_typed (\(list)) SELECT \(list) FROM \(v);
                DROP TABLE \(v);
                ALTER TABLE \(v)_typed RENAME TO \(v);
                CREATE INDEX \(v)_row ON \(v)(id, valid_to);
                """)
            try follow(t.table, db)
            try db.execute(lastStore(t.table))
        }
    }

    /// The table of each row's latest version end (`last_to`, the largest `valid_to` of its
    /// versions; no row when it has none): a row has a version ending after D exactly when its
    /// `last_to > D`. Kept by triggers on the versions table (a version written, or dropped by
    /// a back-dated delete), filled from the versions already written.
    static func last(_ table: String) -> String { versions(table) + "_last" }

    static func lastStore(_ table: String) -> String {
        let v = versions(table), l = last(table)
        return """
        CREATE TABLE \(l) (id INTEGER PRIMARY KEY, last_to INTEGER);
        INSERT INTO \(l) (id, last_to) SELECT id, max(valid_to) FROM \(v) GROUP BY id;
        CREATE TRIGGER \(l)_on_insert AFTER INSERT ON \(v) BEGIN
        INSERT INTO \(l) (id, last_to) VALUES (NEW.id, NEW.valid_to) ON CONFLICT (id) DO UPDATE SET last_to = max(coalesce(last_to, excluded.last_to), excluded.last_to);
        END;
        CREATE TRIGGER \(l)_on_delete AFTER DELETE ON \(v) BEGIN
        UPDATE \(l) SET last_to = (SELECT max(valid_to) FROM \(v) WHERE id = OLD.id) WHERE id = OLD.id;
        END;
        """
    }

    /// `lastStore` on PostgreSQL: the same table, one trigger function.
    static func postgresLastStore(_ table: String) -> String {
        let v = versions(table), l = last(table)
        return """
        CREATE TABLE \(l) (id bigint PRIMARY KEY, last_to bigint);
        INSERT INTO \(l) (id, last_to) SELECT id, max(valid_to) FROM \(v) GROUP BY id;
        CREATE OR REPLACE FUNCTION \(l)_keep() RETURNS trigger LANGUAGE plpgsql AS $pmq$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO \(l) (id, last_to) VALUES (NEW.id, NEW.valid_to)
                ON CONFLICT (id) DO UPDATE SET last_to = greatest(\(l).last_to, excluded.last_to);
            ELSE
                UPDATE \(l) SET last_to = (SELECT max(x.valid_to) FROM \(v) x WHERE x.id = OLD.id) WHERE id = OLD.id;
            END IF;
            RETURN NULL;
        END $pmq$;
        CREATE TRIGGER \(l)_on_insert AFTER INSERT ON \(v) FOR EACH ROW EXECUTE FUNCTION \(l)_keep();
        CREATE TRIGGER \(l)_on_delete AFTER DELETE ON \(v) FOR EACH ROW EXECUTE FUNCTION \(l)_keep();
        """
    }

    /// SQLite: each column of `table` with the type it was declared with (`REAL`, `TEXT`,
    /// ...), for the columns that have one made of plain words.
    static func declaredTypes(_ table: String, _ db: any Engine) throws -> [String: String] {
        var out: [String: String] = [:]
        try db.query("SELECT name, type FROM pragma_table_info(?1)", [.text(table)]) { r in
            guard case .text(let name) = r[0], case .text(let type) = r[1], !type.isEmpty,
                  type.allSatisfy({ $0.isLetter || $0.isNumber || " ()_,".contains($0) }) else { return }
            out[name] = type
        }
        return out
    }
}
