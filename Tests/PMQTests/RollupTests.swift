import Foundation
import Testing
@testable import PMQ

/// Summary roll-up (docs/language.md, “Mid-project truth”) checked against an independent model written here in Swift.
@Suite("Summary roll-up")
struct RollupTests {
    /// A three-level WBS: two phases, work packages, leaves; one leaf is a milestone.
    static let model = """
    add project "P" start 2026-03-02
    add task "Phase A" wbs 1
    add task "WP A1" wbs 1.1
    add task "A1 one" wbs 1.1.1 start 2026-03-02 duration 5wd cost 100 effort 8
    add task "A1 two" wbs 1.1.2 start 2026-03-09 duration 3wd cost 200 effort 16
    add task "A1 gate" wbs 1.1.3 milestone true start 2026-03-12
    add task "WP A2" wbs 1.2
    add task "A2 one" wbs 1.2.1 start 2026-03-04 duration 7wd cost 50
    add task "Phase B" wbs 2
    add task "B one" wbs 2.1 start 2026-03-16 duration 2wd effort 4
    add task "B two" wbs 2.2 start 2026-03-18 duration 4wd cost 75 effort 4
    """

    struct Row { var wbs: String, status: String, start: Day?, finish: Day?, cost: Double?, effort: Double?, progress: Double
                 var actualStart: Day?, actualFinish: Day?, milestone: Bool }

    static func rows(_ s: Session) throws -> [String: Row] {
        guard case .rows(_, let rows, _)? = s.run("tasks select wbs, status, start, finish, cost, effort, progress, actual_start, actual_finish, milestone").results.first else {
            throw CancellationError()
        }
        var out: [String: Row] = [:]
        for r in rows {
            func day(_ v: Value) -> Day? { if case .date(let d) = v { return d }; return nil }
            out[ConstantEvaluator.text(r[0])] = Row(wbs: ConstantEvaluator.text(r[0]), status: ConstantEvaluator.text(r[1]), start: day(r[2]), finish: day(r[3]),
                                                   cost: r[4].number, effort: r[5].number, progress: r[6].number ?? 0,
                                                   actualStart: day(r[7]), actualFinish: day(r[8]), milestone: r[9] == .bool(true))
        }
        return out
    }

    /// What a summary must hold, from its children as they are (the rule of docs/language.md, “Mid-project truth”).
    static func expected(_ children: [Row], _ calendar: WorkCalendar) -> Row {
        func weight(_ c: Row) -> Double {
            guard !c.milestone, c.status != "cancelled", let s = c.start, let f = c.finish else { return 0 }
            return Double(calendar.workingDays(from: s, to: f + 1))
        }
        let weights = children.map(weight)
        let total = weights.reduce(0, +)
        let active = children.filter { $0.status != "cancelled" }
        var progress = 0.0
        if total > 0 {
            progress = (zip(children, weights).map { $0.progress * $1 }.reduce(0, +) / total + 0.5).rounded(.down)
        } else if !active.isEmpty {
            progress = (active.map(\.progress).reduce(0, +) / Double(active.count) + 0.5).rounded(.down)
        }
        let statuses = children.map(\.status)
        let status: String
        if statuses.allSatisfy({ $0 == "cancelled" }) { status = "cancelled" }
        else if statuses.allSatisfy({ $0 == "done" || $0 == "cancelled" }) { status = "done" }
        else if statuses.contains(where: { $0 == "doing" || $0 == "done" }) { status = "doing" }
        else if statuses.contains("blocked") { status = "blocked" }
        else { status = "todo" }
        func sum(_ xs: [Double?]) -> Double? { let v = xs.compactMap { $0 }; return v.isEmpty ? nil : v.reduce(0, +) }
        return Row(wbs: "", status: status, start: children.compactMap(\.start).min(), finish: children.compactMap(\.finish).max(),
                   cost: sum(children.map(\.cost)), effort: sum(children.map(\.effort)), progress: progress,
                   actualStart: children.compactMap(\.actualStart).min(),
                   actualFinish: status == "done" ? children.compactMap(\.actualFinish).max() : nil, milestone: false)
    }

    static func checkSummaries(_ s: Session, _ note: String) throws {
        let all = try rows(s)
        for (wbs, row) in all {
            let children = all.values.filter { WBS.parent($0.wbs) == wbs }
            guard !children.isEmpty else { continue }
            let e = expected(children, s.calendar)
            #expect(row.status == e.status, "\(note): \(wbs) status")
            #expect(row.progress == e.progress, "\(note): \(wbs) progress \(row.progress) vs \(e.progress)")
            #expect(row.start == e.start && row.finish == e.finish, "\(note): \(wbs) dates")
            #expect(row.cost == e.cost && row.effort == e.effort, "\(note): \(wbs) cost/effort")
            #expect(row.actualStart == e.actualStart && row.actualFinish == e.actualFinish, "\(note): \(wbs) actual dates")
        }
    }

    /// Run with the incremental roll-up of progress (schema step 24: summaries adjusted by the
    /// differences, from their kept sums) and without it (every summary derived from its children).
    @Test("after any random sequence of leaf updates, every summary is the roll-up of its children", arguments: [true, false])
    func property(_ incremental: Bool) throws {
        var rng = SeededGenerator(seed: 20260316)
        let leaves = ["1.1.1", "1.1.2", "1.1.3", "1.2.1", "2.1", "2.2"]
        let statuses = ["todo", "doing", "done", "blocked", "cancelled"]
        for round in 0..<12 {
            let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
            s.context.rollupIncremental = incremental
            #expect(s.run(Self.model).diagnostics.isEmpty)
            // Progress weights count working days: holidays (one on a weekend) in every other round.
            if round % 2 == 1 { #expect(s.run("add holiday 2026-03-10\nadd holiday 2026-03-14\nadd holiday 2026-03-19").diagnostics.isEmpty) }
            for step in 0..<25 {
                let wbs = leaves[Int(rng.next() % UInt64(leaves.count))]
                let statement: String
                switch rng.next() % 6 {
                case 0: statement = "update \(wbs) set status = \(statuses[Int(rng.next() % 5)])"
                case 1: statement = "update \(wbs) set progress = \(rng.next() % 101)"
                case 2: statement = "shift \(wbs) by \(Int(rng.next() % 7) - 3)d"
                case 3: statement = "update \(wbs) set cost = \(rng.next() % 3 == 0 ? "null" : String(rng.next() % 500))"
                case 4: statement = "update tasks where wbs under \(wbs.split(separator: ".").first ?? "1") set progress = \(rng.next() % 101)"
                default: statement = "update \(wbs) set effort = \(rng.next() % 40), status = \(statuses[Int(rng.next() % 5)])"
                }
                let d = s.run(statement).diagnostics
                #expect(d.isEmpty, "\(statement): \(d.map(\.message))")
                try Self.checkSummaries(s, "round \(round) step \(step) after \(statement)")
                if rng.next() % 5 == 0 {
                    #expect(s.run("undo").diagnostics.isEmpty)
                    try Self.checkSummaries(s, "round \(round) step \(step) after undo")
                }
            }
            // The path under test ran: summaries took their progress from the kept sums (or never).
            #expect((s.context.levelsFromSums > 0) == incremental, "round \(round): \(s.context.levelsFromSums) levels from sums")
        }
    }

    @Test("undo of a leaf change takes the roll-up back with it")
    func undo() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run(Self.model).diagnostics.isEmpty)
        let before = try Self.rows(s)
        #expect(s.run("update 1.1.1 set status = done").diagnostics.isEmpty)
        #expect(try Self.rows(s)["1"]?.status == "doing")
        #expect(s.run("undo").diagnostics.isEmpty)
        let after = try Self.rows(s)
        for wbs in ["1", "1.1", "1.1.1"] {
            #expect(after[wbs]?.status == before[wbs]?.status && after[wbs]?.progress == before[wbs]?.progress && after[wbs]?.actualStart == before[wbs]?.actualStart)
        }
    }

    @Test("a database from before roll-up is rolled up when it is opened")
    func migration() throws {
        let path = PMQProcess.tempDB("v2.db")
        do {
            let db = try SQLiteEngine.openStore(path: path, upTo: 2)
            try db.execute("""
                INSERT INTO tasks (id, wbs, wbs_key, parent_wbs, name, status, start, finish, progress, cost) VALUES
                (1, '1', '0000000001', NULL, 'Phase', 'todo', NULL, NULL, 0, NULL),
                (2, '1.1', '0000000001.0000000001', '1', 'Work', 'done', 20514, 20518, 100, 300)
                """)
        }
        let s = try Session(path: path, today: Day(iso: "2026-03-16"))
        let r = try Self.rows(s)
        #expect(r["1"]?.status == "done" && r["1"]?.progress == 100 && r["1"]?.cost == 300 && r["1"]?.start == Day(20514))
    }
}
