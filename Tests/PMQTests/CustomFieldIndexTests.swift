import Foundation
import Testing
@testable import PMQ

/// The index of a custom field's column (docs/language.md, “Custom fields”, Indexes): made by
/// `add field`, gone with `drop field`, back with `undo` of the drop, built by schema step 18
/// for older files, kept by a long load that sets the tasks' indexes aside. On both engines.
@Suite("Custom field indexes")
struct CustomFieldIndexTests {
    func session(_ store: TestStore) throws -> Session {
        let s = try store.session()
        let (_, d) = s.run("""
            add person "Li Wei"
            add project "GOV"
            add task "Plan" wbs 1 owner "Li Wei"
            add task "Build" wbs 2 owner "Li Wei"
            add field "vendor" to tasks type text
            add field "external" to tasks type bool
            add field "mlps_level" to tasks type enum values ("L2", "L3") default "L2"
            add field "reviewer" to risks type person
            update 1 set vendor = "Dameng", external = true
            update 2 set vendor = "Kingbase"
            """)
        #expect(d.isEmpty, "\(d.map(\.message))")
        return s
    }

    /// The names of the indexes of `table` on either engine, PMQ's built-in ones left out.
    func indexes(_ s: Session, _ table: String) throws -> Set<String> {
        var out: Set<String> = []
        let sql = s.db.kind == .postgres
            ? "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?1"
            : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1"
        try s.db.query(sql, [.text(table)]) { r in
            if case .text(let n) = r[0], n.contains("_x_") { out.insert(n) }
        }
        return out
    }

    func values(_ s: Session, _ text: String) -> [[Value]] {
        let (r, d) = s.run(text)
        #expect(d.isEmpty, "\(d.map(\.message))")
        if case .rows(_, let rows, _)? = r.first { return rows }
        return []
    }

    @Test("add field indexes every type but bool, named from the table and the column", arguments: TestEngine.all)
    func made(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(store)
        #expect(try indexes(s, "tasks") == ["tasks_x_vendor", "tasks_x_mlps_level"])
        #expect(try indexes(s, "risks") == ["risks_x_reviewer"])
        // The row versions `as of` reads are not indexed by field.
        #expect(try indexes(s, "tasks_versions").isEmpty)
        #expect(values(s, "tasks where vendor = \"Dameng\" select wbs, external") == [[.text("1"), .bool(true)]])
    }

    @Test("explain shows the filter on a custom field going through its index")
    func explained() throws {
        let store = try TestStore(.sqlite)
        let s = try session(store)
        let (r, d) = s.run("explain count tasks where vendor = \"Dameng\"")
        #expect(d.isEmpty)
        guard case .explain(let sql, _, let plan)? = r.first else { Issue.record("no explain: \(r)"); return }
        #expect(sql == "SELECT count(*) FROM tasks t0 WHERE (t0.x_vendor = ?1)")
        #expect(plan.contains { $0.contains("INDEX tasks_x_vendor") }, "\(plan)")
    }

    @Test("drop field drops the index; undo builds it again with the values; redo drops it", arguments: TestEngine.all)
    func dropUndoRedo(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(store)
        #expect(s.run("drop field \"vendor\" from tasks").diagnostics.isEmpty)
        #expect(try indexes(s, "tasks") == ["tasks_x_mlps_level"])
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(try indexes(s, "tasks") == ["tasks_x_vendor", "tasks_x_mlps_level"])
        #expect(values(s, "tasks where vendor = \"Kingbase\" select wbs") == [[.text("2")]])
        #expect(s.run("redo").diagnostics.isEmpty)
        #expect(try indexes(s, "tasks") == ["tasks_x_mlps_level"])
        // Undoing add field drops its index with it.
        #expect(s.run("add field \"lot\" to tasks type number").diagnostics.isEmpty)
        #expect(try indexes(s, "tasks").contains("tasks_x_lot"))
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(try indexes(s, "tasks") == ["tasks_x_mlps_level"])
    }

    @Test("undo of a change set that added a field and dropped it leaves neither field nor index", arguments: TestEngine.all)
    func addedAndDroppedInOneSet(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(store)
        let d = s.run("add field \"lot\" to tasks type number\nupdate 1 set lot = 3\ndrop field \"lot\" from tasks").diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(s.schema.tasks.field("lot") == nil)
        #expect(try indexes(s, "tasks") == ["tasks_x_vendor", "tasks_x_mlps_level"])
        #expect(s.run("redo").diagnostics.isEmpty)
        #expect(s.schema.tasks.field("lot") == nil)
    }

    @Test("a failed script that added a field leaves no index", arguments: TestEngine.all)
    func rolledBack(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(store)
        #expect(!s.run("add field \"lot\" to tasks type number\nassert false").diagnostics.isEmpty)
        #expect(try indexes(s, "tasks") == ["tasks_x_vendor", "tasks_x_mlps_level"])
    }

    @Test("drop field also drops an index made by hand on the column (SQLite would refuse the column's drop)")
    func handMade() throws {
        let store = try TestStore(.sqlite)
        let s = try session(store)
        try s.db.execute("CREATE INDEX my_vendor ON tasks(x_vendor, name)")
        #expect(s.run("drop field \"vendor\" from tasks").diagnostics.isEmpty)
        #expect(try s.db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'my_vendor'") == .integer(0))
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(values(s, "tasks where vendor = \"Dameng\" select wbs") == [[.text("1")]])
    }

    @Test("schema step 18 indexes the fields a file had before it", arguments: TestEngine.all)
    func migration(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "cf-index")
        defer { store.drop() }
        do {
            let s = try session(store)
            // As the file was before step 18: no indexes on the fields, the version before it.
            for name in ["tasks_x_vendor", "tasks_x_mlps_level", "risks_x_reviewer"] { try s.db.execute("DROP INDEX \(name)") }
            // Nor the later steps: step 20's table of statement texts (PostgreSQL's entries
            // named them by text then).
            try s.db.execute("DROP TABLE journal_statements")
            if engine == .postgres { try s.db.execute("ALTER TABLE journal_entries ALTER COLUMN statement TYPE text") }
            // Step 24's summary sums.
            try RollupIncrementalTests.undoStep24(s.db)
            // Step 23's narrower task versions.
            try NarrowVersionsTests.undoStep23(s.db, engine)
            // Step 22's tables of each row's latest version end.
            try TypedVersionsTests.undoStep22(s.db, engine)
            // Step 21's lag units (the triggers that name the column go first).
            try LagUnitTests.undoStep21(s.db)
            try s.db.execute(engine == .postgres ? "UPDATE pmq_meta SET version = 17" : "PRAGMA user_version = 17")
        }
        let s = try store.session()
        #expect(try indexes(s, "tasks") == ["tasks_x_vendor", "tasks_x_mlps_level"])
        #expect(try indexes(s, "risks") == ["risks_x_reviewer"])
        #expect(values(s, "tasks where vendor = \"Dameng\" select wbs") == [[.text("1")]])
    }

    @Test("a long run of add task lines sets the index aside with the tasks' others and builds it again")
    func longLoad() throws {
        let store = try TestStore(.sqlite)
        let s = try session(store)
        let lines = (3...(DeferredTaskIndexes.minimumRows + 100)).map { "add task \"T\($0)\" wbs \($0) vendor \"V\($0 % 7)\"" }
        let d = s.run(lines.joined(separator: "\n")).diagnostics
        #expect(d.isEmpty, "\(d.map(\.message))")
        #expect(try indexes(s, "tasks") == ["tasks_x_vendor", "tasks_x_mlps_level"])
        #expect(try s.db.scalar("PRAGMA integrity_check") == .text("ok"))
        let (r, _) = s.run("count tasks where vendor = \"V3\"")
        let expected = Int64((3...(DeferredTaskIndexes.minimumRows + 100)).filter { $0 % 7 == 3 }.count)
        #expect(r.first.flatMap { if case .scalar(let v, _) = $0 { v } else { nil } } == .integer(expected))
    }
}
