/// PostgreSQL's spellings. Dates are integer days since 1970-01-01 as on SQLite; lists are
/// JSON arrays of text kept in a text column and read as jsonb. The `pmq_*` functions named
/// here are installed by the PostgreSQL migration (Migrations+Postgres.swift).
public struct PostgresDialect: SQLDialect {
    public init() {}
    public func placeholder(_ n: Int) -> String { "$\(n)" }
    public func addWorkdays(_ date: String, _ n: String) -> String { "pmq_add_workdays(\(date), \(n))" }
    public func contains(_ haystack: String, _ needle: String) -> String { "pmq_contains(\(haystack), \(needle))" }
    public func listContains(_ list: String, _ value: String) -> String {
        // False, as SQLite's EXISTS gives, when the list was never set or the value is null.
        "coalesce(jsonb_exists(CAST(\(list) AS jsonb), CAST(\(value) AS text)), false)"
    }
    public func textAfter(_ s: String, _ separator: String) -> String { "substr(\(s), strpos(\(s), \(separator)) + 1)" }
    public func dateText(_ day: String) -> String { "pmq_date_text(\(day))" }
    public func numberText(_ n: String) -> String { "pmq_number_text(\(n))" }
    /// The journal keeps values as text, written by PostgreSQL's own text output of the value.
    public func journalValueIs(_ column: String, _ value: String) -> String { "\(column) IS NOT DISTINCT FROM CAST(\(value) AS text)" }
    /// PostgreSQL sorts nulls as the largest value: told to sort them as SQLite does.
    public func orderTerm(_ sql: String, descending: Bool) -> String { descending ? sql + " DESC NULLS LAST" : sql + " NULLS FIRST" }
    public func typedNull(_ type: StoredType) -> String {
        switch type {
        case .integer: return "CAST(NULL AS bigint)"
        case .real: return "CAST(NULL AS double precision)"
        case .text: return "CAST(NULL AS text)"
        }
    }
    /// Journal values are text here, written from the value (`8.0` for a real eight).
    public func storedNumberText(_ v: String) -> String {
        "regexp_replace(CAST(\(v) AS text), '^(-?[0-9]+)\\.0$', '\\1')"
    }
    /// Division by zero gives null, as on SQLite (PostgreSQL would raise an error).
    public func divide(_ a: String, _ b: String) -> String { "(CAST(\(a) AS double precision) / NULLIF(\(b), 0))" }
    public var countAll: String { "count(*)" }
    public func datePart(_ part: DatePart, _ day: String) -> String {
        // `::int4`, not CAST(... AS integer): the adapter turns that into pmq_int (a bigint).
        let d = "(DATE '1970-01-01' + (\(day))::int4)"
        func days(_ date: String) -> String { "(CAST(\(date) AS date) - DATE '1970-01-01')" }
        switch part {
        case .year: return "CAST(extract(year FROM \(d)) AS bigint)"
        case .month: return "CAST(extract(month FROM \(d)) AS bigint)"
        case .quarter: return "CAST(extract(quarter FROM \(d)) AS bigint)"
        case .weekday: return "CAST(extract(isodow FROM \(d)) AS bigint)"
        case .week: return "CAST(extract(week FROM \(d)) AS bigint)"
        case .startOfMonth: return days("date_trunc('month', \(d))")
        case .endOfMonth: return days("date_trunc('month', \(d)) + INTERVAL '1 month' - INTERVAL '1 day'")
        case .startOfYear: return days("date_trunc('year', \(d))")
        }
    }
    public func addMonths(_ date: String, _ n: String) -> String { "pmq_add_months(\(date), \(n))" }
    public func function(_ f: ScalarFunction) -> String {
        switch f {
        case .lower: return "pmq_lower"
        case .upper: return "pmq_upper"
        case .length: return "pmq_length"
        case .round: return "pmq_round"
        case .listOf: return "pmq_list_of"
        case .maxOf: return "greatest"
        default: return f.rawValue
        }
    }
    public func nullTest(_ x: String, negated: Bool, integer: Bool, number: Bool, text: Bool) -> String {
        let parameter = x.first == "$" && x.dropFirst().allSatisfy(\.isNumber)
        let typed = parameter && integer ? "CAST(\(x) AS bigint)" : parameter && number ? "CAST(\(x) AS numeric)" : parameter && text ? "CAST(\(x) AS text)" : x
        return "(\(typed) IS \(negated ? "NOT " : "")NULL)"
    }
    public func idsOf(_ jsonArray: String) -> String {
        "SELECT CAST(jsonb_array_elements_text(CAST(\(jsonArray) AS jsonb)) AS bigint)"
    }
    public func textsOf(_ jsonArray: String) -> String { "SELECT jsonb_array_elements_text(CAST(\(jsonArray) AS jsonb))" }
    /// The recursive CTE (WorkWalkSQL) is PostgreSQL's walk.
    public func reachableWork(from: String, to: String, start: String) -> String? { nil }
    public func listRemove(_ list: String, _ value: String) -> String {
        "(SELECT coalesce(CAST(jsonb_agg(lx.value) AS text), '[]') FROM jsonb_array_elements_text(CAST(\(list) AS jsonb)) lx WHERE lx.value IS DISTINCT FROM CAST(\(value) AS text))"
    }
    public func listAppend(_ list: String, _ value: String) -> String {
        "CAST(CAST(coalesce(\(list), '[]') AS jsonb) || to_jsonb(CAST(\(value) AS text)) AS text)"
    }
    /// The installed aggregate sorts by a text key; a number's key is text that sorts as the
    /// number does (SQLite's aggregate sorts the value itself): a sign digit, then the value
    /// (or 10^16 plus a negative one) at a fixed width, so 7 < 10 < 12.5 < 1000000 and a date
    /// before 1970 (a negative day) before one after.
    public func joinDistinct(_ text: String, orderedBy order: String, numericOrder: Bool, filter: String) -> String {
        let key = numericOrder
            ? "(CASE WHEN (\(order)) < 0 THEN '0' || to_char(1e16 + CAST(\(order) AS numeric), '\(Self.sortableNumber)') ELSE '1' || to_char(CAST(\(order) AS numeric), '\(Self.sortableNumber)') END)"
            : "CAST(\(order) AS text)"
        return "pmq_join_distinct(\(text), \(key)) FILTER (WHERE \(filter))"
    }
    /// Sixteen integer digits and twelve decimals, zero-padded: numbers to 15 significant digits.
    static let sortableNumber = "FM0000000000000000.000000000000"

    /// The installed `pmq_workdays` counts the days one by one, each a lookup in the
    /// holidays: 0.3 ms a row, which made the roll-up of a 1M-task load take minutes. Here the
    /// weekdays are counted by arithmetic (those before day n, day 0 a Thursday, are
    /// 5 * (n div 7) + least(n mod 7, 2) + greatest(n mod 7 - 4, 0)), less the holidays on a
    /// weekday and plus the extra working days (`workdays`, not holidays) on a weekend in the
    /// range: what `pmq_is_working` says day by day. The calendar's tables are looked at only
    /// when either holds a row, a test the server makes once per statement (an InitPlan).
    /// Same value as the function, bounds included (null outside its range). A person's
    /// leave is counted by the installed function, when the leaves table holds any row.
    public func workdays(_ start: String, _ finish: String, person: String) -> String {
        "(CASE WHEN (SELECT EXISTS (SELECT 1 FROM leaves)) THEN pmq_workdays(\(start), \(finish), \(person)) ELSE \(projectWorkdays(start, finish)) END)"
    }

    private func projectWorkdays(_ start: String, _ finish: String) -> String {
        func before(_ n: String) -> String {
            let m = "(((\(n)) % 7 + 7) % 7)"
            return "(5 * (((\(n)) - \(m)) / 7) + least(\(m), 2) + greatest(\(m) - 4, 0))"
        }
        func weekday(_ d: String) -> String { "(((\(d) % 7 + 7) % 7 + 3) % 7 + 1) <= 5" }
        let s = "(\(start))", f = "(\(finish))"
        return """
            (CASE WHEN \(s) IS NULL OR \(f) IS NULL THEN NULL \
            WHEN \(s) < -719162 OR \(s) > 2932896 OR \(f) < -4000000 OR \(f) > 4000000 THEN NULL \
            WHEN \(f) < \(s) THEN CAST(0 AS bigint) \
            ELSE \(before("\(f) + 1")) - \(before(s)) - CASE WHEN (SELECT EXISTS (SELECT 1 FROM holidays) OR EXISTS (SELECT 1 FROM workdays)) \
            THEN (SELECT count(*) FROM holidays pmq_h WHERE pmq_h.day BETWEEN \(s) AND \(f) AND \(weekday("pmq_h.day"))) \
            - (SELECT count(*) FROM workdays pmq_w WHERE pmq_w.day BETWEEN \(s) AND \(f) AND NOT (\(weekday("pmq_w.day"))) \
            AND NOT EXISTS (SELECT 1 FROM holidays pmq_h2 WHERE pmq_h2.day = pmq_w.day)) ELSE 0 END END)
            """
    }
}
