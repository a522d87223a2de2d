import Foundation
import Testing
@testable import PMQ

/// Journal entries name the statement that made them (the `journal` source's `statement`).
/// `schedule` and the roll-up name their entries as they write them (Journal.statementOfNewEntries),
/// instead of leaving them to `nameStatement`'s UPDATE (BENCHMARKS.md, “fifth pass”): a roll-up's
/// entries belong to the statement that caused it, not to the next one nor to the run.
@Suite("Journal: entries name their statement")
struct JournalNamingTests {
    static let model = RollupTests.model + """

        add task "B three" wbs 2.3 start 2026-03-02 duration 2wd
        add dependency 2.2 -> 2.3
        """

    /// Statements whose entries include roll-ups (progress, dates, a calendar change that derives
    /// every summary again) and `schedule`'s moved tasks.
    static let statements = [
        "update 1.1.1 set progress = 50",
        "schedule",
        "update 2.1 set status = doing",
        "add holiday 2026-03-19 name \"Bridge day\"",
        "update 1.2.1 set cost = 75",
    ]

    static func entries(_ session: Session, after set: Int) -> [String] {
        let (results, d) = session.run("journal where set > \(set) select key, field, old, new, statement order by id")
        #expect(d.isEmpty, "\(d.map(\.message))")
        return (results.compactMap { OutputFormat.csv.render($0) }.joined(separator: "")).split(separator: "\n").dropFirst().map(String.init)
    }

    static func lastSet(_ session: Session) -> Int {
        guard case .rows(_, let rows, _)? = session.run("journal select max(set)").results.first, let v = rows.first?.first?.number else { return 0 }
        return Int(v)
    }

    @Test("one script: each entry, the roll-up's and schedule's too, names the statement that caused it", arguments: TestEngine.all)
    func script(_ engine: TestEngine) throws {
        let one = try TestStore(engine, file: "naming-one.db"), each = try TestStore(engine, file: "naming-each.db")
        defer { one.drop(); each.drop() }
        let a = try one.session(today: "2026-03-16"), b = try each.session(today: "2026-03-16")
        for s in [a, b] {
            s.journal.user = "test"
            #expect(s.run(Self.model).diagnostics.isEmpty)
        }
        let (fromA, fromB) = (Self.lastSet(a), Self.lastSet(b))
        // The statements as one script (one change set, labelled by the whole text) ...
        #expect(a.run(Self.statements.joined(separator: "\n")).diagnostics.isEmpty)
        // ... and one run each (a set per statement, each labelled by the statement itself).
        for s in Self.statements { #expect(b.run(s).diagnostics.isEmpty, "\(s)") }
        let together = Self.entries(a, after: fromA), apart = Self.entries(b, after: fromB)
        #expect(!together.isEmpty)
        #expect(together.contains { $0.hasSuffix(",schedule") && $0.hasPrefix("2,") }, "a summary moved by schedule's roll-up: \(together)")
        #expect(together == apart)
    }
}
