import Foundation
import Testing
@testable import PMQ

/// Findings of review 11 (differential testing of §4, §7, §8.3, §8.4): each test failed before its fix.
@Suite("Review 11 fixes")
struct Review11FixesTests {
    @Test("F3: an error the database raises while a query statement runs is located at that statement, with its line and caret")
    func queryRuntimeErrorLocated() throws {
        let text = "add task \"x\" wbs 1\ncount tasks\n  tasks select abs(-9223372036854775807 - 1) as a\n"
        let r = try PMQProcess.run(["-e", text])
        #expect(r.status == 1)
        #expect(r.stderr.contains("<eval>:3:3: error: integer overflow\n  tasks select abs(-9223372036854775807 - 1) as a\n  ^~~~"), "\(r.stderr)")
        // `explain` runs its query's plan, not the query: it stays clean.
        let e = try PMQProcess.run(["-e", "add task \"x\" wbs 1", "-e", "explain tasks select abs(-9223372036854775807 - 1) as a"])
        #expect(e.status == 0, "\(e.stderr)")
    }

    @Test("F1: count ... as of D of a table that is empty now counts the rows of D (0, or the rows deleted since), also nested")
    func countAsOfEmptyTable() throws {
        let empty = try PMQProcess.run(["--today", "2026-03-02", "--format", "json", "-e", "count tasks as of 2026-03-02"])
        #expect(empty.status == 0 && empty.stdout == "0\n", "\(empty.stdout)\(empty.stderr)")
        let db = PMQProcess.tempDB("r11-f1.db")
        #expect(try PMQProcess.run(["--db", db, "--today", "2026-03-02", "-e", "add task \"a\" wbs 1 start 2026-03-02 finish 2026-03-03"]).status == 0)
        #expect(try PMQProcess.run(["--db", db, "--today", "2026-03-03", "-e", "delete tasks where wbs = \"1\""]).status == 0)
        let deleted = try PMQProcess.run(["--db", db, "--today", "2026-03-03", "--format", "json", "-e", "count tasks as of 2026-03-02",
                                          "-e", "count tasks as of 2026-03-01", "-e", "count risks as of 2026-03-02"])
        #expect(deleted.status == 0 && deleted.stdout == "1\n0\n0\n", "\(deleted.stdout)\(deleted.stderr)")
        let nested = try PMQProcess.run(["--db", db, "--today", "2026-03-03", "--format", "json",
                                         "-e", "tasks as of 2026-03-02 as t select wbs, (count costs where task = t) as n"])
        #expect(nested.status == 0 && nested.stdout == #"[{"wbs":"1","n":0}]"# + "\n", "\(nested.stdout)\(nested.stderr)")
    }

    @Test("F2: after a change booked on an earlier day than one already made, F was V as of D still sees the row's first value")
    func wasKeepsFirstValueAfterBackdating() throws {
        let db = PMQProcess.tempDB("r11-f2.db")
        for (day, text) in [("2026-03-02", "add task \"a\" wbs 1 start 2026-03-02 finish 2026-03-20 priority low"),
                            ("2026-03-09", "update tasks where wbs = \"1\" set priority = high"),
                            ("2026-03-06", "update tasks where wbs = \"1\" set priority = medium")] {   // booked before the 9th's
            #expect(try PMQProcess.run(["--db", db, "--today", day, "-e", text]).status == 0)
        }
        for d in ["2026-03-05", "2026-03-06", "2026-03-08", "2026-03-09", "2026-03-10"] {
            let r = try PMQProcess.run(["--db", db, "--today", "2026-03-10", "--format", "json",
                                        "-e", "count tasks as of \(d) where priority was low",
                                        "-e", "count tasks as of \(d) where priority was not low"])
            #expect(r.stdout == "1\n0\n", "as of \(d): \(r.stdout)\(r.stderr)")
        }
        // Before the row's first change was booked, and with no travel, nothing else moves.
        let r = try PMQProcess.run(["--db", db, "--today", "2026-03-10", "--format", "json",
                                    "-e", "count tasks as of 2026-03-05 where priority was medium",
                                    "-e", "count tasks where priority was low", "-e", "count tasks as of 2026-03-01 where priority was low"])
        #expect(r.stdout == "0\n1\n0\n", "\(r.stdout)\(r.stderr)")
    }
}
