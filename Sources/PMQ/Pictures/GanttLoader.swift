/// Reads a chart from a checked query of tasks: the query's own rows, in its order,
/// with the fields a chart needs (one SQL statement built by the generator, so computed
/// and rolled-up fields read exactly as in any query), then the links among those rows
/// and which of them are summaries (one statement each).
struct GanttLoader {
    let session: SessionContext
    private var db: any Engine { session.db }

    /// The fields read per row, in this order.
    private static let fields = ["wbs", "name", "start", "finish", "baseline_start", "baseline_finish",
                                 "progress", "status", "milestone", "critical"]

    func load(_ q: TQuery) throws -> GanttChart {
        let entity = q.entity
        var columns: [TQuery.Column] = [.init(name: "id", expr: TExpr(.field(FieldPath(root: entity, hops: [], field: Catalog.idField)), .number, .none))]
        for name in Self.fields + (entity.field("summary") != nil ? ["summary"] : []) {
            guard let f = entity.field(name) else { continue }
            columns.append(.init(name: name, expr: TExpr(.field(FieldPath(root: entity, hops: [], field: f)), PType(f.type), .none)))
        }
        let rowsQuery = q.sameRows(columns: columns)
        let kinds = columns.map { ResultColumn.Kind($0.expr.type) }
        let index = Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let compiled = session.compiled(rowsQuery)
        var rows: [GanttChart.Row] = []
        var summaryKnown = false
        try db.query(compiled.sql, try session.bindings(compiled)) { s in
            func value(_ name: String) -> Value {
                guard let i = index[name] else { return .null }
                return kinds[i].convert(s[Int32(i)])
            }
            func date(_ name: String) -> Day? { if case .date(let d) = value(name) { return d }; return nil }
            func text(_ name: String) -> String { OutputFormat.plain(value(name), csv: true) }
            guard case .integer(let id) = s[0] else { return }
            summaryKnown = index["summary"] != nil
            rows.append(GanttChart.Row(
                id: id, wbs: text("wbs"), name: text("name"), start: date("start"), finish: date("finish"),
                baselineStart: date("baseline_start"), baselineFinish: date("baseline_finish"),
                // A done task is drawn done whatever its progress field says.
                progress: text("status") == "done" ? 100 : min(100, max(0, value("progress").number ?? 0)), status: text("status"),
                milestone: value("milestone") == .bool(true), summary: value("summary") == .bool(true),
                critical: value("critical") == .bool(true)))
        }
        if q.namedTask != nil, rows.isEmpty {
            throw RuntimeError(code: .unknownRow, message: "unknown task \(q.namedTask ?? "")", range: q.filter?.range ?? .none)
        }
        let ids = "[" + rows.map { String($0.id) }.joined(separator: ",") + "]"
        if !summaryKnown {
            // A summary is a task another task names as parent.
            var summaries = Set<Int64>()
            try db.query(LookupSQL.summariesAmong(db.dialect), [.text(ids)]) { s in if case .integer(let i) = s[0] { summaries.insert(i) } }
            for i in rows.indices where summaries.contains(rows[i].id) { rows[i].summary = true }
        }
        var links: [GanttChart.Link] = []
        try db.query(LookupSQL.linksAmong(db.dialect), [.text(ids)]) { s in
            guard case .integer(let p) = s[0], case .integer(let c) = s[1] else { return }
            let type: String
            if case .text(let t) = s[2] { type = t } else { type = "FS" }
            links.append(.init(pred: p, succ: c, type: type))
        }
        return GanttChart(rows: rows, links: links, today: session.today)
    }
}
