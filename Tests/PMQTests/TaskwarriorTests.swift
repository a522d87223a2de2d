import Foundation
import Testing
@testable import PMQ

/// Taskwarrior's JSON both ways: `import ... into tasks from taskwarrior` and
/// `export ... as taskwarrior`.
@Suite("Taskwarrior JSON")
struct TaskwarriorTests {
    static let utc = TimeZone(identifier: "UTC") ?? .current

    /// What `task export` (Taskwarrior 2.6) writes: derived attributes, annotations, a
    /// user-defined attribute, `depends` as a list and as Taskwarrior 2.5's comma text.
    static let export = """
        [
        {"id":1,"description":"Buy milk","entry":"20261101T081500Z","modified":"20261101T081500Z","project":"Home","status":"pending","uuid":"a360fc44-315c-4366-b70c-ea7e7520b749","tags":["errand","shop"],"due":"20261130T000000Z","urgency":8.9,"priority":"H"},
        {"id":2,"description":"Fix the fence","entry":"20261101T081600Z","project":"Home.Garden","scheduled":"20261105T000000Z","start":"20261106T090000Z","status":"pending","uuid":"b1e2c3d4-0000-4000-8000-000000000002","depends":["a360fc44-315c-4366-b70c-ea7e7520b749"],"annotations":[{"entry":"20261106T090000Z","description":"wood bought"}],"estimate":"3h"},
        {"id":0,"description":"Call the bank","end":"20261103T170000Z","entry":"20261101T081700Z","status":"completed","uuid":"C0FFEE00-1111-4222-8333-444455556666","due":"20261102T000000Z"},
        {"id":0,"description":"Old idea","end":"20261104T100000Z","entry":"20261001T081700Z","status":"deleted","uuid":"d0000000-0000-4000-8000-000000000004","tags":[]},
        {"id":3,"description":"Paint it","entry":"20261101T081800Z","project":"Home.Garden","status":"waiting","wait":"20261201T000000Z","uuid":"e0000000-0000-4000-8000-000000000005","depends":"b1e2c3d4-0000-4000-8000-000000000002,c0ffee00-1111-4222-8333-444455556666","priority":"L"}
        ]
        """

    func session() throws -> Session { try Session(path: nil, today: Day(iso: "2026-11-16")) }

    @Test("task export comes in: projects made, statuses, dates, tags, priority, depends both ways round")
    func importsTaskwarrior() throws {
        let f = Scratch("tw-in")
        let file = f.write("tasks.json", Self.export)
        let s = try session()
        let (results, d) = s.run("import \"\(file)\" into tasks from taskwarrior")
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        #expect(results == [.change(ChangeReport(verb: "imported", entity: "task", count: 5, detail: nil, note: "2 new projects"))])
        // TZ decides which day a time stamp falls on: the expected days are computed the same way.
        func day(_ s: String) -> Value { Taskwarrior.day(s).map(Value.date) ?? .null }
        let expected: [[Value]] = [
            [.reference("Home"), .text("1"), .text("Buy milk"), .text("todo"), .null, day("20261130T000000Z"), .null, .null, .text("high"), .list(["errand", "shop"])],
            [.reference("Home.Garden"), .text("1"), .text("Fix the fence"), .text("doing"), day("20261105T000000Z"), .null, day("20261106T090000Z"), .null, .text("medium"), .list([])],
            [.reference("Home.Garden"), .text("2"), .text("Paint it"), .text("todo"), .null, .null, .null, .null, .text("low"), .list([])],
        ]
        #expect(rows(s, "tasks where project is not null select project, wbs, name, status, start, finish, actual_start, actual_finish, priority, tags order by project, wbs") == expected)
        // Two projects there: the tasks without one have none (add task's rule for two projects would refuse; none existed when they came).
        let loose = rows(s, "tasks where project is null select name, status, finish, actual_finish, progress order by name")
        #expect(loose.map { $0[0] } == [.text("Call the bank"), .text("Old idea")])
        #expect(loose[0][1] == .text("done") && loose[0][3] == day("20261103T170000Z") && loose[0][4] == .integer(100))
        #expect(loose[1][1] == .text("cancelled") && loose[1][3] == day("20261104T100000Z"))
        #expect(rows(s, "dependencies select pred.name, succ.name, type, lag order by succ.name, pred.name") == [
            [.text("Buy milk"), .text("Fix the fence"), .text("FS"), .duration(0)],
            [.text("Call the bank"), .text("Paint it"), .text("FS"), .duration(0)],
            [.text("Fix the fence"), .text("Paint it"), .text("FS"), .duration(0)],
        ])
        // One change set: undo takes the tasks, links, projects and uuids away.
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(count(s, "tasks") == .integer(0) && count(s, "projects") == .integer(0) && count(s, "dependencies") == .integer(0))
        #expect(try s.db.scalar("SELECT count(*) FROM task_uuids") == .integer(0))
        // And it can come in again.
        #expect(s.run("import \"\(file)\" into tasks from taskwarrior").diagnostics.isEmpty)
    }

    @Test("one object a line (rc.json.array=off) reads the same as the array")
    func jsonLines() throws {
        let f = Scratch("tw-lines")
        let lines = Self.export.split(separator: "\n").filter { $0.hasPrefix("{") }.map { $0.hasSuffix(",") ? String($0.dropLast()) : String($0) }
        let a = f.write("a.json", Self.export), b = f.write("b.json", lines.joined(separator: "\n") + "\n")
        let s1 = try session(), s2 = try session()
        #expect(s1.run("import \"\(a)\" into tasks from taskwarrior").diagnostics.isEmpty)
        #expect(s2.run("import \"\(b)\" into tasks from taskwarrior").diagnostics.isEmpty)
        let q = "tasks select project, wbs, name, status, start, finish, actual_start, actual_finish, priority, tags order by name"
        #expect(rows(s1, q) == rows(s2, q))
        #expect(rows(s1, q).count == 5)
    }

    @Test("PMQ -> Taskwarrior -> PMQ -> Taskwarrior gives the same file: uuids, statuses, dates, tags, depends")
    func roundTrip() throws {
        let f = Scratch("tw-round")
        let s = try midProject()
        #expect(s.run("add task \"Blocked one\" wbs 2 status blocked priority critical; add task \"Dropped\" wbs 3 status cancelled start 2026-03-05 finish 2026-03-06; add dependency 1.3 -> 2").diagnostics.isEmpty)
        let first = f.path("first.json"), second = f.path("second.json")
        let (r1, d1) = s.run("export tasks to \"\(first)\" as taskwarrior")
        #expect(d1.isEmpty, "\(DiagnosticRenderer.render(d1))")
        #expect(r1 == [.change(ChangeReport(verb: "exported", entity: "task", count: 6, detail: nil, note: "to \(first)"))])
        let t = try Session(path: nil, today: Day(iso: "2026-03-16"))
        let d2 = t.run("import \"\(first)\" into tasks from taskwarrior; export tasks to \"\(second)\" as taskwarrior").diagnostics
        #expect(d2.isEmpty, "\(DiagnosticRenderer.render(d2))")
        #expect(f.read("first.json") == f.read("second.json"))

        // What the file says, task by task.
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(f.read("first.json").utf8)) as? [[String: Any]])
        #expect(objects.count == 6)
        func task(_ name: String) -> [String: Any] { objects.first { $0["description"] as? String == name } ?? [:] }
        let uuid = { (o: [String: Any]) in o["uuid"] as? String ?? "" }
        #expect(objects.allSatisfy { Taskwarrior.isUUID(uuid($0)) && $0["project"] as? String == "GOV" })
        #expect(Set(objects.map(uuid)).count == 6)
        #expect(uuid(task("Schema, draft")) == Taskwarrior.derivedUUID(project: "GOV", wbs: "1.1"))
        #expect(task("Schema, draft")["status"] as? String == "completed")
        #expect(task("Schema, draft")["tags"] as? [String] == ["db", "infra"])
        #expect(task("数据库迁移")["status"] as? String == "pending" && task("数据库迁移")["start"] != nil)
        #expect(task("数据库迁移")["depends"] as? [String] == [uuid(task("Schema, draft"))])
        #expect(task("Design signed")["depends"] as? [String] == [uuid(task("数据库迁移"))])
        #expect(task("Blocked one")["status"] as? String == "pending" && task("Blocked one")["priority"] as? String == "H")
        #expect(task("Blocked one")["depends"] as? [String] == [uuid(task("Design signed"))])
        #expect(task("Dropped")["status"] as? String == "deleted" && task("Dropped")["end"] != nil)
        // Empty tags are left out, never null; medium priority is Taskwarrior's none.
        #expect(objects.allSatisfy { !($0["tags"] is NSNull) && ($0["tags"] as? [String])?.isEmpty != true })
        #expect(task("Design")["priority"] == nil)
        #expect(task("Design signed")["due"] as? String == Taskwarrior.timestamp(Day(iso: "2026-03-20") ?? Day(0)))
        // The second PMQ has the same tasks; a finished task without an actual finish got `end`
        // from its finish (Taskwarrior needs one), and kept it.
        let q = "tasks select name, finish, tags order by name"
        #expect(rows(s, q) == rows(t, q))
        #expect(rows(t, "tasks where status in (done, cancelled) select name, actual_finish order by name") == [
            [.text("Dropped"), .date(Day(iso: "2026-03-06") ?? Day(0))], [.text("Schema, draft"), .date(Day(iso: "2026-03-06") ?? Day(0))],
        ])
    }

    @Test("a subset's depends name only tasks in the file")
    func subsetDepends() throws {
        let f = Scratch("tw-subset")
        let s = try midProject()
        #expect(s.run("export tasks where wbs = 1.2 to \"\(f.path("one.json"))\" as taskwarrior").diagnostics.isEmpty)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(f.read("one.json").utf8)) as? [[String: Any]])
        #expect(objects.count == 1 && objects[0]["depends"] == nil)
    }

    @Test("bad values are located in the file and nothing is kept", arguments: [
        ("[\n{\"description\":\"a\",\"uuid\":\"a0000000-0000-4000-8000-000000000001\"},\n{\"description\":\"b\",\"due\":\"30.11.2026\"}\n]",
         "e.json:3:26: error: due \"30.11.2026\" is not a date"),
        ("[{\"description\":\"a\",\"status\":\"later\"}]", "e.json:1:30: error: unknown status \"later\"; Taskwarrior's are: pending, completed, deleted, waiting, recurring"),
        ("[{\"description\":\"a\",\"depends\":[\"a0000000-0000-4000-8000-00000000000f\"]}]",
         "e.json:1:31: error: depends on a0000000-0000-4000-8000-00000000000f, a task that is neither in this file nor imported before"),
        ("[{\"description\":\"a\",\"uuid\":\"nope\"}]", "e.json:1:28: error: uuid \"nope\" is not a uuid"),
        ("[{\"description\":\"a\",\"uuid\":\"a0000000-0000-4000-8000-000000000001\"},{\"description\":\"b\",\"uuid\":\"A0000000-0000-4000-8000-000000000001\"}]",
         "e.json:1:94: error: uuid a0000000-0000-4000-8000-000000000001 is given to two tasks in this file"),
        ("[{\"status\":\"pending\"}]", "e.json:1:2: error: a task needs a description: this one has none"),
        ("[{\"description\":\"a\",\"tags\":\"x\",\"priority\":\"urgent\"}]", "e.json:1:43: error: unknown priority \"urgent\"; Taskwarrior's are H, M and L"),
        ("[{\"description\":\"a\",\"scheduled\":\"20261110T000000Z\",\"due\":\"20261101T000000Z\"}]", "e.json:1:58: error: finish 2026-11-01 is before start 2026-11-10"),
        ("{\"description\":\"a\",\"uuid\":\"a0000000-0000-4000-8000-000000000001\"}\n{\"description\":\"b\",\"depends\":\"a0000000-0000-4000-8000-000000000001,a0000000-0000-4000-8000-000000000009\"}\n",
         "e.json:2:30: error: depends on a0000000-0000-4000-8000-000000000009"),
        ("[{\"description\":\"a\"},\n 42]", "e.json:2:2: error: task 2 is not a JSON object"),
        ("[{\"description\":\"a\"", "e.json:1:1: error: not Taskwarrior's JSON: the file is not a JSON array of tasks"),
        ("{\"description\":\"a\"}\nnot json\n", "e.json:2:1: error: not Taskwarrior's JSON: line 2 is not a JSON object (a task)"),
        ("[{\"description\":\"a\",\"project\":\"New\"},{\"description\":\"b\",\"project\":7}]", "e.json:1:67: error: project must be text, not 7"),
    ])
    func badValues(_ text: String, _ expected: String) throws {
        let f = Scratch("tw-bad")
        f.write("e.json", text)
        let s = try session()
        #expect(s.run("add project \"P\"").diagnostics.isEmpty)
        let d = s.run("import \"e.json\" into tasks from taskwarrior", name: f.path("script.pmq")).diagnostics
        let rendered = DiagnosticRenderer.render(d)
        #expect(rendered.hasPrefix(expected), "\(rendered)")
        #expect(count(s, "tasks") == .integer(0))
        #expect(count(s, "projects") == .integer(1))
        #expect(try s.db.scalar("SELECT count(*) FROM task_uuids") == .integer(0))
    }

    @Test("a uuid imported before is refused, naming the task")
    func importedTwice() throws {
        let f = Scratch("tw-twice")
        let file = f.write("t.json", "[{\"description\":\"a\",\"uuid\":\"a0000000-0000-4000-8000-000000000001\",\"project\":\"P\"}]")
        let s = try session()
        #expect(s.run("import \"\(file)\" into tasks from taskwarrior").diagnostics.isEmpty)
        let rendered = DiagnosticRenderer.render(s.run("import \"\(file)\" into tasks from taskwarrior").diagnostics)
        #expect(rendered.contains("error: uuid a0000000-0000-4000-8000-000000000001 was imported before: it is task P/1"), "\(rendered)")
        #expect(count(s, "tasks") == .integer(1))
    }

    @Test("the checker: formats, entities and extensions", arguments: [
        ("import \"t.json\" into tasks from jira", "unknown format \"jira\"; the formats are: taskwarrior"),
        ("import \"t.json\" into people from taskwarrior", "Taskwarrior's file holds tasks"),
        ("import \"t.csv\" into tasks from taskwarrior", "Taskwarrior's export is JSON: name a .json file"),
        ("export people to \"t.json\" as taskwarrior", "Taskwarrior's file holds tasks: export a query of tasks"),
        ("export tasks group by owner select owner, count() to \"t.json\" as taskwarrior", "Taskwarrior's file holds tasks"),
        ("export tasks to \"t.csv\" as taskwarrior", "Taskwarrior reads JSON: name a .json file"),
        ("export tasks to \"t.json\" as taskwarior", "unknown format \"taskwarior\"; did you mean \"taskwarrior\"?"),
    ])
    func checked(_ text: String, _ message: String) throws {
        let s = try session()
        let d = s.run(text).diagnostics
        #expect(d.count == 1)
        #expect(d.first?.message.hasPrefix(message) == true, "\(d.map(\.message))")
    }

    @Test("refused when file access is off")
    func fileAccessOff() throws {
        let s = try session()
        s.limits.fileAccess = false
        #expect(s.run("import \"t.json\" into tasks from taskwarrior").diagnostics.first?.message == "import reads files, and file access is off here")
        #expect(s.run("export tasks to \"t.json\" as taskwarrior").diagnostics.first?.message == "export writes files, and file access is off here")
    }

    @Test("the docs' example writes the line docs/language.md shows and imports 13 tasks back")
    func docsExample() throws {
        let f = Scratch("tw-docs")
        let s = try Session(path: nil, today: Day(iso: Docs.today))
        #expect(s.run(try String(contentsOf: Docs.sampleProject, encoding: .utf8)).diagnostics.isEmpty)
        // The export's file appears when its run commits: the import is a run of its own.
        let blocks = Docs.blocks(Docs.read("docs/language.md"), tag: "pmq-files").filter { $0.contains("taskwarrior") }
        #expect(blocks.count == 2)
        for block in blocks {
            let d = s.run(SourceFile(name: f.path("docs.pmq"), text: block)) { _ in }
            #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        }
        let lines = f.read("wave1-tw.json").split(separator: "\n")
        #expect(lines.count == 15)   // [, 13 tasks, ]
        let shown = Docs.read("docs/language.md").split(separator: "\n").first { $0.hasPrefix("{\"uuid\":") }
        let first = lines.count > 1 ? String(lines[1].dropLast()) : ""
        // The docs show the dates as written in UTC; elsewhere local midnight is another hour.
        if TimeZone.current.secondsFromGMT() == 0 {
            #expect(shown?.replacingOccurrences(of: "UUID41", with: Taskwarrior.derivedUUID(project: "GOV", wbs: "4.1")) == first)
        }
        #expect(count(s, "tasks where level = 1") == .integer(19))
        #expect(count(s, "tasks where level = 1 and name = \"Wave 1 live\"") == .integer(1))
    }

    @Test("dates: UTC time stamps read as the local day, local midnight written in UTC")
    func dates() throws {
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let d = try #require(Day(iso: "2026-11-30"))
        #expect(Taskwarrior.day("20261130T000000Z", timeZone: Self.utc) == d)
        #expect(Taskwarrior.day("2026-11-30T00:00:00Z", timeZone: Self.utc) == d)
        #expect(Taskwarrior.day("2026-11-30", timeZone: shanghai) == d)
        #expect(Taskwarrior.day("20261129T160000Z", timeZone: shanghai) == d)      // midnight in Shanghai
        #expect(Taskwarrior.day("20261130T050000Z", timeZone: newYork) == d)       // midnight in New York
        #expect(Taskwarrior.day("20261130T040000Z", timeZone: newYork) == d + -1)
        #expect(Taskwarrior.timestamp(d, timeZone: Self.utc) == "20261130T000000Z")
        #expect(Taskwarrior.timestamp(d, timeZone: shanghai) == "20261129T160000Z")
        #expect(Taskwarrior.timestamp(d, timeZone: newYork) == "20261130T050000Z")
        #expect(Taskwarrior.timestamp(try #require(Day(iso: "1969-12-31")), timeZone: Self.utc) == "19691231T000000Z")
        for bad in ["20261130", "20261130T000000", "2026113OT000000Z", "20261332T000000Z", "20261130T250000Z", "", "soon"] {
            #expect(Taskwarrior.day(bad, timeZone: Self.utc) == nil, "\(bad)")
        }
    }

    @Test("uuids: checked, and derived ones stable and well-formed")
    func uuids() {
        #expect(Taskwarrior.isUUID("a360fc44-315c-4366-b70c-ea7e7520b749"))
        #expect(Taskwarrior.isUUID("A360FC44-315C-4366-B70C-EA7E7520B749"))
        #expect(!Taskwarrior.isUUID("a360fc44-315c-4366-b70c-ea7e7520b74"))
        #expect(!Taskwarrior.isUUID("a360fc44x315c-4366-b70c-ea7e7520b749"))
        #expect(!Taskwarrior.isUUID("g360fc44-315c-4366-b70c-ea7e7520b749"))
        let a = Taskwarrior.derivedUUID(project: "GOV", wbs: "1.1")
        #expect(a == Taskwarrior.derivedUUID(project: "GOV", wbs: "1.1"))
        #expect(a != Taskwarrior.derivedUUID(project: "GOV", wbs: "1.2"))
        #expect(a != Taskwarrior.derivedUUID(project: "GO", wbs: "V1.1"))
        #expect(Taskwarrior.isUUID(a) && a == a.lowercased())
        let chars = Array(a)
        #expect(chars[14] == "8" && "89ab".contains(chars[19]))
    }
}
