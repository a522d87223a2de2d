/// Time travel in SQL (docs/language.md, “Time travel”; design in docs/time-travel.md).
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
    /// Adds and deletes of `table` booked after D, from the index on (entity, field, row_id);
    /// `+` keeps SQLite from reading every entry of the later sets instead.
    private static func events(_ table: String, _ day: String) -> String {
        "SELECT e.id AS eid, e.row_id AS lo, coalesce(e.new_value, e.row_id) AS hi, e.field AS kind FROM journal_entries e"
            + " WHERE e.entity = '\(table)' AND e.field IN ('+', '-') AND +e.set_id IN (SELECT s.id FROM journal_sets s WHERE s.day > \(day))"
    }

    /// Ids whose first such event after D is an add: not there on D.
    private static let born = "SELECT a.lo AS lo, a.hi AS hi FROM ev a WHERE a.kind = '+' AND NOT EXISTS (SELECT 1 FROM ev b WHERE b.eid < a.eid AND b.lo <= a.hi AND b.hi >= a.lo)"

    /// `id` is in no range of `set` (ev or born). Usually the set is empty (nothing added or
    /// deleted since D) or its ranges lie above the ids read: the first test, a constant
    /// computed once, then settles it without a lookup per row.
    private static func outside(_ set: String, _ id: String) -> String {
        "(\(id) < (SELECT coalesce(min(lo), 9223372036854775807) FROM \(set))"
            + " OR (\(id) NOT IN (SELECT lo FROM \(set) WHERE lo = hi) AND NOT EXISTS (SELECT 1 FROM \(set) WHERE \(set).hi > \(set).lo AND \(id) BETWEEN \(set).lo AND \(set).hi)))"
    }

    private static func with(_ table: String, _ day: String) -> String {
        "WITH ev AS MATERIALIZED (\(events(table, day))), born AS MATERIALIZED (\(born))"
    }

    private static func list(_ alias: String, _ columns: [String]) -> String {
        (["id"] + columns.filter { $0 != "id" }).map { "\(alias).\($0) AS \($0)" }.joined(separator: ", ")
    }

    /// `list` for a versions table: a column the versions do not keep (RowVersions.derived,
    /// schema step 23) is computed from the version's own columns.
    private static func versionList(_ table: String, _ columns: [String]) -> String {
        (["id"] + columns.filter { $0 != "id" }).map { c in
            "\(RowVersions.derived(table, c, alias: "v") ?? "v.\(c)") AS \(c)"
        }.joined(separator: ", ")
    }

    /// The versions valid on D of rows that existed then: the rows changed or deleted since.
    private static func then(_ table: String, _ columns: [String], _ day: String) -> String {
        "SELECT \(versionList(table, columns)) FROM \(RowVersions.versions(table)) v"
            + " WHERE v.valid_to > \(day) AND v.valid_from <= \(day) AND \(outside("born", "v.id"))"
    }

    /// The body of a derived table with the stored columns of `table` as of the day in `day`
    /// (SQL text of a bound date). `table` and the columns come from the catalog.
    static func table(_ table: String, columns: [String], day: String) -> String {
        let versions = RowVersions.versions(table)
        // A row changed since D has a version ending after D. With few such versions (a
        // recent D) their ids are gathered once and looked up per row; with many, each row
        // looks its id up in `<table>_versions_last` (its latest version end) instead. The count that decides is capped and its
        // subquery runs once per statement.
        let unchanged = "(CASE WHEN \(few(table, day)) THEN x.id NOT IN (SELECT id FROM \(versions) WHERE valid_to > \(day))"
            + " ELSE \(unchangedSince(table, "x.id", day)) END)"
        let now = "SELECT \(list("x", columns)) FROM \(table) x WHERE \(unchanged) AND \(outside("ev", "x.id"))"
        return "\(with(table, day)) \(now) UNION ALL \(then(table, columns, day))"
    }

    /// `count` of the rows of `table` as of D that `joins` and `conditions` keep: the
    /// statement's joins and WHERE terms over the row aliased `root`; `versions` gives the
    /// derived table of the versions part (with the columns the statement reads).
    ///
    /// The model on D is the rows now that nothing changed, added or deleted since D, plus the
    /// versions valid on D, so the count is the sum of the two, each counted with the
    /// statement's own conditions inside (`count(versions valid on D)` below). How the first
    /// term is counted depends on how much changed since D (decided inside the statement, by
    /// the same capped count as `table`):
    ///
    /// - little (a recent D): `count(rows now) - count(rows now with a version valid on D) -
    ///   count(other rows now added since D)`. The first is the plain count (its indexes serve
    ///   it as on the current model); the second is driven by the few versions ending after D;
    ///   the third is empty unless rows were added since D. A row changed since D has exactly
    ///   one version valid on D: a row's versions follow each other without a gap from its
    ///   first (valid "always") to its last change.
    /// - much (a D far back, when most rows changed since): the rows now that the conditions
    ///   select through the table's indexes, each looking its latest version end up in
    ///   `<table>_versions_last` (RowVersions.last: one rowid look-up). Correcting the plain
    ///   count would instead look up the row now of every version valid on D (BENCHMARKS.md,
    ///   "k: the fifth pass").
    static func count(_ table: String, root: String, joins: String, conditions: [String], versions: String, day: String) -> String {
        let v = RowVersions.versions(table)
        let rest = joins + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        let now = "SELECT count(*) FROM \(table) \(root) \(rest)"
        let changed = "SELECT count(*) FROM (SELECT v.id FROM \(v) v WHERE v.valid_to > \(day) AND v.valid_from <= \(day)) c"
            + " CROSS JOIN \(table) \(root) ON \(root).id = c.id \(rest)"
        // Rows now that are in an add or delete after D and have no version valid on D; the
        // range test on the rowid finds none without reading a row when nothing was added.
        let added = "SELECT count(*) FROM (\(with(table, day)) SELECT x.id AS id FROM \(table) x"
            + " WHERE x.id >= (SELECT coalesce(min(lo), 9223372036854775807) FROM ev) AND NOT \(outside("ev", "x.id"))"
            + " AND NOT EXISTS (SELECT 1 FROM \(v) w WHERE w.id = x.id AND w.valid_to > \(day) AND w.valid_from <= \(day))) a"
            + " CROSS JOIN \(table) \(root) ON \(root).id = a.id \(rest)"
        // The latest version end of each row is joined (one rowid look-up per row the
        // conditions keep), not asked for in a subquery per row: about a third fewer
        // instructions (BENCHMARKS.md, "k: the sixth pass").
        let unchanged = ["(pmq_last.last_to IS NULL OR pmq_last.last_to <= \(day))", outside("ev", "\(root).id")]
        let kept = "WITH ev AS MATERIALIZED (\(events(table, day))) SELECT count(*) FROM \(table) \(root)"
            + " LEFT JOIN \(RowVersions.last(table)) pmq_last ON pmq_last.id = \(root).id \(joins) WHERE "
            + (conditions + unchanged).joined(separator: " AND ")
        let then = "SELECT count(*) FROM (\(versions)) \(root) \(rest)"
        return "SELECT (CASE WHEN \(few(table, day)) THEN (\(now)) - (\(changed)) - (\(added)) ELSE (\(kept)) END) + (\(then))"
    }

    /// The row `id` has no version ending after D: its latest version end (RowVersions.last,
    /// one rowid look-up) is D or before, or it has none.
    private static func unchangedSince(_ table: String, _ id: String, _ day: String) -> String {
        "NOT EXISTS (SELECT 1 FROM \(RowVersions.last(table)) l WHERE l.id = \(id) AND l.last_to > \(day))"
    }

    /// True when few rows changed since D: the versions ending after D, counted up to a
    /// quarter of the table's largest id (a subquery run once per statement). An empty table
    /// has no largest id: 0, not NULL (SQLite refuses `LIMIT NULL`), which takes the form
    /// that reads the versions.
    private static func few(_ table: String, _ day: String) -> String {
        let many = "coalesce((SELECT max(id) FROM \(table)), 0) / 4"
        return "(SELECT count(*) FROM (SELECT 1 FROM \(RowVersions.versions(table)) WHERE valid_to > \(day) LIMIT \(many))) < \(many)"
    }

    /// The versions part alone, as a derived table's body (see `count`).
    static func versionsPart(_ table: String, columns: [String], day: String) -> String {
        "\(with(table, day)) \(then(table, columns, day))"
    }
}
