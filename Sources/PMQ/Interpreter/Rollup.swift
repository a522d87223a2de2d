/// Summary roll-up (docs/language.md, “Mid-project truth”): a task that is some other task's parent keeps its
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
    private var db: any Engine { session.db }

    /// The task columns whose change can change a parent's roll-up.
    /// (The owner too: a child's weight counts its owner's working days.)
    static let inputs = ["start", "finish", "cost", "effort", "progress", "status", "actual_start", "actual_finish", "milestone", "owner"]
    /// Tables whose change moves working days, and so progress weights, of any task.
    static let calendarTables = ["holidays", "workdays", "leaves"]
    /// What a summary takes from its children, in the order of the scratch table's columns.
    static let outputs = ["start", "finish", "cost", "effort", "progress", "status", "actual_start", "actual_finish"]

    /// Re-derives the summaries above every task changed by journal entries after `mark`.
    func afterChanges(since mark: Int64) throws {
        let calendar = Rollup.calendarTables.map { "'\($0)'" }.joined(separator: ", ")
        if case .integer = try db.scalar(JournalSQL.entriesSince(onTables: calendar), [.integer(mark)]) {
            // Working days moved (leave, make-up days, holidays): every weight may have changed.
            return try all()
        }
        try prepare()
        let changedFields = Rollup.inputs.map { "'\($0)'" }.joined(separator: ", ")
        // Parents of changed rows, of added rows (a range entry: first id .. last id) and of removed rows,
        // from the entries after the mark by their ids: `+` keeps SQLite off the index on
        // (entity, field, row_id), which would read those fields' entries in the whole journal.
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
            actual_start, actual_finish, changed INTEGER NOT NULL DEFAULT 0)
            """)
        try db.run("DELETE FROM temp.pmq_dirty")
    }

    /// Re-derives the dirty summaries, deepest level first, until none is left.
    private func drain() throws {
        var levels = 0
        while case .integer(let level) = try db.scalar("SELECT max(depth) FROM temp.pmq_dirty") {
            levels += 1
            guard levels < 10_000 else { break }  // WBS codes are finite; a guard, never reached
            try db.run("DELETE FROM temp.pmq_rollup")
            try db.run(Rollup.derive(db.dialect), [.integer(level)])
            try db.run("DELETE FROM temp.pmq_dirty WHERE depth = ?1", [.integer(level)])
            let differs = Rollup.outputs.map { "t.\($0) IS NOT pmq_rollup.\($0)" }.joined(separator: " OR ")
            let changed = try db.run("UPDATE temp.pmq_rollup SET changed = 1 WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = pmq_rollup.id AND (\(differs)))")
            guard changed > 0 else { continue }
            let set = try session.journal.set()
            let mark = try session.journal.mark()
            for field in Rollup.outputs {
                try db.run("""
                    INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value)
                    SELECT ?1, 'tasks', t.id, '\(field)', t.\(field), r.\(field) FROM temp.pmq_rollup r JOIN tasks t ON t.id = r.id
                    WHERE r.changed AND t.\(field) IS NOT r.\(field)
                    """, [.integer(set)])
            }
            // Field by field, only the values that changed (as journaled just now): a change of
            // progress alone leaves the indexed dates and status of the summaries untouched.
            for field in Rollup.outputs {
                try db.run("""
                    UPDATE tasks SET \(field) = j.new_value FROM journal_entries j
                    WHERE j.id > ?1 AND j.field = '\(field)' AND j.row_id = tasks.id
                    """, [.integer(mark)])
            }
            // A summary that changed makes its own parent dirty.
            try db.run("""
                INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
                SELECT p.id, \(depth("p")) FROM temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id
                CROSS JOIN tasks p ON p.project IS t.project AND p.wbs = t.parent_wbs
                WHERE r.changed AND t.parent_wbs IS NOT NULL
                """)
        }
    }

    /// The roll-up of the dirty summaries at one level (?1), from their children as stored.
    /// CROSS JOIN fixes the join order: from the few dirty rows to their children through
    /// the tasks_children index, never a scan of every task (SQLite has no statistics here).
    ///
    /// progress: the mean of the children's progress weighted by their working days
    /// (milestones and cancelled children weigh nothing); when no child weighs anything,
    /// the plain mean over the children not cancelled, 0 when all are; rounded half up.
    /// status: cancelled when all children are, done when all are done or cancelled,
    /// doing when any is doing or done, blocked when any is blocked, else todo.
    static func derive(_ dialect: SQLDialect) -> String { """
        INSERT INTO temp.pmq_rollup (id, start, finish, cost, effort, progress, status, actual_start, actual_finish)
        SELECT id, start, finish, cost, effort,
          CASE WHEN weight > 0 THEN CAST(weighted / weight + 0.5 AS INTEGER)
               WHEN active > 0 THEN CAST(plain / active + 0.5 AS INTEGER)
               ELSE 0 END,
          status, actual_start,
          CASE WHEN status = 'done' THEN actual_finish END
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
              CASE WHEN c.milestone OR c.status = 'cancelled' THEN 0 ELSE coalesce(\(dialect.workdays("c.start", "c.finish", person: "c.owner")), 0) END AS w
            FROM temp.pmq_dirty d CROSS JOIN tasks p ON p.id = d.id
            CROSS JOIN tasks c ON c.project IS p.project AND c.parent_wbs = p.wbs
            WHERE d.depth = ?1
          )
          GROUP BY pid
        )
        """
    }
}
