/// The statements `import ... into tasks` runs per row (TaskRowWriter): the same lookups
/// `add task` makes, and its INSERT. Column names come from the catalog; values are bound.
enum ImportSQL {
    /// A task of no project with WBS code ?1 (a clash `add task` reports itself).
    static let taskWithoutProject = "SELECT id FROM tasks WHERE project IS NULL AND wbs = ?1"
    /// A task of project ?1 with WBS code ?2 (PostgreSQL: looked for before the INSERT,
    /// which would abort the transaction).
    static let taskInProject = "SELECT id FROM tasks WHERE project = ?1 AND wbs = ?2"
    /// Whether project ?1 (or none) has a task with WBS code ?2: a row's parent.
    static let parentExists = "SELECT 1 FROM tasks WHERE project IS ?1 AND wbs = ?2"
    /// The name of the first task with WBS code ?1, for the duplicate's message (the one that
    /// was there first, when the rows are read before a refused one is taken back).
    static let nameOfCode = "SELECT name FROM tasks WHERE wbs = ?1 ORDER BY id LIMIT 1"

    /// Sets reference `column` of row ?2 to row ?1 (names from the catalog).
    static func setReference(table: String, column: String) -> String {
        "UPDATE \(table) SET \(column) = ?1 WHERE id = ?2"
    }

    /// `rows` tasks of the given columns in one statement, bound ?1, ?2, ... row by row
    /// (TaskRowWriter, while the tasks table's indexes are away).
    static func insertTasks(_ columns: [String], rows: Int) -> String {
        let width = columns.count
        let values = (0..<rows).map { r in "(" + (0..<width).map { "?\(r * width + $0 + 1)" }.joined(separator: ", ") + ")" }
        return "INSERT INTO tasks (\(columns.joined(separator: ", "))) VALUES \(values.joined(separator: ", "))"
    }

    /// One task of the given columns, bound ?1, ?2, ... in their order.
    static func insertTask(_ columns: [String]) -> String {
        "INSERT INTO tasks (\(columns.joined(separator: ", "))) VALUES (\(columns.indices.map { "?\($0 + 1)" }.joined(separator: ", ")))"
    }
}
