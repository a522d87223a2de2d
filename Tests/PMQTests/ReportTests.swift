import Foundation
import Testing
@testable import PMQ

/// The report expressions of spec §8.4 beyond the golden cases: limits that need many
/// rows, `me` from the environment, completion and help, and the one-statement rule.
@Suite("Report expressions")
struct ReportTests {
    func session(_ setup: String) throws -> Session {
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        let (_, d) = s.run(setup, name: "<setup>")
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        return s
    }

    @Test("a pivot over more than 200 columns is refused with the count and changes nothing")
    func pivotLimit() throws {
        var setup = "add project \"P\"\n"
        for i in 1...201 { setup += "add task \"T\(i)\" wbs \(i) start 2026-01-01 finish 2026-01-02\n" }
        let s = try session(setup)
        let (_, d) = s.run("update tasks set progress = 10\ntasks group by status pivot count() by wbs")
        #expect(d.count == 1)
        let text = DiagnosticRenderer.render(d)
        #expect(text.contains("201 columns, more than 200"), "\(text)")
        #expect(text.contains("where"))
        #expect(text.contains("^~~"))
        // The update before it was rolled back with the rest of the script.
        let (after, _) = s.run("count tasks where progress = 10")
        if case .scalar(let v, _)? = after.first { #expect(v == .integer(0)) } else { Issue.record("no count") }
        // 200 columns are fine.
        let (ok, d2) = s.run("tasks where wbs != \"201\" group by status pivot count() by wbs")
        #expect(d2.isEmpty)
        if case .rows(let columns, let rows, _)? = ok.first {
            #expect(columns.count == 201)
            #expect(columns[1].name == "1" && columns[2].name == "2" && columns[10].name == "10" && columns[200].name == "200")
            #expect(rows.count == 1)
        } else { Issue.record("no rows") }
    }

    @Test("every report construct is one SQL statement")
    func oneStatement() throws {
        let s = try session("add person \"A\" login \"a\"\nadd project \"P\"\nadd task \"T\" wbs 1 owner \"A\" start 2026-01-01 finish 2026-01-31")
        for q in ["tasks as t select wbs, (count tasks where wbs under t.wbs) as n",
                  "tasks where owner in (people where department = \"IT\")",
                  "downstream of 1 where status != done",
                  "tasks group by month(finish) having count() > 0 select month(finish), count() as n",
                  "tasks select if(overdue, \"red\", case when late > 0d then \"amber\" else \"green\" end) as rag"] {
            guard case .success(let stmt) = s.compileQuery(q) else { Issue.record("did not compile: \(q)"); continue }
            #expect(!stmt.sql.contains(";"), "\(stmt.sql)")
            #expect(stmt.sql.hasPrefix("SELECT"), "\(stmt.sql)")
        }
    }

    @Test("me reads PMQ_USER in the command")
    func meFromEnvironment() throws {
        let setup = "add person \"Li Wei\" login \"liwei\"; add project \"P\"; add task \"T\" wbs 1 owner \"Li Wei\""
        let r = try PMQProcess.run(["-e", setup, "-e", "tasks where owner = me select wbs"], env: ["PMQ_USER": "liwei"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1"))
        let bad = try PMQProcess.run(["-e", setup, "-e", "tasks where owner = me select wbs"], env: ["PMQ_USER": "someone"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("<eval>:1:21: error: \"me\": no person has login \"someone\""), "\(bad.stderr)")
    }

    @Test("completion knows the new words")
    func completion() throws {
        let s = try session("add project \"P\"\nadd task \"T\" wbs 3.3.1")
        let c = Completer(session: s)
        #expect(c.complete(before: "tasks group by owner ", word: "hav", inString: false).contains("having"))
        #expect(c.complete(before: "tasks group by owner ", word: "piv", inString: false).contains("pivot"))
        #expect(c.complete(before: "tasks select ", word: "mon", inString: false).contains("month("))
        #expect(c.complete(before: "tasks select ", word: "we", inString: false).contains("weekday("))
        #expect(c.complete(before: "tasks select ", word: "i", inString: false).contains("if("))
        #expect(c.complete(before: "tasks where owner = ", word: "m", inString: false).contains("me"))
        #expect(c.complete(before: "", word: "down", inString: false).contains("downstream of"))
        #expect(c.complete(before: "downstream of", word: "3.3", inString: false).contains("3.3.1"))
        #expect(c.complete(before: "tasks as t where (count tasks where wbs under ", word: "t.w", inString: false).contains("t.wbs"))
        #expect(c.complete(before: "tasks as t select ", word: "", inString: false).contains("t"))
    }
}

@Suite("Report words in the shell")
struct ReportShellTests {
    @Test(".help reports and Tab after group by")
    func helpAndTab() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-history-\(getpid())-\(UUID().uuidString)").path
        let t = try Terminal([], env: ["PMQ_HISTORY": history])
        #expect(t.expect("pmq> "))
        #expect(t.line(".help pivot", prompt: "pmq> ").contains("group by task pivot role by person"))
        t.mark()
        t.send("tasks group by owner hav\t")
        #expect(t.expect("having"))
        t.send("\u{15}")
        t.send(".quit\r")
        #expect(t.waitForExit())
    }
}
