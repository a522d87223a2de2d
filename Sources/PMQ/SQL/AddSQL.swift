/// The statements `add` runs (AddExecutor): lookups of referenced rows by key, the checks of
/// a new link, and the INSERT of a row. Table and column names come from the catalog;
/// values are bound.
enum AddSQL {
    /// A person's id by name (?1), and every name (for a suggestion).
    static let personByName = "SELECT id FROM people WHERE name = ?1"
    static let personNames = "SELECT name FROM people"
    /// A project's id by code (?1), every code, and the code of project ?1.
    static let projectByCode = "SELECT id FROM projects WHERE code = ?1"
    static let projectCodes = "SELECT code FROM projects"
    static let codeOfProject = "SELECT code FROM projects WHERE id = ?1"
    /// Tasks with WBS code ?1 in any project (two are enough to say it is ambiguous), in
    /// project ?2, whether any has it, and every code (for a suggestion).
    static let tasksByCode = "SELECT id FROM tasks WHERE wbs = ?1 LIMIT 2"
    static let taskByCodeInProject = "SELECT id FROM tasks WHERE project = ?2 AND wbs = ?1"
    static let anyTaskWithCode = "SELECT 1 FROM tasks WHERE wbs = ?1 LIMIT 1"
    static let taskCodes = "SELECT wbs FROM tasks"
    /// The WBS code of task ?1, and its project.
    static let codeOfTask = "SELECT wbs FROM tasks WHERE id = ?1"
    static let projectOfTask = "SELECT project FROM tasks WHERE id = ?1"
    /// Person ?1's day rate (a cost's default rate).
    static let rateOfPerson = "SELECT rate FROM people WHERE id = ?1"

    /// The id of the row of `table` whose key column `key` is ?1 (both from the catalog).
    static func rowByKey(table: String, key: String) -> String { "SELECT id FROM \(table) WHERE \(key) = ?1" }

    /// A link from ?1 to ?2 that exists, and a new one (finish-to-start, no lag).
    static let linkExists = "SELECT id FROM dependencies WHERE pred = ?1 AND succ = ?2"
    /// An assignment of person ?2 to task ?1 in role ?3 (the task's index finds it).
    static let assignmentExists = "SELECT id FROM assignments WHERE task = ?1 AND person = ?2 AND role = ?3"
    static let insertLink = "INSERT INTO dependencies (pred, succ) VALUES (?1, ?2)"

    /// The WBS codes on a path from task ?1 to task ?2 along existing links, joined by " -> ".
    static let cyclePath = """
        WITH RECURSIVE reach(id, path) AS (
          SELECT ?1, (SELECT wbs FROM tasks WHERE id = ?1)
          UNION
          SELECT d.succ, reach.path || ' -> ' || t.wbs FROM reach JOIN dependencies d ON d.pred = reach.id JOIN tasks t ON t.id = d.succ
          WHERE length(reach.path) < 10000
        )
        SELECT path FROM reach WHERE id = ?2 LIMIT 1
        """

    /// One row of `table` with the given columns (from the catalog), bound ?1, ?2, ... in
    /// their order; `ignoringConflict`: a row whose unique key clashes is left out.
    static func insert(into table: String, _ columns: [String], ignoringConflict: Bool) -> String {
        "\(ignoringConflict ? "INSERT OR IGNORE INTO" : "INSERT INTO") \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.indices.map { "?\($0 + 1)" }.joined(separator: ", ")))"
    }
}
