/// One open project database and the state a run of PMQ text carries: the date
/// that counts as today and the project chosen with `use project`.
///
/// A `Session` is not thread-safe: use it from one thread at a time (it owns one
/// SQLite connection). Open one session per thread to work on a file concurrently.
public final class Session {
    public let db: Database
    /// The date `today`, `late` and `overdue` are measured from.
    public var today: Day
    public var dialect: SQLDialect = SQLiteDialect()
    /// Set by `use project "CODE"`.
    public internal(set) var currentProject: Int64?

    var peopleCache: [String: Int64] = [:]
    var projectCacheValid = false
    private var projectCache: [Int64] = []

    /// Opens (creating or upgrading) the database at `path`; nil opens an in-memory one.
    public init(path: String?, today: Day? = nil) throws {
        self.db = try Database.openStore(path: path)
        self.today = today ?? Day.current()
    }

    func projectIDs() throws -> [Int64] {
        if projectCacheValid { return projectCache }
        var ids: [Int64] = []
        try db.query("SELECT id FROM projects ORDER BY id LIMIT 2") { s in
            if case .integer(let id) = db.rawValue(s, 0) { ids.append(id) }
        }
        projectCache = ids
        projectCacheValid = true
        return ids
    }

    // MARK: - Compiling

    /// A statement after checking, ready to run.
    enum Checked {
        case query(TQuery)
        case explain(TQuery)
        case add(TAdd)
        case use(Value, SourceRange)
    }

    /// Parses and checks `source` without running anything: every diagnostic in it.
    public func check(_ source: SourceFile) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        forEachChecked(source, keep: false) { _ in } report: { diagnostics.append($0) }
        return diagnostics
    }

    /// Streams the statements of `source`, checked. Diagnostics go to `report`.
    func forEachChecked(_ source: SourceFile, keep: Bool, _ body: (Checked) -> Void, report: (Diagnostic) -> Void) {
        var parser = Parser(source)
        var checker = Checker(today: today)
        var reported = 0
        while true {
            let statement = parser.nextStatement()
            for d in parser.diagnostics.items.dropFirst(reported) { var d = d; d.source = source; report(d) }
            reported = parser.diagnostics.items.count
            guard let statement else { break }
            let before = checker.diagnostics.items.count
            let checked = check(statement, &checker)
            for d in checker.diagnostics.items.dropFirst(before) { var d = d; d.source = source; report(d) }
            if let checked, checker.diagnostics.items.count == before { body(checked) }
        }
    }

    private func check(_ s: Statement, _ checker: inout Checker) -> Checked? {
        switch s.kind {
        case .query(let q): return checker.checkQuery(q).map { .query($0) }
        case .explain(let q): return checker.checkQuery(q).map { .explain($0) }
        case .add(let a): return checker.checkAdd(a, s.range).map { .add($0) }
        case .use(let e):
            let f = FieldDef("project", .reference("projects"))
            return checker.checkValue(e, f).map { .use($0, e.range) }
        default:
            checker.diagnostics.error(.syntax, "this statement is not supported yet", s.range)
            return nil
        }
    }

    /// Compiles a query to SQL with its arguments (what `explain` shows).
    func compile(_ q: TQuery) -> SQLStatement {
        var g = SQLGenerator(dialect: dialect)
        g.currentToday = today
        let sql = g.query(q)
        return SQLStatement(sql: sql, args: g.args)
    }

    // MARK: - Running

    /// Runs PMQ text as one transaction: every statement or none. Results are handed to
    /// `emit` as statements finish; on failure everything is rolled back and the
    /// diagnostics are returned. With `dryRun`, the changes are rolled back even on success.
    @discardableResult
    public func run(_ source: SourceFile, dryRun: Bool = false, emit: (StatementResult) -> Void) -> [Diagnostic] {
        // Check everything first: a script with a mistake anywhere runs nothing.
        // Small scripts keep their checked statements; large ones are parsed again
        // rather than held in memory whole.
        let keep = source.bytes.count < 4 << 20
        var kept: [Checked] = []
        var diagnostics: [Diagnostic] = []
        forEachChecked(source, keep: keep) { if keep { kept.append($0) } } report: { diagnostics.append($0) }
        if !diagnostics.isEmpty { return diagnostics }

        let savedProject = currentProject
        do {
            try db.execute("BEGIN IMMEDIATE")
        } catch {
            return [Diagnostic(.io, "\(error)", at: .none)]
        }
        var failure: Diagnostic?
        func step(_ c: Checked) {
            guard failure == nil else { return }
            do {
                try execute(c, emit: emit)
            } catch let e as RuntimeError {
                var d = e.diagnostic
                d.source = source
                failure = d
            } catch {
                var d = Diagnostic(.runtime, "\(error)", at: rangeOf(c))
                d.source = source
                failure = d
            }
        }
        if keep {
            kept.forEach(step)
        } else {
            forEachChecked(source, keep: false, step) { _ in }
        }
        if let failure {
            try? db.execute("ROLLBACK")
            currentProject = savedProject
            invalidateCaches()
            return [failure]
        }
        do {
            try db.execute(dryRun ? "ROLLBACK" : "COMMIT")
            if dryRun { currentProject = savedProject; invalidateCaches() }
        } catch {
            try? db.execute("ROLLBACK")
            invalidateCaches()
            return [Diagnostic(.io, "cannot commit: \(error)", at: .none)]
        }
        return []
    }

    /// Convenience: run text and collect its results.
    public func run(_ text: String, name: String = "<eval>", dryRun: Bool = false) -> (results: [StatementResult], diagnostics: [Diagnostic]) {
        var results: [StatementResult] = []
        let d = run(SourceFile(name: name, text: text), dryRun: dryRun) { results.append($0) }
        return (results, d)
    }

    private func invalidateCaches() {
        peopleCache.removeAll()
        projectCacheValid = false
    }

    private func rangeOf(_ c: Checked) -> SourceRange {
        switch c {
        case .query(let q), .explain(let q): return q.filter?.range ?? .none
        case .add(let a): return a.range
        case .use(_, let r): return r
        }
    }

    func execute(_ c: Checked, emit: (StatementResult) -> Void) throws {
        switch c {
        case .query(let q):
            emit(try runQuery(q))
        case .explain(let q):
            let stmt = compile(q)
            var plan: [String] = []
            try db.query("EXPLAIN QUERY PLAN " + stmt.sql, stmt.args) { s in
                if case .text(let detail) = db.rawValue(s, 3) { plan.append(detail) }
            }
            emit(.explain(sql: stmt.sql, arguments: stmt.args, plan: plan))
        case .add(let a):
            emit(.change(try AddExecutor(session: self).run(a)))
        case .use(let v, let range):
            guard case .reference(let code) = v else { throw RuntimeError(message: "use project takes a project code", range: range) }
            currentProject = try AddExecutor(session: self).resolve("projects", code, range, project: nil)
        }
    }

    func runQuery(_ q: TQuery) throws -> StatementResult {
        let stmt = compile(q)
        if q.shape == .scalar {
            let kind: ResultColumn.Kind = q.isCount ? .number : ResultColumn.Kind(q.columns[0].expr.type)
            return .scalar(kind.convert(try db.scalar(stmt.sql, stmt.args)), kind: kind)
        }
        let columns = q.columns.map { ResultColumn(name: $0.name, kind: ResultColumn.Kind($0.expr.type)) }
        var rows: [[Value]] = []
        let n = Int32(columns.count)
        try db.query(stmt.sql, stmt.args) { s in
            var row: [Value] = []
            row.reserveCapacity(columns.count)
            for i in 0..<n { row.append(columns[Int(i)].kind.convert(db.rawValue(s, i))) }
            rows.append(row)
        }
        return .rows(columns: columns, rows: rows, single: q.shape == .singleRow)
    }
}

extension Session {
    /// Parses, checks and compiles one query to the SQL that would run, without running it.
    /// Returns the diagnostics instead when the text is not a single valid query.
    public func compileQuery(_ text: String) -> Result<SQLStatement, DiagnosticList> {
        let source = SourceFile(name: "<query>", text: text)
        var out: [SQLStatement] = []
        var problems: [Diagnostic] = []
        forEachChecked(source, keep: false) { c in
            switch c {
            case .query(let q), .explain(let q): out.append(compile(q))
            default: break
            }
        } report: { problems.append($0) }
        if !problems.isEmpty { return .failure(DiagnosticList(items: problems)) }
        guard out.count == 1 else {
            return .failure(DiagnosticList(items: [Diagnostic(.syntax, "expected exactly one query", at: .none, source: source)]))
        }
        return .success(out[0])
    }
}

/// Several diagnostics as one error value.
public struct DiagnosticList: Error, Sendable {
    public var items: [Diagnostic]
}
