/// Summary roll-up (docs/language.md, “Mid-project truth”): a task that is some other task's parent keeps its
/// dates, cost, effort, progress, status and actual dates equal to what its children
/// give, after every change.
///
/// The work is driven by the journal: the tasks a statement changed are in the entries
/// it wrote, so their parents are the summaries to re-derive. They are re-derived
/// deepest first, one WBS level at a time, with set-based SQL; a summary whose values
/// changed makes its own parent dirty. A change of one leaf so costs a few statements per
/// level above it, not a pass over every task. The roll-up's own changes are journaled in
/// the same change set, so `undo` takes them back with what caused them, except its changes
/// to tasks that the same change set added: their `+` entry already says that undo removes
/// them, so a freshly loaded or imported tree's summaries get no entry per derived field,
/// nor a row version (which `as of` would never read) for their first derived values
/// (docs/language.md, “Mid-project truth”; BENCHMARKS.md, “Issue 14, ninth pass”).
struct Rollup {
    let session: SessionContext
    /// Journals and writes the changed summaries field by field, one statement a field, as
    /// PostgreSQL does (tests compare it with SQLite's one statement for all fields).
    private var fieldByField: Bool { session.rollupFieldByField }
    private var db: any Engine { session.db }

    /// The task columns whose change can change a parent's roll-up.
    /// (The owner too: a child's weight counts its owner's working days.)
    static let inputs = ["start", "finish", "cost", "effort", "progress", "status", "actual_start", "actual_finish", "milestone", "owner"]
    /// Tables whose change moves working days, and so progress weights, of any task.
    static let calendarTables = ["holidays", "workdays", "leaves"]
    /// What a summary takes from its children, in the order of the scratch table's columns.
    static let outputs = ["start", "finish", "cost", "effort", "progress", "status", "actual_start", "actual_finish"]

    /// The statements' text, made once (a loop rolls up after every statement of its body).
    private static let needed = RollupSQL.needed(inputs: inputs, calendarTables: calendarTables)
    private static let seed = RollupSQL.seed(inputs: inputs)
    private static let incrementalMode = RollupSQL.incrementalMode(inputs: inputs)

    /// Whether this engine keeps the summaries' progress sums (`task_rollup`, schema step 24)
    /// and adjusts them by differences: SQLite; PostgreSQL derives every dirty summary.
    private var keepsSums: Bool { db.kind == .sqlite && session.rollupIncremental }

    /// Re-derives the summaries above every task changed by journal entries after `mark`.
    /// Returns false when the entries call for nothing (no roll-up input of a task changed, no
    /// task added or removed, no calendar changed: `update t set priority = high`), which one
    /// look at the entries tells, so that a loop's many such statements cost one query each.
    @discardableResult
    func afterChanges(since mark: Int64) throws -> Bool {
        switch try db.scalar(Rollup.needed, [.integer(mark)]) {
        case .integer(2):
            // Working days moved (leave, make-up days, holidays): every weight may have changed.
            try prepare()
            if keepsSums { _ = try forgetMovedSums(since: mark) }
            try db.run(RollupSQL.seedAll)
            try drain(statement: session.journal.statementOfNewEntries())
        case .integer(1):
            try prepare()
            if keepsSums, try forgetMovedSums(since: mark) {
                // Only progress changed, in whole numbers: the summaries above are adjusted by
                // the differences (`drain`), not derived again from all their children.
                session.incrementalRollups += 1
                try db.run(RollupSQL.seedDeltas(db.dialect), [.integer(mark)])
                try db.run(RollupSQL.seedDirtyFromDeltas)
                try drain(statement: session.journal.statementOfNewEntries(), incremental: true)
                return true
            }
            try db.run(Rollup.seed, [.integer(mark)])
            // The entries belong to the statement that caused them, and a `nameStatement` call
            // follows (SessionContext.rollUpPending's callers): they are named as written.
            try drain(statement: session.journal.statementOfNewEntries())
        default:
            // Nothing seeded: the seed and drain would find no summary to derive.
            return false
        }
        return true
    }

    /// Re-derives `parents` (summaries by id, with their depth: the dots in their WBS code)
    /// and the summaries above them, as `afterChanges` does for entries that changed only
    /// children of those summaries: `schedule` knows the parents of the leaves it moved, so
    /// the seed need not find them again from its 10,000 journal entries (`seed` read each
    /// entry, its task and a DISTINCT of (project, parent) texts: ~59 M instructions at h1;
    /// BENCHMARKS.md, "issue 9, sixth pass"). The caller moves `SessionContext.rollupMark`
    /// past the entries, as `rollUpPending` would.
    func afterMoves(parents: [(id: Int64, depth: Int)]) throws {
        guard !parents.isEmpty else { return }
        try prepare()
        try addDirty(parents, RollupSQL.addDirty(rows:)) { [.integer($0.id), .integer(Int64($0.depth))] }
        try drain(statement: session.journal.statementOfNewEntries())
    }

    /// Re-derives the parents of the rows an import added (project and WBS code, each once)
    /// and the summaries above them, as `afterChanges` does for entries that are those rows'
    /// `+` ranges and nothing else (`SessionContext.importedTaskRows` checks that): the import
    /// saw every row's parent code, so the seed need not find them again with a DISTINCT over
    /// every added row (79 M instructions of a 20,000-row import's 1,948 M; BENCHMARKS.md,
    /// “Issue 14, tenth pass”). A code with no task (a row whose parent is missing, refused
    /// at commit) makes nothing dirty, as in `seed`.
    func afterImport(parents: [(project: Int64?, code: String)]) throws {
        guard !parents.isEmpty else { return }
        try prepare()
        try addDirty(parents, RollupSQL.addDirtyByCode(rows:)) { [$0.project.map { .integer($0) } ?? .null, .text($0.code)] }
        try drain(statement: session.journal.statementOfNewEntries())
    }

    /// Marks `parents` dirty, `RollupSQL.dirtyBatch` rows to a statement (`insert(rows:)`),
    /// each row's two values given by `row`.
    private func addDirty<P>(_ parents: [P], _ insert: (Int) -> String, _ row: (P) -> [Value]) throws {
        var values: [Value] = []
        values.reserveCapacity(RollupSQL.dirtyBatch * 2)
        for (n, p) in parents.enumerated() {
            values.append(contentsOf: row(p))
            if values.count == RollupSQL.dirtyBatch * 2 || n == parents.count - 1 {
                try db.run(insert(values.count / 2), values)
                values.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Re-derives every summary (after the calendar changed, or a database from before roll-up).
    func all() throws {
        try prepare()
        try db.run(RollupSQL.seedAll)
        try drain(statement: .null)
    }

    private func prepare() throws {
        try db.run(RollupSQL.createDirty)
        try db.run(RollupSQL.createScratch)
        try db.run(RollupSQL.clearDirty)
        if keepsSums {
            try db.run(RollupSQL.createDeltas)
            try db.run(RollupSQL.clearDeltas)
        }
    }

    /// Forgets every summary's sums when the entries after `mark` moved a task (the summary it
    /// left is not derived, so its sums would keep the task), and tells whether the entries
    /// allow the incremental roll-up (whole-number progress changes only).
    private func forgetMovedSums(since mark: Int64) throws -> Bool {
        switch try db.scalar(Rollup.incrementalMode, [.integer(mark)]) {
        case .integer(0): return true
        case .integer(2): try db.run(RollupSQL.forgetSums); return false
        default: return false
        }
    }

    /// The ranges of tasks the change set in progress added, read once a roll-up, when a level
    /// first has a changed summary; false when there are none.
    private func seedFresh(_ set: Int64) throws -> Bool {
        try db.run(RollupSQL.createFresh)
        try db.run(RollupSQL.clearFresh)
        return try db.run(RollupSQL.seedFresh, [.integer(set)]) > 0
    }

    /// Re-derives the dirty summaries, deepest level first, until none is left. Their entries
    /// are named by `statement` (null: left to `Journal.nameStatement`).
    ///
    /// `incremental`: only children's progress changed (`afterChanges`), and `pmq_delta` holds
    /// the differences per summary. A level whose dirty summaries all have exact sums takes
    /// its progress from them (`deriveFromSums`: no child is read); any other level is derived.
    /// Each level's changed summaries pass their own differences on to their parents, until a
    /// level changes more than progress (a summary that was not its children's roll-up): the
    /// levels above it are derived. With `keepsSums`, every level's sums are kept.
    private func drain(statement: Value, incremental: Bool = false) throws {
        var levels = 0
        var fresh: Bool?
        var incremental = incremental
        let sums = keepsSums
        while case .integer(let level) = try db.scalar(RollupSQL.deepestDirty) {
            levels += 1
            guard levels < 10_000 else { break }  // WBS codes are finite; a guard, never reached
            try db.run(RollupSQL.clearScratch)
            var fromSums = false
            if incremental, try db.scalar(RollupSQL.levelHasSums, [.integer(level)]) == .integer(1) {
                try db.run(RollupSQL.deriveFromSums, [.integer(level)])
                session.levelsFromSums += 1
                fromSums = true
            } else {
                try db.run(RollupSQL.derive(db.dialect, sums: sums), [.integer(level)])
            }
            if sums { try db.run(RollupSQL.keepSums) }
            try db.run(RollupSQL.dropLevel, [.integer(level)])
            let changed = try db.run(RollupSQL.markChanged(outputs: Rollup.outputs))
            guard changed > 0 else { continue }
            // A level taken from the sums copies every field but progress from the stored row:
            // only a derived level can change more.
            if incremental, !fromSums, try db.scalar(RollupSQL.changedBeyondProgress) == .integer(1) {
                incremental = false
            }
            if incremental { try db.run(RollupSQL.propagateDeltas(db.dialect)) }
            let set = try session.journal.set()
            if fresh == nil { fresh = try seedFresh(set) }
            // Summaries the change set added: their derived fields are written, not journaled.
            let anyFresh = try fresh == true && db.run(RollupSQL.markFresh) > 0
            let unversioned = try anyFresh && db.run(RollupSQL.markUnversioned) > 0
            if db.kind == .sqlite && !fieldByField {
                // One statement journals every changed field (in the order the field-by-field
                // statements wrote them), one writes each changed summary once, keeping a
                // field's stored value where it did not change. A large level (a freshly
                // loaded tree) rewrote each row up to eight times, one field at a time.
                try db.run(RollupSQL.journalAll(outputs: Rollup.outputs), [.integer(set), statement])
                try db.run(RollupSQL.applyAll(outputs: Rollup.outputs))
            } else {
                // PostgreSQL's journal keeps values as text: the fields are written from it as
                // journaled, field by field, only the values that changed.
                let mark = try session.journal.mark()
                for field in Rollup.outputs {
                    try db.run(RollupSQL.journal(field), [.integer(set), statement])
                }
                for field in Rollup.outputs {
                    try db.run(RollupSQL.apply(field), [.integer(mark)])
                }
                if anyFresh { try db.run(RollupSQL.applyFresh(outputs: Rollup.outputs)) }
            }
            if unversioned { try db.run(RollupSQL.freshVersionsGone) }
            if incremental {
                // Each changed summary changed its progress only, and its parent (one level up)
                // has just been given its difference: those parents are the dirty ones.
                try db.run(RollupSQL.dirtyFromDeltas, [.integer(level - 1)])
            } else {
                try db.run(RollupSQL.dirtyParents)
            }
        }
    }
}
