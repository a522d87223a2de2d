/// Compiles a checked query to one SQL statement with bound parameters.
///
/// User values never enter the SQL text: literals become numbered parameters.
/// Identifiers come only from the catalog. Aliases: `t0` for the root row of the
/// outermost query, `j1`, `j2`, ... for joins along reference paths, `t1`... for
/// subqueries.
public struct SQLStatement: Sendable {
    public var sql: String
    public var args: [Value]
}

/// A parameter of generated SQL: a literal, or a script variable read when the SQL runs.
/// Variables get placeholders of their own, so the SQL text stays the same from one
/// loop iteration to the next and its prepared statement is reused.
enum SQLArg: Hashable {
    case value(Value)
    case variable(Int)
}

/// Generated SQL whose variable parameters are bound at run time.
struct CompiledSQL {
    var sql: String
    var args: [SQLArg]
    /// Rows to find before the SQL runs (`me`, the task of `downstream of`), each into its slot.
    var lookups: [Lookup] = []

    struct Lookup {
        var slot: Int
        var what: RowLookup
        var range: SourceRange
    }

    func resolve(_ lookup: (Int) -> Value) -> [Value] {
        args.map {
            switch $0 {
            case .value(let v): return v
            case .variable(let slot): return lookup(slot)
            }
        }
    }
}

struct SQLGenerator {
    let dialect: SQLDialect
    /// The database's model: reference targets and `as of` columns come from it.
    let schema: Schema
    private(set) var args: [SQLArg] = []
    /// Where each parameter is in `args`: a value used twice is bound once, and a list of
    /// 8,000 literals (`wbs in ("1", "2", ...)`) is bound in linear time, not quadratic.
    private var argIndex: [SQLArg: Int] = [:]
    private(set) var lookups: [CompiledSQL.Lookup] = []
    private var counter = 0
    private var roots = 0
    /// Inside a pivot cell: the condition that picks the cell's rows, applied to each aggregate.
    private var pivotFilter: String?

    init(dialect: SQLDialect = SQLiteDialect(), schema: Schema = .builtIn) {
        self.dialect = dialect
        self.schema = schema
    }

    /// Joins needed by one query level, keyed by the reference path they follow (its hops).
    private struct Level {
        var root: String
        var entity: EntityDef
        var joins: [(path: [FieldDef], sql: String, alias: String)] = []
    }
    private var levels: [Level] = []
    /// While HAVING and ORDER BY are written: the select items, which they name by expression.
    private var selectItemsWrittenOut: [TExpr]?


    // MARK: - Statements

    /// `idsOnly`: select just the rows' ids (a saved query used as a source, a change's target).
    mutating func query(_ q: TQuery, idsOnly: Bool = false) -> String {
        // `as of D` holds for this query and every query inside it that has no day of its own.
        let outerAsOf = asOf
        if let d = q.asOf { asOf = d }
        defer { asOf = outerAsOf }
        if !idsOnly, !q.isCount, let sql = groupedByReferences(q) { return sql }
        let root = SQLGenerator.rootAlias(roots)
        roots += 1
        levels.append(Level(root: root, entity: q.entity))
        defer { levels.removeLast() }

        // The source's conditions, then the filter's, made first: their parameters come first.
        // The filter, nearly always the only one, stays bytes until it is copied into the statement.
        var conditions = sourceConditions(q, root)
        var filter: SQLText? = nil
        if let f = q.filter {
            var out = SQLText(capacity: SQLGenerator.conditionCapacity)
            writeCondition(f, into: &out)
            filter = out
        }
        // Stored columns (`x in (... group by owner select owner)`) group by the stored value
        // too: the same groups, and what PostgreSQL asks of a selected column.
        var groups = q.groupBy.map { q.rawColumns ? expr($0) : output($0) }
        // Tasks are put in order by their WBS sort key: grouped too, as PostgreSQL asks of
        // every column ORDER BY reads (the key follows from the code, so the groups are the same).
        // (Only tasks are asked: ordering an enum may bind values, which must then be used.)
        for g in q.groupBy {
            guard case .field(let p) = g.kind, p.field.type == .reference("tasks") || (p.field.name == "wbs" && p.owner.table == "tasks") else { continue }
            let o = ordering(g, q)
            if o.hasSuffix(".wbs_key") { groups.append(o) }
        }

        // The statement is written into this one buffer, clause by clause (the clauses
        // are made in the order their parameters are numbered, not in the text's order).
        var sql = SQLText(capacity: SQLGenerator.statementCapacity)
        sql.put("SELECT ")
        if idsOnly {
            sql.append(root)
            sql.put(".id")
        } else if q.isCount && q.groupBy.isEmpty && q.limit == nil && q.offset == nil && !q.aggregatesOnly {
            sql.append(dialect.countAll)
        } else {
            // Raw columns are the values a change statement computes (`set finish = finish + 5d`):
            // a date past the range is kept as it is, for the statement to refuse it by name,
            // rather than made null and stored (datesInRange).
            let guarding = guardDates
            if q.rawColumns { guardDates = false }
            for (i, c) in q.columns.enumerated() {
                if i > 0 { sql.put(", ") }
                if q.rawColumns { write(c.expr, into: &sql) } else { writeOutput(c.expr, into: &sql) }
                sql.put(" AS ")
                sql.append(SQLGenerator.columnAlias(i))
            }
            guardDates = guarding
        }
        var order: [String] = []
        // A select item inside an ORDER BY expression (`order by c * 2`) is written out, as in
        // HAVING: an output alias inside an expression is SQLite's liberty, not PostgreSQL's.
        // (Only those two clauses name select items: without them no list is made.)
        let outerColumns = selectItemsWrittenOut
        selectItemsWrittenOut = q.orderBy.isEmpty && q.having == nil ? nil : q.columns.map(\.expr)
        defer { selectItemsWrittenOut = outerColumns }
        // The usual tail, `ORDER BY t0.id`, is written in place below instead of made as a String.
        var orderByRowId = false
        if idsOnly {
            for o in q.orderBy { order.append(dialect.orderTerm(ordering(o.expr, q), descending: o.descending)) }
            order.append("\(root).id")
        } else if !(q.isCount && q.groupBy.isEmpty) && !q.aggregatesOnly {
            for o in q.orderBy { order.append(dialect.orderTerm(ordering(o.expr, q), descending: o.descending)) }
            if q.groupBy.isEmpty {
                // Ties keep the order rows were added in, so limit/offset pages are stable.
                if order.isEmpty && !q.entity.isJournal {
                    orderByRowId = true
                } else {
                    order.append("\(root).id")
                }
                // A journal entry that added a range of rows reads as one row per added row.
                if q.entity.isJournal { order.append("\(root).row_id") }
            } else {
                // Groups come in key order; ties of an explicit order also fall back to it, so
                // `order by n desc limit 8` picks the same groups on every engine. (Stored
                // columns are values for IN, where order means nothing.)
                if !q.rawColumns { order += q.groupBy.map { dialect.orderTerm(ordering($0, q), descending: false) } }
            }
        }
        let limit = q.limit.map { " LIMIT " + expr($0) } ?? (q.offset != nil ? " LIMIT -1" : "")
        let offset = q.offset.map { " OFFSET " + expr($0) } ?? ""
        // HAVING names a select item by its expression: an output alias there is SQLite's
        // liberty, not standard SQL's.
        let having = q.having.map { " HAVING " + condition($0) } ?? ""

        let level = levels[levels.count - 1]
        if !idsOnly, q.isCount, q.groupBy.isEmpty, q.having == nil, q.limit == nil, q.offset == nil, let d = asOf,
           RowVersions.travelled.contains(where: { $0.table == q.entity.table }) {
            // A count as of a day: counted on the table now and corrected by what changed
            // since (AsOfSQL.count), instead of copying every row of the day's model.
            let joins = level.joins.map(\.sql).joined(separator: " ")
            if let filter { conditions.append(filter.string) }
            let day = expr(d)
            asOfTables.append((q.entity.table, day, true))
            return AsOfSQL.count(q.entity.table, root: root, joins: joins, conditions: conditions,
                                 versions: asOfMark(asOfTables.count - 1), day: day)
        }
        let from = source(q.entity.table)
        sql.put(" FROM ")
        sql.append(from)
        sql.put(" ")
        sql.append(root)
        for j in level.joins {
            sql.put(" ")
            sql.append(j.sql)
        }
        SQLGenerator.append(conditions, separator: " AND ", after: " WHERE ", to: &sql)
        if let filter {
            sql.put(conditions.isEmpty ? " WHERE " : " AND ")
            sql.append(filter)
        }
        if !groups.isEmpty {
            SQLGenerator.append(groups, separator: ", ", after: " GROUP BY ", to: &sql)
            sql.append(having)
        }
        if orderByRowId {
            sql.put(" ORDER BY ")
            sql.append(root)
            sql.put(".id")
        } else {
            SQLGenerator.append(order, separator: ", ", after: " ORDER BY ", to: &sql)
        }
        sql.append(limit)
        sql.append(offset)
        if q.isCount && !idsOnly && !(q.groupBy.isEmpty && q.limit == nil && q.offset == nil && !q.aggregatesOnly) {
            return "SELECT \(dialect.countAll) FROM (\(sql.string))"
        }
        return sql.string
    }

    /// Room for a typical statement, so it is written without growing the buffer.
    private static let statementCapacity = 1024
    /// A WHERE is often longer than an expression's default room (`late` alone is 200 bytes).
    private static let conditionCapacity = 512
    /// `c0` to `c63`, made once: every select item of every query is named by one.
    private static let columnAliases = (0..<64).map { "c\($0)" }
    private static func columnAlias(_ i: Int) -> String { i < columnAliases.count ? columnAliases[i] : "c\(i)" }
    /// `t0` to `t15`, made once: every query names its row by one (an interpolation cost 300 instructions).
    private static let rootAliases = (0..<16).map { "t\($0)" }
    private static func rootAlias(_ i: Int) -> String { i < rootAliases.count ? rootAliases[i] : "t\(i)" }

    /// Appends `head` and the parts with `separator` between them; nothing when there are none.
    private static func append(_ parts: [String], separator: StaticString, after head: StaticString, to out: inout SQLText) {
        guard !parts.isEmpty else { return }
        out.put(head)
        for (i, p) in parts.enumerated() {
            if i > 0 { out.put(separator) }
            out.append(p)
        }
    }

    /// What picks a query's rows: its source (milestones, a traversal, a set, a saved query) and `where`.
    private mutating func rowConditions(_ q: TQuery, _ root: String) -> [String] {
        var conditions = sourceConditions(q, root)
        if let f = q.filter { conditions.append(condition(f)) }
        return conditions
    }

    /// `rowConditions` without `where` (none for most queries).
    private mutating func sourceConditions(_ q: TQuery, _ root: String) -> [String] {
        var conditions: [String] = []
        if q.entity.onlyMilestones { conditions.append("\(root).milestone = 1") }
        if let t = q.traversal { conditions.append(traversal(root, downstream: t.downstream, task: t.task)) }
        if let slot = q.sourceSet {
            conditions.append("\(root).id IN (\(dialect.idsOf(bindVariable(slot))))")
        }
        if let base = q.base {
            conditions.append("\(root).id IN (\(query(base, idsOnly: true)))")
        }
        return conditions
    }

    /// A pivot's columns when `by` is a plain reference or enum column of the row: the
    /// candidate values (the referenced rows, the enum's values) that some row of the query
    /// has, found by an indexed EXISTS probe each instead of a scan and sort of every row.
    /// Gives (label, value a cell compares) in the column order, then a row of nulls when
    /// some row's value is null (and two columns the order needs).
    mutating func pivotColumns(_ q: TQuery, by: TExpr) -> String? {
        guard case .field(let p) = by.kind, p.hops.isEmpty, p.outer == nil, p.rootVariable == nil,
              let column = p.field.column else { return nil }
        let root = "t\(roots)"
        roots += 1
        levels.append(Level(root: root, entity: q.entity))
        defer { levels.removeLast() }
        let conditions = rowConditions(q, root)
        var from = "SELECT 1 FROM \(q.entity.table) \(root)"
        for j in levels[levels.count - 1].joins { from += " " + j.sql }
        func probe(_ test: String) -> String { from + " WHERE " + ([test] + conditions).joined(separator: " AND ") }
        // Rows whose value is null get a column of their own, after the others (a pivot
        // accounts for every row, as `group by` keeps a null group): a last row of nulls.
        let nullRow = " UNION ALL SELECT NULL, NULL, 1, NULL WHERE EXISTS (\(probe("\(root).\(column) IS NULL")))"
        switch p.field.type {
        case .reference(let target):
            guard let def = schema.plural(target), let key = def.key else { return nil }
            let order = def.table == "tasks" ? "k.wbs_key" : "k.\(key)"
            return "SELECT k.\(key), k.v, 0, \(order) FROM (SELECT id AS v, * FROM \(def.table)) k WHERE k.\(key) IS NOT NULL AND EXISTS (\(probe("\(root).\(column) = k.v")))"
                + nullRow + " ORDER BY 3, 4, 2"
        case .enumeration(let values):
            let list = values.enumerated().map { "SELECT \(enumLiteral($1)) AS v, \($0) AS o" }.joined(separator: " UNION ALL ")
            return "SELECT k.v, k.v, 0, k.o FROM (\(list)) k WHERE EXISTS (\(probe("\(root).\(column) = k.v")))" + nullRow + " ORDER BY 3, 4"
        default:
            return nil
        }
    }

    /// `tasks ... group by owner select owner, count(), sum(cost)`: group on the foreign
    /// key and look the key up once per group, not once per row. Only for queries whose
    /// group keys are references of the row and whose other columns aggregate plain columns.
    private mutating func groupedByReferences(_ q: TQuery) -> String? {
        // Stored columns (a reference as its id, `x in (... group by owner select owner)`)
        // are the plain statement's.
        guard q.having == nil, q.traversal == nil, !q.rawColumns else { return nil }
        var keys: [FieldPath] = []
        for g in q.groupBy {
            guard case .field(let p) = g.kind, p.hops.isEmpty, p.rootVariable == nil, p.outer == nil, p.field.column != nil,
                  case .reference = p.field.type else { return nil }
            keys.append(p)
        }
        guard !keys.isEmpty else { return nil }
        func keyIndex(_ e: TExpr) -> Int? {
            guard case .field(let p) = e.kind else { return nil }
            return keys.firstIndex(of: p)
        }
        for c in q.columns where keyIndex(c.expr) == nil {
            guard case .aggregate(_, let arg) = c.expr.kind, (arg?.cost ?? 0) == 0 else { return nil }
        }
        for o in q.orderBy {
            if case .selectColumn = o.expr.kind { continue }
            if keyIndex(o.expr) != nil { continue }
            return nil
        }
        // Inner query: filter and aggregate on the row's own columns.
        let root = "t\(roots)"
        roots += 1
        levels.append(Level(root: root, entity: q.entity))
        var conditions: [String] = []
        if q.entity.onlyMilestones { conditions.append("\(root).milestone = 1") }
        if let slot = q.sourceSet { conditions.append("\(root).id IN (\(dialect.idsOf(bindVariable(slot))))") }
        if let base = q.base { conditions.append("\(root).id IN (\(query(base, idsOnly: true)))") }
        if let f = q.filter { conditions.append(condition(f)) }
        var inner = keys.enumerated().map { "\(root).\($1.field.column ?? "") AS k\($0)" }
        for (i, c) in q.columns.enumerated() where keyIndex(c.expr) == nil { inner.append("\(expr(c.expr)) AS c\(i)") }
        var innerSQL = "SELECT " + inner.joined(separator: ", ") + " FROM \(source(q.entity.table)) \(root)"
        for j in levels[levels.count - 1].joins { innerSQL += " " + j.sql }
        levels.removeLast()
        if !conditions.isEmpty { innerSQL += " WHERE " + conditions.joined(separator: " AND ") }
        // The unary + keeps SQLite from walking the foreign key's index to group: a scan and a sort are faster.
        innerSQL += " GROUP BY " + keys.map { "+\(root).\($0.field.column ?? "")" }.joined(separator: ", ")

        // Outer query: each group's keys looked up once.
        var joins: [String] = []
        var keyOutput: [String] = []
        var keyOrder: [String] = []
        for (i, k) in keys.enumerated() {
            guard case .reference(let target) = k.field.type, let def = schema.plural(target), let key = def.key else { return nil }
            counter += 1
            let a = "j\(counter)"
            joins.append("LEFT JOIN \(source(def.table)) \(a) ON \(a).id = g.k\(i)")
            keyOutput.append("\(a).\(key)")
            keyOrder.append(def.table == "tasks" ? "\(a).wbs_key" : "\(a).\(key)")
        }
        let outer = q.columns.enumerated().map { i, c in (keyIndex(c.expr).map { keyOutput[$0] } ?? "g.c\(i)") + " AS c\(i)" }
        var order: [String] = []
        for o in q.orderBy {
            if case .selectColumn(let i) = o.expr.kind {
                order.append(dialect.orderTerm(keyIndex(q.columns[i].expr).map { keyOrder[$0] } ?? "c\(i)", descending: o.descending))
            } else if let k = keyIndex(o.expr) {
                order.append(dialect.orderTerm(keyOrder[k], descending: o.descending))
            }
        }
        // Ties of an explicit order fall back to key order (as in `query`), the same on every engine.
        order += keyOrder.map { dialect.orderTerm($0, descending: false) }
        var sql = "SELECT " + outer.joined(separator: ", ") + " FROM (" + innerSQL + ") g " + joins.joined(separator: " ")
        sql += " ORDER BY " + order.joined(separator: ", ")
        if let l = q.limit { sql += " LIMIT " + expr(l) } else if q.offset != nil { sql += " LIMIT -1" }
        if let o = q.offset { sql += " OFFSET " + expr(o) }
        return sql
    }

    // MARK: - Parameters

    private mutating func bind(_ v: Value) -> String { placeholder(for: .value(v)) }

    private mutating func bindVariable(_ slot: Int) -> String { placeholder(for: .variable(slot)) }

    private mutating func placeholder(for arg: SQLArg) -> String {
        if let i = args.count <= SQLGenerator.argsScanned ? args.firstIndex(of: arg) : argIndex[arg] { return dialect.placeholder(i + 1) }
        // Room for a typical query's parameters at once, instead of growing at 1, 2 and 4.
        if args.isEmpty { args.reserveCapacity(8) }
        args.append(arg)
        if args.count > SQLGenerator.argsScanned {
            // From here on by the index: made from the arguments so far the first time.
            if argIndex.isEmpty { for (i, a) in args.enumerated() { argIndex[a] = i } } else { argIndex[arg] = args.count - 1 }
        }
        return dialect.placeholder(args.count)
    }
    /// Up to this many arguments are searched in place: hashing values cost more than
    /// comparing a few (most queries bind one to five).
    private static let argsScanned = 16


    // MARK: - Paths and joins

    /// The alias of the row that owns the path's field, adding LEFT JOINs as needed.
    private mutating func alias(for path: FieldPath) -> String {
        // A path from an enclosing query's row (`t.wbs` in a nested query) joins at that level.
        let level = max(0, levels.count - 1 - (path.outer ?? 0))
        // A field of the row itself (most paths): its level's alias, no joins to look for.
        if path.hops.isEmpty { return levels[level].root }
        var current = levels[level].root
        for (n, hop) in path.hops.enumerated() {
            guard case .reference(let target) = hop.type, let next = schema.plural(target) else { break }
            // The join for the path's first n + 1 hops, compared hop by hop (the same field, or
            // one of the same name): no path text is made for each field written.
            if let j = levels[level].joins.first(where: { SQLGenerator.samePath($0.path, path.hops, count: n + 1) }) {
                current = j.alias
            } else {
                counter += 1
                let a = "j\(counter)"
                let table = source(next.table)
                var join = SQLText(capacity: 96)
                join.put("LEFT JOIN "); join.append(table); join.put(" "); join.append(a); join.put(" ON ")
                if case .computed(.parent) = hop.storage {
                    // a.wbs = current.parent_wbs AND a.project IS current.project
                    join.append(a); join.put(".wbs = "); join.append(current); join.put(".parent_wbs AND ")
                    join.append(a); join.put(".project IS "); join.append(current); join.put(".project")
                } else {
                    // a.id = current.column
                    join.append(a); join.put(".id = "); join.append(current); join.put("."); join.append(hop.column ?? hop.name)
                }
                levels[level].joins.append((Array(path.hops[...n]), join.string, a))
                current = a
            }
        }
        return current
    }

    /// Whether `joined` is the first `count` hops of `hops`: field by field, by name.
    private static func samePath(_ joined: [FieldDef], _ hops: [FieldDef], count: Int) -> Bool {
        guard joined.count == count else { return false }
        for i in 0..<count where joined[i] !== hops[i] && joined[i].name != hops[i].name { return false }
        return true
    }

    private mutating func fieldSQL(_ path: FieldPath) -> String {
        if let slot = path.rootVariable {
            // A field of a row variable: read from the copy of the row taken when the
            // variable was bound, so `t.owner` still names the owner the loop started with
            // after `assign ... to t` (a row is "taken once", like a set).
            counter += 1
            let v = "v\(counter)"
            levels.append(Level(root: v, entity: path.root))
            var inner = path
            inner.rootVariable = nil
            // A row read as of a day (`for t in tasks as of D`): its computed fields' today is D.
            let outerRowDay = rowDay
            rowDay = "\(v).\(SessionSQL.snapshotDay)"
            let field = fieldSQL(inner)
            rowDay = outerRowDay
            let joins = levels[levels.count - 1].joins.map(\.sql).joined(separator: " ")
            levels.removeLast()
            return "(SELECT \(field) FROM temp.\(SQLGenerator.snapshotTable(slot)) \(v) \(joins) WHERE \(v).id = \(bindVariable(slot)))"
        }
        var out = SQLText()
        writeField(path, into: &out)
        return out.string
    }

    /// `fieldSQL`, appended to `out`: a column as `alias.column`, a computed field in place.
    private mutating func writeField(_ path: FieldPath, into out: inout SQLText) {
        if path.rootVariable != nil {
            out.append(fieldSQL(path))
            return
        }
        guard !levels.isEmpty, (path.outer ?? 0) < levels.count else {
            out.put("NULL")
            return
        }
        let a = alias(for: path)
        switch path.field.storage {
        case .column(let c):
            out.append(a)
            out.put(".")
            out.append(c)
        case .computed(let c):
            writeComputed(c, a, into: &out)
        }
    }

    /// The computed fields a typical query reads, appended to `out`; the rest through `computed`.
    private mutating func writeComputed(_ c: ComputedField, _ a: String, into out: inout SQLText) {
        func column(_ name: String) {
            out.append(a)
            out.put(".")
            out.append(name)
        }
        switch c {
        case .duration:
            // (CASE WHEN a.milestone THEN 0 ELSE a.finish - a.start + 1 END)
            out.put("(CASE WHEN "); column("milestone"); out.put(" THEN 0 ELSE "); column("finish"); out.put(" - "); column("start"); out.put(" + 1 END)")
        case .late:
            // status is never null and always one of the enum's values, so ELSE covers todo/doing/blocked.
            // (CASE a.status WHEN 'done' THEN (CASE WHEN a.actual_finish - a.finish > 0 THEN a.actual_finish - a.finish ELSE 0 END)
            //  WHEN 'cancelled' THEN 0 ELSE (CASE WHEN a.finish < today THEN today - a.finish ELSE 0 END) END)
            let today = todaySQL()
            out.put("(CASE "); column("status"); out.put(" WHEN 'done' THEN (CASE WHEN ")
            column("actual_finish"); out.put(" - "); column("finish"); out.put(" > 0 THEN ")
            column("actual_finish"); out.put(" - "); column("finish"); out.put(" ELSE 0 END)")
            out.put(" WHEN 'cancelled' THEN 0 ELSE (CASE WHEN "); column("finish"); out.put(" < "); out.append(today)
            out.put(" THEN "); out.append(today); out.put(" - "); column("finish"); out.put(" ELSE 0 END) END)")
        case .overdue:
            // (CASE WHEN a.status IN ('todo', 'doing', 'blocked') AND a.finish < today THEN 1 ELSE 0 END)
            let today = todaySQL()
            out.put("(CASE WHEN "); column("status"); out.put(" IN ('todo', 'doing', 'blocked') AND "); column("finish")
            out.put(" < "); out.append(today); out.put(" THEN 1 ELSE 0 END)")
        case .remaining:
            // (a.finish - today)
            let today = todaySQL()
            out.put("("); column("finish"); out.put(" - "); out.append(today); out.put(")")
        case .slip:
            out.put("("); column("finish"); out.put(" - "); column("baseline_finish"); out.put(")")
        case .score:
            out.put("("); column("probability"); out.put(" * "); column("impact"); out.put(")")
        default:
            out.append(computed(c, a))
        }
    }

    /// The pinned computed fields of docs/language.md, “The model”, as SQL over the row aliased `a`.
    private mutating func computed(_ c: ComputedField, _ a: String) -> String {
        switch c {
        case .duration, .late, .overdue, .remaining, .slip, .score:
            var out = SQLText()
            writeComputed(c, a, into: &out)
            return out.string
        case .level:
            return "(length(\(a).wbs) - length(replace(\(a).wbs, '.', '')) + 1)"
        case .actualCost:
            // A summary counts the costs booked on it and on every task below it: its branch
            // is a range of the (project, wbs) index, `W.` up to `W/` ('/' follows '.').
            return "(CASE WHEN \(summaryTest(a)) THEN (SELECT total(cx.amount) FROM \(source("tasks")) bx JOIN \(source("costs")) cx ON cx.task = bx.id"
                + " WHERE bx.project IS \(a).project AND (bx.wbs = \(a).wbs OR (bx.wbs > \(a).wbs || '.' AND bx.wbs < \(a).wbs || '/')))"
                + " ELSE (SELECT total(cx.amount) FROM \(source("costs")) cx WHERE cx.task = \(a).id) END)"
        case .summary:
            return "(CASE WHEN \(summaryTest(a)) THEN 1 ELSE 0 END)"
        case .planned:
            return "(CASE WHEN EXISTS (SELECT 1 FROM \(source("change_tasks")) px WHERE px.change = \(a).id) THEN 1 ELSE 0 END)"
        case .overallocated:
            // Uncorrelated: the load is computed once for the whole query, not once a person.
            return "(CASE WHEN \(a).id IN (SELECT ox.person FROM \(source("load")) ox WHERE ox.over) THEN 1 ELSE 0 END)"
        case .parent:
            return "(SELECT px.id FROM \(source("tasks")) px WHERE px.wbs = \(a).parent_wbs AND px.project IS \(a).project)"
        case .scheduled(let column):
            // The column name comes from the catalog.
            return "(SELECT sx.\(column) FROM task_schedule sx WHERE sx.id = \(a).id)"
        }
    }

    /// True when some task has the row aliased `a` as its parent (index tasks_children).
    private mutating func summaryTest(_ a: String) -> String {
        "EXISTS (SELECT 1 FROM \(source("tasks")) kx WHERE kx.project IS \(a).project AND kx.parent_wbs = \(a).wbs)"
    }

    /// The temporary table holding row variable `slot`'s row as it was when bound.
    static func snapshotTable(_ slot: Int) -> String { "pmq_row_\(slot)" }

    /// `today` reaches the generator through the checker's literals; computed fields need it too.
    var currentToday = Day(0)
    /// Whether a date computed past the range becomes null (`inDateRange`): in what a query
    /// shows and compares, not in the new values of a change statement.
    var guardDates = true

    /// The day of the `as of` in force, if any (docs/language.md, “Time travel”).
    private var asOf: TExpr?
    /// The `as of` day column of the row variable whose field is being read, if any.
    private var rowDay: String?

    /// `today` inside computed fields: the `as of` day when the query travels.
    private mutating func todaySQL() -> String {
        if let r = rowDay { return "coalesce(\(r), \(asOf.map { expr($0) } ?? bind(.date(currentToday))))" }
        if let d = asOf { return expr(d) }
        return bind(.date(currentToday))
    }

    /// What a query reads for a table: the table itself, the journal's rows, or the table
    /// rebuilt as of the day in force. Table names come from the catalog.
    private mutating func source(_ table: String) -> String {
        if table == "journal" { return "(" + JournalSQL(schema: schema, dialect: dialect).source(day: asOf.map { expr($0) }) + ")" }
        if table == "load" {
            // Each table once, as of the day in force: the same day expression for all.
            var tables: [String: String] = [:]
            for t in ["tasks", "people", "assignments", "leaves", "holidays", "workdays"] { tables[t] = source(t) }
            return "(" + LoadSQL.source { tables[$0] ?? $0 } + ")"
        }
        guard let d = asOf else { return table }
        // The columns are filled in by `finished`, once the whole statement says which it reads.
        asOfTables.append((table, expr(d), false))
        return "(" + asOfMark(asOfTables.count - 1) + ")"
    }

    private func asOfMark(_ i: Int) -> String { SQLGenerator.asOfMark + String(i) + SQLGenerator.asOfMark }

    /// Tables read `as of` a day, each waiting in the text for its column list (see `finished`).
    private var asOfTables: [(table: String, day: String, versionsOnly: Bool)] = []
    /// Brackets an index into `asOfTables` in the SQL text; never in SQL otherwise (user
    /// values are bound, identifiers come from the schema).
    private static let asOfMark = "\u{1}"

    /// The statement with each `as of` table written out, copying only the stored columns the
    /// statement reads (and `id`). A table as of a day is a `UNION ALL` of the rows now and
    /// their versions; SQLite cannot flatten it into a count or an aggregate, so every column
    /// it lists is copied for every row it yields. Every column of a table is read through an
    /// alias (`t0.status`), so a column the text never names after a dot is not read.
    func finished(_ sql: String) -> String {
        guard !asOfTables.isEmpty else { return sql }
        let parts = sql.components(separatedBy: SQLGenerator.asOfMark)
        var out = ""
        var read: [String: [String]] = [:]
        for (i, part) in parts.enumerated() {
            guard i % 2 == 1 else { out += part; continue }
            guard let n = Int(part), asOfTables.indices.contains(n) else { out += part; continue }
            let t = asOfTables[n]
            let columns = read[t.table] ?? schema.storedColumns(t.table).filter { $0 == "id" || SQLGenerator.names(sql, column: $0) }
            read[t.table] = columns
            out += t.versionsOnly ? AsOfSQL.versionsPart(t.table, columns: columns, day: t.day)
                : AsOfSQL.table(t.table, columns: columns, day: t.day)
        }
        return out
    }

    /// True when `sql` names `column` after a dot (`x.column`, not `x.column_2`).
    static func names(_ sql: String, column: String) -> Bool {
        let needle = "." + column
        var rest = sql[...]
        while let r = rest.range(of: needle) {
            let after = rest[r.upperBound...].first
            if let c = after, c.isLetter || c.isNumber || c == "_" { rest = rest[r.upperBound...]; continue }
            return true
        }
        return false
    }

    /// `was` and `changed`: the row's entries in the journal (booked on or before the
    /// `as of` day when the query travels).
    private mutating func journalTest(_ t: JournalTest) -> String {
        let row = levels.last?.root ?? "t0"
        func stored(_ v: JournalTest.Stored, _ column: String) -> String {
            // Journal values are read through the dialect: SQLite keeps each value's type,
            // PostgreSQL keeps them as text.
            if let r = v.reference, let key = r.key {
                // A null V is the change to or from no reference (`owner changed to null`).
                let value = expr(v.value)
                return "(CAST(je.\(column) AS INTEGER) IN (SELECT kx.id FROM \(r.table) kx WHERE kx.\(key) = \(value))"
                    + " OR (\(dialect.journalValueIs("je.\(column)", "NULL")) AND CAST(\(value) AS TEXT) IS NULL))"
            }
            return dialect.journalValueIs("je.\(column)", expr(v.value))
        }
        // Before schema step 13 (IdsNeverReused) SQLite gave a new row the id after the
        // largest, so a file journaled then may hold an id used again after the newest row
        // was deleted: only the entries of the row's current life count, those
        // after the last add of that id by a change (an undo's re-insert is the same life).
        // Looked up only for ids that were ever deleted.
        let life = "NOT EXISTS (SELECT 1 FROM journal_entries jd WHERE jd.entity = '\(t.entity.table)' AND jd.row_id = je.row_id AND jd.field = '-')"
            + " OR je.id > coalesce((SELECT max(jb.id) FROM journal_entries jb JOIN journal_sets jbs ON jbs.id = jb.set_id"
            + " WHERE jb.entity = '\(t.entity.table)' AND jb.field = '+' AND jb.row_id <= je.row_id AND coalesce(jb.new_value, jb.row_id) >= je.row_id"
            + " AND jbs.kind = 'change'), 0)"
        // The row's life is tested last: SQLite tests a WHERE's terms in order, and the value,
        // user and day tests are cheaper and pass fewer entries.
        var conditions = ["je.entity = '\(t.entity.table)'", "je.field = '\(t.column)'"]
        var needsSet = false
        switch t.kind {
        case .was(let current, let value, let negated):
            let either = "(" + stored(value, "old_value") + " OR " + stored(value, "new_value") + ")"
            if let d = asOf {
                // The values of the changes booked up to D, and the row's first value: the
                // `old` of its first change, whenever that was booked. A change booked on an
                // earlier day than one already made (`--today` a past day) can leave the first
                // value the old of a change booked after D, though the row held it up to D.
                let first = "NOT EXISTS (SELECT 1 FROM journal_entries jp WHERE jp.entity = je.entity AND jp.field = je.field AND jp.row_id = je.row_id AND jp.id < je.id)"
                conditions.append("((js.day <= \(expr(d)) AND \(either)) OR (\(stored(value, "old_value")) AND \(first)))")
                needsSet = true
            } else {
                conditions.append(either)
            }
            let from = "FROM journal_entries je" + (needsSet ? " JOIN journal_sets js ON js.id = je.set_id" : "")
            conditions.append("(\(life))")
            let sql = "(coalesce(\(condition(current)), FALSE) OR \(row).id IN (SELECT je.row_id \(from) WHERE \(conditions.joined(separator: " AND "))))"
            return negated ? "(NOT \(sql))" : sql
        case .changed(let from, let to, let by, let after, let before):
            if let d = asOf { conditions.append("js.day <= \(expr(d))"); needsSet = true }
            if let from { conditions.append(stored(from, "old_value")) }
            if let to { conditions.append(stored(to, "new_value")) }
            if let by { conditions.append("js.user = \(expr(by))"); needsSet = true }
            if let after { conditions.append("js.day > \(expr(after))"); needsSet = true }
            if let before { conditions.append("js.day < \(expr(before))"); needsSet = true }
            // With `after`, only the sets booked since are read (CROSS JOIN keeps that order).
            let source = after != nil ? "FROM journal_sets js CROSS JOIN journal_entries je ON je.set_id = js.id"
                : "FROM journal_entries je" + (needsSet ? " JOIN journal_sets js ON js.id = je.set_id" : "")
            conditions.append("(\(life))")
            return "(\(row).id IN (SELECT je.row_id \(source) WHERE \(conditions.joined(separator: " AND "))))"
        }
    }

    // MARK: - Expressions

    /// A condition in a WHERE: the same as `expr`, but positive uses of `overdue` take the
    /// form an index on (status, finish) can serve.
    private mutating func condition(_ e: TExpr) -> String {
        var out = SQLText(capacity: SQLGenerator.conditionCapacity)
        writeCondition(e, into: &out)
        return out.string
    }

    /// `condition`, appended to `out`.
    private mutating func writeCondition(_ e: TExpr, into out: inout SQLText) {
        switch e.kind {
        case .field(let p):
            if case .computed(.overdue) = p.field.storage {
                let a = alias(for: p)
                // (a.finish < today AND a.status IN ('todo', 'doing', 'blocked')): where no index
                // serves the two (the row versions of `as of`), SQLite tests them row by row in
                // this order, and the comparison is one instruction where the list of three is a
                // look-up in a temporary index; about a tenth of `count tasks as of D where
                // overdue` (BENCHMARKS.md, "k: the seventh pass"). An index on (status, finish)
                // serves either order alike.
                let today = todaySQL()
                out.put("(")
                out.append(a)
                out.put(".finish < ")
                out.append(today)
                out.put(" AND ")
                out.append(a)
                out.put(".status IN ('todo', 'doing', 'blocked'))")
                return
            }
            write(e, into: &out)
        case .logic(let op, let x, let y):
            // Two terms that are not chains of the same operator (`a and b`, the usual WHERE):
            // written as the chain below would write them, without its arrays.
            if !SQLGenerator.isChain(x, op), !SQLGenerator.isChain(y, op) {
                // AND: the cheaper term first, the written order on a tie (the sort below).
                let swap = op == .and && x.cost > y.cost
                out.put("(")
                writeCondition(swap ? y : x, into: &out)
                out.put(op == .and ? " AND " : " OR ")
                writeCondition(swap ? x : y, into: &out)
                out.put(")")
                return
            }
            var operands = chain(e, op)
            if op == .and {
                // SQLite evaluates AND terms left to right: plain column tests first let it
                // skip computed CASEs and subqueries on most rows. The result is the same.
                // (Each term's cost is worked out once; terms already in order are left as they are.)
                let costs = operands.map(\.cost)
                if zip(costs, costs.dropFirst()).contains(where: { $0 > $1 }) {
                    operands = operands.indices.sorted { (costs[$0], $0) < (costs[$1], $1) }.map { operands[$0] }
                }
            }
            guard operands.count <= SQLGenerator.flatChain else {
                out.append(joined(operands.map { condition($0) }, op))
                return
            }
            // `joined` for a chain that needs no grouping: (a AND b AND c).
            out.put("(")
            for (i, x) in operands.enumerated() {
                if i > 0 { out.put(op == .and ? " AND " : " OR ") }
                writeCondition(x, into: &out)
            }
            out.put(")")
        default:
            write(e, into: &out)
        }
    }

    /// Whether `e` is itself an `op` chain, whose terms `chain` would take apart.
    private static func isChain(_ e: TExpr, _ op: BinaryOp) -> Bool {
        if case .logic(let o, _, _) = e.kind { return o == op }
        return false
    }

    /// The operands of a chain like `a and b and c`, in order, however the parser grouped
    /// them (it builds long chains as balanced trees). Chains are written flat,
    /// `(a AND b AND c)`, not nested: SQLite's parser has a small stack for parentheses.
    private func chain(_ e: TExpr, _ op: BinaryOp) -> [TExpr] {
        var operands: [TExpr] = []
        var pending = [e]
        while let node = pending.popLast() {
            if case .logic(let o, let x, let y) = node.kind, o == op {
                pending.append(y)
                pending.append(x)
            } else {
                operands.append(node)
            }
        }
        return operands
    }

    /// Operands joined by AND or OR. SQLite nests `a OR b OR c` one level a term and refuses
    /// more than 1,000 levels, so a long chain is written as flat groups of at most 100.
    private func joined(_ sql: [String], _ op: BinaryOp) -> String {
        let word = op == .and ? " AND " : " OR "
        guard sql.count > SQLGenerator.flatChain else { return "(" + sql.joined(separator: word) + ")" }
        let groups = stride(from: 0, to: sql.count, by: SQLGenerator.flatChain).map {
            Array(sql[$0..<min($0 + SQLGenerator.flatChain, sql.count)])
        }
        return joined(groups.map { joined($0, op) }, op)
    }
    private static let flatChain = 100

    /// An expression as it is shown: references as their key.
    mutating func output(_ e: TExpr) -> String {
        var out = SQLText()
        writeOutput(e, into: &out)
        return out.string
    }

    /// `output`, appended to `out`.
    private mutating func writeOutput(_ e: TExpr, into out: inout SQLText) {
        // A field of the row (most select items): the column, or the key of the row it refers to.
        if case .field(let p) = e.kind {
            if case .reference(let target) = p.field.type, let def = schema.plural(target), let key = def.key, let kf = def.keyField {
                // The path to the key, one hop longer (appended in place: `hops + [field]` made two arrays).
                var hops = p.hops
                hops.append(p.field)
                writeField(FieldPath(root: p.root, rootVariable: p.rootVariable, hops: hops, field: kf), into: &out)
            } else {
                writeField(p, into: &out)
            }
            return
        }
        out.append(outputText(e))
    }

    /// `output` for everything but a field.
    private mutating func outputText(_ e: TExpr) -> String {
        // One switch: each `if case` on `e.kind` copied the node's payload to test it.
        switch e.kind {
        case .caseWhen(let branches, let otherwise):
            if case .reference = e.type { return caseSQL(branches, otherwise, keyed: true) }
        case .function(.coalesce, let xs):
            if case .reference = e.type { return "\(dialect.function(.coalesce))(\(xs.map { output($0) }.joined(separator: ", ")))" }
        case .lookup:
            if case .reference(let target) = e.type, let def = schema.plural(target), let key = def.key {
                return "(SELECT lx.\(key) FROM \(def.table) lx WHERE lx.id = \(expr(e)))"
            }
        case .variable(let slot):
            if case .reference(let target) = e.type, let def = schema.plural(target), let key = def.key, let kf = def.keyField {
                return fieldSQL(FieldPath(root: def, rootVariable: slot, hops: [], field: kf))
            }
        default:
            break
        }
        return expr(e)
    }

    /// Sort keys: WBS codes naturally, enums by their order, references by their key.
    private mutating func ordering(_ e: TExpr, _ q: TQuery) -> String {
        switch e.kind {
        case .selectColumn(let i):
            let col = q.columns[i].expr
            return col.containsAggregate ? "c\(i)" : ordering(col, q)
        case .field(let p):
            if case .reference(let target) = p.field.type, let def = schema.plural(target), let key = def.key, let kf = def.keyField {
                return ordering(TExpr(.field(FieldPath(root: p.root, rootVariable: p.rootVariable, hops: p.hops + [p.field], field: kf)), PType(kf.type), e.range), q)
            }
            if p.field.name == "wbs", p.owner.table == "tasks" {
                return "\(alias(for: p)).wbs_key"
            }
            if case .enumeration(let vs) = p.field.type { return ordinal(expr(e), vs) }
            return expr(e)
        default:
            // Computed values (`if`, `case`, `coalesce`): enums in their listed order,
            // references by their key, as the fields they come from sort.
            if case .enumeration(let vs) = e.type { return ordinal(expr(e), vs) }
            if case .reference = e.type { return output(e) }
            return expr(e)
        }
    }

    private mutating func ordinal(_ sql: String, _ values: [String]) -> String {
        "(CASE \(sql) " + values.enumerated().map { "WHEN \(enumLiteral($1)) THEN \($0)" }.joined(separator: " ") + " END)"
    }

    /// An enum value in SQL text. The built-in values are plain words and are spelled inline
    /// (stable SQL, readable `explain`); a custom enum's values are the user's text, and
    /// anything but letters, digits and `_` is bound instead, so no value can reach SQL text.
    private mutating func enumLiteral(_ v: String) -> String {
        let plain = !v.isEmpty && v.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
        return plain ? "'\(v)'" : bind(.text(v))
    }

    /// A date computed in a query, null when it leaves PMQ's calendar (0001-01-01 to
    /// 9999-12-31), as a constant date there is an error: `finish + 1d` on 9999-12-31 is null,
    /// never a year 10000, on both engines (docs/language.md, “Limits”; H19).
    private func inDateRange(_ v: String) -> String {
        guard guardDates else { return v }
        return "(CASE WHEN \(v) BETWEEN \(Day.earliest.number) AND \(Day.latest.number) THEN \(v) END)"
    }

    /// A count of working days: a constant as it is, an expression (`n * 1wd`) truncated to
    /// whole days, as the working-day functions of both engines take an integer.
    private mutating func workdayCount(_ n: TExpr) -> String {
        if case .value = n.kind { return expr(n) }
        return "CAST(\(expr(n)) AS INTEGER)"
    }

    mutating func expr(_ e: TExpr) -> String {
        switch e.kind {
        case .value, .field, .compare, .logic:
            var out = SQLText()
            write(e, into: &out)
            return out.string
        default:
            return exprText(e)
        }
    }

    /// `expr`, appended to `out`: the kinds a typical query is made of are written in place,
    /// the rest through `exprText`.
    private mutating func write(_ e: TExpr, into out: inout SQLText) {
        switch e.kind {
        case .value(let v):
            if case .null = v {
                out.append(e.type.stored.map(dialect.typedNull) ?? "NULL")
                return
            }
            out.append(bind(v))
        case .field(let p):
            writeField(p, into: &out)
        case .compare(let op, let x, let y):
            // As in `exprText`: contains, enums in their listed order, WBS codes naturally.
            if op == .contains || op == .notContains {
                out.append(exprText(e))
                return
            }
            if op.isOrdering {
                if case .enumeration = x.type {
                    out.append(exprText(e))
                    return
                }
                if let a = wbsSortKey(x), let b = wbsSortKey(y) {
                    out.put("(")
                    out.append(a)
                    out.put(" ")
                    out.append(op.rawValue)
                    out.put(" ")
                    out.append(b)
                    out.put(")")
                    return
                }
            }
            // (x op y)
            out.put("(")
            write(x, into: &out)
            out.put(" ")
            out.append(op.rawValue)
            out.put(" ")
            write(y, into: &out)
            out.put(")")
        case .logic(let op, _, _):
            let operands = chain(e, op)
            guard operands.count <= SQLGenerator.flatChain else {
                out.append(joined(operands.map { expr($0) }, op))
                return
            }
            out.put("(")
            for (i, x) in operands.enumerated() {
                if i > 0 { out.put(op == .and ? " AND " : " OR ") }
                write(x, into: &out)
            }
            out.put(")")
        default:
            out.append(exprText(e))
        }
    }

    /// `expr` for the kinds `write` does not write in place.
    private mutating func exprText(_ e: TExpr) -> String {
        switch e.kind {
        case .value, .field:
            return expr(e)
        case .not(let x):
            return "(NOT \(expr(x)))"
        case .negate(let x):
            return "(-\(expr(x)))"
        case .arithmetic(let op, let x, let y):
            if op == .add || op == .sub {
                // A left-deep run of + and - is written flat, like and/or chains.
                var terms: [(BinaryOp, TExpr)] = []
                var node = e
                while case .arithmetic(let o, let l, let r) = node.kind, o == .add || o == .sub {
                    terms.append((o, r))
                    node = l
                }
                var sql = "(" + expr(node)
                for (o, t) in terms.reversed() { sql += " \(o.rawValue) " + expr(t) }
                sql += ")"
                return e.type == .date ? inDateRange(sql) : sql
            }
            let a = expr(x), b = expr(y)
            if op == .div { return dialect.divide(a, b) }
            return "(\(a) \(op.rawValue) \(b))"
        case .addWorkdays(let d, let n, let subtract):
            let ns = workdayCount(n)
            return inDateRange(dialect.addWorkdays(expr(d), subtract ? "(-\(ns))" : ns))
        case .compare(let op, let x, let y):
            if op == .contains || op == .notContains {
                let c = dialect.contains(expr(x), expr(y))
                return op == .contains ? c : "(NOT \(c))"
            }
            if op.isOrdering, case .enumeration(let vs) = x.type {
                return "(\(enumOrdinal(x, vs)) \(op.rawValue) \(enumOrdinal(y, vs)))"
            }
            if op.isOrdering, let a = wbsSortKey(x), let b = wbsSortKey(y) {
                // WBS codes compare in their natural order, as `order by wbs` sorts them: 1.2 < 1.10.
                return "(\(a) \(op.rawValue) \(b))"
            }
            return "(\(expr(x)) \(op.rawValue) \(expr(y)))"
        case .logic:
            return expr(e)
        case .inList(let x, let ys, let negated):
            if ys.isEmpty { return negated ? "1" : "0" }
            return "(\(expr(x))\(negated ? " NOT" : "") IN (\(ys.map { expr($0) }.joined(separator: ", "))))"
        case .listContains(let list, let v, let negated):
            let c = dialect.listContains(expr(list), expr(v))
            return negated ? "(NOT \(c))" : c
        case .isNull(let x, let negated):
            var integer = false, text = false, number = false
            switch x.type {
            case .reference, .date, .bool: integer = true
            case .number, .duration: number = true
            case .text, .enumeration: text = true
            default: break
            }
            return dialect.nullTest(expr(x), negated: negated, integer: integer, number: number, text: text)
        case .between(let x, let lo, let hi, let negated):
            // In the same order as <= and >=: enums by their listed order, WBS codes naturally.
            let not = negated ? " NOT" : ""
            if case .enumeration(let vs) = x.type {
                return "(\(enumOrdinal(x, vs))\(not) BETWEEN \(enumOrdinal(lo, vs)) AND \(enumOrdinal(hi, vs)))"
            }
            if let a = wbsSortKey(x), let b = wbsSortKey(lo), let c = wbsSortKey(hi) {
                return "(\(a)\(not) BETWEEN \(b) AND \(c))"
            }
            return "(\(expr(x))\(not) BETWEEN \(expr(lo)) AND \(expr(hi)))"
        case .under(let x, let code):
            let a = expr(x), c = expr(code)
            // The code itself, or anything that starts with "code." — a range an index on wbs serves.
            let below = "(\(a) = \(c) OR (\(a) > \(c) || '.' AND \(a) < \(c) || '/'))"
            // Under a task's own code (`wbs under t.wbs`): that task's rows, in its project, as
            // `parent = t` is (docs/language.md, “Several projects”); (project, wbs) is indexed.
            guard case .field(var p) = x.kind, case .field(var q) = code.kind, p.field.name == "wbs", q.field.name == "wbs",
                  p.owner.table == "tasks", q.owner.table == "tasks",
                  let mine = p.owner.field("project"), let theirs = q.owner.field("project") else { return below }
            p.field = mine
            q.field = theirs
            let project = TExpr(.field(p), .reference("projects"), x.range), other = TExpr(.field(q), .reference("projects"), code.range)
            // Written as one range the (project, wbs) index serves, then the code's own rows.
            return "(\(expr(project)) IS \(expr(other)) AND \(a) >= \(c) AND \(a) < \(c) || '/' AND (\(a) = \(c) OR \(a) > \(c) || '.'))"
        case .aggregate(let agg, let x):
            let filter = pivotFilter.map { " FILTER (WHERE \($0))" } ?? ""
            guard let x else { return dialect.countAll + filter }
            if agg == .min || agg == .max {
                // The least and greatest in the order comparisons use: enums by their listed
                // order, WBS codes naturally (1.10 after 1.9), not as text.
                if case .enumeration(let vs) = x.type {
                    let best = "\(agg.rawValue)(\(ordinal(expr(x), vs)))" + filter
                    return "(CASE \(best) " + vs.enumerated().map { "WHEN \($0) THEN \(enumLiteral($1))" }.joined(separator: " ") + " END)"
                }
                if case .field = x.kind, let key = wbsSortKey(x) {
                    // Sort keys hold digits and dots only, so the first space ends the key; a
                    // space sorts before the dot, so "1" stays before "1.2".
                    return dialect.textAfter("\(agg.rawValue)(\(key) || ' ' || \(expr(x)))" + filter, "' '")
                }
            }
            return "\(agg.rawValue)(\(expr(x)))" + filter
        case .function(.addOwnerWorkdays, let xs) where xs.count == 3:
            return inDateRange("\(dialect.function(.addOwnerWorkdays))(\(expr(xs[0])), \(workdayCount(xs[1])), \(expr(xs[2])))")
        case .function(let fn, let xs):
            return "\(dialect.function(fn))(\(xs.map { expr($0) }.joined(separator: ", ")))"
        case .concat(let parts):
            return "(" + parts.map { "coalesce(\(text(of: $0)), 'null')" }.joined(separator: " || ") + ")"
        case .subquery(let q):
            return "(\(query(q)))"
        case .selectColumn(let i):
            if let columns = selectItemsWrittenOut, i < columns.count { return "(" + expr(columns[i]) + ")" }
            return "c\(i)"
        case .variable(let slot):
            return bindVariable(slot)
        case .host(let name, let xs):
            // The name was checked to be a plain identifier when the host registered it.
            return "pmq_host_\(name)(\(xs.map { expr($0) }.joined(separator: ", ")))"
        case .journal(let t):
            return journalTest(t)
        case .invalid:
            return "NULL"
        case .caseWhen(let branches, let otherwise):
            // A `case` whose branches are all null is null: written as a bare NULL, which takes
            // its type from where it stands, as a `null` literal does. PostgreSQL types an
            // untyped `CASE ... THEN NULL END` as text and then refuses it beside a number
            // ("CASE types text and bigint cannot be matched", `text = bigint`); SQLite does not mind.
            if e.type == .null { return "NULL" }
            return caseSQL(branches, otherwise, keyed: false)
        case .datePart(let part, let d):
            return dialect.datePart(part, expr(d))
        case .addMonths(let d, let n, let subtract):
            let ns = expr(n)
            return inDateRange(dialect.addMonths(expr(d), subtract ? "(-\(ns))" : ns))
        case .inQuery(let x, let q, let negated, let rows):
            // The query selects one column (its ids, or its one item): it goes inside IN as it is.
            let inner = query(q, idsOnly: rows)
            return "(\(expr(x))\(negated ? " NOT" : "") IN (\(inner)))"
        case .lookup(let slot, let what):
            lookups.append(.init(slot: slot, what: what, range: e.range))
            return bindVariable(slot)
        case .listEdit(let list, let value, let remove):
            let l = expr(list), v = expr(value)
            if remove {
                return "(CASE WHEN \(l) IS NULL THEN NULL ELSE \(dialect.listRemove(l, v)) END)"
            }
            return "(CASE WHEN \(dialect.nullTest(v, negated: false, integer: false, number: false, text: true)) THEN \(l) WHEN \(dialect.listContains(l, v)) THEN \(l) ELSE \(dialect.listAppend(l, v)) END)"
        case .pivotCell(let value, let by, let equals):
            return pivotCell(value, by: by, equals: equals)
        case .keyOf(let x):
            return output(x)
        }
    }

    /// `case when ... end`; `keyed`: references read as their key (for output).
    private mutating func caseSQL(_ branches: [(condition: TExpr, value: TExpr)], _ otherwise: TExpr?, keyed: Bool) -> String {
        var sql = "(CASE"
        for b in branches { sql += " WHEN \(condition(b.condition)) THEN \(keyed ? output(b.value) : expr(b.value))" }
        if let o = otherwise { sql += " ELSE \(keyed ? output(o) : expr(o))" }
        return sql + " END)"
    }

    /// `downstream of X` / `upstream of X`: the tasks reachable through dependencies as
    /// `schedule` reads them (a link to or from a summary holds for every task below it),
    /// X itself left out: one recursive CTE (WorkWalkSQL), for a code, a variable or a row of
    /// an outer query (`count downstream of t`), today or `as of` a day.
    private mutating func traversal(_ root: String, downstream: Bool, task: TExpr) -> String {
        let x = expr(task)
        switch task.kind {
        case .lookup, .variable, .value:
            // One task for the whole statement, today's model: the engine's fastest walk.
            let (from, to) = downstream ? ("pred", "succ") : ("succ", "pred")
            if asOf == nil, let fast = dialect.reachableWork(from: from, to: to, start: x) {
                return "(\(root).id IN (\(fast)) AND \(root).id IS NOT \(x))"
            }
        default: break
        }
        counter += 1
        let walk = WorkWalkSQL.reached(name: "w\(counter)", start: x, downstream: downstream,
                                       tasks: { source("tasks") }, links: { source("dependencies") })
        return "(\(root).id IN (\(walk)) AND \(root).id IS NOT \(x))"
    }

    /// One pivot cell: aggregates over the group's rows whose column value is `equals`
    /// (SQL's FILTER clause: conditional aggregation in one pass); a non-aggregate value
    /// lists its distinct values, in order, joined by ",". No rows: null.
    private mutating func pivotCell(_ value: TExpr, by: TExpr, equals: Value) -> String {
        let f = equals.isNull ? "\(expr(by)) IS NULL" : "\(expr(by)) = \(bind(equals))"
        if !value.containsAggregate {
            let numeric: Bool
            switch value.type {
            case .number, .duration, .date, .enumeration: numeric = true
            default: numeric = false
            }
            return dialect.joinDistinct(text(of: value), orderedBy: ordering(value, TQuery(entity: Checker.noFields)), numericOrder: numeric, filter: f)
        }
        pivotFilter = f
        defer { pivotFilter = nil }
        let sql = expr(value)
        switch value.kind {
        case .aggregate(.count, nil): return "nullif(\(sql), 0)"
        case .aggregate(.count, _): return "(CASE WHEN \(dialect.countAll) FILTER (WHERE \(f)) > 0 THEN \(sql) END)"
        case .aggregate: return sql
        default: return "(CASE WHEN \(dialect.countAll) FILTER (WHERE \(f)) > 0 THEN \(sql) END)"
        }
    }

    /// The natural sort key of a WBS code operand: the column for a task's wbs field,
    /// the computed key for a literal code.
    private mutating func wbsSortKey(_ e: TExpr) -> String? {
        switch e.kind {
        case .field(let p) where p.field.name == "wbs" && p.owner.table == "tasks" && p.rootVariable == nil:
            return "\(alias(for: p)).wbs_key"
        case .value(.text(let code)):
            return bind(.text(WBS.sortKey(code)))
        default:
            return nil
        }
    }

    private mutating func enumOrdinal(_ e: TExpr, _ values: [String]) -> String {
        if case .value(.text(let s)) = e.kind, let i = values.firstIndex(of: s) { return bind(.integer(Int64(i))) }
        return ordinal(expr(e), values)
    }

    /// How a value reads inside an interpolated string.
    private mutating func text(of e: TExpr) -> String {
        switch e.type {
        case .date: return dialect.dateText(expr(e))
        case .number: return dialect.numberText(expr(e))
        case .duration: return "(\(dialect.numberText(expr(e))) || 'd')"
        case .bool: return "(CASE \(expr(e)) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)"
        case .reference: return output(e)
        default: return expr(e)
        }
    }
}
