/// The report expressions of docs/language.md, “Reports”: `if`/`case`, date parts and months, `having`,
/// named sources and outer references, `in (query)`, `downstream of`/`upstream of`,
/// `me`, list edits and `pivot`. Kept apart from Checker.swift, which calls in here.
extension Checker {
    /// The most columns a pivot may make; more is refused with the count.
    static let maxPivotColumns = 200

    // MARK: - Named sources

    /// The query row a name refers to: `t` in `tasks as t ...`, innermost first.
    /// Returns the entity and how many query levels out it is.
    func namedSource(_ name: String) -> (entity: EntityDef, outer: Int)? {
        let n = Checker.lowered(name)
        for (i, s) in namedSources.enumerated().reversed() where s.name == n {
            return (s.entity, namedSources.count - 1 - i)
        }
        return nil
    }

    var namedSourceNames: [String] { namedSources.compactMap(\.name) }

    /// A bare source name, `t`: the row itself, as a reference.
    func namedRow(_ entity: EntityDef, outer: Int, _ range: SourceRange) -> TExpr {
        TExpr(.field(FieldPath(root: entity, hops: [], field: Checker.idField(of: entity), outer: outer)),
              .reference(entity.table == "tasks" ? "tasks" : entity.plural), range)
    }

    /// The row's `id`, typed as a reference to its own entity.
    static func idField(of entity: EntityDef) -> FieldDef {
        FieldDef("id", .reference(entity.table == "tasks" ? "tasks" : entity.plural))
    }

    // MARK: - Clauses

    /// `having <expr>`: a condition on groups, so aggregates and select names are allowed.
    mutating func checkHaving(_ q: Query, _ tq: TQuery, _ scope: Scope) {
        guard let h = q.having else { return }
        guard !q.groupBy.isEmpty else {
            diagnostics.error(.notGrouped, "having filters groups: it needs group by first", h.range,
                              notes: ["to filter rows, use where"])
            return
        }
        var s = scope
        s.aggregatesAllowed = true
        s.clause = "having"
        let e = check(h, s)
        requireCondition(e, "having")
        tq.having = e
    }

    /// `pivot V by C`: V is a cell (an aggregate, or values listed), C a row value.
    mutating func checkPivot(_ q: Query, _ tq: TQuery, _ scope: Scope) {
        guard let (v, c) = q.pivot else { return }
        guard !q.groupBy.isEmpty else {
            diagnostics.error(.notGrouped, "pivot needs group by: \"group by K pivot V by C\" makes one row per K", v.range)
            return
        }
        var cellScope = scope
        cellScope.aggregatesAllowed = true
        cellScope.clause = "pivot"
        let value = check(v, cellScope)
        var byScope = scope
        byScope.aggregatesAllowed = false
        byScope.clause = "pivot ... by"
        let by = check(c, byScope)
        if case .list = by.type { diagnostics.error(.wrongType, "pivot by a list: pick one value per row", c.range) }
        tq.pivot = (value, by)
    }

    // MARK: - Expressions

    /// `case when c1 then v1 ... [else v] end`; `if(c, a, b)` is `case when c then a else b end`.
    mutating func checkCase(_ branches: [(condition: Expr, value: Expr)], _ otherwise: Expr?, _ range: SourceRange,
                            _ scope: Scope, what: String = "case") -> TExpr {
        var out: [(condition: TExpr, value: TExpr)] = []
        var values: [(TExpr, SourceRange)] = []
        let written = branches.map(\.value) + (otherwise.map { [$0] } ?? [])
        let values0 = caseEnum(written, scope)
        for b in branches {
            let c = check(b.condition, scope)
            requireCondition(c, what == "if" ? "if()" : "when")
            let v = checkBranchValue(b.value, scope, values0)
            out.append((c, v))
            values.append((v, b.value.range))
        }
        let other = otherwise.map { checkBranchValue($0, scope, values0) }
        if let other, let o = otherwise { values.append((other, o.range)) }
        // The result type: the first value that has one. References read as their key
        // once they mix with text; values of one enum stay that enum (they compare and sort
        // in its order); enum values mixed with other text read as text.
        var type: PType = .null
        var keyedRefs = false
        for (v, r) in values where v.type != .null && v.type != .any {
            if type == .null { type = v.type; continue }
            if v.type == type { continue }
            switch (type, v.type) {
            case (.enumeration, .text), (.text, .enumeration), (.enumeration, .enumeration): type = .text
            case (.reference, .text), (.text, .reference), (.reference, .reference): type = .text; keyedRefs = true
            default:
                diagnostics.error(.wrongType, "\(what) gives a \(type) in one branch and a \(v.type) here", r)
                return TExpr(.invalid, .any, range)
            }
        }
        if values.contains(where: { $0.0.type == .any }) { return TExpr(.invalid, .any, range) }
        if keyedRefs {
            out = out.map { ($0.condition, keyed($0.value)) }
            let o = other.map { keyed($0) }
            return TExpr(.caseWhen(out, otherwise: o), type, range)
        }
        return TExpr(.caseWhen(out, otherwise: other), type, range)
    }

    /// The enum the values of an `if`/`case` are written in, when some are bare words that
    /// name no variable (`if(cost > 25, critical, low)`): the enum of a branch that is an enum
    /// field, else — when some word names no field — the first enum (the row's own fields
    /// first) holding every such word, else the first holding those that name no field. A bare word that is a value of this enum is
    /// that value even where a field shares its name (`critical`), as in `priority = critical`.
    private mutating func caseEnum(_ written: [Expr], _ scope: Scope) -> [String]? {
        let words = written.compactMap { e -> String? in
            guard case .name(let n) = e.kind, lookup(n) == nil,
                  !["today", "yesterday", "tomorrow", "true", "false", "null"].contains(n.lowercased()) else { return nil }
            return n.lowercased()
        }
        guard !words.isEmpty else { return nil }
        var enums: [[String]] = []
        for entity in [scope.entity] + schema.entities {
            for f in entity.fields {
                if case .enumeration(let vs) = f.type, !enums.contains(vs) { enums.append(vs) }
            }
        }
        // A branch that is an enum field of the row says which enum it is.
        for e in written {
            guard case .name(let n) = e.kind, let f = scope.entity.field(n), case .enumeration(let vs) = f.type else { continue }
            if words.allSatisfy({ w in vs.contains { $0.lowercased() == w } || scope.entity.field(w) != nil }) { return vs }
        }
        // Bare words that all name fields are those fields (`if(c, critical, false)`).
        let unknown = words.filter { scope.entity.field($0) == nil }
        guard !unknown.isEmpty else { return nil }
        func holds(_ vs: [String], _ ws: [String]) -> Bool { ws.allSatisfy { w in vs.contains { $0.lowercased() == w } } }
        return enums.first { holds($0, words) } ?? enums.first { holds($0, unknown) }
    }

    /// A branch of `if`/`case`: a bare word that is a value of the branches' enum
    /// (`if(cost > 6000, high, low)`) is that value, as `set priority = high` reads it.
    private mutating func checkBranchValue(_ e: Expr, _ scope: Scope, _ values: [String]?) -> TExpr {
        if case .name(let n) = e.kind, let vs = values, lookup(n) == nil,
           let v = vs.first(where: { $0.lowercased() == n.lowercased() }) {
            return TExpr(.value(.text(v)), .enumeration(vs), e.range)
        }
        let x = check(e, scope)
        // A quoted value of the enum (`if(c, "high", low)`) is that value too.
        if let vs = values, case .value(.text(let s)) = x.kind, vs.contains(s) {
            return TExpr(.value(.text(s)), .enumeration(vs), e.range)
        }
        return x
    }

    /// `year(d)`, `month(d)`, ... and the zero-argument forms, relative to today.
    mutating func checkDatePart(_ part: DatePart, _ name: Name, _ args: [Expr], _ range: SourceRange, _ scope: Scope) -> TExpr {
        let resultType: PType = part.givesDate ? .date : .number
        if args.isEmpty {
            return TExpr(.value(part.apply(today)), resultType, range)
        }
        guard args.count == 1 else {
            diagnostics.error(.argumentCount, "\(name.lowered)() takes one date", range)
            return TExpr(.invalid, .any, range)
        }
        let x = check(args[0], scope)
        switch x.type {
        case .any: return TExpr(.invalid, .any, range)
        case .null: return TExpr(.value(.null), .null, range)
        case .date: break
        default:
            diagnostics.error(.wrongType, "\(name.lowered)() takes a date, not a \(x.type)", args[0].range)
            return TExpr(.invalid, .any, range)
        }
        if case .value(.date(let d)) = x.kind { return TExpr(.value(part.apply(d)), resultType, range) }
        return TExpr(.datePart(part, x), resultType, range)
    }

    /// `date ± Nmo`. A month has no fixed number of days, so `mo` only moves a date.
    mutating func checkMonths(_ op: BinaryOp, _ a: Expr, _ months: Double, _ monthsRange: SourceRange,
                              _ range: SourceRange, _ scope: Scope) -> TExpr {
        let x = check(a, scope)
        guard op == .add || op == .sub, x.type == .date || x.type == .any || x.type == .null else {
            if x.type != .any {
                diagnostics.error(.wrongType, "cannot apply \"\(op.rawValue)\" to a \(x.type) and months", range,
                                  notes: ["months (mo) move a date: today + 1mo, start_of_month(today) - 1mo"])
            }
            return TExpr(.invalid, .any, range)
        }
        guard abs(months) <= 100_000 else {
            diagnostics.error(.outOfRange, "at most 100000 months, please", monthsRange)
            return TExpr(.invalid, .any, range)
        }
        guard months == months.rounded() else {
            diagnostics.error(.invalidValue, "months are whole: write 1mo, not \(formatNumber(months))mo", monthsRange)
            return TExpr(.invalid, .any, range)
        }
        if x.type == .null { return TExpr(.value(.null), .null, range) }
        let n = TExpr(.value(.integer(Int64(months))), .number, monthsRange)
        if case .value(.date(let d)) = x.kind, let k = months.safeInt {
            let moved = d.addingMonths(op == .sub ? -k : k)
            guard moved.isInRange else {
                diagnostics.error(.outOfRange, "date out of range: PMQ dates run from \(Day.earliest.iso) to \(Day.latest.iso)", range)
                return TExpr(.invalid, .any, range)
            }
            return TExpr(.value(.date(moved)), .date, range)
        }
        return TExpr(.addMonths(x, n, subtract: op == .sub), .date, range)
    }

    /// `tags + "x"` / `tags - "x"`.
    mutating func checkListEdit(_ op: BinaryOp, _ list: TExpr, _ value: TExpr, _ valueRange: SourceRange, _ range: SourceRange) -> TExpr {
        guard op == .add || op == .sub else {
            diagnostics.error(.wrongType, "a list takes + or - a value, not \"\(op.rawValue)\"", range)
            return TExpr(.invalid, .any, range)
        }
        let v = keyed(value)
        if !v.type.isTextLike && v.type != .null && v.type != .any {
            diagnostics.error(.wrongType, "a list holds text, not a \(v.type)", valueRange)
            return TExpr(.invalid, .any, range)
        }
        return TExpr(.listEdit(list: list, value: v, remove: op == .sub), .list, range)
    }

    /// `x in (query)`: for a reference, the query's rows; otherwise its one select item's values.
    mutating func checkInQuery(_ a: Expr, _ q: Query, negated: Bool, _ queryRange: SourceRange, _ range: SourceRange, _ scope: Scope) -> TExpr {
        let x = check(a, scope)
        guard let tq = checkQuery(q) else { return TExpr(.invalid, .any, range) }
        if tq.isCount {
            diagnostics.error(.wrongQueryShape, "\"in\" takes rows or values, not a count", queryRange)
            return TExpr(.invalid, .any, range)
        }
        if tq.pivot != nil {
            diagnostics.error(.wrongQueryShape, "\"in\" cannot take a pivot", queryRange)
            return TExpr(.invalid, .any, range)
        }
        if x.type == .any { return TExpr(.invalid, .any, range) }
        if q.select == nil && q.groupBy.isEmpty {
            // Membership among the rows: the left side must be a reference to that entity.
            let table = tq.entity.table == "tasks" ? "tasks" : tq.entity.plural
            guard case .reference(let target) = x.type else {
                diagnostics.error(.wrongType, "\"in\" a query of \(tq.entity.plural) takes a \(tq.entity.singular), not a \(x.type)", a.range,
                                  notes: ["or select the one value to compare with, as in (\(tq.entity.plural) where ... select \(tq.entity.key ?? "id"))"])
                return TExpr(.invalid, .any, range)
            }
            guard target == table else {
                diagnostics.error(.wrongType, "\(Checker.describe(x)) is a \(x.type), but the query gives \(tq.entity.plural)", a.range)
                return TExpr(.invalid, .any, range)
            }
            return TExpr(.inQuery(x, tq, negated: negated, rows: true), .bool, range)
        }
        guard tq.columns.count == 1 else {
            diagnostics.error(.wrongQueryShape, "a query after \"in\" must select one item, not \(tq.columns.count)", queryRange)
            return TExpr(.invalid, .any, range)
        }
        let item = tq.columns[0].expr
        if case .reference(let e1) = x.type, case .reference(let e2) = item.type, e1 == e2 {
            tq.rawColumns = true
            return TExpr(.inQuery(x, tq, negated: negated, rows: false), .bool, range)
        }
        // Compare keys with keys: `owner in (tasks select owner)` reads both as names.
        let l = keyed(x)
        let r = keyed(item)
        switch (l.type, r.type) {
        case (.any, _), (_, .any), (.null, _), (_, .null): break
        case let (lt, rt) where lt == rt: break
        case (.text, .enumeration), (.enumeration, .text): break
        default:
            diagnostics.error(.wrongType, "cannot compare a \(x.type) with the query's \(item.type) values", range)
            return TExpr(.invalid, .any, range)
        }
        return TExpr(.inQuery(l, tq, negated: negated, rows: false), .bool, range)
    }

    /// How a checked value is named in a message: its field path, or "the value".
    static func describe(_ x: TExpr) -> String {
        if case .field(let p) = x.kind { return "\"\(p.text)\"" }
        return "the value"
    }

    /// `me`: the person whose login is the user, found when the statement runs.
    mutating func checkMe(_ range: SourceRange) -> TExpr {
        let slot = slotCount
        slotCount += 1
        return TExpr(.lookup(slot: slot, .me), .reference("people"), range)
    }

    /// `me.department`, `me.backup.name`: a field of the person `me` is, read by a subquery.
    mutating func checkMePath(_ names: [Name], _ range: SourceRange) -> TExpr {
        let people = schema.people
        var entity = people
        var hops: [FieldDef] = []
        for (i, n) in names.enumerated() {
            guard let f = entity.field(n.lowered) else {
                diagnostics.error(.unknownField, "unknown field \"\(n.text)\" of \(entity.plural)\(Suggestions.didYouMean(n.text, entity.fieldNames))", n.range)
                return TExpr(.invalid, .any, range)
            }
            if i < names.count - 1 {
                guard case .reference(let target) = f.type, let next = schema.plural(target) else {
                    diagnostics.error(.noFields, "\"\(n.text)\" is a \(PType(f.type)), not a reference: it has no fields", n.range)
                    return TExpr(.invalid, .any, range)
                }
                hops.append(f)
                entity = next
                continue
            }
            let q = TQuery(entity: people)
            let id = TExpr(.field(FieldPath(root: people, hops: [], field: Catalog.idField)), .number, range)
            q.filter = TExpr(.compare(.eq, id, checkMe(range)), .bool, range)
            let column = keyed(TExpr(.field(FieldPath(root: people, hops: hops, field: f)), PType(f.type), range))
            q.columns = [.init(name: f.name, expr: column)]
            q.aggregatesOnly = true
            return TExpr(.subquery(q), column.type, range)
        }
        return TExpr(.invalid, .any, range)
    }

    /// The task of `downstream of X`: a task value, or a WBS code found when the query runs.
    mutating func checkTraversalTask(_ e: Expr, _ scope: Scope) -> TExpr? {
        let code: String?
        switch e.kind {
        case .number(_, let text): code = text
        case .wbs(let s): code = s
        default: code = nil
        }
        let x = code.map { TExpr(.value(.text($0)), .text, e.range) } ?? check(e, scope)
        switch x.type {
        case .any: return nil
        case .reference("tasks"): return x
        case .text:
            if case .value(.text(let c)) = x.kind {
                let slot = slotCount
                slotCount += 1
                return TExpr(.lookup(slot: slot, .task(c)), .reference("tasks"), e.range)
            }
            if case .variable(let v) = x.kind {
                let slot = slotCount
                slotCount += 1
                return TExpr(.lookup(slot: slot, .taskInVariable(v)), .reference("tasks"), e.range)
            }
            diagnostics.error(.wrongType, "downstream of / upstream of takes a task: a WBS code like 3.3.1 or a task variable", e.range)
            return nil
        default:
            diagnostics.error(.wrongType, "downstream of / upstream of takes a task, not a \(x.type)", e.range)
            return nil
        }
    }
}
