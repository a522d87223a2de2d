/// Time travel in SQL (spec §8.3; design in docs/time-travel.md).
///
/// A table as of day D is rebuilt inside the query, from the table as it is now and the
/// journal entries of the change sets booked after D, read newest-last:
///
/// - a row whose first row event after D is an add (`+`) did not exist yet: left out;
/// - a row whose first row event after D is a delete (`-`) is brought back from the
///   delete's entry, which holds the whole row as JSON;
/// - every other field takes the old value of its first change after D (before that
///   delete, for a deleted row), else the value it has now.
///
/// Nothing is replayed row by row in Swift: the result is one SQL statement whose cost
/// grows with the number of journal entries booked after D, not with the journal's size.
enum AsOfSQL {
    /// The body of a derived table with the stored columns of `table` as of the day in `day`
    /// (SQL text of a bound date). `table` and the columns come from the catalog.
    static func table(_ table: String, columns: [String], day: String) -> String {
        let cols = columns.filter { $0 != "id" }
        // From the sets booked after D to their entries (CROSS JOIN keeps that order): the
        // work grows with what happened after D, not with the whole journal.
        let later = "FROM journal_sets s CROSS JOIN journal_entries e ON e.set_id = s.id WHERE s.day > \(day) AND e.entity = '\(table)'"
        // Row events after D: `lo..hi` is the range of ids an add covers (one id for a delete).
        let events = "SELECT e.id AS eid, e.row_id AS lo, coalesce(e.new_value, e.row_id) AS hi, e.field AS kind, e.old_value AS old \(later) AND e.field IN ('+', '-')"
        // Rows with no entry after D are read as they are: the query's own conditions
        // reach the table through this branch, with its indexes.
        let notAddedOrDeleted = "x.id NOT IN (SELECT lo FROM ev WHERE lo = hi) AND NOT EXISTS (SELECT 1 FROM ev WHERE ev.hi > ev.lo AND x.id BETWEEN ev.lo AND ev.hi)"
        let untouched = "SELECT x.id AS id, " + cols.map { "x.\($0) AS \($0)" }.joined(separator: ", ")
            + " FROM \(table) x WHERE x.id NOT IN (SELECT row_id FROM fc) AND \(notAddedOrDeleted)"
        // Rows changed after D, as they are now; and rows deleted after D, from the JSON
        // of their delete (when that was their first row event after D).
        let changed = "SELECT x.id AS id, " + cols.map { "x.\($0) AS \($0)" }.joined(separator: ", ")
            + ", 9223372036854775807 AS stop FROM \(table) x WHERE x.id IN (SELECT row_id FROM fc) AND \(notAddedOrDeleted)"
        let deleted = "SELECT ev.lo, " + cols.map { "json_extract(ev.old, '$.\($0)')" }.joined(separator: ", ")
            + ", ev.eid FROM ev WHERE ev.kind = '-' AND NOT EXISTS (SELECT 1 FROM ev e2 WHERE e2.eid < ev.eid AND ev.lo BETWEEN e2.lo AND e2.hi)"
        // Per row and field, the first change after D; then per row, [old value, entry id] by field name.
        let firsts = "SELECT e.row_id AS row_id, e.field AS field, e.old_value AS old_value, min(e.id) AS eid \(later) AND e.field NOT IN ('+', '-') GROUP BY e.row_id, e.field"
        let byRow = "SELECT row_id, json_group_object(field, json_array(old_value, eid)) AS v FROM fc GROUP BY row_id"
        let out = cols.map {
            "CASE WHEN fx.v IS NULL OR json_extract(fx.v, '$.\($0)[1]') IS NULL OR json_extract(fx.v, '$.\($0)[1]') > b.stop THEN b.\($0) ELSE json_extract(fx.v, '$.\($0)[0]') END AS \($0)"
        }
        return "WITH ev AS MATERIALIZED (\(events)), fc AS MATERIALIZED (\(firsts)), fx AS (\(byRow))"
            + " \(untouched) UNION ALL"
            + " SELECT b.id AS id, " + out.joined(separator: ", ") + " FROM (\(changed) UNION ALL \(deleted)) b LEFT JOIN fx ON fx.row_id = b.id"
    }
}
