/// `health [as of DATE]`: earned value and the week's warning signs, as rows of
/// (measure, value) so every output format can show it.
///
/// - PV (planned value): each leaf task's cost spread evenly over its working days (its
///   owner's: the project calendar less their leave), summed up to the date: cost × (working
///   days from start through the date) / (working days of the task). A task with a baseline is planned by it (baseline dates and, when set, baseline
///   cost), so re-planning with `schedule` does not move the plan EV is measured against.
/// - EV (earned value): Σ cost × progress / 100 over leaf tasks (a summary's cost and progress
///   are its children's, so counting it too would count them twice).
/// - BAC: the project's `budget` when set, else Σ cost of the leaf tasks; the report says which.
/// - AC (actual cost): Σ amount of the cost ledger up to the date, receipts left out.
/// - SV = EV − PV, CV = EV − AC, SPI = EV / PV, CPI = EV / AC,
///   EAC = BAC / CPI, ETC = EAC − AC, VAC = BAC − EAC, % complete = EV / BAC × 100.
struct HealthReport {
    let session: SessionContext
    private var db: any Engine { session.db }

    /// `travel`: `health as of D` reads the model as it was at the end of D (docs/language.md, “Time travel”):
    /// that day's progress, costs, risks, defects and budget, with D as the status date.
    func run(asOf: Day, travel: Bool = false, _ range: SourceRange) throws -> StatementResult {
        func table(_ name: String) throws -> String { travel ? try session.materializeAsOf(name, day: asOf) : name }
        let tasksTable = try table("tasks"), costsTable = try table("costs"), risksTable = try table("risks"),
            defectsTable = try table("defects"), projectsTable = try table("projects")
        let project = try session.schedulingProject(range)
        _ = try session.loadCalendar()
        let people = session.personCalendars
        let filter = project == nil ? "1" : "project = ?1"
        let args: [Value] = project.map { [.integer($0)] } ?? []
        var pv = 0.0, ev = 0.0, costSum = 0.0
        try db.query(HealthSQL.leafPlan(tasks: tasksTable, filter: filter), args) { s in
            // A task with a baseline cost and no current cost (a re-estimate that cleared it) is
            // still planned by its baseline (V10); it earns and adds to BAC nothing.
            let cost = s[2].number ?? 0
            costSum += cost
            ev += cost * (s[3].number ?? 0) / 100
            // Planned value follows the baseline when there is one: re-planning must not move it.
            let planned = s[4].number ?? cost
            guard case .integer(let a) = s[0], case .integer(let b) = s[1],
                  a >= Int64(Day.earliest.number), b <= Int64(Day.latest.number) else { return }
            let start = Day(Int(a)), finish = Day(Int(b))
            if asOf >= finish { pv += planned; return }
            if asOf < start { return }
            // A task works its owner's days (docs/language.md, “Resources”).
            let calendar = people.calendar(for: s.integer(5))
            let total = max(1, calendar.workingDays(from: start, to: finish + 1))
            let done = calendar.workingDays(from: start, to: asOf + 1)
            pv += planned * Double(done) / Double(total)
        }
        var bac = costSum
        var bacSource = "sum of task cost"
        if let p = project, let budget = try db.scalar(HealthSQL.budget(projects: projectsTable), [.integer(p)]).number {
            bac = budget
            bacSource = "project budget"
        }
        let ac = try db.scalar(HealthSQL.actualCost(costs: costsTable, filter: filter, day: args.count + 1),
                               args + [.date(asOf)]).number ?? 0
        func ratio(_ a: Double, _ b: Double) -> Value { b == 0 ? .null : .decimal((a / b * 100).rounded() / 100) }
        func money(_ x: Double) -> Value { .decimal((x * 100).rounded() / 100) }
        let cpi = ac == 0 ? nil : ev / ac
        let eac = cpi.flatMap { $0 == 0 ? nil : bac / $0 }
        func count(_ sql: String, _ extra: [Value]) throws -> Value { try db.scalar(sql, args + extra) }
        let n = args.count
        let overdue = try count(HealthSQL.overdue(tasks: tasksTable, filter: filter, day: n + 1), [.date(asOf)])
        let milestones = try count(HealthSQL.milestonesDue(tasks: tasksTable, filter: filter, from: n + 1), [.date(asOf), .date(asOf + 14)])
        let risks = try count(HealthSQL.seriousRisks(risks: risksTable, filter: filter), [])
        let defects = try count(HealthSQL.seriousDefects(defects: defectsTable, tasks: tasksTable, oneProject: project != nil), [])
        let rows: [[Value]] = [
            [.text("as of"), .date(asOf)],
            [.text("planned value (PV)"), money(pv)],
            [.text("earned value (EV)"), money(ev)],
            [.text("actual cost (AC)"), money(ac)],
            [.text("budget at completion (BAC)"), money(bac)],
            [.text("BAC from"), .text(bacSource)],
            [.text("schedule variance (SV = EV - PV)"), money(ev - pv)],
            [.text("cost variance (CV = EV - AC)"), money(ev - ac)],
            [.text("schedule performance (SPI = EV / PV)"), ratio(ev, pv)],
            [.text("cost performance (CPI = EV / AC)"), ratio(ev, ac)],
            [.text("estimate at completion (EAC = BAC / CPI)"), eac.map(money) ?? .null],
            [.text("estimate to complete (ETC = EAC - AC)"), eac.map { money($0 - ac) } ?? .null],
            [.text("variance at completion (VAC = BAC - EAC)"), eac.map { money(bac - $0) } ?? .null],
            [.text("percent complete (EV / BAC)"), bac == 0 ? .null : .decimal((ev / bac * 1000).rounded() / 10)],
            [.text("overdue tasks"), overdue],
            [.text("milestones due in the next two weeks"), milestones],
            [.text("risks not closed with score >= 12"), risks],
            [.text("open high and critical defects"), defects],
        ]
        return .rows(columns: [ResultColumn(name: "measure", kind: .text), ResultColumn(name: "value", kind: .any)], rows: rows, single: false)
    }
}
