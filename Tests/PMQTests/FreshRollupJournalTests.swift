import Foundation
import Testing
@testable import PMQ

/// The roll-up does not journal its changes to tasks that the same change set added
/// (`Rollup`, docs/language.md, “Summary tasks roll up”): their `+` entry says undo removes
/// them. Summaries that were there before are journaled as before, undo and redo give
/// back every value, and `history` counts an added summary once.
@Suite("Summary roll-up: no journal entries for summaries the change set added")
struct FreshRollupJournalTests {
    /// The entries of the newest change set other than added ranges: (task code, field).
    static func fieldEntries(_ s: Session) throws -> [String] {
        var out: [String] = []
        try s.db.query("""
            SELECT coalesce(t.wbs, '#' || e.row_id), e.field FROM journal_entries e LEFT JOIN tasks t ON t.id = e.row_id
            WHERE e.set_id = (SELECT max(id) FROM journal_sets) AND e.entity = 'tasks' AND e.field != '+' ORDER BY e.id
            """, []) { r in out.append("\(ConstantEvaluator.text(r[0])) \(ConstantEvaluator.text(r[1]))") }
        return out
    }

    static func changes(_ s: Session) throws -> Value {
        try s.db.scalar("SELECT changes FROM journal_sets WHERE id = (SELECT max(id) FROM journal_sets)", [])
    }

    static let summaryFields = "tasks where wbs in (1, 2, 2.1, 2.1.1) select wbs, start, finish, cost, progress, status order by wbs"

    @Test("an import: the new summaries' fields are not journaled, an older summary's are; undo and redo give back every value",
          arguments: TestEngine.all)
    func importedTree(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let f = Scratch("fresh-rollup")
        f.write("t.csv", """
            wbs,name,start,finish,cost,progress,status
            2,Build,,,,,
            2.1,Backend,,,,,
            2.1.1,API,2026-03-23,2026-03-27,100,50,doing
            2.1.2,DB,2026-03-30,2026-04-10,200,0,todo
            2.2,Docs,2026-03-23,2026-03-24,10,100,done
            1.4,Review,2026-03-23,2026-03-27,50,0,todo

            """)
        let s = try midProject(on: store)
        let before = rows(s, Self.summaryFields)
        let tasksBefore = count(s, "tasks")
        let (_, d) = s.run("import \"t.csv\" into tasks", name: f.path("script.pmq"))
        #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        let after = rows(s, Self.summaryFields)
        // Rolled up: 2.1 from its two children, 2 from 2.1 and 2.2, 1 takes the new 1.4.
        #expect(after.contains { $0.first == .text("2") && $0[1] == .date(Day(iso: "2026-03-23")!) && $0[2] == .date(Day(iso: "2026-04-10")!)
                                 && $0[3].number == 310 && $0[5] == .text("doing") }, "\(after)")
        #expect(after.contains { $0.first == .text("2.1") && $0[3].number == 300 && $0[2] == .date(Day(iso: "2026-04-10")!) }, "\(after)")
        let entries = try Self.fieldEntries(s)
        // Only the older summary 1 has entries (its cost and finish moved); 2 and 2.1 have none.
        #expect(!entries.isEmpty && entries.allSatisfy { $0.hasPrefix("1 ") }, "\(entries)")
        #expect(entries.contains("1 cost"), "\(entries)")
        // history counts the six rows and summary 1's changed fields.
        #expect(try Self.changes(s).number == Double(6 + entries.count))
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(count(s, "tasks") == tasksBefore)
        #expect(rows(s, Self.summaryFields) == before)
        #expect(s.run("redo").diagnostics.isEmpty)
        #expect(rows(s, Self.summaryFields) == after)
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(rows(s, Self.summaryFields) == before)
    }

    @Test("add task lines: a summary added with its children has no roll-up entries; the dry-run diff shows it added",
          arguments: TestEngine.all)
    func addedTree(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try midProject(on: store)
        let script = """
            add task "Build" wbs 2
            add task "API" wbs 2.1 start 2026-03-23 finish 2026-03-27 cost 100
            add task "DB" wbs 2.2 start 2026-03-30 finish 2026-04-10 cost 200
            """
        let (results, d) = s.run(script, dryRun: true)
        #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        let diff = results.compactMap { OutputFormat.csv.render($0) }.joined()
        #expect(diff.contains("task,2,(added)"), "\(diff)")
        #expect(!diff.contains("task,2,cost"), "\(diff)")
        #expect(s.run(script).diagnostics.isEmpty)
        #expect(rows(s, "tasks where wbs = \"2\" select cost, start, finish").first?.first?.number == 300)
        #expect(try Self.fieldEntries(s).isEmpty)
        #expect(try Self.changes(s).number == 3)
        // A later change to a child rolls up into the summary, journaled: undo gives it back.
        #expect(s.run("update 2.1 set cost = 150").diagnostics.isEmpty)
        #expect(try Self.fieldEntries(s) == ["2.1 cost", "2 cost"])
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(rows(s, "tasks where wbs = \"2\" select cost").first?.first?.number == 300)
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(count(s, "tasks where wbs = \"2\" or wbs under 2") == .integer(0))
    }
}
