/// Summary roll-up (spec §8.1): a task that is some other task's parent keeps its
/// dates, cost, effort, progress, status and actual dates equal to what its children
/// give, after every change.
///
/// The work is driven by the journal: the tasks a statement changed are in the entries
/// it wrote, so their parents are the summaries to re-derive. They are re-derived
/// deepest first, one WBS level at a time, with set-based SQL; a summary whose values
/// changed makes its own parent dirty. A change of one leaf so costs a few statements per
/// level above it, not a pass over every task. The roll-up's own changes are journaled in
/// the same change set, so `undo` takes them back with what caused them.
struct Rollup {
    let session: Session
    private var db: Database { session.db }

    /// The task columns whose change can change a parent's roll-up.
    static let inputs = ["start", "finish", "cost", "effort", "progress", "status", "actual_start", "actual_finish", "milestone"]
    /// What a summary takes from its children, in the order of the scratch table's columns.
    static let outputs = ["start", "finish", "cost", "effort", "progress", "status", "actual_start", "actual_finish"]

    /// Re-derives the summaries above every task changed by journal entries after `mark`.
    func afterChanges(since mark: Int64) throws {
        try prepare()
        let changedFields = Rollup.inputs.map { "'\($0)'" }.joined(separator: ", ")
        // Parents of changed rows, of added rows (a range entry: first id .. last id) and of removed rows.
        // From the entries after the mark by their ids: `+` keeps SQLite off the index on
        // (entity, field, row_id), which would read that field's entries in the whole journal.
        try db.run("""
            INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
            SELECT p.id, \(depth("p"))
            FROM (
              SELECT t.project AS project, t.parent_wbs AS parent_wbs FROM journal_entries j CROSS JOIN tasks t ON t.id = j.row_id
              WHERE j.id > ?1 AND +j.entity = 'tasks' AND +j.field IN (\(changedFields))
              UNION
              SELECT t.project, t.parent_wbs FROM journal_entries j CROSS JOIN tasks t ON t.id BETWEEN j.row_id AND coalesce(j.new_value, j.row_id)
              WHERE j.id > ?1 AND +j.entity = 'tasks' AND +j.field = '+'
              UNION
              SELECT json_extract(j.old_value, '$.project'), json_extract(j.old_value, '$.parent_wbs') FROM journal_entries j
              WHERE j.id > ?1 AND +j.entity = 'tasks' AND +j.field = '-'
            ) c JOIN tasks p ON p.project IS c.project AND p.wbs = c.parent_wbs
            WHERE c.parent_wbs IS NOT NULL
            """, [.integer(mark)])
        try drain()
    }

    /// Re-derives every summary (after the calendar changed, or a database from before roll-up).
    func all() throws {
        try prepare()
        try db.run("""
            INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
            SELECT p.id, \(depth("p")) FROM tasks p
            WHERE EXISTS (SELECT 1 FROM tasks c WHERE c.project IS p.project AND c.parent_wbs = p.wbs)
            """)
        try drain()
    }

    private func depth(_ a: String) -> String { "length(\(a).wbs) - length(replace(\(a).wbs, '.', ''))" }

    private func prepare() throws {
        try db.run("CREATE TEMP TABLE IF NOT EXISTS pmq_dirty (id INTEGER PRIMARY KEY, depth INTEGER NOT NULL)")
        try db.run("""
            CREATE TEMP TABLE IF NOT EXISTS pmq_rollup (id INTEGER PRIMARY KEY, start, finish, cost, effort, progress, status,
            actual_start, actual_finish)
            """)
        try db.run("DELETE FROM temp.pmq_dirty")
    }

    /// Re-derives the dirty summaries, deepest level first, until none is left. Per level:
    /// derive the summaries whose roll-up differs from what they hold, journal each changed
    /// field with one statement, apply them with two (the indexed dates and status only
    /// where one of them changed), and mark their parents dirty.
    private func drain() throws {
        var levels = 0
        while case .integer(let level) = try db.scalar("SELECT max(depth) FROM temp.pmq_dirty") {
            levels += 1
            guard levels < 10_000 else { break }  // WBS codes are finite; a guard, never reached
            try db.run("DELETE FROM temp.pmq_rollup")
            let changed = try db.run(Rollup.derive, [.integer(level)])
            try db.run("DELETE FROM temp.pmq_dirty WHERE depth = ?1", [.integer(level)])
            guard changed > 0 else { continue }
            let set = try session.journal.set()
            try db.run(Rollup.journalChanges, [.integer(set)])
            try db.run(Rollup.applyPlain)
            try db.run(Rollup.applyIndexed)
            // A summary that changed makes its own parent dirty.
            try db.run("""
                INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
                SELECT p.id, \(depth("p")) FROM temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id
                CROSS JOIN tasks p ON p.project IS t.project AND p.wbs = t.parent_wbs
                WHERE t.parent_wbs IS NOT NULL
                """)
        }
    }

    /// One journal entry per field that differs, for every derived summary: the summaries
    /// joined once with the list of fields (in the order of `outputs`, as before).
    static let journalChanges: String = {
        let fields = outputs.enumerated().map { "SELECT \($0.offset) AS k, '\($0.element)' AS name" }.joined(separator: " UNION ALL ")
        let old = "CASE f.k " + outputs.enumerated().map { "WHEN \($0.offset) THEN t.\($0.element)" }.joined(separator: " ") + " END"
        let new = "CASE f.k " + outputs.enumerated().map { "WHEN \($0.offset) THEN r.\($0.element)" }.joined(separator: " ") + " END"
        return """
            INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value)
            SELECT ?1, 'tasks', id, name, old, new FROM (
              SELECT f.k AS k, t.id AS id, f.name AS name, \(old) AS old, \(new) AS new
              FROM (\(fields)) f CROSS JOIN temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id)
            WHERE old IS NOT new ORDER BY k, id
            """
    }()

    /// The fields no index holds, set on every derived summary (a value that stays is
    /// written as it was).
    static let applyPlain = """
        UPDATE tasks SET (cost, effort, progress, actual_start, actual_finish) =
          (SELECT r.cost, r.effort, r.progress, r.actual_start, r.actual_finish FROM temp.pmq_rollup r WHERE r.id = tasks.id)
        WHERE id IN (SELECT id FROM temp.pmq_rollup)
        """

    /// Start, finish and status are indexed: written only on the summaries where one of
    /// them changed, so a change of progress alone leaves the indexes untouched.
    static let applyIndexed = """
        UPDATE tasks SET (start, finish, status) =
          (SELECT r.start, r.finish, r.status FROM temp.pmq_rollup r WHERE r.id = tasks.id)
        WHERE id IN (SELECT r.id FROM temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id
                     WHERE t.start IS NOT r.start OR t.finish IS NOT r.finish OR t.status IS NOT r.status)
        """

    /// The working days from `start` through `finish` (SQL of two day numbers) in SQL, with
    /// no function call per row: the weekdays by whole weeks (day 0, 1970-01-01, is a
    /// Thursday, so day + 3 counts from a Monday; + 7,000,000 keeps it positive for every
    /// date), less the holidays on weekdays in the range. 0 for a missing date, a finish
    /// before the start or a day out of range, as `WorkCalendar.workingDays` and
    /// `pmq_workdays` give.
    static func workingDays(_ start: String, _ finish: String) -> String {
        func weekdaysBefore(_ day: String) -> String { "(5 * ((\(day) + 7000003) / 7) + min((\(day) + 7000003) % 7, 5))" }
        let earliest = Day.earliest.number, latest = Day.latest.number
        return "(CASE WHEN \(start) IS NULL OR \(finish) IS NULL OR \(finish) < \(start) OR \(start) < \(earliest) OR \(start) > \(latest)"
            + " OR \(finish) < -4000000 OR \(finish) > 4000000 THEN 0"
            + " ELSE \(weekdaysBefore("\(finish) + 1")) - \(weekdaysBefore(start))"
            + " - (SELECT count(*) FROM holidays h WHERE h.day BETWEEN \(start) AND \(finish) AND (h.day + 7000003) % 7 < 5) END)"
    }

    /// The roll-up of the dirty summaries at one level (?1), from their children as stored.
    /// CROSS JOIN fixes the join order: from the few dirty rows to their children through
    /// the tasks_children index, never a scan of every task (SQLite has no statistics here).
    ///
    /// progress: the mean of the children's progress weighted by their working days
    /// (`workingDays`; milestones and cancelled children weigh nothing); when no child weighs anything,
    /// the plain mean over the children not cancelled, 0 when all are; rounded half up.
    /// status: cancelled when all children are, done when all are done or cancelled,
    /// doing when any is doing or done, blocked when any is blocked, else todo.
    /// Only summaries whose roll-up differs from what they hold are kept.
    static let derive = """
        INSERT INTO temp.pmq_rollup (id, start, finish, cost, effort, progress, status, actual_start, actual_finish)
        SELECT d.id, d.start, d.finish, d.cost, d.effort, d.progress, d.status, d.actual_start, d.actual_finish FROM (
        SELECT id, start, finish, cost, effort,
          CASE WHEN weight > 0 THEN CAST(weighted / weight + 0.5 AS INTEGER)
               WHEN active > 0 THEN CAST(plain / active + 0.5 AS INTEGER)
               ELSE 0 END AS progress,
          status, actual_start,
          CASE WHEN status = 'done' THEN actual_finish END AS actual_finish
        FROM (
          SELECT pid AS id, min(start) AS start, max(finish) AS finish, sum(cost) AS cost, sum(effort) AS effort,
            total(w) AS weight, total(w * progress) AS weighted,
            total(CASE WHEN status != 'cancelled' THEN progress END) AS plain,
            total(status != 'cancelled') AS active,
            CASE WHEN total(status != 'cancelled') = 0 THEN 'cancelled'
                 WHEN total(status NOT IN ('done', 'cancelled')) = 0 THEN 'done'
                 WHEN total(status IN ('doing', 'done')) > 0 THEN 'doing'
                 WHEN total(status = 'blocked') > 0 THEN 'blocked'
                 ELSE 'todo' END AS status,
            min(actual_start) AS actual_start, max(actual_finish) AS actual_finish
          FROM (
            SELECT p.id AS pid, c.start, c.finish, c.cost, c.effort, c.progress, c.status, c.actual_start, c.actual_finish,
              CASE WHEN c.milestone OR c.status = 'cancelled' THEN 0 ELSE \(workingDays("CAST(c.start AS INTEGER)", "CAST(c.finish AS INTEGER)")) END AS w
            FROM temp.pmq_dirty d CROSS JOIN tasks p ON p.id = d.id
            CROSS JOIN tasks c ON c.project IS p.project AND c.parent_wbs = p.wbs
            WHERE d.depth = ?1
            LIMIT -1  -- not flattened into the GROUP BY: each child's working days are counted once
          )
          GROUP BY pid
        )) d CROSS JOIN tasks t ON t.id = d.id
        WHERE \(outputs.map { "t.\($0) IS NOT d.\($0)" }.joined(separator: " OR "))
        """
}
