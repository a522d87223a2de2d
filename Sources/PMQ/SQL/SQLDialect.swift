/// The small seam between the compiler and one SQL engine. The generator writes
/// standard SQL everywhere else; only these spellings differ between SQLite and,
/// later, PostgreSQL.
/// How a value of a field is kept: what a typed null is cast to.
public enum StoredType: Sendable {
    case integer, real, text
}

public protocol SQLDialect: Sendable {
    /// The text of the n-th (1-based) bound parameter: `?1` or `$1`.
    func placeholder(_ n: Int) -> String
    /// A date (integer days) moved by n working days.
    func addWorkdays(_ date: String, _ n: String) -> String
    /// Case-insensitive "contains" of text.
    func contains(_ haystack: String, _ needle: String) -> String
    /// Whether a list column (tags) holds a value.
    func listContains(_ list: String, _ value: String) -> String
    /// The text after the first `separator` (an SQL text literal) in `s`.
    func textAfter(_ s: String, _ separator: String) -> String
    /// A date (integer days since 1970-01-01) as `YYYY-MM-DD` text.
    func dateText(_ day: String) -> String
    /// A number as `print` and interpolation show it: `596`, not `596.0`.
    func numberText(_ n: String) -> String
    /// A value as the journal keeps it (a number, or text), shown as text; a whole number
    /// kept as a real shows without `.0`.
    func storedNumberText(_ v: String) -> String
    /// A null of a known type: an engine that types every column (PostgreSQL) would
    /// otherwise take a bare NULL for text.
    func typedNull(_ type: StoredType) -> String
    /// Whether a journal value (old_value or new_value) is the value `value`, nulls equal.
    func journalValueIs(_ column: String, _ value: String) -> String
    /// One term of ORDER BY. Nulls sort first going up and last going down, as on SQLite.
    func orderTerm(_ sql: String, descending: Bool) -> String
    /// Division that does not truncate integers.
    func divide(_ a: String, _ b: String) -> String
    /// `count(*)`.
    var countAll: String { get }
    /// A part of a date (integer days since 1970-01-01): a number, or a date (docs/language.md, “Reports”).
    func datePart(_ part: DatePart, _ day: String) -> String
    /// A date moved by n calendar months, the day clamped to the month's end.
    func addMonths(_ date: String, _ n: String) -> String
    /// The SQL name of a scalar function (case folding must handle all of Unicode).
    func function(_ f: ScalarFunction) -> String
    /// `x IS [NOT] NULL`. `integer`/`number`/`text`: x holds ids, days or flags / numbers / text, so a bound
    /// parameter tested alone can be given its type (PostgreSQL types parameters where first used).
    func nullTest(_ x: String, negated: Bool, integer: Bool, number: Bool, text: Bool) -> String
    /// The ids in a JSON array of integers (a set variable), as a one-column subquery.
    func idsOf(_ jsonArray: String) -> String
    /// The texts in a JSON array of text (an enum's values), as a one-column subquery.
    func textsOf(_ jsonArray: String) -> String
    /// The ids reached from task `start` as WorkWalkSQL walks (links from column `from` to
    /// `to`, a link to or from a summary holding for every task below it), `start` left out,
    /// as a one-column subquery, when the engine has a faster walk than that recursive CTE
    /// (`downstream of` / `upstream of` a constant task, today's model); else nil.
    func reachableWork(from: String, to: String, start: String) -> String?
    /// A list (JSON array of text) without `value`.
    func listRemove(_ list: String, _ value: String) -> String
    /// A list with `value` appended.
    func listAppend(_ list: String, _ value: String) -> String
    /// A pivot cell's distinct values of `text`, sorted by `order`, joined by ",", over the rows
    /// where `filter` holds. `numericOrder`: `order` is a number (a number, duration, date or
    /// enum position), to be sorted as one.
    func joinDistinct(_ text: String, orderedBy order: String, numericOrder: Bool, filter: String) -> String
    /// The working days from `start` through `finish` in `person`'s calendar (the project's
    /// less their leave; null when start or finish is null): what the roll-up weighs a
    /// child's progress by.
    func workdays(_ start: String, _ finish: String, person: String) -> String
}

public struct SQLiteDialect: SQLDialect {
    public init() {}
    public func placeholder(_ n: Int) -> String { n >= 0 && n < SQLiteDialect.placeholders.count ? SQLiteDialect.placeholders[n] : "?\(n)" }
    /// `?0` to `?63`, made once: every literal of every query asks for one.
    private static let placeholders = (0..<64).map { "?\($0)" }
    public func addWorkdays(_ date: String, _ n: String) -> String { "pmq_add_workdays(\(date), \(n))" }
    public func contains(_ haystack: String, _ needle: String) -> String { "pmq_contains(\(haystack), \(needle))" }
    public func listContains(_ list: String, _ value: String) -> String {
        "EXISTS (SELECT 1 FROM json_each(\(list)) WHERE json_each.value = \(value))"
    }
    public func textAfter(_ s: String, _ separator: String) -> String { "substr(\(s), instr(\(s), \(separator)) + 1)" }
    public func dateText(_ day: String) -> String { "strftime('%Y-%m-%d', (\(day)) * 86400, 'unixepoch')" }
    public func numberText(_ n: String) -> String { "pmq_number_text(\(n))" }
    public func typedNull(_ type: StoredType) -> String { "NULL" }
    public func journalValueIs(_ column: String, _ value: String) -> String { "\(column) IS \(value)" }
    public func orderTerm(_ sql: String, descending: Bool) -> String { descending ? sql + " DESC" : sql }
    public func storedNumberText(_ v: String) -> String {
        "(CASE WHEN typeof(\(v)) = 'real' AND \(v) = CAST(\(v) AS INTEGER) THEN CAST(CAST(\(v) AS INTEGER) AS TEXT) ELSE CAST(\(v) AS TEXT) END)"
    }
    public func divide(_ a: String, _ b: String) -> String { "(CAST(\(a) AS REAL) / \(b))" }
    public var countAll: String { "count(*)" }
    public func datePart(_ part: DatePart, _ day: String) -> String {
        let t = "(\(day)) * 86400, 'unixepoch'"
        func days(_ modifiers: String) -> String { "(CAST(strftime('%s', \(t), \(modifiers)) AS INTEGER) / 86400)" }
        // ISO weekday from the day number: 1970-01-01 was a Thursday (4).
        let weekday = "((((\(day)) % 7 + 7) % 7 + 3) % 7 + 1)"
        switch part {
        case .year: return "CAST(strftime('%Y', \(t)) AS INTEGER)"
        case .month: return "CAST(strftime('%m', \(t)) AS INTEGER)"
        case .quarter: return "((CAST(strftime('%m', \(t)) AS INTEGER) + 2) / 3)"
        case .weekday: return weekday
        case .week:
            // The ISO week is the week of the year that holds the date's Thursday.
            let thursday = "((\(day)) - \(weekday) + 4)"
            return "((CAST(strftime('%j', \(thursday) * 86400, 'unixepoch') AS INTEGER) - 1) / 7 + 1)"
        case .startOfMonth: return days("'start of month'")
        // Past the first of the next month and back: in 9999-12 that first is past SQLite's
        // calendar, so December's end is written out (the 31st, as PostgreSQL gives it).
        case .endOfMonth:
            return "(CASE WHEN \(datePart(.month, day)) = 12 THEN \(days("'start of year', '+11 months', '+30 days'")) ELSE \(days("'start of month', '+1 month', '-1 day'")) END)"
        case .startOfYear: return days("'start of year'")
        }
    }
    public func addMonths(_ date: String, _ n: String) -> String { "pmq_add_months(\(date), \(n))" }
    public func function(_ f: ScalarFunction) -> String {
        switch f {
        case .lower: return "pmq_lower"
        case .upper: return "pmq_upper"
        // SQLite's round() ignores negative digits; PMQ's rounds to tens as PostgreSQL does.
        case .round: return "pmq_round"
        default: return f.rawValue
        }
    }
    public func idsOf(_ jsonArray: String) -> String { "SELECT value FROM json_each(\(jsonArray))" }
    public func textsOf(_ jsonArray: String) -> String { "SELECT value FROM json_each(\(jsonArray))" }
    public func nullTest(_ x: String, negated: Bool, integer: Bool, number: Bool, text: Bool) -> String { "(\(x) IS \(negated ? "NOT " : "")NULL)" }
    public func reachableWork(from: String, to: String, start: String) -> String? {
        // Links and tasks are read in one scan each and walked by pmq_walk (WorkReach), many
        // times faster than the recursive CTE at 250k links.
        "SELECT value FROM json_each((SELECT pmq_walk(x.id, x.project, x.wbs, x.parent_wbs, x.a, x.b, \(start)) FROM "
            + "(SELECT NULL AS id, NULL AS project, NULL AS wbs, NULL AS parent_wbs, dx.\(from) AS a, dx.\(to) AS b FROM dependencies dx "
            + "UNION ALL SELECT tx.id, tx.project, tx.wbs, tx.parent_wbs, NULL, NULL FROM tasks tx) x))"
    }
    public func listRemove(_ list: String, _ value: String) -> String {
        "(SELECT json_group_array(lx.value) FROM json_each(\(list)) lx WHERE lx.value IS NOT \(value))"
    }
    public func listAppend(_ list: String, _ value: String) -> String { "json_insert(coalesce(\(list), '[]'), '$[#]', \(value))" }
    public func joinDistinct(_ text: String, orderedBy order: String, numericOrder: Bool, filter: String) -> String {
        "pmq_join_distinct(\(text), \(order)) FILTER (WHERE \(filter))"
    }
    public func workdays(_ start: String, _ finish: String, person: String) -> String { "pmq_workdays(\(start), \(finish), \(person))" }
}
