import Foundation
import Testing
@testable import PMQ
@testable import PMQEmbed

/// Review round 5 findings that need the command line, the C ABI, the environment or bytes a
/// golden file cannot hold (the rest are in Golden/review5b.golden).
@Suite("Review 5 fixes (fixes-l)")
struct Review5FixesTests {
    static let script = "param who = \"DBA\"\nprint who\n"

    @Test("R4: a --var no script declares is a usage error, before anything runs")
    func unusedVar() throws {
        let f = Scratch("var")
        let path = f.write("v.pmq", Self.script)
        let db = PMQProcess.tempDB("var.db")
        let typo = try PMQProcess.run(["--db", db, "-e", "add person \"X\"", "--var", "woh=QA", path])
        #expect(typo.status == 2)
        #expect(typo.stdout.isEmpty)
        #expect(typo.stderr == "error: --var woh=QA: no script declares param woh\n")
        // Nothing ran: the -e before the script did not add its person either.
        #expect(try PMQProcess.run(["--db", db, "-e", "count people"]).stdout == "0\n")
        let near = try PMQProcess.run(["--var", "wo=QA", path])
        #expect(near.status == 2 && near.stderr == "error: --var wo=QA: no script declares param wo; did you mean \"who\"?\n", "\(near.stderr)")
        let good = try PMQProcess.run(["--var", "WHO=QA", path])
        #expect(good.status == 0 && good.stdout == "QA\n", "\(good.stderr)")
        let declaredInBlock = try PMQProcess.run(["--var", "n=2", "-e", "if true { param n = 1\nprint n }"])
        #expect(declaredInBlock.status == 0 && declaredInBlock.stdout == "2\n", "\(declaredInBlock.stderr)")
    }

    @Test("R4: a --var whose NAME is not a name is a usage error")
    func badVarName() throws {
        let f = Scratch("varname")
        let path = f.write("v.pmq", Self.script)
        for bad in ["1x=2", "a-b=3", "who x=1"] {
            let r = try PMQProcess.run(["--var", bad, path])
            #expect(r.status == 2, "\(bad)")
            #expect(r.stderr.contains("is not a name"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test("R4: a value that does not convert is one error, not one more at every use")
    func noCascade() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        s.params = ["n": "abc"]
        let d = s.run("param n = 1\nprint n + 1\nprint n * 2").diagnostics
        #expect(d.map(\.message) == ["--var n=abc: expected a number like the default 1"])
    }

    @Test("R5: through the C ABI, undo's verb is one word and a dry run says what would have happened")
    func cABIReports() throws {
        let f = Scratch("abi")
        let h = try #require(pmq_open(nil))
        defer { pmq_close(h) }
        // Absolute paths into the scratch folder (the working directory is the tests' own).
        #expect(pmq_set_option(h, "files_outside", "1") == 0)
        func exec(_ text: String) -> String {
            guard let p = pmq_exec(h, text) else { return "" }
            defer { pmq_free(p) }
            return String(cString: p)
        }
        #expect(exec("add project \"A\"; add person \"B\"").contains(#""verb":"added""#))
        let undo = exec("undo")
        #expect(undo.contains(#""verb":"undid","entity":"change","message":"undid change 1: "#), "\(undo)")
        #expect(pmq_set_option(h, "dry_run", "1") == 0)
        let dry = exec("add project \"C\"; export projects to \"\(f.path("dr.csv"))\"; report to \"\(f.path("dr.html"))\"")
        #expect(dry.contains(#""verb":"added","entity":"project","message":"would have added project \"C\"""#), "\(dry)")
        #expect(dry.contains(#""message":"would have exported 1 project (to \#(f.path("dr.csv")))""#), "\(dry)")
        #expect(dry.contains(#""message":"would have written report \#(f.path("dr.html"))""#), "\(dry)")
        #expect(!FileManager.default.fileExists(atPath: f.path("dr.csv")))
        #expect(!FileManager.default.fileExists(atPath: f.path("dr.html")))
    }

    @Test("R11: a script failing after others ran says its own changes were rolled back, not all")
    func rolledBackNote() throws {
        let f = Scratch("ms")
        let a = f.write("a1.pmq", "add person \"A1\"\n")
        let b = f.write("b1.pmq", "add person \"B1\"\nassert false, \"stop\"\n")
        let db = PMQProcess.tempDB("ms.db")
        let r = try PMQProcess.run(["--db", db, a, b])
        #expect(r.status == 1)
        #expect(r.stderr.hasSuffix("rolled back: nothing of \(b) was changed (what ran before it is kept)\n"), "\(r.stderr)")
        #expect(try PMQProcess.run(["--db", db, "-e", "people select name"]).stdout.contains("A1"))
        let alone = try PMQProcess.run(["--db", PMQProcess.tempDB("ms2.db"), b])
        #expect(alone.stderr.hasSuffix("rolled back: nothing was changed\n"), "\(alone.stderr)")
    }

    @Test("R16: me and the journal name the same user: $PMQ_USER, else $USER, else $LOGNAME")
    func meAndJournal() throws {
        let db = PMQProcess.tempDB("me.db")
        let r = try PMQProcess.run(["--db", db, "--format", "csv", "-e", "add person \"A\" login \"alice\"",
                                    "-e", "journal select user limit 1", "-e", "people where name = me select name"],
                                   env: ["PMQ_USER": "", "USER": "alice", "LOGNAME": "bob"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "user\nalice\nname\nA\n", "\(r.stdout)")
        let override = try PMQProcess.run(["--db", db, "--format", "csv", "-e", "people where name = me select name"],
                                          env: ["PMQ_USER": "carol", "USER": "alice"])
        #expect(override.stderr.contains("carol"), "\(override.stderr)")
    }

    @Test("R18: JSON that is not UTF-8 is said so at its first bad byte")
    func jsonNotUTF8() throws {
        let f = Scratch("latin")
        let path = f.path("latin.json")
        // The é of "Café" in Latin-1: one byte, 0xE9, at column 24.
        FileManager.default.createFile(atPath: path, contents: Data("[{\"wbs\":\"1\",\"name\":\"Caf".utf8) + Data([0xE9]) + Data("\"}]".utf8))
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run("add project \"P\"").diagnostics.isEmpty)
        let d = s.run("import \"\(path)\" into tasks").diagnostics
        let text = DiagnosticRenderer.render(d)
        #expect(text.hasPrefix("\(path):1:24: error: cannot read \(path): it is not UTF-8 text (save it as UTF-8)"), "\(text)")
    }

    @Test("R8: a quoted CR LF in a file with LF line ends is kept; in a CRLF file it is a line break")
    func quotedCRLF() throws {
        let f = Scratch("crlf")
        let lf = f.write("lf.csv", "wbs,name,notes\n1,t,\"x\r\ny\"\n")
        let crlf = f.write("crlf.csv", "wbs,name,notes\r\n1,t,\"x\r\ny\"\r\n")
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run("add project \"P\"; add project \"Q\"").diagnostics.isEmpty)
        #expect(s.run("use project \"P\"; import \"\(lf)\" into tasks").diagnostics.isEmpty)
        #expect(s.run("use project \"Q\"; import \"\(crlf)\" into tasks").diagnostics.isEmpty)
        #expect(rows(s, "tasks select project, notes order by project") == [[.reference("P"), .text("x\r\ny")], [.reference("Q"), .text("x\ny")]])
    }
}

/// Review round 7 findings taken by fixes-l.
@Suite("Review 7 fixes (fixes-l)")
struct Review7FixesTests {
    @Test("W2: a script that is not UTF-8 is refused at its first bad byte, before anything runs; --check says so too")
    func notUTF8Script() throws {
        let f = Scratch("w2")
        let latin = f.path("latin.pmq")
        // "café" in Latin-1: the é is one byte, 0xE9, at column 11.
        FileManager.default.createFile(atPath: latin, contents: Data("add person \"A\"\nprint \"caf".utf8) + Data([0xE9]) + Data("\"\n".utf8))
        let db = PMQProcess.tempDB("w2.db")
        let r = try PMQProcess.run(["--db", db, latin])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("\(latin):2:11: error: the script is not UTF-8 text (save it as UTF-8)"), "\(r.stderr)")
        #expect(try PMQProcess.run(["--db", db, "-e", "count people"]).stdout == "0\n")
        let checked = try PMQProcess.run(["--check", latin])
        #expect(checked.status == 1 && checked.stderr.contains("not UTF-8"), "\(checked.stderr)")
        // Notepad's "Unicode": UTF-16 with its byte-order mark, on standard input.
        let p = Process()
        p.executableURL = PMQProcess.binary
        let input = Pipe(), err = Pipe()
        p.standardInput = input; p.standardError = err; p.standardOutput = Pipe()
        try p.run()
        input.fileHandleForWriting.write(Data([0xFF, 0xFE]) + "print 1\n".data(using: .utf16LittleEndian)!)
        try input.fileHandleForWriting.close()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        #expect(text.hasPrefix("<stdin>:1:1: error: the script is UTF-16 text, not UTF-8 (save it as UTF-8)"), "\(text)")
    }

    @Test("W3: a today in year 0 is refused like one in year 10000: --today, the C ABI")
    func yearZero() throws {
        let r = try PMQProcess.run(["--today", "0000-01-01", "-e", "print today"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--today takes a date from 0001-01-01 to 9999-12-31, not \"0000-01-01\""), "\(r.stderr)")
        #expect(try PMQProcess.run(["--today", "0001-01-01", "-e", "print today"]).stdout == "0001-01-01\n")
        let h = try #require(pmq_open(nil))
        defer { pmq_close(h) }
        #expect(pmq_set_option(h, "today", "0000-06-15") == -1)
        #expect(pmq_set_option(h, "today", "9999-12-31") == 0)
    }

    @Test("W5: C ABI: a var.NAME that is not a name is refused, a bad value is quoted as var.NAME, every diagnostic has a code, the flags as passed")
    func cABIOdds() throws {
        let h = try #require(pmq_open(nil))
        defer { pmq_close(h) }
        #expect(pmq_set_option(h, "var.1x", "2") == -1)
        #expect(pmq_set_option(h, "var.x y", "2") == -1)
        #expect(pmq_set_option(h, "var.n", "abc") == 0)
        let out = pmq_exec(h, "param n = 1\nprint n").map { p in defer { pmq_free(p) }; return String(cString: p) } ?? ""
        #expect(out.contains(#""message":"var.n=abc: expected a number like the default 1""#), "\(out)")
        let none = pmq_exec(nil, "count tasks").map { p in defer { pmq_free(p) }; return String(cString: p) } ?? ""
        #expect(none.contains(#""code":"database-error""#), "\(none)")
        var error: UnsafeMutablePointer<CChar>?
        #expect(pmq_open_v3(nil, -1, &error) == nil)
        #expect(error.map { String(cString: $0) } == "unknown pmq_open_v3 flags -1 (the only flag is PMQ_OPEN_INIT, 1)")
        pmq_free(error)
    }
}
