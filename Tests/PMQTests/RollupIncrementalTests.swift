import Foundation
import Testing
@testable import PMQ

/// The incremental roll-up of progress (schema step 24): on SQLite a statement that changed
/// only leaves' progress, in whole numbers, adjusts the summaries above by the differences,
/// from each summary's kept sums (`task_rollup`), instead of reading all their children again
/// (`Rollup`, `RollupSQL.deriveFromSums`). It must leave exactly what deriving them leaves.
@Suite("Summary roll-up: progress adjusted by differences equals derived")
struct RollupIncrementalTests {
    /// Takes a store back to before step 24 (for tests that fake an older file).
    static func undoStep24(_ db: any Engine) throws {
        try db.execute("DROP TABLE task_rollup")
    }

    /// The summaries whose kept sums are not their children's as they are now (SQL written
    /// here, independently of RollupSQL): must be none.
    static func wrongSums(_ s: Session) throws -> [String] {
        let w = "CASE WHEN c.milestone OR c.status = 'cancelled' THEN 0 ELSE coalesce(pmq_workdays(c.start, c.finish, c.owner), 0) END"
        var out: [String] = []
        try s.db.query("""
            SELECT p.wbs || ': ' || r.weight || '/' || r.weighted || '/' || r.plain || '/' || r.active || ' vs '
                   || k.weight || '/' || k.weighted || '/' || k.plain || '/' || k.active
            FROM task_rollup r JOIN tasks p ON p.id = r.id
            JOIN (SELECT p2.id AS id, total(\(w)) AS weight, total(\(w) * c.progress) AS weighted,
                         total(CASE WHEN c.status != 'cancelled' THEN c.progress END) AS plain, total(c.status != 'cancelled') AS active
                  FROM tasks p2 JOIN tasks c ON c.project IS p2.project AND c.parent_wbs = p2.wbs GROUP BY p2.id) k ON k.id = r.id
            WHERE r.exact AND (r.weight != k.weight OR r.weighted != k.weighted OR r.plain != k.plain OR r.active != k.active)
            """, []) { r in out.append(ConstantEvaluator.text(r[0])) }
        return out
    }

    /// The same statements on a session that adjusts by differences and one that derives.
    final class Pair {
        let inc: Session, derived: Session
        init() throws {
            inc = try Session(path: nil, today: Day(iso: "2026-03-16"))
            derived = try Session(path: nil, today: Day(iso: "2026-03-16"))
            derived.context.rollupIncremental = false
            for s in [inc, derived] { s.journal.user = "test" }
        }
        /// True when the statements ran without a diagnostic.
        @discardableResult
        func run(_ text: String, _ note: String) throws -> Bool {
            let a = inc.run(text).diagnostics, b = derived.run(text).diagnostics
            #expect(a.map(\.message) == b.map(\.message), "\(note)")
            let da = try RollupOneStatementTests.dump(inc), db = try RollupOneStatementTests.dump(derived)
            #expect(da.count == db.count, "\(note): \(da.count) rows against \(db.count)")
            if let i = da.indices.first(where: { $0 < db.count && da[$0] != db[$0] }) {
                Issue.record("\(note): \(da[i]) against \(db[i])")
            }
            let wrong = try RollupIncrementalTests.wrongSums(inc)
            #expect(wrong.isEmpty, "\(note): kept sums \(wrong)")
            return a.isEmpty
        }
    }

    @Test("random trees: progress changes, bulk and single, with edits, moves, holidays, undo and redo", arguments: [31, 32, 33, 34, 35])
    func randomEdits(_ seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let pair = try Pair()
        try pair.run("add project \"P\" start 2026-03-02\nadd project \"Q\" start 2026-03-02", "projects")
        let tree = RollupOneStatementTests.randomTree(&rng, csv: false)
        try pair.run("use project \"P\"\n" + tree.text, "the tree")
        let statuses = ["todo", "doing", "done", "blocked", "cancelled"]
        var ran = 0
        for step in 0..<30 {
            let wbs = tree.leaves[rng.below(tree.leaves.count)]
            let top = wbs.split(separator: ".").first.map(String.init) ?? "1"
            let statement: String
            switch rng.below(10) {
            case 0, 1: statement = "update \(wbs) set progress = \(rng.below(101))"
            case 2, 3: statement = "update tasks where wbs under \(top) and not summary set progress = \(rng.below(101))"
            case 4: statement = "update tasks where not summary and progress < 50 set progress = progress + \(1 + rng.below(20))"
            case 5: statement = "update \(wbs) set progress = \(rng.below(100)).5"  // not a whole number: derived
            case 6: statement = "update \(wbs) set status = \(statuses[rng.below(5)])"
            case 7: statement = "shift \(wbs) by \(rng.below(7) - 3)d"
            // A branch moved to the other project and back (its summaries go with it).
            case 8: statement = rng.below(2) == 0 ? "update tasks where wbs under \(top) set project = \"Q\""
                                                  : "use project \"Q\"\nupdate tasks where wbs under \(top) set project = \"P\""
            default: statement = "update \(wbs) set progress = \(rng.below(101))\nupdate \(wbs) set progress = \(rng.below(101))"
            }
            let d = pair.inc.run("use project \"P\"").diagnostics + pair.derived.run("use project \"P\"").diagnostics
            #expect(d.isEmpty)
            if try pair.run(statement, "seed \(seed) step \(step): \(statement)") { ran += 1 }
            try RollupTests.checkSummaries(pair.inc, "seed \(seed) step \(step): \(statement)")
            if rng.below(4) == 0 { try pair.run("undo", "seed \(seed) step \(step): undo") }
            if rng.below(8) == 0 { try pair.run("redo", "seed \(seed) step \(step): redo") }
            if step == 20 { try pair.run("add holiday 2026-03-10", "seed \(seed): a holiday") }
        }
        #expect(ran >= 20, "\(ran) of 30 statements ran")
        #expect(pair.inc.context.incrementalRollups > 0 && pair.inc.context.levelsFromSums > 0)
        #expect(pair.derived.context.incrementalRollups == 0)
        #expect(try pair.derived.db.scalar("SELECT count(*) FROM task_rollup") == .integer(0))
    }

    @Test("a progress change reads the kept sums, not the children: sums made wrong on purpose show in the result")
    func usesSums() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run(RollupTests.model).diagnostics.isEmpty)
        #expect(s.run("update 1.1.1 set progress = 20").diagnostics.isEmpty)
        try RollupTests.checkSummaries(s, "after a progress change")
        #expect(try Self.wrongSums(s).isEmpty)
        let before = s.context.levelsFromSums
        // WP A1's sums as if its children's progress added up to 50 % more of its weight.
        try s.db.execute("UPDATE task_rollup SET weighted = weighted + weight * 50 WHERE id = (SELECT id FROM tasks WHERE wbs = '1.1')")
        #expect(s.run("update 1.1.2 set progress = 10").diagnostics.isEmpty)
        #expect(s.context.levelsFromSums > before)
        let rows = try RollupTests.rows(s)
        #expect((rows["1.1"]?.progress ?? 0) >= 50, "1.1 took its progress from the sums: \(rows["1.1"]?.progress ?? -1)")
        // A change of anything but progress derives the summary again and mends its sums.
        #expect(s.run("update 1.1.2 set cost = 1").diagnostics.isEmpty)
        try RollupTests.checkSummaries(s, "after a cost change")
        #expect(try Self.wrongSums(s).isEmpty)
    }

    @Test("a summary derived without sums that changes more than progress makes the levels above derived")
    func beyondProgress() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run(RollupTests.model).diagnostics.isEmpty)
        // WP A1 has no sums (it is derived) and a start its children do not give; Phase A
        // agrees with the stored WP A1, so only deriving Phase A again mends it.
        try s.db.execute("""
            DELETE FROM task_rollup WHERE id = (SELECT id FROM tasks WHERE wbs = '1.1');
            UPDATE tasks SET start = start - 10 WHERE wbs IN ('1.1', '1');
            """)
        let before = s.context.levelsFromSums
        #expect(s.run("update 1.1.1 set progress = 70").diagnostics.isEmpty)
        #expect(s.context.incrementalRollups == 1 && s.context.levelsFromSums == before)
        try RollupTests.checkSummaries(s, "after the progress change")
        #expect(try Self.wrongSums(s).isEmpty)
    }

    @Test("opening a file of schema 23 makes the empty table of sums; summaries fill it as they are derived")
    func migration() throws {
        let path = PMQProcess.tempDB("step24.db")
        do {
            let s = try Session(path: path, today: Day(iso: "2026-03-16"))
            #expect(s.run(RollupTests.model).diagnostics.isEmpty)
            try Self.undoStep24(s.db)
            try s.db.execute("PRAGMA user_version = 23")
        }
        let s = try Session(path: path, today: Day(iso: "2026-03-16"))
        #expect(s.db.schemaVersion == Migrations.latest)
        #expect(try s.db.scalar("SELECT count(*) FROM task_rollup") == .integer(0))
        // The first progress change derives (no sums yet) and keeps the sums of what it derived.
        #expect(s.run("update 1.1.1 set progress = 60").diagnostics.isEmpty)
        #expect(s.context.levelsFromSums == 0)
        #expect(try s.db.scalar("SELECT count(*) FROM task_rollup") == .integer(2))  // 1.1 and 1: the summaries it derived
        try RollupTests.checkSummaries(s, "first change")
        // The next one takes them.
        #expect(s.run("update 1.1.2 set progress = 30").diagnostics.isEmpty)
        #expect(s.context.levelsFromSums == 2)
        try RollupTests.checkSummaries(s, "second change")
        #expect(try Self.wrongSums(s).isEmpty)
    }
}
