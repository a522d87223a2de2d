/// What the MS Project XML (MSPDI) import writes and the export reads (docs/language.md,
/// “MS Project”): one project with its tasks in WBS order, links, people with their leave,
/// responsible assignments, holidays and make-up days. Every value is bound; ?1 is the
/// project in the export's reads.
enum MSProjectSQL {
    // The import.
    static let addProject = "INSERT INTO projects (code, name, start, client, manager) VALUES (?1, ?2, ?3, ?4, ?5)"
    /// A holiday of the file's calendar; a day already a holiday keeps its name.
    static let addHoliday = "INSERT OR IGNORE INTO holidays (day, name) VALUES (?1, ?2)"
    /// A make-up day (a working exception on a weekend day); a day already one keeps its name.
    static let addWorkday = "INSERT OR IGNORE INTO workdays (day, name) VALUES (?1, ?2)"
    static let addPerson = """
        INSERT INTO people (name, kind, rate, department, email, capacity, login, active)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        """
    /// A person's leave, from a non-working exception of their resource calendar.
    static let addLeave = "INSERT INTO leaves (person, start, finish, note) VALUES (?1, ?2, ?3, ?4)"
    static let addTask = """
        INSERT INTO tasks (project, wbs, wbs_key, parent_wbs, name, owner, status, start, finish, actual_start, actual_finish, progress, cost, milestone,
                           constraint_type, constraint_date, priority, baseline_start, baseline_finish, baseline_cost, notes, effort)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
        """
    /// A link; the same pair given twice in the file is one link.
    static let addLink = "INSERT OR IGNORE INTO dependencies (pred, succ, type, lag, lag_unit) VALUES (?1, ?2, ?3, ?4, ?5)"
    static let addResponsible = "INSERT INTO assignments (task, person, role, units) VALUES (?1, ?2, 'R', ?3)"

    // The export.
    static let project = """
        SELECT p.code, p.name, p.start, p.finish, p.client, m.name FROM projects p LEFT JOIN people m ON m.id = p.manager
        WHERE p.id = ?1
        """
    static let tasks = """
        SELECT id, wbs, name, priority, start, finish, progress, cost, milestone, actual_start, actual_finish,
               baseline_start, baseline_finish, baseline_cost, notes, owner, parent_wbs,
               effort, constraint_type, constraint_date, status
        FROM tasks t WHERE project = ?1 ORDER BY wbs_key, id
        """
    /// The links into the project's tasks, in the order they were made.
    static let links = """
        SELECT d.pred, d.succ, d.type, d.lag, d.lag_unit FROM dependencies d JOIN tasks s ON s.id = d.succ
        WHERE s.project = ?1 ORDER BY d.id
        """
    static let people = "SELECT id, name, department, email, capacity, rate, kind, login, active FROM people ORDER BY id"
    /// Everyone's leave, by person and start: the exceptions of their resource calendars.
    static let leaves = "SELECT person, start, finish, note FROM leaves ORDER BY person, start, id"
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
    static let workdays = "SELECT day, coalesce(name, 'Working day') FROM workdays ORDER BY day"
}
