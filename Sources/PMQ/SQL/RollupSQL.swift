/// The statements of the summary roll-up (Rollup, docs/language.md, “Mid-project truth”).
/// Names come from `Rollup.inputs` and `Rollup.outputs` (the schema's own columns); values
/// are bound.
enum RollupSQL {
    static let createDirty = "CREATE TEMP TABLE IF NOT EXISTS pmq_dirty (id INTEGER PRIMARY KEY, depth INTEGER NOT NULL)"
    /// The derived values of one level's dirty summaries; on SQLite also the sums their
    /// progress came from (`weight` ... `exact`, kept in `task_rollup` afterwards).
    static let createScratch = """
        CREATE TEMP TABLE IF NOT EXISTS pmq_rollup (id INTEGER PRIMARY KEY, start, finish, cost, effort, progress, status,
        actual_start, actual_finish, changed INTEGER NOT NULL DEFAULT 0, fresh INTEGER NOT NULL DEFAULT 0,
        weight DOUBLE PRECISION, weighted DOUBLE PRECISION, plain DOUBLE PRECISION, active DOUBLE PRECISION, exact INTEGER)
        """
    static let clearDirty = "DELETE FROM temp.pmq_dirty"

    // MARK: The incremental roll-up of progress (SQLite; schema step 24)

    /// Schema step 24: each summary's progress sums, as the derive last found them from its
    /// children: `weight` the children's working-day weights, `weighted` the sum of weight ×
    /// progress, `plain` the sum of the progress of the children not cancelled and `active`
    /// their number (the mean when no child weighs anything); `exact` when every child's
    /// progress was a whole number, so the sums are whole numbers a double holds exactly and
    /// adding a difference gives the very sum the derive would (0: the summary is derived).
    /// Not part of the model: not journaled, not versioned; a summary without a row is derived.
    static let sumsTable = """
        CREATE TABLE task_rollup (
            id INTEGER PRIMARY KEY,
            weight REAL NOT NULL,
            weighted REAL NOT NULL,
            plain REAL NOT NULL,
            active REAL NOT NULL,
            exact INTEGER NOT NULL
        )
        """
    /// `sumsTable` on PostgreSQL (made, not used yet: see Migrations.pg24).
    static let postgresSumsTable = """
        CREATE TABLE task_rollup (
            id bigint PRIMARY KEY,
            weight double precision NOT NULL,
            weighted double precision NOT NULL,
            plain double precision NOT NULL,
            active double precision NOT NULL,
            exact bigint NOT NULL
        )
        """

    /// What the task entries after mark ?1 allow: 2 when one moved a task (its project, code
    /// or parent: the sums of the summaries it left are no longer their children's, so all are
    /// forgotten), else 0 when every roll-up input they changed is a whole-number progress
    /// (the summaries above can be adjusted by the differences), else 1 (derived).
    static func incrementalMode(inputs: [String]) -> String {
        let others = (inputs.filter { $0 != "progress" } + ["+", "-"]).map { "+field = '\($0)'" }.joined(separator: " OR ")
        let whole = "coalesce(old_value = CAST(old_value AS INTEGER) AND new_value = CAST(new_value AS INTEGER), 0)"
        return """
            SELECT CASE
              WHEN EXISTS (SELECT 1 FROM journal_entries WHERE id > ?1 AND +entity = 'tasks' AND (+field = 'project' OR +field = 'wbs' OR +field = 'parent_wbs')) THEN 2
              WHEN EXISTS (SELECT 1 FROM journal_entries WHERE id > ?1 AND +entity = 'tasks' AND (\(others) OR (+field = 'progress' AND NOT \(whole)))) THEN 1
              ELSE 0 END
            """
    }
    static let forgetSums = "DELETE FROM task_rollup"

    /// Per summary, the differences its children's progress changes make to its sums: `dw`
    /// to `weighted`, `dp` to `plain` (the child's weight and status did not change: only
    /// progress did).
    static let createDeltas = "CREATE TEMP TABLE IF NOT EXISTS pmq_delta (id INTEGER PRIMARY KEY, depth INTEGER NOT NULL, dw REAL NOT NULL, dp REAL NOT NULL)"
    static let clearDeltas = "DELETE FROM temp.pmq_delta"

    /// A child's weight in its parent's progress (as `derive` counts it).
    private static func weight(_ c: String, _ dialect: SQLDialect) -> String {
        "CASE WHEN \(c).milestone OR \(c).status = 'cancelled' THEN 0 ELSE coalesce(\(dialect.workdays("\(c).start", "\(c).finish", person: "\(c).owner")), 0) END"
    }

    /// The differences of the progress entries after mark ?1 (each entry new − old; several
    /// entries of one row add up to its whole change), summed per parent, and the parents
    /// made dirty: `seed` for a statement whose entries are all progress.
    static func seedDeltas(_ dialect: SQLDialect) -> String {
        """
        INSERT INTO temp.pmq_delta (id, depth, dw, dp)
        SELECT p.id, \(depth("p")), total(\(weight("t", dialect)) * (j.new_value - j.old_value)),
          total(CASE WHEN t.status != 'cancelled' THEN j.new_value - j.old_value END)
        FROM journal_entries j CROSS JOIN tasks t ON t.id = j.row_id
        CROSS JOIN tasks p ON p.project IS t.project AND p.wbs = t.parent_wbs
        WHERE j.id > ?1 AND +j.entity = 'tasks' AND +j.field = 'progress' AND t.parent_wbs IS NOT NULL
        GROUP BY p.id
        """
    }
    static let seedDirtyFromDeltas = "INSERT OR IGNORE INTO temp.pmq_dirty (id, depth) SELECT id, depth FROM temp.pmq_delta"
    /// The summaries at depth ?1 given a difference: after a level's `propagateDeltas`, the
    /// parents of its changed summaries (`dirtyParents` without looking each parent up again).
    static let dirtyFromDeltas = "INSERT OR IGNORE INTO temp.pmq_dirty (id, depth) SELECT id, depth FROM temp.pmq_delta WHERE depth = ?1"

    /// 1 when every dirty summary of level ?1 has exact sums (`deriveFromSums` can take it).
    static let levelHasSums = """
        SELECT NOT EXISTS (SELECT 1 FROM temp.pmq_dirty d LEFT JOIN task_rollup s ON s.id = d.id WHERE d.depth = ?1 AND coalesce(s.exact, 0) = 0)
        """

    /// The roll-up of the dirty summaries of level ?1 when only their children's progress
    /// changed: the stored values, but progress from the sums plus the differences, rounded
    /// as `derive` rounds it.
    static let deriveFromSums = """
        INSERT INTO temp.pmq_rollup (id, start, finish, cost, effort, progress, status, actual_start, actual_finish, weight, weighted, plain, active, exact)
        SELECT id, start, finish, cost, effort,
          CASE WHEN weight > 0 THEN CAST(weighted / weight + 0.5 AS INTEGER)
               WHEN active > 0 THEN CAST(plain / active + 0.5 AS INTEGER)
               ELSE 0 END,
          status, actual_start, actual_finish, weight, weighted, plain, active, 1
        FROM (
          SELECT p.id, p.start, p.finish, p.cost, p.effort, p.status, p.actual_start, p.actual_finish,
            s.weight, s.weighted + coalesce(x.dw, 0) AS weighted, s.plain + coalesce(x.dp, 0) AS plain, s.active
          FROM temp.pmq_dirty d CROSS JOIN tasks p ON p.id = d.id CROSS JOIN task_rollup s ON s.id = d.id
          LEFT JOIN temp.pmq_delta x ON x.id = d.id
          WHERE d.depth = ?1
        )
        """

    /// Keeps the sums of the level just derived (either way).
    static let keepSums = """
        INSERT OR REPLACE INTO task_rollup (id, weight, weighted, plain, active, exact)
        SELECT id, weight, weighted, plain, active, exact FROM temp.pmq_rollup
        """

    /// 1 when a changed summary of this level changed more than its progress: the sums of
    /// its parent no longer follow from differences of progress (the stored summary was not
    /// its children's roll-up), so the levels above are derived.
    static let changedBeyondProgress = """
        SELECT EXISTS (SELECT 1 FROM temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id WHERE r.changed AND (
          t.start IS NOT r.start OR t.finish IS NOT r.finish OR t.cost IS NOT r.cost OR t.effort IS NOT r.effort
          OR t.status IS NOT r.status OR t.actual_start IS NOT r.actual_start OR t.actual_finish IS NOT r.actual_finish))
        """

    /// The differences this level's changed summaries make to their parents' sums (read
    /// before they are written: `t` holds the old progress, `r` the new).
    static func propagateDeltas(_ dialect: SQLDialect) -> String {
        """
        INSERT INTO temp.pmq_delta (id, depth, dw, dp)
        SELECT p.id, \(depth("p")), total(\(weight("t", dialect)) * (r.progress - t.progress)),
          total(CASE WHEN t.status != 'cancelled' THEN r.progress - t.progress END)
        FROM temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id
        CROSS JOIN tasks p ON p.project IS t.project AND p.wbs = t.parent_wbs
        WHERE r.changed AND t.parent_wbs IS NOT NULL AND r.progress IS NOT t.progress
        GROUP BY p.id
        ON CONFLICT (id) DO UPDATE SET dw = dw + excluded.dw, dp = dp + excluded.dp
        """
    }

    /// The ranges of task ids the change set in progress added (its `+` entries, `lo` the first
    /// id, `hi` the last): the roll-up does not journal its changes to those rows (`Rollup`).
    static let createFresh = "CREATE TEMP TABLE IF NOT EXISTS pmq_fresh (lo INTEGER PRIMARY KEY, hi INTEGER NOT NULL)"
    static let clearFresh = "DELETE FROM temp.pmq_fresh"
    /// The added ranges of tasks in change set ?1 (after the journal's pending adds are written).
    static let seedFresh = """
        INSERT INTO temp.pmq_fresh (lo, hi)
        SELECT e.row_id, coalesce(e.new_value, e.row_id) FROM journal_entries e
        WHERE e.set_id = ?1 AND e.entity = 'tasks' AND e.field = '+'
        """
    /// Marks the changed summaries of this level that the change set added: the range that
    /// starts last at or before the id holds it (ranges of ids never overlap).
    static let markFresh = """
        UPDATE temp.pmq_rollup SET fresh = 1
        WHERE changed AND id <= (SELECT f.hi FROM temp.pmq_fresh f WHERE f.lo <= pmq_rollup.id ORDER BY f.lo DESC LIMIT 1)
        """
    static let clearScratch = "DELETE FROM temp.pmq_rollup"
    static let deepestDirty = "SELECT max(depth) FROM temp.pmq_dirty"
    static let dropLevel = "DELETE FROM temp.pmq_dirty WHERE depth = ?1"

    /// A task's depth: the dots in its WBS code.
    static func depth(_ a: String) -> String { "length(\(a).wbs) - length(replace(\(a).wbs, '.', ''))" }

    /// The parents of the tasks changed by journal entries after mark ?1: changed rows (an
    /// entry of a roll-up input), added rows (a range entry: first id .. last id) and removed
    /// rows (their parent from the JSON the delete kept). One pass over the statement's
    /// entries (by rowid from the mark; `+` keeps SQLite off the index on (entity, field,
    /// row_id), which would read those fields' entries in the whole journal): each entry
    /// joins the tasks whose ids it covers (one id, or an added range), a removal none.
    /// Three passes, one per kind, read 10,500 entries three times on a first re-plan.
    static func seed(inputs: [String]) -> String {
        let fields = (inputs + ["+", "-"]).map { "'\($0)'" }.joined(separator: ", ")
        return """
            INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
            SELECT p.id, \(depth("p"))
            FROM (
              SELECT DISTINCT
                CASE WHEN j.field = '-' THEN json_extract(j.old_value, '$.project') ELSE t.project END AS project,
                CASE WHEN j.field = '-' THEN json_extract(j.old_value, '$.parent_wbs') ELSE t.parent_wbs END AS parent_wbs
              FROM journal_entries j LEFT JOIN tasks t
                ON j.field != '-' AND t.id BETWEEN j.row_id AND (CASE WHEN j.field = '+' THEN coalesce(j.new_value, j.row_id) ELSE j.row_id END)
              WHERE j.id > ?1 AND +j.entity = 'tasks' AND +j.field IN (\(fields))
            ) c CROSS JOIN tasks p ON p.project IS c.project AND p.wbs = c.parent_wbs
            WHERE c.parent_wbs IS NOT NULL
            """
    }

    /// The journal's entries after ?1: how many, how many of them are added tasks (`+`), the
    /// first and last id those cover and how many rows (an import's rows: `ImportedTaskRows`).
    static let addedTasksSince = """
        SELECT count(*), count(*) FILTER (WHERE entity = 'tasks' AND field = '+'),
          min(row_id), max(coalesce(new_value, row_id)), sum(coalesce(new_value, row_id) - row_id + 1)
        FROM journal_entries WHERE id > ?1
        """

    /// The tasks of `rows` (project or null, WBS code) pairs, bound two values a row, become
    /// dirty: the parents of rows an import added (`Rollup.afterImport`), as `seed` would find
    /// them from their entries. A pair with no task makes nothing dirty.
    static func addDirtyByCode(rows: Int) -> String {
        rows == dirtyBatch ? addDirtyByCodeBatch : makeAddDirtyByCode(rows: rows)
    }
    private static let addDirtyByCodeBatch = makeAddDirtyByCode(rows: dirtyBatch)
    private static func makeAddDirtyByCode(rows: Int) -> String {
        """
        INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
        SELECT p.id, \(depth("p")) FROM (VALUES \((0..<rows).map { "(?\($0 * 2 + 1), ?\($0 * 2 + 2))" }.joined(separator: ", "))) v
        CROSS JOIN tasks p ON p.project IS v.column1 AND p.wbs = v.column2
        """
    }

    /// Rows per statement of `addDirty` (two values a row).
    static let dirtyBatch = 100

    /// Adds `rows` summaries (id, depth) to the dirty rows: what `seed` would find for
    /// entries whose changed tasks the caller already knows (`Rollup.afterMoves`).
    static func addDirty(rows: Int) -> String {
        rows == dirtyBatch ? addDirtyBatch : makeAddDirty(rows: rows)
    }
    private static let addDirtyBatch = makeAddDirty(rows: dirtyBatch)
    private static func makeAddDirty(rows: Int) -> String {
        "INSERT OR IGNORE INTO temp.pmq_dirty (id, depth) VALUES "
            + (0..<rows).map { "(?\($0 * 2 + 1), ?\($0 * 2 + 2))" }.joined(separator: ", ")
    }

    /// What the journal entries after mark ?1 call for: 2 when one is on a calendar table
    /// (every summary is derived again), else 1 when one is a task's roll-up input or an added
    /// or removed task (`seed` finds its parents), else 0 (nothing to derive). Each test stops
    /// at its first entry; `+` keeps SQLite on the rowid range, as in `seed`.
    ///
    /// The names are compared one by one (`=` joined by OR), not with `IN (...)`: SQLite
    /// builds a temporary b-tree for an IN list of more than two constants on every run of
    /// the statement, and this one runs after every statement of a loop's body (about 40k
    /// instructions of a figure-f iteration's 240k; BENCHMARKS.md, "Issue 10, figure f, second pass").
    static func needed(inputs: [String], calendarTables: [String]) -> String {
        func anyOf(_ column: String, _ names: [String]) -> String {
            "(" + names.map { "\(column) = '\($0)'" }.joined(separator: " OR ") + ")"
        }
        return """
            SELECT CASE
              WHEN EXISTS (SELECT 1 FROM journal_entries WHERE id > ?1 AND \(anyOf("+entity", calendarTables))) THEN 2
              WHEN EXISTS (SELECT 1 FROM journal_entries WHERE id > ?1 AND +entity = 'tasks' AND \(anyOf("+field", inputs + ["+", "-"]))) THEN 1
              ELSE 0 END
            """
    }

    /// Every summary (a task that is some task's parent).
    static let seedAll = """
        INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
        SELECT p.id, \(depth("p")) FROM tasks p
        WHERE EXISTS (SELECT 1 FROM tasks c WHERE c.project IS p.project AND c.parent_wbs = p.wbs)
        """

    /// Marks the derived summaries whose values differ from the stored ones.
    static func markChanged(outputs: [String]) -> String {
        let differs = outputs.map { "t.\($0) IS NOT pmq_rollup.\($0)" }.joined(separator: " OR ")
        return "UPDATE temp.pmq_rollup SET changed = 1 WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = pmq_rollup.id AND (\(differs)))"
    }

    /// Journals `field` of the changed summaries in change set ?1, named by statement ?2
    /// (`Journal.statementOfNewEntries`; null leaves them to `nameStatement`).
    static func journal(_ field: String) -> String {
        """
        INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value, statement)
        SELECT ?1, 'tasks', t.id, '\(field)', t.\(field), r.\(field), ?2 FROM temp.pmq_rollup r JOIN tasks t ON t.id = r.id
        WHERE r.changed AND r.fresh = 0 AND t.\(field) IS NOT r.\(field)
        """
    }

    /// Journals every output field of the changed summaries in change set ?1, in one
    /// statement: the entries `journal(_:)` writes field by field, in the same order (by
    /// field, then by summary), named by statement ?2 as in `journal(_:)`. Each summary's row
    /// is found once and its fields compared there (the field list the inner loop; ORDER BY
    /// puts the entries back in field order): with the fields outside, every summary's row
    /// was looked up once a field (eight times).
    static func journalAll(outputs: [String]) -> String {
        let fields = outputs.enumerated().map { "(\($0.offset), '\($0.element)')" }.joined(separator: ", ")
        func pick(_ table: String) -> String {
            "CASE f.column2 " + outputs.map { "WHEN '\($0)' THEN \(table).\($0)" }.joined(separator: " ") + " END"
        }
        return """
            INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value, statement)
            SELECT ?1, 'tasks', t.id, f.column2, \(pick("t")), \(pick("r")), ?2
            FROM temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id CROSS JOIN (VALUES \(fields)) f
            WHERE r.changed AND r.fresh = 0 AND \(pick("t")) IS NOT \(pick("r"))
            ORDER BY f.column1, r.id
            """
    }

    /// Writes the changed summaries' output fields, each row once: a field whose stored value
    /// already IS the derived one keeps the stored value (as `apply(_:)` left it), so the
    /// rows end as the field-by-field statements left them.
    static func applyAll(outputs: [String]) -> String {
        let set = outputs.map { "\($0) = CASE WHEN tasks.\($0) IS r.\($0) THEN tasks.\($0) ELSE r.\($0) END" }.joined(separator: ", ")
        return "UPDATE tasks SET \(set) FROM temp.pmq_rollup r WHERE r.id = tasks.id AND r.changed"
    }

    /// Writes the output fields of the changed summaries that the change set added (not
    /// journaled, so `apply(_:)` cannot write them from the journal), each row once, keeping a
    /// field's stored value where it already IS the derived one, as `applyAll` does.
    static func applyFresh(outputs: [String]) -> String {
        let set = outputs.map { "\($0) = CASE WHEN tasks.\($0) IS r.\($0) THEN tasks.\($0) ELSE r.\($0) END" }.joined(separator: ", ")
        return "UPDATE tasks SET \(set) FROM temp.pmq_rollup r WHERE r.id = tasks.id AND r.changed AND r.fresh > 0"
    }

    /// The added summaries of this level that have no row version yet (none was written
    /// since they were added): the version the roll-up's update makes them is removed again
    /// (`freshVersionsGone`). A version that ends on the day a row was added is never read
    /// by `as of` (the row's `+` entry says it did not exist before), and the journal, which
    /// has no entry for the roll-up of an added row, would not give it back (RowVersions.backfill).
    static let markUnversioned = """
        UPDATE temp.pmq_rollup SET fresh = 2
        WHERE fresh = 1 AND NOT EXISTS (SELECT 1 FROM tasks_versions v WHERE v.id = pmq_rollup.id)
        """
    static let freshVersionsGone = "DELETE FROM tasks_versions WHERE id IN (SELECT r.id FROM temp.pmq_rollup r WHERE r.fresh = 2)"

    /// Writes `field` of the summaries as journaled after mark ?1.
    static func apply(_ field: String) -> String {
        """
        UPDATE tasks SET \(field) = j.new_value FROM journal_entries j
        WHERE j.id > ?1 AND j.field = '\(field)' AND j.row_id = tasks.id
        """
    }

    /// A summary that changed makes its own parent dirty.
    static let dirtyParents = """
        INSERT OR IGNORE INTO temp.pmq_dirty (id, depth)
        SELECT p.id, \(depth("p")) FROM temp.pmq_rollup r CROSS JOIN tasks t ON t.id = r.id
        CROSS JOIN tasks p ON p.project IS t.project AND p.wbs = t.parent_wbs
        WHERE r.changed AND t.parent_wbs IS NOT NULL
        """

    /// The roll-up of the dirty summaries at one level (?1), from their children as stored.
    /// CROSS JOIN fixes the join order: from the few dirty rows to their children through
    /// the tasks_children index, never a scan of every task (SQLite has no statistics here).
    ///
    /// progress: the mean of the children's progress weighted by their working days
    /// (milestones and cancelled children weigh nothing); when no child weighs anything,
    /// the plain mean over the children not cancelled, 0 when all are; rounded half up.
    /// status: cancelled when all children are, done when all are done or cancelled,
    /// doing when any is doing or done, blocked when any is blocked, else todo.
    ///
    /// Grouped by `d.id` (the same id as `p.id`): the dirty rows are read in that order, so
    /// SQLite aggregates each summary's children as they come; grouped by `p.id` it sorted
    /// every child row (all its columns) in a temporary b-tree first (about 3k instructions a
    /// child; BENCHMARKS.md, "fifth pass").
    static func derive(_ dialect: SQLDialect, sums: Bool = false) -> String {
        // 2 when a child is doing or done, else 1 when one is blocked, else 0: one aggregate
        // (the engine evaluates the same expression once) for the two tests that were two
        // totals of string comparisons (about 600 instructions a child; BENCHMARKS.md, "fifth pass").
        let started = "max(CASE WHEN status IN ('doing', 'done') THEN 2 WHEN status = 'blocked' THEN 1 ELSE 0 END)"
        return """
        INSERT INTO temp.pmq_rollup (id, start, finish, cost, effort, progress, status, actual_start, actual_finish\(sums ? ", weight, weighted, plain, active, exact" : ""))
        SELECT id, start, finish, cost, effort,
          CASE WHEN weight > 0 THEN CAST(weighted / weight + 0.5 AS INTEGER)
               WHEN active > 0 THEN CAST(plain / active + 0.5 AS INTEGER)
               ELSE 0 END,
          status, actual_start,
          CASE WHEN status = 'done' THEN actual_finish END\(sums ? ", weight, weighted, plain, active, exact" : "")
        FROM (
          SELECT pid AS id, min(start) AS start, max(finish) AS finish, sum(cost) AS cost, sum(effort) AS effort,
            total(w) AS weight, total(w * progress) AS weighted,
            total(CASE WHEN status != 'cancelled' THEN progress END) AS plain,
            total(status != 'cancelled') AS active,\(sums ? " min(progress = CAST(progress AS INTEGER)) AS exact," : "")
            CASE WHEN total(status != 'cancelled') = 0 THEN 'cancelled'
                 WHEN total(status NOT IN ('done', 'cancelled')) = 0 THEN 'done'
                 WHEN \(started) = 2 THEN 'doing'
                 WHEN \(started) = 1 THEN 'blocked'
                 ELSE 'todo' END AS status,
            min(actual_start) AS actual_start, max(actual_finish) AS actual_finish
          FROM (
            SELECT d.id AS pid, c.start, c.finish, c.cost, c.effort, c.progress, c.status, c.actual_start, c.actual_finish,
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
