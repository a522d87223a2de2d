import Foundation
import Testing
@testable import PMQ

/// What a loop of updates skips (BENCHMARKS.md, "Issue 10, figure f, third pass"): the
/// scratch table is emptied once, and the roll-up check after an update that calls for none.
/// Each skip must leave the results as they were.
@Suite("Loop fast paths")
struct LoopFastPathTests {
    static let model = """
    add project "P" start 2026-03-02
    add task "Phase" wbs 1
    add task "One" wbs 1.1 start 2026-03-02 duration 5wd
    add task "Two" wbs 1.2 start 2026-03-09 duration 5wd
    """

    func session(_ name: String) throws -> Session {
        let s = try Session(path: PMQProcess.tempDB(name), today: Day(iso: "2026-03-16"))
        #expect(s.run(Self.model).diagnostics.isEmpty)
        return s
    }

    /// The first cell of a query's rows, or its scalar (`count`).
    func scalar(_ s: Session, _ query: String) -> Value? {
        let r = s.run(query)
        guard r.diagnostics.isEmpty else { return nil }
        switch r.results.first {
        case .scalar(let v, _)?: return v
        case .rows(_, let rows, _)?: return rows.first?.first
        default: return nil
        }
    }

    func summaryProgress(_ s: Session) -> Value? { scalar(s, "tasks where wbs = \"1\" select progress") }

    @Test("the temporary database does not zero what it frees")
    func tempSecureDeleteOff() throws {
        let e = try SQLiteEngine(path: nil)
        #expect(try e.scalar("PRAGMA temp.secure_delete") == .integer(0))
        _ = try e.fillScratch("pmq_t", columns: 1, maxColumns: 2, select: "SELECT 1", args: [])
        #expect(try e.scalar("PRAGMA temp.secure_delete") == .integer(0))
    }

    @Test("a scratch table made in a transaction that was rolled back is made again")
    func scratchAfterRollback() throws {
        let e = try SQLiteEngine(path: nil)
        try e.begin(writing: true)
        #expect(try e.fillScratch("pmq_t", columns: 1, maxColumns: 2, select: "SELECT 1", args: []) == 1)
        try e.clearScratch("pmq_t")
        try e.rollback()
        // The rollback took the table away: believing it there and empty would fail here.
        #expect(try e.fillScratch("pmq_t", columns: 1, maxColumns: 2, select: "SELECT 2", args: []) == 1)
        #expect(try e.scalar("SELECT count(*) FROM temp.pmq_t") == .integer(1))
    }

    @Test("rows a rollback to a savepoint brings back into a scratch table are emptied by the next fill")
    func scratchAfterSavepointRollback() throws {
        let e = try SQLiteEngine(path: nil)
        try e.begin(writing: true)
        #expect(try e.fillScratch("pmq_t", columns: 1, maxColumns: 2, select: "SELECT 1", args: []) == 1)
        try e.savepoint("pmq_s")
        try e.clearScratch("pmq_t")
        try e.rollbackToSavepoint("pmq_s")
        #expect(try e.scalar("SELECT count(*) FROM temp.pmq_t") == .integer(1))
        #expect(try e.fillScratch("pmq_t", columns: 1, maxColumns: 2, select: "SELECT 2", args: []) == 1)
        #expect(try e.scalar("SELECT count(*) FROM temp.pmq_t") == .integer(1))
        #expect(try e.scalar("SELECT c0 FROM temp.pmq_t") == .integer(2))
        try e.commit()
    }

    @Test("a scratch table emptied by clearScratch is filled again without being emptied first, rows and count right")
    func scratchReused() throws {
        let e = try SQLiteEngine(path: nil)
        for n in 1...3 {
            let select = "SELECT value FROM json_each('[" + (1...n).map(String.init).joined(separator: ",") + "]')"
            #expect(try e.fillScratch("pmq_t", columns: 1, maxColumns: 2, select: select, args: []) == n)
            #expect(try e.scalar("SELECT count(*) FROM temp.pmq_t") == .integer(Int64(n)))
            try e.clearScratch("pmq_t")
            #expect(try e.scalar("SELECT count(*) FROM temp.pmq_t") == .integer(0))
        }
    }

    @Test("an update that calls for no roll-up, then one that does, in a loop's body: the summary follows")
    func rollupAfterSkippedCheck() throws {
        let s = try session("loop-rollup.db")
        let d = s.run("""
            for t in tasks where not summary {
              update t set priority = high
              update t set progress = 100
              update t set priority = low
            }
            """).diagnostics
        #expect(d.isEmpty, "\(d)")
        #expect(summaryProgress(s) == .integer(100))
        #expect(scalar(s, "count tasks where priority = low") == .integer(2))
    }

    @Test("an update of several fields, one a roll-up input, rolls up; so does a later statement of the same run")
    func rollupMixedFields() throws {
        let s = try session("mixed-rollup.db")
        #expect(s.run("update tasks where wbs = \"1.1\" set priority = high, progress = 40").diagnostics.isEmpty)
        #expect(summaryProgress(s) == .integer(20))
        #expect(s.run("update tasks where wbs = \"1.2\" set priority = high\nupdate tasks where wbs = \"1.2\" set progress = 60").diagnostics.isEmpty)
        #expect(summaryProgress(s) == .integer(50))
        // Undo takes the last run back, roll-up included.
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(summaryProgress(s) == .integer(20))
    }
}
