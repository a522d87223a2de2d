/// The statements rules (`save rule`, `drop rule`, `show rules`, `check`) run on the
/// `rules` table. Values are bound; the only names are the table's own columns.
enum RulesSQL {
    static let idByName = "SELECT id FROM rules WHERE name = ?1"

    /// A rule's editable column: its query text or its severity.
    enum Column: String { case source, severity }

    static func value(of column: Column) -> String { "SELECT \(column.rawValue) FROM rules WHERE id = ?1" }
    static func set(_ column: Column) -> String { "UPDATE rules SET \(column.rawValue) = ?1 WHERE id = ?2" }

    static let insert = "INSERT INTO rules (name, source, severity) VALUES (?1, ?2, ?3)"
    static let byName = "name = ?1"
    static let deleteByName = "DELETE FROM rules WHERE " + byName
    static let listing = "SELECT name, severity, source, last_checked FROM rules ORDER BY name"
    static let forCheck = "SELECT name, source, severity, last_rows, last_checked FROM rules ORDER BY name"
    /// The rows a rule found at this check (?1, JSON ids), for "new since the last check".
    static let rememberRows = "UPDATE rules SET last_rows = ?1 WHERE name = ?2"
    /// When `check` last ran, in UTC.
    static let stampChecked = "UPDATE rules SET last_checked = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
}
