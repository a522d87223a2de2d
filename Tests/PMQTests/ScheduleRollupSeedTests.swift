import Foundation
import Testing
@testable import PMQ

/// `schedule` seeds the roll-up of the leaves it moved with their parents, which the plan
/// already knows (`Rollup.afterMoves`), instead of leaving the next roll-up to find them from
/// its journal entries (`RollupSQL.seed`). The two must leave the same database: dates,
/// slack (task_schedule), the journal (ids, order, old and new values, statements), the
/// change sets' counts and the row versions `as of` reads; and `undo` of the schedule must
/// give back the plan as it was. Random trees with links and a status date in their middle,
/// scheduled, edited, scheduled again, undone and redone.
@Suite("schedule: the roll-up seeded from the moved leaves equals the journal's seed")
struct ScheduleRollupSeedTests {
    /// The tables schedule and the roll-up write, every value quoted with its type.
    static func dump(_ s: Session, tables: [(String, String)] = [("tasks", "id"), ("task_schedule", "id"), ("journal_entries", "id"),
                                                                  ("tasks_versions", "id, valid_to"), ("journal_sets", "id")]) throws -> [String] {
        var out: [String] = []
        for (table, order) in tables {
            // The clock time a set was made at differs between the two sessions.
            let cols = try s.db.columns(of: table).filter { $0 != "at" }
            let sql = "SELECT " + cols.map { "quote(\($0))" }.joined(separator: " || '|' || ") + " FROM \(table) ORDER BY \(order)"
            try s.db.query(sql, []) { r in
                if case .text(let t) = r[0] { out.append(table + ": " + t) }
            }
        }
        return out
    }

    final class Pair {
        let seeded: Session, journalSeeded: Session
        init() throws {
            seeded = try Session(path: nil, today: Day(iso: "2026-03-16"))
            journalSeeded = try Session(path: nil, today: Day(iso: "2026-03-16"))
            journalSeeded.context.scheduleSeedsRollup = false
            for s in [seeded, journalSeeded] { s.journal.user = "test" }
        }
        func run(_ text: String, _ note: String) throws {
            let a = seeded.run(text).diagnostics, b = journalSeeded.run(text).diagnostics
            #expect(a.map(\.message) == b.map(\.message), "\(note)")
            let da = try ScheduleRollupSeedTests.dump(seeded), db = try ScheduleRollupSeedTests.dump(journalSeeded)
            #expect(da.count == db.count, "\(note): \(da.count) rows against \(db.count)")
            if let i = da.indices.first(where: { $0 < db.count && da[$0] != db[$0] }) {
                Issue.record("\(note): \(da[i]) against \(db[i])")
            }
        }
    }

    @Test("random trees with links: schedule, edit, schedule again, undo, redo", arguments: [31, 32, 33, 34, 35])
    func randomPlans(_ seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let pair = try Pair()
        try pair.run("add project \"P\" start 2026-03-02", "project")
        let tree = RollupOneStatementTests.randomTree(&rng, csv: false)
        try pair.run(tree.text, "seed \(seed): the tree")
        // Links between leaves, from an earlier leaf to a later one (no cycle, no summary).
        var links: [String] = []
        if tree.leaves.count > 1 {
            for _ in 0..<(tree.leaves.count * 2) {
                let a = rng.below(tree.leaves.count - 1)
                let b = a + 1 + rng.below(min(4, tree.leaves.count - 1 - a))
                links.append("add dependency \(tree.leaves[a]) -> \(tree.leaves[b])")
            }
        }
        // A repeated link is refused alike on both sides; each goes on its own.
        for l in links { try pair.run(l, "seed \(seed): \(l)") }
        let planned = try Self.dump(pair.seeded, tables: [("tasks", "id")])
        let setsBefore = pair.seeded.context.scheduleSeededRollups

        try pair.run("schedule", "seed \(seed): schedule")
        try RollupTests.checkSummaries(pair.seeded, "seed \(seed): schedule")
        // The seeded path ran (else the comparison above proves nothing), and the other did not.
        #expect(pair.seeded.context.scheduleSeededRollups > setsBefore || tree.leaves.count < 2, "seed \(seed): the seeded roll-up did not run")
        #expect(pair.journalSeeded.context.scheduleSeededRollups == 0)

        try pair.run("undo", "seed \(seed): undo the schedule")
        #expect(try Self.dump(pair.seeded, tables: [("tasks", "id")]) == planned, "seed \(seed): undo did not give the plan back")
        try pair.run("redo", "seed \(seed): redo the schedule")

        let leaf = tree.leaves[rng.below(tree.leaves.count)]
        try pair.run("update \(leaf) set status = doing, progress = 40", "seed \(seed): start \(leaf)")
        try pair.run("update \(tree.leaves[rng.below(tree.leaves.count)]) set duration = \(2 + rng.below(9))d\nschedule",
                     "seed \(seed): a duration and schedule in one run")
        try RollupTests.checkSummaries(pair.seeded, "seed \(seed): second schedule")
        try pair.run("schedule", "seed \(seed): schedule a settled plan")
        try pair.run("undo", "seed \(seed): undo the second run")
        try pair.run("undo", "seed \(seed): undo again")
    }
}
