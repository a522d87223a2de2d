/// What the MS Project XML (MSPDI) import writes and the export reads (docs/language.md,
/// “MS Project”): one project with its tasks in WBS order, links, people, responsible
/// assignments and holidays. Every value is bound; ?1 is the project in the export's reads.
enum MSProjectSQL {
    // The import.
    static let addProject = "INSERT INTO projects (code, name, start) VALUES (?1, ?2, ?3)"
    /// A holiday of the file's calendar; a day already a holiday keeps its name.
    static let addHoliday = "INSERT OR IGNORE INTO holidays (day, name) VALUES (?1, ?2)"
    static let addPerson = "INSERT INTO people (name, kind, rate, department, email) VALUES (?1, 'person', ?2, ?3, ?4)"
    static let addTask = """
        INSERT INTO tasks (project, wbs, wbs_key, parent_wbs, name, owner, status, start, finish, actual_start, actual_finish, progress, cost, milestone,
                           constraint_type, constraint_date, priority, baseline_start, baseline_finish, baseline_cost, notes)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
        """
    /// A link; the same pair given twice in the file is one link.
    static let addLink = "INSERT OR IGNORE INTO dependencies (pred, succ, type, lag) VALUES (?1, ?2, ?3, ?4)"
    static let addResponsible = "INSERT INTO assignments (task, person, role, units) VALUES (?1, ?2, 'R', ?3)"

    // The export.
    static let project = "SELECT code, name, start, finish FROM projects WHERE id = ?1"
    static let tasks = """
        SELECT id, wbs, name, priority, start, finish, progress, cost, milestone, actual_start, actual_finish,
               baseline_start, baseline_finish, baseline_cost, notes, owner, parent_wbs
        FROM tasks t WHERE project = ?1 ORDER BY wbs_key, id
        """
    /// The links into the project's tasks, in the order they were made.
    static let links = """
        SELECT d.pred, d.succ, d.type, d.lag FROM dependencies d JOIN tasks s ON s.id = d.succ
        WHERE s.project = ?1 ORDER BY d.id
        """
    static let people = "SELECT id, name, department, email, capacity, rate FROM people ORDER BY id"
    /// The units of each task's owner where the owner also has an R assignment.
    static let ownerUnits = """
        SELECT a.task, a.units FROM assignments a JOIN tasks t ON t.id = a.task
        WHERE t.project = ?1 AND a.role = 'R' AND a.person = t.owner
        """
    /// R assignments of people other than the task's owner, in the order they were made.
    static let otherResponsible = """
        SELECT a.task, a.person, coalesce(a.units, 100) FROM assignments a JOIN tasks t ON t.id = a.task
        WHERE t.project = ?1 AND a.role = 'R' AND a.person IS NOT t.owner ORDER BY a.id
        """
    static let holidays = "SELECT day, coalesce(name, 'Holiday') FROM holidays ORDER BY day"
}
