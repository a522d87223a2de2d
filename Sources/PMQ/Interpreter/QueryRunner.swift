/// Running checked queries and expressions in the engine, for the statement dispatch and the
/// executors: SQL compiled once per run (`SessionCaches`), bound to the variables, rows
/// converted to typed values; a pivot's two steps; a row named by its key.
extension SessionContext {
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
        let memoryMessage = limits.memoryMessage
        try db.query(c.sql, args) { s in
            var row: [Value] = []
            row.reserveCapacity(columns.count)
            for i in 0..<n {
                row.append(columns[Int(i)].kind.convert(s[i]))
                bytes += 16 + s.byteCount(Int(i))
            }
            if bytes > budget { throw RuntimeError(code: .limitReached, message: memoryMessage + ": nothing was changed", range: .none) }
            rows.append(row)
        }
        return .rows(columns: columns, rows: rows, single: q.shape == .singleRow)
    }

    /// SQL made for a change statement's rows, kept for the run like a query's.
    func changeSQL(for target: TQuery) -> CompiledSQL? { caches.changeSQL(for: target) }
    func rememberChangeSQL(_ sql: CompiledSQL, for target: TQuery) { caches.rememberChange(sql, for: target) }
    func updateSteps(for target: TQuery) -> UpdateSteps? { caches.updateSteps(for: target) }
    func rememberUpdateSteps(_ steps: UpdateSteps, for target: TQuery) { caches.rememberUpdate(steps, for: target) }

    /// Table `table` as it was at the end of `day`, copied into a temporary table for
    /// statements that read it several times (`health as of`). Returns its name.
    func materializeAsOf(_ table: String, day: Day) throws -> String {
        let name = "pmq_asof_\(table)"
        try db.execute(SessionSQL.dropTemp(name))
        try db.run(SessionSQL.createTemp(name, as: AsOfSQL.table(table, columns: schema.storedColumns(table), day: "?1")), [.date(day)])
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

    /// Compiles a query to SQL with its arguments (what `explain` shows).
    func compile(_ q: TQuery) -> SQLStatement {
        let c = cached(q)
        return SQLStatement(sql: c.sql, args: c.resolve(variable))
    }

    /// Compiles a query and finds the rows its lookups name (`me`, `downstream of 1.2`).
    func compileForRun(_ q: TQuery) throws -> SQLStatement {
        let c = cached(q)
        return SQLStatement(sql: c.sql, args: try bindings(c))
    }

    /// The values to bind to compiled SQL, after finding the rows its lookups name.
    func bindings(_ c: CompiledSQL) throws -> [Value] {
        for l in c.lookups { variables[l.slot] = .integer(try find(l.what, l.range)) }
        return c.resolve(variable)
    }

    /// The current value of a script variable, as SQL binds it.
    func variable(_ slot: Int) -> Value { variables.value(slot) }

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
            guard case .text(let code)? = variables[slot] else {
                throw RuntimeError(code: .invalidValue, message: "expected a WBS code here, not \(ConstantEvaluator.text(variables[slot] ?? .null))", range: range)
            }
            return try AddExecutor(session: self).resolve("tasks", code, range, project: currentProject)
        case .me:
            guard let user else {
                throw RuntimeError(code: .meUnknown, message: "\"me\" needs a user name: set PMQ_USER", range: range)
            }
            var ids: [Int64] = []
            try db.query(SessionSQL.peopleWithLogin, [.text(user)]) { s in
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
        var someNull = false
        let kind = ResultColumn.Kind(by.type)
        try db.query(c.sql, try bindings(c)) { s in
            let raw = s[0]
            if raw.isNull {
                if !someNull { someNull = true; count += 1 }
                return
            }
            count += 1
            if count > Checker.maxPivotColumns { return }
            let m = probe.columns.count > 1 ? s[1] : raw
            values.append((ConstantEvaluator.text(kind.convert(raw)), m))
        }
        // The rows whose value is null: a column named null, after the others.
        if someNull, count <= Checker.maxPivotColumns { values.append(("null", .null)) }
        if count > Checker.maxPivotColumns {
            throw RuntimeError(code: .tooComplex, message: "pivot by this gives \(count) columns, more than \(Checker.maxPivotColumns): narrow the rows with where", range: by.range)
        }
        // With `having`, a column only for the values that occur in the groups it keeps: a
        // group it drops must not leave a column that is null in every row (V3). One more
        // statement, the query's own groups, counts each value's rows.
        if q.having != nil, !values.isEmpty {
            let seen = TQuery(entity: q.entity)
            seen.filter = q.filter
            seen.groupBy = q.groupBy
            seen.having = q.having
            seen.sourceSet = q.sourceSet
            seen.base = q.base
            seen.traversal = q.traversal
            seen.asOf = q.asOf
            seen.columns = q.columns
            let count = TExpr(.aggregate(.count, nil), .number, by.range)
            for (i, v) in values.enumerated() {
                seen.columns.append(.init(name: "pivot_\(i)", expr: TExpr(.pivotCell(value: count, by: match, equals: v.match), .number, by.range)))
            }
            let c = compiled(seen)
            let first = q.columns.count
            var used = Set<Int>()
            try db.query(c.sql, try bindings(c)) { s in
                for i in 0..<values.count where !s[first + i].isNull { used.insert(i) }
            }
            values = values.enumerated().filter { used.contains($0.offset) }.map(\.element)
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
        if let c = caches.sql(for: q) { return c }
        let c = compiled(q)
        caches.remember(c, for: q)
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

    /// The value of an expression outside any query: constants in Swift, the rest by the engine.
    func evaluate(_ e: TExpr) throws -> Value {
        do { return try ConstantEvaluator.evaluate(e, calendar: calendar) } catch let o as ConstantEvaluator.OutOfRange { throw o.error } catch {}
        let c: CompiledSQL
        if let hit = caches.sql(for: e) {
            c = hit
        } else {
            var g = SQLGenerator(dialect: dialect, schema: schema)
            g.currentToday = today
            let body = SessionSQL.value(g.output(e))
            let sql = g.finished(body)
            c = CompiledSQL(sql: sql, args: g.args, lookups: g.lookups)
            caches.remember(c, for: e)
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
        let v = try db.scalar(SessionSQL.key(key, of: entity.table), [.integer(id)])
        let text = ConstantEvaluator.text(v)
        return entity.table == "tasks" ? "task \(text)" : "\(entity.singular) \"\(text)\""
    }
}
