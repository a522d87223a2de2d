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
}
