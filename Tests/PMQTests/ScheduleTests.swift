import Foundation
import Testing
@testable import PMQ

/// The scheduling oracles of ../shared/data (see its README), or the small copies in
/// Tests/PMQTests/Fixtures when that folder is not beside the repository.
enum SharedData {
    static let shared = PMQProcess.root.deletingLastPathComponent().appendingPathComponent("shared/data")
    static let fixtures = PMQProcess.root.appendingPathComponent("Tests/PMQTests/Fixtures")
    /// True when the full sets are there: the sweeps then cover all of them.
    static let isFull = FileManager.default.fileExists(atPath: shared.appendingPathComponent("psplib/j30").path)
    static let root: URL = {
        print(isFull ? "oracles: the full sets in \(shared.path)" : "oracles: ../shared/data is absent, so the small fixtures in Tests/PMQTests/Fixtures (no full PSPLIB sweep)")
        return isFull ? shared : fixtures
    }()
    /// An MS Project file of MPXJ's test data.
    static func mspdi(_ name: String) -> URL {
        isFull ? shared.appendingPathComponent("mspdi/mpxj/" + name) : fixtures.appendingPathComponent("mspdi/" + name)
    }

    struct PSPLIB { var name: String; var durations: [Int32]; var successors: [[Int]]; var mpm: Int32 }

    /// A PSPLIB .sm file: successors, durations and the MPM-Time (critical-path length).
    static func psplib(_ url: URL) -> PSPLIB? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.components(separatedBy: "\n")
        guard let info = lines.firstIndex(where: { $0.hasPrefix("PROJECT INFORMATION") }),
              let mpm = lines[info + 2].split(separator: " ").last.flatMap({ Int32($0) }),
              let prec = lines.firstIndex(where: { $0.hasPrefix("PRECEDENCE RELATIONS") }),
              let req = lines.firstIndex(where: { $0.hasPrefix("REQUESTS/DURATIONS") }) else { return nil }
        var successors: [[Int]] = []
        for line in lines[(prec + 2)...] {
            if line.hasPrefix("*") { break }
            let f = line.split(separator: " ").compactMap { Int($0) }
            guard f.count >= 3 else { continue }
            successors.append(Array(f.dropFirst(3)).map { $0 - 1 })
        }
        var durations: [Int32] = []
        for line in lines[(req + 3)...] {
            if line.hasPrefix("*") { break }
            let f = line.split(separator: " ").compactMap { Int32($0) }
            if f.count >= 3 { durations.append(f[2]) }
        }
        guard durations.count == successors.count else { return nil }
        return PSPLIB(name: url.lastPathComponent, durations: durations, successors: successors, mpm: mpm)
    }

    static func psplibFiles() -> [URL] {
        let base = root.appendingPathComponent("psplib")
        return ["j30", "j60", "j90", "j120"].flatMap { set -> [URL] in
            let dir = base.appendingPathComponent(set)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.filter { $0.hasSuffix(".sm") }.sorted().map { dir.appendingPathComponent($0) }
        }
    }
}

@Suite("Scheduling: CPM oracles and the schedule statement")
struct ScheduleTests {
    @Test("the textbook CPM tables are reproduced exactly")
    func textbook() throws {
        let url = SharedData.root.appendingPathComponent("cpm-textbook/examples.json")
        let data = try Data(contentsOf: url)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let examples = try #require(json["examples"] as? [[String: Any]])
        #expect(examples.count == 2)
        for ex in examples {
            let acts = try #require(ex["activities"] as? [[String: Any]])
            let ids = acts.compactMap { $0["id"] as? String }
            var net = CPMNetwork(durations: acts.map { Int32($0["duration"] as? Int ?? 0) }, links: [])
            for (i, a) in acts.enumerated() {
                for p in (a["predecessors"] as? [[String: Any]]) ?? [] {
                    let type: CPMNetwork.LinkType = ["SS": .ss, "FF": .ff, "SF": .sf][p["type"] as? String ?? ""] ?? .fs
                    net.links.append(.init(pred: Int32(ids.firstIndex(of: p["id"] as? String ?? "") ?? 0), succ: Int32(i), type: type,
                                           lag: Int32(p["lag"] as? Int ?? 0)))
                }
            }
            let r = try net.solve()
            let expected = try #require(ex["expected"] as? [String: Any])
            #expect(Int(r.length) == expected["project_duration"] as? Int)
            let rows = try #require(expected["activities"] as? [String: [String: Int]])
            for (i, id) in ids.enumerated() {
                let e = try #require(rows[id])
                #expect([r.es[i], r.ef[i], r.ls[i], r.lf[i], r.totalFloat[i]].map(Int.init) == [e["ES"], e["EF"], e["LS"], e["LF"], e["TF"]].map { $0 ?? -1 },
                        "\(ex["name"] ?? ""): \(id)")
            }
        }
    }

    @Test("every PSPLIB instance: the critical-path length is its MPM-Time")
    func psplibAll() throws {
        let files = SharedData.psplibFiles()
        #expect(files.count == (SharedData.isFull ? 2040 : 19))
        var checked = 0
        for url in files {
            guard let p = SharedData.psplib(url) else { Issue.record("cannot read \(url.lastPathComponent)"); continue }
            var net = CPMNetwork(durations: p.durations, links: [])
            for (i, succ) in p.successors.enumerated() { for s in succ { net.links.append(.init(pred: Int32(i), succ: Int32(s))) } }
            let r = try net.solve()
            #expect(r.length == p.mpm, "\(p.name)")
            // Zero total float runs from the source to the sink.
            #expect(r.critical(0) && r.critical(p.durations.count - 1), "\(p.name)")
            checked += 1
        }
        #expect(checked == files.count)
    }

    @Test("PSPLIB through pmq: add the network, schedule, read the finish", arguments: Array(SharedData.psplibFiles().prefix(24)))
    func psplibThroughPMQ(_ url: URL) throws {
        let p = try #require(SharedData.psplib(url))
        // Monday 2026-01-05 starts the project; durations count working days.
        var script = "add project \"P\" start 2026-01-05\n"
        for (i, d) in p.durations.enumerated() {
            let start = "2026-01-05"
            script += d == 0 ? "add milestone \"J\(i + 1)\" wbs \(i + 1) finish \(start)\n"
                             : "add task \"J\(i + 1)\" wbs \(i + 1) start \(start) duration \(d)wd\n"
        }
        for (i, succ) in p.successors.enumerated() { for s in succ { script += "add dependency \(i + 1) -> \(s + 1)\n" } }
        script += "schedule\n"
        let session = try Session(path: nil, today: Day(iso: "2026-01-05"))
        let (results, d) = session.run(script)
        #expect(d.isEmpty, "\(d.map(\.message))")
        guard case .change(let report)? = results.last else { Issue.record("no report"); return }
        #expect(report.note?.contains("\(p.mpm) working days") == true, "\(p.name): \(report.message)")
        #expect(session.run("count tasks where critical").results.first != .scalar(.integer(0), kind: .number))
    }

    @Test("schedule orders WBS codes as their stored sort keys do, without making the keys")
    func wbsOrder() {
        // Short numeric codes take the fast path; long segments, letters, leading zeros and
        // prefixes must give the order of WBS.sortKey all the same.
        let segments = ["1", "2", "9", "10", "01", "002", "123456789", "999999999", "1000000000", "12345678901", "A", "b", "1a", "0", "00"]
        var rng = SeededGenerator(seed: 9)
        var codes: [String] = ["1", "1.1", "1.10", "1.2", "2", "10", "1.1.1"]
        for _ in 0..<400 {
            let n = Int.random(in: 1...4, using: &rng)
            codes.append((0..<n).map { _ in segments.randomElement(using: &rng) ?? "1" }.joined(separator: "."))
        }
        for a in codes {
            for b in codes.prefix(60) {
                #expect(WBS.precedes(a, b) == (WBS.sortKey(a) < WBS.sortKey(b)), "\(a) vs \(b)")
            }
        }
        #expect(["1.10", "1.2", "1", "10", "2", "1.1.1"].sorted(by: WBS.precedes) == ["1", "1.1.1", "1.2", "1.10", "2", "10"])
    }

    @Test("a cycle is refused with the loop named")
    func cycle() throws {
        var net = CPMNetwork(durations: [1, 1, 1], links: [.init(pred: 0, succ: 1), .init(pred: 1, succ: 2), .init(pred: 2, succ: 1)])
        #expect(throws: CPMError.cycle([1, 2, 1])) { try net.solve() }
        net.links.removeLast()
        #expect(try net.solve().length == 3)
    }

    @Test("the calendar skips weekends and holidays")
    func calendar() throws {
        let c = WorkCalendar(holidays: (0..<7).map { Day(iso: "2026-10-01")! + $0 })
        let fri = Day(iso: "2026-09-25")!
        #expect(c.adding(1, to: fri) == Day(iso: "2026-09-28"))
        #expect(c.adding(4, to: fri) == Day(iso: "2026-10-08"))   // Sep 28–30, then Oct 8 after National Day
        #expect(c.adding(-4, to: Day(iso: "2026-10-08")!) == fri)
        #expect(c.workingDays(from: fri, to: Day(iso: "2026-10-09")!) == 5)
        #expect(c.date(at: 0, from: Day(iso: "2026-10-03")!) == Day(iso: "2026-10-08"))
        #expect(c.index(of: Day(iso: "2026-10-09")!, from: fri) == 5)
    }
}

@Suite("MS Project XML import against MS Project's own schedule")
struct MSProjectTests {
    static let files = ["mspdirelations.xml", "task-links-project2019-mspdi.xml", "task-links-project2003-mspdi.xml"]

    @Test("import, schedule, and compare early start, late start, total slack and critical", arguments: files)
    func oracle(_ name: String) throws {
        let path = SharedData.mspdi(name).path
        let file = try MSProjectFile.read(try Data(contentsOf: URL(fileURLWithPath: path)))
        // The status date is the project's start: MS Project scheduled these files before any work.
        let statusDate = file.tasks.compactMap(\.earlyStart).min() ?? Day(iso: "2026-01-05")!
        let session = try Session(path: nil, today: statusDate)
        let (results, d) = session.run("import \"\(path)\" as \"X\"\nschedule")
        #expect(d.isEmpty, "\(d.map(\.message))")
        #expect(results.count == 2)
        // MS Project versions disagree on a task whose only successors hang on its start (SS,
        // SF): the 2003 file bounds its late start by the link, as the textbook method,
        // TaskJuggler and the cpm-textbook oracle do (and PMQ matches it); the 2019 file, the
        // same network, leaves it free until the project's end. For those tasks only the
        // early start is compared.
        let startLinkedOnly = Set(file.tasks.flatMap { s in s.links.map { ($0.pred, $0.type) } }
            .reduce(into: [Int: [Int]]()) { $0[$1.0, default: []].append($1.1) }
            .filter { $0.value.allSatisfy { $0 == 2 || $0 == 3 } }.keys)
        var compared = 0
        for t in file.tasks where t.uid != 0 && !t.summary && !t.isNull {
            guard case .rows(_, let rows, _)? = session.run("tasks where wbs = \"\(t.outline)\" select early_start, late_start, slack, critical").results.first,
                  let row = rows.first else { Issue.record("task \(t.outline) missing"); continue }
            #expect(row[0] == t.earlyStart.map { .date($0) }, "\(name) \(t.outline) early start")
            compared += 1
            if startLinkedOnly.contains(t.uid) { continue }
            #expect(row[1] == t.lateStart.map { .date($0) }, "\(name) \(t.outline) late start")
            #expect(row[2] == t.totalSlack.map { .duration(Double($0 / 4800)) }, "\(name) \(t.outline) total slack")
            #expect(row[3] == t.critical.map { .bool($0) }, "\(name) \(t.outline) critical")
        }
        #expect(compared >= 5)
    }

    /// legacy-sample.xml carries start-no-earlier-than constraints (ConstraintType 4): imported
    /// and scheduled from the project's start, those tasks start where MS Project put them.
    @Test("constraints are imported and scheduled as MS Project did")
    func constraints() throws {
        let path = SharedData.mspdi("legacy-sample.xml").path
        let file = try MSProjectFile.read(try Data(contentsOf: URL(fileURLWithPath: path)))
        let session = try Session(path: nil, today: try #require(file.start))
        #expect(session.run("import \"\(path)\" as \"L\"\nschedule").diagnostics.isEmpty)
        let constrained = file.tasks.filter { $0.constraintType == 4 }
        #expect(constrained.count == 4)
        for t in constrained {
            guard case .rows(_, let rows, _)? = session.run("tasks where wbs = \"\(t.outline)\" select constraint, constraint_date, start").results.first,
                  let row = rows.first else { Issue.record("task \(t.outline) missing"); continue }
            #expect(row[0] == .text("snet"))
            #expect(row[1] == t.constraintDate.map { .date($0) })
            #expect(row[2] == t.start.map { .date($0) }, "\(t.outline) start")
        }
    }

    @Test("import refuses a file that is not MS Project XML, and file access can be turned off")
    func refusals() throws {
        let session = try Session(path: nil)
        let d = session.run("import \"/etc/hostname\"").diagnostics
        #expect(d.first?.message.hasPrefix("not MS Project XML") == true)
        session.limits.fileAccess = false
        #expect(session.run("import \"x.xml\"").diagnostics.first?.message == "import reads files, and file access is off here")
    }
}

@Suite("schedule is a change like any other")
struct ScheduleUndoTests {
    @Test("undo takes the moves back; a dry run keeps nothing", arguments: TestEngine.all)
    func undoAndDryRun(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session()
        #expect(s.run("""
            add project "P" start 2026-03-02
            add task "A" wbs 1 start 2026-03-02 duration 2wd
            add task "B" wbs 2 start 2026-03-20 duration 2wd
            add dependency 1 -> 2
            """).diagnostics.isEmpty)
        func starts() -> [Value] {
            guard case .rows(_, let rows, _)? = s.run("tasks select start order by wbs").results.first else { return [] }
            return rows.map { $0[0] }
        }
        let before = starts()
        let (dry, d1) = s.run("schedule", dryRun: true)
        #expect(d1.isEmpty)
        #expect(dry.contains { if case .rows(let cols, _, _) = $0 { return cols.first?.name == "entity" }; return false })
        #expect(starts() == before)
        #expect(s.run("schedule").diagnostics.isEmpty)
        // Neither has started: from the status date (today) on.
        #expect(starts() == [.date(Day(iso: "2026-03-16")!), .date(Day(iso: "2026-03-18")!)])
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(starts() == before)
    }
}
