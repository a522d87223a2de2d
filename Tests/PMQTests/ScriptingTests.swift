import Foundation
import Testing
@testable import PMQ

@Suite("Change journal, undo, dry run, params, transactions")
struct ScriptingTests {
    let model = """
    add person "Zhang Min" role "DBA"
    add person "Li Wei" role "DBA" backup "Zhang Min"
    add project "GOV"
    add task "A" wbs 1 owner "Li Wei" start 2026-03-02 finish 2026-03-06 progress 20
    add task "B" wbs 2 owner "Li Wei" start 2026-03-09 finish 2026-03-10
    add task "C" wbs 3 owner "Zhang Min" start 2026-03-20 finish 2026-03-25
    """

    /// The model on an engine; drop the store when done.
    func session(_ engine: TestEngine) throws -> (Session, TestStore) {
        let store = try TestStore(engine)
        let s = try store.session()
        #expect(s.run(model).diagnostics.isEmpty)
        return (s, store)
    }

    func rows(_ s: Session, _ q: String) -> [[Value]] {
        guard case .rows(_, let r, _)? = s.run(q).results.first else { return [] }
        return r
    }

    @Test("undo walks back change sets; redo re-applies the last undo", arguments: TestEngine.all)
    func undoRedo(_ engine: TestEngine) throws {
        let (s, store) = try session(engine)
        defer { store.drop() }
        #expect(s.run("assign \"Zhang Min\" to tasks where owner = \"Li Wei\"").diagnostics.isEmpty)
        #expect(s.run("update tasks set status = doing, finish = finish + 1w").diagnostics.isEmpty)
        #expect(s.run("delete tasks where wbs = 3").diagnostics.isEmpty)
        let before = rows(s, "tasks select wbs, owner, status, finish")
        #expect(before.count == 2)

        #expect(s.run("undo").diagnostics.isEmpty)  // the delete
        #expect(rows(s, "tasks select wbs, status").count == 3)
        #expect(s.run("undo").diagnostics.isEmpty)  // the update
        #expect(rows(s, "tasks where status = doing select wbs").isEmpty)
        #expect(rows(s, "tasks where wbs = 1 select finish") == [[.date(Day(iso: "2026-03-06")!)]])
        #expect(s.run("undo").diagnostics.isEmpty)  // the assign
        #expect(rows(s, "tasks where owner = \"Li Wei\" select wbs").count == 2)
        #expect(s.run("redo").diagnostics.isEmpty)  // the assign again
        #expect(rows(s, "tasks where owner = \"Li Wei\" select wbs").isEmpty)
        #expect(s.run("redo").diagnostics.isEmpty)  // then the update: redo steps forward
        #expect(rows(s, "tasks where status = doing select wbs").count == 3)
        // A new change ends the redo chain.
        #expect(s.run("update tasks where wbs = 1 set progress = 5").diagnostics.isEmpty)
        #expect(s.run("redo").diagnostics.first?.message == "nothing to redo")
    }

    @Test("save query is journaled: undo takes it back", arguments: TestEngine.all)
    func undoSave(_ engine: TestEngine) throws {
        let (s, store) = try session(engine)
        defer { store.drop() }
        #expect(s.run("save query mine = tasks where owner = \"Li Wei\"").diagnostics.isEmpty)
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(rows(s, "show queries").isEmpty)
        #expect(rows(s, "tasks select wbs").count == 3)
    }

    @Test("undo refuses when a row changed outside the journal since", arguments: TestEngine.all)
    func undoConflict(_ engine: TestEngine) throws {
        let (s, store) = try session(engine)
        defer { store.drop() }
        #expect(s.run("update tasks where wbs = 1 set progress = 50").diagnostics.isEmpty)
        try s.db.execute("UPDATE tasks SET progress = 70 WHERE wbs = '1'")
        let d = s.run("undo").diagnostics
        #expect(d.first?.message.contains("task 1 progress has changed since") == true)
        #expect(rows(s, "tasks where wbs = 1 select progress") == [[.integer(70)]])
    }

    @Test("undo of adds removes the rows; the undo is journaled", arguments: TestEngine.all)
    func undoAdds(_ engine: TestEngine) throws {
        let (s, store) = try session(engine)
        defer { store.drop() }
        #expect(s.run("add task \"D\" wbs 4\nadd task \"E\" wbs 5").diagnostics.isEmpty)
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(rows(s, "tasks select wbs").count == 3)
        guard case .rows(_, let history, _)? = s.run("history").results.first else { Issue.record("no history"); return }
        #expect(history.first?[3] == .text("undo of change 2"))
    }

    @Test("a dry run reports a row-level diff and changes nothing", arguments: TestEngine.all)
    func dryRunDiff(_ engine: TestEngine) throws {
        let (s, store) = try session(engine)
        defer { store.drop() }
        var results: [StatementResult] = []
        let d = s.run(SourceFile(name: "t", text: "update tasks where wbs = 1 set progress = 60, owner = \"Zhang Min\""), dryRun: true) { results.append($0) }
        #expect(d.isEmpty)
        guard case .rows(let cols, let diff, _)? = results.last else { Issue.record("no diff"); return }
        #expect(cols.map(\.name) == ["entity", "key", "field", "old", "new"])
        #expect(diff.contains([.text("task"), .text("1"), .text("progress"), .integer(20), .integer(60)]), "\(diff)")
        #expect(diff.contains([.text("task"), .text("1"), .text("owner"), .reference("Li Wei"), .reference("Zhang Min")]))
        #expect(rows(s, "tasks where wbs = 1 select progress") == [[.integer(20)]])
        guard case .rows(_, let history, _)? = s.run("history").results.first else { Issue.record("no history"); return }
        #expect(history.count == 1)
    }

    @Test("params take --var values converted to the default's type", arguments: TestEngine.all)
    func params(_ engine: TestEngine) throws {
        let (s, store) = try session(engine)
        defer { store.drop() }
        s.params = ["who": "Zhang Min", "n": "2", "day": "2026-03-01"]
        let (r, d) = s.run("param who = \"Li Wei\"\nparam n = 0\nparam day = 2026-01-01\ncount tasks where owner = who\nprint n + 1\nprint day")
        #expect(d.isEmpty)
        #expect(r == [.scalar(.integer(1), kind: .number), .text("3"), .text("2026-03-01")])
        s.params = ["n": "two"]
        let bad = s.run("param n = 0").diagnostics
        #expect(bad.first?.message == "--var n=two: expected a number like the default 0")
    }

    @Test("the shell's begin / commit / rollback", arguments: TestEngine.all)
    func explicitTransactions(_ engine: TestEngine) throws {
        let (s, store) = try session(engine)
        defer { store.drop() }
        s.allowsExplicitTransactions = true
        #expect(s.run("begin").diagnostics.isEmpty)
        #expect(s.run("update tasks set progress = 90").diagnostics.isEmpty)
        // A failing statement inside the transaction undoes only itself.
        #expect(!s.run("update tasks set progress = 900").diagnostics.isEmpty)
        #expect(rows(s, "tasks where progress = 90 select wbs").count == 3)
        #expect(s.run("rollback").diagnostics.isEmpty)
        #expect(rows(s, "tasks where progress = 90 select wbs").isEmpty)
        #expect(s.run("begin").diagnostics.isEmpty)
        #expect(s.run("update tasks set progress = 90").diagnostics.isEmpty)
        #expect(s.run("commit").diagnostics.isEmpty)
        #expect(rows(s, "tasks where progress = 90 select wbs").count == 3)
        #expect(!s.run("commit").diagnostics.isEmpty)
    }

    @Test("a for loop over 1,000 tasks with if and update", arguments: TestEngine.all)
    func loop(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session()
        var script = "add person \"P\"\nadd project \"X\"\n"
        for i in 1...1000 { script += "add task \"T\(i)\" wbs \(i) start 2026-03-01 finish 2026-03-0\(i % 9 + 1)\n" }
        #expect(s.run(script).diagnostics.isEmpty)
        let (_, d) = s.run("for t in tasks {\n if t.late > 10d {\n update t set priority = high\n }\n}")
        #expect(d.isEmpty)
        // finish on days 1–5 of March is more than 10 days late: i % 9 in 0...4.
        let expected = (1...1000).filter { $0 % 9 <= 4 }.count
        #expect(s.run("count tasks where priority = high").results == [.scalar(.integer(Int64(expected)), kind: .number)])
    }
}

@Suite("Atomicity against a killed process")
struct KillTests {
    /// A long script is killed mid-way: the file holds all of it or none of it, and is sound.
    @Test("SIGKILL during a long script leaves all or nothing", arguments: TestEngine.all)
    func sigkill(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "kill.db")
        defer { store.drop() }
        let path = try #require(store.location)
        #expect(try PMQProcess.run(["--db", path, "-e", "add person \"P\"\nadd project \"X\""]).status == 0)
        var script = ""
        for i in 1...200_000 { script += "add task \"T\(i)\" wbs \(i) owner \"P\"\n" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-kill-\(getpid()).pmq")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = PMQProcess.binary
        p.arguments = ["--db", path, file.path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(400_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let count = try PMQProcess.run(["--db", path, "-e", "count tasks"])
        #expect(count.stdout == "0\n" || count.stdout == "200000\n")
        if engine == .sqlite {
            let db = try SQLiteEngine(path: path)
            #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
        }
    }
}

@Suite("The bulk-update example")
struct BulkExampleTests {
    @Test("moving a leaver's tasks to their backup reports what moved")
    func leaver() throws {
        let r = try PMQProcess.run(["--today", "2026-03-16", "--var", "leaver=Li Wei", "examples/gov-cloud/project.pmq", "examples/leaver.pmq"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("moved"))
        #expect(r.stdout.contains("Li Wei now owns 0 open tasks"))
    }
}
