import Foundation
import Testing
@testable import PMQ

/// Files for one test, in a folder of its own under the temporary directory.
struct Scratch {
    let folder: URL
    init(_ name: String) {
        // Parameterised cases run in parallel: each gets a folder of its own.
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-transfer-\(getpid())-\(name)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.removeItem(at: folder)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        FileManager.default.createFile(atPath: path(name), contents: Data(text.utf8))
        return path(name)
    }
    /// The bytes as they are (String(contentsOfFile:) would drop a BOM).
    func read(_ name: String) -> String { (try? Data(contentsOf: URL(fileURLWithPath: path(name)))).map { String(decoding: $0, as: UTF8.self) } ?? "<missing>" }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
}

/// A project a few weeks in: two people, a phase with work half done, links, a milestone;
/// in memory, or on the store given.
func midProject(_ today: String = "2026-03-16", on store: TestStore? = nil) throws -> Session {
    let s = try Session(path: store?.location, today: Day(iso: today))
    let d = s.run("""
        add project "GOV" name "Cloud migration" start 2026-03-02
        add person "Li Wei" role "DBA" department "IT" rate 1200
        add person "王芳" department "PMO" rate 800
        add holiday 2026-04-03 to 2026-04-06 name "Qingming"
        add task "Design" wbs 1 start 2026-03-02 finish 2026-03-20
        add task "Schema, draft" wbs 1.1 owner "Li Wei" start 2026-03-02 duration 5wd progress 100 status done cost 6000 tags ("db", "infra")
        add task "数据库迁移" wbs 1.2 owner "王芳" start 2026-03-09 duration 10wd progress 40 status doing cost 9000
        add milestone "Design signed" wbs 1.3 finish 2026-03-20
        add dependency 1.1 -> 1.2 lag 2d
        add dependency 1.2 -> 1.3 type FF
        add assignment task 1.2 person "Li Wei" role R units 50
        baseline save
        update 1.2 set finish = finish + 3d
        """).diagnostics
    #expect(d.isEmpty, "\(d.map(\.message))")
    return s
}

func rows(_ s: Session, _ q: String) -> [[Value]] {
    let (results, d) = s.run(q)
    #expect(d.isEmpty, "\(q): \(d.map(\.message))")
    guard case .rows(_, let rows, _)? = results.first else { return [] }
    return rows
}

func count(_ s: Session, _ q: String) -> Value {
    guard case .scalar(let v, _)? = s.run("count " + q).results.first else { return .null }
    return v
}

@Suite("import ... into: CSV, TSV and JSON")
struct ImportTests {
    @Test("Excel's CSV: BOM, CRLF, quoted commas and line breaks, CJK, empty cells; one change set")
    func excelCSV() throws {
        let f = Scratch("excel")
        let file = f.write("plan.csv", "\u{FEFF}wbs,name,owner,start,finish,status,tags,progress\r\n"
            + "1,Phase,,2026-03-02,2026-03-13,,,\r\n"
            + "1.1,\"Design, draft\",Li Wei,2026-03-02,2026-03-06,doing,infra;db,40\r\n"
            + "1.2,\"Two\r\nlines\",,2026-03-09,2026-03-13,,,\r\n"
            + "1.3,数据库迁移,王芳,2026-03-09,2026-03-13,todo,,\r\n")
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run("add project \"P\"; add person \"Li Wei\"; add person \"王芳\"").diagnostics.isEmpty)
        let (results, d) = s.run("import \"\(file)\" into tasks")
        #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        #expect(results == [.change(ChangeReport(verb: "imported", entity: "task", count: 4, detail: nil))])
        let expected: [[Value]] = [
            // The phase is a summary: status and progress roll up from its children (docs/language.md, “Mid-project truth”).
            [.text("1"), .text("Phase"), .null, .text("doing"), .list([]), .integer(13)],
            [.text("1.1"), .text("Design, draft"), .reference("Li Wei"), .text("doing"), .list(["infra", "db"]), .integer(40)],
            [.text("1.2"), .text("Two\nlines"), .null, .text("todo"), .list([]), .integer(0)],
            [.text("1.3"), .text("数据库迁移"), .reference("王芳"), .text("todo"), .list([]), .integer(0)],
        ]
        #expect(rows(s, "tasks select wbs, name, owner, status, tags, progress order by wbs") == expected)
        // One change set: undo removes the whole import.
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(count(s, "tasks") == .integer(0))
    }

    @Test("a bad date on line 40,000 of 50,000: located, quoted, and nothing imported",
          .enabled(if: ProcessInfo.processInfo.environment["PMQ_QUICK"] == nil))
    func badDateDeep() throws {
        let f = Scratch("deep")
        var text = "wbs,name,start\n"
        for i in 2...50_000 {
            text += i == 40_000 ? "\(i),Task \(i),2026-02-30\n" : "\(i),Task \(i),2026-03-02\n"
        }
        let file = f.write("big.csv", text)
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run("add project \"P\"").diagnostics.isEmpty)
        let d = s.run("import \"\(file)\" into tasks").diagnostics
        #expect(d.count == 1)
        let rendered = DiagnosticRenderer.render(d)
        #expect(rendered.hasPrefix("\(file):40000:18: error: start: \"2026-02-30\" is not a date"), "\(rendered)")
        #expect(rendered.contains("40000,Task 40000,2026-02-30\n                 ^~~~~~~~~~"))
        #expect(count(s, "tasks") == .integer(0))
    }

    @Test("each kind of bad cell names file, line, column and the cell", arguments: [
        ("e.csv", "wbs,name,status\n2.1,A,todo\n2.2,B,finished\n", "e.csv:3:7: error: unknown status \"finished\"; valid values are: todo, doing, done, blocked, cancelled"),
        ("e.csv", "wbs,nmae\n2.1,A\n", "e.csv:1:5: error: unknown column \"nmae\": tasks have no such field; did you mean \"name\"?"),
        ("e.csv", "wbs,name,progress\n2.1,A,140\n", "e.csv:2:7: error: progress must be between 0 and 100, not \"140\""),
        ("e.csv", "wbs,name,owner\n2.1,A,Nobody\n", "e.csv:2:7: error: unknown person \"Nobody\""),
        ("e.csv", "wbs,name\n1.1,dup\n", "e.csv:2:1: error: duplicate WBS code 1.1: task 1.1 (\"Schema, draft\") already exists"),
        ("e.csv", "wbs,name,milestone\n2.1,\"a, b\",maybe\n", "e.csv:2:12: error: milestone: \"maybe\" is not true or false"),
        ("e.csv", "wbs,name,start\n2.1,A,2026-01-01,x\n", "e.csv:2:18: error: this row has 4 cells but the header has 3"),
        ("e.csv", "wbs,start\n2.1,2026-01-01\n", "e.csv:2:1: error: a task needs a name: this row has none"),
        ("e.tsv", "wbs\tname\tstart\n2.1\tA\t01/02/2026\n", "e.tsv:2:7: error: start: \"01/02/2026\" is not a date"),
        ("e.csv", "wbs,name\n2.1,\"ok\nstill ok\"\n2.2,\"open\n2.3,x\n", "e.csv:4:5: error: a quoted cell is never closed: its quote runs to the end of the file"),
        ("e.json", "[{\"wbs\":\"3.1\",\"name\":\"x\"},\n {\"wbs\":\"3.2\",\"name\":\"y\",\"start\":\"2026-13-01\"}]", "e.json:2:34: error: start: \"2026-13-01\" is not a date"),
        ("e.json", "{\"wbs\":\"3.1\"}", "e.json:1:1: error: not a JSON array of objects"),
    ])
    func badCells(_ name: String, _ text: String, _ expected: String) throws {
        let f = Scratch("bad")
        f.write(name, text)
        let s = try midProject()
        let before = count(s, "tasks")
        let d = s.run("import \"\(name)\" into tasks", name: f.path("script.pmq")).diagnostics
        let rendered = DiagnosticRenderer.render(d)
        #expect(rendered.hasPrefix(expected), "\(rendered)")
        #expect(count(s, "tasks") == before)
    }

    @Test("JSON as --format json prints it imports back: an export of one project into another", arguments: TestEngine.all)
    func jsonRoundTrip(_ engine: TestEngine) throws {
        let f = Scratch("json")
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try midProject(on: store)
        #expect(s.run("export tasks select wbs, name, owner, start, finish, milestone, tags, duration to \"\(f.path("t.json"))\"").diagnostics.isEmpty)
        #expect(s.run("add project \"NEW\"; use project \"NEW\"; import \"\(f.path("t.json"))\" into tasks").diagnostics.isEmpty)
        let q = "tasks where project = \"%\" select wbs, name, owner, start, finish, milestone, tags order by wbs"
        #expect(rows(s, q.replacingOccurrences(of: "%", with: "GOV")) == rows(s, q.replacingOccurrences(of: "%", with: "NEW")))
    }

    /// A person's backup may name a person further down the file, and two people may back
    /// each other up: PMQ's own export (rows in the order they were added) imports back.
    @Test("references to rows of the same file resolve whatever their order; an unknown one is located", arguments: TestEngine.all)
    func sameFileReferences(_ engine: TestEngine) throws {
        let f = Scratch("backups")
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session()
        #expect(s.run("add person \"A1\"; add person \"B1\"; update people where name = \"A1\" set backup = \"B1\"; update people where name = \"B1\" set backup = \"A1\"").diagnostics.isEmpty)
        for file in ["pe.csv", "pe.json"] {
            #expect(s.run("export people to \"\(f.path(file))\"").diagnostics.isEmpty)
            #expect(s.run("delete people").diagnostics.isEmpty)
            let d = s.run("import \"\(f.path(file))\" into people").diagnostics
            #expect(d.isEmpty, "\(file): \(d.map(DiagnosticRenderer.render))")
            #expect(rows(s, "people select name, backup order by name") == [[.text("A1"), .reference("B1")], [.text("B1"), .reference("A1")]], "\(file)")
        }
        f.write("bad.csv", "name,backup\nX,Y\nY,Nobody\n")
        let d = s.run("import \"\(f.path("bad.csv"))\" into people").diagnostics
        #expect(DiagnosticRenderer.render(d).contains("bad.csv:3:3: error: unknown person \"Nobody\""), "\(DiagnosticRenderer.render(d))")
        #expect(count(s, "people") == .integer(2))
    }

    @Test("other entities: people, dependencies and risks, references by key")
    func otherEntities() throws {
        let f = Scratch("entities")
        let s = try midProject()
        f.write("people.csv", "name,department,rate,backup\nZhang Min,IT,900,Li Wei\n")
        f.write("deps.csv", "pred,succ,type,lag\n1.1,1.3,SS,1d\n")
        f.write("risks.tsv", "title\towner\tprobability\timpact\ttask\nVendor late\tZhang Min\t4\t5\t1.2\n")
        for (file, entity) in [("people.csv", "people"), ("deps.csv", "dependencies"), ("risks.tsv", "risks")] {
            let d = s.run("import \"\(f.path(file))\" into \(entity)").diagnostics
            #expect(d.isEmpty, "\(file): \(d.map(DiagnosticRenderer.render))")
        }
        #expect(rows(s, "people where name = \"Zhang Min\" select backup, rate") == [[.reference("Li Wei"), .decimal(900)]])
        #expect(rows(s, "dependencies where pred = 1.1 and succ = 1.3 select type, lag") == [[.text("SS"), .duration(1)]])
        #expect(rows(s, "risks select title, score, task") == [[.text("Vendor late"), .integer(20), .reference("1.2")]])
    }

    @Test("import into tasks writes the rows add task writes: durations in days and working days, milestones, owners, tags, actuals, a custom field's default",
          arguments: TestEngine.all)
    func importMatchesAdd(_ engine: TestEngine) throws {
        let f = Scratch("same-as-add")
        f.write("t.csv", """
            wbs,name,owner,start,finish,duration,milestone,tags,actual_start,actual_finish,status,progress
            2,Build,,2026-03-23,2026-04-17,,,,,,,
            2.1,Code,Li Wei,2026-03-23,,5wd,,db;api,2026-03-23,,doing,30
            2.2,Test,王芳,2026-03-30,,2w,,,,,,
            2.3,Gate,,2026-04-17,,0d,,,,,,
            2.4,Sign,,,2026-04-17,,true,,,,,
            2.5,Done,Li Wei,2026-03-23,2026-03-27,,,,2026-03-23,2026-03-27,done,100

            """)
        let store = try TestStore(engine)
        defer { store.drop() }
        let a = try midProject(on: store)
        #expect(a.run("add field \"risk_level\" to tasks type text default \"low\"").diagnostics.isEmpty)
        let d = a.run("import \"\(f.path("t.csv"))\" into tasks").diagnostics
        #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        let b = try midProject()
        #expect(b.run("add field \"risk_level\" to tasks type text default \"low\"").diagnostics.isEmpty)
        let adds = b.run("""
            add task "Build" wbs 2 start 2026-03-23 finish 2026-04-17
            add task "Code" wbs 2.1 owner "Li Wei" start 2026-03-23 duration 5wd tags ("db", "api") actual_start 2026-03-23 status doing progress 30
            add task "Test" wbs 2.2 owner "王芳" start 2026-03-30 duration 2w
            add task "Gate" wbs 2.3 start 2026-04-17 duration 0d
            add milestone "Sign" wbs 2.4 finish 2026-04-17
            add task "Done" wbs 2.5 owner "Li Wei" start 2026-03-23 finish 2026-03-27 actual_start 2026-03-23 actual_finish 2026-03-27 status done progress 100
            """).diagnostics
        #expect(adds.isEmpty, "\(adds.map(DiagnosticRenderer.render))")
        let q = "tasks where wbs = \"2\" or wbs under 2 select wbs, name, owner, start, finish, milestone, tags, actual_start, actual_finish, status, progress, risk_level, parent order by wbs"
        #expect(rows(a, q) == rows(b, q))
        #expect(rows(a, q).count == 6)
        // One change set: undo takes the import (and the roll-up it caused) back.
        #expect(a.run("undo").diagnostics.isEmpty)
        #expect(count(a, "tasks where wbs = \"2\" or wbs under 2") == .integer(0))
    }

    @Test("import into tasks refuses what add task refuses, at the cell", arguments: [
        ("wbs,name,start,finish\n2.1,A,2026-03-10,2026-03-02\n", "e.csv:2:18: error: finish 2026-03-02 is before start 2026-03-10"),
        ("wbs,name,actual_start,actual_finish\n2.1,A,2026-03-10,2026-03-02\n", "e.csv:2:18: error: actual_finish 2026-03-02 is before actual_start 2026-03-10"),
        ("wbs,name\n2..1,A\n", "e.csv:2:1: error: \"2..1\" is not a WBS code"),
        ("name,wbs\nA,\n", "e.csv:2:1: error: a task needs a wbs: this row has none"),
        ("wbs,name\n9.1,A\n", "e.csv:1:1: error: task 9.1 has no parent"),
    ])
    func refusalsLikeAdd(_ text: String, _ expected: String) throws {
        let f = Scratch("refusals-like-add")
        f.write("e.csv", text)
        let s = try midProject()
        let before = count(s, "tasks")
        let d = s.run("import \"e.csv\" into tasks", name: f.path("script.pmq")).diagnostics
        let rendered = DiagnosticRenderer.render(d)
        if expected.hasPrefix("e.csv:1:1") {
            // WBS integrity is checked when the run commits: the error is at the statement.
            #expect(rendered.contains("task 9.1 has no parent"), "\(rendered)")
        } else {
            #expect(rendered.hasPrefix(expected), "\(rendered)")
        }
        #expect(count(s, "tasks") == before)
    }

    @Test("a script that imports and then fails keeps nothing", arguments: TestEngine.all)
    func allOrNothing(_ engine: TestEngine) throws {
        let f = Scratch("atomic")
        f.write("t.csv", "wbs,name\n7,Seven\n")
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try midProject(on: store)
        let d = s.run("import \"\(f.path("t.csv"))\" into tasks\nassert false, \"stop\"").diagnostics
        #expect(d.first?.message == "assert failed: stop")
        #expect(count(s, "tasks where wbs = \"7\"") == .integer(0))
    }
}

@Suite("export ... to: every format")
struct ExportTests {
    @Test("csv has a BOM; tsv, json, md follow --format; empty tags are []")
    func textFormats() throws {
        let f = Scratch("formats")
        let s = try midProject()
        let q = "tasks where wbs under 1 select wbs, name, owner, tags order by wbs"
        for ext in ["csv", "tsv", "json", "md"] {
            let d = s.run("export \(q) to \"\(f.path("t." + ext))\"").diagnostics
            #expect(d.isEmpty, "\(ext): \(d.map(\.message))")
        }
        let csv = try Data(contentsOf: URL(fileURLWithPath: f.path("t.csv")))
        #expect(Array(csv.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(f.read("t.csv") == "\u{FEFF}wbs,name,owner,tags\n1,Design,,\n1.1,\"Schema, draft\",Li Wei,db;infra\n1.2,数据库迁移,王芳,\n1.3,Design signed,,\n")
        #expect(f.read("t.tsv") == "wbs\tname\towner\ttags\n1\tDesign\t\t\n1.1\tSchema, draft\tLi Wei\tdb;infra\n1.2\t数据库迁移\t王芳\t\n1.3\tDesign signed\t\t\n")
        #expect(f.read("t.json") == "[{\"wbs\":\"1\",\"name\":\"Design\",\"owner\":null,\"tags\":[]},{\"wbs\":\"1.1\",\"name\":\"Schema, draft\",\"owner\":\"Li Wei\",\"tags\":[\"db\",\"infra\"]},{\"wbs\":\"1.2\",\"name\":\"数据库迁移\",\"owner\":\"王芳\",\"tags\":[]},{\"wbs\":\"1.3\",\"name\":\"Design signed\",\"owner\":null,\"tags\":[]}]\n")
        #expect(f.read("t.md").hasPrefix("| wbs | name | owner | tags |\n| --- | --- | --- | --- |\n| 1 | Design |  |  |\n"))
        // The CSV imports back, BOM and all.
        #expect(s.run("add project \"B\"; use project \"B\"; import \"\(f.path("t.csv"))\" into tasks").diagnostics.isEmpty)
        // After `use project "B"` a bare code resolves in B: GOV's rows are asked with a quoted code.
        #expect(rows(s, "tasks where project = \"B\" select wbs, name, owner, tags order by wbs")
                == rows(s, "tasks where project = \"GOV\" and wbs under \"1\" select wbs, name, owner, tags order by wbs"))
    }

    @Test("html escapes what it shows")
    func html() throws {
        let f = Scratch("html")
        let s = try midProject()
        #expect(s.run("update 1.1 set notes = \"<script>alert(1)</script> & more\"").diagnostics.isEmpty)
        #expect(s.run("export tasks where wbs = \"1.1\" select wbs, notes, cost to \"\(f.path("t.html"))\"").diagnostics.isEmpty)
        let page = f.read("t.html")
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</td>"))
        #expect(page.contains("<td class=\"num\">6000</td>"))
        #expect(!page.contains("<script>"))
    }

    /// V6 (review 6): the day after 9999-12-31 is no iCalendar date (`100000101`).
    @Test("ics: a task finishing on 9999-12-31 lasts its days by DURATION, never a five-digit year")
    func icsAtTheEndOfTheCalendar() throws {
        let f = Scratch("ics-end")
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(s.run("add project \"A\"; add task \"end\" wbs 1 start 9999-12-27 finish 9999-12-31; add milestone \"m\" wbs 2 finish 9999-12-31; add task \"t\" wbs 3 start 9999-12-29 finish 9999-12-30").diagnostics.isEmpty)
        #expect(s.run("export tasks order by wbs to \"\(f.path("t.ics"))\"").diagnostics.isEmpty)
        let text = f.read("t.ics")
        #expect(text.contains("DTSTART;VALUE=DATE:99991227\r\nDURATION:P5D\r\n"))
        #expect(text.contains("DTSTART;VALUE=DATE:99991231\r\nDURATION:P1D\r\n"))
        #expect(text.contains("DTSTART;VALUE=DATE:99991229\r\nDTEND;VALUE=DATE:99991231\r\n"))
        #expect(!text.contains("10000"))
    }

    @Test("ics: one all-day event per task, milestones one day, escaped and folded")
    func ics() throws {
        let f = Scratch("ics")
        let s = try midProject()
        #expect(s.run("export tasks where wbs under 1 order by wbs to \"\(f.path("t.ics"))\"").diagnostics.isEmpty)
        let text = f.read("t.ics")
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(text.contains("BEGIN:VEVENT\r\nUID:GOV-1.1@pmq\r\nDTSTAMP:20260316T000000Z\r\nDTSTART;VALUE=DATE:20260302\r\nDTEND;VALUE=DATE:20260307\r\nSUMMARY:1.1 Schema\\, draft\r\n"))
        #expect(text.contains("UID:GOV-1.3@pmq\r\nDTSTAMP:20260316T000000Z\r\nDTSTART;VALUE=DATE:20260320\r\nDTEND;VALUE=DATE:20260321\r\nSUMMARY:◆ 1.3 Design signed\r\n"))
        #expect(text.components(separatedBy: "BEGIN:VEVENT").count == 5)
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
    }

    /// The real parser, when python3 has it (pip install icalendar); skipped otherwise.
    @Test("ics read by PyPI icalendar", .enabled(if: Python.has("icalendar"), "python3 has no icalendar module: skipped"))
    func icsByIcalendar() throws {
        let f = Scratch("ics-py")
        let s = try midProject()
        #expect(s.run("update 1.2 set notes = \"long note, with; commas and a line break\nand more text so that the description line is folded at seventy-five octets\"").diagnostics.isEmpty)
        #expect(s.run("export tasks where wbs under 1 order by wbs to \"\(f.path("t.ics"))\"").diagnostics.isEmpty)
        let script = """
            import icalendar, sys
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            for e in cal.walk('VEVENT'):
                print(e['UID'], e.decoded('DTSTART').isoformat(), e.decoded('DTEND').isoformat(), e['SUMMARY'], '|', e['DESCRIPTION'].replace('\\n', '/'))
            """
        let out = try PMQProcess.tool(["python3", "-c", script, f.path("t.ics")])
        #expect(out.status == 0, "\(out.output)")
        #expect(out.output == """
            GOV-1@pmq 2026-03-02 2026-03-24 1 Design | status doing, 59% done
            GOV-1.1@pmq 2026-03-02 2026-03-07 1.1 Schema, draft | status done, 100% done, owner Li Wei
            GOV-1.2@pmq 2026-03-09 2026-03-24 1.2 数据库迁移 | status doing, 40% done, owner 王芳/long note, with; commas and a line break/and more text so that the description line is folded at seventy-five octets
            GOV-1.3@pmq 2026-03-20 2026-03-21 ◆ 1.3 Design signed | status todo, 0% done

            """)
    }

    @Test("svg export writes the Gantt chart of the query's tasks; other entities are refused")
    func svg() throws {
        let f = Scratch("svg")
        let s = try midProject()
        let d = s.run("export tasks to \"\(f.path("g.svg"))\"").diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
        let text = try String(contentsOfFile: f.path("g.svg"), encoding: .utf8)
        #expect(text.contains("<svg") && text.contains("</svg>"))
        #expect(!s.run("export people to \"\(f.path("p.svg"))\"").diagnostics.isEmpty)
        #expect(!f.exists("p.svg"))
    }

    @Test("a failed script and a dry run write no file", arguments: TestEngine.all)
    func noFileOnFailure(_ engine: TestEngine) throws {
        let f = Scratch("atomic-export")
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try midProject(on: store)
        #expect(!s.run("export tasks to \"\(f.path("a.csv"))\"\nassert false").diagnostics.isEmpty)
        #expect(!f.exists("a.csv"))
        #expect(s.run("export tasks to \"\(f.path("b.csv"))\"", dryRun: true).diagnostics.isEmpty)
        #expect(!f.exists("b.csv"))
        #expect(s.run("export tasks to \"\(f.path("c.csv"))\"").diagnostics.isEmpty)
        #expect(f.exists("c.csv"))
        #expect((try FileManager.default.contentsOfDirectory(atPath: f.folder.path)).sorted() == ["c.csv"])
        // The same file twice in one run: the last one wins, and nothing is left behind.
        #expect(s.run("export tasks where wbs = \"1.1\" to \"\(f.path("d.csv"))\"; export count tasks to \"\(f.path("d.csv"))\"").diagnostics.isEmpty)
        #expect(f.read("d.csv") == "\u{FEFF}4\n")
        #expect((try FileManager.default.contentsOfDirectory(atPath: f.folder.path)).sorted() == ["c.csv", "d.csv"])
    }

    @Test("import, export and their checks are refused when file access is off")
    func fileAccessOff() throws {
        let s = try midProject()
        s.limits.fileAccess = false
        #expect(s.run("import \"t.csv\" into tasks").diagnostics.map(\.message) == ["import reads files, and file access is off here"])
        #expect(s.run("export tasks to \"t.csv\"").diagnostics.map(\.message) == ["export writes files, and file access is off here"])
        #expect(s.run("export project to \"t.xml\"").diagnostics.map(\.message) == ["export writes files, and file access is off here"])
        #expect(s.run("import \"t.xml\"").diagnostics.map(\.message) == ["import reads files, and file access is off here"])
    }

    @Test("file types that do not fit are refused before anything runs", arguments: [
        ("export tasks to \"x.xml\"", "MS Project XML holds a whole project: write export project to \"x.xml\""),
        ("export project to \"x.csv\"", "export project writes MS Project XML: name a .xml file (or export a query, like export tasks to \"x.csv\")"),
        ("export people to \"x.ics\"", "iCalendar is made of tasks: export a query of tasks or milestones, without group by"),
        ("export tasks to \"x.doc\"", "export writes .csv, .tsv, .json, .md, .html, .ics, .svg or (for the project) .xml, not .doc"),
        ("import \"x.xml\" into tasks", "an MS Project file is imported whole, as a new project: import \"x.xml\" (without into)"),
        ("import \"x.xlsx\" into tasks", "import ... into reads .csv, .tsv and .json files, not .xlsx"),
        ("import \"x.csv\" into widgets", "cannot import into \"widgets\""),
    ])
    func refusals(_ text: String, _ message: String) throws {
        let s = try midProject()
        #expect(s.check(SourceFile(name: "<eval>", text: text)).map(\.message) == [message])
    }
}

enum Python {
    static func has(_ module: String) -> Bool {
        (try? PMQProcess.tool(["python3", "-c", "import \(module)"]).status) == 0
    }
}

@Suite("docs: the file examples")
struct FileExampleTests {
    /// `pmq-files` blocks of docs/language.md write files: they run in a scratch folder.
    @Test("the pmq-files blocks run on the sample project and write what the docs show")
    func fileBlocks() throws {
        let blocks = Docs.blocks(Docs.read("docs/language.md"), tag: "pmq-files")
        #expect(!blocks.isEmpty)
        let f = Scratch("docs")
        let s = try Session(path: nil, today: Day(iso: Docs.today))
        #expect(s.run(try String(contentsOf: Docs.sampleProject, encoding: .utf8)).diagnostics.isEmpty)
        for block in blocks {
            var results: [StatementResult] = []
            let d = s.run(SourceFile(name: f.path("docs.pmq"), text: block)) { results.append($0) }
            #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
            #expect(!results.isEmpty)
        }
        let csv = f.read("wave1.csv")
        #expect(csv.hasPrefix("\u{FEFF}wbs,name,owner,finish,tags\n4.1,Wave 1: portal and content,AppDev,2026-05-08,wave1\n4.1.1,Migrate government web portal,Ma Lin,2026-04-10,app;wave1\n"))
        #expect(csv.hasSuffix("4.1.12,Wave 1 live,王芳,2026-05-08,\n"))
        #expect(f.exists("milestones.ics") && f.exists("gov.xml"))
    }
}

@Suite("the command: formats, paths and files")
struct TransferCLITests {
    @Test("--format tsv and html")
    func formats() throws {
        let tsv = try PMQProcess.run(["--format", "tsv", "-e", "add project \"P\"; add task \"a\tb <c>\" wbs 1", "-e", "tasks select wbs, name, tags"])
        #expect(tsv.status == 0)
        #expect(tsv.stdout == "wbs\tname\ttags\n1\t\"a\tb <c>\"\t\n")
        let html = try PMQProcess.run(["--format", "html", "-e", "add project \"P\"; add task \"a\tb <c>\" wbs 1", "-e", "tasks select wbs, name, progress", "-e", "count tasks"])
        #expect(html.stdout == "<table><thead><tr><th>wbs</th><th>name</th><th>progress</th></tr></thead><tbody><tr><td>1</td><td>a\tb &lt;c&gt;</td><td class=\"num\">0</td></tr></tbody></table>\n1\n")
        let bad = try PMQProcess.run(["--format", "xml", "-e", "count tasks"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("use table, csv, tsv, json, markdown or html"))
    }

    @Test("a script's relative file names are next to the script; -e text's in the working directory")
    func relativePaths() throws {
        let f = Scratch("paths")
        f.write("in.csv", "wbs,name\n1,One\n")
        f.write("load.pmq", "add project \"P\"\nimport \"in.csv\" into tasks\nexport tasks to \"out.json\"\n")
        let r = try PMQProcess.run([f.path("load.pmq")], cwd: URL(fileURLWithPath: "/"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "added project \"P\"\nimported 1 task\nexported 1 task (to out.json)\n")
        #expect(f.read("out.json") == "[{\"wbs\":\"1\",\"name\":\"One\",\"owner\":null,\"status\":\"todo\",\"start\":null,\"finish\":null,\"progress\":0}]\n")
        let e = try PMQProcess.run(["-e", "add project \"P\"; import \"in.csv\" into tasks", "-e", "count tasks"], cwd: f.folder)
        #expect(e.stdout == "1\n")
        // No progress bar when standard error is not a terminal.
        #expect(!e.stderr.contains("\r"))
    }
}
