/// Parsing and checking for a session: the checker kept between runs (the shell's variables,
/// functions and saved names), the options checking reads (`--var` parameters, host
/// functions), and which compiled programs are still fresh. Nothing here touches the model's
/// rows; a saved query's text is the one thing read from the database.
final class Compiler {
    let context: SessionContext
    /// `--var NAME=VALUE` values for `param` statements.
    var params: [String: String] = [:]
    var paramSpelling = "--var "
    /// Functions the host registered (`Session.register`).
    var hostFunctions: [String: HostFunction] = [:]

    /// The checker as the last run left it: what the next text is checked after.
    private var checker: Checker { didSet { checkerChanges += 1 } }
    private var checkerChanges = 0
    /// Counts changes of the checker kept between runs and reloads of the model: a `Program`
    /// compiled at another count was checked against names, slots or fields that have moved since.
    var generation: Int { checkerChanges + context.schemaVersion }
    /// The last program run (by serial number) and the generation its run left.
    private var lastProgram: (serial: Int, after: Int)?
    private var programsCompiled = 0

    /// The checker's questions to the session, made once: two closures made for every
    /// fresh checker were two allocations of every compiled query (figure a).
    private let interruptedCheck: () -> String?
    private let savedQuerySource: (String) -> String?

    init(context: SessionContext) {
        self.context = context
        self.checker = Checker(today: context.today)
        self.interruptedCheck = { [weak context] in context?.checkingInterrupted() }
        let db = context.db
        self.savedQuerySource = { name in
            if case .text(let t) = (try? db.scalar(LookupSQL.savedQuerySource, [.text(name)])) ?? .null { return t }
            return nil
        }
    }

    /// The checker kept between runs, on the model as it is now (completion, variable names).
    var kept: Checker {
        var c = checker
        c.schema = context.schema
        return c
    }

    /// Keeps `c` as the checker the next text is checked after (a run committed, or a dry run
    /// ended and its start is put back).
    func keep(_ c: Checker) {
        checker = c
        checker.schema = context.schema
    }

    /// A checker for new text: the kept one, with the session's model, date, options and functions.
    func freshChecker() -> Checker {
        var c = checker
        c.schema = context.schema
        c.today = context.today
        c.params = params
        c.paramSpelling = paramSpelling
        c.readOnly = context.limits.readOnly
        c.fileAccess = context.limits.fileAccess
        c.calendar = context.calendar
        // (Nearly always none: the empty dictionary is not made again for every compiled query.)
        c.hostFunctions = hostFunctions.isEmpty ? [:] : hostFunctions.mapValues { (params: $0.parameters.map(\.ptype), result: $0.result.ptype) }
        c.diagnostics = DiagnosticBag()
        c.interrupted = interruptedCheck
        c.savedQuery = savedQuerySource
        return c
    }

    /// Checks several texts as they would run, one after another: names declared by one
    /// (variables, functions, saved queries) are known to the next.
    func check(_ sources: [SourceFile]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var c = freshChecker()
        for source in sources {
            forEachChecked(source, &c) { _ in } report: { diagnostics.append($0) }
        }
        return diagnostics
    }

    /// Parses and checks `source` into a program without running it; or every diagnostic.
    func compile(_ source: SourceFile) -> Result<Program, DiagnosticList> {
        var kept: [Checked] = []
        var diagnostics: [Diagnostic] = []
        var c = freshChecker()
        forEachChecked(source, &c) { kept.append($0) } report: { diagnostics.append($0) }
        if !diagnostics.isEmpty { return .failure(DiagnosticList(items: diagnostics)) }
        programsCompiled += 1
        return .success(Program(source: source, statements: kept, checker: c, generation: generation, serial: programsCompiled))
    }

    /// Whether `program` may run as compiled: compiled at this generation, or at the one the
    /// last program ran from (a host that compiles once and runs many times keeps its
    /// compiled statements). Otherwise it is checked again, so running it never rewinds the
    /// session's variables or reads a field that is gone.
    func isFresh(_ program: Program) -> Bool {
        program.generation == generation || (lastProgram.map { $0.after == generation && $0.serial == program.serial } ?? false)
    }

    /// `program` ran; the generation is what its run left.
    func ran(_ program: Program) { lastProgram = (program.serial, generation) }

    /// A rule's query, checked against the model as it is now; nil when it no longer checks.
    func checkedRule(_ text: String, name: String) -> TQuery? {
        var c = freshChecker()
        let file = SourceFile(name: "rule \(name)", text: text)
        var parser = Parser(file)
        guard let stmt = parser.nextStatement(), parser.diagnostics.isEmpty, case .query(let q) = stmt.kind,
              let tq = c.checkQuery(q), c.diagnostics.isEmpty else { return nil }
        return tq
    }

    /// Whether `add task` lines may skip the lexer, parser and checker (`AddTaskLine`); tests
    /// turn it off to compare the two ways.
    var fastAddTaskLines = true

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
        // A data load's `add task` lines are read straight into checked adds (`AddTaskLine`);
        // the reader knows the model as it was when it was made, so any other statement (which
        // may add or drop a field) drops it. Not for an editor's pass (`after`), which wants
        // every statement's end from the parser.
        var lines: AddTaskLine?
        let fast = after == nil && fastAddTaskLines
        while true {
            if let reason = context.checkingInterrupted() {
                report(Diagnostic(.limitReached, reason + " while checking: nothing was run", at: .none, source: source))
                return
            }
            if fast, !checker.readOnly, let a = parser.readLine({ b, from, limit -> (TAdd, Int)? in
                guard AddTaskLine.mayStart(b, from, limit) else { return nil }
                if lines == nil { lines = AddTaskLine(schema: checker.schema) }
                return lines?.read(b, from, limit)
            }) {
                body(.add(a))
                continue
            }
            lines = nil
            let statement = parser.nextStatement()
            for d in parser.diagnostics.items.dropFirst(reported) { var d = d; d.source = source; report(d) }
            reported = parser.diagnostics.items.count
            guard let statement else { break }
            let before = checker.diagnostics.items.count
            checker.expandedCalls = 0
            checker.expansionStopped = false
            let checked = checker.checkStatement(statement)
            // A statement's errors in the order of their places in it (an operand may be
            // checked before the one to its left).
            let found = checker.diagnostics.items.dropFirst(before).enumerated()
                .sorted { ($0.element.range.start, $0.offset) < ($1.element.range.start, $1.offset) }
            for (_, d) in found { var d = d; d.source = source; report(d) }
            if let checked, checker.diagnostics.items.count == before { body(checked) }
            after?(statement.range.end, checker)
        }
    }
}
