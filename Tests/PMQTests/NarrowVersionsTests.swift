import Foundation
import Testing
@testable import PMQ

/// Schema step 23: the row versions keep no column computed from the row's others. A task
/// version's `wbs_key` and `parent_wbs` (about 36 bytes of every task version, BENCHMARKS.md
/// k3) are computed from its `wbs` when `as of` reads it, by `pmq_wbs_key` and
/// `pmq_parent_wbs` (SQLite: registered on every connection; PostgreSQL: made by the step).
@Suite("Row versions without derived columns (schema step 23)")
struct NarrowVersionsTests {
    /// Takes a store back to before step 23 (the task versions keep `wbs_key` and
    /// `parent_wbs` again, filled from their `wbs`, and the triggers write them), for tests
    /// that fake an older file. Run before `TypedVersionsTests.undoStep22`.
    static func undoStep23(_ db: any Engine, _ engine: TestEngine) throws {
        try RowVersions.dropTriggers("tasks", db)
        let type = engine == .postgres ? "text" : "TEXT"
        try db.execute("ALTER TABLE tasks_versions ADD COLUMN wbs_key \(type)")
        try db.execute("ALTER TABLE tasks_versions ADD COLUMN parent_wbs \(type)")
        try db.execute("UPDATE tasks_versions SET wbs_key = pmq_wbs_key(wbs), parent_wbs = pmq_parent_wbs(wbs)")
        try RowVersions.follow("tasks", db)
        if engine == .postgres { try db.execute("DROP FUNCTION pmq_wbs_key(text); DROP FUNCTION pmq_parent_wbs(text)") }
    }

    /// The rows of `text` as CSV lines after the header.
    static func rows(_ s: Session, _ text: String) -> [String] {
        let r = s.run(text)
        #expect(r.diagnostics.isEmpty, "\(text): \(r.diagnostics.map(\.message))")
        let csv = r.results.compactMap { OutputFormat.csv.render($0) }.joined()
        return Array(csv.split(separator: "\n").dropFirst().map(String.init))
    }

    static func versionColumns(_ db: any Engine) throws -> Set<String> { Set(try db.columns(of: "tasks_versions")) }

    @Test("a store of schema 22 loses the task versions' wbs_key and parent_wbs; as of computes them, before and after the step", arguments: TestEngine.all)
    func migration(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "narrow-versions")
        defer { store.drop() }
        do {
            let s = try store.session(today: "2026-03-02")
            #expect(s.run("""
                add project "ERP"
                add task "Plan" wbs 1 start 2026-03-02 finish 2026-03-06
                add task "Design" wbs 1.9 start 2026-03-02 finish 2026-03-06
                add task "Build" wbs 1.10 start 2026-03-02 finish 2026-03-06
                add task "Run" wbs 2 start 2026-03-02 finish 2026-03-06
                """).diagnostics.isEmpty)
            s.today = Day(iso: "2026-03-09")!
            // A changed task and a deleted one: each gets a version that ends on 03-09.
            #expect(s.run("update tasks where wbs = 1.9 set progress = 50\ndelete tasks where wbs = 1.10").diagnostics.isEmpty)
            try RollupIncrementalTests.undoStep24(s.db)
            try Self.undoStep23(s.db, engine)
            try s.db.execute(engine == .postgres ? "UPDATE pmq_meta SET version = 22" : "PRAGMA user_version = 22")
            #expect(try Self.versionColumns(s.db).isSuperset(of: ["wbs_key", "parent_wbs"]))
            // Every version (1.9's, 1.10's and the roll-up's of 1) has the two columns again.
            #expect(try s.db.scalar("SELECT count(*) FROM tasks_versions WHERE wbs_key IS NULL OR wbs_key = ''") == .integer(0))
            #expect(try s.db.scalar("SELECT count(*) FROM tasks_versions WHERE id IN (2, 3)") == .integer(2))
        }
        let s = try store.session(today: "2026-03-16")
        #expect(s.db.schemaVersion == Migrations.latest)
        #expect(try Self.versionColumns(s.db).isDisjoint(with: ["wbs_key", "parent_wbs"]))
        // Ordered by the computed key (1.9 before 1.10), and the parent found by the computed
        // parent code, for the deleted task too. (On 03-09 the roll-up gave 1 its child's 50.)
        #expect(Self.rows(s, "tasks as of 2026-03-02 select wbs, progress order by wbs") == ["1,0", "1.9,0", "1.10,0", "2,0"])
        #expect(Self.rows(s, "tasks as of 2026-03-02 where parent.wbs = \"1\" select wbs order by wbs") == ["1.9", "1.10"])
        let count = s.run("count tasks as of 2026-03-02 where parent.wbs = \"1\"").results.compactMap { OutputFormat.csv.render($0) }.joined()
        #expect(count.hasSuffix("2\n") || count.hasSuffix("2"), "\(count)")
        #expect(Self.rows(s, "tasks as of 2026-03-09 select wbs, progress order by wbs") == ["1,50", "1.9,50", "2,0"])
        // The triggers were written again without the columns: a change today makes a version.
        let before = try s.db.scalar("SELECT count(*) FROM tasks_versions")
        #expect(s.run("update tasks where wbs = 2 set progress = 20").diagnostics.isEmpty)
        #expect(try s.db.scalar("SELECT count(*) FROM tasks_versions WHERE id = 4") == .integer(1), "\(before)")
        #expect(Self.rows(s, "tasks as of 2026-03-10 where parent.wbs = \"1\" or wbs = 2 select wbs, progress order by wbs") == ["1.9,50", "2,0"])
        #expect(Self.rows(s, "tasks select wbs, progress order by wbs") == ["1,50", "1.9,50", "2,20"])
    }

    @Test("pmq_wbs_key and pmq_parent_wbs compute what the writers store", arguments: TestEngine.all)
    func functions(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session(today: "2026-03-02")
        for code in ["1", "01.002", "1.a.3", "12345678901.2", "0.00", "A", "1..2", "é.10", "7.", "1.2.3.4.5"] {
            #expect(try s.db.scalar("SELECT pmq_wbs_key(?1)", [.text(code)]) == .text(WBS.sortKey(code)), "\(code)")
            #expect(try s.db.scalar("SELECT pmq_parent_wbs(?1)", [.text(code)]) == (WBS.parent(code).map { .text($0) } ?? .null), "\(code)")
        }
        #expect(try s.db.scalar("SELECT pmq_wbs_key(NULL)") == .null)
    }
}
