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

    /// The ids of the rows of `table` whose key column `key` is ?1 (both from the catalog),
    /// oldest first: two are enough to tell a key that names more than one row.
    static func rowsByKey(table: String, key: String) -> String { "SELECT id FROM \(table) WHERE \(key) = ?1 ORDER BY id LIMIT 2" }
    /// The key of row ?1 of `table` when another row has the same key (an `undo` that brought
    /// a title back checks it: UniqueTitles), else no row.
    static func keyShared(table: String, key: String) -> String {
        "SELECT r.\(key) FROM \(table) r WHERE r.id = ?1 AND EXISTS (SELECT 1 FROM \(table) x WHERE x.\(key) = r.\(key) AND x.id <> r.id)"
    }

    /// A link from ?1 to ?2 that exists, and a new one (finish-to-start, no lag).
    static let linkExists = "SELECT id FROM dependencies WHERE pred = ?1 AND succ = ?2"
    /// An assignment of person ?2 to task ?1 in role ?3 (the task's index finds it).
    static let assignmentExists = "SELECT id FROM assignments WHERE task = ?1 AND person = ?2 AND role = ?3"
    static let insertLink = "INSERT INTO dependencies (pred, succ, lag_unit) VALUES (?1, ?2, 'd')"

    /// Whether a new link ?1 -> ?2 closes a cycle as `schedule` reads links (a link to or from
    /// a summary holds for every task below it): the code of a task the walk from ?2 reaches
    /// that is ?1, below it or above it (so some of ?1's work follows ?2's), if any.
    static let cycleThrough = "WITH RECURSIVE "
        + WorkWalkSQL.walk(name: "c", start: "?2", from: "pred", to: "succ", startBranch: true, tasks: { "tasks" }, links: { "dependencies" })
        + """
         SELECT y.wbs FROM c JOIN tasks y ON y.id = c.id JOIN tasks p ON p.id = ?1
        WHERE c.k = 1 AND y.project IS p.project
          AND (y.id = p.id OR substr(y.wbs, 1, length(p.wbs) + 1) = p.wbs || '.' OR substr(p.wbs, 1, length(y.wbs) + 1) = y.wbs || '.')
        LIMIT 1
        """

    /// The same walk from ?1 with the state each state was reached from, and its task's code:
    /// enough to tell the path of a cycle found by `cycleThrough` (only then is it read).
    static let walkSteps = "WITH RECURSIVE "
        + WorkWalkSQL.walk(name: "c", start: "?1", from: "pred", to: "succ", withSteps: true, startBranch: true, tasks: { "tasks" }, links: { "dependencies" })
        + " SELECT c.k, c.id, c.pk, c.pid, t.wbs FROM c JOIN tasks t ON t.id = c.id"

    /// Whether task ?1 is below task ?2 (in the same project).
    static let isBelow = """
        SELECT 1 FROM tasks a JOIN tasks b ON b.id = ?2
        WHERE a.id = ?1 AND a.project IS b.project AND substr(a.wbs, 1, length(b.wbs) + 1) = b.wbs || '.'
        """

    /// One row of `table` with the given columns (from the catalog), bound ?1, ?2, ... in
    /// their order; `ignoringConflict`: a row whose unique key clashes is left out.
    static func insert(into table: String, _ columns: [String], ignoringConflict: Bool) -> String {
        "\(ignoringConflict ? "INSERT OR IGNORE INTO" : "INSERT INTO") \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.indices.map { "?\($0 + 1)" }.joined(separator: ", ")))"
    }
}
