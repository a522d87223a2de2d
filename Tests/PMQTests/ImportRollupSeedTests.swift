import Foundation
import Testing
@testable import PMQ

/// The roll-up after `import ... into tasks` starts from the parent codes the import's rows
/// gave (`Rollup.afterImport`), not from a look through the journal's entries for them
/// (`RollupSQL.seed`; BENCHMARKS.md, “Issue 14, eleventh pass”). The summaries, their values,
/// the journal, the row versions, undo and redo must be those of the general path
/// (`SessionContext.importSeedsRollup = false`).
@Suite("import: the roll-up seeded from the rows' parent codes")
struct ImportRollupSeedTests {
    /// Rows under the project's older phase 1 (a summary from before, journaled as before),
    /// a new phase 3 with its packages, and a row whose parent is a task of phase 1.
    static let underOlder = """
        wbs,name,owner,status,progress,start,finish,cost
        1.4,Review,Li Wei,doing,30,2026-03-10,2026-03-27,500
        1.5,Cut-over,,todo,,2026-03-23,2026-04-10,
        1.5.1,Freeze,王芳,done,100,2026-03-23,2026-03-24,100
        1.5.2,Switch,,blocked,0,2026-03-25,2026-04-10,2500
        3,Run,,,,,,
        3.1,Operate,Li Wei,todo,0,2026-05-04,2026-06-30,1000
        3.2,Hand over,,todo,0,2026-07-01,2026-07-03,
        1.2.1,Sub-step of an older leaf,王芳,doing,10,2026-03-09,2026-03-13,300

        """

    /// The data lines of `csv` in a shuffled order: children come before their parents.
    static func shuffled(_ csv: String, seed: UInt64) -> String {
        var lines = csv.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        var rng = SeededGenerator(seed: seed)
        for i in stride(from: lines.count - 1, to: 0, by: -1) { lines.swapAt(i, rng.below(i + 1)) }
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    @Test("the same summaries, journal and versions as the general seed; undo and redo the same",
          arguments: ["fresh tree", "fresh tree, json", "shuffled", "under older tasks", "then add task", "twice in a run"])
    func sameAsGeneralSeed(_ kind: String) throws {
        let f = Scratch("import-seed")
        let big = ImportBatchTests.csv(seed: 7)
        var script = "import \"t.csv\" into tasks"
        var seeded = 1
        switch kind {
        case "fresh tree": f.write("t.csv", big)
        case "fresh tree, json":
            f.write("t.json", ImportBatchTests.json(big))
            script = "import \"t.json\" into tasks"
        case "shuffled": f.write("t.csv", Self.shuffled(big, seed: 11))
        case "under older tasks": f.write("t.csv", Self.underOlder)
        case "then add task":
            // The add's row joins the import's range of added rows: the entries are no longer
            // the import's alone, and the general seed runs.
            f.write("t.csv", big)
            script += "\nadd task \"After\" wbs 2.1.900 start 2026-04-01 finish 2026-04-30 cost 77"
            seeded = 0
        default:
            // Two imports in one run: each is rolled up before the next statement.
            f.write("t.csv", Self.underOlder)
            f.write("u.csv", "wbs,name,start,finish,cost\n3.3,More,2026-07-06,2026-07-10,40\n1.5.3,Late,2026-04-13,2026-04-20,60\n")
            script += "\nimport \"u.csv\" into tasks"
            seeded = 2
        }
        let general = try midProject(), seeds = try midProject()
        general.context.importSeedsRollup = false
        for s in [general, seeds] { s.journal.user = "test" }
        let before = try RollupOneStatementTests.dump(general)
        for s in [general, seeds] {
            let d = s.run(script, name: f.path("script.pmq")).diagnostics
            #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        }
        #expect(general.context.importSeededRollups == 0)
        #expect(seeds.context.importSeededRollups == seeded, "\(kind)")
        let after = try RollupOneStatementTests.dump(general)
        ImportBatchTests.same(after, try RollupOneStatementTests.dump(seeds), "\(kind), after the import")
        // The summaries did roll up (a phase's cost is its packages').
        if kind == "under older tasks" {
            #expect(rows(seeds, "tasks where wbs = 1.5 select cost, status") == [[.decimal(2600), .text("doing")]])
            #expect(rows(seeds, "tasks where wbs = 3 select cost") == [[.decimal(1000)]])
        }
        for (step, expected) in [("undo", before), ("redo", after), ("undo", before)] {
            for s in [general, seeds] { #expect(s.run(step).diagnostics.isEmpty, "\(step)") }
            let g = try RollupOneStatementTests.dump(general), m = try RollupOneStatementTests.dump(seeds)
            ImportBatchTests.same(g, m, "\(kind), \(step)")
            ImportBatchTests.same(m.filter { $0.hasPrefix("tasks: ") }, expected.filter { $0.hasPrefix("tasks: ") }, "\(kind), \(step): the tasks")
        }
    }

    /// A failed import keeps nothing, and leaves nothing for the next roll-up to start from.
    @Test("a failed import leaves no seed: the next import in the session rolls up its own rows")
    func failedImport() throws {
        let f = Scratch("import-seed-fail")
        f.write("bad.csv", "wbs,name,start,finish\n4,Four,2026-05-01,2026-05-08\n4.1,Bad,2026-05-01,2026-02-30\n")
        f.write("good.csv", "wbs,name,start,finish,cost\n5,Five,,,\n5.1,One,2026-05-04,2026-05-08,10\n5.2,Two,2026-05-11,2026-05-15,20\n")
        let s = try midProject()
        let d = s.run("import \"bad.csv\" into tasks", name: f.path("script.pmq")).diagnostics
        #expect(d.first?.message.contains("is not a date") == true, "\(d.map(\.message))")
        #expect(s.context.importedTaskRows == nil)
        #expect(count(s, "tasks where wbs under 4") == .integer(0))
        #expect(s.run("import \"good.csv\" into tasks", name: f.path("script.pmq")).diagnostics.isEmpty)
        #expect(s.context.importSeededRollups == 1)
        #expect(rows(s, "tasks where wbs = 5 select start, finish, cost") == [[.date(Day(iso: "2026-05-04") ?? Day(0)), .date(Day(iso: "2026-05-15") ?? Day(0)), .decimal(30)]])
    }

    /// The indexes are built again with a larger page cache (`DeferredTaskIndexes.cacheForRebuild`);
    /// a connection at SQLite's default size (nothing to give back: `resetCache` changes
    /// nothing) must be at it again after the import, kept or failed.
    @Test("the page cache is the default size again after the indexes were built with a larger one")
    func pageCacheAfterRebuild() throws {
        let f = Scratch("import-seed-cache")
        f.write("t.csv", ImportBatchTests.csv(seed: 8))
        f.write("e.csv", ImportBatchTests.csv(seed: 9) { $0 == ImportBatchTests.last - 3 ? "1.2,again,,,,,,,," : nil })
        let s = try midProject()
        let before = try DeferredIndexTests.cacheSize(s)
        #expect(before == .integer(DeferredTaskIndexes.cacheWhileAway))
        #expect(DeferredTaskIndexes.cacheForRebuild != DeferredTaskIndexes.cacheWhileAway)
        // A failed import (an older task's code, found when the unique index is built) and a kept one.
        #expect(s.run("import \"e.csv\" into tasks", name: f.path("script.pmq")).diagnostics.first?.message.contains("duplicate WBS code 1.2") == true)
        #expect(try DeferredIndexTests.cacheSize(s) == before)
        #expect(s.run("import \"t.csv\" into tasks", name: f.path("script.pmq")).diagnostics.isEmpty)
        #expect(s.context.lastDeferredFrom != nil, "the indexes went away for the rows")
        #expect(try DeferredIndexTests.cacheSize(s) == before)
        #expect(try DeferredIndexTests.indexes(s).count >= 5)
    }

    /// `run` binds the texts of a statement of many parameters from one buffer of its own
    /// (`SQLiteEngine.manyParameters`): the values stored are those bound one by one.
    @Test("a statement of many parameters stores the texts bound one by one would")
    func manyParameters() throws {
        let db = try SQLiteEngine(path: nil)
        try db.execute("CREATE TABLE t (k INTEGER, v)")
        let texts = ["", "a", "Ünïcødé 数据库", "with\u{0}nul", String(repeating: "long ", count: 40), "x"]
        var values: [Value] = []
        for k in 0..<SQLiteEngine.manyParameters {
            values.append(.integer(Int64(k)))
            switch k % 5 {
            case 0: values.append(.text(texts[k % texts.count]))
            case 1: values.append(.reference(texts[(k + 1) % texts.count]))
            case 2: values.append(.null)
            case 3: values.append(.decimal(Double(k) / 4))
            default: values.append(.text(texts[(k + 3) % texts.count]))
            }
        }
        let rows = values.count / 2
        let many = "INSERT INTO t (k, v) VALUES " + (0..<rows).map { "(?\($0 * 2 + 1), ?\($0 * 2 + 2))" }.joined(separator: ", ")
        #expect(values.count >= SQLiteEngine.manyParameters)
        #expect(try db.run(many, values) == rows)
        // The same rows again, one statement each (two parameters: bound as before).
        for r in 0..<rows { try db.run("INSERT INTO t (k, v) VALUES (?1 + 1000, ?2)", [values[r * 2], values[r * 2 + 1]]) }
        var a: [String] = [], b: [String] = []
        try db.query("SELECT k, quote(v), typeof(v) FROM t ORDER BY k", []) { r in
            let line = "\(ConstantEvaluator.text(r[1]))|\(ConstantEvaluator.text(r[2]))"
            if case .integer(let k) = r[0], k >= 1000 { b.append(line) } else { a.append(line) }
        }
        #expect(a.count == rows)
        #expect(a == b)
        // A text is stored up to its first U+0000, and an empty text is text, not null.
        #expect(a.contains("'with'|text"))
        #expect(a.contains("''|text"))
        // A later statement of fewer parameters does not see the buffer's texts.
        try db.run(many, values)
        try db.run("INSERT INTO t (k) VALUES (?1)", [.integer(5000)])
        try db.query("SELECT v FROM t WHERE k = 5000", []) { r in #expect(r[0] == .null) }
    }
}
