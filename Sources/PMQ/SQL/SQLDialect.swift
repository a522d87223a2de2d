/// The small seam between the compiler and one SQL engine. The generator writes
/// standard SQL everywhere else; only these spellings differ between SQLite and,
/// later, PostgreSQL.
public protocol SQLDialect: Sendable {
    /// The text of the n-th (1-based) bound parameter: `?1` or `$1`.
    func placeholder(_ n: Int) -> String
    /// A date (integer days) moved by n working days.
    func addWorkdays(_ date: String, _ n: String) -> String
    /// Case-insensitive "contains" of text.
    func contains(_ haystack: String, _ needle: String) -> String
    /// Whether a list column (tags) holds a value.
    func listContains(_ list: String, _ value: String) -> String
    /// A date (integer days since 1970-01-01) as `YYYY-MM-DD` text.
    func dateText(_ day: String) -> String
    /// A number as `print` and interpolation show it: `596`, not `596.0`.
    func numberText(_ n: String) -> String
    /// Division that does not truncate integers.
    func divide(_ a: String, _ b: String) -> String
    /// `count(*)`.
    var countAll: String { get }
    /// The SQL name of a scalar function (case folding must handle all of Unicode).
    func function(_ f: ScalarFunction) -> String
}

public struct SQLiteDialect: SQLDialect {
    public init() {}
    public func placeholder(_ n: Int) -> String { "?\(n)" }
    public func addWorkdays(_ date: String, _ n: String) -> String { "pmq_add_workdays(\(date), \(n))" }
    public func contains(_ haystack: String, _ needle: String) -> String { "pmq_contains(\(haystack), \(needle))" }
    public func listContains(_ list: String, _ value: String) -> String {
        "EXISTS (SELECT 1 FROM json_each(\(list)) WHERE json_each.value = \(value))"
    }
    public func dateText(_ day: String) -> String { "strftime('%Y-%m-%d', (\(day)) * 86400, 'unixepoch')" }
    public func numberText(_ n: String) -> String { "pmq_number_text(\(n))" }
    public func divide(_ a: String, _ b: String) -> String { "(CAST(\(a) AS REAL) / \(b))" }
    public var countAll: String { "count(*)" }
    public func function(_ f: ScalarFunction) -> String {
        switch f {
        case .lower: return "pmq_lower"
        case .upper: return "pmq_upper"
        default: return f.rawValue
        }
    }
}
