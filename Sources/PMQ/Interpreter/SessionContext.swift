import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an executor sees of its session while a statement runs: the engine, the model
/// (`schema`), `today`, the options (`limits`), the journal writer, the calendars, the
/// variables and caches (each behind its own type), and the sinks for output held back until
/// the run commits. Executors keep it in a field named `session`; they never see the
/// session's checker, transactions or public API (see docs/architecture.md).
///
/// One per `Session`, used from one thread at a time, like the session.
final class SessionContext {
    let db: any Engine
    /// The SQL spellings of the engine.
    var dialect: SQLDialect
    /// The date `today`, `late` and `overdue` are measured from; change sets are booked on it.
    var today: Day { didSet { journal.day = today } }
    /// The database's model: the built-in entities and its custom fields (docs/language.md, “Custom fields”).
    private(set) var schema = Schema.builtIn
    /// Counts reloads of the model: a program checked before one is checked again (see `Compiler`).
    private(set) var schemaVersion = 0
    var journal: Journal
    /// Limits for scripts from untrusted sources: steps, a deadline, read-only.
    var limits = Limits()
    /// The project calendar: weekends and the holidays table.
    let calendar = WorkCalendar()
    /// Each person's calendar: the project's less their leave (docs/language.md, “Resources”).
    lazy var personCalendars = PersonCalendars(project: calendar)
    var variables = VariableEnvironment()
    var caches = SessionCaches()
    /// Checks a saved rule's text against the model as it is now (the session's compiler).
    var ruleChecker: (_ text: String, _ name: String) -> TQuery? = { _, _ in nil }

    // MARK: Output sinks

    /// Where `print` output goes; nil returns it as `.text` results.
    var printHandler: ((String) -> Void)?
    /// Told how a long import or export is going; nil: no reports.
    var progressHandler: ((ProgressReport?) -> Void)?
    /// How many times `check` found rows for a rule of severity error: `pmq` then exits 1.
    var failedErrorRules = 0
    /// The names of those rules, in the order `check` found them (a name again for each check).
    var failedRuleNames: [String] = []
    /// Inside the shell's `begin` ... `commit` (not a dry run): messages say "this transaction", not "this script".
    var inShellTransaction = false

    // MARK: The run in progress (see `Transactions`)

    /// The folder of the script running now: `import` and `export` resolve relative paths
    /// there; nil (for `-e` text, standard input and the shell) means the working directory.
    var scriptFolder: String?
    /// Files `report to` wrote during a run: written once the run commits, so a failed
    /// or dry run leaves no file behind.
    var pendingFiles: [(path: String, shown: String, text: String, range: SourceRange)] = []
    /// Files `export` wrote during the run, moved into place when it commits.
    var pendingExports: [(temp: String, final: String, shown: String, range: SourceRange)] = []
    /// Tasks added by this run whose parent code had no task yet, with where they were
    /// added: checked again at commit, when the parent may have come (WBS integrity).
    /// `place`: for a row an import wrote, its cell in the file (the range is then the cell's number + 1).
    var orphanCandidates: [(id: Int64, wbs: String, range: SourceRange, place: ImportPlace?)] = []
    /// Set by an update that moved tasks to another project or code: at commit every task's
    /// parent is looked for, since the moved ones and the ones left behind may have none.
    var movedTasks: SourceRange?
    /// The journal entry up to which summaries have been rolled up (docs/language.md, “Mid-project truth”).
    var rollupMark: Int64 = 0
    /// Roll-up writes changed summaries field by field on SQLite too (as on PostgreSQL): for tests
    /// that compare it with the one statement for all fields.
    var rollupFieldByField = false
    /// On SQLite, a statement that changed only leaves' progress adjusts the summaries above
    /// by the differences, from each summary's kept sums (`task_rollup`; Rollup, "incremental"):
    /// false derives them from their children and keeps no sums, for tests that compare the two.
    var rollupIncremental = true
    /// How many roll-ups took the incremental path, and how many levels of them took their
    /// progress from the kept sums (tests check both ran).
    var incrementalRollups = 0
    var levelsFromSums = 0
    /// `schedule` seeds the roll-up with the parents of the leaves it moved (`Rollup.afterMoves`)
    /// instead of leaving them to be found from its journal entries: false takes the general
    /// path, for tests that compare the two.
    var scheduleSeedsRollup = true
    /// How many times `schedule` seeded the roll-up itself (tests check the path ran).
    var scheduleSeededRollups = 0
    /// How many task rows of an import one INSERT writes while the tasks table's indexes are
    /// away (`TaskRowWriter`); 1 writes each alone (tests compare the two). And how many rows
    /// went in that way, many to an INSERT (tests).
    var importRowsPerInsert = TaskRowWriter.batchRows
    var importRowsBatched = 0
    /// What an import of task rows knows of the roll-up it calls for: the ids it wrote and the
    /// parent codes of its rows (`TaskRowWriter.rollupSeed`). The next roll-up derives those
    /// parents when the journal's entries since the last roll-up are exactly that import's
    /// added rows, instead of finding them again from the entries (`RollupSQL.seed`: a
    /// DISTINCT over every added row; BENCHMARKS.md, “Issue 14, eleventh pass”).
    var importedTaskRows: ImportedTaskRows?
    /// Imports seed the roll-up themselves (`importedTaskRows`): false takes the general
    /// path, for tests that compare the two. And how many roll-ups were seeded so (tests).
    var importSeedsRollup = true
    var importSeededRollups = 0
    /// The tasks table's indexes while a long run of task rows is written: dropped, and built
    /// again when the rows end (see `DeferredTaskIndexes` and “Runs of task rows” below).
    private(set) var deferredTaskIndexes: DeferredTaskIndexes?
    /// The first row written without the indexes, by the last run of rows that dropped them (tests).
    private(set) var lastDeferredFrom: Int64?
    /// Task rows written one after another (by `add task` or an import) since any other
    /// statement, and the count at which to look again whether deferring the indexes pays.
    private var taskRowsInARow = 0
    private var nextDeferralCheck = DeferredTaskIndexes.minimumRows
    /// Set from another thread (or a signal handler) to stop the run in progress.
    let cancelled = Atomic<Bool>(false)

    init(db: any Engine, today: Day) {
        self.db = db
        self.dialect = db.dialect
        self.today = today
        self.journal = Journal(db: db)
        self.journal.day = today
        // On a server the journal records the database user (docs/language.md, “Teams on a server”).
        if let user = db.databaseUser { journal.user = user }
    }

    /// The project chosen with `use project`.
    var currentProject: Int64? { variables.currentProject }

    /// The user `me` names: `$PMQ_USER`, else the system user. Found when first asked for
    /// (the system user's lookup reads the user database; most runs never say `me`).
    lazy var user: String? = SessionContext.defaultUser()

    /// The one answer to "who is running PMQ", for `me` and the journal alike (R16), so
    /// `owner = me` and `journal where user = ...` name the same person: `$PMQ_USER`, else
    /// the system user as the shell names it (`$USER`, else `$LOGNAME`), else the account
    /// the process runs as (a cron job or container often has neither variable). An empty
    /// variable counts as unset.
    static func defaultUser() -> String? {
        for name in ["PMQ_USER", "USER", "LOGNAME"] {
            if let p = getenv(name) { let u = String(cString: p); if !u.isEmpty { return u } }
        }
        if let pw = getpwuid(geteuid()), let n = pw.pointee.pw_name { let u = String(cString: n); if !u.isEmpty { return u } }
        return nil
    }

    // MARK: Steps and cancelling

    /// One interpreter step: a statement or a loop iteration. Checks cancellation and limits.
    func step() throws {
        if cancelled.load(ordering: .relaxed) {
            throw RuntimeError(code: .limitReached, message: limits.stopReason ?? "interrupted", range: .none)
        }
        try limits.count(1)
    }

    /// Why checking must stop: the run was cancelled or its time limit passed (checking
    /// runs inside the limits too, so a huge or hostile text cannot outlast them).
    func checkingInterrupted() -> String? {
        if cancelled.load(ordering: .relaxed) { return "interrupted" }
        if let deadline = limits.deadline, ContinuousClock.now > deadline {
            return "time limit exceeded (\(limits.timeout.map { "\($0)" } ?? ""))"
        }
        return nil
    }

    // MARK: The model

    /// Reads the model again after `add field`, `drop field` or an undo of either.
    func reloadSchema() throws { reloadSchema(try FieldStore.load(db)) }

    func reloadSchema(_ s: Schema) {
        schema = s
        schemaVersion += 1
        caches.schemaChanged()
    }

    /// A rule's query, checked against the model as it is now; nil when it no longer checks.
    func checkedRule(_ text: String, name: String) -> TQuery? { ruleChecker(text, name) }

    /// Changes were rolled back: what the caches hold of rows may be gone, and a rolled-back
    /// `add field` or `drop field` must not linger in the model.
    func rolledBack() {
        caches.rolledBack()
        importedTaskRows = nil
        // The rollback brought the tasks table's indexes back, if they were away.
        deferredTaskIndexes?.resetCache()
        deferredTaskIndexes = nil
        taskRowsInARow = 0
        nextDeferralCheck = DeferredTaskIndexes.minimumRows
        if let s = try? FieldStore.load(db), s != schema { reloadSchema(s) }
    }

    // MARK: Projects

    /// Up to two project ids (none, one, or several), cached until a project is added or removed.
    func projectIDs() throws -> [Int64] {
        let db = self.db
        return try caches.projectIDs {
            var ids: [Int64] = []
            try db.query(SessionSQL.firstProjects) { s in
                if case .integer(let id) = s[0] { ids.append(id) }
            }
            return ids
        }
    }

    // MARK: Files

    /// A file named in a script is found next to the script; elsewhere, in the working directory.
    func resolvePath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let scriptFolder else { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: scriptFolder, isDirectory: true)).path
    }

    /// `resolvePath`, refusing a file outside the script's folder and the working directory
    /// when `limits.filesOutside` is off (the C ABI's default). The refusal reads the same
    /// whether or not the file exists, so a host's users cannot probe for other files.
    func permittedPath(_ shown: String, _ verb: String, _ range: SourceRange) throws -> String {
        let path = resolvePath(shown)
        if limits.filesOutside { return path }
        let roots = ([FileManager.default.currentDirectoryPath] + (scriptFolder.map { [$0] } ?? [])).compactMap(FileSandbox.realPath)
        if let target = FileSandbox.realPath(path),
           roots.contains(where: { target == $0 || target.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) { return path }
        throw RuntimeError(code: .fileAccess, message: "\(verb) may only use files in the script's folder or the working directory here, and \"\(shown)\" is not one of them", range: range)
    }

    /// Runs a bulk write (a data load, a large import) with a larger SQLite page cache: a
    /// row goes into the table and five task indexes, and with SQLite's default 2 MiB most
    /// index pages of a large table are read from the file again for every row (system
    /// time). 32 MiB keeps them; the cache goes back to its size afterwards.
    func withBulkCache<T>(_ body: () throws -> T) rethrows -> T {
        guard db.kind == .sqlite, case .integer(let size) = (try? db.scalar(BulkSQL.cacheSize)) ?? .null, size > -32768 else { return try body() }
        try? db.execute(BulkSQL.setCacheSize(-32768))
        defer { try? db.execute(BulkSQL.setCacheSize(size)) }
        return try body()
    }

    /// Runs `body` with SQLite's page cache at `size` when that is smaller than it is now (both
    /// in KiB, negative, as the pragma gives them; a size in pages is left alone); the size
    /// goes back afterwards.
    func withSmallerCache<T>(_ size: Int64, _ body: () throws -> T) rethrows -> T {
        guard db.kind == .sqlite, case .integer(let now) = (try? db.scalar(BulkSQL.cacheSize)) ?? .null, now < size else { return try body() }
        try? db.execute(BulkSQL.setCacheSize(size))
        defer { try? db.execute(BulkSQL.setCacheSize(now)) }
        return try body()
    }

    // MARK: Runs of task rows

    /// A task row was written (by `add task` or an import). After enough of them in a row the
    /// tasks table's indexes are dropped until the rows end; the count is looked at again at
    /// each doubling, as the table grows.
    func wroteTaskRow() throws {
        taskRowsInARow += 1
        guard taskRowsInARow >= nextDeferralCheck, deferredTaskIndexes == nil else { return }
        nextDeferralCheck = taskRowsInARow * 2
        deferredTaskIndexes = try DeferredTaskIndexes.start(db, rows: taskRowsInARow, added: caches.addedTaskCounts)
        if let d = deferredTaskIndexes { lastDeferredFrom = d.firstID }
    }

    /// A writer that knows it is about to write `rows` task rows (an import, from its file's
    /// line count) drops the indexes before the first, when deferring pays for that many
    /// (`DeferredTaskIndexes.start`), instead of after the first 4,096 rows went into five
    /// B-trees. A guess too high costs one rebuild of the indexes over the table.
    func startTaskRows(expected rows: Int) throws {
        guard deferredTaskIndexes == nil, rows >= DeferredTaskIndexes.minimumRows else { return }
        deferredTaskIndexes = try DeferredTaskIndexes.start(db, rows: taskRowsInARow + rows, added: caches.addedTaskCounts)
        if let d = deferredTaskIndexes { lastDeferredFrom = d.firstID }
    }

    /// The run of task rows ends: the indexes are built again. A row that repeated an older
    /// task's code is thrown as `DeferredTaskIndexes.Clash` (an import places it in its file).
    func endTaskRows() throws {
        taskRowsInARow = 0
        nextDeferralCheck = DeferredTaskIndexes.minimumRows
        guard let d = deferredTaskIndexes else { return }
        deferredTaskIndexes = nil
        try d.restore()
    }

    /// The same for rows of `add task` statements: a repeated code is refused at its statement,
    /// as the unique index would have refused it there. `StatementDispatch` calls it before any
    /// statement but `add task`, `Transactions` before a run commits.
    func endTaskRowsOfStatements() throws {
        do { try endTaskRows() } catch let c as DeferredTaskIndexes.Clash {
            throw AddExecutor.duplicate(c.wbs, c.range, db)
        }
    }

    /// A run that fails while the indexes are away: a row before the failure that repeated an
    /// older task's code is the first error, as it would have been with the indexes in place.
    /// (The indexes are built again only when a row could have; the rollback brings them back.)
    func earlierTaskClash() -> DeferredTaskIndexes.Clash? {
        guard let d = deferredTaskIndexes else { return nil }
        deferredTaskIndexes = nil
        guard d.mayClash else { d.resetCache(); return nil }
        do { try d.restore() } catch let c as DeferredTaskIndexes.Clash { return c } catch {}
        return nil
    }

    // MARK: The change set in progress

    /// Rolls summaries up over what changed since the last roll-up (see `Rollup`).
    /// Returns the journal's last entry id after the roll-up when it looked (nil when there
    /// is no change set), so the statement's naming need not ask again.
    @discardableResult
    func rollUpPending() throws -> Int64? {
        let imported = importedTaskRows
        importedTaskRows = nil
        // Nothing is journaled outside a change set: a run that has not made one (a query)
        // changed nothing to roll up, and needs no look at the journal (a round trip on a server).
        guard journal.currentSet != nil else { return nil }
        let mark = try journal.mark()
        guard mark > rollupMark else { return mark }
        if let imported, importSeedsRollup, try imported.areAllEntries(after: rollupMark, db) {
            // The entries are the import's added rows and nothing else: their parents are the
            // codes the import saw (the same summaries `RollupSQL.seed` finds from the entries).
            try Rollup(session: self).afterImport(parents: imported.parents)
            importSeededRollups += 1
            rollupMark = try journal.mark()
            return rollupMark
        }
        // A roll-up that derived nothing wrote no entry: the mark stands.
        rollupMark = try Rollup(session: self).afterChanges(since: rollupMark) ? try journal.mark() : mark
        return rollupMark
    }

    /// WBS integrity (docs/language.md, “Mid-project truth”), when a run commits: every task this run added has its
    /// parent code's task in its project.
    func checkWBSIntegrity() throws {
        defer { orphanCandidates = []; movedTasks = nil }
        if let range = movedTasks {
            var orphan: (wbs: String, project: String)?
            try db.query(LookupSQL.firstOrphan) { s in orphan = (ConstantEvaluator.text(s[0]), ConstantEvaluator.text(s[1])) }
            if let orphan {
                let parent = WBS.parent(orphan.wbs) ?? orphan.wbs
                let inProject = orphan.project == "null" ? "" : " of project \(orphan.project)"
                throw RuntimeError(code: .missingParent, message: "task \(orphan.wbs)\(inProject) would have no parent: there is no task \(parent) in its project",
                                   range: range, notes: ["move a branch whole: update tasks where wbs under CODE set project = ..."])
            }
        }
        for o in orphanCandidates {
            let ok = try db.scalar(LookupSQL.hasParent, [.integer(o.id)])
            if ok.isNull {
                let parent = WBS.parent(o.wbs) ?? o.wbs
                var e = RuntimeError(code: .missingParent, message: "task \(o.wbs) has no parent: there is no task \(parent) in its project",
                                     range: o.range, notes: ["add task \(parent) in the same script (order does not matter), or give \(o.wbs) another code"])
                // A row an import wrote is named at its WBS cell in the file.
                if let place = o.place { e = place.locate(e) }
                throw e
            }
        }
    }
}

/// The task rows an import wrote (ids `first` ... `last`, `rows` of them, consecutive when
/// the rows went in one after another) and the distinct parent codes of those rows, per
/// project (`SessionContext.importedTaskRows`).
struct ImportedTaskRows {
    var first: Int64
    var last: Int64
    var rows: Int64
    var parents: [(project: Int64?, code: String)]

    /// Whether the journal's entries after `mark` are added task rows only, exactly these
    /// (SQLite; anything else, on PostgreSQL too, takes the roll-up's general seed).
    func areAllEntries(after mark: Int64, _ db: any Engine) throws -> Bool {
        guard db.kind == .sqlite, rows > 0 else { return false }
        var same = false
        try db.query(RollupSQL.addedTasksSince, [.integer(mark)]) { r in
            guard case .integer(let all) = r[0], case .integer(let added) = r[1], all == added,
                  case .integer(let lo) = r[2], case .integer(let hi) = r[3], case .integer(let n) = r[4] else { return }
            same = lo == first && hi == last && n == rows
        }
        return same
    }
}
