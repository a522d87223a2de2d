import Foundation
import Testing
@testable import PMQ

/// A dependency's lag counts in its own unit (docs/language.md, “Scheduling”; schema step 21):
/// `lag 2d` is two calendar days, elapsed from the predecessor's finish (or start), as MS
/// Project's `2ed`; `lag 2wd` two working days, as every lag counted before the step.
@Suite("Lags in calendar days and in working days (schema step 21)")
struct LagUnitTests {
    /// Task 1 runs Monday 2026-03-16 to Thursday 2026-03-19; each other task lasts one day and
    /// follows 1 by the link given. The status date is two weeks before, so only links place work.
    static func plan(_ links: [String], holidays: [String] = [], first: (String, String) = ("2026-03-16", "2026-03-19")) -> String {
        var lines = ["add project \"P\" start 2026-03-02",
                     "add task \"a\" wbs 1 start \(first.0) finish \(first.1) constraint mso constraint_date \(first.0)"]
        for (i, _) in links.enumerated() { lines.append("add task \"t\(i + 2)\" wbs \(i + 2) start 2026-03-02 duration 1d") }
        for (i, l) in links.enumerated() { lines.append("add dependency 1 -> \(i + 2) \(l)") }
        for h in holidays { lines.append("add holiday \(h)") }
        return lines.joined(separator: "\n")
    }

    /// Runs `text` on a new store of `engine` and gives the last statement's rows as text.
    static func rows(_ engine: TestEngine, _ text: String, today: String = "2026-03-02") throws -> [[String]] {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session(today: today)
        return run(s, text)
    }

    static func run(_ s: Session, _ text: String) -> [[String]] {
        let r = s.run(text)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.message))")
        guard case .rows(_, let rows, _)? = r.results.last else { return [] }
        return rows.map { $0.map { ConstantEvaluator.text($0) } }
    }

    /// Start and finish of tasks 2... after `schedule`.
    static func dates(_ engine: TestEngine, _ links: [String], holidays: [String] = [], first: (String, String) = ("2026-03-16", "2026-03-19")) throws -> [[String]] {
        try rows(engine, plan(links, holidays: holidays, first: first) + "\nschedule\ntasks where wbs != 1 select start, finish order by wbs")
    }

    @Test("FS over a weekend: lag 2d after a Thursday finish runs Friday and Saturday, so Monday; 2wd is Tuesday; part days too", arguments: TestEngine.all)
    func weekend(_ engine: TestEngine) throws {
        let r = try Self.dates(engine, ["lag 2d", "lag 2wd", "lag 1d", "lag 0.5d", "lag 1.5d", "lag 2w", "lag 3d"])
        #expect(r == [["2026-03-23", "2026-03-23"],   // 2d: Fri, Sat → Monday
                      ["2026-03-24", "2026-03-24"],   // 2wd: Fri, Mon → Tuesday
                      ["2026-03-23", "2026-03-23"],   // 1d: Fri → Monday
                      ["2026-03-20", "2026-03-20"],   // 0.5d: ends within Friday → Friday
                      ["2026-03-23", "2026-03-23"],   // 1.5d: ends on Saturday → Monday
                      ["2026-04-03", "2026-04-03"],   // 2w: 14 calendar days, to the end of Thursday 2 April → Friday
                      ["2026-03-23", "2026-03-23"]])  // 3d: Fri, Sat, Sun → Monday
    }

    @Test("a milestone after a calendar lag: on the working day the lag ends at the end of, else the next working day", arguments: TestEngine.all)
    func milestones(_ engine: TestEngine) throws {
        let text = Self.plan([]) + """

            add milestone "m1" wbs 2 start 2026-03-02
            add milestone "m2" wbs 3 start 2026-03-02
            add dependency 1 -> 2 lag 1d
            add dependency 1 -> 3 lag 2d
            schedule
            tasks where wbs != 1 select finish order by wbs
            """
        #expect(try Self.rows(engine, text) == [["2026-03-20"], ["2026-03-23"]])
    }

    @Test("a holiday: the calendar lag does not stretch over it, but a successor never starts on it", arguments: TestEngine.all)
    func holiday(_ engine: TestEngine) throws {
        // Holiday Monday 23 March: lag 2d after Thursday ends Saturday, and the next working day is Tuesday.
        let r = try Self.dates(engine, ["lag 2d", "lag 2wd"], holidays: ["2026-03-23"])
        #expect(r == [["2026-03-24", "2026-03-24"], ["2026-03-25", "2026-03-25"]])
        // Holiday Thursday 19 March inside the lag after a Tuesday finish: 3d runs Wed, Thu, Fri → Monday;
        // 3wd counts Wed, Fri, Mon → Tuesday.
        let h = try Self.dates(engine, ["lag 3d", "lag 3wd"], holidays: ["2026-03-19"], first: ("2026-03-16", "2026-03-17"))
        #expect(h == [["2026-03-23", "2026-03-23"], ["2026-03-24", "2026-03-24"]])
    }

    @Test("negative calendar lags go back in calendar time from the predecessor's finish", arguments: TestEngine.all)
    func negative(_ engine: TestEngine) throws {
        // Task 1 runs Monday 16 to Monday 23 March.
        let r = try Self.dates(engine, ["lag -1d", "lag -3d", "lag -4d", "lag -3wd", "lag -0.5d"], first: ("2026-03-16", "2026-03-23"))
        #expect(r == [["2026-03-23", "2026-03-23"],   // Monday 17:00 less a day: Sunday 17:00 → Monday
                      ["2026-03-23", "2026-03-23"],   // less 3 days: Friday 17:00, the end of Friday → Monday
                      ["2026-03-20", "2026-03-20"],   // less 4 days: Thursday 17:00 → Friday
                      ["2026-03-19", "2026-03-19"],   // -3wd: three working days back → Thursday
                      ["2026-03-23", "2026-03-23"]])  // half a day back ends within Monday → Monday
    }

    @Test("SS, FF and SF with calendar lags", arguments: TestEngine.all)
    func otherTypes(_ engine: TestEngine) throws {
        // Task 1 runs Thursday 19 to Friday 20 March.
        let r = try Self.dates(engine, ["type SS lag 3d", "type SS lag 3wd", "type FF lag 2d", "type FF lag 4d", "type FF lag 2wd",
                                        "type SF lag 4d", "type SF lag 5d", "type SF lag 4wd"], first: ("2026-03-19", "2026-03-20"))
        #expect(r == [["2026-03-23", "2026-03-23"],   // SS 3d: Thursday + 3 days is Sunday → Monday
                      ["2026-03-24", "2026-03-24"],   // SS 3wd: Tuesday
                      ["2026-03-20", "2026-03-20"],   // FF 2d: Friday 17:00 + 2 days is Sunday 17:00, no later in working time than Friday's end
                      ["2026-03-24", "2026-03-24"],   // FF 4d: Tuesday 17:00 → finishes Tuesday
                      ["2026-03-24", "2026-03-24"],   // FF 2wd: Tuesday
                      ["2026-03-20", "2026-03-20"],   // SF 4d: Thursday 08:00 + 4 days is Monday 08:00, the end of Friday
                      ["2026-03-23", "2026-03-23"],   // SF 5d: Tuesday 08:00 → finishes Monday
                      ["2026-03-24", "2026-03-24"]])  // SF 4wd: Thursday + 4 working days is Wednesday's start → Tuesday
    }

    @Test("links made before step 21 keep counting working days; the step takes their unit into the row versions", arguments: TestEngine.all)
    func migration(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "lag-units")
        defer { store.drop() }
        do {
            let s = try store.session(today: "2026-03-02")
            _ = Self.run(s, Self.plan(["lag 2d", "type SS lag 1d"]))
            // A version of a link from before the step (its lag changed on a later day).
            s.today = Day(iso: "2026-03-03")!
            _ = Self.run(s, "update dependencies where succ = 3 set lag = 3d")
            #expect(try s.db.scalar("SELECT count(*) FROM dependencies_versions") == .integer(1))
            try RollupIncrementalTests.undoStep24(s.db)
            try NarrowVersionsTests.undoStep23(s.db, engine)
            try TypedVersionsTests.undoStep22(s.db, engine)
            try Self.undoStep21(s.db)
            try s.db.execute(engine == .postgres ? "UPDATE pmq_meta SET version = 20" : "PRAGMA user_version = 20")
        }
        let s = try store.session(today: "2026-03-04")
        #expect(s.db.schemaVersion == Migrations.latest)
        #expect(Self.run(s, "dependencies select succ, lag, lag_unit order by succ") == [["2", "2d", "wd"], ["3", "3d", "wd"]])
        #expect(try s.db.scalar("SELECT lag_unit FROM dependencies_versions") == .text("wd"))
        #expect(Self.run(s, "dependencies as of 2026-03-02 select succ, lag, lag_unit order by succ") == [["2", "2d", "wd"], ["3", "1d", "wd"]])
        // Two working days after Thursday: Tuesday, as before the step.
        #expect(Self.run(s, "schedule\ntasks where wbs = 2 select start") == [["2026-03-24"]])
        // A link made now counts calendar days; the versions trigger keeps the unit.
        s.today = Day(iso: "2026-03-05")!
        _ = Self.run(s, "update dependencies where succ = 2 set lag = 2d\nschedule")
        #expect(Self.run(s, "tasks where wbs = 2 select start") == [["2026-03-23"]])
        #expect(Self.run(s, "dependencies as of 2026-03-04 where succ = 2 select lag, lag_unit") == [["2d", "wd"]])
        _ = Self.run(s, "undo")
        #expect(Self.run(s, "dependencies where succ = 2 select lag, lag_unit") == [["2d", "wd"]])
    }

    /// Takes a store back to before step 21 (its column and the triggers that name it).
    static func undoStep21(_ db: any Engine) throws {
        try RowVersions.dropTriggers("dependencies", db)
        try db.execute("ALTER TABLE dependencies DROP COLUMN lag_unit")
        try db.execute("ALTER TABLE dependencies_versions DROP COLUMN lag_unit")
    }

    @Test("the unit comes from how the lag is written, in add, update and a file's cells; it is not set alone", arguments: TestEngine.all)
    func writing(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session(today: "2026-03-02")
        _ = Self.run(s, Self.plan(["lag 2wd", "lag -1wd", "", "lag 1w"]))
        #expect(Self.run(s, "dependencies select succ, lag, lag_unit order by succ")
                == [["2", "2d", "wd"], ["3", "-1d", "wd"], ["4", "0d", "d"], ["5", "7d", "d"]])
        _ = Self.run(s, "update dependencies where succ = 2 set lag = 3d\nupdate dependencies where succ = 4 set lag = 4wd")
        #expect(Self.run(s, "dependencies where succ in (2, 4) select succ, lag, lag_unit order by succ") == [["2", "3d", "d"], ["4", "4d", "wd"]])
        // Undo of a delete brings the link back with its unit.
        _ = Self.run(s, "delete dependencies where succ = 2")
        _ = Self.run(s, "undo")
        #expect(Self.run(s, "dependencies where succ = 2 select lag, lag_unit") == [["3d", "d"]])
        #expect(s.run("add dependency 2 -> 3 lag_unit wd").diagnostics.first?.message.contains("a lag's unit is the one it is written in") == true)
        #expect(s.run("update dependencies set lag_unit = d").diagnostics.first?.message.contains("a lag's unit is the one it is written in") == true)
        let f = Scratch("lag-units")
        let path = f.write("deps.csv", "pred,succ,type,lag\n2,3,SS,2wd\n4,5,FS,1d\n")
        _ = Self.run(s, "import \"\(path)\" into dependencies")
        #expect(Self.run(s, "dependencies where pred != 1 select pred, succ, lag, lag_unit order by pred") == [["2", "3", "2d", "wd"], ["4", "5", "1d", "d"]])
    }

    @Test("MS Project XML: elapsed lag formats import as calendar days, the others as working days; export writes 8 (ed) and 7 (d) and comes back the same", arguments: TestEngine.all)
    func mspdi(_ engine: TestEngine) throws {
        typealias F = MSProjectImportChecksTests
        func link(_ lag: Int, _ format: Int) -> String {
            "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>\(lag)</LinkLag><LagFormat>\(format)</LagFormat></PredecessorLink>"
        }
        // 2ed (28,800 tenths of a minute), 2d (9,600: two 8-hour days), 12eh (half a calendar day), 1ew, 3h.
        let links = [link(28800, 8), link(9600, 7), link(7200, 6), link(100800, 10), link(1800, 5)]
        var tasks = [F.task(1, "1", "<Duration>PT32H0M0S</Duration>", start: "2026-03-16", finish: "2026-03-19")]
        for (i, l) in links.enumerated() {
            tasks.append(F.task(i + 2, "\(i + 2)", "<Duration>PT8H0M0S</Duration>" + l, start: "2026-03-23", finish: "2026-03-23"))
        }
        let r = try MSProjectFidelityTests.run(F.project(tasks), on: engine, ["dependencies select succ, lag, lag_unit order by succ"])
        #expect(r[1] == [["2", "2d", "d"], ["3", "2d", "wd"], ["4", "0.5d", "d"], ["5", "7d", "d"], ["6", "0.38d", "wd"]])

        let store = try TestStore(engine)
        defer { store.drop() }
        let a = try store.session(today: "2026-03-02")
        _ = Self.run(a, Self.plan(["lag 2d", "lag 2wd", "type SS lag -1.5d"]))
        let f = Scratch("lag-units-xml")
        let out = f.path("p.xml")
        _ = Self.run(a, "export project to \"\(out)\"")
        let xml = f.read("p.xml").filter { !$0.isWhitespace }
        #expect(xml.contains("<LinkLag>28800</LinkLag><LagFormat>8</LagFormat>"), "\(xml)")
        #expect(xml.contains("<LinkLag>9600</LinkLag><LagFormat>7</LagFormat>"), "\(xml)")
        #expect(xml.contains("<LinkLag>-21600</LinkLag><LagFormat>8</LagFormat>"), "\(xml)")
        let other = try TestStore(engine)
        defer { other.drop() }
        let b = try other.session(today: "2026-03-02")
        _ = Self.run(b, "import \"\(out)\" as \"Q\"")
        let q = "dependencies where succ.project = \"Q\" select pred, succ, type, lag, lag_unit order by succ"
        let p = "dependencies where succ.project = \"P\" select pred, succ, type, lag, lag_unit order by succ"
        #expect(Self.run(b, q) == Self.run(a, p))
        #expect(Self.run(b, q).map { $0[4] } == ["d", "wd", "d"])
    }
}
