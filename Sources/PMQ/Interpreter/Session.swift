import Foundation

/// One open project database and the state a run of PMQ text carries: the date
/// that counts as today, the project chosen with `use project`, script variables
/// and functions (kept between runs, so the REPL remembers them).
///
/// A `Session` is not thread-safe: use it from one thread at a time (it owns one
/// SQLite connection). Open one session per thread to work on a file concurrently.
///
/// The session is a façade over four parts (docs/architecture.md): the `Compiler` (parsing
/// and checking, the checker kept between runs), `Transactions` (a run's transaction and
/// change set, the shell's `begin`/`commit`, dry runs), `StatementDispatch` (one statement
/// to its executor) and the `SessionContext` executors see (engine, model, today, options,
/// journal, variables, caches, output held back until commit).
public final class Session {
    public let db: any Engine
    let context: SessionContext
    let compiler: Compiler
    let transactions: Transactions

    /// Opens (creating or upgrading) the database at `path`; nil opens an in-memory one.
    /// `readOnly` opens an existing file as it is, for checking scripts against it.
    /// `initialize` (`pmq --init`) adds PMQ's tables to a database that holds other tables and
    /// no PMQ schema, which is otherwise refused ("not a PMQ database"); the other tables are
    /// left as they are. It changes nothing for a new, empty or PMQ database.
    public init(path: String?, today: Day? = nil, readOnly: Bool = false, initialize: Bool = false) throws {
        self.db = try Store.open(path, readOnly: readOnly, initialize: initialize)
        let context = SessionContext(db: db, today: today ?? Day.current())
        self.context = context
        self.compiler = Compiler(context: context)
        self.transactions = Transactions(context: context, compiler: compiler)
        context.ruleChecker = { [unowned compiler] text, name in compiler.checkedRule(text, name: name) }
        context.registerCalendarFunction()
        // A file opened read-only at an older schema has no pmq_fields table: its model is the built-in one.
        if let s = try? FieldStore.load(db) { context.reloadSchema(s) }
        _ = try? context.loadCalendar()  // a file opened read-only at an older schema has no holidays table
        // A file from before summaries rolled up (schema 3) gets its summaries derived once,
        // as a change set of its own.
        if let from = db.upgradedFrom, from > 0, from < 3 { try rollUpSummaries() }
    }

    // MARK: - Options and state

    /// The date `today`, `late` and `overdue` are measured from.
    public var today: Day {
        get { context.today }
        set { context.today = newValue }
    }
    /// The SQL spellings of the engine the session runs on.
    public var dialect: SQLDialect {
        get { context.dialect }
        set { context.dialect = newValue }
    }
    /// `--var NAME=VALUE` values for `param` statements.
    public var params: [String: String] {
        get { compiler.params }
        set { compiler.params = newValue }
    }
    /// How those values are written where they come from, as messages quote them: `--var `
    /// (the default), or `var.` for the C ABI's `var.NAME` options.
    public var paramSpelling: String {
        get { compiler.paramSpelling }
        set { compiler.paramSpelling = newValue }
    }
    /// Limits for scripts from untrusted sources: steps, a deadline, read-only.
    public var limits: Limits {
        get { context.limits }
        set { context.limits = newValue }
    }
    /// Where `print` output goes; nil returns it as `.text` results.
    public var printHandler: ((String) -> Void)? {
        get { context.printHandler }
        set { context.printHandler = newValue }
    }
    /// Told how a long import or export is going (see `ProgressReport`); nil: no reports.
    public var progressHandler: ((ProgressReport?) -> Void)? {
        get { context.progressHandler }
        set { context.progressHandler = newValue }
    }
    /// The user `me` names: `$PMQ_USER`, else the system user, found when first asked for.
    public var user: String? {
        get { context.user }
        set { context.user = newValue }
    }
    /// Whether `begin`/`commit`/`rollback` are accepted: the interactive shell turns this on.
    public var allowsExplicitTransactions: Bool {
        get { transactions.allowsExplicitTransactions }
        set { transactions.allowsExplicitTransactions = newValue }
    }
    /// Set by `use project "CODE"`.
    public var currentProject: Int64? { context.currentProject }
    /// True between `begin` and `commit`/`rollback` (the interactive shell).
    public var inExplicitTransaction: Bool { transactions.inExplicitTransaction }
    /// True between `beginDryRun` and `endDryRun`.
    public var inDryRun: Bool { transactions.inDryRun }
    /// How many times `check` found rows for a rule of severity error: `pmq` then exits 1.
    public var failedErrorRules: Int { context.failedErrorRules }
    /// The error rules `check` found rows for, in order (one name for each time it did).
    public var failedRuleNames: [String] { context.failedRuleNames }
    /// The database's model: the built-in entities and its custom fields (docs/language.md, “Custom fields”),
    /// loaded when the store opens and after every change to its fields.
    public var schema: Schema { context.schema }

    /// The journal writer (tests pin its user).
    var journal: Journal {
        get { context.journal }
        set { context.journal = newValue }
    }
    /// The project calendar: weekends and the holidays table.
    var calendar: WorkCalendar { context.calendar }

    // MARK: - Checking and compiling

    /// Parses and checks `source` without running anything: every diagnostic in it.
    public func check(_ source: SourceFile) -> [Diagnostic] { check([source]) }

    /// Checks several texts as they would run, one after another: names declared by one
    /// (variables, functions, saved queries) are known to the next.
    public func check(_ sources: [SourceFile]) -> [Diagnostic] { compiler.check(sources) }

    /// Parses and checks `source` into a program without running it; or every diagnostic.
    public func compile(_ source: SourceFile) -> Result<Program, DiagnosticList> { compiler.compile(source) }

    /// Parses, checks and compiles one query to the SQL that would run, without running it.
    /// Returns the diagnostics instead when the text is not a single valid query.
    public func compileQuery(_ text: String) -> Result<SQLStatement, DiagnosticList> {
        let source = SourceFile(name: "<query>", text: text)
        // The first query's statement and how many there were (no list made for the one wanted).
        var first: SQLStatement?
        var queries = 0
        var problems: [Diagnostic] = []
        var c = compiler.freshChecker()
        compiler.forEachChecked(source, &c) { checked in
            switch checked {
            case .query(let q), .explain(let q):
                // Not through the run's cache: nothing clears it here, and it would keep every query.
                let c = context.compiled(q)
                queries += 1
                if first == nil { first = SQLStatement(sql: c.sql, args: c.resolve(context.variable)) }
            default: break
            }
        } report: { problems.append($0) }
        if !problems.isEmpty { return .failure(DiagnosticList(items: problems)) }
        guard queries == 1, let statement = first else {
            return .failure(DiagnosticList(items: [Diagnostic(.wrongQueryShape, "expected exactly one query", at: .none, source: source)]))
        }
        return .success(statement)
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
            context.cancelled.store(false, ordering: .relaxed)
            context.limits.startClock()
            defer { context.limits.stopClock() }
            switch compile(source) {
            case .failure(let d): return d.items
            case .success(let program): return run(program, dryRun: dryRun, emit: emit)
            }
        }
        return context.withBulkCache {
            transactions.run(source, kept: nil, checker: compiler.freshChecker(), dryRun: dryRun, emit: emit)
        }
    }

    /// Runs a compiled program as one transaction (see `run(_:dryRun:emit:)`). A program
    /// compiled before other text ran (which may have declared variables in the slots it
    /// uses, or added and dropped fields) is checked again first, so running it never
    /// rewinds the session's variables or reads a field that is gone.
    @discardableResult
    public func run(_ program: Program, dryRun: Bool = false, emit: (StatementResult) -> Void) -> [Diagnostic] {
        var program = program
        if !compiler.isFresh(program) {
            switch compiler.compile(program.source) {
            case .success(let again): program = again
            case .failure(let list): return list.items
            }
        }
        let d = transactions.run(program.source, kept: program.statements, checker: program.checker, dryRun: dryRun, emit: emit)
        compiler.ran(program)
        return d
    }

    /// Convenience: run text and collect its results.
    public func run(_ text: String, name: String = "<eval>", dryRun: Bool = false) -> (results: [StatementResult], diagnostics: [Diagnostic]) {
        var results: [StatementResult] = []
        let d = run(SourceFile(name: name, text: text), dryRun: dryRun) { results.append($0) }
        return (results, d)
    }

    /// Stops the statement running now, from any thread: the run ends with an
    /// "interrupted" error and everything it changed is rolled back.
    public func cancel() {
        context.cancelled.store(true, ordering: .relaxed)
        db.interrupt()
    }

    /// Derives every summary task from its children again, as one journaled change set: for a
    /// host that wrote tasks into the store by other means than PMQ statements.
    public func rollUpSummaries() throws { try transactions.rollUpSummaries() }

    // MARK: - Dry runs over several texts

    /// Starts a dry run spanning several texts (`pmq --dry-run -e A -e B`): each later text
    /// sees what the earlier ones would have changed; `endDryRun` throws it all away.
    public func beginDryRun() throws { try transactions.beginDryRun() }

    public func endDryRun() { transactions.endDryRun() }
}

/// Several diagnostics as one error value.
public struct DiagnosticList: Error, Sendable {
    public var items: [Diagnostic]
}
