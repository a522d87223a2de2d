import Foundation

/// The transaction and change-set manager: every run is one transaction (a savepoint inside
/// the shell's `begin ... commit`), journaled as one change set, with summaries rolled up and
/// WBS integrity checked before it commits; a failure anywhere takes everything back, in the
/// database and in the session (variables, caches, the model, files held back). Also the
/// shell's explicit transactions and dry runs that span several texts.
final class Transactions {
    let context: SessionContext
    let compiler: Compiler
    /// Whether `begin`/`commit`/`rollback` are accepted: the interactive shell turns this on.
    var allowsExplicitTransactions = false
    /// True between `begin` and `commit`/`rollback` (the interactive shell), and in a dry run.
    private(set) var inExplicitTransaction = false { didSet { context.inShellTransaction = inExplicitTransaction && !inDryRun } }
    /// True between `beginDryRun` and `endDryRun`.
    private(set) var inDryRun = false { didSet { context.inShellTransaction = inExplicitTransaction && !inDryRun } }
    private var beforeDryRun: (variables: VariableEnvironment, checker: Checker)?

    init(context: SessionContext, compiler: Compiler) {
        self.context = context
        self.compiler = compiler
    }

    static let lostTransactionNote = "the transaction opened with begin was lost with the connection: nothing of it was kept"

    /// How many times a run refused by a conflict with another session is run again from
    /// the start before the conflict is reported (PostgreSQL; SQLite queues writers instead).
    static let conflictRetries = 10

    /// The transaction around a run. `kept` nil: check and run statement by statement.
    ///
    /// On a server, two sessions changing the same row at once would make the later one fail
    /// with a serialization conflict where SQLite queues it (docs/language.md, “Teams on a
    /// server”): a run that may write first waits for its turn (`takeWriterTurn`), and a run
    /// that still meets a conflict (with a shell's open `begin`, another program) is taken
    /// back and run again from its start on a fresh snapshot, after a short randomized pause;
    /// only a conflict that persists is reported. What a
    /// run prints is held until it ends, so a run that is repeated prints once. Inside the
    /// shell's `begin ... commit` nothing is repeated: the statements before are not this run's.
    func run(_ source: SourceFile, kept keptStatements: [Checked]?, checker start: Checker, dryRun: Bool,
             emit: (StatementResult) -> Void) -> [Diagnostic] {
        let context = self.context
        defer { context.caches.runEnded() }
        context.cancelled.store(false, ordering: .relaxed)
        context.limits.begin(context)
        defer { context.limits.end(context); context.cancelled.store(false, ordering: .relaxed) }
        let holding = context.db.kind == .postgres && !inExplicitTransaction
        // A run that may write waits for its turn first, as on SQLite (not inside the shell's
        // `begin`: that transaction is the user's, held between prompts).
        let queued = holding && !(keptStatements.map { !$0.isEmpty && $0.allSatisfy(\.readsOnly) } ?? false)
        var attempt = 0
        while true {
            var held: [StatementResult] = []
            if queued {
                do { try context.db.takeWriterTurn() } catch let e as StoreError where e.kind == .busy {
                    return [Self.busy(source)]
                } catch {
                    return [Diagnostic(.databaseError, (error as? StoreError)?.message ?? "\(error)", at: .none, source: source)]
                }
            }
            let (diagnostics, conflict) = runOnce(source, kept: keptStatements, checker: start, dryRun: dryRun) { r in
                if holding { held.append(r) } else { emit(r) }
            }
            if queued { context.db.endWriterTurn() }
            if conflict, holding, attempt < Self.conflictRetries {
                attempt += 1
                // Randomized, growing with the attempts: sessions that collided do not collide again in step.
                usleep(UInt32.random(in: 5_000...30_000) * UInt32(min(attempt, 5)))
                continue
            }
            held.forEach(emit)
            return diagnostics
        }
    }

    /// One attempt at a run; `conflict`: it was refused because another session changed the
    /// same rows (and everything it did was taken back), so running it again may succeed.
    private func runOnce(_ source: SourceFile, kept keptStatements: [Checked]?, checker start: Checker, dryRun: Bool,
                         emit: (StatementResult) -> Void) -> (diagnostics: [Diagnostic], conflict: Bool) {
        let context = self.context
        let db = context.db
        let checkFirst = keptStatements != nil
        let kept = keptStatements ?? []
        var c = start
        var diagnostics: [Diagnostic] = []
        // A rolled-back `add holiday` must not linger in the calendar.
        _ = try? context.loadCalendar()

        // begin / commit / rollback: the shell's explicit transactions.
        if checkFirst, kept.count == 1, allowsExplicitTransactions {
            switch kept[0] {
            case .begin(let r), .commit(let r), .rollback(let r):
                let d = transactionControl(kept[0], r, source)
                compiler.keep(c)
                return (d, false)
            default: break
            }
        }
        let savedVariables = context.variables
        context.pendingFiles.removeAll()
        let savepoint = inExplicitTransaction
        // A run that only reads takes no write lock (the file is in WAL mode), so queries are
        // never held up by a writer; one that writes takes the lock first, waiting its turn.
        let readsOnly = checkFirst && kept.allSatisfy(\.readsOnly)
        do {
            if savepoint { try db.savepoint("pmq_statement") } else { try db.begin(writing: !readsOnly) }
        } catch let e as StoreError where e.kind == .busy {
            return ([Self.busy(source)], false)
        } catch let e as StoreError where e.kind == .connectionLost || e.kind == .cannotOpen {
            // A server that restarted or cannot be reached: its own words (server, reason, what next).
            if savepoint { endLostTransaction() }
            return ([Diagnostic(.databaseError, e.message, at: .none, notes: savepoint ? [Self.lostTransactionNote] : [], source: source)], false)
        } catch {
            return ([Diagnostic(.databaseError, "cannot start a transaction: \(error)", at: .none, source: source)], false)
        }
        context.scriptFolder = source.name.hasPrefix("<") ? nil : URL(fileURLWithPath: source.name).deletingLastPathComponent().path
        // Text with no file (`-e`, standard input, the shell, an embedding host) is named by
        // the statement itself in `history`; a script by its path.
        context.journal.label = ["<eval>", "<stdin>", "<shell>", "<embed>"].contains(source.name) ? source.prefix(200) : source.name
        if !savepoint { context.journal.currentSet = nil; context.orphanCandidates = []; context.movedTasks = nil; context.importedTaskRows = nil }
        context.caches.forgetAddedTasks()
        let journalMark = (try? context.journal.mark()) ?? 0
        context.rollupMark = journalMark
        context.journal.namedUpTo = journalMark
        context.journal.statement = nil
        try? context.journal.nameStatement()

        /// Everything the run did is taken back, in the database and in the session.
        var lostTransaction = false
        func undoAll() {
            context.pendingFiles.removeAll()
            try? settleExports(commit: false)
            if savepoint {
                do { try db.rollbackToSavepoint("pmq_statement") } catch let e as StoreError where e.kind == .connectionLost {
                    endLostTransaction()
                    lostTransaction = true
                } catch {}
            } else {
                try? db.rollback()
            }
            context.journal.rolledBack()
            context.variables = savedVariables
            context.rolledBack()
        }

        let dispatch = StatementDispatch(context: context)
        var failure: Diagnostic?
        // The statements of a run are checked before it runs; an undo or redo that adds or
        // drops a custom field changes the model under the statements checked after it.
        let schemaAtStart = context.schema
        var schemaMovedBy: String?
        func step(_ checked: Checked) {
            guard failure == nil, diagnostics.isEmpty else { return }
            if let verb = schemaMovedBy {
                failure = Diagnostic(.notHere, "\(verb) changed the custom fields, and the statements after it were checked before: run them on their own; nothing was changed", at: .none, source: source)
                return
            }
            defer {
                if case .undo = checked, context.schema != schemaAtStart { schemaMovedBy = "undo" }
                if case .redo = checked, context.schema != schemaAtStart { schemaMovedBy = "redo" }
            }
            do {
                switch checked {
                case .begin(let r), .commit(let r), .rollback(let r):
                    throw RuntimeError(code: .notHere, message: "begin, commit and rollback are for the interactive shell: a script already runs as one transaction", range: r)
                default: break
                }
                // The journal's `statement` for what this statement changes: its own text.
                context.journal.statement = checked.range.map { JournalStatement(source: source, range: $0) }
                try dispatch.execute(checked, emit: emit)
            } catch {
                failure = diagnostic(for: error, in: checked, source)
            }
        }
        if checkFirst {
            kept.forEach(step)
        } else {
            // A large script is a data load: a host that listens is told how it goes (lines
            // are counted only then, as the total for the time left).
            let ticker = context.progressHandler == nil ? nil
                : context.progress(label: "loading \(URL(fileURLWithPath: source.name).lastPathComponent)", totalRows: source.lineCount())
            var done = 0
            compiler.forEachChecked(source, &c) { checked in
                step(checked)
                done += 1
                ticker?.advance(done)
            } report: { diagnostics.append($0) }
            ticker?.finish()
            if !diagnostics.isEmpty {
                if let clash = earlierClash() { failure = sourced(clash, source) }
                undoAll()
                return (diagnostics + (failure.map { [$0] } ?? []), false)
            }
        }
        if let f = failure, f.code != .limitReached, let clash = earlierClash() { failure = sourced(clash, source) }
        if failure == nil {
            do {
                // The tasks table's indexes, if a run of `add task` rows left them away, come back
                // first: a repeated code is refused at its statement, and the checks below use them.
                let largeLoad = context.deferredTaskIndexes != nil
                try context.endTaskRowsOfStatements()
                // The codes the rows added are not asked again in this run: a million of them
                // would stay in memory beside the roll-up's page cache and sorts.
                context.caches.forgetAddedTasks()
                try context.journal.flush()
                // The roll-up of a large load derives every summary of a fresh tree: with the
                // bulk write's 32 MiB page cache, and SQLite's sorts sized by it, a 1M-line load
                // peaked at 142 MiB there (BENCHMARKS.md, “Issue 14, sixth pass”).
                if largeLoad {
                    _ = try context.withSmallerCache(DeferredTaskIndexes.cacheForRollUp) { try context.rollUpPending() }
                } else {
                    try context.rollUpPending()
                }
                try context.journal.nameStatement()
                if !savepoint { try context.checkWBSIntegrity() }
                try context.journal.finish()
            } catch let e as RuntimeError {
                // In the script, unless the error names its own file (an imported row).
                var d = e.diagnostic
                if d.source == nil { d.source = source }
                failure = d
            } catch {
                failure = Diagnostic(.databaseError, "cannot write the journal: \(error)", at: .none)
            }
        }
        if failure == nil, dryRun, let set = context.journal.currentSet, let diff = try? History(session: context).diff(set: set, after: journalMark),
           case .rows(let columns, _, _) = diff, !columns.isEmpty {
            emit(diff)
        }

        if var failure {
            undoAll()
            if lostTransaction { failure.notes.append(Self.lostTransactionNote) }
            return ([failure], failure.code == .conflict && !savepoint && !lostTransaction)
        }
        if dryRun && !inDryRun {
            undoAll()
            compiler.keep(c)
            return ([], false)
        }
        do {
            if savepoint { try db.releaseSavepoint("pmq_statement") } else { try db.commit() }
        } catch {
            undoAll()
            let conflict = (error as? StoreError)?.kind == .conflict && !savepoint
            return ([Diagnostic(conflict ? .conflict : .databaseError, "cannot commit: \(error)", at: .none)], conflict)
        }
        // Exported files appear once the run has committed (inside the shell's begin ...
        // commit, at once: the shell's own transaction does not hold files back).
        var written: [Diagnostic] = []
        do { try settleExports(commit: !inDryRun) } catch let failure as ExportFailure {
            written.append(Diagnostic(.cannotWrite, "cannot write \(failure.shown): \(FileProblem.describe(failure.error))", at: failure.range, source: source))
        } catch {
            written.append(Diagnostic(.cannotWrite, "cannot write an exported file: \(FileProblem.describe(error))", at: .none, source: source))
        }
        compiler.keep(c)
        return (written + (inDryRun ? [] : writePendingFiles(source)), false)
    }

    /// A run that fails while the tasks table's indexes are away: a row before the failure that
    /// repeated an older task's code is the first error (see `SessionContext.earlierTaskClash`).
    private func earlierClash() -> RuntimeError? {
        context.earlierTaskClash().map { AddExecutor.duplicate($0.wbs, $0.range, context.db) }
    }

    private func sourced(_ e: RuntimeError, _ source: SourceFile) -> Diagnostic {
        var d = e.diagnostic
        if d.source == nil { d.source = source }
        return d
    }

    /// What a statement's failure reads as: its own error, located at the statement when it has
    /// no place of its own; the engine's limits, conflicts and interruptions in PMQ's words.
    /// Another writer held the database (SQLite's lock, PostgreSQL's writer turn or a row in a
    /// colleague's open transaction) for longer than the busy timeout.
    static func busy(_ source: SourceFile) -> Diagnostic {
        Diagnostic(.busy, "the database is busy: another program has been writing to it for more than 5 seconds; nothing was changed, try again when it has finished", at: .none, source: source)
    }

    private func diagnostic(for error: any Error, in checked: Checked, _ source: SourceFile) -> Diagnostic {
        var d: Diagnostic
        switch error {
        case let e as RuntimeError where e.code == .limitReached && e.range == .none && context.limits.stopReason == nil && e.message == "interrupted":
            // Cancelled (Ctrl-C, the C ABI's cancel) between two steps (a loop's next turn):
            // said as when the engine stopped the SQL running then, so Ctrl-C reads the same
            // whichever was running, on SQLite and PostgreSQL alike (W9). A step or time limit
            // is the statement's own: it stays located there, below.
            d = Diagnostic(.limitReached, e.message + ": nothing was changed", at: .none)
        case let e as RuntimeError:
            d = e.diagnostic
            if d.source == nil { d.source = source }
            // An error raised without a place of its own is located at its statement.
            if d.range == .none, let r = checked.range { d.range = r }
            return d
        case let e as StoreError where context.limits.maxMemory != nil && e.kind == .noMemory:
            d = Diagnostic(.limitReached, context.limits.memoryMessage + ": nothing was changed", at: .none)
        case let e as StoreError where e.kind == .conflict:
            // PostgreSQL: another session changed the same rows after this change set began.
            d = Diagnostic(.conflict, "refused: another user changed the same rows while this ran (\(e.message)); nothing was changed: run it again to apply it over their change",
                           at: checked.range ?? .none)
        case let e as StoreError where e.kind == .interrupted:
            d = Diagnostic(.limitReached, (context.limits.stopReason ?? "interrupted") + ": nothing was changed", at: .none)
        case let e as StoreError where e.kind == .busy:
            // PostgreSQL: a row held by a colleague's open transaction, past the lock timeout.
            d = Self.busy(source)
        default:
            d = Diagnostic(.runtimeFailure, "\(error)", at: checked.range ?? .none)
        }
        d.source = source
        return d
    }

    /// An exported file that could not take its name, at its `export` statement.
    private struct ExportFailure: Error {
        let shown: String
        let range: SourceRange
        let error: any Error
    }

    /// Commit: exported files take their names. Rollback: they are removed.
    private func settleExports(commit: Bool) throws {
        let files = context.pendingExports
        context.pendingExports = []
        for f in files {
            if commit {
                if FileManager.default.fileExists(atPath: f.final) { try? FileManager.default.removeItem(atPath: f.final) }
                do { try FileManager.default.moveItem(atPath: f.temp, toPath: f.final) } catch {
                    try? FileManager.default.removeItem(atPath: f.temp)
                    throw ExportFailure(shown: f.shown, range: f.range, error: error)
                }
            } else {
                try? FileManager.default.removeItem(atPath: f.temp)
            }
        }
    }

    /// Writes what `report to` made; the model is already committed, so a file that
    /// cannot be written is reported and changes nothing else.
    private func writePendingFiles(_ source: SourceFile) -> [Diagnostic] {
        defer { context.pendingFiles.removeAll() }
        for f in context.pendingFiles {
            do {
                try Data(f.text.utf8).write(to: URL(fileURLWithPath: f.path), options: .atomic)
            } catch {
                var d = Diagnostic(.cannotWrite, "cannot write \(f.shown): \(FileProblem.describe(error))", at: f.range)
                d.source = source
                return [d]
            }
        }
        return []
    }

    /// The server ended the shell's transaction with the connection (a restart, a backend
    /// ended): all of it is gone, so the shell leaves it and the next statement starts afresh.
    private func endLostTransaction() {
        let db = context.db
        try? db.rollback()
        // A dry run stays one: its transaction starts again on a new connection (if the
        // server is back), and statements inside it still never commit.
        if inDryRun { try? db.begin(writing: true); context.journal.rolledBack(); context.rolledBack(); return }
        inExplicitTransaction = false
        context.journal.rolledBack()
        context.rolledBack()
    }

    private func transactionControl(_ c: Checked, _ range: SourceRange, _ source: SourceFile) -> [Diagnostic] {
        func fail(_ m: String, _ code: MessageID = .notHere) -> [Diagnostic] {
            var d = Diagnostic(code, m, at: range)
            d.source = source
            return [d]
        }
        let db = context.db
        do {
            switch c {
            case .begin:
                if inExplicitTransaction { return fail("a transaction is already open: commit or rollback first") }
                try db.begin(writing: true)
                context.journal.currentSet = nil
                context.orphanCandidates = []
                context.movedTasks = nil
                context.importedTaskRows = nil
                context.journal.label = "begin ... commit"
                inExplicitTransaction = true
            case .commit:
                if !inExplicitTransaction { return fail("no transaction is open: every statement commits on its own unless you begin one") }
                do {
                    try context.checkWBSIntegrity()
                } catch let e as RuntimeError {
                    return fail(e.message + " (the transaction is still open: fix it, or rollback)", e.code)
                }
                try context.journal.finish()
                try db.commit()
                inExplicitTransaction = false
            default:
                if !inExplicitTransaction { return fail("no transaction is open") }
                try db.rollback()
                inExplicitTransaction = false
                context.rolledBack()
            }
        } catch let e as StoreError where e.kind == .connectionLost {
            let open = inExplicitTransaction
            if open { endLostTransaction() }
            var d = fail(e.message, .databaseError)
            if open { d[0].notes.append(Self.lostTransactionNote) }
            return d
        } catch {
            return fail("\(error)", .databaseError)
        }
        return []
    }

    // MARK: - Dry runs over several texts

    /// Starts a dry run spanning several texts: each later text sees what the earlier ones
    /// would have changed; `endDryRun` throws it all away.
    func beginDryRun() throws {
        guard !inExplicitTransaction else { return }
        try context.db.begin(writing: true)
        inExplicitTransaction = true
        inDryRun = true
        context.journal.currentSet = nil
        beforeDryRun = (context.variables, compiler.kept)
    }

    func endDryRun() {
        guard inDryRun else { return }
        try? context.db.rollback()
        inExplicitTransaction = false
        inDryRun = false
        context.journal.rolledBack()
        if let b = beforeDryRun { context.variables = b.variables; compiler.keep(b.checker) }
        beforeDryRun = nil
        context.rolledBack()
    }

    /// Derives every summary task from its children again, as one journaled change set.
    func rollUpSummaries() throws {
        let context = self.context
        try context.db.begin(writing: true)
        do {
            context.journal.currentSet = nil
            context.journal.label = "roll up summaries"
            try Rollup(session: context).all()
            try context.journal.finish()
            try context.db.commit()
        } catch {
            try? context.db.rollback()
            context.journal.rolledBack()
            throw error
        }
        context.journal.currentSet = nil
    }
}
