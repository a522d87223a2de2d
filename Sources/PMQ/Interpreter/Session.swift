import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One open project database and the state a run of PMQ text carries: the date
/// that counts as today, the project chosen with `use project`, script variables
/// and functions (kept between runs, so the REPL remembers them).
///
/// A `Session` is not thread-safe: use it from one thread at a time (it owns one
/// SQLite connection). Open one session per thread to work on a file concurrently.
public final class Session {
    public let db: any Engine
    /// The date `today`, `late` and `overdue` are measured from.
    public var today: Day { didSet { journal.day = today } }
    /// The SQL spellings of the engine the session runs on.
    public var dialect: SQLDialect
    /// `--var NAME=VALUE` values for `param` statements.
    public var params: [String: String] = [:]
    /// Set by `use project "CODE"`.
    public internal(set) var currentProject: Int64?
    /// True between `begin` and `commit`/`rollback` (the interactive shell).
    public private(set) var inExplicitTransaction = false
    /// Whether `begin`/`commit`/`rollback` are accepted: the interactive shell turns this on.
    public var allowsExplicitTransactions = false
    /// How many times `check` found rows for a rule of severity error: `pmq` then exits 1.
    public internal(set) var failedErrorRules = 0

    /// The database's model: the built-in entities and its custom fields (docs/language.md, “Custom fields”),
    /// loaded when the store opens and after every change to its fields.
    public internal(set) var schema = Schema.builtIn

    var peopleCache: [String: Int64] = [:]
    var hostFunctions: [String: HostFunction] = [:]
    var insertSQL: [String: String] = [:]
    /// The INSERT used last, by table and sorted columns (see `AddExecutor.insert`).
    var lastInsert: (table: String, columns: [String], ignoring: Bool, sql: String)?
    /// The task codes added by the `add` statements run one after another just now, per
    /// project: a child's parent among them needs no lookup (a data load adds each parent
    /// just before its children). Any other statement, a rollback or a new run forgets them,
    /// since only adds run in between (nothing removed or renamed a task).
    var addedTaskCodes: [Int64?: Set<String>] = [:]
    /// The tasks table's indexes while a long run of task rows is written: dropped, and built
    /// again when the rows end (see `DeferredTaskIndexes`).
    var deferredTaskIndexes: DeferredTaskIndexes?
    /// Task rows written one after another (by `add task` or an import) since any other
    /// statement, and the count at which to look again whether deferring the indexes pays.
    private var taskRowsInARow = 0
    private var nextDeferralCheck = DeferredTaskIndexes.minimumRows
    var projectCacheValid = false
    private var projectCache: [Int64] = []
    private var checker: Checker { didSet { checkerGeneration += 1 } }
    /// Counts changes of the checker kept between runs: a `Program` compiled at another
    /// count was checked against names, slots or fields that have moved since.
    private(set) var checkerGeneration = 0
    /// Script variables by slot: values, a row's id, or a set as a JSON array of ids.
    private var environment: [Int: Value] = [:]
    /// Files `report to` wrote during a run: written once the run commits, so a failed
    /// or dry run leaves no file behind.
    var pendingFiles: [(path: String, text: String, range: SourceRange)] = []
    var journal: Journal
    /// The journal entry up to which summaries have been rolled up (docs/language.md, “Mid-project truth”).
    var rollupMark: Int64 = 0
    /// Tasks added by this run whose parent code had no task yet, with where they were
    /// added: checked again at commit, when the parent may have come (WBS integrity).
    var orphanCandidates: [(id: Int64, wbs: String, range: SourceRange)] = []
    /// Set by an update that moved tasks to another project or code: at commit every task's
    /// parent is looked for, since the moved ones and the ones left behind may have none.
    var movedTasks: SourceRange?
    /// The project calendar: weekends and the holidays table.
    let calendar = WorkCalendar()
    /// Each person's calendar: the project's less their leave (docs/language.md, “Resources”).
    lazy var personCalendars = PersonCalendars(project: calendar)
    /// Set from another thread (or a signal handler) to stop the run in progress.
    private let cancelled = Atomic<Bool>(false)
    /// SQL compiled for checked nodes during one run. The node is held with its SQL so
    /// its identity cannot be reused by another node while the entry exists.
    private var sqlCache: [ObjectIdentifier: (node: AnyObject, sql: CompiledSQL)] = [:]
    private var changeCache: [ObjectIdentifier: (node: AnyObject, sql: CompiledSQL)] = [:]

    /// Opens (creating or upgrading) the database at `path`; nil opens an in-memory one.
    /// `readOnly` opens an existing file as it is, for checking scripts against it.
    /// `initialize` (`pmq --init`) adds PMQ's tables to a database that holds other tables and
    /// no PMQ schema, which is otherwise refused ("not a PMQ database"); the other tables are
    /// left as they are. It changes nothing for a new, empty or PMQ database.
    public init(path: String?, today: Day? = nil, readOnly: Bool = false, initialize: Bool = false) throws {
        self.db = try Store.open(path, readOnly: readOnly, initialize: initialize)
        self.dialect = db.dialect
        let day = today ?? Day.current()
        self.today = day
        self.checker = Checker(today: day)
        self.journal = Journal(db: db)
        self.journal.day = day
        // On a server the journal records the database user (docs/language.md, “Teams on a server”).
        if let user = db.databaseUser { journal.user = user }
        registerCalendarFunction()
        // A file opened read-only at an older schema has no pmq_fields table: its model is the built-in one.
        schema = (try? FieldStore.load(db)) ?? .builtIn
        _ = try? loadCalendar()  // a file opened read-only at an older schema has no holidays table
        // A file from before summaries rolled up (schema 3) gets its summaries derived once,
        // as a change set of its own.
        if let from = db.upgradedFrom, from > 0, from < 3 { try rollUpSummaries() }
    }

    func projectIDs() throws -> [Int64] {
        if projectCacheValid { return projectCache }
        var ids: [Int64] = []
        try db.query("SELECT id FROM projects ORDER BY id LIMIT 2") { s in
            if case .integer(let id) = s[0] { ids.append(id) }
        }
        projectCache = ids
        projectCacheValid = true
        return ids
    }

    /// Stops the statement running now, from any thread: the run ends with an
    /// "interrupted" error and everything it changed is rolled back.
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
        db.interrupt()
    }

    /// Where `print` output goes; nil returns it as `.text` results.
    public var printHandler: ((String) -> Void)?

    /// Told how a long import or export is going (see `ProgressReport`); nil: no reports.
    public var progressHandler: ((ProgressReport?) -> Void)?

    /// The folder of the script running now: `import` and `export` resolve relative paths
    /// there; nil (for `-e` text, standard input and the shell) means the working directory.
    var scriptFolder: String?

    /// Files `export` wrote during the run, moved into place when it commits.
    var pendingExports: [(temp: String, final: String)] = []

    /// Commit: exported files take their names. Rollback: they are removed.
    private func settleExports(commit: Bool) throws {
        let files = pendingExports
        pendingExports = []
        for f in files {
            if commit {
                if FileManager.default.fileExists(atPath: f.final) { try? FileManager.default.removeItem(atPath: f.final) }
                do { try FileManager.default.moveItem(atPath: f.temp, toPath: f.final) } catch {
                    try? FileManager.default.removeItem(atPath: f.temp)
                    throw error
                }
            } else {
                try? FileManager.default.removeItem(atPath: f.temp)
            }
        }
    }

    /// Limits for scripts from untrusted sources: steps, a deadline, read-only.
    public var limits = Limits()

    /// One interpreter step: a statement or a loop iteration. Checks cancellation and limits.
    func step() throws {
        if cancelled.load(ordering: .relaxed) {
            throw RuntimeError(code: .limitReached, message: limits.stopReason ?? "interrupted", range: .none)
        }
        try limits.count(1)
    }

    // MARK: - Checking

    var checkerState: Checker { checker }

    func freshChecker() -> Checker {
        var c = checker
        c.schema = schema
        c.today = today
        c.params = params
        c.readOnly = limits.readOnly
        c.fileAccess = limits.fileAccess
        c.calendar = calendar
        c.hostFunctions = hostFunctions.mapValues { (params: $0.parameters.map(\.ptype), result: $0.result.ptype) }
        c.diagnostics = DiagnosticBag()
        c.interrupted = { [weak self] in self?.checkingInterrupted() }
        let db = self.db
        c.savedQuery = { name in
            if case .text(let t) = (try? db.scalar("SELECT source FROM saved_queries WHERE name = ?1", [.text(name)])) ?? .null { return t }
            return nil
        }
        return c
    }

    /// Parses and checks `source` without running anything: every diagnostic in it.
    public func check(_ source: SourceFile) -> [Diagnostic] { check([source]) }

    /// Checks several texts as they would run, one after another: names declared by one
    /// (variables, functions, saved queries) are known to the next.
    public func check(_ sources: [SourceFile]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var c = freshChecker()
        for source in sources {
            forEachChecked(source, &c) { _ in } report: { diagnostics.append($0) }
        }
        return diagnostics
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

    /// Streams the statements of `source`, checked. Diagnostics go to `report`.
    func forEachChecked(_ source: SourceFile, _ checker: inout Checker, _ body: (Checked) -> Void, report: (Diagnostic) -> Void) {
        var parser = Parser(source)
        forEachChecked(source, &checker, parser: &parser, body, report: report)
    }

    /// The same from a parser positioned anywhere in `source` (an editor re-checking after an
    /// edit); `after`, when given, sees the checker after each top-level statement and where
    /// that statement ends.
    func forEachChecked(_ source: SourceFile, _ checker: inout Checker, parser: inout Parser, _ body: (Checked) -> Void,
                        report: (Diagnostic) -> Void, after: ((Int, Checker) -> Void)? = nil) {
        var reported = 0
        while true {
            if let reason = checkingInterrupted() {
                report(Diagnostic(.limitReached, reason + " while checking: nothing was run", at: .none, source: source))
                return
            }
            let statement = parser.nextStatement()
            for d in parser.diagnostics.items.dropFirst(reported) { var d = d; d.source = source; report(d) }
            reported = parser.diagnostics.items.count
            guard let statement else { break }
            let before = checker.diagnostics.items.count
            checker.expandedCalls = 0
            checker.expansionStopped = false
            let checked = checker.checkStatement(statement)
            for d in checker.diagnostics.items.dropFirst(before) { var d = d; d.source = source; report(d) }
            if let checked, checker.diagnostics.items.count == before { body(checked) }
            after?(statement.range.end, checker)
        }
    }

    // MARK: - Running

    /// Runs PMQ text as one transaction: every statement or none. Results are handed to
    /// `emit` as statements finish; on failure everything is rolled back and the
    /// diagnostics are returned. With `dryRun`, the changes are rolled back even on
    /// success, after a row-level diff of them is emitted.
    @discardableResult
    public func run(_ source: SourceFile, dryRun: Bool = false, emit: (StatementResult) -> Void) -> [Diagnostic] {
        // A script up to a few megabytes is checked whole before anything runs, so a
        // mistake anywhere in it runs nothing and prints nothing. A larger one (a data
        // load) is run statement by statement as it is checked, in the same single
        // transaction: after the first error nothing more runs, checking goes on so every
        // error is reported, and everything is rolled back. That keeps a million-line
        // script from being held in memory or parsed twice.
        if source.bytes.count < 4 << 20 {
            // The limits' clock starts before checking: it counts against them too.
            cancelled.store(false, ordering: .relaxed)
            limits.startClock()
            defer { limits.stopClock() }
            switch compile(source) {
            case .failure(let d): return d.items
            case .success(let program): return run(program, dryRun: dryRun, emit: emit)
            }
        }
        return withBulkCache { runChecked(source, kept: nil, checker: freshChecker(), dryRun: dryRun, emit: emit) }
    }

    /// A task row was written (by `add task` or an import). After enough of them in a row the
    /// tasks table's indexes are dropped until the rows end; the count is looked at again at
    /// each doubling, as the table grows.
    func wroteTaskRow() throws {
        taskRowsInARow += 1
        guard taskRowsInARow >= nextDeferralCheck, deferredTaskIndexes == nil else { return }
        nextDeferralCheck = taskRowsInARow * 2
        deferredTaskIndexes = try DeferredTaskIndexes.start(db, rows: taskRowsInARow, added: addedTaskCodes)
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
    /// as the unique index would have refused it there.
    func endTaskRowsOfStatements() throws {
        do { try endTaskRows() } catch let c as DeferredTaskIndexes.Clash {
            throw AddExecutor.duplicate(c.wbs, c.range, db)
        }
    }

    private func sourced(_ e: RuntimeError, _ source: SourceFile) -> Diagnostic {
        var d = e.diagnostic
        if d.source == nil { d.source = source }
        return d
    }

    /// A run that fails while the indexes are away: a row before the failure that repeated an
    /// older task's code is the first error, as it would have been with the indexes in place.
    /// (The indexes are built again only when a row could have; the rollback brings them back.)
    func earlierTaskClash() -> DeferredTaskIndexes.Clash? {
        guard let d = deferredTaskIndexes else { return nil }
        deferredTaskIndexes = nil
        guard d.mayClash else { return nil }
        do { try d.restore() } catch let c as DeferredTaskIndexes.Clash { return c } catch {}
        return nil
    }

    private func earlierClash() -> RuntimeError? {
        earlierTaskClash().map { AddExecutor.duplicate($0.wbs, $0.range, db) }
    }

    /// Runs a bulk write (a data load, a large import) with a larger SQLite page cache: a
    /// row goes into the table and five task indexes, and with SQLite's default 2 MiB most
    /// index pages of a large table are read from the file again for every row (system
    /// time). 32 MiB keeps them; the cache goes back to its size afterwards.
    func withBulkCache<T>(_ body: () throws -> T) rethrows -> T {
        guard db.kind == .sqlite, case .integer(let size) = (try? db.scalar("PRAGMA cache_size")) ?? .null, size > -32768 else { return try body() }
        try? db.execute("PRAGMA cache_size = -32768")
        defer { try? db.execute("PRAGMA cache_size = \(size)") }
        return try body()
    }

    /// Parses and checks `source` into a program without running it; or every diagnostic.
    public func compile(_ source: SourceFile) -> Result<Program, DiagnosticList> {
        var kept: [Checked] = []
        var diagnostics: [Diagnostic] = []
        var c = freshChecker()
        forEachChecked(source, &c) { kept.append($0) } report: { diagnostics.append($0) }
        if !diagnostics.isEmpty { return .failure(DiagnosticList(items: diagnostics)) }
        programsCompiled += 1
        return .success(Program(source: source, statements: kept, checker: c, generation: checkerGeneration, serial: programsCompiled))
    }

    /// Runs a compiled program as one transaction (see `run(_:dryRun:emit:)`). A program
    /// compiled before other text ran (which may have declared variables in the slots it
    /// uses, or added and dropped fields) is checked again first, so running it never
    /// rewinds the session's variables or reads a field that is gone.
    @discardableResult
    public func run(_ program: Program, dryRun: Bool = false, emit: (StatementResult) -> Void) -> [Diagnostic] {
        var program = program
        // Fresh: compiled at this generation, or at the one the last program ran from (a host
        // that compiles once and runs many times keeps its compiled statements).
        let fresh = program.generation == checkerGeneration
            || (lastProgram.map { $0.after == checkerGeneration && $0.serial == program.serial } ?? false)
        if !fresh {
            switch compile(program.source) {
            case .success(let again): program = again
            case .failure(let list): return list.items
            }
        }
        let d = runChecked(program.source, kept: program.statements, checker: program.checker, dryRun: dryRun, emit: emit)
        lastProgram = (program.serial, checkerGeneration)
        return d
    }

    /// The last program run (by serial number) and the generation its run left.
    private var lastProgram: (serial: Int, after: Int)?
    private var programsCompiled = 0

    /// The transaction around a run. `kept` nil: check and run statement by statement.
    private func runChecked(_ source: SourceFile, kept keptStatements: [Checked]?, checker start: Checker, dryRun: Bool,
                            emit: (StatementResult) -> Void) -> [Diagnostic] {
        let checkFirst = keptStatements != nil
        let kept = keptStatements ?? []
        var c = start
        var diagnostics: [Diagnostic] = []
        defer { sqlCache.removeAll(); changeCache.removeAll() }
        cancelled.store(false, ordering: .relaxed)
        // A rolled-back `add holiday` must not linger in the calendar.
        _ = try? loadCalendar()
        limits.begin(self)
        defer { limits.end(self); cancelled.store(false, ordering: .relaxed) }

        // begin / commit / rollback: the shell's explicit transactions.
        if checkFirst, kept.count == 1, allowsExplicitTransactions {
            switch kept[0] {
            case .begin(let r), .commit(let r), .rollback(let r):
                let d = transactionControl(kept[0], r, source)
                checker = c
                return d
            default: break
            }
        }
        let savedProject = currentProject
        let savedEnvironment = environment
        pendingFiles.removeAll()
        let savepoint = inExplicitTransaction
        // A run that only reads takes no write lock (the file is in WAL mode), so queries are
        // never held up by a writer; one that writes takes the lock first, waiting its turn.
        let readsOnly = checkFirst && kept.allSatisfy(\.readsOnly)
        do {
            if savepoint { try db.savepoint("pmq_statement") } else { try db.begin(writing: !readsOnly) }
        } catch let e as StoreError where e.kind == .busy {
            return [Diagnostic(.busy, "the database is busy: another program has been writing to it for more than 5 seconds; nothing was changed, try again when it has finished", at: .none, source: source)]
        } catch let e as StoreError where e.kind == .connectionLost || e.kind == .cannotOpen {
            // A server that restarted or cannot be reached: its own words (server, reason, what next).
            if savepoint { endLostTransaction() }
            return [Diagnostic(.databaseError, e.message, at: .none, notes: savepoint ? [Session.lostTransactionNote] : [], source: source)]
        } catch {
            return [Diagnostic(.databaseError, "cannot start a transaction: \(error)", at: .none, source: source)]
        }
        scriptFolder = source.name.hasPrefix("<") ? nil : URL(fileURLWithPath: source.name).deletingLastPathComponent().path
        // Text with no file (`-e`, standard input, the shell, an embedding host) is named by
        // the statement itself in `history`; a script by its path.
        journal.label = ["<eval>", "<stdin>", "<shell>", "<embed>"].contains(source.name) ? source.prefix(200) : source.name
        if !savepoint { journal.currentSet = nil; orphanCandidates = []; movedTasks = nil }
        addedTaskCodes.removeAll()
        let journalMark = (try? journal.mark()) ?? 0
        rollupMark = journalMark

        /// Everything the run did is taken back, in the database and in the session.
        var lostTransaction = false
        func undoAll() {
            pendingFiles.removeAll()
            try? settleExports(commit: false)
            if savepoint {
                do { try db.rollbackToSavepoint("pmq_statement") } catch let e as StoreError where e.kind == .connectionLost {
                    endLostTransaction()
                    lostTransaction = true
                } catch {}
            } else {
                try? db.rollback()
            }
            journal.rolledBack()
            // The rollback brought the tasks table's indexes back, if they were away.
            deferredTaskIndexes = nil
            taskRowsInARow = 0
            nextDeferralCheck = DeferredTaskIndexes.minimumRows
            currentProject = savedProject
            environment = savedEnvironment
            invalidateCaches()
        }

        var failure: Diagnostic?
        // The statements of a run are checked before it runs; an undo or redo that adds or
        // drops a custom field changes the model under the statements checked after it.
        let schemaAtStart = schema
        var schemaMovedBy: String?
        func step(_ checked: Checked) {
            guard failure == nil, diagnostics.isEmpty else { return }
            if let verb = schemaMovedBy {
                failure = Diagnostic(.notHere, "\(verb) changed the custom fields, and the statements after it were checked before: run them on their own; nothing was changed", at: .none, source: source)
                return
            }
            defer {
                if case .undo = checked, schema != schemaAtStart { schemaMovedBy = "undo" }
                if case .redo = checked, schema != schemaAtStart { schemaMovedBy = "redo" }
            }
            do {
                switch checked {
                case .begin(let r), .commit(let r), .rollback(let r):
                    throw RuntimeError(code: .notHere, message: "begin, commit and rollback are for the interactive shell: a script already runs as one transaction", range: r)
                default: break
                }
                try execute(checked, emit: emit)
            } catch let e as RuntimeError {
                var d = e.diagnostic
                if d.source == nil { d.source = source }
                // An error raised without a place of its own is located at its statement.
                if d.range == .none, let r = checked.range { d.range = r }
                failure = d
            } catch let e as StoreError where limits.maxMemory != nil && e.kind == .noMemory {
                var d = Diagnostic(.limitReached, limits.memoryMessage + ": nothing was changed", at: .none)
                d.source = source
                failure = d
            } catch let e as StoreError where e.kind == .conflict {
                // PostgreSQL: another session changed the same rows after this change set began.
                var d = Diagnostic(.conflict, "refused: another user changed the same rows while this ran (\(e.message)); nothing was changed: run it again to apply it over their change",
                                   at: checked.range ?? .none)
                d.source = source
                failure = d
            } catch let e as StoreError where e.kind == .interrupted {
                var d = Diagnostic(.limitReached, (limits.stopReason ?? "interrupted") + ": nothing was changed", at: .none)
                d.source = source
                failure = d
            } catch {
                var d = Diagnostic(.runtimeFailure, "\(error)", at: checked.range ?? .none)
                d.source = source
                failure = d
            }
        }
        if checkFirst {
            kept.forEach(step)
        } else {
            // A large script is a data load: a host that listens is told how it goes (lines
            // are counted only then, as the total for the time left).
            let ticker = progressHandler == nil ? nil
                : progress(label: "loading \(URL(fileURLWithPath: source.name).lastPathComponent)", totalRows: source.lineCount())
            var done = 0
            forEachChecked(source, &c) { checked in
                step(checked)
                done += 1
                ticker?.advance(done)
            } report: { diagnostics.append($0) }
            ticker?.finish()
            if !diagnostics.isEmpty {
                if let clash = earlierClash() { failure = sourced(clash, source) }
                undoAll()
                return diagnostics + (failure.map { [$0] } ?? [])
            }
        }
        if let f = failure, f.code != .limitReached, let clash = earlierClash() { failure = sourced(clash, source) }
        if failure == nil {
            do {
                try endTaskRowsOfStatements()
                try journal.flush()
                try rollUpPending()
                if !savepoint { try checkWBSIntegrity() }
                try journal.finish()
            } catch let e as RuntimeError {
                var d = e.diagnostic
                d.source = source
                failure = d
            } catch {
                failure = Diagnostic(.databaseError, "cannot write the journal: \(error)", at: .none)
            }
        }
        if failure == nil, dryRun, let set = journal.currentSet, let diff = try? History(session: self).diff(set: set, after: journalMark),
           case .rows(let columns, _, _) = diff, !columns.isEmpty {
            emit(diff)
        }

        if var failure {
            undoAll()
            if lostTransaction { failure.notes.append(Session.lostTransactionNote) }
            return [failure]
        }
        if dryRun && !inDryRun {
            undoAll()
            checker = c
            return []
        }
        do {
            if savepoint { try db.releaseSavepoint("pmq_statement") } else { try db.commit() }
        } catch {
            undoAll()
            return [Diagnostic(.databaseError, "cannot commit: \(error)", at: .none)]
        }
        // Exported files appear once the run has committed (inside the shell's begin ...
        // commit, at once: the shell's own transaction does not hold files back).
        var written: [Diagnostic] = []
        do { try settleExports(commit: !inDryRun) } catch {
            written.append(Diagnostic(.cannotWrite, "cannot write an exported file: \(error)", at: .none, source: source))
        }
        checker = c
        checker.schema = schema
        return written + (inDryRun ? [] : writePendingFiles(source))
    }

    /// Writes what `report to` made; the model is already committed, so a file that
    /// cannot be written is reported and changes nothing else.
    private func writePendingFiles(_ source: SourceFile) -> [Diagnostic] {
        defer { pendingFiles.removeAll() }
        for f in pendingFiles {
            do {
                try Data(f.text.utf8).write(to: URL(fileURLWithPath: f.path), options: .atomic)
            } catch {
                var d = Diagnostic(.cannotWrite, "cannot write \(f.path): \(error.localizedDescription)", at: f.range)
                d.source = source
                return [d]
            }
        }
        return []
    }

    /// Convenience: run text and collect its results.
    public func run(_ text: String, name: String = "<eval>", dryRun: Bool = false) -> (results: [StatementResult], diagnostics: [Diagnostic]) {
        var results: [StatementResult] = []
        let d = run(SourceFile(name: name, text: text), dryRun: dryRun) { results.append($0) }
        return (results, d)
    }

    static let lostTransactionNote = "the transaction opened with begin was lost with the connection: nothing of it was kept"

    /// The server ended the shell's transaction with the connection (a restart, a backend
    /// ended): all of it is gone, so the shell leaves it and the next statement starts afresh.
    private func endLostTransaction() {
        try? db.rollback()
        // A dry run stays one: its transaction starts again on a new connection (if the
        // server is back), and statements inside it still never commit.
        if inDryRun { try? db.begin(writing: true); journal.rolledBack(); invalidateCaches(); return }
        inExplicitTransaction = false
        journal.rolledBack()
        invalidateCaches()
    }

    private func transactionControl(_ c: Checked, _ range: SourceRange, _ source: SourceFile) -> [Diagnostic] {
        func fail(_ m: String, _ code: MessageID = .notHere) -> [Diagnostic] {
            var d = Diagnostic(code, m, at: range)
            d.source = source
            return [d]
        }
        do {
            switch c {
            case .begin:
                if inExplicitTransaction { return fail("a transaction is already open: commit or rollback first") }
                try db.begin(writing: true)
                journal.currentSet = nil
                orphanCandidates = []
                movedTasks = nil
                journal.label = "begin ... commit"
                inExplicitTransaction = true
            case .commit:
                if !inExplicitTransaction { return fail("no transaction is open: every statement commits on its own unless you begin one") }
                do {
                    try checkWBSIntegrity()
                } catch let e as RuntimeError {
                    return fail(e.message + " (the transaction is still open: fix it, or rollback)", e.code)
                }
                try journal.finish()
                try db.commit()
                inExplicitTransaction = false
            default:
                if !inExplicitTransaction { return fail("no transaction is open") }
                try db.rollback()
                inExplicitTransaction = false
                invalidateCaches()
            }
        } catch let e as StoreError where e.kind == .connectionLost {
            let open = inExplicitTransaction
            if open { endLostTransaction() }
            var d = fail(e.message, .databaseError)
            if open { d[0].notes.append(Session.lostTransactionNote) }
            return d
        } catch {
            return fail("\(error)", .databaseError)
        }
        return []
    }

    private func invalidateCaches() {
        peopleCache.removeAll()
        addedTaskCodes.removeAll()
        projectCacheValid = false
        // A rolled-back `add field` or `drop field` must not linger in the model.
        if let s = try? FieldStore.load(db), s != schema { reloadSchema(s) }
    }

    /// Reads the model again after `add field`, `drop field` or an undo of either. The
    /// checker kept between runs (the shell's) and SQL cached by shape follow it.
    func reloadSchema() throws { reloadSchema(try FieldStore.load(db)) }

    private func reloadSchema(_ s: Schema) {
        schema = s
        checker.schema = s
        insertSQL.removeAll()
    }

    // MARK: - Statements

    static let calendarTables: Set<String> = ["holidays", "workdays", "leaves", "people"]

    /// Statements that may change holidays, make-up days or leave.
    static func changesCalendars(_ c: Checked) -> Bool {
        switch c {
        // A person just added has no leave yet: their calendar is the project's.
        case .add(let a): return calendarTables.contains(a.entity.table) && a.entity.table != "people"
        case .update(let q, _, _), .delete(let q, _): return calendarTables.contains(q.entity.table)
        case .undo, .redo, .importFile, .importInto: return true
        default: return false
        }
    }

    func execute(_ c: Checked, emit: (StatementResult) -> Void) throws {
        try step()
        // Holidays, make-up days and leave are the calendars' input: read them again after a change.
        defer { if Session.changesCalendars(c) { _ = try? loadCalendar() } }
        // Added rows are journaled as ranges; anything else that follows must come after them,
        // and sees the summaries rolled up over every change before it. One roll-up here is
        // enough: the run's end rolls up after its last statement, before it commits.
        if case .add(let a) = c, a.entity.table == "tasks" {} else { try endTaskRowsOfStatements() }
        if case .add = c {} else {
            addedTaskCodes.removeAll()
            try journal.flush()
            try rollUpPending()
        }
        switch c {
        case .query(let q):
            emit(try runQuery(q))
        case .explain(let q):
            let stmt = try compileForRun(q.pivot != nil ? try pivoted(q) : q)
            let plan = try db.plan(stmt.sql, stmt.args)
            emit(.explain(sql: stmt.sql, arguments: stmt.args, plan: plan))
        case .add(let a):
            let report = try AddExecutor(session: self).run(a)
            try journal.added(a.link != nil ? "dependencies" : a.entity.table, db.lastInsertID)
            if a.entity.table == "tasks" { try wroteTaskRow() }
            emit(.change(report))
        case .use(let v, let range):
            guard case .reference(let code) = v else { throw RuntimeError(code: .missingValue, message: "use project takes a project code", range: range) }
            currentProject = try AddExecutor(session: self).resolve("projects", code, range, project: nil)
        case .update(let target, let values, let range):
            let cacheable = !values.contains { if case .reference = $0.value { return true }; return false }
            emit(.change(try ChangeExecutor(session: self).update(target, values, range, cacheable: cacheable)))
        case .assign(let person, let role, let target, let range):
            emit(.change(try ChangeExecutor(session: self).assign(person, role: role, target, range)))
        case .unassign(let person, let role, let target, let range):
            emit(.change(try ChangeExecutor(session: self).unassign(person, role: role, target, range)))
        case .shift(let target, let days, let workdays, let range):
            emit(.change(try ChangeExecutor(session: self).shift(target, days: days, workdays: workdays, range)))
        case .delete(let target, let range):
            emit(.change(try ChangeExecutor(session: self).delete(target, range)))
        case .bindValue(let slot, let e, _):
            if case .variable(let source) = e.kind, case .reference(let t) = e.type, let entity = schema.plural(t) {
                // `let u = t`: another name for a row, with its own copy.
                environment[slot] = environment[source]
                if case .integer(let id)? = environment[source] { try snapshot(slot, entity, id) }
            } else {
                environment[slot] = try evaluate(e)
            }
        case .bindSet(let slot, let q, _):
            // A set is its ids as a JSON array, which SQL reads back with json_each.
            environment[slot] = .text("[" + (try ids(of: q)).map(String.init).joined(separator: ",") + "]")
        case .forLoop(let slot, let q, let body, _):
            // The rows are taken once, in the query's order, before the body changes anything.
            for id in try ids(of: q) {
                try step()
                environment[slot] = .integer(id)
                try snapshot(slot, q.entity, id)
                for statement in body { try execute(statement, emit: emit) }
            }
        case .ifElse(let branches, let otherwise):
            for (condition, body) in branches where try evaluate(condition) == .bool(true) {
                for statement in body { try execute(statement, emit: emit) }
                return
            }
            for statement in otherwise ?? [] { try execute(statement, emit: emit) }
        case .print(let e, _):
            let text = ConstantEvaluator.text(try evaluate(e))
            if let printHandler { printHandler(text) } else { emit(.text(text)) }
        case .value(let e):
            emit(.scalar(try evaluate(e), kind: ResultColumn.Kind(e.type)))
        case .assert(let condition, let message, let range):
            if try evaluate(condition) != .bool(true) {
                let text = try message.map { ConstantEvaluator.text(try evaluate($0)) } ?? "assertion failed"
                throw RuntimeError(code: .assertFailed, message: "assert failed: \(text)", range: range)
            }
        case .saveQuery(let name, let text, _):
            // Saved queries are part of the model: journaled, so undo takes a save back.
            let set = try journal.set()
            if case .integer(let id) = try db.scalar("SELECT id FROM saved_queries WHERE name = ?1", [.text(name)]) {
                let old = try db.scalar("SELECT source FROM saved_queries WHERE id = ?1", [.integer(id)])
                try db.run("UPDATE saved_queries SET source = ?1 WHERE id = ?2", [.text(text), .integer(id)])
                try journal.record(set, "saved_queries", id, "source", old: old, new: .text(text))
            } else {
                try db.run("INSERT INTO saved_queries (name, source) VALUES (?1, ?2)", [.text(name), .text(text)])
                try journal.record(set, "saved_queries", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            }
            emit(.change(ChangeReport(verb: "saved", entity: "query", count: 1, detail: name)))
        case .dropQuery(let name, let range):
            let set = try journal.set()
            try journal.recordRemoval(set, "saved_queries", where: "name = ?1", [.text(name)])
            if try db.run("DELETE FROM saved_queries WHERE name = ?1", [.text(name)]) == 0 {
                throw RuntimeError(code: .unknownRow, message: "no saved query \"\(name)\"", range: range)
            }
            emit(.change(ChangeReport(verb: "dropped", entity: "query", count: 1, detail: name)))
        case .showQueries:
            var rows: [[Value]] = []
            try db.query("SELECT name, source FROM saved_queries ORDER BY name") { s in rows.append([s[0], s[1]]) }
            emit(.rows(columns: [ResultColumn(name: "name", kind: .text), ResultColumn(name: "query", kind: .text)], rows: rows, single: false))
        case .saveRule(let name, let text, let severity, _):
            emit(.change(try Rules(session: self).save(name: name, text: text, severity: severity)))
        case .dropRule(let name, let range):
            emit(.change(try Rules(session: self).drop(name: name, range)))
        case .showRules:
            emit(try Rules(session: self).show())
        case .checkRules(let range):
            failedErrorRules += try Rules(session: self).check(range, emit: emit)
        case .history(let row, let range):
            emit(try History(session: self).list(row: row, range))
        case .addField(let f, _):
            _ = try FieldStore.add(f, session: self)
            emit(.change(ChangeReport(verb: "added", entity: "field", count: 1, detail: "\"\(f.name)\" to \(f.table)")))
        case .dropField(let table, let name, let range):
            guard let f = schema.customFields.first(where: { $0.table == table && $0.name == name }) else {
                throw RuntimeError(code: .unknownField, message: "\(table) have no custom field \"\(name)\"", range: range)
            }
            try FieldStore.drop(id: f.id, session: self)
            emit(.change(ChangeReport(verb: "dropped", entity: "field", count: 1, detail: "\"\(name)\" from \(table)")))
        case .undo(let range):
            emit(.change(try History(session: self).undo(range)))
        case .redo(let range):
            emit(.change(try History(session: self).undo(range, redo: true)))
        case .schedule(let range):
            emit(.change(try ScheduleExecutor(session: self).run(range)))
        case .scheduleLevel(let ms, let range):
            emit(.change(try ScheduleExecutor(session: self, levelling: LevelOptions(budget: .milliseconds(ms))).run(range)))
        case .baselineSave(let range):
            let tasks = schema.tasks
            let tq = TQuery(entity: tasks)
            if let p = try schedulingProject(range), let pf = tasks.field("project") {
                tq.filter = TExpr(.compare(.eq, TExpr(.field(FieldPath(root: tasks, hops: [], field: pf)), .number, range),
                                           TExpr(.value(.integer(p)), .number, range)), .bool, range)
            }
            var values: [(FieldDef, UpdateValue)] = []
            for (to, from) in [("baseline_start", "start"), ("baseline_finish", "finish"), ("baseline_cost", "cost")] {
                guard let t = tasks.field(to), let f = tasks.field(from) else { continue }
                values.append((t, .expr(TExpr(.field(FieldPath(root: tasks, hops: [], field: f)), PType(f.type), range))))
            }
            emit(.change(try ChangeExecutor(session: self).update(tq, values, range, verb: "baselined")))
        case .health(let asOf, let range):
            var day = today
            if let asOf, case .date(let d) = try evaluate(asOf) { day = d }
            emit(try HealthReport(session: self).run(asOf: day, travel: asOf != nil, range))
        case .importFile(let path, let code, let range):
            emit(.change(try MSProjectImporter(session: self).run(path: try permittedPath(path, "import", range), code: code, range)))
        case .importInto(let path, let entity, let range):
            let shown = ConstantEvaluator.text(try evaluate(path))
            let importer = DataImporter(session: self, shownPath: shown, path: try permittedPath(shown, "import", range), entity: entity, range: range)
            emit(.change(try withBulkCache { try importer.run() }))
        case .export(let query, let path, let range):
            let shown = ConstantEvaluator.text(try evaluate(path))
            emit(.change(try Exporter(session: self, shownPath: shown, path: try permittedPath(shown, "export", range), range: range).run(query)))
        case .importTaskwarrior(let path, let range):
            let shown = ConstantEvaluator.text(try evaluate(path))
            emit(.change(try TaskwarriorImporter(session: self, shownPath: shown, path: try permittedPath(shown, "import", range), range: range).run()))
        case .exportTaskwarrior(let query, let path, let range):
            let shown = ConstantEvaluator.text(try evaluate(path))
            emit(.change(try Exporter(session: self, shownPath: shown, path: try permittedPath(shown, "export", range), range: range).runTaskwarrior(query)))
        case .gantt(let q, _):
            emit(.gantt(try GanttLoader(session: self).load(q)))
        case .report(let path, let range):
            _ = try permittedPath(path, "report", range)
            let page = try HTMLReport(session: self).render(range)
            pendingFiles.append((path, page, range))
            emit(.change(ChangeReport(verb: "wrote", entity: "report", count: 1, detail: path)))
        case .addHoliday(let from, let to, let name, _):
            // Journaled like any row (undo takes it back, `as of` an earlier day is without it):
            // a day that is a holiday already takes the new name.
            let set = try journal.set()
            let newName: Value = name.map { .text($0) } ?? .null
            var n = 0
            for d in from.number...to.number {
                var existing: (id: Int64, name: Value)?
                try db.query(CalendarSQL.holidayOn, [.date(Day(d))]) { s in
                    if case .integer(let id) = s[0] { existing = (id, s[1]) }
                }
                if let (id, old) = existing {
                    if old != newName {
                        try journal.record(set, "holidays", id, "name", old: old, new: newName)
                        try db.run(CalendarSQL.renameHoliday, [newName, .integer(id)])
                    }
                } else {
                    try db.run(CalendarSQL.addHoliday, [.date(Day(d)), newName])
                    try journal.added("holidays", db.lastInsertID)
                }
                n += 1
            }
            try journal.flush()
            try loadCalendar()
            // Progress weights count working days: every summary is derived again.
            try Rollup(session: self).all()
            emit(.change(ChangeReport(verb: "added", entity: "holiday", count: n, detail: nil)))
        case .begin, .commit, .rollback, .nothing:
            break
        }
    }

    /// Derives every summary task from its children again, as one journaled change set: for a
    /// host that wrote tasks into the store by other means than PMQ statements.
    public func rollUpSummaries() throws {
        try db.begin(writing: true)
        do {
            journal.currentSet = nil
            journal.label = "roll up summaries"
            try Rollup(session: self).all()
            try journal.finish()
            try db.commit()
        } catch {
            try? db.rollback()
            journal.rolledBack()
            throw error
        }
        journal.currentSet = nil
    }

    /// Rolls summaries up over what changed since the last roll-up (see `Rollup`).
    func rollUpPending() throws {
        // Nothing is journaled outside a change set: a run that has not made one (a query)
        // changed nothing to roll up, and needs no look at the journal (a round trip on a server).
        guard journal.currentSet != nil else { return }
        let mark = try journal.mark()
        guard mark > rollupMark else { return }
        try Rollup(session: self).afterChanges(since: rollupMark)
        rollupMark = try journal.mark()
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
                throw RuntimeError(code: .missingParent, message: "task \(o.wbs) has no parent: there is no task \(parent) in its project",
                                   range: o.range, notes: ["add task \(parent) in the same script (order does not matter), or give \(o.wbs) another code"])
            }
        }
    }

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
        func real(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        let target = real(path)
        let roots = [FileManager.default.currentDirectoryPath] + (scriptFolder.map { [$0] } ?? [])
        if roots.map(real).contains(where: { target == $0 || target.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) { return path }
        throw RuntimeError(code: .fileAccess, message: "\(verb) may only use files in the script's folder or the working directory here, and \"\(shown)\" is not one of them", range: range)
    }

    func runQuery(_ q: TQuery) throws -> StatementResult {
        if q.pivot != nil { return try runQuery(try pivoted(q)) }
        let c = cached(q)
        let args = try bindings(c)
        if q.shape == .scalar {
            let kind: ResultColumn.Kind = q.isCount ? .number : ResultColumn.Kind(q.columns[0].expr.type)
            return .scalar(kind.convert(try db.scalar(c.sql, args)), kind: kind)
        }
        let columns = q.columns.map { ResultColumn(name: $0.name, kind: ResultColumn.Kind($0.expr.type)) }
        var rows: [[Value]] = []
        let n = Int32(columns.count)
        // Rows are held in Swift until the statement ends: they count against the memory limit.
        var bytes = 0
        let budget = limits.maxMemory ?? Int.max
        try db.query(c.sql, args) { s in
            var row: [Value] = []
            row.reserveCapacity(columns.count)
            for i in 0..<n {
                row.append(columns[Int(i)].kind.convert(s[i]))
                bytes += 16 + s.byteCount(Int(i))
            }
            if bytes > budget { throw RuntimeError(code: .limitReached, message: limits.memoryMessage + ": nothing was changed", range: .none) }
            rows.append(row)
        }
        return .rows(columns: columns, rows: rows, single: q.shape == .singleRow)
    }

    /// SQL made for a change statement's rows, kept for the run like `sqlCache`.
    func changeSQL(for target: TQuery) -> CompiledSQL? { changeCache[ObjectIdentifier(target)]?.sql }
    func rememberChangeSQL(_ sql: CompiledSQL, for target: TQuery) { changeCache[ObjectIdentifier(target)] = (target, sql) }

    /// Copies a row into row variable `slot`'s table: its fields read as they were now.
    private func snapshot(_ slot: Int, _ entity: EntityDef, _ id: Int64) throws {
        let table = SQLGenerator.snapshotTable(slot)
        // Table names come from the catalog and the slot number, never from user text.
        // CREATE ... IF NOT EXISTS is a cached statement: no schema change once the table is there.
        try db.run("CREATE TEMP TABLE IF NOT EXISTS \(table) AS SELECT * FROM main.\(entity.table) WHERE 0")
        try db.run("DELETE FROM temp.\(table)")
        try db.run("INSERT INTO temp.\(table) SELECT * FROM main.\(entity.table) WHERE id = ?1", [.integer(id)])
    }

    /// A rule's query, checked against the model as it is now; nil when it no longer checks.
    func checkedRule(_ text: String, name: String) -> TQuery? {
        var c = freshChecker()
        let file = SourceFile(name: "rule \(name)", text: text)
        var parser = Parser(file)
        guard let stmt = parser.nextStatement(), parser.diagnostics.isEmpty, case .query(let q) = stmt.kind,
              let tq = c.checkQuery(q), c.diagnostics.isEmpty else { return nil }
        return tq
    }

    /// Table `table` as it was at the end of `day`, copied into a temporary table for
    /// statements that read it several times (`health as of`). Returns its name.
    func materializeAsOf(_ table: String, day: Day) throws -> String {
        let name = "pmq_asof_\(table)"
        try db.execute("DROP TABLE IF EXISTS temp.\(name)")
        try db.run("CREATE TEMP TABLE \(name) AS " + AsOfSQL.table(table, columns: schema.storedColumns(table), day: "?1"), [.date(day)])
        return "temp.\(name)"
    }

    /// The ids of a query's rows, in its order.
    func ids(of q: TQuery) throws -> [Int64] {
        if let code = q.namedTask { try refuseAmbiguousWBS(code, q.filter?.range ?? .none) }
        let c = compiled(q, idsOnly: true)
        var out: [Int64] = []
        try db.query(c.sql, try bindings(c)) { s in if case .integer(let i) = s[0] { out.append(i) } }
        if out.isEmpty, let code = q.namedTask { throw RuntimeError(code: .unknownRow, message: "unknown task \(code)", range: q.filter?.range ?? .none) }
        return out
    }

    // MARK: - Compiling and evaluating

    /// Compiles a query to SQL with its arguments (what `explain` shows).
    func compile(_ q: TQuery) -> SQLStatement {
        let c = cached(q)
        return SQLStatement(sql: c.sql, args: c.resolve(variable))
    }

    /// Compiles a query and finds the rows its lookups name (`me`, `downstream of 1.2`).
    private func compileForRun(_ q: TQuery) throws -> SQLStatement {
        let c = cached(q)
        return SQLStatement(sql: c.sql, args: try bindings(c))
    }

    /// The user `me` names: `$PMQ_USER`, else the system user. Found when first asked for
    /// (the system user's lookup reads the user database; most runs never say `me`).
    public lazy var user: String? = Session.defaultUser()

    static func defaultUser() -> String? {
        if let p = getenv("PMQ_USER") { let u = String(cString: p); if !u.isEmpty { return u } }
        if let pw = getpwuid(geteuid()), let n = pw.pointee.pw_name { let u = String(cString: n); if !u.isEmpty { return u } }
        for name in ["USER", "LOGNAME"] {
            if let p = getenv(name) { let u = String(cString: p); if !u.isEmpty { return u } }
        }
        return nil
    }

    /// The values to bind to compiled SQL, after finding the rows its lookups name.
    func bindings(_ c: CompiledSQL) throws -> [Value] {
        for l in c.lookups { environment[l.slot] = .integer(try find(l.what, l.range)) }
        return c.resolve(variable)
    }

    private func find(_ what: RowLookup, _ range: SourceRange) throws -> Int64 {
        switch what {
        case .task(let code):
            return try AddExecutor(session: self).resolve("tasks", code, range, project: currentProject)
        case .taskOrNone(let code):
            do {
                return try AddExecutor(session: self).resolve("tasks", code, range, project: currentProject)
            } catch let e as RuntimeError where e.code == .unknownRow {
                return 0
            }
        case .usedProject(let code):
            if let p = currentProject { return p }
            try refuseAmbiguousWBS(code, range)
            return 0
        case .taskInVariable(let slot):
            guard case .text(let code)? = environment[slot] else {
                throw RuntimeError(code: .invalidValue, message: "expected a WBS code here, not \(ConstantEvaluator.text(environment[slot] ?? .null))", range: range)
            }
            return try AddExecutor(session: self).resolve("tasks", code, range, project: currentProject)
        case .me:
            guard let user else {
                throw RuntimeError(code: .meUnknown, message: "\"me\" needs a user name: set PMQ_USER", range: range)
            }
            var ids: [Int64] = []
            try db.query("SELECT id FROM people WHERE login = ?1 LIMIT 2", [.text(user)]) { s in
                if case .integer(let id) = s[0] { ids.append(id) }
            }
            if ids.count == 1 { return ids[0] }
            if ids.count > 1 { throw RuntimeError(code: .meUnknown, message: "\"me\": several people have login \"\(user)\"", range: range) }
            throw RuntimeError(code: .meUnknown, message: "\"me\": no person has login \"\(user)\"", range: range,
                               notes: ["give yourself one: update people where name = \"...\" set login = \"\(user)\""])
        }
    }

    /// A pivot's second step: finds the distinct values of its `by` expression over the
    /// query's rows, then returns the query with one conditional-aggregate column per value.
    func pivoted(_ q: TQuery) throws -> TQuery {
        guard let (value, by) = q.pivot else { return q }
        // Step 1: the column values, in by's natural order, with what a cell compares.
        let probe = q.sameRows(columns: [])
        probe.rawColumns = false
        probe.limit = nil
        probe.offset = nil
        probe.groupBy = [by]
        probe.orderBy = [(by, false)]
        var match = by
        if case .field(let p) = by.kind, case .reference(let target) = p.field.type, let def = schema.plural(target) {
            // A reference: cells compare its id (no join per row); the column is named by its key.
            match = TExpr(.field(p), .reference(def.plural), by.range)
            probe.columns = [.init(name: "label", expr: by),
                             .init(name: "match", expr: TExpr(.field(FieldPath(root: p.root, rootVariable: p.rootVariable, hops: p.hops + [p.field],
                                                                                  field: Catalog.idField, outer: p.outer)), .number, by.range))]
        } else {
            probe.columns = [.init(name: "label", expr: by)]
        }
        var c = compiled(probe)
        var g = SQLGenerator(dialect: dialect, schema: schema)
        g.currentToday = today
        // The quick way to the column values reads the table as it is now: not for `as of`.
        if q.asOf == nil, let sql = g.pivotColumns(q, by: by) {
            c = CompiledSQL(sql: g.finished(sql), args: g.args, lookups: g.lookups)
            if probe.columns.count == 1 { match = by }
            probe.columns = [probe.columns[0], probe.columns[0]]
        }
        var values: [(label: String, match: Value)] = []
        var count = 0
        let kind = ResultColumn.Kind(by.type)
        try db.query(c.sql, try bindings(c)) { s in
            let raw = s[0]
            if raw.isNull { return }
            count += 1
            if count > Checker.maxPivotColumns { return }
            let m = probe.columns.count > 1 ? s[1] : raw
            values.append((ConstantEvaluator.text(kind.convert(raw)), m))
        }
        if count > Checker.maxPivotColumns {
            throw RuntimeError(code: .tooComplex, message: "pivot by this gives \(count) columns, more than \(Checker.maxPivotColumns): narrow the rows with where", range: by.range)
        }
        // Step 2: one statement; each cell is a conditional aggregate.
        let out = TQuery(entity: q.entity)
        out.filter = q.filter
        out.groupBy = q.groupBy
        out.having = q.having
        out.orderBy = q.orderBy
        out.limit = q.limit
        out.offset = q.offset
        out.isCount = q.isCount
        out.sourceSet = q.sourceSet
        out.base = q.base
        out.traversal = q.traversal
        out.asOf = q.asOf
        out.columns = q.columns
        let cellType: PType = value.containsAggregate ? value.type : .text
        for v in values {
            var name = v.label
            var n = 2
            while out.columns.contains(where: { $0.name == name }) { name = "\(v.label)_\(n)"; n += 1 }
            out.columns.append(.init(name: name, expr: TExpr(.pivotCell(value: value, by: match, equals: v.match), cellType, by.range)))
        }
        return out
    }

    private func cached(_ q: TQuery) -> CompiledSQL {
        if let c = sqlCache[ObjectIdentifier(q)] { return c.sql }
        let c = compiled(q)
        sqlCache[ObjectIdentifier(q)] = (q, c)
        return c
    }

    func compiled(_ q: TQuery, idsOnly: Bool = false) -> CompiledSQL {
        var g = SQLGenerator(dialect: dialect, schema: schema)
        g.currentToday = today
        // Two steps: `g.finished(g.query(...))` would read `g` before `query` fills it in.
        let body = g.query(q, idsOnly: idsOnly)
        let sql = g.finished(body)
        return CompiledSQL(sql: sql, args: g.args, lookups: g.lookups)
    }

    /// The current value of a script variable, as SQL binds it.
    func variable(_ slot: Int) -> Value {
        if slot == Session.currentProjectSlot { return currentProject.map { .integer($0) } ?? .null }
        return environment[slot] ?? .null
    }

    /// The slot that reads the project chosen with `use project`.
    static let currentProjectSlot = -1

    /// The value of an expression outside any query: constants in Swift, the rest by SQLite.
    func evaluate(_ e: TExpr) throws -> Value {
        do { return try ConstantEvaluator.evaluate(e, calendar: calendar) } catch let o as ConstantEvaluator.OutOfRange { throw o.error } catch {}
        let c: CompiledSQL
        if let hit = sqlCache[ObjectIdentifier(e)] {
            c = hit.sql
        } else {
            var g = SQLGenerator(dialect: dialect, schema: schema)
            g.currentToday = today
            let body = "SELECT " + g.output(e)
            let sql = g.finished(body)
            c = CompiledSQL(sql: sql, args: g.args, lookups: g.lookups)
            sqlCache[ObjectIdentifier(e)] = (e, c)
        }
        return ResultColumn.Kind(e.type).convert(try db.scalar(c.sql, try bindings(c)))
    }

    /// A row's id by its key; nil for a null key; an unknown key is refused.
    func resolveKey(_ entity: EntityDef, _ key: Value, _ range: SourceRange) throws -> Int64? {
        guard case .text(let k) = key.asKey else { return nil }
        return try AddExecutor(session: self).resolve(entity.table == "tasks" ? "tasks" : entity.plural, k, range, project: currentProject)
    }

    /// How a row is named in messages: `task 1.2`, `person "Li Wei"`, `cost #3`.
    func describe(_ entity: EntityDef, _ id: Int64) throws -> String {
        guard let key = entity.key else { return "\(entity.singular) #\(id)" }
        let v = try db.scalar("SELECT \(key) FROM \(entity.table) WHERE id = ?1", [.integer(id)])
        let text = ConstantEvaluator.text(v)
        return entity.table == "tasks" ? "task \(text)" : "\(entity.singular) \"\(text)\""
    }

    // MARK: - Dry runs over several texts

    /// True between `beginDryRun` and `endDryRun`.
    public private(set) var inDryRun = false
    private var beforeDryRun: (project: Int64?, environment: [Int: Value], checker: Checker)?

    /// Starts a dry run spanning several texts (`pmq --dry-run -e A -e B`): each later text
    /// sees what the earlier ones would have changed; `endDryRun` throws it all away.
    public func beginDryRun() throws {
        guard !inExplicitTransaction else { return }
        try db.begin(writing: true)
        inExplicitTransaction = true
        inDryRun = true
        journal.currentSet = nil
        beforeDryRun = (currentProject, environment, checker)
    }

    public func endDryRun() {
        guard inDryRun else { return }
        try? db.rollback()
        inExplicitTransaction = false
        inDryRun = false
        journal.rolledBack()
        if let b = beforeDryRun { currentProject = b.project; environment = b.environment; checker = b.checker }
        beforeDryRun = nil
        invalidateCaches()
    }
}

extension Session {
    /// Parses, checks and compiles one query to the SQL that would run, without running it.
    /// Returns the diagnostics instead when the text is not a single valid query.
    public func compileQuery(_ text: String) -> Result<SQLStatement, DiagnosticList> {
        let source = SourceFile(name: "<query>", text: text)
        var out: [SQLStatement] = []
        var problems: [Diagnostic] = []
        var c = freshChecker()
        forEachChecked(source, &c) { checked in
            switch checked {
            case .query(let q), .explain(let q):
                // Not through the run's cache: nothing clears it here, and it would keep every query.
                let c = compiled(q)
                out.append(SQLStatement(sql: c.sql, args: c.resolve(variable)))
            default: break
            }
        } report: { problems.append($0) }
        if !problems.isEmpty { return .failure(DiagnosticList(items: problems)) }
        guard out.count == 1 else {
            return .failure(DiagnosticList(items: [Diagnostic(.wrongQueryShape, "expected exactly one query", at: .none, source: source)]))
        }
        return .success(out[0])
    }
}

/// Several diagnostics as one error value.
public struct DiagnosticList: Error, Sendable {
    public var items: [Diagnostic]
}
