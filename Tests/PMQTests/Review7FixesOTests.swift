import Foundation
import Testing
@testable import PMQ
@testable import PMQEmbed

/// Findings of review 7 fixed in branch fixes-o (W4, W25, ...): each test failed before its fix.
@Suite("Review 7 fixes (o)")
struct Review7FixesOTests {
    /// A plan with one overdue task (2026-03-04, today 2026-03-16) and an error rule that finds it.
    static let lateRule = """
    add project "A"
    add task "x" wbs 1 start 2026-03-02 finish 2026-03-04
    save rule "late" tasks where overdue severity error
    """

    @Test("W4: C ABI: check names each rule with rows as an object, and an error rule with rows is a top-level field")
    func cABICheck() throws {
        let h = try #require(pmq_open(nil))
        defer { pmq_close(h) }
        #expect(pmq_set_option(h, "today", "2026-03-16") == 0)
        func exec(_ text: String) -> String {
            guard let p = pmq_exec(h, text) else { return "" }
            defer { pmq_free(p) }
            return String(cString: p)
        }
        _ = exec(Self.lateRule + "\nsave rule \"unowned\" tasks where owner is null")
        let out = exec("check")
        #expect(out.hasPrefix(#"{"ok":true,"results":[{"rule":"late","severity":"error","count":1,"new":null,"last_checked":null},[{"#), "\(out)")
        #expect(out.contains(#"{"rule":"unowned","severity":"warning","count":1,"new":null,"last_checked":null}"#), "\(out)")
        #expect(out.hasSuffix(#","failed_rules":["late"]}"#), "\(out)")
        // The second check counts what is new since the first; a warning alone fails nothing.
        let again = exec("check")
        #expect(again.contains(#"{"rule":"late","severity":"error","count":1,"new":0,"last_checked":""#), "\(again)")
        _ = exec("drop rule \"late\"")
        let warned = exec("check")
        #expect(warned.contains(#""severity":"warning""#) && !warned.contains("failed_rules"), "\(warned)")
        #expect(!exec("count tasks").contains("failed_rules"))
    }

    @Test("W4: pmq --format json prints a rule with rows as one JSON object on its line, the text formats as before")
    func jsonCheck() throws {
        let json = try PMQProcess.run(["--today", "2026-03-16", "--format", "json", "-e", Self.lateRule, "-e", "check"])
        #expect(json.status == 1)
        #expect(json.stdout.hasPrefix(#"{"rule":"late","severity":"error","count":1,"new":null,"last_checked":null}"# + "\n[{"), "\(json.stdout)")
        let table = try PMQProcess.run(["--today", "2026-03-16", "-e", Self.lateRule, "-e", "check"])
        #expect(table.stdout.hasPrefix("rule \"late\" (error): 1 row, first check\nwbs"), "\(table.stdout)")
    }

    @Test("W25: a script whose check finds error-rule rows keeps its changes, exits 1 and says both on standard error")
    func checkInScript() throws {
        let db = PMQProcess.tempDB("w25.db")
        #expect(try PMQProcess.run(["--db", db, "--today", "2026-03-16", "-e", "add project \"A\"",
                                    "-e", "save rule \"late\" tasks where overdue severity error"]).status == 0)
        let script = "add task \"x\" wbs 1 start 2026-03-02 finish 2026-03-04\ncheck\nadd task \"y\" wbs 2\nprint \"end\""
        let r = try PMQProcess.run(["--db", db, "--today", "2026-03-16"], stdin: script)
        #expect(r.status == 1)
        #expect(r.stdout.hasSuffix("end\n"), "\(r.stdout)")
        #expect(r.stderr == "added 2 tasks\ncheck: the error rule \"late\" has rows (exit status 1); the changes were kept\n", "\(r.stderr)")
        #expect(try PMQProcess.run(["--db", db, "-e", "count tasks"]).stdout == "2\n")
        // A check alone changes nothing: only why the status is 1.
        let alone = try PMQProcess.run(["--db", db, "--today", "2026-03-16", "-e", "check"])
        #expect(alone.status == 1)
        #expect(alone.stderr == "check: the error rule \"late\" has rows (exit status 1)\n", "\(alone.stderr)")
        // A dry run keeps nothing, and does not say it kept anything.
        let dry = try PMQProcess.run(["--db", db, "--today", "2026-03-16", "--dry-run", "-e", "add task \"z\" wbs 3", "-e", "check"])
        #expect(dry.status == 1)
        #expect(!dry.stderr.contains("were kept"), "\(dry.stderr)")
        #expect(dry.stderr.contains("check: the error rule \"late\" has rows (exit status 1)"), "\(dry.stderr)")
    }

    @Test("W20: - is standard input; --version with anything else and help of an unknown command are usage errors; --var numbers as PMQ writes them")
    func commandLineOdds() throws {
        let dash = try PMQProcess.run(["-e", "print 0", "-"], stdin: "print 1\n")
        #expect(dash.status == 0)
        #expect(dash.stdout == "0\n1\n", "\(dash.stderr)")
        let version = try PMQProcess.run(["--version"])
        #expect(version.status == 0 && version.stdout == "pmq \(PMQVersion.current)\n")
        for args in [["--version", "x.pmq"], ["--version", "-e", "print 1"], ["--check", "--version"], ["--version", "--format", "json"]] {
            let r = try PMQProcess.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr == "error: --version takes nothing else: write pmq --version alone\n", "\(args) \(r.stderr)")
        }
        let help = try PMQProcess.run(["help", "nosuch"])
        #expect(help.status == 2)
        #expect(help.stderr.contains("unknown command \"nosuch\""), "\(help.stderr)")
        #expect(try PMQProcess.run(["help", "lsp"]).status == 0)
        for bad in ["1e3", "inf", "nan", "0x10", "1.", "+5"] {
            let r = try PMQProcess.run(["--var", "n=\(bad)", "-e", "param n = 0\nprint n + 1"])
            #expect(r.status == 1, "\(bad): \(r.stdout)")
            #expect(r.stderr.contains("--var n=\(bad): expected a number like the default 0"), "\(bad): \(r.stderr)")
        }
        #expect(try PMQProcess.run(["--var", "n=1_000.5", "-e", "param n = 0\nprint n + 1"]).stdout == "1001.5\n")
        #expect(try PMQProcess.run(["--var", "n=-3", "-e", "param n = 0\nprint n + 1"]).stdout == "-2\n")
    }

    @Test("W9: a loop stopped by cancel says 'interrupted: nothing was changed', unlocated, on both engines", arguments: TestEngine.all)
    func interruptedLoop(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session()
        var model = "add project \"A\"\n"
        for i in 1...200 { model += "add task \"t\(i)\" wbs \(i)\n" }
        #expect(s.run(model).diagnostics.isEmpty)
        let box = UncheckedBox(s)
        let done = UncheckedBox(false)
        // Cancels again and again until the run returns, so one lands while the loop runs.
        let t = Thread { while !done.value { usleep(50_000); box.value.cancel() } }
        t.start()
        let d = s.run("for a in tasks { for t in tasks { update t set cost = t.cost + 1 } }").diagnostics
        done.value = true
        while !t.isFinished { usleep(1_000) }
        #expect(d.map(\.message) == ["interrupted: nothing was changed"], "\(engine)")
        #expect(d.first?.range == SourceRange.none, "\(engine): \(String(describing: d.first?.location))")
        #expect(s.run("count tasks where cost > 0").results == [.scalar(.integer(0), kind: .number)])
    }
}
