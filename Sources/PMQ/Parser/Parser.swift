/// Recursive-descent parser for grammar/pmq.ebnf.
///
/// Each parse function quotes the production it implements. Errors are values:
/// a failed statement is recorded and the parser resumes after the next statement
/// separator, so one run reports every syntax error in a script. An error at the
/// end of the text is reported as "incomplete input".
struct Parser {
    let source: SourceFile
    private var lexer: Lexer
    /// Tokens lexed ahead: `lookahead[head...]` are waiting. Taking one moves `head` on (a
    /// `removeFirst` shifted the rest down for every token); the taken ones are dropped in
    /// batches (see `fill`).
    private var lookahead: [Token] = []
    private var head = 0
    /// Blocks opened by the statement being parsed and not yet closed.
    private var openBlocks = 0
    /// How deep the expression being parsed is: nested parentheses, prefix operators and
    /// operator chains. Every later pass recurses over the tree, so its depth is bounded
    /// here, where the error can point at the text.
    private var depth = 0
    static let maxDepth = 200

    /// One limit for expressions, blocks and string interpolations, which nest in each other.
    private mutating func deeper(_ levels: Int = 1, _ what: String = "expression") throws {
        depth += levels
        if depth > Parser.maxDepth {
            throw Failure(diagnostic: Diagnostic(.nestedTooDeeply, "\(what) nested too deeply (more than \(Parser.maxDepth) levels); split it up", at: current.range))
        }
    }
    private(set) var diagnostics = DiagnosticBag()

    struct Failure: Error { let diagnostic: Diagnostic }

    init(_ source: SourceFile) {
        self.source = source
        self.lexer = Lexer(source)
        lookahead.reserveCapacity(24)
    }

    /// A parser for the text of a string interpolation inside `source`.
    init(_ source: SourceFile, range: SourceRange) {
        self.source = source
        self.lexer = Lexer(source, range: range)
    }

    /// Parses a whole text; statements that fail are left out and their errors reported.
    static func parse(_ source: SourceFile) -> (statements: [Statement], diagnostics: [Diagnostic]) {
        var p = Parser(source)
        var out: [Statement] = []
        while let s = p.nextStatement() { out.append(s) }
        return (out, p.diagnostics.items)
    }

    // MARK: - Token stream

    /// Lexes until `k + 1` tokens are waiting.
    private mutating func fill(_ k: Int) {
        while lookahead.count - head <= k {
            // Taken tokens are dropped 16 at a time (a shift of the few waiting): dropping them
            // whenever all were taken cost a `replaceSubrange` every few tokens (figure a).
            if head >= 16 { lookahead.removeFirst(head); head = 0 }
            lookahead.append(lexer.next())
            if lexer.hasDiagnostics { for d in lexer.takeDiagnostics() { diagnostics.add(d) } }
        }
    }

    /// The token `k` ahead, a copy (its text and payload retained): for keeping it.
    private mutating func peek(_ k: Int = 0) -> Token {
        fill(k)
        return lookahead[head + k]
    }

    /// The next token and the one `k` ahead, read in place: asking `isNewline` or
    /// `isKeyword` of them copies nothing. The parser asks several times a token, and a
    /// copy of a token retains its text and payload (a tenth of a data load's instructions).
    private var current: Token { mutating _read { fill(0); yield lookahead[head] } }
    private subscript(ahead k: Int) -> Token { mutating _read { fill(k); yield lookahead[head + k] } }

    @discardableResult
    private mutating func advance() -> Token {
        fill(0)
        let t = lookahead[head]
        head += 1
        return t
    }

    private mutating func accept(keyword k: Keyword) -> Token? {
        current.isKeyword(k) ? advance() : nil
    }

    private mutating func accept(symbol s: String) -> Token? {
        current.isSymbol(s) ? advance() : nil
    }

    private mutating func expect(keyword k: Keyword, _ what: String? = nil) throws -> Token {
        if let t = accept(keyword: k) { return t }
        throw failure("expected \(what ?? "\"\(k.rawValue)\"")")
    }

    private mutating func expect(symbol s: String, _ what: String? = nil) throws -> Token {
        if let t = accept(symbol: s) { return t }
        throw failure("expected \(what ?? "\"\(s)\"")")
    }

    /// An error at the current token; at the end of the text it is "incomplete input".
    private mutating func failure(_ message: String) -> Failure {
        let t = peek()
        if t.isEOF {
            return Failure(diagnostic: Diagnostic(.incompleteInput, "incomplete input: \(message)", at: t.range))
        }
        let found: String
        switch t.kind {
        case .newline: found = t.text == ";" ? "\";\"" : "end of line"
        case .string: found = "a string"
        default: found = "\"\(t.text)\""
        }
        return Failure(diagnostic: Diagnostic(.unexpectedToken, "\(message), found \(found)", at: t.range))
    }

    /// After a statement that ends too soon: a word that is nearly a clause keyword
    /// (`tasks selct wbs`) gets a suggestion.
    private mutating func misspeltKeyword(after s: Statement) -> String {
        // `print count s`: a count inside an expression is a nested query, in parentheses (H10).
        switch s.kind {
        case .print(let e), .value(let e):
            if case .name(let n) = e.kind, n.lowercased() == "count" { return "; a count in an expression goes in parentheses: (count \(current.text) ...)" }
        default: break
        }
        guard case .identifier = current.kind else { return "" }
        // A clause word spelt right but out of its place (`offset` without `limit`, `as t`
        // before `as of`, `history limit 2`) is said to be so: suggesting the word itself would be noise.
        if Keywords.clauses.contains(current.text.lowercased()) {
            if case .query = s.kind {
                return "; \"\(current.text)\" cannot come here: a query's clauses come in the order as of, as, where, group by, having, pivot, select, order by, limit, offset"
            }
            return "; this statement takes no \"\(current.text.lowercased())\" here (a query's clauses come in the order where, group by, having, select, order by, limit)"
        }
        return Suggestions.didYouMean(current.text, Keywords.clauses)
    }

    /// Lets `read` take the next statement straight from the bytes (a data load's `add task`
    /// lines, `AddTaskLine`), when nothing after the last statement's line break has been lexed.
    /// `read` gets the bytes, where to start and where the text ends, and returns what it made
    /// and where its line ends (at the `\n`, or the end of the text); nil leaves everything as
    /// it was, for `nextStatement`. A line the next line continues (it starts with `where`,
    /// `order`, ...) is not taken.
    mutating func readLine<T>(_ read: (SourceBytes, Int, Int) -> (T, Int)?) -> T? {
        guard lookahead[head...].allSatisfy(\.isNewline), let at = lexer.restingAt,
              let (value, end) = read(lexer.bytes, at, lexer.end) else { return nil }
        if end < lexer.end, lexer.lineContinues(from: end + 1, lexer.end) { return nil }
        lookahead.removeAll(keepingCapacity: true)
        head = 0
        lexer.skip(to: end)
        return value
    }

    // MARK: - Statements

    /// script = { separator } , [ statement , { separator , { separator } , [ statement ] } ] ;
    mutating func nextStatement() -> Statement? {
        // Set when the statement before ended at a line break while it still needed more:
        // the next line is then most likely its rest, and an error there would only repeat it.
        var brokenLine = false
        while true {
            while current.isNewline { advance() }
            if current.isEOF { return nil }
            do {
                depth = 0
                let first = current
                let s = try parseStatement()
                if !current.isNewline && !current.isEOF {
                    // `updte tasks set ...`: the statement read so far is one unknown word and the
                    // rest follows it; the word, not the rest, is what is wrong (W16). Said as the
                    // checker says it for the word alone.
                    // A saved query followed by a misspelt clause (`mine selct wbs`) keeps that hint.
                    let hint = misspeltKeyword(after: s)
                    if hint.isEmpty, s.range == first.range, case .identifier = first.kind, !Keywords.isSource(first.text) {
                        let statement = Suggestions.didYouMean(first.text, Keywords.statements)
                        if !statement.isEmpty {
                            throw Failure(diagnostic: Diagnostic(.unknownEntity, "unknown entity \"\(first.text)\"\(statement)", at: first.range))
                        }
                    }
                    var d = failure("expected the end of the statement").diagnostic
                    d.message += hint
                    throw Failure(diagnostic: d)
                }
                return s
            } catch let f as Failure {
                let endedAtLineBreak = peek().isNewline && peek().text == "\n" && f.diagnostic.range == peek().range
                if !brokenLine {
                    var d = f.diagnostic
                    if endedAtLineBreak {
                        let line = source.location(of: d.range.start).line
                        d.notes.append("the statement ends with line \(line): to go on, end the line with a word that needs more "
                                       + "(where, and, set, \",\", ...), start the next line with a clause (where, select, order, set, ...) "
                                       + "or put the rest on the same line")
                    }
                    diagnostics.add(d)
                }
                skipToSeparator()
                brokenLine = endedAtLineBreak && !brokenLine
            } catch {
                return nil
            }
        }
    }

    /// Skips the rest of a failed statement, including the rest of any block it opened,
    /// so the next error reported is a real one and not a stray `}`.
    private mutating func skipToSeparator() {
        while !current.isEOF {
            if current.isNewline && openBlocks == 0 { break }
            let t = advance()
            if t.isSymbol("{") { openBlocks += 1 }
            if t.isSymbol("}") { openBlocks = max(0, openBlocks - 1) }
        }
        openBlocks = 0
    }

    /// statement = explain_stmt | add_stmt | use_stmt | change_stmt | script_stmt | query_stmt ;
    private mutating func parseStatement() throws -> Statement {
        let first = peek()
        // `name = expr` rebinds a variable; no query starts with `ident =`.
        if first.isIdentifier, self[ahead: 1].isSymbol("=") {
            advance(); advance()
            let b = try parseBinding()
            return Statement(kind: .rebind(Name(text: first.text, range: first.range), b), range: first.range.to(bindingRange(b)))
        }
        if first.isIdentifier {
            switch first.keyword {
            case .explain:
                advance()
                let q = try parseQuery()
                return Statement(kind: .explain(q), range: first.range.to(q.range))
            case .add where self[ahead: 1].isKeyword(.field): return try parseAddField()
            case .add: return try parseAdd()
            case .use:
                advance()
                _ = try expect(keyword: .project, "\"project\" after \"use\"")
                let v = try parseAdditive()
                return Statement(kind: .use(v), range: first.range.to(v.range))
            case .update: return try parseUpdate()
            case .assign, .unassign: return try parseAssign()
            case .shift: return try parseShift()
            case .delete:
                advance()
                let t = try parseTarget()
                return Statement(kind: .delete(t), range: first.range.to(t.range))
            case .let, .param: return try parseLet()
            case .for: return try parseFor()
            case .if: return try parseIf()
            case .fn: return try parseFunction()
            case .print:
                advance()
                let e = try parseExpr()
                return Statement(kind: .print(e), range: first.range.to(e.range))
            case .assert:
                advance()
                let e = try parseExpr()
                var message: Expr?
                if accept(symbol: ",") != nil { message = try parseExpr() }
                return Statement(kind: .assert(e, message: message), range: first.range.to(message?.range ?? e.range))
            case .save where self[ahead: 1].isKeyword(.rule): return try parseSaveRule()
            case .drop where self[ahead: 1].isKeyword(.rule):
                advance(); advance()
                let name = try parsePrimary()
                return Statement(kind: .dropRule(name), range: first.range.to(name.range))
            case .show where self[ahead: 1].isKeyword(.rules):
                advance()
                return Statement(kind: .showRules, range: first.range.to(advance().range))
            case .check where !startsQuery(): advance(); return Statement(kind: .checkRules, range: first.range)
            case .save:
                advance()
                _ = try expect(keyword: .query, "\"query\" after \"save\"")
                let name = try expectName("a name for the query")
                _ = try expect(symbol: "=", "\"=\" after the query's name")
                let q = try parseQuery()
                return Statement(kind: .saveQuery(name, q, text: source.slice(q.range)), range: first.range.to(q.range))
            case .drop where self[ahead: 1].isKeyword(.field):
                // drop_field_stmt = "drop" , "field" , field_name , "from" , IDENT ;
                advance(); advance()
                let name = try fieldName()
                _ = try expect(keyword: .from, "\"from\" and the entity after the field's name (drop field \"vendor\" from tasks)")
                let entity = try expectName("the entity the field belongs to (tasks, people, ...)")
                return Statement(kind: .dropField(name, entity: entity), range: first.range.to(entity.range))
            case .drop:
                advance()
                _ = try expect(keyword: .query, "\"query\", \"rule\" or \"field\" after \"drop\"")
                let name = try expectName("the name of a saved query")
                return Statement(kind: .dropQuery(name), range: first.range.to(name.range))
            case .show:
                advance()
                let t = try expect(keyword: .queries, "\"queries\" after \"show\"")
                return Statement(kind: .showQueries, range: first.range.to(t.range))
            case .history:
                // history_stmt = "history" , [ "of" , [ IDENT ] , value ] ;   (IDENT: the entity, singular)
                advance()
                if accept(keyword: .of) != nil {
                    var entity: Name?
                    if current.isIdentifier, !self[ahead: 1].isNewline, !self[ahead: 1].isEOF, !self[ahead: 1].isSymbol(".") {
                        let t = advance()
                        entity = Name(text: t.text, range: t.range)
                    }
                    let e = try parseAdditive()
                    return Statement(kind: .history(of: e, entity: entity), range: first.range.to(e.range))
                }
                return Statement(kind: .history(of: nil, entity: nil), range: first.range)
            case .undo: advance(); return Statement(kind: .undo, range: first.range)
            case .redo: advance(); return Statement(kind: .redo, range: first.range)
            case .schedule where !startsQuery():
                // schedule_stmt = "schedule" , [ "level" , [ "within" , duration ] ] ;
                advance()
                guard let l = accept(keyword: .level) else { return Statement(kind: .schedule, range: first.range) }
                guard accept(keyword: .within) != nil else { return Statement(kind: .scheduleLevel(within: nil), range: first.range.to(l.range)) }
                if current.isNewline || current.isEOF {
                    throw Failure(diagnostic: Diagnostic(current.isEOF ? .incompleteInput : .unexpectedToken, "expected a time budget after \"within\", like 200ms or 2s", at: current.range))
                }
                let budget = try parseAdditive()
                return Statement(kind: .scheduleLevel(within: budget), range: first.range.to(budget.range))
            case .import: return try parseImport()
            case .export: return try parseExport()
            case .gantt where !startsQuery():
                // gantt_stmt = "gantt" , query ;
                advance()
                let q = try parseQuery()
                return Statement(kind: .gantt(q), range: first.range.to(q.range))
            case .report where !startsQuery():
                // report_stmt = "report" , "to" , string ;
                advance()
                _ = try expect(keyword: .to, "\"to\" after \"report\" (report to \"weekly.html\")")
                let file = try parseAdditive()
                return Statement(kind: .report(to: file), range: first.range.to(file.range))
            case .baseline:
                advance()
                let t = try expect(keyword: .save, "\"save\" after \"baseline\"")
                return Statement(kind: .baselineSave, range: first.range.to(t.range))
            case .health where !startsQuery():
                advance()
                if accept(keyword: .as) != nil {
                    _ = try expect(keyword: .of, "\"of\" after \"as\"")
                    let d = try parseAdditive()
                    return Statement(kind: .health(asOf: d), range: first.range.to(d.range))
                }
                return Statement(kind: .health(asOf: nil), range: first.range)
            case .begin: advance(); return Statement(kind: .begin, range: first.range)
            case .commit: advance(); return Statement(kind: .commit, range: first.range)
            case .rollback: advance(); return Statement(kind: .rollback, range: first.range)
            default:
                let q = try parseQuery()
                return Statement(kind: .query(q), range: q.range)
            }
        }
        if first.isSymbol("(") {
            // A bare expression such as `(count tasks where overdue) > 5` shows its value.
            let e = try parseExpr()
            return Statement(kind: .value(e), range: e.range)
        }
        throw failure("expected a statement (a query such as \"tasks where ...\", \"count\", \"add\", \"update\", \"let\", ...)")
    }

    private mutating func expectName(_ what: String) throws -> Name {
        guard current.isIdentifier else { throw failure("expected \(what)") }
        let t = advance()
        return Name(text: t.text, range: t.range)
    }

    private func bindingRange(_ b: Binding) -> SourceRange {
        switch b {
        case .query(let q): return q.range
        case .expr(let e): return e.range
        }
    }

    private mutating func startsQuery() -> Bool {
        let t = peek()
        guard t.isIdentifier else { return false }
        if t.isKeyword(.count) { return true }
        if t.keyword?.isSource == true { return !self[ahead: 1].isSymbol("(") && !self[ahead: 1].isSymbol(".") }
        let next = peek(1)
        if (t.isKeyword(.downstream) || t.isKeyword(.upstream)) && next.isKeyword(.of) { return true }
        switch next.keyword {
        case .where, .group, .select, .order, .limit: return true
        default: return false
        }
    }

    /// target = query | expr ;   (a set or row variable, or a task's WBS code)
    private mutating func parseTarget() throws -> Target {
        if startsQuery() { return .query(try parseQuery()) }
        return .expr(try parseAdditive())
    }

    /// binding = query | expr ;
    private mutating func parseBinding() throws -> Binding {
        if startsQuery() { return .query(try parseQuery()) }
        return .expr(try parseExpr())
    }

    /// import_stmt = "import" , STRING , [ "as" , STRING | "into" , IDENT , [ "from" , IDENT ] ] ;
    private mutating func parseImport() throws -> Statement {
        let first = advance()
        let file = try parseAdditive()
        if accept(keyword: .into) != nil {
            let entity = try expectName("the entity to import into, like tasks")
            var format: Name?
            if accept(keyword: .from) != nil { format = try expectName("the format the file is in: taskwarrior") }
            return Statement(kind: .importInto(file, entity: entity, from: format), range: first.range.to(format?.range ?? entity.range))
        }
        var code: Expr?
        if accept(keyword: .as) != nil { code = try parseAdditive() }
        return Statement(kind: .importFile(file, code: code), range: first.range.to(code?.range ?? file.range))
    }

    /// export_stmt = "export" , ( "project" | query ) , "to" , STRING , [ "as" , IDENT ] ;
    private mutating func parseExport() throws -> Statement {
        let first = advance()
        var query: Query?
        if current.isKeyword(.project), self[ahead: 1].isKeyword(.to) {
            advance()
        } else {
            query = try parseQuery()
        }
        _ = try expect(keyword: .to, "\"to\" and a file name in quotes")
        let file = try parseAdditive()
        var format: Name?
        if accept(keyword: .as) != nil { format = try expectName("the format to write: taskwarrior") }
        return Statement(kind: .export(query, to: file, as: format), range: first.range.to(format?.range ?? file.range))
    }

    /// update_stmt = "update" , target , "set" , IDENT , "=" , expr , { "," , IDENT , "=" , expr } ;
    private mutating func parseUpdate() throws -> Statement {
        let first = advance()
        let target = try parseTarget()
        _ = try expect(keyword: .set, "\"set\" and the fields to change")
        var pairs: [(Name, Expr)] = []
        var end = target.range
        repeat {
            let f = try expectName("a field name")
            _ = try expect(symbol: "=", "\"=\" after \"\(f.text)\"")
            let v = try parseExpr()
            pairs.append((f, v))
            end = v.range
        } while accept(symbol: ",") != nil
        return Statement(kind: .update(target, pairs), range: first.range.to(end))
    }

    /// assign_stmt = "assign" , additive , [ "as" , IDENT ] , "to" , target ;
    /// unassign_stmt = "unassign" , additive , [ "as" , IDENT ] , "from" , target ;
    private mutating func parseAssign() throws -> Statement {
        let first = advance()
        let isAssign = first.isKeyword(.assign)
        let person = try parseAdditive()
        var role: Name?
        if accept(keyword: .as) != nil { role = try expectName("a role: R, A, C or I") }
        _ = try expect(keyword: isAssign ? .to : .from, isAssign ? "\"to\" and the tasks" : "\"from\" and the tasks")
        let target = try parseTarget()
        let kind: Statement.Kind = isAssign ? .assign(person: person, role: role, target: target) : .unassign(person: person, role: role, target: target)
        return Statement(kind: kind, range: first.range.to(target.range))
    }

    /// shift_stmt = "shift" , target , "by" , additive ;
    private mutating func parseShift() throws -> Statement {
        let first = advance()
        let target = try parseTarget()
        _ = try expect(keyword: .by, "\"by\" and a duration")
        let d = try parseAdditive()
        return Statement(kind: .shift(target, by: d), range: first.range.to(d.range))
    }

    /// let_stmt = "let" , IDENT , "=" , binding ;   param_stmt = "param" , IDENT , "=" , expr ;
    private mutating func parseLet() throws -> Statement {
        let first = advance()
        let name = try expectName("a variable name")
        _ = try expect(symbol: "=", "\"=\" after \"\(name.text)\"")
        if first.isKeyword(.param) {
            let e = try parseExpr()
            return Statement(kind: .param(name, e), range: first.range.to(e.range))
        }
        let b = try parseBinding()
        return Statement(kind: .letBinding(name, b), range: first.range.to(bindingRange(b)))
    }

    /// for_stmt = "for" , IDENT , "in" , target , block ;
    private mutating func parseFor() throws -> Statement {
        let first = advance()
        let name = try expectName("a loop variable")
        _ = try expect(keyword: .in, "\"in\" after the loop variable")
        let target = try parseTarget()
        let (body, end) = try parseBlock()
        return Statement(kind: .forLoop(name, target, body), range: first.range.to(end))
    }

    /// if_stmt = "if" , expr , block , { "else" , "if" , expr , block } , [ "else" , block ] ;
    private mutating func parseIf() throws -> Statement {
        let first = advance()
        var branches: [(Expr, [Statement])] = []
        var otherwise: [Statement]?
        var end = first.range
        let cond = try parseExpr()
        let (body, e1) = try parseBlock()
        branches.append((cond, body))
        end = e1
        while true {
            // `else` may start the next line.
            var k = 0
            while self[ahead: k].isNewline { k += 1 }
            guard self[ahead: k].isKeyword(.else) else { break }
            for _ in 0..<k { advance() }
            advance()
            if accept(keyword: .if) != nil {
                let c = try parseExpr()
                let (b, e) = try parseBlock()
                branches.append((c, b))
                end = e
            } else {
                let (b, e) = try parseBlock()
                otherwise = b
                end = e
                break
            }
        }
        return Statement(kind: .ifElse(branches.map { (condition: $0.0, body: $0.1) }, otherwise: otherwise), range: first.range.to(end))
    }

    /// block = "{" , { separator } , [ statement , { separator , { separator } , [ statement ] } ] , "}" ;
    private mutating func parseBlock() throws -> ([Statement], SourceRange) {
        // Blocks count toward the one depth limit: checking and running recurse over them too.
        try deeper(1, "block")
        defer { depth -= 1 }
        _ = try expect(symbol: "{", "\"{\" to open a block")
        openBlocks += 1
        var body: [Statement] = []
        while true {
            while current.isNewline { advance() }
            if let close = accept(symbol: "}") { openBlocks -= 1; return (body, close.range) }
            if current.isEOF { throw failure("expected \"}\" to close the block") }
            body.append(try parseStatement())
            if !current.isNewline && !current.isSymbol("}") {
                throw failure("expected the end of the statement")
            }
        }
    }

    /// fn_stmt = "fn" , IDENT , "(" , [ IDENT , { "," , IDENT } ] , ")" , "=" , expr ;
    private mutating func parseFunction() throws -> Statement {
        let first = advance()
        let name = try expectName("a function name")
        _ = try expect(symbol: "(", "\"(\" and the parameters")
        var params: [Name] = []
        if !current.isSymbol(")") {
            repeat { params.append(try expectName("a parameter name")) } while accept(symbol: ",") != nil
        }
        _ = try expect(symbol: ")", "\")\" after the parameters")
        _ = try expect(symbol: "=", "\"=\" and the function's expression")
        let body = try parseExpr()
        return Statement(kind: .function(name, params, body), range: first.range.to(body.range))
    }

    /// add_stmt = "add" , ( dependency_add | entity_add ) ;
    /// entity_add = IDENT , [ value ] , { IDENT , value } ;
    /// dependency_add = "dependency" , value , "->" , value , { IDENT , value } ;
    /// add_field_stmt = "add" , "field" , field_name , "to" , IDENT , "type" , IDENT ,
    ///                  [ "values" , "(" , expr , { "," , expr } , ")" ] , [ "default" , expr ] ;
    private mutating func parseAddField() throws -> Statement {
        let addTok = advance()
        advance()
        let name = try fieldName()
        _ = try expect(keyword: .to, "\"to\" and the entity after the field's name (add field \"vendor\" to tasks type text)")
        let entity = try expectName("the entity to add the field to (tasks, people, ...)")
        _ = try expect(keyword: .type, "\"type\" and the field's type after the entity (type text, number, date, duration, bool, enum, or an entity such as person)")
        let type = try expectName("a type: text, number, date, duration, bool, enum, or an entity such as person")
        var stmt = AddFieldStatement(name: name, entity: entity, type: type, values: nil, defaultValue: nil)
        var end = type.range
        if accept(keyword: .values) != nil {
            let open = try expect(symbol: "(", "\"(\" to open the list of values")
            var values: [Expr] = []
            repeat {
                values.append(try parseAdditive())
            } while accept(symbol: ",") != nil
            _ = open
            end = try expect(symbol: ")", "\")\" to close the list of values").range
            stmt.values = values
        }
        if accept(keyword: .default) != nil {
            let d = try parseAdditive()
            stmt.defaultValue = d
            end = d.range
        }
        return Statement(kind: .addField(stmt), range: addTok.range.to(end))
    }

    /// field_name = STRING | IDENT ;
    private mutating func fieldName() throws -> Name {
        let t = peek()
        if case .string(let parts) = t.kind {
            guard parts.count == 1, case .text(let s) = parts[0] else { throw failure("a field's name is plain text, like \"vendor\"") }
            advance()
            return Name(text: s, range: t.range)
        }
        guard t.isIdentifier else { throw failure("expected the field's name, in quotes (\"vendor\")") }
        advance()
        return Name(text: t.text, range: t.range)
    }

    private mutating func parseAdd() throws -> Statement {
        let addTok = advance()
        guard current.isIdentifier else { throw failure("expected what to add (person, project, task, risk, ...)") }
        let e = advance()
        let entity = Name(text: e.text, range: e.range)
        var stmt = AddStatement(entity: entity, literal: nil, pairs: [], link: nil)
        if entity.lowered == "dependency" {
            let pred = try parseAdditive()
            _ = try expect(symbol: "->", "\"->\" between the two tasks")
            let succ = try parseAdditive()
            stmt.link = (pred, succ)
        } else if !current.isIdentifier && !current.isNewline && !current.isEOF {
            stmt.literal = try parseAdditive()
        }
        var end = stmt.link?.succ.range ?? stmt.literal?.range ?? entity.range
        while current.isIdentifier {
            let f = advance()
            if current.isNewline || current.isEOF {
                throw Failure(diagnostic: Diagnostic(current.isEOF ? .incompleteInput : .unexpectedToken,
                                                     "\(current.isEOF ? "incomplete input: " : "")expected a value after \"\(f.text)\"",
                                                     at: current.isEOF ? current.range : f.range))
            }
            let v = try parsePairValue()
            stmt.pairs.append((Name(text: f.text, range: f.range), v))
            end = v.range
        }
        return Statement(kind: .add(stmt), range: addTok.range.to(end))
    }

    /// A pair's value (additive). Nearly every one is a single token followed by the next
    /// field's name or the end of the line; `parseAdditive` would take it through the levels
    /// of operators, each looking for a symbol that is not there. Operators, the unary minus,
    /// `.` and calls all need a symbol at the first or second token: only then the long way.
    private mutating func parsePairValue() throws -> Expr {
        if case .symbol = current.kind { return try parseAdditive() }
        if case .symbol = self[ahead: 1].kind { return try parseAdditive() }
        return try parsePrimary()
    }

    // MARK: - Queries

    /// query = "count" , query
    ///       | source , [ "as" , "of" , additive ] , [ "where" , expr ] , [ "group" , "by" , expr , { "," , expr } ]
    ///                , [ "select" , select_item , { "," , select_item } ]
    ///                , [ "order" , "by" , order_item , { "," , order_item } ]
    ///                , [ "limit" , expr , [ "offset" , expr ] ] ;
    mutating func parseQuery() throws -> Query {
        if let c = accept(keyword: .count) {
            let q = try parseQuery()
            if q.isCount { throw Failure(diagnostic: Diagnostic(.wrongQueryShape, "\"count count\" counts nothing new", at: c.range)) }
            q.isCount = true
            q.range = c.range.to(q.range)
            return q
        }
        let (q, s) = try parseSource()
        var end = q.range
        if current.isKeyword(.as), self[ahead: 1].isKeyword(.of) {
            advance(); advance()
            let d = try parseAdditive()
            q.asOf = d
            end = d.range
        }
        // `as of <date>` (docs/language.md, “Time travel”) is not a name: it is left for the time-travel clause.
        if current.isKeyword(.as), !self[ahead: 1].isKeyword(.of) {
            advance()
            let name = try expectName("a name for the rows after \"as\", as in \"tasks as t\"")
            q.alias = name
            end = name.range
        }
        if accept(keyword: .where) != nil {
            let e = try parseExpr()
            q.filter = e
            end = e.range
        }
        if accept(keyword: .group) != nil {
            _ = try expect(keyword: .by, "\"by\" after \"group\"")
            repeat {
                let e = try parseExpr()
                q.groupBy.append(e)
                end = e.range
            } while accept(symbol: ",") != nil
        }
        if accept(keyword: .having) != nil {
            let e = try parseExpr()
            q.having = e
            end = e.range
        }
        if accept(keyword: .pivot) != nil {
            let v = try parseExpr()
            _ = try expect(keyword: .by, "\"by\" and what gives the columns, as in \"pivot count() by person\"")
            let c = try parseExpr()
            q.pivot = (v, c)
            end = c.range
        }
        if accept(keyword: .select) != nil {
            var items: [SelectItem] = []
            repeat {
                let item = try parseSelectItem()
                items.append(item)
                end = item.range
            } while accept(symbol: ",") != nil
            q.select = items
        }
        if accept(keyword: .order) != nil {
            _ = try expect(keyword: .by, "\"by\" after \"order\"")
            repeat {
                let e = try parseExpr()
                var desc = false
                end = e.range
                if let t = accept(keyword: .desc) { desc = true; end = t.range } else if let t = accept(keyword: .asc) { end = t.range }
                q.orderBy.append(OrderItem(expr: e, descending: desc))
            } while accept(symbol: ",") != nil
        }
        if accept(keyword: .limit) != nil {
            let e = try parseAdditive()
            q.limit = e
            end = e.range
            if accept(keyword: .offset) != nil {
                let o = try parseAdditive()
                q.offset = o
                end = o.range
            }
        }
        switch current.keyword {
        case .where, .group, .having, .pivot, .select, .order, .limit:
            throw failure("clauses go in the order where, group by, having, pivot, select, order by, limit")
        default: break
        }
        q.range = s.range.to(end)
        return q
    }

    /// source = ( "downstream" | "upstream" ) , "of" , additive | IDENT ;
    private mutating func parseSource() throws -> (Query, Token) {
        guard current.isIdentifier else { throw failure("expected what to query (tasks, people, risks, ...)") }
        let s = advance()
        if (s.isKeyword(.downstream) || s.isKeyword(.upstream)), accept(keyword: .of) != nil {
            let task = try parseAdditive()
            let q = Query(source: Name(text: "tasks", range: s.range), range: s.range.to(task.range))
            q.traversal = Traversal(downstream: s.isKeyword(.downstream), task: task)
            return (q, s)
        }
        return (Query(source: Name(text: s.text, range: s.range), range: s.range), s)
    }

    /// select_item = expr , [ "as" , IDENT ] ;
    private mutating func parseSelectItem() throws -> SelectItem {
        let e = try parseExpr()
        if accept(keyword: .as) != nil {
            guard current.isIdentifier else { throw failure("expected a column name after \"as\"") }
            let a = advance()
            return SelectItem(expr: e, alias: Name(text: a.text, range: a.range), range: e.range.to(a.range))
        }
        // A field or a path (most items) is named by itself: only other items keep their text.
        switch e.kind {
        case .name, .member: return SelectItem(expr: e, alias: nil, range: e.range)
        default: break
        }
        let text = source.slice(e.range).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        return SelectItem(expr: e, alias: nil, range: e.range, written: text.isEmpty ? nil : text)
    }

    // MARK: - Expressions (one precedence table, see grammar/pmq.ebnf)

    /// expr = or_expr ;
    mutating func parseExpr() throws -> Expr {
        try deeper()
        defer { depth -= 1 }
        return try parseOr()
    }

    /// or_expr = and_expr , { "or" , and_expr } ;
    private mutating func parseOr() throws -> Expr {
        try parseLogicChain(.or) { try $0.parseAnd() }
    }

    /// and_expr = not_expr , { "and" , not_expr } ;
    private mutating func parseAnd() throws -> Expr {
        try parseLogicChain(.and) { try $0.parseNot() }
    }

    /// The most terms one `or` (or `and`) chain may have.
    static let maxLogicTerms = 10_000
    /// The most values an `in (...)` list may hold (each is a bound parameter of the SQL).
    static let maxListItems = 10_000

    /// A chain of one logical operator. However long, it counts as one level of nesting: it
    /// is built as a balanced tree (`and`/`or` are associative; the SQL is written flat, as
    /// `(a OR b OR c)`), so a rule generated as 8,000 `or` terms nests 13 deep, not 8,000.
    private mutating func parseLogicChain(_ op: BinaryOp, _ operand: (inout Parser) throws -> Expr) throws -> Expr {
        let first = try operand(&self)
        let keyword: Keyword = op == .and ? .and : .or
        guard current.isKeyword(keyword) else { return first }
        try deeper()
        defer { depth -= 1 }
        // Two terms (`a and b`, the usual chain): their node at once, as `balanced` makes it.
        advance()
        let second = try operand(&self)
        guard current.isKeyword(keyword) else { return Expr(.binary(op, first, second), first.range.to(second.range)) }
        var terms = [first, second]
        while let word = accept(keyword: keyword) {
            if terms.count >= Parser.maxLogicTerms {
                throw Failure(diagnostic: Diagnostic(.nestedTooDeeply, "a chain of more than \(Parser.maxLogicTerms) \"\(op.rawValue)\" terms; split it up", at: word.range))
            }
            terms.append(try operand(&self))
        }
        return Parser.balanced(op, terms[...])
    }

    /// `terms` joined by `op` as a balanced tree, each node spanning its terms' text.
    private static func balanced(_ op: BinaryOp, _ terms: ArraySlice<Expr>) -> Expr {
        if terms.count == 1, let only = terms.first { return only }
        let mid = terms.startIndex + terms.count / 2
        let left = balanced(op, terms[..<mid]), right = balanced(op, terms[mid...])
        return Expr(.binary(op, left, right), left.range.to(right.range))
    }

    /// not_expr = "not" , not_expr | comparison ;
    private mutating func parseNot() throws -> Expr {
        if current.isKeyword(.not) && !self[ahead: 1].isKeyword(.in) && !self[ahead: 1].isKeyword(.between) {
            let t = advance()
            try deeper()
            defer { depth -= 1 }
            let e = try parseNot()
            return Expr(.unary(.not, e), t.range.to(e.range))
        }
        return try parseComparison()
    }

    /// Operator tables are short lists of pairs: a symbol is one or two bytes, and comparing it
    /// with each is cheaper than hashing it for a dictionary (asked after every operand).
    static let comparisonOps: [(symbol: String, op: BinaryOp)] = [
        ("=", .eq), ("!=", .ne), ("<", .lt), ("<=", .le), (">", .gt), (">=", .ge), ("~", .contains), ("!~", .notContains),
    ]

    /// The operator `symbol` stands for in `table`, if any.
    static func op(_ symbol: String, in table: [(symbol: String, op: BinaryOp)]) -> BinaryOp? {
        table.first { $0.symbol == symbol }?.op
    }

    /// comparison = additive , [ comp_op , additive | [ "not" ] , "in" , ( list | additive )
    ///            | "is" , [ "not" ] , "null" | [ "not" ] , "between" , additive , "and" , additive
    ///            | "under" , additive ] ;
    private mutating func parseComparison() throws -> Expr {
        let left = try parseAdditive()
        let t = peek()
        if case .symbol = t.kind, let op = Parser.op(t.text, in: Parser.comparisonOps) {
            advance()
            let right = try parseAdditive()
            return try nonAssociative(Expr(.binary(op, left, right), left.range.to(right.range)))
        }
        var negated = false
        if t.isKeyword(.not) && (self[ahead: 1].isKeyword(.in) || self[ahead: 1].isKeyword(.between)) {
            advance()
            negated = true
        }
        if accept(keyword: .in) != nil {
            if current.isSymbol("("), !isSubqueryAhead(1) {
                let open = advance()
                var items: [Expr] = []
                if !current.isSymbol(")") {
                    while true {
                        items.append(try parseExpr())
                        guard let comma = accept(symbol: ",") else { break }
                        if items.count >= Parser.maxListItems {
                            throw Failure(diagnostic: Diagnostic(.nestedTooDeeply, "a list of more than \(Parser.maxListItems) values; split it up", at: comma.range))
                        }
                    }
                }
                let close = try expect(symbol: ")", "\")\" to close the list")
                _ = open
                return try nonAssociative(Expr(.inList(left, items, negated: negated), left.range.to(close.range)))
            }
            let right = try parseAdditive()
            return try nonAssociative(Expr(.inValue(left, right, negated: negated), left.range.to(right.range)))
        }
        if accept(keyword: .between) != nil {
            let lo = try parseAdditive()
            _ = try expect(keyword: .and, "\"and\" in \"between ... and ...\"")
            let hi = try parseAdditive()
            return try nonAssociative(Expr(.between(left, lo, hi, negated: negated), left.range.to(hi.range)))
        }
        if negated { throw failure("expected \"in\" or \"between\" after \"not\"") }
        if accept(keyword: .is) != nil {
            let neg = accept(keyword: .not) != nil
            let n = try expect(keyword: .null, "\"null\" after \"is\"")
            return try nonAssociative(Expr(.isNull(left, negated: neg), left.range.to(n.range)))
        }
        if accept(keyword: .under) != nil {
            let right = try parseAdditive()
            return try nonAssociative(Expr(.under(left, right), left.range.to(right.range)))
        }
        if accept(keyword: .was) != nil {
            let neg = accept(keyword: .not) != nil
            let right = try parseAdditive()
            return try nonAssociative(Expr(.was(left, right, negated: neg), left.range.to(right.range)))
        }
        if let t = accept(keyword: .changed) { return try parseChanged(left, t) }
        return left
    }

    /// changed = additive , "changed" , [ "from" , additive ] , [ "to" , additive ] , [ "by" , additive ]
    ///         , [ "after" , additive ] , [ "before" , additive ] ;   (the parts in this order)
    private mutating func parseChanged(_ left: Expr, _ keyword: Token) throws -> Expr {
        var f = Expr.ChangeFilter()
        var end = keyword.range
        func part(_ k: Keyword) throws -> Expr? {
            guard accept(keyword: k) != nil else { return nil }
            let e = try parseAdditive()
            end = e.range
            return e
        }
        f.from = try part(.from)
        f.to = try part(.to)
        f.by = try part(.by)
        f.after = try part(.after)
        f.before = try part(.before)
        switch current.keyword {
        case .from, .to, .by, .after:
            throw failure("the parts of \"changed\" go in the order from, to, by, after, before")
        default: break
        }
        return try nonAssociative(Expr(.changed(left, f), left.range.to(end)))
    }

    /// save_rule = "save" , "rule" , STRING , query , [ "severity" , ( "warning" | "error" ) ] ;
    private mutating func parseSaveRule() throws -> Statement {
        let first = advance()
        advance()
        let name = try parsePrimary()
        let q = try parseQuery()
        var severity: Name?
        if accept(keyword: .severity) != nil { severity = try expectName("a severity: warning or error") }
        return Statement(kind: .saveRule(name, q, text: source.slice(q.range), severity: severity),
                         range: first.range.to(severity?.range ?? q.range))
    }

    /// Comparisons do not chain: `a < b < c` is almost always a mistake.
    private mutating func nonAssociative(_ e: Expr) throws -> Expr {
        let t = peek()
        if case .symbol = t.kind, Parser.op(t.text, in: Parser.comparisonOps) != nil {
            throw Failure(diagnostic: Diagnostic(.unexpectedToken, "comparisons do not chain; join them with \"and\"", at: t.range))
        }
        return e
    }

    /// The arithmetic rows of the precedence table, loosest first (see grammar/pmq.ebnf):
    /// additive = term , { ( "+" | "-" ) , term } ;   term = unary , { ( "*" | "/" ) , unary } ;
    static let arithmeticLevels: [[(symbol: String, op: BinaryOp)]] = [[("+", .add), ("-", .sub)], [("*", .mul), ("/", .div)]]

    private mutating func parseAdditive() throws -> Expr { try parseArithmetic(level: 0) }

    /// One left-associative level of the table; past the last level, a unary operand.
    private mutating func parseArithmetic(level: Int) throws -> Expr {
        guard level < Parser.arithmeticLevels.count else { return try parseUnary() }
        var left = try parseArithmetic(level: level + 1)
        let start = depth
        defer { depth = start }
        while case .symbol = current.kind, let op = Parser.op(current.text, in: Parser.arithmeticLevels[level]) {
            advance()
            // `+ -` and `* /` are not associative (dates, text, rounding): the chain stays
            // left-deep, and every later pass walks it a level a term, so each term counts.
            try deeper()
            let right = try parseArithmetic(level: level + 1)
            left = Expr(.binary(op, left, right), left.range.to(right.range))
        }
        return left
    }

    /// unary = "-" , unary | postfix ;
    private mutating func parseUnary() throws -> Expr {
        if let t = accept(symbol: "-") {
            try deeper()
            defer { depth -= 1 }
            let e = try parseUnary()
            return Expr(.unary(.negate, e), t.range.to(e.range))
        }
        return try parsePostfix()
    }

    /// postfix = primary , { "." , IDENT } ;
    private mutating func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        let start = depth
        defer { depth = start }
        while accept(symbol: ".") != nil {
            try deeper()
            guard current.isIdentifier else { throw failure("expected a field name after \".\"") }
            let f = advance()
            e = Expr(.member(e, Name(text: f.text, range: f.range)), e.range.to(f.range))
        }
        return e
    }

    /// Whether `(` at `k - 1` opens a query rather than an expression.
    private mutating func isSubqueryAhead(_ k: Int) -> Bool {
        let t = peek(k)
        guard t.isIdentifier else { return false }
        if t.isKeyword(.count) { return true }
        if (t.isKeyword(.downstream) || t.isKeyword(.upstream)) && self[ahead: k + 1].isKeyword(.of) { return true }
        // A name followed by a query clause is a query over it (a saved query, a set): no
        // expression continues with `where`, `select`, ... (`owner in (it_people where rate > 60)`).
        let next = peek(k + 1)
        switch next.keyword {
        case .where, .group, .select, .order, .limit, .pivot: return true
        case .as where self[ahead: k + 2].isKeyword(.of): return true
        default: break
        }
        return t.keyword?.isSource == true && !self[ahead: k + 1].isSymbol("(") && !self[ahead: k + 1].isSymbol(".")
    }

    /// primary = NUMBER | WBS_CODE | DATE | DURATION | STRING | "null"
    ///         | IDENT , [ "(" , [ expr , { "," , expr } ] , ")" ]
    ///         | "(" , query , ")" | "(" , [ expr , { "," , expr } ] , ")" ;
    private mutating func parsePrimary() throws -> Expr {
        let t = peek()
        switch t.kind {
        case .number(let v):
            advance()
            return Expr(.number(v, text: t.text), t.range)
        case .wbs:
            advance()
            return Expr(.wbs(t.text), t.range)
        case .date(let d):
            advance()
            return Expr(.date(d), t.range)
        case .duration(let v, let u):
            advance()
            return Expr(.duration(v, u), t.range)
        case .string(let parts):
            advance()
            return try stringExpr(parts, t.range)
        case .identifier:
            advance()
            if t.isKeyword(.null) { return Expr(.null, t.range) }
            if t.isKeyword(.case) && current.isKeyword(.when) { return try parseCase(t) }
            if current.isSymbol("(") {
                advance()
                var args: [Expr] = []
                if !current.isSymbol(")") {
                    repeat { args.append(try parseExpr()) } while accept(symbol: ",") != nil
                }
                let close = try expect(symbol: ")", "\")\" to close the call")
                return Expr(.call(Name(text: t.text, range: t.range), args), t.range.to(close.range))
            }
            return Expr(.name(t.text), t.range)
        case .symbol where t.text == "(":
            advance()
            if let close = accept(symbol: ")") { return Expr(.list([]), t.range.to(close.range)) }
            if isSubqueryAhead(0) {
                let q = try parseQuery()
                let close = try expect(symbol: ")", "\")\" to close the query")
                return Expr(.subquery(q), t.range.to(close.range))
            }
            let first = try parseExpr()
            if accept(symbol: ",") != nil {
                var items = [first]
                repeat { items.append(try parseExpr()) } while accept(symbol: ",") != nil
                let close = try expect(symbol: ")", "\")\" to close the list")
                return Expr(.list(items), t.range.to(close.range))
            }
            let close = try expect(symbol: ")", "\")\"")
            return Expr(first.kind, t.range.to(close.range))
        default:
            throw failure("expected a value")
        }
    }

    /// case_expr = "case" , "when" , expr , "then" , expr , { "when" , expr , "then" , expr } ,
    ///             [ "else" , expr ] , "end" ;
    private mutating func parseCase(_ first: Token) throws -> Expr {
        var branches: [(condition: Expr, value: Expr)] = []
        while accept(keyword: .when) != nil {
            let c = try parseExpr()
            _ = try expect(keyword: .then, "\"then\" and a value after the condition")
            branches.append((c, try parseExpr()))
        }
        var otherwise: Expr?
        if accept(keyword: .else) != nil { otherwise = try parseExpr() }
        let end = try expect(keyword: .end, "\"end\" to close \"case\"")
        return Expr(.caseWhen(branches, otherwise: otherwise), first.range.to(end.range))
    }

    /// Parses each `{expr}` of an interpolated string with a parser of its own.
    private mutating func stringExpr(_ parts: [StringPart], _ range: SourceRange) throws -> Expr {
        // A plain string (one piece of text, the usual case): no list of pieces made.
        if parts.count == 1, case .text(let s) = parts[0] { return Expr(.string(s), range) }
        var pieces: [Expr.Interpolation] = []
        for part in parts {
            switch part {
            case .text(let s): pieces.append(.text(s))
            case .interpolation(let r):
                var sub = Parser(source, range: r)
                // The interpolation is nested inside this expression: its depth carries on.
                sub.depth = depth
                do {
                    try sub.deeper(1, "interpolation")
                    // Braces delimit like parentheses: `{count late}` is a subquery.
                    let e: Expr
                    if sub.current.isKeyword(.count) {
                        let q = try sub.parseQuery()
                        e = Expr(.subquery(q), q.range)
                    } else {
                        e = try sub.parseExpr()
                    }
                    if !sub.current.isEOF { throw sub.failure("expected \"}\" after the interpolated expression") }
                    pieces.append(.expr(e))
                } catch let f as Failure {
                    for d in sub.diagnostics.items { diagnostics.add(d) }
                    // Inside a closed string, running out of text is a plain error, not "incomplete".
                    var d = f.diagnostic
                    if d.id == .incompleteInput { d.code = .unexpectedToken; d.message = String(d.message.dropFirst("incomplete input: ".count)) }
                    throw Failure(diagnostic: d)
                }
                for d in sub.diagnostics.items { diagnostics.add(d) }
            }
        }
        if pieces.allSatisfy({ if case .text = $0 { return true }; return false }) {
            return Expr(.string(pieces.map { if case .text(let s) = $0 { return s }; return "" }.joined()), range)
        }
        return Expr(.interpolated(pieces), range)
    }
}
