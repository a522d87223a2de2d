/// What the weekly HTML report shows, read from the model: one SQL statement per
/// section, all for the project `report` works on (the `use`d one, or the only one).
struct ReportData {
    var code = ""
    var name = ""
    var manager = ""
    var client = ""
    var today: Day
    var health: [(measure: String, value: Value)] = []
    var chart: GanttChart
    /// Set when the Gantt shows fewer rows than the project has tasks.
    var chartNote: String?
    var milestones: [[String]] = []
    var overdue: [[String]] = []
    var critical: [[String]] = []
    /// Open risks by (probability, impact): count.
    var heat: [Int: Int] = [:]
    var raciPeople: [String] = []
    var raci: [(task: String, cells: [String])] = []
    var raciNote: String?
    /// SPI and CPI at the end of each of the last weeks that history covers, oldest first.
    var trend: [(day: Day, spi: Value, cpi: Value)] = []

    /// Rows the Gantt keeps before it shows only the upper WBS levels.
    static let maxChartRows = 300
    static let maxRaciTasks = 60
    static let maxRaciPeople = 16
    static let maxListRows = 50

    /// Weeks the trend goes back at most.
    static let trendWeeks = 8

    /// SPI and CPI as `health as of D` reads them (docs/language.md, “Time travel”) for D = today and the same
    /// weekday of each earlier week, back to the first day anything was booked: the week's
    /// figures from the model as it was then, not from today's progress.
    static func weeklyTrend(_ session: SessionContext, _ range: SourceRange) throws -> [(day: Day, spi: Value, cpi: Value)] {
        guard case .integer(let first) = try session.db.scalar(ReportSQL.firstChangeDay) else { return [] }
        let firstDay = Day(Int(clamping: first))
        var out: [(day: Day, spi: Value, cpi: Value)] = []
        for k in stride(from: trendWeeks - 1, through: 0, by: -1) {
            let day = session.today + (-7 * k)
            guard day >= firstDay else { continue }
            guard case .rows(_, let rows, _) = try HealthReport(session: session).run(asOf: day, travel: day < session.today, range) else { continue }
            func value(_ prefix: String) -> Value { rows.first { text($0[0]).hasPrefix(prefix) }?[1] ?? .null }
            out.append((day, value("schedule performance"), value("cost performance")))
        }
        // One point is not a trend.
        return out.count >= 2 ? out : []
    }

    /// The same for a whole session (a host or test reading the page's data without a run).
    static func load(_ session: Session, _ range: SourceRange) throws -> ReportData { try load(session.context, range) }

    static func load(_ session: SessionContext, _ range: SourceRange) throws -> ReportData {
        let db = session.db
        let project = try session.schedulingProject(range)
        let tasks = session.schema.tasks
        let q = TQuery(entity: tasks)
        if let project, let pf = tasks.field("project") {
            q.filter = TExpr(.compare(.eq, TExpr(.field(FieldPath(root: tasks, hops: [], field: pf)), .number, range),
                                      TExpr(.value(.integer(project)), .number, range)), .bool, range)
        }
        if let wbs = tasks.field("wbs") { q.orderBy = [(TExpr(.field(FieldPath(root: tasks, hops: [], field: wbs)), .text, range), false)] }
        var data = ReportData(today: session.today, chart: try GanttLoader(session: session).load(q))

        // A long plan shows its upper levels only, so the page stays readable and small.
        let all = data.chart.rows.count
        if all > maxChartRows {
            // Rows per WBS level, counted once: the deepest level whose rows and all above fit.
            var perLevel: [Int: Int] = [:]
            for r in data.chart.rows { perLevel[r.level, default: 0] += 1 }
            var depth = 1, shown = perLevel[1] ?? 0
            while shown + (perLevel[depth + 1] ?? 0) <= maxChartRows, perLevel[depth + 1] != nil {
                depth += 1
                shown += perLevel[depth] ?? 0
            }
            let kept = data.chart.rows.filter { $0.level <= depth }
            data.chart.rows = kept.count <= maxChartRows ? kept : Array(kept.prefix(maxChartRows))
            data.chartNote = kept.count <= maxChartRows
                ? "The plan has \(all) tasks: the chart shows WBS levels 1–\(depth) (\(data.chart.rows.count) rows). Draw a branch with: gantt tasks where wbs under CODE"
                : "The plan has \(all) tasks: the chart shows the first \(maxChartRows) of its top level."
        }

        let filter = project == nil ? "1" : "project = ?1"
        let tf = project == nil ? "1" : "t.project = ?1"
        let args: [Value] = project.map { [.integer($0)] } ?? []
        let n = args.count
        if let project {
            try db.query(ReportSQL.projectHeader, [.integer(project)]) { s in
                data.code = text(s[0]); data.name = text(s[1])
                data.manager = text(s[2]); data.client = text(s[3])
            }
        }
        if case .rows(_, let rows, _) = try HealthReport(session: session).run(asOf: session.today, range) {
            data.health = rows.compactMap { r in r.count == 2 ? (text(r[0]), r[1]) : nil }
        }
        data.trend = try weeklyTrend(session, range)
        func list(_ sql: String, _ extra: [Value] = []) throws -> [[String]] {
            var out: [[String]] = []
            try db.query(sql, args + extra) { s in
                out.append((0..<s.count).map { text(s[Int32($0)]) })
            }
            return out
        }
        data.milestones = try list(ReportSQL.milestonesDue(filter: tf, n: n, limit: maxListRows, db.dialect), [.date(session.today), .date(session.today + 14)])
        data.overdue = try list(ReportSQL.overdue(filter: tf, n: n, limit: maxListRows, db.dialect), [.date(session.today)])
        data.critical = try list(ReportSQL.critical(filter: tf, limit: maxListRows, db.dialect))
        try db.query(ReportSQL.riskHeat(filter: filter), args) { s in
            if case .integer(let p) = s[0], case .integer(let i) = s[1], case .integer(let c) = s[2] {
                data.heat[Int(p) * 10 + Int(i)] = Int(c)
            }
        }
        try loadRACI(&data, db, filter: tf, args: args)
        return data
    }

    /// Open leaf tasks by person: the roles each holds (the owner is Responsible). The
    /// first tasks in WBS order are read, then their assignments, in two statements.
    private static func loadRACI(_ data: inout ReportData, _ db: any Engine, filter: String, args: [Value]) throws {
        let total = try db.scalar(ReportSQL.raciTaskCount(filter: filter), args)
        var tasks: [String] = []
        var cells: [String: [String: Set<String>]] = [:]
        var people: [String: Int] = [:]   // person: tasks they hold a role in
        try db.query(ReportSQL.raciCells(filter: filter, limit: maxRaciTasks), args) { s in
            let task = text(s[0]), person = text(s[1]), role = text(s[2])
            if cells[task] == nil { tasks.append(task) }
            if cells[task]?[person] == nil { people[person, default: 0] += 1 }
            cells[task, default: [:]][person, default: []].insert(role)
        }
        // The people with the most open work here come first; the columns are then by name.
        let busiest = people.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(maxRaciPeople)
        data.raciPeople = busiest.map(\.key).sorted()
        for task in tasks {
            let row = data.raciPeople.map { p in ["R", "A", "C", "I"].filter { cells[task]?[p]?.contains($0) == true }.joined(separator: ",") }
            data.raci.append((task, row))
        }
        let all = Int(total.number ?? 0)
        if all > tasks.count || people.count > maxRaciPeople {
            data.raciNote = "Showing \(tasks.count) of \(all) open tasks and \(data.raciPeople.count) of \(people.count) people (of those tasks)."
        }
    }

    static func text(_ v: Value) -> String { v.isNull ? "" : OutputFormat.plain(v) }
}

