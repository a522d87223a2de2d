import Foundation
import Testing
@testable import PMQ

/// An MS Project file brings in only what `add` and a CSV import would: the same refusals,
/// located at the element in the file, and nothing of the file kept (review 6: V11, V14–V17).
@Suite("MS Project XML import applies the model's rules")
struct MSProjectImportChecksTests {
    /// One task a line, from line 5 on.
    static func task(_ uid: Int, _ outline: String, _ extra: String = "", start: String = "2026-03-02", finish: String = "2026-03-04") -> String {
        "<Task><UID>\(uid)</UID><Name>T\(uid)</Name><OutlineNumber>\(outline)</OutlineNumber><OutlineLevel>\(outline.split(separator: ".").count)</OutlineLevel>"
            + "<Start>\(start)T08:00:00</Start><Finish>\(finish)T17:00:00</Finish>\(extra)</Task>"
    }
    static func link(_ pred: Int) -> String { "<PredecessorLink><PredecessorUID>\(pred)</PredecessorUID><Type>1</Type></PredecessorLink>" }
    static func project(_ tasks: [String], resources: [String] = [], assignments: [String] = []) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Project xmlns=\"http://schemas.microsoft.com/project\">\n<Name>T</Name>\n<Tasks>\n"
            + tasks.joined(separator: "\n") + "\n</Tasks>\n<Resources>\n" + resources.joined(separator: "\n") + "\n</Resources>\n<Assignments>\n"
            + assignments.joined(separator: "\n") + "\n</Assignments>\n</Project>\n"
    }

    /// The import's first diagnostic as `file:line: message`, and whether it kept nothing.
    static func refusal(_ xml: String, on engine: TestEngine = .sqlite) throws -> (String, Bool) {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session()
        let f = Scratch("mspdi-checks")
        let path = f.write("p.xml", xml)
        let d = s.run("import \"\(path)\" as \"W\"").diagnostics
        guard let first = d.first else { return ("imported", false) }
        let line = first.source.map { $0.location(of: first.range.start).line } ?? 0
        let name = first.source.map { URL(fileURLWithPath: $0.name).lastPathComponent } ?? "-"
        guard case .rows(_, let rows, _)? = s.run("projects select code").results.first else { return ("\(name):\(line): \(first.message)", false) }
        return ("\(name):\(line): \(first.message)", rows.isEmpty)
    }

    @Test("the WBS: a code without its parent, a code twice (one message on both engines)", arguments: TestEngine.all)
    func outline(_ engine: TestEngine) throws {
        let orphan = try Self.refusal(Self.project([Self.task(1, "1"), Self.task(2, "1.1.1")]), on: engine)
        #expect(orphan.0 == "p.xml:6: task 1.1.1 has no parent: there is no task 1.1 in its project")
        #expect(orphan.1)
        let twice = try Self.refusal(Self.project([Self.task(1, "1"), Self.task(2, "1.1"), Self.task(3, "1")]), on: engine)
        #expect(twice.0 == "p.xml:7: duplicate WBS code 1: task 1 (\"T1\") already exists")
        #expect(twice.1)
    }

    @Test("links: a cycle, a task on itself, a predecessor the file does not have")
    func links() throws {
        let cycle = try Self.refusal(Self.project([Self.task(1, "1", Self.link(2)), Self.task(2, "2", Self.link(1))]))
        #expect(cycle.0.hasPrefix("p.xml:6: dependency 1 -> 2 would close a cycle"), "\(cycle.0)")
        #expect(cycle.1)
        let own = try Self.refusal(Self.project([Self.task(1, "1"), Self.task(2, "2", Self.link(2))]))
        #expect(own.0 == "p.xml:6: task 2 cannot depend on itself")
        let dangling = try Self.refusal(Self.project([Self.task(1, "1"), Self.task(2, "2", Self.link(99))]))
        #expect(dangling.0 == "p.xml:6: task 2 has predecessor UID 99, which is no task of this file")
        #expect(dangling.1)
    }

    @Test("values add refuses: progress 140, dates out of order, negative capacity, rate and units")
    func values() throws {
        let progress = try Self.refusal(Self.project([Self.task(1, "1", "<PercentComplete>140</PercentComplete>")]))
        #expect(progress.0.hasPrefix("p.xml:5: ") && progress.0.contains("140"), "\(progress.0)")
        #expect(progress.1)
        let dates = try Self.refusal(Self.project([Self.task(1, "1"), Self.task(2, "2", start: "2026-03-06", finish: "2026-03-02")]))
        #expect(dates.0 == "p.xml:6: task 2: finish 2026-03-02 is before start 2026-03-06")
        let actual = try Self.refusal(Self.project([Self.task(1, "1", "<ActualStart>2026-03-05T08:00:00</ActualStart><ActualFinish>2026-03-03T17:00:00</ActualFinish>")]))
        #expect(actual.0 == "p.xml:5: task 1: actual_finish 2026-03-03 is before actual_start 2026-03-05")
        let person = "<Resource><UID>1</UID><Name>Ann</Name><Type>1</Type><MaxUnits>-1.00</MaxUnits></Resource>"
        let capacity = try Self.refusal(Self.project([Self.task(1, "1")], resources: [person]))
        #expect(capacity.0.hasPrefix("p.xml:8: ") && capacity.0.contains("capacity"), "\(capacity.0)")
        let rate = try Self.refusal(Self.project([Self.task(1, "1")], resources: ["<Resource><UID>1</UID><Name>Ann</Name><Type>1</Type><StandardRate>-5</StandardRate></Resource>"]))
        #expect(rate.0.hasPrefix("p.xml:8: ") && rate.0.contains("rate"), "\(rate.0)")
        let units = try Self.refusal(Self.project([Self.task(1, "1")], resources: ["<Resource><UID>1</UID><Name>Ann</Name><Type>1</Type></Resource>"],
                                                  assignments: ["<Assignment><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>-2</Units></Assignment>"]))
        #expect(units.0.hasPrefix("p.xml:11: ") && units.0.contains("units"), "\(units.0)")
        #expect(units.1)
    }

    @Test("a resource at 500 % is a team of 40 hours a day, not a person")
    func pool() throws {
        let s = try Session(path: nil)
        let f = Scratch("mspdi-pool")
        let path = f.write("p.xml", Self.project([Self.task(1, "1")], resources: ["<Resource><UID>1</UID><Name>Carpenters</Name><Type>1</Type><MaxUnits>5.00</MaxUnits></Resource>"]))
        #expect(s.run("import \"\(path)\" as \"W\"").diagnostics.isEmpty)
        guard case .rows(_, let rows, _)? = s.run("people select kind, capacity").results.first else { Issue.record("no rows"); return }
        #expect(rows.first?.map { ConstantEvaluator.text($0) } == ["team", "40"])
    }

    @Test("the old layout numbered under a summary 1.0 is read as MS Project shows it: 1, 1.1, 2")
    func legacyOutline() throws {
        let summary = "<Task><UID>0</UID><Name>S</Name><OutlineNumber>1.0</OutlineNumber><OutlineLevel>0</OutlineLevel></Task>"
        let xml = Self.project([summary, Self.task(1, "1.1").replacingOccurrences(of: "<OutlineLevel>2", with: "<OutlineLevel>1"),
                                Self.task(2, "1.1.1").replacingOccurrences(of: "<OutlineLevel>3", with: "<OutlineLevel>2"),
                                Self.task(3, "1.2").replacingOccurrences(of: "<OutlineLevel>2", with: "<OutlineLevel>1")])
        let s = try Session(path: nil)
        let path = Scratch("mspdi-legacy").write("p.xml", xml)
        #expect(s.run("import \"\(path)\" as \"W\"").diagnostics.isEmpty)
        guard case .rows(_, let rows, _)? = s.run("tasks select wbs, parent order by wbs").results.first else { Issue.record("no rows"); return }
        #expect(rows.map { $0.map { ConstantEvaluator.text($0) }.joined(separator: "|") } == ["1|null", "1.1|1", "2|null"])
    }

    @Test("a file cut short is refused and nothing is kept; CDATA text is kept")
    func truncatedAndCDATA() throws {
        let full = Self.project([Self.task(1, "1"), Self.task(2, "2", Self.link(1)), Self.task(3, "3")])
        let at = try #require(full.range(of: "<Task><UID>3"))
        let cut = String(full[..<at.upperBound])
        let r = try Self.refusal(cut)
        #expect(r.0.contains("the file ends before </Project> (truncated?)"), "\(r.0)")
        #expect(r.1)
        let s = try Session(path: nil)
        let path = Scratch("mspdi-cdata").write("p.xml", Self.project([Self.task(1, "1", "<Notes><![CDATA[x & y]]></Notes>")
            .replacingOccurrences(of: "<Name>T1</Name>", with: "<Name><![CDATA[a <b>]]> tail</Name>")]))
        #expect(s.run("import \"\(path)\" as \"W\"").diagnostics.isEmpty)
        guard case .rows(_, let rows, _)? = s.run("tasks select name, notes").results.first else { Issue.record("no rows"); return }
        #expect(rows.first?.map { ConstantEvaluator.text($0) } == ["a <b> tail", "x & y"])
    }
}
