/// `schedule level [within 200ms]` (docs/language.md, “Resources”): the model's tasks as a levelling problem.
///
/// People are renewable resources with `capacity` hours a working day. A task loads its
/// owner and its R assignees exactly as the `load` source counts them (units % of the
/// person's capacity on each of its working days, or its effort spread evenly when only
/// the owner loads it), so a levelled plan shows no `over` day that levelling could avoid.
/// Each open task may start no earlier than `schedule` puts it (its early start); done
/// work uses nothing and stays; started work and must-start/finish dates stay and use
/// what they use. Hours are compared in millionths, with capacity taken up to what still
/// rounds (to 0.01) to no more than capacity, as `over` rounds.
public struct LevelOptions: Sendable {
    /// Wall-clock budget for the search.
    public var budget: Duration
    public init(budget: Duration = .milliseconds(200)) { self.budget = budget }
}

struct Leveller {
    let session: SessionContext
    let range: SourceRange
    private var db: any Engine { session.db }

    static let scale = 1_000_000.0

    /// The levelled start index of every leaf (fixed ones where they are).
    /// `project` is the project levelled (nil: tasks of no project); `period` maps a day to
    /// its working-period index, nil for a day the project does not work.
    func level(network: CPMNetwork, cpm: CPMResult, tasks: [ScheduleExecutor.TaskRow], options: LevelOptions,
               project: Int64?, period: (Day) -> Int32?) throws -> [Int32] {
        let n = tasks.count
        // People: capacity and name, by id; resources are numbered as they are met.
        var capacity: [Int64: Double] = [:], name: [Int64: String] = [:]
        try db.query(LevelSQL.people) { s in
            if case .integer(let id) = s[0] {
                name[id] = ConstantEvaluator.text(s[1])
                capacity[id] = s[2].number ?? 8
            }
        }
        var row = [Int64: Int](minimumCapacity: n)
        for (k, t) in tasks.enumerated() { row[t.id] = k }
        // R assignments of these tasks: (person, units) by task.
        var rAssigned = [[(person: Int64, units: Double)]](repeating: [], count: n)
        try db.query(LevelSQL.responsibleAssignments) { s in
            guard case .integer(let t) = s[0], let k = row[t], case .integer(let p) = s[1] else { return }
            rAssigned[k].append((p, s[2].number ?? 100))
        }
        var resourceOf: [Int64: Int32] = [:], people: [Int64] = [], capacities: [Int32] = []
        func resource(_ p: Int64) -> Int32 {
            if let r = resourceOf[p] { return r }
            let r = Int32(people.count)
            resourceOf[p] = r
            people.append(p)
            // Up to what still rounds to capacity at 0.01 hours.
            capacities.append(Int32(clamping: Int64(((capacity[p] ?? 8) + 0.005) * Leveller.scale) - 1))
            return r
        }
        var activities: [LevellingProblem.Activity] = []
        activities.reserveCapacity(n)
        for (k, t) in tasks.enumerated() {
            let calendar = k < network.calendarOf.count ? network.calendarOf[k] : -1
            var a = LevellingProblem.Activity(duration: network.durations[k], release: max(0, cpm.es[k]),
                                              fixedStart: network.fixed[k] ? cpm.es[k] : nil, calendar: calendar)
            if t.state != .closed && !t.milestone && network.durations[k] > 0 {
                // Who loads the task and how many hours a working day, as `load` counts them.
                var hours: [(Int64, Double)] = []
                let others = rAssigned[k].filter { $0.person != t.owner }
                if let o = t.owner {
                    if let effort = t.effort, others.isEmpty {
                        hours.append((o, effort / Double(network.durations[k])))
                    } else {
                        let units = rAssigned[k].first { $0.person == o }?.units ?? 100
                        hours.append((o, units / 100 * (capacity[o] ?? 8)))
                    }
                }
                for r in others { hours.append((r.person, r.units / 100 * (capacity[r.person] ?? 8))) }
                var merged: [Int32: Int64] = [:]
                for (p, h) in hours where h > 0 {
                    merged[resource(p), default: 0] += Int64((h * Leveller.scale).rounded())
                }
                a.demands = merged.sorted { $0.key < $1.key }.map { .init(resource: $0.key, amount: Int32(clamping: $0.value)) }
            }
            activities.append(a)
        }
        // Levelling counts lags in working days: a calendar lag as the most working days it
        // spans in the week from where the plan has its predecessor (the pass after levelling
        // dates it exactly).
        let links = network.links.map { l -> LevellingProblem.Link in
            let anchor = l.type == .fs || l.type == .ff ? cpm.ef[Int(l.pred)] : cpm.es[Int(l.pred)]
            return LevellingProblem.Link(pred: l.pred, succ: l.succ, type: l.type, lag: network.workingLag(l, near: anchor))
        }
        let changes = try otherProjectsLoad(project: project, period: period, resourceOf: resourceOf, capacities: capacities)
        let problem = LevellingProblem(activities: activities, links: links, capacities: capacities,
                                       capacityChanges: changes, calendars: network.calendars)
        let solver = LevellingSolver(options: .init(timeBudget: options.budget, maxSchedules: 50_000, seed: 20_260_128, populationSize: 60, stallGenerations: 40))
        do {
            let starts = try solver.solve(problem, stop: { session.checkingInterrupted() != nil }).start
            // Stopped by the host's time limit or a cancel: the statement fails and rolls back.
            try session.step()
            return starts
        } catch LevellingError.halted {
            // The solver saw the host's time limit or a cancel: the session says which.
            try session.step()
            throw RuntimeError(code: .limitReached, message: session.checkingInterrupted() ?? "interrupted", range: range)
        } catch LevellingError.cannotFit(let k, let r, let demand, _) {
            let t = tasks[Int(k)], p = people[Int(r)]
            let need = Double(demand) / Leveller.scale, has = capacity[p] ?? 0
            throw RuntimeError(code: .cannotLevel, message: "cannot level: task \(t.wbs) needs \(Leveller.hours(need)) hours a working day of \(name[p] ?? "#\(p)"), who has \(Leveller.hours(has))",
                               range: range, notes: ["lengthen the task, lower its units or effort, or share the work with another person"])
        } catch LevellingError.cycle {
            throw RuntimeError(code: .dependencyCycle, message: "cannot level: the dependencies form a cycle", range: range)
        } catch LevellingError.malformed(let why) {
            throw RuntimeError(code: .cannotLevel, message: "cannot level: \(why)", range: range)
        }
    }

    /// Work of the same people in other projects (docs/language.md, “Resources”: no person's load passes their
    /// capacity, and `load` counts every project): each day's hours, as `load` counts them,
    /// come off the person's capacity on that day. Only people this project's tasks load.
    private func otherProjectsLoad(project: Int64?, period: (Day) -> Int32?, resourceOf: [Int64: Int32],
                                   capacities: [Int32]) throws -> [LevellingProblem.CapacityChange] {
        guard !resourceOf.isEmpty else { return [] }
        // Open tasks of other projects not over before today, of these people (when they are
        // few enough to name): the rest cannot load anyone on a day levelling may use.
        let ids = resourceOf.keys.sorted()
        let (sql, args) = LoadSQL.otherProjects(project: project, from: session.today, people: ids)
        var changes: [LevellingProblem.CapacityChange] = []
        try db.query(sql, args) { s in
            guard case .integer(let person) = s[0], let r = resourceOf[person],
                  case .integer(let day) = s[1], day >= Int64(Day.earliest.number), day <= Int64(Day.latest.number),
                  let t = period(Day(Int(day))), let hours = s[2].number else { return }
            // The hours as summed (not rounded): the day's sum over all projects then rounds,
            // as `over` rounds it, to no more than capacity.
            let left = Int64(capacities[Int(r)]) - Int64((hours * Leveller.scale).rounded())
            changes.append(.init(resource: r, period: t, capacity: Int32(clamping: max(0, left))))
        }
        return changes
    }

    static func hours(_ h: Double) -> String {
        let r = (h * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r).replacingOccurrences(of: #"0$"#, with: "", options: .regularExpression)
    }
}

import Foundation
