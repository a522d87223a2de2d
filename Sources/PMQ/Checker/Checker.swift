/// Resolves names and types against the catalog (docs/language.md, “Expressions, Queries”) before anything runs.
///
/// Every problem becomes a diagnostic; a node that failed gets type `.any` so one
/// mistake is reported once, not again by every node above it.
struct Checker {
    var today: Day
    var diagnostics = DiagnosticBag()

    /// Script names in scope, innermost last; each declaration gets a runtime slot.
    var scopes: [[String: Variable]] = [[:]]
    var slotCount = 0
    /// A set variable taken from an `as of` query (`let s = tasks as of D`): the slot that
    /// holds its day, so queries of the set read its rows as they were on D (H17).
    var setDays: [Int: Int] = [:]
    /// Slots of value variables that hold a count of working days, not a calendar span
    /// (`let d = 3wd`, `param by = 1wd`): the count meets a date as working days (H13).
    var workdaySlots: Set<Int> = []
    /// The script values a query being saved names (`save query q = tasks where owner = who`):
    /// the saved text gets their values, so a later session reads what this one meant (H22).
    /// Nil when no `save query` or `save rule` is being checked.
    var savedBindings: [SavedBinding]?
    var functions: [String: (params: [Name], body: Expr)] = [:]
    var callDepth = 0
    /// Function calls expanded in the statement being checked, and whether a budget
    /// (these limits, or the host's time limit or cancel) has stopped the expansion.
    var expandedCalls = 0
    var expansionStopped = false
    var outermostCall: (Name, SourceRange)?
    static let maxExpandedCalls = 10_000
    static let maxExpandedSize = 100_000
    /// Why checking must stop now (the run's deadline passed, or it was cancelled); nil to go on.
    var interrupted: () -> String? = { nil }
    /// `--var NAME=VALUE` overrides for `param`.
    var params: [String: String] = [:]
    /// How an override is written where it came from, for messages: `--var ` on the command
    /// line, `var.` through the C ABI's options (review 7, W5).
    var paramSpelling = "--var "
    /// The text of a saved query, from the database.
    var savedQuery: (String) -> String? = { _ in nil }
    /// Queries saved earlier in the same script, usable before the save has run.
    var pendingSaved: [String: String] = [:]
    var savedDepth = 0
    /// The project calendar, for working days in constant values.
    var calendar: WorkCalendar?
    /// Change statements are refused (an embedding host's read-only mode).
    var readOnly = false
    /// Statements that touch files (import, export) are refused when this is off.
    var fileAccess = true
    /// Functions the host registered: parameter and result types.
    var hostFunctions: [String: (params: [PType], result: PType)] = [:]
    /// The queries being checked, outermost first, with the names given by `as` (docs/language.md, “Reports”).
    var namedSources: [(name: String?, entity: EntityDef)] = []
    /// The database's model: built-in entities and its custom fields (docs/language.md, “Custom fields”).
    var schema = Schema.builtIn

    enum Variable {
        case value(slot: Int, type: PType)
        case row(slot: Int, entity: EntityDef)
        case set(slot: Int, entity: EntityDef)
        /// A function parameter: the argument, checked where the function was called (when
        /// `depth` queries were open), substituted where it is named (CheckArguments).
        case argument(TExpr, depth: Int)
    }

    init(today: Day) { self.today = today }

    func lookup(_ name: String) -> Variable? {
        lookup(lowered: Checker.lowered(name))
    }

    /// `lookup` of a name already in lower case.
    func lookup(lowered n: String) -> Variable? {
        for scope in scopes.reversed() where !scope.isEmpty { if let v = scope[n] { return v } }
        return nil
    }

    /// `name` in lower case; the same string when it has no upper-case ASCII letter (names
    /// are nearly always typed so), which saves making a new one for every name checked.
    static func lowered(_ name: String) -> String {
        name.utf8.allSatisfy({ $0 < 0x80 && ($0 < 65 || $0 > 90) }) ? name : name.lowercased()
    }

    mutating func declare(_ name: String, _ make: (Int) -> Variable) -> Int {
        let slot = slotCount
        slotCount += 1
        scopes[scopes.count - 1][name.lowercased()] = make(slot)
        return slot
    }

    /// The names a query can see: its entity's fields and, in `order by`, the select aliases.
    struct Scope {
        var entity: EntityDef
        var aliases: [String: Int] = [:]
        /// The type of each select item an alias names, so `order by c * 2` is typed like `c`.
        var aliasTypes: [PType] = []
        var aggregatesAllowed = false
        /// Where the expression stands, for messages (`where`, `set`, `select`); empty for a
        /// value outside any query (`let`, `print`, `add`).
        var clause = ""
    }

    // MARK: - Queries

    mutating func checkQuery(_ q: Query) -> TQuery? {
        if let t = q.traversal {
            // The task is read inside this query's own level: outer names are one more level out.
            namedSources.append((nil, schema.tasks))
            let task = checkTraversalTask(t.task, Scope(entity: Checker.noFields))
            namedSources.removeLast()
            guard let task else { return nil }
            let tq = checkQuery(q, entity: schema.tasks, sourceSet: nil, base: nil)
            tq?.traversal = (t.downstream, task)
            return tq
        }
        guard let (entity, sourceSet, base) = resolveSource(q.source) else { return nil }
        // A saved query named alone is that query: its select, order and limit included.
        if let base, q.asOf == nil, q.filter == nil, q.groupBy.isEmpty, q.select == nil, q.orderBy.isEmpty, q.limit == nil, q.offset == nil {
            if !q.isCount { return base }
            if !base.isCount {
                // The count of the rows the saved query gives: a grouped, aggregated or limited
                // one is counted as it is (its groups, its one row, its page of rows).
                let counted = base.sameRows(columns: base.columns)
                counted.rawColumns = false
                counted.groupBy = base.groupBy
                counted.having = base.having
                counted.aggregatesOnly = base.aggregatesOnly
                counted.isCount = true
                return counted
            }
        }
        return checkQuery(q, entity: entity, sourceSet: sourceSet, base: base)
    }

    /// `x in (name)` where the name is no field or value but a saved query or a set variable:
    /// membership in its rows, as `x in (name where ...)` is.
    private mutating func namedSource(_ e: Expr, _ scope: Scope) -> Query? {
        guard case .name(let n) = e.kind, scope.entity.field(n) == nil else { return nil }
        if let v = lookup(n) {
            guard case .set = v else { return nil }
        } else if pendingSaved[n.lowercased()] == nil && savedQuery(n.lowercased()) == nil {
            return nil
        }
        return Query(source: Name(text: n, range: e.range), range: e.range)
    }

    /// A query's source: an entity, a set variable, or a saved query.
    mutating func resolveSource(_ source: Name) -> (EntityDef, Int?, TQuery?)? {
        if let entity = schema.plural(source.text) { return (entity, nil, nil) }
        if let v = lookup(source.text) {
            if case .set = v, savedBindings != nil {
                diagnostics.error(.notHere, "a saved query or rule cannot start from \"\(source.text)\", a set of this script: a later session would not have it", source.range,
                                  notes: ["save the query the set was taken from instead"])
                return nil
            }
            if case .set(let slot, let entity) = v { return (entity, slot, nil) }
            diagnostics.error(.notASource, "\"\(source.text)\" is not a set of rows: queries start with an entity (tasks, people, ...), a saved query or a set variable", source.range)
            return nil
        }
        let pending = pendingSaved[source.lowered], stored = savedQuery(source.lowered)
        if pending != nil || stored != nil {
            guard savedDepth < 16 else {
                diagnostics.error(.notASource, "saved query \"\(source.text)\" refers to itself", source.range)
                return nil
            }
            // A query saved earlier in this same text, as written, sees the script's names
            // (their values go into the stored text when the save runs); once it has run (a
            // later line of the shell, a loop's variable gone), the stored text is the query.
            var result: (query: TQuery?, problem: Diagnostic?)?
            if let pending { result = checkSavedText(pending, source, script: true) }
            if result?.query == nil, let stored {
                let r = checkSavedText(stored, source, script: false)
                if r.query != nil || result == nil { result = r }
            }
            guard let base = result?.query else {
                // Placed at the name, with what went wrong inside the saved text (which has no place here).
                let why = result?.problem.map { " (\($0.message))" } ?? ""
                diagnostics.error(.staleQuery, "saved query \"\(source.text)\" no longer checks\(why): drop it and save it again", source.range,
                                  notes: ["its text: \(pending ?? stored ?? "")"])
                return nil
            }
            return (base.entity, nil, base)
        }
        let names = schema.entities.map(\.plural)
        var hint = Suggestions.didYouMean(source.text, names + scopes.flatMap { $0.keys.sorted() })
        if let single = schema.entity(named: source.text) { hint = "; did you mean \"\(single.plural)\"?" }
        // A misspelt command reads as a query of an unknown source (`shedule`).
        if hint.isEmpty { hint = Suggestions.didYouMean(source.text, Keywords.statements) }
        diagnostics.error(.unknownEntity, "unknown entity \"\(source.text)\"\(hint)", source.range,
                          notes: hint.isEmpty ? ["queries start with one of: " + names.joined(separator: ", ")] : [])
        return nil
    }

    /// A saved query's text checked as a source: the query, or nil and the first thing wrong
    /// with it (which has no place in the text being checked). It sees no names of the query
    /// that uses it; the script's variables and functions only when `script` (a query saved
    /// earlier in the same text): stored text must not pick up a value of the same name (H22).
    private mutating func checkSavedText(_ text: String, _ source: Name, script: Bool) -> (query: TQuery?, problem: Diagnostic?) {
        let file = SourceFile(name: "query \(source.text)", text: text)
        var parser = Parser(file)
        savedDepth += 1
        let outerNames = namedSources, outerScopes = scopes, outerFunctions = functions
        let outerBindings = savedBindings, outerDiagnostics = diagnostics
        namedSources = []
        if !script {
            scopes = [[:]]
            functions = [:]
        }
        savedBindings = nil
        diagnostics = DiagnosticBag()
        let stmt = parser.nextStatement()
        var base: TQuery?
        if let stmt, parser.diagnostics.isEmpty, case .query(let inner) = stmt.kind { base = checkQuery(inner) }
        let inner = diagnostics.items.first ?? parser.diagnostics.items.first
        savedDepth -= 1
        namedSources = outerNames; scopes = outerScopes; functions = outerFunctions
        savedBindings = outerBindings; diagnostics = outerDiagnostics
        return inner == nil ? (base, nil) : (nil, inner)
    }

    mutating func checkQuery(_ q: Query, entity: EntityDef, sourceSet: Int?, base: TQuery?) -> TQuery? {
        let tq = TQuery(entity: entity)
        tq.sourceSet = sourceSet
        tq.base = base
        if let d = q.asOf {
            tq.asOf = checkAsOf(d)
        } else if let s = sourceSet, let day = setDays[s] {
            // A set taken as of a day holds rows as they were then, also rows deleted since.
            tq.asOf = TExpr(.variable(day), .date, q.source.range)
        } else if let d = base?.asOf {
            // So does a saved query that travels (`save query old = tasks as of D ...`).
            tq.asOf = d
        }
        var scope = Scope(entity: entity, clause: "where")
        namedSources.append((q.alias?.lowered, entity))
        defer { namedSources.removeLast() }
        if let f = q.filter {
            let e = check(f, scope)
            requireCondition(e, "where")
            tq.filter = e
        }
        tq.isCount = q.isCount
        scope.clause = "group by"
        tq.groupBy = q.groupBy.map { check($0, scope) }
        checkPivot(q, tq, scope)
        scope.aggregatesAllowed = true
        scope.clause = "select"
        if let items = q.select {
            for item in items {
                let e = check(item.expr, scope)
                var name = item.alias?.text ?? columnName(item.expr, written: item.written)
                // Column names are JSON keys: a repeated one gets a number.
                var n = 2
                let base = name
                while tq.columns.contains(where: { $0.name == name }) { name = "\(base)_\(n)"; n += 1 }
                tq.columns.append(.init(name: name, expr: e))
            }
            let aggregated = tq.columns.map { $0.expr.containsAggregate }
            // A constant (no field of the row: "x", today, 1/3) is one value for every group,
            // as SQL allows beside aggregates.
            let settled = tq.columns.map { $0.expr.containsAggregate || !$0.expr.readsRow }
            if q.groupBy.isEmpty, aggregated.contains(true) {
                if let i = settled.firstIndex(of: false) {
                    diagnostics.error(.notGrouped, "\"\(tq.columns[i].name)\" is neither aggregated nor grouped; add \"group by\" or aggregate it",
                                      items[i].range)
                }
                tq.aggregatesOnly = true
            } else if !q.groupBy.isEmpty {
                let keys = q.groupBy.map(canonical)
                for (i, item) in items.enumerated() where !settled[i] && !keys.contains(canonical(item.expr)) {
                    diagnostics.error(.notGrouped, "\"\(tq.columns[i].name)\" is neither aggregated nor grouped", item.range,
                                      notes: ["group by it, or wrap it in count(), sum(), avg(), min() or max()"])
                }
            }
        } else if !q.groupBy.isEmpty {
            for (g, e) in zip(q.groupBy, tq.groupBy) { tq.columns.append(.init(name: columnName(g), expr: e)) }
            if q.pivot == nil {
                tq.columns.append(.init(name: "count", expr: TExpr(.aggregate(.count, nil), .number, q.source.range)))
            }
        } else {
            tq.columns.reserveCapacity(entity.defaultFields.count)
            for (name, f) in entity.defaultFields {
                tq.columns.append(.init(name: name, expr: TExpr(.field(FieldPath(root: entity, hops: [], field: f)), PType(f.type), q.source.range)))
            }
        }
        scope.clause = "order by"
        scope.aggregatesAllowed = !q.groupBy.isEmpty || tq.aggregatesOnly
        // Default columns are plain fields: ordering by them needs no alias (and change
        // statements reuse the ordering over other columns).
        if q.select != nil || !q.groupBy.isEmpty {
            for (i, c) in tq.columns.enumerated() { scope.aliases[c.name.lowercased()] = i }
            scope.aliasTypes = tq.columns.map(\.expr.type)
        }
        checkHaving(q, tq, scope)
        for o in q.orderBy {
            tq.orderBy.append((check(o.expr, scope), o.descending))
        }
        tq.limit = q.limit.map { checkCount($0, "limit") }
        tq.offset = q.offset.map { checkCount($0, "offset") }
        return tq
    }

    /// The column name of a select item without `as`: the field path, or the text as written.
    private func columnName(_ e: Expr, written: String? = nil) -> String {
        if let path = pathText(e) { return path }
        let c = canonical(e)
        // A part with no normalised spelling (`expr@N`, its offset) is named as written (review 12).
        if let written, c.contains("expr@") { return written }
        return c
    }

    private func pathText(_ e: Expr) -> String? {
        switch e.kind {
        case .name(let n): return n.lowercased()
        case .member(let base, let f): return pathText(base).map { "\($0).\(f.lowered)" }
        default: return nil
        }
    }

    /// Expression text with spacing normalised, to compare group keys with select items.
    private func canonical(_ e: Expr) -> String {
        switch e.kind {
        case .number(_, let t): return t
        case .wbs(let s): return s
        case .string(let s): return "\"\(s)\""
        case .date(let d): return d.iso
        case .duration(let v, let u): return formatNumber(v) + u.rawValue
        case .null: return "null"
        case .name(let n): return n.lowercased()
        case .member(let b, let f): return canonical(b) + "." + f.lowered
        case .call(let n, let args): return n.lowered + "(" + args.map(canonical).joined(separator: ", ") + ")"
        case .unary(let op, let a): return op == .not ? "not " + canonical(a) : "-" + canonical(a)
        case .binary(let op, let a, let b): return canonical(a) + " \(op.rawValue) " + canonical(b)
        case .list(let xs): return "(" + xs.map(canonical).joined(separator: ", ") + ")"
        case .caseWhen(let bs, let o):
            return "case " + bs.map { "when \(canonical($0.condition)) then \(canonical($0.value))" }.joined(separator: " ")
                + (o.map { " else " + canonical($0) } ?? "") + " end"
        case .isNull(let a, let n): return canonical(a) + (n ? " is not null" : " is null")
        case .under(let a, let b): return canonical(a) + " under " + canonical(b)
        case .inList(let a, let xs, let n): return canonical(a) + (n ? " not in (" : " in (") + xs.map(canonical).joined(separator: ", ") + ")"
        default: return "expr@\(e.range.start)"
        }
    }

    private mutating func checkCount(_ e: Expr, _ clause: String) -> TExpr {
        let t = check(e, Scope(entity: Checker.noFields, clause: clause))
        if case .value(let v) = t.kind, case .decimal(let d) = v, d >= 0, d == d.rounded(), let n = d.safeInt {
            return TExpr(.value(.integer(Int64(n))), .number, t.range)
        }
        if case .value(let v) = t.kind, case .integer(let i) = v, i >= 0 { return t }
        // A variable or an expression of them: evaluated when the query runs.
        if t.type == .number, t.cost == 0, !isLiteral(t) { return t }
        if t.type != .any {
            diagnostics.error(.wrongType, "\(clause) takes a whole number of rows", e.range)
        }
        return TExpr(.invalid, .any, e.range)
    }

    private func isLiteral(_ t: TExpr) -> Bool {
        if case .value = t.kind { return true }
        return false
    }

    mutating func requireCondition(_ e: TExpr, _ clause: String) {
        if e.type != .bool && e.type != .any && e.type != .null {
            diagnostics.error(.wrongType, "\(clause) needs a condition, not a \(e.type)", e.range,
                              notes: ["compare it with something, e.g. \"... = value\""])
        }
    }

    // MARK: - Expressions

    mutating func check(_ e: Expr, _ scope: Scope) -> TExpr {
        switch e.kind {
        case .number(let v, let text):
            guard v.isFinite else {
                diagnostics.error(.outOfRange, "number too large", e.range)
                return TExpr(.invalid, .any, e.range)
            }
            // Whole numbers keep every digit: 123456789012345678 is not rounded through a Double.
            if !text.utf8.contains(UInt8(ascii: ".")), let exact = Int64(text.utf8.contains(UInt8(ascii: "_")) ? String(text.filter { $0 != "_" }) : text) {
                return TExpr(.value(.integer(exact)), .number, e.range)
            }
            return TExpr(.value(.decimal(v)), .number, e.range)
        case .wbs(let s):
            return TExpr(.value(.text(s)), .text, e.range)
        case .string(let s):
            return TExpr(.value(.text(s)), .text, e.range)
        case .interpolated(let parts):
            let pieces: [TExpr] = parts.map {
                switch $0 {
                case .text(let s): return TExpr(.value(.text(s)), .text, e.range)
                case .expr(let x): return check(x, scope)
                }
            }
            return TExpr(.concat(pieces), .text, e.range)
        case .date(let d):
            guard d.isValid else {
                diagnostics.error(.outOfRange, "not a real date", e.range)
                return TExpr(.invalid, .any, e.range)
            }
            return TExpr(.value(.date(d)), .date, e.range)
        case .duration(let v, let unit):
            guard abs(v) <= maxDurationDays else {
                diagnostics.error(.outOfRange, "a duration of at most \(Int(maxDurationDays)) days, please", e.range)
                return TExpr(.invalid, .any, e.range)
            }
            switch unit {
            case .days: return TExpr(.value(.duration(v)), .duration, e.range)
            case .weeks: return TExpr(.value(.duration(v * 7)), .duration, e.range)
            case .hours: return TExpr(.value(v == v.rounded() ? .integer(Int64(v)) : .decimal(v)), .number, e.range)
            case .months:
                diagnostics.error(.wrongUnit, "months (mo) have no fixed length: add them to a date, as in today + 1mo", e.range)
                return TExpr(.invalid, .any, e.range)
            case .milliseconds, .seconds:
                diagnostics.error(.wrongUnit, "ms and s are for a time budget, as in schedule level within 200ms", e.range)
                return TExpr(.invalid, .any, e.range)
            case .workdays:
                // Alone, `5wd` means the calendar span of 5 working days from today.
                return workdaySpan(e, scope)
            }
        case .null:
            return TExpr(.value(.null), .null, e.range)
        case .name(let n):
            return checkName(n, e.range, scope)
        case .member:
            return checkMember(e, scope)
        case .call(let name, let args):
            return checkCall(name, args, e.range, scope)
        case .unary(.not, let a):
            let x = check(a, scope)
            requireCondition(x, "not")
            return TExpr(.not(x), .bool, e.range)
        case .unary(.negate, let a) where isWorkdayCount(a, scope):
            return workdaySpan(e, scope)
        case .unary(.negate, let a):
            let x = check(a, scope)
            if x.type != .number && x.type != .duration && x.type != .any {
                diagnostics.error(.wrongType, "cannot negate a \(x.type)", e.range)
                return TExpr(.invalid, .any, e.range)
            }
            if case .value(let v) = x.kind {
                switch v {
                case .integer(let i): return TExpr(.value(.integer(-i)), x.type, e.range)
                case .decimal(let d): return TExpr(.value(.decimal(-d)), x.type, e.range)
                case .duration(let d): return TExpr(.value(.duration(-d)), x.type, e.range)
                default: break
                }
            }
            return TExpr(.negate(x), x.type, e.range)
        case .binary(let op, let a, let b):
            switch op {
            case .and, .or:
                let x = check(a, scope), y = check(b, scope)
                requireCondition(x, op.rawValue)
                requireCondition(y, op.rawValue)
                return TExpr(.logic(op, x, y), .bool, e.range)
            case .add, .sub, .mul, .div:
                return checkArithmetic(op, a, b, e.range, scope)
            case .contains, .notContains:
                let x = check(a, scope), y = check(b, scope)
                let xs = keyed(x), ys = keyed(y)
                for (t, src) in [(xs, a), (ys, b)] where !t.type.isTextLike && t.type != .any && t.type != .null {
                    diagnostics.error(.wrongType, "\"\(op.rawValue)\" searches text, not a \(t.type)", src.range)
                }
                return TExpr(.compare(op, xs, ys), .bool, e.range)
            default:
                return checkComparison(op, a, b, e.range, scope)
            }
        case .inList(let a, let items, let negated):
            if items.count == 1, let q = namedSource(items[0], scope) { return checkInQuery(a, q, negated: negated, items[0].range, e.range, scope) }
            let x = check(a, scope)
            var ys: [TExpr] = []
            var left = x
            for item in items {
                let (l, r) = unify(x, item, scope, op: .eq)
                // A null item says nothing of how the left side compares (`owner in ("Li Wei",
                // null)` still compares owners by name).
                if r.type != .null { left = l }
                ys.append(r)
            }
            return inUsedProject(TExpr(.inList(left, ys, negated: negated), .bool, e.range), x, items)
        case .inValue(let a, let b, let negated):
            if case .subquery(let q) = b.kind { return checkInQuery(a, q, negated: negated, b.range, e.range, scope) }
            if let q = namedSource(b, scope) { return checkInQuery(a, q, negated: negated, b.range, e.range, scope) }
            let list = check(b, scope)
            if list.type == .list {
                let x = check(a, scope)
                if !x.type.isTextLike && x.type != .any {
                    diagnostics.error(.wrongType, "a list holds text, not a \(x.type)", a.range)
                }
                return TExpr(.listContains(list: list, value: x, negated: negated), .bool, e.range)
            }
            if list.type != .any {
                diagnostics.error(.wrongType, "\"in\" takes a list in parentheses, like (a, b), or a list field like tags", b.range)
            }
            return TExpr(.invalid, .any, e.range)
        case .isNull(let a, let negated):
            let x = check(a, scope)
            return TExpr(.isNull(x, negated: negated), .bool, e.range)
        case .between(let a, let lo, let hi, let negated):
            let x = check(a, scope)
            let (l, y) = unify(x, lo, scope, op: .ge)
            let (_, z) = unify(x, hi, scope, op: .le)
            return inUsedProject(TExpr(.between(l, y, z, negated: negated), .bool, e.range), x, [lo, hi])
        case .under(let a, let b):
            return checkUnder(a, b, e.range, scope)
        case .subquery(let q):
            guard let tq = checkQuery(q) else { return TExpr(.invalid, .any, e.range) }
            if tq.shape == .scalar {
                let type: PType = tq.isCount ? .number : tq.columns[0].expr.type
                return TExpr(.subquery(tq), type, e.range)
            }
            diagnostics.error(.wrongQueryShape, "a query inside an expression must give one value: use count or a single aggregate", e.range)
            return TExpr(.invalid, .any, e.range)
        case .list:
            diagnostics.error(.wrongQueryShape, "a list can only follow \"in\"", e.range)
            return TExpr(.invalid, .any, e.range)
        case .caseWhen(let branches, let otherwise):
            return checkCase(branches, otherwise, e.range, scope)
        case .was, .changed:
            return checkJournalTest(e, scope)
        }
    }

    /// `tomorrow`, `end_of_week()`, ...: a date relative to today, which at the calendar's
    /// ends may leave it (`tomorrow` when today is 9999-12-31): then the error `today + 1d` gives (R10).
    private mutating func relativeDate(_ d: Day, _ range: SourceRange) -> TExpr {
        guard d.isInRange else {
            diagnostics.error(.outOfRange, "date out of range: PMQ dates run from \(Day.earliest.iso) to \(Day.latest.iso)", range)
            return TExpr(.invalid, .any, range)
        }
        return TExpr(.value(.date(d)), .date, range)
    }

    private mutating func checkName(_ n: String, _ range: SourceRange, _ scope: Scope) -> TExpr {
        let lower = Checker.lowered(n)
        if !scope.aliases.isEmpty, let i = scope.aliases[lower], scope.clause == "order by" {
            return TExpr(.selectColumn(i), i < scope.aliasTypes.count ? scope.aliasTypes[i] : .any, range)
        }
        // A function's parameter names its argument even where a field has the same name.
        if case .argument(let e, let depth)? = lookup(lowered: lower) { return Checker.shiftedOut(e, by: levelsSinceCall(depth)) }
        if let f = scope.entity.field(lower) {
            return TExpr(.field(FieldPath(root: scope.entity, hops: [], field: f)), PType(f.type), range)
        }
        if scope.clause == "having", let i = scope.aliases[lower] {
            return TExpr(.selectColumn(i), i < scope.aliasTypes.count ? scope.aliasTypes[i] : .any, range)
        }
        if let (entity, outer) = namedSource(lower) { return namedRow(entity, outer: outer, range) }
        if let v = lookup(lowered: lower) {
            switch v {
            // Working days alone: their span from today, as a lone `5wd` (H13).
            case .value(let slot, _) where workdaySlots.contains(slot): return workdaySpan(Expr(.name(n), range), scope)
            case .value(let slot, let type):
                let t = TExpr(.variable(slot), type, range)
                savedBindings?.append(SavedBinding(range: range, value: t))
                return t
            case .row(let slot, let entity):
                let t = TExpr(.variable(slot), .reference(entity.table == "tasks" ? "tasks" : entity.plural), range)
                savedBindings?.append(SavedBinding(range: range, value: t))
                return t
            case .argument(let e, let depth): return Checker.shiftedOut(e, by: levelsSinceCall(depth))
            case .set(_, let entity):
                diagnostics.error(.notASource, "\"\(n)\" is a set of \(entity.plural): use it as a source, as in \"count \(n)\" or \"\(n) where ...\"", range)
                return TExpr(.invalid, .any, range)
            }
        }
        switch lower {
        case "today": return TExpr(.value(.date(today)), .date, range)
        case "yesterday": return relativeDate(today + -1, range)
        case "tomorrow": return relativeDate(today + 1, range)
        case "true": return TExpr(.value(.bool(true)), .bool, range)
        case "false": return TExpr(.value(.bool(false)), .bool, range)
        case "me": return checkMe(range)
        default: break
        }
        var candidates = scope.entity.fieldNames + ["today", "yesterday", "tomorrow", "me"] + scopes.flatMap { $0.keys.sorted() } + namedSourceNames
        candidates += scope.aliases.keys.sorted()
        if scope.entity.fields.isEmpty {
            // Outside a query there are no fields: only variables and built-in names.
            diagnostics.error(.unknownName, "unknown name \"\(n)\"\(Suggestions.didYouMean(n, candidates))", range,
                              notes: ["declare a variable with let \(n) = ..., or write text in quotes"])
        } else {
            diagnostics.error(.unknownField, "unknown field \"\(n)\" of \(scope.entity.plural)\(Suggestions.didYouMean(n, candidates))", range)
        }
        return TExpr(.invalid, .any, range)
    }

    /// `a.b.c`: each step but the last must be a reference.
    private mutating func checkMember(_ e: Expr, _ scope: Scope) -> TExpr {
        var names: [Name] = []
        var base = e
        while case .member(let inner, let f) = base.kind { names.insert(f, at: 0); base = inner }
        guard case .name(let first) = base.kind else {
            diagnostics.error(.noFields, "only fields have fields: write a path like owner.department", e.range)
            return TExpr(.invalid, .any, e.range)
        }
        var entity = scope.entity
        var root = scope.entity
        var rootVariable: Int?
        var outer: Int?
        var hops: [FieldDef] = []
        if first.lowercased() == "me", scope.entity.field(first) == nil, lookup(first) == nil, namedSource(first) == nil {
            return checkMePath(names, e.range)
        }
        if scope.entity.field(first) == nil, let (e, depth) = namedSource(first) {
            // `t.wbs`: a field of the row of the query named t (this one or an enclosing one).
            root = e; entity = e; outer = depth
        } else if let v = lookup(first), scope.entity.field(first) == nil || { if case .argument = v { return true } else { return false } }() {
            // The path starts at a `for` variable's row, or at what a function argument names.
            switch v {
            case .row(let slot, let e):
                root = e; entity = e; rootVariable = slot
            case .argument(let arg, let depth):
                if case .variable(let slot) = arg.kind, case .reference(let t) = arg.type, let e = schema.plural(t) {
                    root = e; entity = e; rootVariable = slot
                } else if case .field(let p) = arg.kind, case .reference(let t) = p.field.type, let e = schema.plural(t) {
                    // From the caller's row, however many queries the body has opened since.
                    let q = Checker.shiftedOut(p, by: levelsSinceCall(depth))
                    root = q.root; rootVariable = q.rootVariable; hops = q.hops + [q.field]; entity = e; outer = q.outer
                } else {
                    diagnostics.error(.noFields, "\"\(first)\" is a \(arg.type), not a row: it has no fields", base.range)
                    return TExpr(.invalid, .any, e.range)
                }
            case .value(_, let t):
                diagnostics.error(.noFields, "\"\(first)\" is a \(t), not a row: it has no fields", base.range)
                return TExpr(.invalid, .any, e.range)
            case .set(_, let e2):
                diagnostics.error(.notASource, "\"\(first)\" is a set of \(e2.plural): loop over it with for, or query it", base.range)
                return TExpr(.invalid, .any, e.range)
            }
        } else {
            names.insert(Name(text: first, range: base.range), at: 0)
        }
        for (i, n) in names.enumerated() {
            guard let f = entity.field(n.lowered) else {
                if i == 0, outer == nil, rootVariable == nil, names.count > 1 {
                    // `x.wbs` where x is neither a field nor a name in scope: most likely an outer name.
                    let hint = Suggestions.didYouMean(n.text, entity.fieldNames + namedSourceNames + scopes.flatMap { $0.keys.sorted() })
                    diagnostics.error(.unknownName, "unknown name \"\(n.text)\": not a field of \(entity.plural) nor a source named with \"as\" around it\(hint)", n.range,
                                      notes: hint.isEmpty ? ["name the outer rows, as in \"tasks as t where ... (count tasks where wbs under t.wbs)\""] : [])
                    return TExpr(.invalid, .any, e.range)
                }
                let hint = Suggestions.didYouMean(n.text, entity.fieldNames)
                diagnostics.error(.unknownField, "unknown field \"\(n.text)\" of \(entity.plural)\(hint)", n.range)
                return TExpr(.invalid, .any, e.range)
            }
            if i == names.count - 1 {
                let t = TExpr(.field(FieldPath(root: root, rootVariable: rootVariable, hops: hops, field: f, outer: outer)), PType(f.type), e.range)
                // `t.owner` of a loop's row, in a query being saved: its value goes in the text (H22).
                if rootVariable != nil { savedBindings?.append(SavedBinding(range: e.range, value: t)) }
                return t
            }
            guard case .reference(let target) = f.type, let next = schema.plural(target) else {
                diagnostics.error(.noFields, "\"\(n.text)\" is a \(PType(f.type)), not a reference: it has no fields", n.range)
                return TExpr(.invalid, .any, e.range)
            }
            hops.append(f)
            entity = next
        }
        if outer != nil, names.isEmpty { return TExpr(.invalid, .any, e.range) }
        return TExpr(.invalid, .any, e.range)
    }

    static let aggregates: [String: Aggregate] = ["count": .count, "sum": .sum, "avg": .avg, "min": .min, "max": .max]
    static let relativeDates = ["start_of_week", "end_of_week", "start_of_month", "end_of_month"]

    private mutating func checkCall(_ name: Name, _ args: [Expr], _ range: SourceRange, _ scope: Scope) -> TExpr {
        let n = name.lowered
        if let agg = Checker.aggregates[n] {
            guard scope.aggregatesAllowed else {
                let place = scope.clause.isEmpty ? "outside a query" : "in \(scope.clause)"
                // Two or more arguments read as SQL's scalar min/max: say what to write instead.
                let notes = (n == "min" || n == "max") && args.count > 1 ? ["for the \(n == "min" ? "smaller" : "larger") of two values, write if(a \(n == "min" ? "<" : ">") b, a, b)"] : []
                diagnostics.error(.misplacedAggregate, "\(n)() is an aggregate: it belongs in select (or order by) of a grouped query, not \(place)", range, notes: notes)
                return TExpr(.invalid, .any, range)
            }
            if agg == .count {
                if args.isEmpty { return TExpr(.aggregate(.count, nil), .number, range) }
            }
            guard args.count == 1 else {
                diagnostics.error(.argumentCount, "\(n)() takes one argument", range)
                return TExpr(.invalid, .any, range)
            }
            var inner = scope
            inner.aggregatesAllowed = false
            inner.clause = "\(n)()"
            let x = keyed(check(args[0], inner))
            switch agg {
            case .count: return TExpr(.aggregate(.count, x), .number, range)
            case .sum, .avg:
                if x.type != .number && x.type != .duration && x.type != .any {
                    diagnostics.error(.wrongType, "\(n)() adds numbers or durations, not a \(x.type)", args[0].range)
                    return TExpr(.invalid, .any, range)
                }
                return TExpr(.aggregate(agg, x), x.type, range)
            case .min, .max:
                return TExpr(.aggregate(agg, x), x.type, range)
            }
        }
        if n == "if" {
            guard args.count == 3 else {
                diagnostics.error(.argumentCount, "if() takes three arguments: if(condition, value when true, value otherwise)", range)
                return TExpr(.invalid, .any, range)
            }
            return checkCase([(args[0], args[1])], args[2], range, scope, what: "if")
        }
        if let part = DatePart(rawValue: n), !args.isEmpty || !Checker.relativeDates.contains(n) {
            return checkDatePart(part, name, args, range, scope)
        }
        if Checker.relativeDates.contains(n) {
            if !args.isEmpty { diagnostics.error(.argumentCount, "\(n)() takes no arguments: it is relative to today", range) }
            let d: Day
            switch n {
            case "start_of_week": d = today.startOfWeek
            case "end_of_week": d = today.endOfWeek
            case "start_of_month": d = today.startOfMonth
            default: d = today.endOfMonth
            }
            return relativeDate(d, range)
        }
        if let f = functions[n] {
            // A saved query outlives the script: a later session has no such function (H22).
            if savedBindings != nil {
                diagnostics.error(.notHere, "a saved query or rule cannot call \(name.text)(), a function of this script: a later session would not know it", name.range,
                                  notes: ["write what the function computes into the query"])
                return TExpr(.invalid, .any, range)
            }
            return callFunction(name, f, args, range, scope)
        }
        if let h = hostFunctions[n] {
            guard args.count == h.params.count else {
                diagnostics.error(.argumentCount, "\(name.text)() takes \(h.params.count) argument\(h.params.count == 1 ? "" : "s"), not \(args.count)", range)
                return TExpr(.invalid, .any, range)
            }
            var xs: [TExpr] = []
            for (a, want) in zip(args, h.params) {
                let x = keyed(check(a, scope))
                let fits = x.type == want || x.type == .null || x.type == .any || (want == .text && x.type.isTextLike)
                if !fits { diagnostics.error(.wrongType, "\(name.text)() takes a \(want) here, not a \(x.type)", a.range) }
                xs.append(x)
            }
            return TExpr(.host(n, xs), h.result, range)
        }
        guard let fn = ScalarFunction.named(n) else {
            let known = Checker.aggregates.keys.sorted() + Checker.relativeDates + ["lower", "upper", "length", "abs", "round", "coalesce", "if"]
                + DatePart.allCases.map(\.rawValue) + functions.keys.sorted()
            diagnostics.error(.unknownFunction, "unknown function \"\(name.text)\"\(Suggestions.didYouMean(name.text, known))", name.range)
            return TExpr(.invalid, .any, range)
        }
        if fn == .coalesce, args.count >= 2, args.count <= 16 {
            // Each later argument is read beside the result so far, as a comparison reads its
            // right side: a bare enum value (`coalesce(status, todo)`) is a value of that enum.
            var result = check(args[0], scope)
            var items = [result]
            for a in args.dropFirst() {
                let (l, r) = result.type == .null || result.type == .any
                    ? (items[0], check(a, scope)) : unify(result, a, scope, op: .eq)
                if items.count == 1 { items[0] = l }
                items.append(r)
                if result.type == .null || result.type == .any { result = r }
            }
            // References mixed with text (`coalesce(owner.backup, owner, "none")`) all read as keys.
            if items.contains(where: { if case .reference = $0.type { return false }; return $0.type.isTextLike }) {
                items = items.map { keyed($0) }
            }
            return TExpr(.function(fn, items), items.first { $0.type != .null && $0.type != .any }?.type ?? .null, range)
        }
        let xs = args.map { check($0, scope) }
        func arity(_ lo: Int, _ hi: Int) -> Bool {
            if xs.count < lo || xs.count > hi {
                diagnostics.error(.argumentCount, "\(n)() takes \(lo == hi ? "\(lo)" : "\(lo) to \(hi)") argument\(hi == 1 ? "" : "s")", range)
                return false
            }
            return true
        }
        switch fn {
        case .lower, .upper, .length:
            guard arity(1, 1) else { return TExpr(.invalid, .any, range) }
            let x = keyed(xs[0])
            if !x.type.isTextLike && x.type != .any && x.type != .null {
                diagnostics.error(.wrongType, "\(n)() takes text, not a \(x.type)", args[0].range)
            }
            return TExpr(.function(fn, [x]), fn == .length ? .number : .text, range)
        case .abs:
            guard arity(1, 1) else { return TExpr(.invalid, .any, range) }
            if xs[0].type != .number && xs[0].type != .duration && xs[0].type != .any {
                diagnostics.error(.wrongType, "abs() takes a number or a duration, not a \(xs[0].type)", args[0].range)
            }
            return TExpr(.function(fn, xs), xs[0].type, range)
        case .round:
            guard arity(1, 2) else { return TExpr(.invalid, .any, range) }
            for (x, a) in zip(xs, args) where x.type != .number && x.type != .any {
                diagnostics.error(.wrongType, "round() takes numbers, not a \(x.type)", a.range)
            }
            return TExpr(.function(fn, xs), .number, range)
        case .listOf, .maxOf, .addOwnerWorkdays:
            return TExpr(.invalid, .any, range)
        case .coalesce:
            guard arity(2, 16) else { return TExpr(.invalid, .any, range) }
            var result = xs[0]
            var items = [xs[0]]
            for (x, a) in zip(xs.dropFirst(), args.dropFirst()) {
                let (l, r) = unifyChecked(result, x, a.range, op: .eq)
                if items.count == 1 { items[0] = l }
                items.append(r)
                if result.type == .null || result.type == .any { result = r }
            }
            return TExpr(.function(fn, items), items.first { $0.type != .null && $0.type != .any }?.type ?? .null, range)
        }
    }

    // MARK: - Typing rules

    /// The owner of the row of a task scope, for working-day arithmetic in the owner's calendar.
    static func ownerOfRow(_ entity: EntityDef, _ range: SourceRange) -> TExpr? {
        guard entity.table == "tasks", let f = entity.field("owner") else { return nil }
        return TExpr(.field(FieldPath(root: entity, hops: [], field: f)), PType(f.type), range)
    }

    /// date ± duration → date, date − date → duration, duration × number → duration, ...
    private mutating func checkArithmetic(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ range: SourceRange, _ scope: Scope) -> TExpr {
        // Working days need the calendar, so `date + 5wd` keeps the unit to the end.
        // So does `date + 2 * 5wd` or `date + -3wd` (CheckWorkdays.swift).
        if op == .add || op == .sub, isWorkdayCount(b, scope) {
            let x = check(a, scope)
            if x.type == .date || x.type == .any {
                guard let n = workdayCount(b, scope) else { return TExpr(.invalid, .any, range) }
                if let owner = Checker.ownerOfRow(scope.entity, b.range) {
                    // On a task's row, its owner's working days: the calendar less their leave.
                    var signed = n
                    if op == .sub {
                        if case .value(.integer(let k)) = n.kind { signed = TExpr(.value(.integer(-k)), .number, b.range) }
                        else { signed = TExpr(.negate(n), .number, b.range) }
                    }
                    return TExpr(.function(.addOwnerWorkdays, [x, signed, owner]), .date, range)
                }
                return TExpr(.addWorkdays(x, n, subtract: op == .sub), .date, range)
            }
        }
        // Working days alone (`2 * 5wd`, `-3wd` in a `print`): their span from today.
        if op == .mul || op == .add || op == .sub, isWorkdayCount(Expr(.binary(op, a, b), range), scope) {
            return workdaySpan(Expr(.binary(op, a, b), range), scope)
        }
        if case .duration(let v, .months) = b.kind { return checkMonths(op, a, v, b.range, range, scope) }
        // `date + -1mo` is `date - 1mo`, as `date + -3wd` is `date - 3wd`.
        if case .unary(.negate, let inner) = b.kind, case .duration(let v, .months) = inner.kind {
            return checkMonths(op, a, -v, b.range, range, scope)
        }
        if case .duration(_, .months) = a.kind {
            diagnostics.error(.wrongUnit, "months (mo) have no fixed length: add them to a date, as in today + 1mo", a.range)
            return TExpr(.invalid, .any, range)
        }
        let x = check(a, scope), y = check(b, scope)
        if x.type == .any || y.type == .any { return TExpr(.invalid, .any, range) }
        if x.type == .list { return checkListEdit(op, x, y, b.range, range) }
        if x.type == .null || y.type == .null { return TExpr(.value(.null), .null, range) }
        let result: PType?
        switch (x.type, op, y.type) {
        case (.number, _, .number): result = .number
        case (.date, .add, .duration), (.duration, .add, .date), (.date, .sub, .duration): result = .date
        case (.date, .sub, .date): result = .duration
        case (.duration, .add, .duration), (.duration, .sub, .duration): result = .duration
        case (.duration, .mul, .number), (.number, .mul, .duration), (.duration, .div, .number): result = .duration
        case (.duration, .div, .duration): result = .number
        default: result = nil
        }
        guard let t = result else {
            var notes: [String] = []
            if (x.type == .date && y.type == .number) || (x.type == .number && y.type == .date) {
                notes.append("add a duration to a date: write 3d, 2w or 5wd, not a bare number")
            }
            if x.type == .duration && y.type == .number || x.type == .number && y.type == .duration {
                notes.append("durations carry a unit: write 3d, not 3")
            }
            diagnostics.error(.wrongType, "cannot apply \"\(op.rawValue)\" to a \(x.type) and a \(y.type)", range, notes: notes)
            return TExpr(.invalid, .any, range)
        }
        return TExpr(.arithmetic(op, x, y), t, range)
    }

    private mutating func checkComparison(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ range: SourceRange, _ scope: Scope) -> TExpr {
        // An enum value may be the left side too: `done = status`. When the right side is an
        // unknown bare word as well (`staus = done`), the left is the misspelt field.
        if case .name(let n) = a.kind, !isKnownName(n, scope), !isUnknownBareWord(b, scope) {
            let y = check(b, scope)
            let (r, l) = unify(y, a, scope, op: op)
            return TExpr(.compare(op.flipped, r, l), .bool, range)
        }
        let x = check(a, scope)
        let (l, r) = unify(x, b, scope, op: op)
        return inUsedProject(TExpr(.compare(op, l, r), .bool, range), x, b)
    }

    /// A bare WBS code compared with a task's `wbs` (`wbs = 1.1`, `wbs under 2`,
    /// `task under 2`) resolves in the used project (docs/language.md, “Several projects”):
    /// the test holds for that project's tasks only. With several projects and none used the
    /// statement is refused when it runs, listing the codes; with one project (or none) the
    /// test is as written. A quoted code (`wbs = "1.1"`) is text and compares in every project.
    /// `inUsedProject` for one operand: no list of operands made unless `x` is a `wbs` field.
    private mutating func inUsedProject(_ test: TExpr, _ x: TExpr, _ operand: Expr) -> TExpr {
        guard case .field(let p) = x.kind, p.field.name == "wbs" else { return test }
        return inUsedProject(test, x, [operand])
    }

    private mutating func inUsedProject(_ test: TExpr, _ x: TExpr, _ operands: [Expr]) -> TExpr {
        guard case .field(let p) = x.kind, p.field.name == "wbs", p.owner.table == "tasks",
              let projectField = p.owner.field("project") else { return test }
        let codes = operands.compactMap { b -> String? in
            switch b.kind {
            case .number(_, let text): return text
            case .wbs(let s): return s
            default: return nil
            }
        }
        guard let code = codes.first else { return test }
        let slot = slotCount
        slotCount += 1
        let used = TExpr(.lookup(slot: slot, .usedProject(code)), .reference("projects"), test.range)
        let project = TExpr(.field(FieldPath(root: p.root, rootVariable: p.rootVariable, hops: p.hops, field: projectField)),
                            .reference("projects"), test.range)
        let anyProject = TExpr(.compare(.eq, used, TExpr(.value(.integer(0)), .number, test.range)), .bool, test.range)
        let inProject = TExpr(.logic(.or, anyProject, TExpr(.compare(.eq, project, used), .bool, test.range)), .bool, test.range)
        return TExpr(.logic(.and, test, inProject), .bool, test.range)
    }

    /// A field of the scope, a variable or a constant (today, true, ...).
    private func isKnownName(_ n: String, _ scope: Scope) -> Bool {
        scope.entity.field(n) != nil || isConstantName(n) || lookup(n) != nil
    }

    /// A bare word that names nothing here: an enum value, or a mistake.
    private func isUnknownBareWord(_ e: Expr, _ scope: Scope) -> Bool {
        if case .name(let n) = e.kind { return !isKnownName(n, scope) }
        return false
    }

    private func isConstantName(_ n: String) -> Bool {
        // A switch: the array literal was made on every asking.
        switch n.lowercased() {
        case "today", "yesterday", "tomorrow", "true", "false": return true
        default: return false
        }
    }

    /// Checks `b` against the already-checked `x` and brings both to a comparable form:
    /// bare enum values, references compared by key, WBS codes as written.
    mutating func unify(_ x: TExpr, _ b: Expr, _ scope: Scope, op: BinaryOp) -> (TExpr, TExpr) {
        // Beside an operand already in error (a misspelt field), a bare word may be one of the
        // field's values: it cannot be judged, and "unknown field" on it would mislead.
        if case .invalid = x.kind, isUnknownBareWord(b, scope) { return (x, TExpr(.invalid, .any, b.range)) }
        if case .enumeration(let values) = x.type {
            // A bare word that is one of the values is that value, even where a field shares
            // its name (`defects where status = fixed`: fixed is also a date field).
            if case .name(let n) = b.kind, let v = values.first(where: { $0.lowercased() == n.lowercased() }) {
                return (x, TExpr(.value(.text(v)), x.type, b.range))
            }
            if case .name(let n) = b.kind, scope.entity.field(n) == nil, !isConstantName(n), lookup(n) == nil {
                if let v = values.first(where: { $0.lowercased() == n.lowercased() }) {
                    return (x, TExpr(.value(.text(v)), x.type, b.range))
                }
                diagnostics.error(.unknownValue, "unknown value \"\(n)\"; valid values are: \(values.joined(separator: ", "))", b.range)
                return (x, TExpr(.invalid, .any, b.range))
            }
        }
        if case .reference("tasks") = x.type, op == .eq || op == .ne {
            // A bare WBS code names one task, found in the used project when the statement
            // runs (docs/language.md, “Several projects”), not every project's task of that code.
            // (Ordering compares codes: `task >= 1.2` below.)
            let code: String?
            switch b.kind {
            case .number(_, let text): code = text
            case .wbs(let s): code = s
            default: code = nil
            }
            if let code {
                let slot = slotCount
                slotCount += 1
                return (x, TExpr(.lookup(slot: slot, .taskOrNone(code)), .reference("tasks"), b.range))
            }
        }
        if case .reference("tasks") = x.type {
            switch b.kind {
            case .number(_, let text): return (keyed(x), TExpr(.value(.text(text)), .text, b.range))
            case .wbs(let s): return (keyed(x), TExpr(.value(.text(s)), .text, b.range))
            default: break
            }
        }
        if case .field(let p) = x.kind, p.field.name == "wbs", case .number(_, let text) = b.kind {
            return (x, TExpr(.value(.text(text)), .text, b.range))
        }
        let y = check(b, scope)
        return unifyChecked(x, y, b.range, op: op)
    }

    private mutating func unifyChecked(_ x: TExpr, _ y: TExpr, _ range: SourceRange, op: BinaryOp) -> (TExpr, TExpr) {
        switch (x.type, y.type) {
        case (.any, _), (_, .any), (.null, _), (_, .null): return (x, y)
        case (.reference(let e1), .reference(let e2)) where e1 == e2: return (x, y)
        case (.reference, .text), (.reference, .enumeration): return (keyed(x), y)
        case (.text, .reference), (.enumeration, .reference): return (x, keyed(y))
        case (.reference("tasks"), .number):
            // `task = 1` is the WBS code "1"
            if case .value(let v) = y.kind, let n = v.number { return (keyed(x), TExpr(.value(.text(formatNumber(n))), .text, y.range)) }
        case (.enumeration(let vs), .text), (.text, .enumeration(let vs)):
            let lit = x.type == .text ? x : y
            if case .value(.text(let s)) = lit.kind, !vs.contains(s) {
                if let v = vs.first(where: { $0.lowercased() == s.lowercased() }) {
                    let fixed = TExpr(.value(.text(v)), lit.type, lit.range)
                    return x.type == .text ? (fixed, y) : (x, fixed)
                }
                diagnostics.error(.unknownValue, "unknown value \"\(s)\"; valid values are: \(vs.joined(separator: ", "))", lit.range)
            }
            return (x, y)
        case (.enumeration(let a), .enumeration(let b)) where a == b: return (x, y)
        case (.enumeration, .enumeration):
            // Two enums (a custom field and an `if` whose bare values priority also has):
            // the computed side's values are read as text of the field's enum.
            if case .caseWhen = y.kind { return unifyChecked(x, TExpr(y.kind, .text, y.range), range, op: op) }
            if case .caseWhen = x.kind { return unifyChecked(TExpr(x.kind, .text, x.range), y, range, op: op) }
        case (.number, .number), (.text, .text), (.date, .date), (.duration, .duration), (.bool, .bool): return (x, y)
        default: break
        }
        var notes: [String] = []
        if (x.type == .date && y.type == .text) || (x.type == .text && y.type == .date) {
            notes.append("write dates without quotes: 2026-01-28")
        }
        if (x.type == .duration && y.type == .number) || (x.type == .number && y.type == .duration) {
            notes.append("durations carry a unit: write 3d, 2w or 5wd")
        }
        diagnostics.error(.wrongType, "cannot compare a \(x.type) with a \(y.type)", x.range.to(range), notes: notes)
        return (x, TExpr(.invalid, .any, range))
    }

    /// A reference as its key (`owner` → `owner.name`), for comparing with text and for output.
    func keyed(_ x: TExpr) -> TExpr {
        if case .variable = x.kind { return keyedVariable(x) }
        // A reference computed by `if`/`case`/`coalesce` is one of its operands' rows: its key
        // is the key of that operand, so compare, sort and aggregate the keys, never the ids.
        if case .reference(let target) = x.type, let def = schema.plural(target), let kf = def.keyField {
            switch x.kind {
            case .caseWhen(let bs, let o):
                return TExpr(.caseWhen(bs.map { ($0.condition, keyed($0.value)) }, otherwise: o.map { keyed($0) }), PType(kf.type), x.range)
            case .function(.coalesce, let xs):
                return TExpr(.function(.coalesce, xs.map { keyed($0) }), PType(kf.type), x.range)
            default: break
            }
        }
        if case .lookup = x.kind, case .reference(let target) = x.type, let def = schema.plural(target),
           let kf = def.keyField {
            return TExpr(.keyOf(x), PType(kf.type), x.range)
        }
        guard case .field(let p) = x.kind, case .reference(let target) = p.field.type,
              let def = schema.plural(target), let kf = def.keyField else { return x }
        // A named row itself (`t`, its id) is keyed by its own key field; either way the path
        // stays on the row it started from (`outer`: `task under t` is t's code, not the inner row's).
        let ownRow = p.hops.isEmpty && p.field.name == "id" && def.table == p.root.table
        // The path one hop longer, appended in place (`hops + [field]` made two arrays).
        var hops: [FieldDef] = []
        if !ownRow { hops = p.hops; hops.append(p.field) }
        let path = FieldPath(root: p.root, rootVariable: p.rootVariable, hops: hops, field: kf, outer: p.outer)
        return TExpr(.field(path), PType(kf.type), x.range)
    }

    /// A row variable as its key, for comparing with text (`t = "1.2"`).
    func keyedVariable(_ x: TExpr) -> TExpr {
        guard case .variable(let slot) = x.kind, case .reference(let target) = x.type,
              let def = schema.plural(target), let kf = def.keyField else { return x }
        return TExpr(.field(FieldPath(root: def, rootVariable: slot, hops: [], field: kf)), PType(kf.type), x.range)
    }

    /// `wbs under 1.2`, `task under 1.2`, `parent under 3`.
    private mutating func checkUnder(_ a: Expr, _ b: Expr, _ range: SourceRange, _ scope: Scope) -> TExpr {
        var x = check(a, scope)
        if case .reference("tasks") = x.type { x = keyed(x) }
        let isWBS: Bool = {
            if case .field(let p) = x.kind { return p.field.name == "wbs" }
            return false
        }()
        if !isWBS && x.type != .any {
            diagnostics.error(.wrongType, "\"under\" works on WBS codes: write \"wbs under 1.2\" or \"task under 1.2\"", a.range)
        }
        let code: TExpr
        switch b.kind {
        case .number(_, let text): code = TExpr(.value(.text(text)), .text, b.range)
        case .wbs(let s): code = TExpr(.value(.text(s)), .text, b.range)
        default:
            let y = keyed(check(b, scope))
            if y.type != .text && y.type != .any {
                diagnostics.error(.wrongType, "\"under\" takes a WBS code like 1.2, not a \(y.type)", b.range)
            }
            code = y
        }
        return inUsedProject(TExpr(.under(x, code), .bool, range), x, b)
    }
}

extension BinaryOp {
    var flipped: BinaryOp {
        switch self {
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        default: return self
        }
    }
}
