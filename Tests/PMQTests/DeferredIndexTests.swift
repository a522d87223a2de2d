import Foundation
import Testing
@testable import PMQ

/// A large import or a long run of `add task` statements writes its rows without the tasks
/// table's indexes and builds them again at the end (DeferredTaskIndexes). The rows, the
/// errors and their places must be those of the row-by-row path.
@Suite("large loads: the tasks table's indexes built after the rows")
struct DeferredIndexTests {
    /// More rows than `DeferredTaskIndexes.minimumRows`, so the indexes go away part way.
    static let rowCount = DeferredTaskIndexes.minimumRows + 2_000

    /// A CSV file of a phase 2 and its children 2.1 ... 2.(rows - 1); `change` rewrites one line's cells.
    static func csv(_ change: (Int) -> String? = { _ in nil }) -> String {
        var text = "wbs,name,start,finish\n2,Phase,,\n"
        for i in 1..<rowCount {
            let line = i + 2
            text += (change(line) ?? "2.\(i),T\(i),2026-03-02,2026-03-06") + "\n"
        }
        return text
    }

    /// The tasks table's indexes, by name and SQL.
    static func indexes(_ s: Session) throws -> [String] {
        var out: [String] = []
        try s.db.query(BulkSQL.indexesOf, [.text("tasks")]) { r in out.append("\(r[0]) \(r[1])") }
        return out
    }

    @Test("a large import: the rows, the roll-up, the indexes back, undo takes it all")
    func largeImport() throws {
        let f = Scratch("deferred-import")
        f.write("t.csv", Self.csv())
        let s = try midProject()
        let before = try Self.indexes(s)
        #expect(before.count >= 5)
        let (results, d) = s.run("import \"t.csv\" into tasks", name: f.path("script.pmq"))
        #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        #expect(results == [.change(ChangeReport(verb: "imported", entity: "task", count: Self.rowCount, detail: nil))])
        #expect(try Self.indexes(s) == before)
        #expect(count(s, "tasks where wbs under 2") == .integer(Int64(Self.rowCount)))
        #expect(rows(s, "tasks where wbs = \"2\" select start, finish") == [[.date(Day(iso: "2026-03-02")!), .date(Day(iso: "2026-03-06")!)]])
        // The unique index is back: a repeat is refused by it again.
        #expect(DiagnosticRenderer.render(s.run("add task \"again\" wbs 2.7").diagnostics).contains("duplicate WBS code 2.7"))
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(count(s, "tasks where wbs = \"2\" or wbs under 2") == .integer(0))
        #expect(try Self.indexes(s) == before)
    }

    @Test("an import of many task rows drops the indexes before its first row (CSV, JSON), and not for a few rows",
          arguments: ["csv", "json", "small"])
    func droppedBeforeFirstRow(_ kind: String) throws {
        let f = Scratch("deferred-first")
        switch kind {
        case "json":
            var objects = ["{\"wbs\": \"2\", \"name\": \"Phase\"}"]
            for i in 1..<Self.rowCount { objects.append("{\"wbs\": \"2.\(i)\", \"name\": \"T\(i)\", \"start\": \"2026-03-02\", \"finish\": \"2026-03-06\"}") }
            f.write("t.json", "[" + objects.joined(separator: ",\n") + "]\n")
        case "small": f.write("t.csv", "wbs,name,start,finish\n2,Phase,,\n2.1,T1,2026-03-02,2026-03-06\n")
        default: f.write("t.csv", Self.csv())
        }
        let s = try midProject()
        let before = try Self.indexes(s)
        let (_, d) = s.run("import \"t.\(kind == "json" ? "json" : "csv")\" into tasks", name: f.path("script.pmq"))
        #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        let first = try s.db.scalar("SELECT id FROM tasks WHERE wbs = '2'", [])
        if kind == "small" {
            #expect(s.context.lastDeferredFrom == nil)
        } else {
            #expect(s.context.lastDeferredFrom.map { Value.integer($0) } == first)
        }
        #expect(try Self.indexes(s) == before)
        #expect(rows(s, "tasks where wbs = \"2\" select start, finish") == [[.date(Day(iso: "2026-03-02")!), .date(Day(iso: "2026-03-06")!)]])
    }

    @Test("a row that repeats an older task's code after the indexes went is refused at its line",
          arguments: [DeferredIndexTests.rowCount - 500, DeferredTaskIndexes.minimumRows / 2])
    func olderCodeRepeated(_ line: Int) throws {
        let f = Scratch("deferred-older")
        f.write("e.csv", Self.csv { $0 == line ? "1.2,again,2026-03-02,2026-03-06" : nil })
        let s = try midProject()
        let before = count(s, "tasks")
        let d = s.run("import \"e.csv\" into tasks", name: f.path("script.pmq")).diagnostics
        let rendered = DiagnosticRenderer.render(d)
        #expect(rendered.hasPrefix("e.csv:\(line):1: error: duplicate WBS code 1.2: task 1.2 (\"数据库迁移\") already exists"), "\(rendered)")
        #expect(count(s, "tasks") == before)
        #expect(try Self.indexes(s).count >= 5)
    }

    @Test("a repeat within the file, after the indexes went, is refused at its line")
    func fileCodeRepeated() throws {
        let f = Scratch("deferred-self")
        let line = Self.rowCount - 100
        f.write("e.csv", Self.csv { $0 == line ? "2.10,again,2026-03-02,2026-03-06" : nil })
        let s = try midProject()
        let d = s.run("import \"e.csv\" into tasks", name: f.path("script.pmq")).diagnostics
        let rendered = DiagnosticRenderer.render(d)
        #expect(rendered.hasPrefix("e.csv:\(line):1: error: duplicate WBS code 2.10: task 2.10 (\"T10\") already exists"), "\(rendered)")
        #expect(count(s, "tasks where wbs under 2") == .integer(0))
    }

    @Test("an older code repeated before a bad cell further down: the repeat is the error")
    func firstErrorFirst() throws {
        let f = Scratch("deferred-first")
        let repeatLine = Self.rowCount - 900, badLine = Self.rowCount - 10
        f.write("e.csv", Self.csv {
            $0 == repeatLine ? "1.1,again,2026-03-02,2026-03-06" : $0 == badLine ? "2.\(badLine - 2),bad,2026-02-30,2026-03-06" : nil
        })
        let s = try midProject()
        let rendered = DiagnosticRenderer.render(s.run("import \"e.csv\" into tasks", name: f.path("script.pmq")).diagnostics)
        #expect(rendered.hasPrefix("e.csv:\(repeatLine):1: error: duplicate WBS code 1.1"), "\(rendered)")
    }

    /// A script of a phase 3 and its children, one `add task` a line; `change` rewrites one line.
    static func script(_ change: (Int) -> String? = { _ in nil }) -> String {
        var text = "add task \"Phase\" wbs 3\n"
        for i in 1..<rowCount {
            let line = i + 1
            text += (change(line) ?? "add task \"T\(i)\" wbs 3.\(i) start 2026-03-02 finish 2026-03-06") + "\n"
        }
        return text
    }

    @Test("a long run of add task: the same rows, the indexes back, and the next statement sees them")
    func longRunOfAdds() throws {
        let s = try midProject()
        let before = try Self.indexes(s)
        let (results, d) = s.run(Self.script() + "count tasks where wbs = \"3\" or wbs under 3\n")
        #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
        guard case .scalar(let counted, _)? = results.last else { Issue.record("no count: \(String(describing: results.last))"); return }
        #expect(counted == .integer(Int64(Self.rowCount)))
        #expect(try Self.indexes(s) == before)
        #expect(rows(s, "tasks where wbs = \"3\" select finish") == [[.date(Day(iso: "2026-03-06")!)]])
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(count(s, "tasks where wbs = \"3\" or wbs under 3") == .integer(0))
    }

    @Test("a long run of add task that repeats an older code: refused at that statement, nothing kept",
          arguments: [false, true])
    func longRunRepeat(_ laterFailure: Bool) throws {
        let s = try midProject()
        let before = count(s, "tasks")
        let line = Self.rowCount - 300
        var text = Self.script { $0 == line ? "add task \"again\" wbs 1.3" : nil }
        if laterFailure { text += "add task \"x\" wbs 3.1.1 owner \"Nobody\"\n" }
        let d = s.run(text, name: "load.pmq").diagnostics
        let rendered = DiagnosticRenderer.render(d)
        #expect(d.count == 1)
        #expect(rendered.hasPrefix("load.pmq:\(line):"), "\(rendered)")
        #expect(rendered.contains("duplicate WBS code 1.3: task 1.3 (\"Design signed\") already exists"), "\(rendered)")
        #expect(count(s, "tasks") == before)
        #expect(try Self.indexes(s).count >= 5)
    }

    /// The connection's page cache size.
    static func cacheSize(_ s: Session) throws -> Value { try s.db.scalar(BulkSQL.cacheSize) }

    /// While the indexes are away the page cache is SQLite's default (a 1M-row load's memory);
    /// the connection's own size must come back whether the run kept its rows or failed.
    @Test("the page cache's size comes back after a deferred run: kept, failed, script or import")
    func pageCache() throws {
        let f = Scratch("deferred-cache")
        f.write("t.csv", Self.csv())
        f.write("e.csv", Self.csv { $0 == Self.rowCount - 5 ? "2.5,again,2026-03-02,2026-03-06" : nil })
        let s = try midProject()
        try s.db.execute(BulkSQL.setCacheSize(-5000))
        #expect(s.run(Self.script()).diagnostics.isEmpty)
        #expect(try Self.cacheSize(s) == .integer(-5000))
        #expect(!s.run(Self.script { $0 == Self.rowCount - 5 ? "add task \"again\" wbs 3.5" : nil }.replacingOccurrences(of: "wbs 3", with: "wbs 4")).diagnostics.isEmpty)
        #expect(try Self.cacheSize(s) == .integer(-5000))
        #expect(!s.run(Self.script().replacingOccurrences(of: "wbs 3", with: "wbs 5") + "add task \"x\" wbs 5.1.1 owner \"Nobody\"\n").diagnostics.isEmpty)
        #expect(try Self.cacheSize(s) == .integer(-5000))
        #expect(s.run("import \"t.csv\" into tasks", name: f.path("script.pmq")).diagnostics.isEmpty)
        #expect(try Self.cacheSize(s) == .integer(-5000))
        #expect(!s.run("import \"e.csv\" into tasks", name: f.path("script.pmq")).diagnostics.isEmpty)
        #expect(try Self.cacheSize(s) == .integer(-5000))
        #expect(try Self.indexes(s).count >= 5)
    }

    /// The codes a run added are kept packed (`TaskCodeSet`): it must answer as a `Set<String>`
    /// of the same codes does, for codes that pack and codes that do not (letters, `_`, `-`,
    /// more than 16 characters, leading zeros, `1.1` against `11` and `1.10`).
    @Test("the codes added just now, packed, answer as a set of strings")
    func packedCodes() {
        var random = SeededGenerator(seed: 14)
        let alphabet = Array("0123456789.") + ["a", "B", "_", "-"]
        func code() -> String {
            let n = Int.random(in: 1...20, using: &random)
            return String((0..<n).map { _ in Int.random(in: 0..<14, using: &random) < 12 ? alphabet[Int.random(in: 0..<11, using: &random)] : alphabet[Int.random(in: 11..<15, using: &random)] })
        }
        var packed = TaskCodeSet(), plain = Set<String>()
        let fixed = ["1", "1.1", "11", "1.10", "1.01", "01.1", "10", "1.1.1", "0", "00", "9999999999999999", "99999999999999999", "1.a", "1-2"]
        for c in fixed.prefix(7) { packed.insert(c); plain.insert(c) }
        for _ in 0..<3_000 {
            let c = code()
            if Bool.random(using: &random) { packed.insert(c); plain.insert(c) }
        }
        #expect(packed.count == plain.count)
        for c in fixed { #expect(packed.contains(c) == plain.contains(c), "\(c)") }
        for _ in 0..<6_000 {
            let c = Bool.random(using: &random) ? code() : plain.randomElement(using: &random) ?? "1"
            #expect(packed.contains(c) == plain.contains(c), "\(c)")
        }
        #expect(TaskCodeSet.pack("1.1") != TaskCodeSet.pack("11"))
        #expect(TaskCodeSet.pack("1.2.3.4.5.6.7.8.9") == nil)   // 17 characters
        #expect(TaskCodeSet.pack("2.a") == nil)
    }
}
