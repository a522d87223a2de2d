import Foundation
import Testing
@testable import PMQ

/// Custom fields (docs/language.md, “Custom fields”) outside what the golden files show: completion, `.schema`,
/// the file as plain SQL sees it, and a second session on the same file.
@Suite("Custom fields")
struct CustomFieldTests {
    func session(_ path: String? = nil) throws -> Session {
        let s = try Session(path: path, today: Day(iso: "2026-03-16"))
        let (_, d) = s.run("""
            add person "Li Wei"
            add project "GOV"
            add task "Plan" wbs 1 owner "Li Wei"
            add field "vendor" to tasks type text
            add field "等保级别" to tasks type enum values ("二级", "三级") default "二级"
            """)
        #expect(d.isEmpty, "\(d.map(\.message))")
        return s
    }

    @Test("completion offers custom fields after a query's where, and .schema lists them")
    func completionAndSchema() throws {
        let s = try session()
        let offered = Completer(session: s).complete(before: "tasks where ", word: "ven", inString: false)
        #expect(offered.contains("vendor"))
        let cjk = Completer(session: s).complete(before: "tasks where ", word: "等", inString: false)
        #expect(cjk.contains("等保级别"))
        let schema = try #require(s.schema.entity(named: "tasks")).schemaDescription
        #expect(schema.contains("vendor"))
        #expect(schema.contains("等保级别"))
        #expect(schema.contains("one of 二级, 三级"))
    }

    @Test("the file stays readable by plain SQL: pmq_fields names each field's column")
    func plainSQL() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cf-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let s = try session(path)
            #expect(s.run("update 1 set vendor = \"Dameng\"").diagnostics.isEmpty)
        }
        let db = try SQLiteEngine(path: path)
        #expect(try db.scalar("SELECT column_name FROM pmq_fields WHERE name = 'vendor'") == .text("x_vendor"))
        #expect(try db.scalar("SELECT x_vendor FROM tasks WHERE wbs = '1'") == .text("Dameng"))
        // Another session on the same file sees the fields the first one added.
        let other = try Session(path: path, today: Day(iso: "2026-03-16"))
        let (r, d) = other.run("tasks select vendor, 等保级别")
        #expect(d.isEmpty)
        #expect(r == [.rows(columns: [ResultColumn(name: "vendor", kind: .text), ResultColumn(name: "等保级别", kind: .text)],
                             rows: [[.text("Dameng"), .text("二级")]], single: false)])
    }

    @Test("a rolled-back add field leaves neither the field nor its column")
    func rollback() throws {
        let s = try session()
        let d = s.run("add field \"lot\" to tasks type number\nupdate 1 set lot = 3\nassert false").diagnostics
        #expect(!d.isEmpty)
        #expect(s.schema.tasks.field("lot") == nil)
        #expect(s.run("tasks select lot").diagnostics.map(\.message) == ["unknown field \"lot\" of tasks"])
        #expect(s.run("add field \"lot\" to tasks type number").diagnostics.isEmpty)
    }

    @Test("read-only sessions refuse add field and drop field before anything runs")
    func readOnly() throws {
        let s = try session()
        s.limits.readOnly = true
        let d = s.run("add field \"x\" to tasks type text").diagnostics
        #expect(d.first?.id == .refused)
        #expect(d.first?.code == .readOnly)
        #expect(s.run("drop field \"vendor\" from tasks").diagnostics.first?.id == .refused)
    }
}
