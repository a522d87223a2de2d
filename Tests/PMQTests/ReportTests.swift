import Foundation
import Testing
@testable import PMQ

/// The report expressions of docs/language.md, “Reports” beyond the golden cases: limits that need many
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
        let s = try session("add project \"P\"\nadd task \"A\" wbs 3\nadd task \"B\" wbs 3.3\nadd task \"T\" wbs 3.3.1")
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

@Suite("Text search")
struct ContainsTests {
    /// The ASCII fast path of `~` answers exactly as Unicode case folding does, and
    /// declines (nil) whenever a text is not plain ASCII.
    @Test("the ASCII path of ~ agrees with Unicode folding")
    func asciiAgrees() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aAbBzZ09 .-_[]~{}") + ["\u{7F}", "\t", "\n"]
        for _ in 0..<20_000 {
            let h = String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let n = String((0..<Int.random(in: 0...3, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let expected = n.isEmpty || h.lowercased().contains(n.lowercased())
            let got = Array(h.utf8).withUnsafeBufferPointer { hb in
                Array(n.utf8).withUnsafeBufferPointer { nb in
                    asciiContains(hb.baseAddress ?? UnsafePointer(bitPattern: 1)!, hb.count, nb.baseAddress ?? UnsafePointer(bitPattern: 1)!, nb.count)
                }
            }
            #expect(got == expected, "\(h.debugDescription) ~ \(n.debugDescription)")
            if got != expected { return }
        }
        for (h, n) in [("Kelvin", "\u{212A}"), ("straße", "SS"), ("cafe\u{301}", "cafe"), ("a\r\nb", "\n"), ("ÅSA", "a")] {
            let got = Array(h.utf8).withUnsafeBufferPointer { hb in
                Array(n.utf8).withUnsafeBufferPointer { nb in asciiContains(hb.baseAddress!, hb.count, nb.baseAddress!, nb.count) }
            }
            #expect(got == nil, "\(h) ~ \(n) must take the Unicode path")
        }
    }

    @Test("~ folds case across Unicode through SQL")
    func unicode() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        let (r, d) = s.run("add person \"ÅSA Berg\"; add person \"Li Wei\"; add person \"Kelvin\"\ncount people where name ~ \"åsa\"\ncount people where name ~ \"LI W\"\ncount people where name ~ \"\u{212A}\"")
        #expect(d.isEmpty)
        let counts = r.compactMap { x -> Value? in if case .scalar(let v, _) = x { return v }; return nil }
        #expect(counts == [.integer(1), .integer(1), .integer(1)])
    }
}

@Suite("Dependency traversal")
struct TraversalTests {
    /// `downstream of <code>` (one scan, walked by pmq_walk) and `downstream of t` for a
    /// named row (a recursive CTE) must find the same tasks, on random graphs with diamonds.
    @Test("both walks agree with a breadth-first search", arguments: [1, 2, 3])
    func agree(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        let n = 40
        var text = "add project \"P\"\n"
        for i in 1...n { text += "add task \"T\(i)\" wbs \(i) start 2026-01-01 finish 2026-01-02\n" }
        var links = Set<[Int]>()
        while links.count < 70 {
            let a = Int(rng.next() % UInt64(n - 1)) + 1
            let b = a + 1 + Int(rng.next() % UInt64(min(8, n - a)))
            links.insert([a, b])
        }
        for l in links { text += "add dependency \(l[0]) -> \(l[1])\n" }
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        let (_, d) = s.run(text)
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        func reach(_ x: Int, down: Bool) -> Set<String> {
            var seen: Set<Int> = [x], queue = [x], out = Set<String>()
            while let y = queue.popLast() {
                for l in links where (down ? l[0] : l[1]) == y {
                    let z = down ? l[1] : l[0]
                    if seen.insert(z).inserted { queue.append(z); out.insert(String(z)) }
                }
            }
            return out
        }
        func wbsList(_ q: String) -> Set<String> {
            let (r, d) = s.run(q)
            #expect(d.isEmpty, "\(q): \(DiagnosticRenderer.render(d))")
            guard case .rows(_, let rows, _)? = r.first else { return [] }
            return Set(rows.compactMap { if case .text(let t)? = $0.first { return t }; return nil })
        }
        for x in 1...n {
            for down in [true, false] {
                let word = down ? "downstream" : "upstream"
                let expected = reach(x, down: down)
                #expect(wbsList("\(word) of \(x) select wbs") == expected, "\(word) of \(x)")
                let (r, _) = s.run("tasks as t where wbs = \"\(x)\" select (count \(word) of t) as n")
                if case .rows(_, let rows, _)? = r.first, case .integer(let c)? = rows.first?.first {
                    #expect(Int(c) == expected.count, "count \(word) of t for \(x)")
                } else { Issue.record("no count for \(x)") }
            }
        }
    }

    /// With summaries: both walks (pmq_walk for a code, the recursive CTE for a named row and
    /// under `as of`) agree with an oracle that reads links as `schedule` does: a link from P
    /// to Q leads from P and every task below it to Q and every task below it.
    @Test("walks through summaries agree with the reading of links schedule has", arguments: [4, 5, 6])
    func summaries(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed))
        var codes: [String] = []
        for a in 1...5 {
            codes.append("\(a)")
            for b in 0..<Int(rng.next() % 3) {
                codes.append("\(a).\(b + 1)")
                for c in 0..<Int(rng.next() % 3) { codes.append("\(a).\(b + 1).\(c + 1)") }
            }
        }
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        var text = "add project \"P\"\n"
        for c in codes { text += "add task \"T\(c)\" wbs \(c) start 2026-01-01 finish 2026-01-02\n" }
        _ = s.run(text)
        // Links are added one by one; those refused as cycles are left out.
        var links: [(String, String)] = []
        for _ in 0..<30 {
            let a = codes[Int(rng.next() % UInt64(codes.count))], b = codes[Int(rng.next() % UInt64(codes.count))]
            if a == b { continue }
            let (_, d) = s.run("add dependency \(a) -> \(b)")
            if d.isEmpty { links.append((a, b)) } else { #expect(d[0].code == .dependencyCycle || d[0].code == .duplicate) }
        }
        #expect(links.count > 5)
        func within(_ a: String, _ p: String) -> Bool { a == p || a.hasPrefix(p + ".") }
        func reached(_ x: String, down: Bool) -> Set<String> {
            var seen = Set<String>(), queue = [x]
            while let y = queue.popLast() {
                for (a, b) in links {
                    let (from, to) = down ? (a, b) : (b, a)
                    guard within(y, from) else { continue }
                    for z in codes where within(z, to) && seen.insert(z).inserted { queue.append(z) }
                }
            }
            seen.remove(x)
            return seen
        }
        func wbsList(_ q: String) -> Set<String> {
            let (r, d) = s.run(q)
            #expect(d.isEmpty, "\(q): \(DiagnosticRenderer.render(d))")
            guard case .rows(_, let rows, _)? = r.first else { return [] }
            return Set(rows.compactMap { if case .text(let t)? = $0.first { return t }; return nil })
        }
        for x in codes {
            for word in ["downstream", "upstream"] {
                let expected = reached(x, down: word == "downstream")
                #expect(wbsList("\(word) of \(x) select wbs") == expected, "\(word) of \(x)")
                #expect(wbsList("\(word) of \(x) as of 2026-12-31 select wbs") == expected, "\(word) of \(x) as of")
                let (r, _) = s.run("tasks as t where wbs = \"\(x)\" select (count \(word) of t) as n")
                if case .rows(_, let rows, _)? = r.first, case .integer(let c)? = rows.first?.first {
                    #expect(Int(c) == expected.count, "count \(word) of t for \(x)")
                } else { Issue.record("no count for \(x)") }
            }
        }
    }
}
