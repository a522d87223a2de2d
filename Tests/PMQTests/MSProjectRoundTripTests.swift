import Foundation
import Testing
import XMLCoder
@testable import PMQ

/// What an MS Project XML round trip must give back, as PMQ queries over the project `code`:
/// every field the model holds that MSPDI can carry (docs/language.md, "MS Project").
enum RoundTrip {
    static func queries(_ code: String) -> [String] {
        let p = "\"\(code)\""
        return [
            "projects where code = \(p) select code, name, client, manager, start",
            """
            tasks where project = \(p) select wbs, name, owner, status, start, finish, milestone, summary, progress, actual_start, actual_finish,
              effort, cost, priority, constraint, constraint_date, baseline_start, baseline_finish, baseline_cost, notes order by wbs
            """,
            "dependencies where succ.project = \(p) select pred, succ, type, lag, lag_unit order by pred, succ",
            "assignments where role = R and task.project = \(p) select task, person, units order by task, person",
            "people select name, kind, department, email, rate, capacity, login, active order by name",
            "leaves select person, start, finish, note order by person, start",
            "holidays select day, name order by day",
            "workdays select day, name order by day",
        ]
    }

    /// `a`'s project `code` exported, imported into a new session as `code`, and compared.
    /// Returns the file's text and the session that imported it.
    @discardableResult
    static func check(_ a: Session, _ code: String, into b: Session, _ f: Scratch, _ label: String) -> String {
        let file = f.path("\(code).xml")
        let d = a.run("use project \"\(code)\"\nexport project to \"\(file)\"").diagnostics
        #expect(d.isEmpty, "\(label): \(d.map(\.message))")
        let d2 = b.run("import \"\(file)\" as \"\(code)\"").diagnostics
        #expect(d2.isEmpty, "\(label): \(d2.map(\.message))")
        for q in queries(code) {
            let (x, y) = (rows(a, q), rows(b, q))
            #expect(x == y, "\(label): \(q)\n\(x)\n\(y)")
        }
        return f.read("\(code).xml")
    }
}

@Suite("MS Project XML: export and import back")
struct MSProjectRoundTripTests {
    /// The mid-project sample with what a real plan also holds: a team, capacity, logins,
    /// leave, a make-up day inside a task, effort, constraints, a cancelled task, client and
    /// manager — and a second project in the same database, which the export leaves out.
    static func fullProject(on store: TestStore? = nil) throws -> Session {
        let a = try midProject(on: store)
        let d = a.run("""
            add project "OPS" name "Operations" start 2026-03-02
            add task "Run book" wbs 1 project "OPS" start 2026-03-02 duration 3wd
            use project "GOV"
            update projects where code = "GOV" set client = "Gov & Co <IT>", manager = "王芳"
            update people where name = "Li Wei" set capacity = 6, login = "liwei", email = "li@x.cn"
            add person "QA" kind team department "QA" capacity 16
            add person "Zhao" department "IT" rate 600
            update people where name = "Zhao" set active = false
            add leave "王芳" from 2026-03-24 to 2026-03-25 note "training"
            add workday 2026-03-28 name "make-up Saturday"
            add task "Tests" wbs 2 owner "QA" start 2026-03-25 duration 5wd effort 60.5 constraint snet constraint_date 2026-03-25
            add task "Old plan" wbs 3 start 2026-03-02 duration 2wd status cancelled
            add milestone "Go live" wbs 4 finish 2026-04-10 constraint fnlt constraint_date 2026-04-10
            add task "Cutover" wbs 5 start 2026-04-01 duration 2wd constraint mso constraint_date 2026-04-01 notes "a & b < c"
            add milestone "Review" wbs 1.4 finish 2026-03-06 baseline_finish 2026-03-05
            """).diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
        return a
    }

    @Test("a project a few weeks in comes back with every field MSPDI carries, on both engines", arguments: TestEngine.all)
    func midProjectRoundTrip(_ engine: TestEngine) throws {
        let f = Scratch("mspdi")
        let storeA = try TestStore(engine), storeB = try TestStore(engine)
        defer { storeA.drop(); storeB.drop() }
        let a = try Self.fullProject(on: storeA)
        let b = try storeB.session()
        let xml = RoundTrip.check(a, "GOV", into: b, f, "mid-project")
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Project xmlns=\"http://schemas.microsoft.com/project\">"))
        for fragment in ["<Title>Cloud migration</Title>", "<Company>Gov &amp; Co &lt;IT&gt;</Company>", "<Manager>王芳</Manager>",
                         "<StatusDate>2026-03-16T17:00:00</StatusDate>", "<LinkLag>28800</LinkLag>", "<LagFormat>8</LagFormat>",
                         "<MaxUnits>0.75</MaxUnits>", "<MaxUnits>2</MaxUnits>", "<IsGeneric>1</IsGeneric>", "<IsInactive>1</IsInactive>",
                         "<NTAccount>liwei</NTAccount>", "<Work>PT60H30M0S</Work>", "<Active>0</Active>",
                         "<ConstraintType>4</ConstraintType>", "<ConstraintDate>2026-03-25T08:00:00</ConstraintDate>",
                         "<ConstraintType>7</ConstraintType>", "<ConstraintDate>2026-04-10T17:00:00</ConstraintDate>",
                         "<ConstraintType>2</ConstraintType>", "<Notes>a &amp; b &lt; c</Notes>",
                         "<Name>make-up Saturday</Name>", "<DayWorking>1</DayWorking>", "<Name>training</Name>"] {
            #expect(xml.contains(fragment), "\(fragment)")
        }
        #expect(!xml.contains("Run book"), "the other project's task is not exported")
        // The make-up Saturday is inside "Tests": 5 working days from Wednesday end on Monday.
        #expect(rows(b, "tasks where wbs = \"2\" select finish, start + 4wd as f") == [[.date(Day(iso: "2026-03-30")!), .date(Day(iso: "2026-03-30")!)]])
        // Mid-project: the started task is still doing, with its slip against the baseline.
        #expect(rows(b, "tasks where wbs = \"1.2\" select status, slip") == [[.text("doing"), .duration(3)]])
        // Planning again on the status date gives the same plan in both.
        #expect(a.run("schedule").diagnostics.isEmpty)
        #expect(b.run("schedule").diagnostics.isEmpty)
        let dates = "tasks where project = \"GOV\" select wbs, start, finish, slack, critical order by wbs"
        #expect(rows(a, dates) == rows(b, dates))
    }

    /// The reviewer's cases (F7, F28), one loss each.
    @Test("capacity, a make-up day, a constraint, effort and the title survive", arguments: [
        ("add person \"王芳\" department \"数据\" rate 1000 capacity 6\nadd task \"a\" wbs 1 owner \"王芳\" start 2026-03-02 duration 3wd",
         "people select name, capacity", "王芳|6"),
        ("add workday 2026-03-07 name \"make-up\"\nadd task \"a\" wbs 1 start 2026-03-05 duration 3wd",
         "tasks select start, finish, start + 2wd as s2", "2026-03-05|2026-03-07|2026-03-07"),
        ("add workday 2026-03-07 name \"make-up\"", "workdays select day, name", "2026-03-07|make-up"),
        ("add task \"a\" wbs 1 start 2026-03-09 duration 2wd constraint snet constraint_date 2026-03-09",
         "tasks select constraint, constraint_date", "snet|2026-03-09"),
        ("add task \"a\" wbs 1 start 2026-03-02 duration 5wd effort 40", "tasks select effort", "40"),
        ("add task \"a\" wbs 1 start 2026-03-02 duration 1d", "projects select code, name", "A|Alpha"),
    ])
    func reviewerCases(_ script: String, _ query: String, _ expected: String) throws {
        let f = Scratch("mspdi-f7")
        let a = try Session(path: nil, today: Day(iso: "2026-03-02"))
        #expect(a.run("add project \"A\" name \"Alpha\"\n" + script + "\nexport project to \"\(f.path("p.xml"))\"").diagnostics.isEmpty)
        let b = try Session(path: nil, today: Day(iso: "2026-03-02"))
        #expect(b.run("import \"\(f.path("p.xml"))\" as \"A\"").diagnostics.isEmpty)
        let got = rows(b, query).map { $0.map { ConstantEvaluator.text($0) }.joined(separator: "|") }
        #expect(got == [expected], "\(query)")
        #expect(rows(a, query) == rows(b, query))
    }

    @Test("the shipped MS Project files: import, export, import again, compare every field", arguments: MSProjectTests.files + ["legacy-sample.xml"])
    func fixtures(_ name: String) throws {
        let path = SharedData.fixtures.appendingPathComponent("mspdi/" + name).path
        let a = try Session(path: nil, today: Day(iso: "2026-01-05"))
        #expect(a.run("import \"\(path)\" as \"RT\"").diagnostics.isEmpty)
        RoundTrip.check(a, "RT", into: try Session(path: nil, today: Day(iso: "2026-01-05")), Scratch("mspdi-fixture"), name)
    }

    @Test("every MS Project file of ../shared/data/mspdi: import, export, import again, compare every field",
          .enabled(if: SharedData.isFull, "../shared/data is missing: skipped (the shipped fixtures are compared above)"))
    func sharedData() throws {
        let f = Scratch("mspdi-shared")
        var compared = 0
        for path in Self.sharedFiles() {
            let a = try Session(path: nil, today: Day(iso: "2026-01-05"))
            guard a.run("import \"\(path)\" as \"RT\"").diagnostics.isEmpty else { continue }   // not MSPDI (a few MPXJ samples)
            RoundTrip.check(a, "RT", into: try Session(path: nil, today: Day(iso: "2026-01-05")), f, path)
            compared += 1
        }
        #expect(compared >= 20)
    }

    static func sharedFiles() -> [String] {
        let base = SharedData.shared.appendingPathComponent("mspdi")
        return ((FileManager.default.enumerator(atPath: base.path)?.allObjects as? [String]) ?? [])
            .filter { $0.hasSuffix(".xml") }.sorted().map { base.appendingPathComponent($0).path }
    }

    /// The export's own encoder against XMLCoder's: the same document gives the same bytes,
    /// so the streaming writer escapes and orders exactly as the library does.
    @Test("XMLStreamEncoder writes byte for byte what XMLCoder writes")
    func sameAsXMLCoder() throws {
        let a = try Self.fullProject()
        #expect(a.run("update 1.1 set name = \"It's <\\\"quoted\\\"> & done\"").diagnostics.isEmpty)
        let (document, _) = try MSProjectExporter(session: a.context).document(.none)
        let ours = try XMLStreamEncoder.encode(document, root: MSPDIProject.root, attributes: MSPDIProject.rootAttributes, header: MSPDIProject.header)
        let encoder = XMLEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let theirs = try encoder.encode(document, withRootKey: MSPDIProject.root,
                                        rootAttributes: Dictionary(uniqueKeysWithValues: MSPDIProject.rootAttributes),
                                        header: XMLHeader(version: 1.0, encoding: "UTF-8", standalone: "yes"))
        let (x, y) = (String(decoding: ours, as: UTF8.self), String(decoding: theirs, as: UTF8.self))
        #expect(x.contains("It&apos;s &lt;&quot;quoted&quot;&gt; &amp; done"))
        #expect(x == y, "\(zip(x.split(separator: "\n"), y.split(separator: "\n")).first { $0 != $1 }.map { "\($0)\n\($1)" } ?? "lengths differ")")
    }
}

/// MPXJ (PyPI `mpxj` on a Java runtime) reads MSPDI as ProjectLibre does: it reads PMQ's
/// export, and what it finds is compared with PMQ's own rows. Tests/tools/mpxj_read.py prints
/// MPXJ's reading as JSON. Skipped, saying why, without python3, mpxj or java.
@Suite("MS Project XML: MPXJ reads PMQ's export")
struct MPXJOracleTests {
    static let available = Python.has("mpxj") && Python.has("jpype")
        && (try? PMQProcess.tool(["java", "-version"]).status) == 0

    /// What MPXJ read, as lines to compare: tasks with their links, resources, assignments,
    /// calendar days, constraints and work.
    static func mpxj(_ files: [String]) throws -> [String: [String: [String]]] {
        let out = try PMQProcess.tool(["python3", PMQProcess.root.appendingPathComponent("Tests/tools/mpxj_read.py").path] + files)
        #expect(out.status == 0, "\(out.output)")
        var read: [String: [String: [String]]] = [:]
        for line in out.output.split(separator: "\n") where line.hasPrefix("{") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let file = o["file"] as? String else { continue }
            func lines(_ key: String) -> [String] {
                ((o[key] as? [Any]) ?? []).map { item in
                    func flat(_ v: Any) -> String {
                        if let a = v as? [Any] { return "[" + a.map(flat).joined(separator: ",") + "]" }
                        if let n = v as? NSNumber { return formatNumber(n.doubleValue) }
                        if v is NSNull { return "null" }
                        return "\(v)"
                    }
                    if let a = item as? [Any] { return a.map(flat).joined(separator: "|") }
                    return flat(item)
                }
            }
            read[file] = ["title": [o["title"] as? String ?? ""]]
            for k in ["tasks", "resources", "assignments", "holidays", "workdays", "constraints", "work", "costs", "baseline_costs"] { read[file]?[k] = lines(k) }
        }
        return read
    }

    /// PMQ's own rows of project `code`, in the shape mpxj_read.py prints.
    static func pmq(_ s: Session, _ code: String) -> [String: [String]] {
        func t(_ v: Value) -> String { v.isNull ? "null" : ConstantEvaluator.text(v) }
        func n(_ v: Value) -> String { v.number.map(formatNumber) ?? "null" }
        let p = "\"\(code)\""
        var links: [String: [String]] = [:]
        // A lag in calendar days is MS Project's elapsed days, which mpxj_read.py prints as `2ed`.
        for r in rows(s, "dependencies where succ.project = \(p) select pred, succ, type, lag, lag_unit") {
            links[t(r[1]), default: []].append("[\(t(r[0])),\(t(r[2])),\(n(r[3]))\(t(r[4]) == "d" ? "ed" : "")]")
        }
        let tasks = rows(s, "tasks where project = \(p) select wbs, name, start, finish, milestone order by wbs").map { r -> String in
            let wbs = t(r[0])
            return [wbs, t(r[1]), String(wbs.split(separator: ".").count), t(r[2]), t(r[3]), t(r[4]),
                    "[" + (links[wbs] ?? []).sorted().joined(separator: ",") + "]"].joined(separator: "|")
        }
        let kinds = ["snet": "START_NO_EARLIER_THAN", "snlt": "START_NO_LATER_THAN", "fnet": "FINISH_NO_EARLIER_THAN",
                     "fnlt": "FINISH_NO_LATER_THAN", "mso": "MUST_START_ON", "mfo": "MUST_FINISH_ON"]
        var leave: [String: [String]] = [:]
        for r in rows(s, "leaves select person, start, finish") {
            guard case .date(let a) = r[1], case .date(let b) = r[2], a <= b else { continue }
            for d in a.number...b.number { leave[t(r[0]), default: []].append(Day(d).iso) }
        }
        return [
            "title": rows(s, "projects where code = \(p) select name").map { t($0[0]) },
            "tasks": tasks,
            "resources": rows(s, "people select name, capacity, kind").map { r in
                [t(r[0]), r[1].number.map { formatNumber($0 / 8) } ?? "null", t(r[2]) == "team" ? "true" : "false",
                 "[" + (leave[t(r[0])] ?? []).sorted().joined(separator: ",") + "]"].joined(separator: "|")
            },
            "assignments": assignments(s, p),
            "holidays": rows(s, "holidays select day order by day").map { t($0[0]) },
            "workdays": rows(s, "workdays select day order by day").map { t($0[0]) },
            "constraints": rows(s, "tasks where project = \(p) and constraint != asap and constraint_date is not null select wbs, constraint, constraint_date order by wbs")
                .map { "\(t($0[0]))|\(kinds[t($0[1])] ?? t($0[1]))|\(t($0[2]))" },
            "work": rows(s, "tasks where project = \(p) and effort > 0 select wbs, effort order by wbs").map { "\(t($0[0]))|\(n($0[1]))" },
            // Currency units on both sides: MSPDI's <Cost> holds hundredths, MPXJ divides.
            "costs": rows(s, "tasks where project = \(p) and cost != 0 select wbs, round(cost, 2) order by wbs").map { "\(t($0[0]))|\(n($0[1]))" },
            "baseline_costs": rows(s, "tasks where project = \(p) and baseline_cost != 0 select wbs, round(baseline_cost, 2) order by wbs").map { "\(t($0[0]))|\(n($0[1]))" },
        ]
    }

    /// MS Project's assignments of PMQ's rows: each owner (at the units of their own R
    /// assignment, else 100%), then every R assignment of someone else.
    static func assignments(_ s: Session, _ p: String) -> [String] {
        var units: [String: Double] = [:], out: [String] = []
        let owners = rows(s, "tasks where project = \(p) and owner is not null select wbs, owner").map { (ConstantEvaluator.text($0[0]), ConstantEvaluator.text($0[1])) }
        let owner = Dictionary(owners, uniquingKeysWith: { a, _ in a })
        for r in rows(s, "assignments where role = R and task.project = \(p) select task, person, units") {
            let (task, person, u) = (ConstantEvaluator.text(r[0]), ConstantEvaluator.text(r[1]), (r[2].number ?? 100) / 100)
            if owner[task] == person { units[task] = u } else { out.append("\(task)|\(person)|\(formatNumber(u))") }
        }
        for (task, person) in owners { out.append("\(task)|\(person)|\(formatNumber(units[task] ?? 1))") }
        return out.sorted()
    }

    static func compare(_ mine: [String: [String]], _ theirs: [String: [String]]?, _ label: String) {
        guard let theirs else { Issue.record("\(label): MPXJ printed nothing"); return }
        for (key, lines) in mine.sorted(by: { $0.key < $1.key }) {
            // Sorted: MPXJ lists tasks in file order (the outline order PMQ writes), the rest in its own.
            let a = key == "tasks" ? lines : lines.sorted(), b = key == "tasks" ? theirs[key] ?? [] : (theirs[key] ?? []).sorted()
            #expect(a == b, "\(label) \(key): PMQ \(a.filter { !b.contains($0) }) MPXJ \(b.filter { !a.contains($0) })")
        }
    }

    @Test("MPXJ reads the sample's export with PMQ's tasks, dates, links, resources, calendar, constraints and work",
          .enabled(if: available, "python3 has no mpxj/jpype, or there is no java: skipped"))
    func sample() throws {
        let f = Scratch("mpxj")
        let s = try MSProjectRoundTripTests.fullProject()
        let file = f.path("gov.xml")
        #expect(s.run("export project to \"\(file)\"").diagnostics.isEmpty)
        let read = try Self.mpxj([file])
        Self.compare(Self.pmq(s, "GOV"), read[file], "sample")
        #expect(read[file]?["tasks"]?.contains("1.2|数据库迁移|2|2026-03-09|2026-03-23|false|[[1.1,FS,2ed]]") == true, "\(read[file]?["tasks"] ?? [])")
    }

    @Test("MPXJ reads PMQ's export of each MS Project file (shipped fixtures, and ../shared/data/mspdi when present) as PMQ does",
          .enabled(if: available, "python3 has no mpxj/jpype, or there is no java: skipped"))
    func files() throws {
        let f = Scratch("mpxj-files")
        let sources = SharedData.isFull ? MSProjectRoundTripTests.sharedFiles()
            : (MSProjectTests.files + ["legacy-sample.xml"]).map { SharedData.fixtures.appendingPathComponent("mspdi/" + $0).path }
        var sessions: [(out: String, source: String, session: Session)] = []
        for (i, path) in sources.enumerated() {
            let s = try Session(path: nil, today: Day(iso: "2026-01-05"))
            guard s.run("import \"\(path)\" as \"RT\"").diagnostics.isEmpty else { continue }
            let out = f.path("\(i).xml")
            #expect(s.run("export project to \"\(out)\"").diagnostics.isEmpty)
            sessions.append((out, path, s))
        }
        // One Java process reads them all.
        let read = try Self.mpxj(sessions.map(\.out))
        for x in sessions { Self.compare(Self.pmq(x.session, "RT"), read[x.out], x.source) }
        #expect(sessions.count >= (SharedData.isFull ? 20 : 4))
    }
}
