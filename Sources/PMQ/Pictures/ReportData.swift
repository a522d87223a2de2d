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

    /// Rows the Gantt keeps before it shows only the upper WBS levels.
    static let maxChartRows = 300
    static let maxRaciTasks = 60
    static let maxRaciPeople = 16
    static let maxListRows = 50

    static func load(_ session: Session, _ range: SourceRange) throws -> ReportData {
        let db = session.db
        let project = try session.schedulingProject(range)
        let tasks = Catalog.entities[2]
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
            var depth = 1
            while data.chart.rows.filter({ $0.level <= depth + 1 }).count <= maxChartRows { depth += 1 }
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
            try db.query("SELECT p.code, p.name, m.name, p.client FROM projects p LEFT JOIN people m ON m.id = p.manager WHERE p.id = ?1",
                         [.integer(project)]) { s in
                data.code = text(db.rawValue(s, 0)); data.name = text(db.rawValue(s, 1))
                data.manager = text(db.rawValue(s, 2)); data.client = text(db.rawValue(s, 3))
            }
        }
        if case .rows(_, let rows, _) = try HealthReport(session: session).run(asOf: session.today, range) {
            data.health = rows.compactMap { r in r.count == 2 ? (text(r[0]), r[1]) : nil }
        }
        let open = "status NOT IN ('done', 'cancelled')"
        func list(_ sql: String, _ extra: [Value] = []) throws -> [[String]] {
            var out: [[String]] = []
            try db.query(sql, args + extra) { s in
                out.append((0..<sqlite3ColumnCount(db, s)).map { text(db.rawValue(s, Int32($0))) })
            }
            return out
        }
        let owner = "(SELECT name FROM people WHERE id = t.owner)"
        let date = { (c: String) in "CASE WHEN \(c) IS NULL THEN '' ELSE date(\(c) * 86400, 'unixepoch') END" }
        data.milestones = try list("""
            SELECT t.wbs, t.name, \(owner), \(date("t.finish")), t.status FROM tasks t
            WHERE \(tf) AND t.milestone = 1 AND t.\(open)
              AND t.finish BETWEEN ?\(n + 1) AND ?\(n + 2) ORDER BY t.finish, t.id LIMIT \(maxListRows)
            """, [.date(session.today), .date(session.today + 14)])
        data.overdue = try list("""
            SELECT t.wbs, t.name, \(owner), \(date("t.finish")), ?\(n + 1) - t.finish, coalesce(t.progress, 0) FROM tasks t
            WHERE \(tf) AND t.status IN ('todo', 'doing', 'blocked') AND t.finish < ?\(n + 1)
            ORDER BY t.finish, t.id LIMIT \(maxListRows)
            """, [.date(session.today)])
        data.critical = try list("""
            SELECT t.wbs, t.name, \(owner), \(date("t.start")), \(date("t.finish")), coalesce(t.progress, 0) FROM tasks t
            JOIN task_schedule s ON s.id = t.id
            WHERE \(tf) AND s.critical = 1 AND t.\(open) ORDER BY t.start, t.id LIMIT \(maxListRows)
            """)
        try db.query("SELECT probability, impact, count(*) FROM risks WHERE \(filter) AND status != 'closed' AND probability IS NOT NULL AND impact IS NOT NULL GROUP BY 1, 2", args) { s in
            if case .integer(let p) = db.rawValue(s, 0), case .integer(let i) = db.rawValue(s, 1), case .integer(let c) = db.rawValue(s, 2) {
                data.heat[Int(p) * 10 + Int(i)] = Int(c)
            }
        }
        try loadRACI(&data, db, filter: tf, args: args)
        return data
    }

    /// Open tasks by person: the roles each holds (the owner is Responsible).
    private static func loadRACI(_ data: inout ReportData, _ db: Database, filter: String, args: [Value]) throws {
        var cells: [String: [String: Set<String>]] = [:]
        var taskOrder: [String] = []
        var people = Set<String>()
        try db.query("""
            SELECT t.wbs || '  ' || t.name, p.name, x.role FROM (
              SELECT task, person, role FROM assignments
              UNION SELECT id, owner, 'R' FROM tasks WHERE owner IS NOT NULL
            ) x JOIN tasks t ON t.id = x.task JOIN people p ON p.id = x.person
            WHERE \(filter) AND t.status NOT IN ('done', 'cancelled') AND (coalesce(t.project, 0), t.wbs) NOT IN
              (SELECT coalesce(project, 0), parent_wbs FROM tasks WHERE parent_wbs IS NOT NULL)
            ORDER BY t.wbs, p.name
            """, args) { s in
            let task = text(db.rawValue(s, 0)), person = text(db.rawValue(s, 1)), role = text(db.rawValue(s, 2))
            if cells[task] == nil { taskOrder.append(task) }
            cells[task, default: [:]][person, default: []].insert(role)
            people.insert(person)
        }
        taskOrder.sort { a, b in
            let x = a.split(separator: " ").first.map(String.init) ?? a, y = b.split(separator: " ").first.map(String.init) ?? b
            return x.split(separator: ".").map { Int($0) ?? 0 }.lexicographicallyPrecedes(y.split(separator: ".").map { Int($0) ?? 0 })
        }
        data.raciPeople = Array(people.sorted().prefix(maxRaciPeople))
        for task in taskOrder.prefix(maxRaciTasks) {
            let row = data.raciPeople.map { p in ["R", "A", "C", "I"].filter { cells[task]?[p]?.contains($0) == true }.joined(separator: ",") }
            data.raci.append((task, row))
        }
        if taskOrder.count > maxRaciTasks || people.count > maxRaciPeople {
            data.raciNote = "Showing \(min(taskOrder.count, maxRaciTasks)) of \(taskOrder.count) open tasks and \(data.raciPeople.count) of \(people.count) people."
        }
    }

    static func text(_ v: Value) -> String { v.isNull ? "" : OutputFormat.plain(v) }
}

import CSQLite
private func sqlite3ColumnCount(_ db: Database, _ s: OpaquePointer) -> Int { Int(sqlite3_column_count(s)) }
