/// The statements of `schedule` (ScheduleExecutor): what it reads and how it writes back.
///
/// A re-plan of 10,000 tasks reads every task and writes up to every row of task_schedule,
/// so the reads hand back only what the scheduler uses, as integers where it can (no text
/// per row for the status or an unused constraint type), and the writes go many rows to a
/// statement (one step per hundred rows, not one per row).
enum ScheduleSQL {
    /// The tasks of one project (`projectFilter`: `project = ?1` or `project IS NULL`), in id
    /// order along the table (`+`: not through the index on project and then a sort), with
    /// what the last `schedule` saved. Columns:
    /// 0 id, 1 wbs, 2 parent_wbs, 3 start, 4 finish, 5 milestone, 6 state (2 done or cancelled,
    /// 1 doing, 0 else), 7 actual_start, 8 actual_finish, 9 progress, 10 constraint_type (null
    /// without a constraint date), 11 constraint_date, 12-20 the saved schedule (`savedColumns`),
    /// 21 owner, 22 effort.
    static func tasks(projectFilter: String) -> String {
        """
        SELECT t.id, t.wbs, t.parent_wbs, t.start, t.finish, t.milestone,
               CASE WHEN t.status IN ('done', 'cancelled') THEN 2 WHEN t.status = 'doing' THEN 1 ELSE 0 END,
               t.actual_start, t.actual_finish, t.progress,
               CASE WHEN t.constraint_date IS NOT NULL THEN t.constraint_type END, t.constraint_date,
               x.early_start, x.early_finish, x.late_start, x.late_finish, x.slack, x.free_slack, x.critical,
               x.planned_days, x.scheduled_finish, t.owner, t.effort
        FROM tasks t LEFT JOIN task_schedule x ON x.id = t.id WHERE +t.\(projectFilter) ORDER BY t.id
        """
    }

    /// Project ?1's start date: where its plan starts when it has one.
    static let projectStart = "SELECT start FROM projects WHERE id = ?1"

    /// Every link, its type as a number (0 FS, 1 SS, 2 FF, 3 SF: CPMNetwork.LinkType), its lag,
    /// and 1 when the lag is in calendar days (LagUnits), 0 in working days.
    static let links = """
        SELECT pred, succ, CASE type WHEN 'SS' THEN 1 WHEN 'FF' THEN 2 WHEN 'SF' THEN 3 ELSE 0 END, lag, CASE WHEN lag_unit = 'd' THEN 1 ELSE 0 END FROM dependencies
        """

    /// The columns of task_schedule after id, in the order `saved` binds them.
    static let savedColumns = ["early_start", "early_finish", "late_start", "late_finish", "slack", "free_slack", "critical",
                               "planned_days", "scheduled_finish"]

    /// Rows per statement of the batched writes: 100 rows of task_schedule bind 1,000 values,
    /// well inside both engines' limits (SQLite 32,766, PostgreSQL 65,535).
    static let batch = 100

    /// `?1, ?2, ...` for `rows` rows of `width` values each, as `(...), (...)`.
    private static func values(rows: Int, width: Int) -> String {
        (0..<rows).map { r in "(" + (1...width).map { "?\(r * width + $0)" }.joined(separator: ", ") + ")" }.joined(separator: ", ")
    }

    /// Writes `rows` rows of task_schedule (id, then `savedColumns`), replacing a task's row.
    /// A full batch's text is made once (building it per statement cost more than it saved).
    static func saveSchedule(rows: Int) -> String {
        rows == batch ? saveScheduleBatch : makeSaveSchedule(rows: rows)
    }
    private static let saveScheduleBatch = makeSaveSchedule(rows: batch)
    private static func makeSaveSchedule(rows: Int) -> String {
        "INSERT OR REPLACE INTO task_schedule (id, \(savedColumns.joined(separator: ", "))) VALUES "
            + values(rows: rows, width: 1 + savedColumns.count)
    }

    /// The scratch table of moved leaves: their new start and finish.
    static let createMoved = "CREATE TEMP TABLE IF NOT EXISTS pmq_moved (id INTEGER PRIMARY KEY, start, finish)"
    static let clearMoved = "DELETE FROM temp.pmq_moved"
    static let countMoved = "SELECT count(*) FROM temp.pmq_moved"

    /// Adds `rows` moved leaves (id, start, finish) to the scratch table.
    static func addMoved(rows: Int) -> String {
        rows == batch ? addMovedBatch : makeAddMoved(rows: rows)
    }
    private static let addMovedBatch = makeAddMoved(rows: batch)
    private static func makeAddMoved(rows: Int) -> String {
        "INSERT INTO temp.pmq_moved (id, start, finish) VALUES " + values(rows: rows, width: 3)
    }

    /// Journals `field` (start or finish) of the moved leaves whose value changes, in change set ?1,
    /// named by statement ?2 (`Journal.statementOfNewEntries`).
    static func journalMoved(_ field: String) -> String {
        """
        INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value, statement)
        SELECT ?1, 'tasks', t.id, '\(field)', t.\(field), s.\(field), ?2 FROM temp.pmq_moved s CROSS JOIN tasks t ON t.id = s.id
        WHERE t.\(field) IS NOT s.\(field)
        """
    }

    /// Start and finish are indexed: only the moved rows are touched, through the primary key
    /// from the scratch rows (UPDATE ... FROM would scan every task).
    static let applyMoved = """
        UPDATE tasks SET (start, finish) = (SELECT s.start, s.finish FROM temp.pmq_moved s WHERE s.id = tasks.id)
        WHERE id IN (SELECT id FROM temp.pmq_moved)
        """
}
