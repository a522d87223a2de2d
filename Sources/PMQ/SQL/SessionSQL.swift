/// The statements the interpreter itself runs (outside any executor): saved queries, the
/// projects a bare WBS code may name, row variables' copies, `me`,
/// a value's own SELECT and how a row is named. Values are bound; table and column names come
/// from the schema or from a variable's slot number, never from user text.
enum SessionSQL {
    /// Up to two projects: enough to tell none, one and several apart.
    static let firstProjects = "SELECT id FROM projects ORDER BY id LIMIT 2"

    /// The first 21 project codes in order: a refusal lists up to 20 and an ellipsis for more.
    static let someProjectCodes = "SELECT code FROM projects ORDER BY code LIMIT 21"

    // MARK: Saved queries (`save query`, `drop query`, `show queries`)

    static let savedQueryID = "SELECT id FROM saved_queries WHERE name = ?1"
    static let savedQuerySourceByID = "SELECT source FROM saved_queries WHERE id = ?1"
    static let setSavedQuery = "UPDATE saved_queries SET source = ?1 WHERE id = ?2"
    static let insertSavedQuery = "INSERT INTO saved_queries (name, source) VALUES (?1, ?2)"
    /// The rows `drop query` removes, as the journal's removal records them.
    static let savedQueryByName = "name = ?1"
    static let deleteSavedQuery = "DELETE FROM saved_queries WHERE " + savedQueryByName
    static let savedQueries = "SELECT name, source FROM saved_queries ORDER BY name"

    // MARK: Row variables

    /// A row variable's own copy of its row (`for t in tasks`, `let u = t`): a temporary table
    /// shaped as `table`, emptied, then filled with row ?1. CREATE ... IF NOT EXISTS is a
    /// cached statement: no schema change once the table is there.
    static func createSnapshot(_ name: String, of table: String) -> String {
        "CREATE TEMP TABLE IF NOT EXISTS \(name) AS SELECT *, CAST(NULL AS INTEGER) AS \(snapshotDay) FROM main.\(table) WHERE 0"
    }
    /// The column of a row variable's copy holding the `as of` day it was read on (null: now),
    /// the `today` of its computed fields (`t.late`).
    static let snapshotDay = "pmq_as_of"
    static func snapshotDay(of name: String) -> String { "SELECT \(snapshotDay) FROM temp.\(name)" }
    static func clearSnapshot(_ name: String) -> String { "DELETE FROM temp.\(name)" }
    static func fillSnapshot(_ name: String, from table: String) -> String {
        "INSERT INTO temp.\(name) SELECT *, NULL FROM main.\(table) WHERE id = ?1"
    }
    /// The same, with row ?1 as it was on day ?2 (`for t in tasks as of D`).
    static func fillSnapshot(_ name: String, from table: String, columns: [String]) -> String {
        let list = columns.joined(separator: ", ")
        return "INSERT INTO temp.\(name) (\(list), \(snapshotDay)) SELECT \(list), ?2 FROM (\(AsOfSQL.table(table, columns: columns, day: "?2"))) s WHERE s.id = ?1"
    }

    /// A table as of a day (`select` of AsOfSQL.table) kept as temporary table `name`.
    static func dropTemp(_ name: String) -> String { "DROP TABLE IF EXISTS temp.\(name)" }
    static func createTemp(_ name: String, as select: String) -> String { "CREATE TEMP TABLE \(name) AS " + select }

    // MARK: Lookups

    /// The people whose login is ?1 (`me`): up to two, to tell one from several.
    static let peopleWithLogin = "SELECT id FROM people WHERE login = ?1 LIMIT 2"

    /// A row's key, for naming it in messages.
    static func key(_ key: String, of table: String) -> String { "SELECT \(key) FROM \(table) WHERE id = ?1" }

    /// The value of an expression outside any query (`output` is the generator's text of it).
    static func value(_ output: String) -> String { "SELECT " + output }
}
