import Foundation
import Testing
@testable import PMQ

/// On SQLite the roll-up journals and writes a level's changed summaries with one statement
/// each (`RollupSQL.journalAll`, `applyAll`); PostgreSQL, and these tests' reference, do it
/// field by field (`journal`, `apply`). The two must leave the same database: the tasks as
/// stored (values and their SQLite types), the journal entries (ids, order, old and new
/// values) and the row versions `as of` reads, on random trees loaded whole (a fresh tree,
/// every summary new), imported from a file, and then edited, undone and redone.
@Suite("Summary roll-up: one statement a level equals field by field")
struct RollupOneStatementTests {
    /// A random WBS tree under project P: up to four levels, leaves with random dates,
    /// durations, statuses, progress, costs (whole, fractional, none), effort, milestones and
    /// actual dates; some summaries are given values of their own, as a file might carry.
    static func randomTree(_ rng: inout SeededGenerator, csv: Bool) -> (text: String, leaves: [String]) {
        let statuses = ["todo", "doing", "done", "blocked", "cancelled"]
        var lines: [String] = []
        var leaves: [String] = []
        func cost() -> String {
            switch rng.below(4) {
            case 0: return ""
            case 1: return String(rng.below(900))
            // Quarters add up exactly in any order (the reference model sums in its own order).
            case 2: return String(rng.below(900)) + ".75"
            default: return String(rng.below(50)) + ".5"
            }
        }
        func add(_ wbs: String, depth: Int) {
            let children = depth >= 3 ? 0 : (depth == 0 ? 1 + rng.below(4) : rng.below(4))
            let day = Day(Day(iso: "2026-03-02")!.number + rng.below(60))
            let days = 1 + rng.below(12)
            let status = statuses[rng.below(statuses.count)]
            let milestone = children == 0 && rng.below(8) == 0
            let ownValues = children == 0 || rng.below(3) == 0
            var c = cost()
            let effort = rng.below(3) == 0 ? "" : String(rng.below(80))
            let progress = status == "done" ? 100 : rng.below(101)
            let started = (status == "doing" || status == "done") && rng.below(2) == 0
            let actualStart = started ? Day(day.number + rng.below(3) - 1).iso : ""
            let actualFinish = started && status == "done" ? Day(day.number + days).iso : ""
            if !ownValues { c = "" }
            if csv {
                lines.append([wbs, "T\(wbs)", ownValues ? status : "", ownValues ? String(progress) : "",
                              ownValues ? day.iso : "", ownValues ? Day(day.number + (milestone ? 0 : days)).iso : "",
                              c, ownValues ? effort : "", milestone ? "true" : "false",
                              ownValues ? actualStart : "", ownValues ? actualFinish : ""].joined(separator: ","))
            } else {
                var l = "add task \"T\(wbs)\" wbs \(wbs)"
                if ownValues {
                    l += " status \(status) progress \(progress) start \(day.iso)"
                    l += milestone ? " milestone true" : " duration \(days)d"
                    if !effort.isEmpty { l += " effort \(effort)" }
                    if !actualStart.isEmpty { l += " actual_start \(actualStart)" }
                    if !actualFinish.isEmpty { l += " actual_finish \(actualFinish)" }
                }
                if !c.isEmpty { l += " cost \(c)" }
                lines.append(l)
            }
            if children == 0 { leaves.append(wbs) }
            for i in 1...max(1, children) where children > 0 { add("\(wbs).\(i)", depth: depth + 1) }
        }
        for top in 1...(1 + rng.below(3)) { add(String(top), depth: 0) }
        let header = "wbs,name,status,progress,start,finish,cost,effort,milestone,actual_start,actual_finish"
        return (csv ? ([header] + lines).joined(separator: "\n") + "\n" : lines.joined(separator: "\n"), leaves)
    }

    /// The tables the roll-up writes, every value quoted with its type (26 and 26.0 differ).
    static func dump(_ s: Session) throws -> [String] {
        var out: [String] = []
        for (table, order) in [("tasks", "id"), ("journal_entries", "id"), ("tasks_versions", "id, valid_to")] {
            let cols = try s.db.columns(of: table)
            let sql = "SELECT " + cols.map { "quote(\($0))" }.joined(separator: " || '|' || ") + " FROM \(table) ORDER BY \(order)"
            try s.db.query(sql, []) { r in
                if case .text(let t) = r[0] { out.append(table + ": " + t) }
            }
        }
        return out
    }

    /// The same statements on a session with each way of writing, compared after each.
    final class Pair {
        let one: Session, byField: Session
        init() throws {
            one = try Session(path: nil, today: Day(iso: "2026-03-16"))
            byField = try Session(path: nil, today: Day(iso: "2026-03-16"))
            byField.context.rollupFieldByField = true
            for s in [one, byField] { s.journal.user = "test" }
        }
        func run(_ text: String, name: String = "<eval>", _ note: String) throws {
            let a = one.run(text, name: name).diagnostics, b = byField.run(text, name: name).diagnostics
            #expect(a.map(\.message) == b.map(\.message), "\(note)")
            let da = try RollupOneStatementTests.dump(one), db = try RollupOneStatementTests.dump(byField)
            #expect(da.count == db.count, "\(note): \(da.count) rows against \(db.count)")
            if let i = da.indices.first(where: { $0 < db.count && da[$0] != db[$0] }) {
                Issue.record("\(note): \(da[i]) against \(db[i])")
            }
        }
    }

    @Test("random trees added whole, then edited, undone and redone", arguments: [11, 12, 13, 14])
    func addedTrees(_ seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let pair = try Pair()
        try pair.run("add project \"P\" start 2026-03-02", "project")
        let tree = Self.randomTree(&rng, csv: false)
        try pair.run(tree.text, "the tree")
        try RollupTests.checkSummaries(pair.one, "seed \(seed), the tree")
        let statuses = ["todo", "doing", "done", "blocked", "cancelled"]
        for step in 0..<15 {
            let wbs = tree.leaves[rng.below(tree.leaves.count)]
            let statement: String
            switch rng.below(6) {
            case 0: statement = "update \(wbs) set status = \(statuses[rng.below(5)])"
            case 1: statement = "update \(wbs) set progress = \(rng.below(101)), cost = \(rng.below(3) == 0 ? "null" : String(rng.below(500)) + ".25")"
            case 2: statement = "shift \(wbs) by \(rng.below(7) - 3)d"
            case 3: statement = "add task \"more\" wbs \(wbs).\(1 + rng.below(3)) start 2026-04-01 duration 2d cost 10"
            case 4: statement = "delete \(wbs)"
            default: statement = "update tasks where wbs under \(wbs.split(separator: ".").first ?? "1") set progress = \(rng.below(101))"
            }
            try pair.run(statement, "seed \(seed) step \(step): \(statement)")
            try RollupTests.checkSummaries(pair.one, "seed \(seed) step \(step): \(statement)")
            if rng.below(4) == 0 { try pair.run("undo", "seed \(seed) step \(step): undo") }
            if rng.below(8) == 0 { try pair.run("redo", "seed \(seed) step \(step): redo") }
        }
        try pair.run("add holiday 2026-03-10", "seed \(seed): a holiday (every summary again)")
        try RollupTests.checkSummaries(pair.one, "seed \(seed): after a holiday")
    }

    @Test("random trees imported from a file, under an existing summary too, then undone", arguments: [21, 22, 23])
    func importedTrees(_ seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let f = Scratch("rollup-import-\(seed)")
        let tree = Self.randomTree(&rng, csv: true)
        f.write("tree.csv", tree.text)
        let pair = try Pair()
        try pair.run("add project \"P\" start 2026-03-02", "project")
        try pair.run("import \"tree.csv\" into tasks", name: f.path("a.pmq"), "seed \(seed): import")
        try RollupTests.checkSummaries(pair.one, "seed \(seed): import")
        // Rows under a summary that was there before: it and its parents change too.
        let under = tree.leaves[rng.below(tree.leaves.count)]
        f.write("more.csv", "wbs,name,start,finish,cost,status\n\(under).1,x,2026-05-04,2026-05-08,12.5,doing\n\(under).2,y,2026-05-11,2026-05-12,,done\n")
        try pair.run("import \"more.csv\" into tasks", name: f.path("a.pmq"), "seed \(seed): rows under \(under)")
        try RollupTests.checkSummaries(pair.one, "seed \(seed): rows under \(under)")
        try pair.run("undo", "seed \(seed): undo")
        try pair.run("undo", "seed \(seed): undo the import")
        try pair.run("redo", "seed \(seed): redo")
    }
}
