/// `schedule`: the critical-path method over the current project's tasks (spec issue 6).
///
/// Leaf tasks form the network; summary tasks (those with children) span their children.
/// Durations and lags count working days of the project calendar. Tasks that are done
/// or started stay where they are and constrain their successors; the others move to
/// their early dates. Moves are journaled (undo takes them back); the float fields are
/// derived and simply rewritten.
struct ScheduleExecutor {
    let session: Session
    private var db: Database { session.db }

    struct TaskRow {
        var id: Int64, wbs: String, parentWBS: String?
        var start: Day?, finish: Day?, milestone: Bool, fixedStart: Day?
    }

    func run(_ range: SourceRange) throws -> ChangeReport {
        let project = try session.schedulingProject(range)
        let calendar = try session.loadCalendar()
        var tasks: [TaskRow] = []
        let projectFilter = project == nil ? "project IS NULL" : "project = ?1"
        let args: [Value] = project.map { [.integer($0)] } ?? []
        try db.query("SELECT id, wbs, parent_wbs, start, finish, milestone, status, actual_start FROM tasks WHERE \(projectFilter) ORDER BY id", args) { s in
            func day(_ i: Int32) -> Day? { if case .integer(let n) = db.rawValue(s, i) { return Day(Int(n)) }; return nil }
            guard case .integer(let id) = db.rawValue(s, 0), case .text(let wbs) = db.rawValue(s, 1) else { return }
            var parent: String?
            if case .text(let p) = db.rawValue(s, 2) { parent = p }
            let status = ConstantEvaluator.text(db.rawValue(s, 6))
            let started = day(7)
            let fixed: Day? = status == "done" ? (started ?? day(3)) : started
            tasks.append(TaskRow(id: id, wbs: wbs, parentWBS: parent, start: day(3), finish: day(4),
                                 milestone: db.rawValue(s, 5) == .integer(1), fixedStart: fixed))
        }
        guard !tasks.isEmpty else { return ChangeReport(verb: "scheduled", entity: "task", count: 0, detail: nil) }

        // Summary tasks: those some other task names as its parent.
        let parents = Set(tasks.compactMap(\.parentWBS))
        let leaves = tasks.indices.filter { !parents.contains(tasks[$0].wbs) }
        // Leaf node by task id: ids are row ids, nearly dense, so an array is the map.
        let maxID = Int(tasks.map(\.id).max() ?? 0)
        var node = [Int32](repeating: -1, count: maxID + 1)
        for (k, i) in leaves.enumerated() { node[Int(tasks[i].id)] = Int32(k) }

        // The project starts at its start date, else its earliest task, else today.
        var projectStart = session.today
        if let p = project, case .integer(let s) = try db.scalar("SELECT start FROM projects WHERE id = ?1", [.integer(p)]) {
            projectStart = Day(Int(s))
        } else if let earliest = tasks.compactMap({ $0.fixedStart ?? $0.start }).min() {
            projectStart = earliest
        }
        projectStart = calendar.nextWorking(projectStart)

        var network = CPMNetwork(durations: leaves.map { i -> Int32 in
            let t = tasks[i]
            if t.milestone { return 0 }
            guard let s = t.start, let f = t.finish, f >= s else { return 1 }
            return Int32(max(1, calendar.workingDays(from: s, to: f + 1)))
        }, links: [])
        for (k, i) in leaves.enumerated() {
            if let f = tasks[i].fixedStart {
                network.fixed[k] = true
                network.earliest[k] = Int32(calendar.index(of: f, from: projectStart))
            }
        }
        // One scan of the links, kept when both ends are this project's leaves. (Joining
        // tasks twice by project let SQLite pair every task with every other: quadratic.)
        try db.query("SELECT pred, succ, type, lag FROM dependencies") { s in
            guard case .integer(let p) = db.rawValue(s, 0), case .integer(let q) = db.rawValue(s, 1),
                  p >= 0, q >= 0, p <= maxID, q <= maxID else { return }
            let a = node[Int(p)], b = node[Int(q)]
            guard a >= 0, b >= 0 else { return }
            let type: CPMNetwork.LinkType
            switch db.rawValue(s, 2) {
            case .text("SS"): type = .ss
            case .text("FF"): type = .ff
            case .text("SF"): type = .sf
            default: type = .fs
            }
            let lag = db.rawValue(s, 3).number.flatMap { $0.rounded().safeInt } ?? 0
            network.links.append(.init(pred: a, succ: b, type: type, lag: Int32(clamping: lag)))
        }
        let result: CPMResult
        do {
            result = try network.solve()
        } catch CPMError.cycle(let loop) {
            let names = loop.map { tasks[leaves[Int($0)]].wbs }
            throw RuntimeError(message: "cannot schedule: the dependencies form a cycle: \(names.joined(separator: " -> "))", range: range)
        }

        // Dates of each leaf, then summaries spanning their descendants.
        func startDate(_ i: Int32) -> Day { calendar.date(at: Int(i), from: projectStart) }
        func finishDate(_ es: Int32, _ ef: Int32) -> Day { ef > es ? calendar.date(at: Int(ef) - 1, from: projectStart) : startDate(es) }
        struct Out { var es: Day, ef: Day, ls: Day, lf: Day, slack: Int32, free: Int32, critical: Bool }
        // Results by task index (arrays, not dictionaries: this runs for every task).
        var out = [Out?](repeating: nil, count: tasks.count)
        for (k, i) in leaves.enumerated() {
            out[i] = Out(es: startDate(result.es[k]), ef: finishDate(result.es[k], result.ef[k]),
                                   ls: startDate(result.ls[k]), lf: finishDate(result.ls[k], result.lf[k]),
                                   slack: result.totalFloat[k], free: result.freeFloat[k], critical: result.critical(k))
        }
        // Deepest first, each task folds into its parent: one pass, whatever the depth.
        let byWBS = Dictionary(tasks.indices.map { (tasks[$0].wbs, $0) }, uniquingKeysWith: { a, _ in a })
        let levels = tasks.map { $0.wbs.utf8.reduce(0) { $1 == 46 ? $0 + 1 : $0 } }
        for i in tasks.indices.sorted(by: { levels[$0] > levels[$1] }) {
            guard let o = out[i], let p = tasks[i].parentWBS, let parent = byWBS[p] else { continue }
            if var span = out[parent] {
                span.es = min(span.es, o.es); span.ef = max(span.ef, o.ef)
                span.ls = min(span.ls, o.ls); span.lf = max(span.lf, o.lf)
                span.slack = min(span.slack, o.slack); span.free = min(span.free, o.free)
                span.critical = span.critical || o.critical
                out[parent] = span
            } else {
                out[parent] = o
            }
        }

        // Write back through a scratch table: one prepared insert a task, then set-based
        // statements journal the moved dates and apply everything.
        try db.run("CREATE TEMP TABLE IF NOT EXISTS pmq_schedule (id INTEGER PRIMARY KEY, es, ef, ls, lf, slack, free, critical, start, finish)")
        try db.run("DELETE FROM temp.pmq_schedule")
        for (i, t) in tasks.enumerated() {
            guard let o = out[i] else { continue }
            // Done and started tasks keep their dates; the others move to their early dates.
            let start: Value = t.fixedStart == nil ? .date(o.es) : t.start.map { .date($0) } ?? .null
            let finish: Value = t.fixedStart == nil ? .date(t.milestone ? o.es : o.ef) : t.finish.map { .date($0) } ?? .null
            try db.run("INSERT INTO temp.pmq_schedule VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                       [.integer(t.id), .date(o.es), .date(o.ef), .date(o.ls), .date(o.lf), .integer(Int64(o.slack)), .integer(Int64(o.free)),
                        .bool(o.critical), start, finish])
        }
        let set = try session.journal.set()
        for field in ["start", "finish"] {
            try db.run("""
                INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value)
                SELECT ?1, 'tasks', t.id, '\(field)', t.\(field), s.\(field) FROM temp.pmq_schedule s JOIN tasks t ON t.id = s.id
                WHERE t.\(field) IS NOT s.\(field)
                """, [.integer(set)])
        }
        // Start and finish are indexed: only the moved rows are touched for them.
        let moved = try db.run("""
            UPDATE tasks SET start = s.start, finish = s.finish FROM temp.pmq_schedule s
            WHERE s.id = tasks.id AND (tasks.start IS NOT s.start OR tasks.finish IS NOT s.finish)
            """)
        try db.run("""
            INSERT OR REPLACE INTO task_schedule (id, early_start, early_finish, late_start, late_finish, slack, free_slack, critical)
            SELECT id, es, ef, ls, lf, slack, free, critical FROM temp.pmq_schedule
            """)
        try db.run("DELETE FROM temp.pmq_schedule")
        let finish = finishDate(0, result.length)
        return ChangeReport(verb: "scheduled", entity: "task", count: tasks.count, detail: nil,
                            note: "\(moved) moved; finish \(finish.iso), \(result.length) working days")
    }
}

extension Session {
    /// The project `schedule`, `health` and `baseline save` work on: the `use`d one, or the only one.
    func schedulingProject(_ range: SourceRange) throws -> Int64? {
        if let p = currentProject { return p }
        let ids = try projectIDs()
        if ids.count <= 1 { return ids.first }
        throw RuntimeError(message: "there are \(ids.count) projects: choose one with: use project \"CODE\"", range: range)
    }

    /// The holidays in the database, as the calendar every working-day count uses.
    @discardableResult
    func loadCalendar() throws -> WorkCalendar {
        var days: [Day] = []
        try db.query("SELECT day FROM holidays") { s in if case .integer(let d) = db.rawValue(s, 0) { days.append(Day(Int(d))) } }
        calendar.set(days)
        return calendar
    }
}
