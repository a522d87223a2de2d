/// `schedule`: the critical-path method over the current project's tasks, from the
/// status date `today` (docs/language.md, “Mid-project truth”).
///
/// Leaf tasks form the network; summary tasks (those with children) take the span of
/// their children's schedule and roll their dates up from them. Durations and lags count
/// working days of the project calendar.
/// - Done and cancelled tasks stay where they are; their actual dates, else planned,
///   drive their successors.
/// - A started task keeps its start; it finishes no earlier than its planned finish and
///   the status date plus its remaining work, ceil(working days x (100 - progress) / 100).
/// - A task not started never starts before the status date.
/// - Constraints as in MS Project: snet/fnet bound the early dates, mso/mfo fix them
///   (the date wins over links), snlt/fnlt bound the late dates only; a task they make
///   impossible has negative slack and is named in the report.
/// Moves are journaled (undo takes them back); the float fields are derived and rewritten
/// only where they changed.
struct ScheduleExecutor {
    /// A lag of a fraction of a day as whole days, as MS Project dates it: the lag runs from
    /// the predecessor's finish (FS, FF) or start (SS, SF), and the successor is dated on the
    /// day that time falls in. A start bound takes the day the lag ends in (round down: `FS
    /// lag 0.5d` after a Thursday finish starts Friday, `lag 1.5d` Monday, `lag -0.5d`
    /// Thursday); a finish bound needs that day's end (round up: `FF lag 0.5d` finishes a day
    /// later). Whole lags are as written (V18).
    static func wholeDays(lag: Double, type: CPMNetwork.LinkType) -> Double {
        switch type {
        case .fs, .ss: return (lag + 1e-9).rounded(.down)
        case .ff, .sf: return (lag - 1e-9).rounded(.up)
        }
    }

    /// A lag in calendar days as minutes of elapsed time (CPMNetwork.Link.elapsed).
    static func elapsedMinutes(_ days: Double) -> Int32 {
        guard days.isFinite else { return 0 }
        return Int32(clamping: Int64(max(-2e9, min(2e9, (days * 1440).rounded()))))
    }

    let session: SessionContext
    private var db: any Engine { session.db }

    enum Progress { case notStarted, started, closed }

    /// A task's row of task_schedule: early and late dates, slack, free slack, critical,
    /// planned days and scheduled finish (nil: null; a value of another type never equals).
    struct Saved: Equatable {
        var earlyStart: Int64?, earlyFinish: Int64?, lateStart: Int64?, lateFinish: Int64?
        var slack: Int64?, freeSlack: Int64?, critical: Int64?, plannedDays: Int64?, scheduledFinish: Int64?
        var columns: [Int64?] { [earlyStart, earlyFinish, lateStart, lateFinish, slack, freeSlack, critical, plannedDays, scheduledFinish] }
    }

    struct TaskRow {
        var id: Int64, wbs: String, parentWBS: String?
        var start: Day?, finish: Day?, actualStart: Day?, actualFinish: Day?
        var milestone: Bool, progress: Double, state: Progress
        var constraint: String, constraintDate: Day?
        /// What the last `schedule` wrote (task_schedule), so only changes are written back.
        var saved: Saved
        var owner: Int64?
        var effort: Double?
    }

    /// `schedule level` (docs/language.md, “Resources”): after the critical-path pass, this delays work so no
    /// person's load passes their capacity; nil for plain `schedule`.
    var levelling: LevelOptions?

    init(session: SessionContext, levelling: LevelOptions? = nil) {
        self.session = session
        self.levelling = levelling
    }

    /// Columns 12...20 of the read query (ScheduleSQL.tasks), as they are stored.
    static func saved(_ s: Row) -> Saved {
        func v(_ i: Int) -> Int64? {
            switch s.storedType(i) {
            case .null: return nil
            case .integer: return s.integer(i)
            default: return Int64.min  // not what schedule writes: rewritten
            }
        }
        return Saved(earlyStart: v(12), earlyFinish: v(13), lateStart: v(14), lateFinish: v(15), slack: v(16), freeSlack: v(17),
                     critical: v(18), plannedDays: v(19), scheduledFinish: v(20))
    }

    /// The leaf nodes below each summary task, by the summary's id (nested summaries too).
    static func leavesBelow(_ tasks: [TaskRow], node: [Int32]) -> [Int64: [Int32]] {
        var children: [String: [Int]] = [:]
        for (i, t) in tasks.enumerated() { if let p = t.parentWBS { children[p, default: []].append(i) } }
        var out: [Int64: [Int32]] = [:]
        for t in tasks where children[t.wbs] != nil {
            var leaves: [Int32] = []
            var stack = children[t.wbs] ?? []
            var seen = Set<Int>()
            while let i = stack.popLast() {
                guard seen.insert(i).inserted else { continue }
                if let more = children[tasks[i].wbs] { stack += more } else if node[Int(tasks[i].id)] >= 0 { leaves.append(node[Int(tasks[i].id)]) }
            }
            out[t.id] = leaves
        }
        return out
    }

    func run(_ range: SourceRange) throws -> ChangeReport {
        let project = try session.schedulingProject(range)
        let calendar = try session.loadCalendar()
        var tasks: [TaskRow] = []
        let projectFilter = project == nil ? "project IS NULL" : "project = ?1"
        let args: [Value] = project.map { [.integer($0)] } ?? []
        // Typed reads (no `Value` per column): this runs for every task of the project.
        try db.query(ScheduleSQL.tasks(projectFilter: projectFilter), args) { s in
            func day(_ i: Int) -> Day? {
                if let n = s.integer(i), n >= Int64(Day.earliest.number), n <= Int64(Day.latest.number) { return Day(Int(n)) }
                return nil
            }
            guard let id = s.integer(0), s.storedType(1) == .text, case .text(let wbs) = s[1] else { return }
            var parent: String?
            if s.storedType(2) == .text, case .text(let p) = s[2] { parent = p }
            let code = s.integer(6) ?? 0
            let milestone = s.integer(5) == 1
            let started = day(7) != nil || code == 1
            let state: Progress = code == 2 ? .closed : (started && !milestone ? .started : .notStarted)
            let constraintDate = day(11)
            tasks.append(TaskRow(id: id, wbs: wbs, parentWBS: parent, start: day(3), finish: day(4), actualStart: day(7), actualFinish: day(8),
                                 milestone: milestone, progress: s.number(9) ?? 0, state: state,
                                 constraint: constraintDate == nil ? "asap" : ConstantEvaluator.text(s[10]), constraintDate: constraintDate,
                                 saved: ScheduleExecutor.saved(s), owner: s.integer(21), effort: s.number(22)))
        }
        guard !tasks.isEmpty else { return ChangeReport(verb: "scheduled", entity: "task", count: 0, detail: nil) }

        // Each task's parent by index (-1: none in this project); summary tasks are those some
        // other task names as its parent. One dictionary by code, looked up once a task.
        var byWBS: [String: Int32] = [:]
        byWBS.reserveCapacity(tasks.count)
        // Two tasks of one code (possible only without a project: NULLs are distinct in the
        // unique index) leave the roll-up's seed to the journal, which finds both.
        var codesUnique = true
        for (i, t) in tasks.enumerated() {
            if byWBS[t.wbs] == nil { byWBS[t.wbs] = Int32(i) } else { codesUnique = false }
        }
        var parentOf = [Int32](repeating: -1, count: tasks.count)
        var summary = [Bool](repeating: false, count: tasks.count)
        for i in tasks.indices {
            if let p = tasks[i].parentWBS, let j = byWBS[p] { parentOf[i] = j; summary[Int(j)] = true }
        }
        let leaves = tasks.indices.filter { !summary[$0] }
        // A summary's snet and fnlt bind the work below it, as in MS Project (the other kinds
        // are refused on a summary): each leaf's summaries' constraints, nearest first.
        func summaryConstraints(_ i: Int) -> [(kind: String, date: Day)] {
            var out: [(kind: String, date: Day)] = []
            var j = parentOf[i]
            var steps = 0
            while j >= 0, steps < tasks.count {
                let p = tasks[Int(j)]
                if let d = p.constraintDate, p.constraint == "snet" || p.constraint == "fnlt" { out.append((p.constraint, d)) }
                j = parentOf[Int(j)]
                steps += 1
            }
            return out
        }
        // Leaf node by task id: ids are row ids, nearly dense, so an array is the map.
        let maxID = Int(tasks.map(\.id).max() ?? 0)
        var node = [Int32](repeating: -1, count: maxID + 1)
        for (k, i) in leaves.enumerated() { node[Int(tasks[i].id)] = Int32(k) }
        // A link to or from a summary holds for the leaves below it, as in MS Project: work
        // under a summary waits for the summary's predecessors, and a summary's successors
        // wait for all of its work.
        let below = ScheduleExecutor.leavesBelow(tasks, node: node)

        // The project starts at its start date, else its earliest task, else today.
        var projectStart = session.today
        var startGiven = false
        if let p = project, case .integer(let s) = try db.scalar(ScheduleSQL.projectStart, [.integer(p)]),
           s >= Int64(Day.earliest.number), s <= Int64(Day.latest.number) {
            projectStart = Day(Int(s))
            startGiven = true
        } else if let earliest = tasks.compactMap({ $0.actualStart ?? $0.start }).min() {
            projectStart = earliest
        }
        projectStart = calendar.nextWorking(projectStart)
        func index(_ d: Day) -> Int32 { Int32(clamping: calendar.index(of: d, from: projectStart)) }
        /// The exclusive end index of work that finishes on `d`.
        func endIndex(_ d: Day) -> Int32 { index(d + 1) }
        let statusDate = index(session.today)

        // Per leaf: its duration in the network, and for a started task its new finish.
        var plannedFinish = [Day?](repeating: nil, count: tasks.count)
        var plannedDays = [Int?](repeating: nil, count: tasks.count)
        var network = CPMNetwork(durations: [], links: [])
        network.durations.reserveCapacity(leaves.count)
        // A task works its owner's days: the project calendar less the owner's leave (docs/language.md, “Resources”).
        let people = session.personCalendars
        var offByOwner: [Int64: Int32] = [:]
        network.calendarOf = Array(repeating: -1, count: leaves.count)
        for (k, i) in leaves.enumerated() {
            let t = tasks[i]
            let own = people.calendar(for: t.owner)
            var planned: Int32 = 1
            if t.milestone { planned = 0 } else if let s = t.start, let f = t.finish, f >= s { planned = Int32(max(1, own.workingDays(from: s, to: f + 1))) }
            network.durations.append(planned)
            if let o = t.owner, own !== calendar {
                if offByOwner[o] == nil {
                    offByOwner[o] = Int32(network.calendars.count)
                    network.calendars.append(PeriodCalendar(off: people.leaveWorkingDays(o).map { index($0) }))
                }
                network.calendarOf[k] = offByOwner[o] ?? -1
            }
        }
        network.earliest = Array(repeating: nil, count: leaves.count)
        network.fixed = Array(repeating: false, count: leaves.count)
        network.latestFinish = Array(repeating: nil, count: leaves.count)
        network.fixedAtEndOfDay = Array(repeating: false, count: leaves.count)
        network.earliestFinish = Array(repeating: nil, count: leaves.count)
        for (k, i) in leaves.enumerated() {
            let t = tasks[i]
            switch t.state {
            case .closed:
                // Where it happened (actual dates, else planned): fixed, driving its successors.
                guard let s = t.actualStart ?? t.start ?? t.actualFinish ?? t.finish else { continue }
                let f = max(s, t.actualFinish ?? t.finish ?? s)
                network.fixed[k] = true
                if t.milestone {
                    network.durations[k] = 0
                    let working = calendar.isWorking(f)
                    network.earliest[k] = working ? endIndex(f) : index(f)
                    network.fixedAtEndOfDay[k] = working
                } else {
                    // Where it happened, whatever the calendar: no periods off.
                    network.calendarOf[k] = -1
                    network.earliest[k] = index(s)
                    network.durations[k] = Int32(max(0, calendar.workingDays(from: s, to: f + 1)))
                }
            case .started:
                let own = people.calendar(for: t.owner)
                let s = t.actualStart ?? t.start ?? session.today
                // The working days the task was planned with: those of its start and finish, or,
                // while its finish is the one an earlier schedule wrote, the days that run used
                // (its own extension is not more planned work).
                var planned = Int(network.durations[k])
                if let days = t.saved.plannedDays, let wrote = t.saved.scheduledFinish, t.finish.map({ Int64($0.number) }) == wrote {
                    planned = Int(clamping: days)
                }
                plannedDays[i] = planned
                let left = Int((Double(planned) * (100 - min(100, max(0, t.progress))) / 100).rounded(.up))
                var finish = t.finish ?? s
                if left > 0 { finish = max(finish, own.adding(left - 1, to: own.nextWorking(session.today))) }
                finish = max(finish, s)
                plannedFinish[i] = finish
                network.fixed[k] = true
                network.earliest[k] = index(s)
                // Its days from start to finish in the index space: no periods off within.
                network.calendarOf[k] = -1
                network.durations[k] = Int32(max(1, calendar.workingDays(from: s, to: finish + 1)))
            case .notStarted:
                var earliest = max(0, statusDate)
                // While its finish is the one the last schedule wrote, a task keeps the working
                // days it was planned with: leave taken since stretches it rather than shortening it.
                if !t.milestone, let days = t.saved.plannedDays, let wrote = t.saved.scheduledFinish,
                   t.finish.map({ Int64($0.number) }) == wrote, days > 0, days < 1_000_000 {
                    network.durations[k] = Int32(days)
                }
                if !t.milestone { plannedDays[i] = Int(network.durations[k]) }
                let duration = network.durations[k]
                if let c = t.constraintDate {
                    switch t.constraint {
                    case "snet": earliest = max(earliest, index(c))
                    case "fnet":
                        // Finish on D or later: at the end of D when D is a working day (a
                        // milestone is dated on D), else on the first working day after it.
                        if calendar.isWorking(c) {
                            network.earliestFinish[k] = endIndex(c)
                        } else {
                            earliest = max(earliest, t.milestone ? index(c) : index(c) + 1 - duration)
                        }
                    case "mso":
                        network.fixed[k] = true
                        earliest = index(c)
                    case "mfo":
                        network.fixed[k] = true
                        if t.milestone, calendar.isWorking(c) {
                            earliest = endIndex(c)
                            network.fixedAtEndOfDay[k] = true
                        } else {
                            earliest = t.milestone ? index(c) : endIndex(c) - duration
                        }
                    default: break
                    }
                }
                if !network.fixed[k] {
                    for c in summaryConstraints(i) where c.kind == "snet" { earliest = max(earliest, index(c.date)) }
                }
                network.earliest[k] = earliest
            }
            // Late bounds hold for all work not closed.
            if t.state != .closed, let c = t.constraintDate {
                let duration = network.durations[k]
                switch t.constraint {
                case "snlt":
                    // Start on D or before: a milestone reached at the end of D still starts on D;
                    // on a weekend or holiday, the last working day before it.
                    if t.milestone {
                        network.latestFinish[k] = calendar.isWorking(c) ? endIndex(c) : index(c)
                    } else {
                        network.latestFinish[k] = (calendar.isWorking(c) ? index(c) : index(c) - 1) + duration
                    }
                case "fnlt": network.latestFinish[k] = t.milestone && calendar.isWorking(c) ? endIndex(c) : (t.milestone ? index(c) : endIndex(c))
                case "mso", "mfo": network.latestFinish[k] = (network.earliest[k] ?? 0) + duration
                default: break
                }
            }
            if t.state != .closed {
                for c in summaryConstraints(i) where c.kind == "fnlt" {
                    let bound = t.milestone && !calendar.isWorking(c.date) ? index(c.date) : endIndex(c.date)
                    network.latestFinish[k] = min(network.latestFinish[k] ?? bound, bound)
                }
            }
        }
        // One scan of the links, kept when both ends are this project's leaves. (Joining
        // tasks twice by project let SQLite pair every task with every other: quadratic.)
        try db.query(ScheduleSQL.links) { s in
            guard let p = s.integer(0), let q = s.integer(1), p >= 0, q >= 0, p <= maxID, q <= maxID else { return }
            let type = CPMNetwork.LinkType(rawValue: Int(s.integer(2) ?? 0)) ?? .fs
            // A lag in calendar days (`lag 2d`) runs in elapsed time, kept to the minute; one in
            // working days (`lag 2wd`) counts working days of the plan, as before (LagUnits).
            let elapsed = s.integer(4) == 1
            let lag = elapsed ? ScheduleExecutor.elapsedMinutes(s.number(3) ?? 0)
                : Int32(clamping: s.number(3).flatMap { ScheduleExecutor.wholeDays(lag: $0, type: type).safeInt } ?? 0)
            let a = node[Int(p)], b = node[Int(q)]
            // Leaf to leaf, nearly every link: no lists made.
            if a >= 0, b >= 0 {
                if a != b { network.links.append(.init(pred: a, succ: b, type: type, lag: lag, elapsed: elapsed)) }
                return
            }
            let from = a >= 0 ? [a] : below[p] ?? []
            let to = b >= 0 ? [b] : below[q] ?? []
            for a in from {
                for b in to where a != b { network.links.append(.init(pred: a, succ: b, type: type, lag: lag, elapsed: elapsed)) }
            }
        }
        if network.links.contains(where: \.elapsed) {
            // Calendar lags count calendar days between the plan's working days (index 0 is the
            // project's first working day).
            let start = projectStart, cal = calendar
            network.elapsedCalendar = CPMNetwork.ElapsedCalendar(
                dayAt: { i in cal.date(at: Int(i), from: start).number },
                indexOnOrAfter: { d in Int32(clamping: cal.index(of: Day(min(max(d, Day.earliest.number), Day.latest.number)), from: start)) },
                isWorking: { d in cal.isWorking(Day(min(max(d, Day.earliest.number), Day.latest.number))) })
        }
        var result: CPMResult
        do {
            result = try network.solve()
        } catch CPMError.cycle(let loop) {
            let names = loop.map { tasks[leaves[Int($0)]].wbs }
            throw RuntimeError(code: .dependencyCycle, message: "cannot schedule: the dependencies form a cycle: \(names.joined(separator: " -> "))", range: range)
        }
        // Levelling: delay work where people are overloaded, then take the early and late
        // dates again with the levelled starts as the earliest ones (so slack is consistent).
        var delayed: [(wbs: String, days: Int32)] = []
        if let options = levelling {
            let unlevelled = result.es
            let starts = try Leveller(session: session, range: range).level(
                network: network, cpm: result, tasks: leaves.map { tasks[$0] }, options: options,
                project: project, period: { calendar.isWorking($0) ? index($0) : nil })
            // Work of no duration uses nobody: it follows its predecessors in the second pass,
            // so an FS milestone stays on its (delayed) predecessor's finish day.
            for k in leaves.indices where !network.fixed[k] && network.durations[k] > 0 && starts[k] > result.es[k] {
                network.earliest[k] = max(network.earliest[k] ?? 0, starts[k])
            }
            result = try network.solve()
            for (k, i) in leaves.enumerated() where result.es[k] > unlevelled[k] {
                delayed.append((tasks[i].wbs, result.es[k] - unlevelled[k]))
            }
        }

        // Dates of each leaf, then summaries spanning their descendants. Work of no duration
        // placed at the end of a day is dated on that day.
        // The date of each working-day index the plan reaches, made once by stepping from day
        // to working day (four look-ups a task, each a search of the calendar, cost more).
        var dates: [Day] = []
        let top = min(Int(max(result.ef.max() ?? 0, result.lf.max() ?? 0)), 100_000)
        if top >= 0 {
            dates.reserveCapacity(top + 1)
            var d = projectStart
            for _ in 0...top {
                dates.append(d)
                d = calendar.nextWorking(d + 1)
            }
        }
        func date(_ i: Int) -> Day { i >= 0 && i < dates.count ? dates[i] : calendar.date(at: i, from: projectStart) }
        func startDate(_ i: Int32) -> Day { date(Int(i)) }
        func finishDate(_ es: Int32, _ ef: Int32) -> Day { ef > es ? date(Int(ef) - 1) : startDate(es) }
        func pointDate(_ i: Int32, endOfDay: Bool) -> Day { endOfDay ? date(Int(i) - 1) : startDate(i) }
        struct Out { var es: Day, ef: Day, ls: Day, lf: Day, slack: Int32, free: Int32, critical: Bool }
        // Late dates are a measure, not the plan: a long chain of unstarted work ahead of work
        // started or done long ago drags them back without bound (negative slack), so a late
        // date outside 0001-01-01 to 9999-12-31 is kept at that end of the range; the slack
        // keeps its full count of working days.
        func inRange(_ d: Day) -> Day { min(max(d, Day.earliest), Day.latest) }
        // Results by task index (arrays, not dictionaries: this runs for every task).
        var out = [Out?](repeating: nil, count: tasks.count)
        var negative: [String] = []
        for (k, i) in leaves.enumerated() {
            let point = result.ef[k] == result.es[k]
            let eod = point && result.atEndOfDay[k]
            let es = point ? pointDate(result.es[k], endOfDay: eod) : startDate(result.es[k])
            let ls = point ? pointDate(result.ls[k], endOfDay: eod) : startDate(result.ls[k])
            out[i] = Out(es: es, ef: point ? es : finishDate(result.es[k], result.ef[k]),
                         ls: inRange(ls), lf: inRange(point ? ls : finishDate(result.ls[k], result.lf[k])),
                         slack: result.totalFloat[k], free: result.freeFloat[k], critical: result.critical(k))
            if result.totalFloat[k] < 0 && tasks[i].state != .closed { negative.append(tasks[i].wbs) }
        }
        // A plan that runs past the calendar's end is refused, not stored as dates PMQ cannot keep (H2).
        if let k = leaves.firstIndex(where: { out[$0].map { !$0.ef.isInRange || !$0.es.isInRange } ?? false }) {
            throw RuntimeError(code: .outOfRange, message: "schedule would place task \(tasks[leaves[k]].wbs) past \(Day.latest.iso), the last date PMQ keeps",
                               range: range, notes: ["the status date (today, \(session.today.iso)) and the work left must fit before it"])
        }
        // Deepest first, each task folds into its parent: one pass, whatever the depth.
        let levels = tasks.map { $0.wbs.utf8.reduce(0) { $1 == 46 ? $0 + 1 : $0 } }
        for i in tasks.indices.sorted(by: { levels[$0] > levels[$1] }) {
            guard let o = out[i], parentOf[i] >= 0 else { continue }
            let parent = Int(parentOf[i])
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

        // Write back: the schedule's fields of each task whose values changed into task_schedule,
        // and the moved leaves into a scratch table, from which set-based statements journal
        // their dates and apply them. Both go a batch of rows to a statement.
        try db.run(ScheduleSQL.createMoved)
        try db.run(ScheduleSQL.clearMoved)
        func value(_ v: Int64?) -> Value { v.map { .integer($0) } ?? .null }
        let width = 1 + ScheduleSQL.savedColumns.count
        var saving: [Value] = [], moving: [Value] = []
        saving.reserveCapacity(ScheduleSQL.batch * width)
        moving.reserveCapacity(ScheduleSQL.batch * 3)
        func flushSaving() throws {
            guard !saving.isEmpty else { return }
            try db.run(ScheduleSQL.saveSchedule(rows: saving.count / width), saving)
            saving.removeAll(keepingCapacity: true)
        }
        func flushMoving() throws {
            guard !moving.isEmpty else { return }
            try db.run(ScheduleSQL.addMoved(rows: moving.count / 3), moving)
            moving.removeAll(keepingCapacity: true)
        }
        var latest: Day?, first: Day?
        // The summaries right above the moved leaves (by index): the roll-up's seed.
        var movedParents = Set<Int32>()
        for (i, t) in tasks.enumerated() {
            guard let o = out[i] else { continue }
            let leaf = !summary[i]
            // Closed tasks keep their dates, started ones their start; summaries roll up.
            var start = t.start, finish = t.finish
            if leaf {
                switch t.state {
                case .closed: break
                case .started: finish = plannedFinish[i] ?? finish
                case .notStarted: start = o.es; finish = o.ef
                }
                if let f = finish { latest = max(latest ?? f, f) }
                if let s = start { first = min(first ?? s, s) }
            }
            // Only rows with something new are written: a weekly re-plan moves few tasks.
            let days = plannedDays[i].map { Int64($0) }
            let wrote = plannedDays[i] != nil ? finish.map { Int64($0.number) } : nil
            let computed = Saved(earlyStart: Int64(o.es.number), earlyFinish: Int64(o.ef.number), lateStart: Int64(o.ls.number),
                                 lateFinish: Int64(o.lf.number), slack: Int64(o.slack), freeSlack: Int64(o.free), critical: o.critical ? 1 : 0,
                                 plannedDays: days, scheduledFinish: wrote)
            if computed != t.saved {
                saving.append(.integer(t.id))
                for c in computed.columns { saving.append(value(c)) }
                if saving.count >= ScheduleSQL.batch * width { try flushSaving() }
            }
            if leaf && (start != t.start || finish != t.finish) {
                moving.append(.integer(t.id))
                moving.append(value(start.map { Int64($0.number) }))
                moving.append(value(finish.map { Int64($0.number) }))
                if moving.count >= ScheduleSQL.batch * 3 { try flushMoving() }
                if parentOf[i] >= 0 { movedParents.insert(parentOf[i]) }
            }
        }
        try flushSaving()
        try flushMoving()
        var moved = 0
        if case .integer(let n) = try db.scalar(ScheduleSQL.countMoved), n > 0 {
            let set = try session.journal.set()
            let statement = try session.journal.statementOfNewEntries()
            // Every entry before these rolled up (as before any statement): the roll-up of the
            // moves is seeded here, from the parents the plan already knows, and the mark moves
            // past them, so `rollUpPending` does not look for them in the journal again. The
            // same summaries, values, entries and versions as that look (ScheduleRollupSeedTests).
            let before = try session.journal.mark()
            let seedHere = session.scheduleSeedsRollup && codesUnique && session.rollupMark == before
            for field in ["start", "finish"] {
                try db.run(ScheduleSQL.journalMoved(field), [.integer(set), statement])
            }
            moved = try db.run(ScheduleSQL.applyMoved)
            try db.run(ScheduleSQL.clearMoved)
            if seedHere {
                let parents = movedParents.sorted().map { j in
                    (id: tasks[Int(j)].id, depth: tasks[Int(j)].wbs.utf8.reduce(0) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 })
                }
                try Rollup(session: session).afterMoves(parents: parents)
                session.rollupMark = try session.journal.mark()
                session.scheduleSeededRollups += 1
            }
        }
        let finish = latest ?? finishDate(0, result.length)
        // The span of the plan reported: from the project's start when it has one, else from the
        // plan's first task start as re-planned, not the dates the tasks had before
        // (docs/language.md, “Scheduling”).
        let begin = startGiven ? projectStart : calendar.nextWorking(min(first ?? projectStart, finish))
        var note = "\(moved) moved; finish \(finish.iso), \(calendar.workingDays(from: begin, to: finish + 1)) working days"
        if levelling != nil {
            // What levelling could not remove (work it may not move: started tasks, fixed
            // dates) is said, not hidden behind "no one overloaded".
            var over: [String] = []
            try db.query(LevelSQL.stillOverloaded, [.date(session.today), project.map { .integer($0) } ?? .null]) { s in
                let days = s[1].number.map { Int($0) } ?? 0
                let first = s[2].number.map { Day(Int($0)).iso } ?? "?"
                over.append("\(ConstantEvaluator.text(s[0])) on \(days) day\(days == 1 ? "" : "s") from \(first)")
            }
            delayed.sort { WBS.precedes($0.wbs, $1.wbs) }
            note += delayed.isEmpty ? (over.isEmpty ? "; no one overloaded, nothing delayed" : "; nothing delayed")
                : "; delayed by levelling: " + delayed.prefix(20).map { "\($0.wbs) +\($0.days)wd" }.joined(separator: ", ") + (delayed.count > 20 ? ", ... (\(delayed.count) in all)" : "")
            if !over.isEmpty {
                note += "; still overloaded by work levelling does not move (started or fixed): " + over.prefix(10).joined(separator: ", ")
                    + (over.count > 10 ? ", ..." : "")
            }
        }
        if !negative.isEmpty {
            negative.sort(by: WBS.precedes)
            note += "; negative slack: " + negative.prefix(10).joined(separator: ", ") + (negative.count > 10 ? ", ..." : "")
        }
        return ChangeReport(verb: levelling == nil ? "scheduled" : "levelled", entity: "task", count: tasks.count, detail: nil, note: note)
    }
}

extension SessionContext {
    /// docs/language.md, “Mid-project truth”: with several projects and none chosen, a bare WBS code is refused rather
    /// than acting on every project's task of that code.
    func refuseAmbiguousWBS(_ code: String, _ range: SourceRange) throws {
        guard currentProject == nil, try projectIDs().count > 1 else { return }
        let (list, first) = try projectCodeList()
        throw RuntimeError(code: .ambiguousProject, message: "task \(code) is ambiguous: there are several projects (\(list))",
                           range: range, notes: ["choose one first: use project \"\(first)\""])
    }

    /// The project codes an ambiguity error lists (docs/language.md, “Several projects”): up to 20, then `...`,
    /// and the first, for the note's example.
    func projectCodeList() throws -> (list: String, first: String) {
        var codes: [String] = []
        try db.query(SessionSQL.someProjectCodes) { s in codes.append(ConstantEvaluator.text(s[0])) }
        return (codes.prefix(20).joined(separator: ", ") + (codes.count > 20 ? ", ..." : ""), codes.first ?? "CODE")
    }

    /// A new row (or a statement over the project) that names no project when there are several and none is `use`d:
    /// the error lists the project codes, as the refusal of a bare WBS code does.
    func ambiguousProject(_ count: Int, _ range: SourceRange, give: Bool) throws -> RuntimeError {
        let (list, first) = try projectCodeList()
        return RuntimeError(code: .ambiguousProject,
                            message: "there are \(count) projects (\(list)): \(give ? "give \"project\" or " : "")choose one with: use project \"\(first)\"",
                            range: range)
    }

    /// The project `schedule`, `health` and `baseline save` work on: the `use`d one, or the only one.
    func schedulingProject(_ range: SourceRange) throws -> Int64? {
        if let p = currentProject { return p }
        let ids = try projectIDs()
        if ids.count <= 1 { return ids.first }
        throw try ambiguousProject(ids.count, range, give: false)
    }

    /// The holidays and make-up days in the database, as the calendar every working-day
    /// count uses, and each person's leave (docs/language.md, “Resources”).
    @discardableResult
    func loadCalendar() throws -> WorkCalendar {
        var days: [Day] = [], extra: [Day] = []
        var leave: [(person: Int64, start: Day, finish: Day)] = []
        func day(_ v: Value) -> Day? {
            if case .integer(let n) = v, n >= Int64(Day.earliest.number), n <= Int64(Day.latest.number) { return Day(Int(n)) }
            return nil
        }
        if db.kind == .postgres {
            // One round trip instead of three (a server's store is always at the current schema).
            try db.query(CalendarSQL.allRows) { s in
                guard case .integer(let kind) = s[0] else { return }
                switch kind {
                case 0: if let d = day(s[1]) { days.append(d) }
                case 1: if let d = day(s[1]) { extra.append(d) }
                default: if case .integer(let p) = s[1], let a = day(s[2]), let b = day(s[3]) { leave.append((p, a, b)) }
                }
            }
        } else {
            try db.query(CalendarSQL.holidays) { s in if let d = day(s[0]) { days.append(d) } }
            // A file opened read-only at an older schema has neither table.
            try? db.query(CalendarSQL.workdays) { s in if let d = day(s[0]) { extra.append(d) } }
            try? db.query(CalendarSQL.leaves) { s in
                if case .integer(let p) = s[0], let a = day(s[1]), let b = day(s[2]) { leave.append((p, a, b)) }
            }
        }
        personCalendars.set(holidays: days, workdays: extra, leave: leave)
        return calendar
    }
}
