/// Time travel in SQL (spec §8.3; design in docs/time-travel.md).
///
/// A table as of day D is read from two places, in one SQL statement:
///
/// - the table as it is, for rows with no version ending after D (nothing changed or
///   deleted them since) and no add or delete after D;
/// - its versions (`<table>_versions`, see RowVersions) valid on D: `valid_from <= D <
///   valid_to`, for rows changed or deleted after D.
///
/// Rows whose first add-or-delete entry after D is an add did not exist yet and are in
/// neither part; those are found from the journal's `+` and `-` entries of the sets booked
/// after D (few: an add of many rows is one range entry). Both parts are plain selects of
/// a table, so the query's own conditions reach each with its indexes, and the cost grows
/// with the rows the query selects and the versions ending after D, not with the journal.
enum AsOfSQL {
    /// The body of a derived table with the stored columns of `table` as of the day in `day`
    /// (SQL text of a bound date). `table` and the columns come from the catalog.
    static func table(_ table: String, columns: [String], day: String) -> String {
        let cols = columns.filter { $0 != "id" }
        let versions = RowVersions.versions(table)
        // Adds and deletes booked after D, from the index on (entity, field, row_id); `+`
        // keeps SQLite from reading every entry of the later sets instead.
        let events = "SELECT e.id AS eid, e.row_id AS lo, coalesce(e.new_value, e.row_id) AS hi, e.field AS kind FROM journal_entries e"
            + " WHERE e.entity = '\(table)' AND e.field IN ('+', '-') AND +e.set_id IN (SELECT s.id FROM journal_sets s WHERE s.day > \(day))"
        // Ids whose first such event after D is an add: not there on D.
        let born = "SELECT a.lo AS lo, a.hi AS hi FROM ev a WHERE a.kind = '+' AND NOT EXISTS (SELECT 1 FROM ev b WHERE b.eid < a.eid AND b.lo <= a.hi AND b.hi >= a.lo)"
        func outside(_ set: String, _ id: String) -> String {
            "\(id) NOT IN (SELECT lo FROM \(set) WHERE lo = hi) AND NOT EXISTS (SELECT 1 FROM \(set) WHERE \(set).hi > \(set).lo AND \(id) BETWEEN \(set).lo AND \(set).hi)"
        }
        // A row changed since D has a version ending after D. With few such versions (a
        // recent D) their ids are gathered once and looked up per row; with many, each row
        // probes the (id, valid_to) index instead. The count that decides is capped and its
        // subquery runs once per statement.
        let many = "(SELECT max(id) FROM \(table)) / 4"
        let few = "(SELECT count(*) FROM (SELECT 1 FROM \(versions) WHERE valid_to > \(day) LIMIT \(many))) < \(many)"
        let unchanged = "(CASE WHEN \(few) THEN x.id NOT IN (SELECT id FROM \(versions) WHERE valid_to > \(day))"
            + " ELSE NOT EXISTS (SELECT 1 FROM \(versions) v WHERE v.id = x.id AND v.valid_to > \(day)) END)"
        let now = "SELECT x.id AS id, " + cols.map { "x.\($0) AS \($0)" }.joined(separator: ", ") + " FROM \(table) x"
            + " WHERE \(unchanged) AND \(outside("ev", "x.id"))"
        let then = "SELECT v.id AS id, " + cols.map { "v.\($0) AS \($0)" }.joined(separator: ", ") + " FROM \(versions) v"
            + " WHERE v.valid_to > \(day) AND v.valid_from <= \(day) AND \(outside("born", "v.id"))"
        return "WITH ev AS MATERIALIZED (\(events)), born AS MATERIALIZED (\(born)) \(now) UNION ALL \(then)"
    }
}
