import Foundation

/// Migration step 13 on SQLite: a row's id is never given to another row.
///
/// The journal names rows by id (undo, `history of`, the journal source) and `as of` reads
/// the journal's `+` entries to know which rows did not exist yet. A table declared
/// `id INTEGER PRIMARY KEY` without AUTOINCREMENT gives a new row max(id)+1, so the id of
/// the newest row, freed by `undo` of its `add` or by `delete`, went to the next row added:
/// the journal then named the later row, and `as of` an earlier day listed it. PostgreSQL's
/// identity sequences never go back, so the two engines disagreed.
///
/// `id INTEGER PRIMARY KEY AUTOINCREMENT` keeps the largest id ever used in
/// `sqlite_sequence`. A table's declaration cannot be changed in place, so each table is
/// rebuilt by SQLite's procedure (https://www.sqlite.org/lang_altertable.html, "Making
/// Other Kinds Of Table Schema Changes"): a new table from the file's own declaration (which
/// holds the custom fields' columns added so far), the rows copied with their ids, the old
/// table dropped, the new one renamed, its indexes and triggers (the row versions') made
/// again, then `PRAGMA foreign_key_check`. Foreign keys are off meanwhile (`migrate` turns
/// them off before its transaction): dropping a table with them on would delete the rows
/// that reference it.
///
/// The sequence is seeded past every id the table had and every id its journal entries and
/// row versions name (a `+` entry's range ends at its new value), so an id freed before the
/// upgrade is not given out either.
///
/// Self-contained: `Migrations.steps` holds `step` (a marker, not SQL) and `migrate` calls
/// `rebuild` for it, whatever its position.
enum IdsNeverReused {
    /// The tables whose rows the journal names by id (the travelled tables, saved queries and
    /// rules; `pmq_fields` has had AUTOINCREMENT from its start).
    static let tables: [String] = RowVersions.travelled.map(\.table) + ["saved_queries", "rules"]

    /// The step's entry in `Migrations.steps`: an SQL comment, so running it as SQL would
    /// do nothing; `migrate` runs `rebuild` instead.
    static let step = "-- step: ids are never reused (IdsNeverReused.rebuild)"

    /// The schema version just before this step (where it sits in `Migrations.steps`).
    static var stepIndex: Int { Migrations.steps.firstIndex(of: step) ?? Migrations.latest }

    /// Rebuilds every table of `tables` with an AUTOINCREMENT id and seeds its sequence.
    /// Runs inside the migration's transaction, with foreign keys off.
    static func rebuild(_ db: SQLiteEngine) throws {
        let before = try violations(db)
        for table in tables { try rebuild(table, db) }
        let after = try violations(db)
        if after > before {
            throw StoreError(.constraint, "the upgrade to AUTOINCREMENT ids would break \(after - before) foreign key(s); nothing was changed")
        }
    }

    /// Rows `PRAGMA foreign_key_check` reports: the rebuild keeps every id, so it must not add any.
    private static func violations(_ db: SQLiteEngine) throws -> Int {
        var n = 0
        try db.query("PRAGMA foreign_key_check") { _ in n += 1 }
        return n
    }

    private static func rebuild(_ table: String, _ db: SQLiteEngine) throws {
        guard case .text(let declared) = try db.scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", [.text(table)]) else {
            throw StoreError(.notPMQ, "not a PMQ database: the table \(table) is missing")
        }
        let scratch = "pmq_rebuild_\(table)"
        if declared.range(of: "AUTOINCREMENT", options: .caseInsensitive) == nil {
            let created = try newDeclaration(declared, table: table, as: scratch)
            // Indexes (those the declaration's UNIQUE makes have no SQL: they come back with it)
            // and triggers, in the order they were made.
            var remade: [String] = []
            try db.query("SELECT sql FROM sqlite_master WHERE tbl_name = ?1 AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
                         [.text(table)]) { s in
                if case .text(let sql) = s[0] { remade.append(sql) }
            }
            let columns = try db.columns(of: table).map { "\"\($0)\"" }.joined(separator: ", ")
            try db.execute(created)
            try db.execute("INSERT INTO \(scratch) (\(columns)) SELECT \(columns) FROM \(table)")
            try db.execute("DROP TABLE \(table)")
            try db.execute("ALTER TABLE \(scratch) RENAME TO \(table)")
            for sql in remade { try db.execute(sql) }
        }
        // The next id is past every id the table, its versions and its journal ever held.
        var sources = [
            "SELECT max(id) FROM \(table)",
            "SELECT max(row_id) FROM journal_entries WHERE entity = '\(table)'",
            "SELECT max(CAST(new_value AS INTEGER)) FROM journal_entries WHERE entity = '\(table)' AND field = '+'",
        ]
        if case .integer(1) = try db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [.text(RowVersions.versions(table))]) {
            sources.append("SELECT max(id) FROM \(RowVersions.versions(table))")
        }
        try db.execute("DELETE FROM sqlite_sequence WHERE name = '\(table)'")
        try db.execute("INSERT INTO sqlite_sequence (name, seq) SELECT '\(table)', max(0, " + sources.map { "coalesce((\($0)), 0)" }.joined(separator: ", ") + ")")
    }

    /// The table's declaration under `name`, its id column made AUTOINCREMENT.
    static func newDeclaration(_ declared: String, table: String, as name: String) throws -> String {
        let id = #"\bid\s+INTEGER\s+PRIMARY\s+KEY\b"#
        guard let open = declared.firstIndex(of: "("),
              let key = declared.range(of: id, options: [.regularExpression, .caseInsensitive]) else {
            throw StoreError(.notPMQ, "not a PMQ database: the table \(table) has no INTEGER PRIMARY KEY id")
        }
        return "CREATE TABLE \(name) " + String(declared[open..<key.upperBound]) + " AUTOINCREMENT" + String(declared[key.upperBound...])
    }
}
