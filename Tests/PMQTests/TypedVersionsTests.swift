import Foundation
import Testing
@testable import PMQ

/// Schema step 22: on SQLite every versions
/// table's columns are declared with their table's types, so a whole number in a REAL column
/// is stored as compactly as in the table (BENCHMARKS.md, k3), and `as of` reads the same values.
@Suite("Row versions typed like their tables (schema step 22)")
struct TypedVersionsTests {
    /// Takes a store back to before step 22's tables of each row's latest version end (and the
    /// triggers on the versions tables that keep them), for tests that fake an older file.
    static func undoStep22(_ db: any Engine, _ engine: TestEngine) throws {
        for t in RowVersions.travelled {
            let l = RowVersions.last(t.table)
            try db.execute(engine == .postgres ? "DROP FUNCTION \(l)_keep() CASCADE"
                           : "DROP TRIGGER \(l)_on_insert; DROP TRIGGER \(l)_on_delete")
            try db.execute("DROP TABLE \(l)")
        }
    }

    func csv(_ session: Session, _ text: String) -> String {
        session.run(text).results.compactMap { OutputFormat.csv.render($0) }.joined()
    }

    /// The declared type of each column of `table` (SQLite).
    func types(_ db: any Engine, _ table: String) throws -> [String: String] {
        var out: [String: String] = [:]
        try db.query("SELECT name, type FROM pragma_table_info(?1)", [.text(table)]) { r in
            if case .text(let n) = r[0], case .text(let t) = r[1] { out[n] = t }
        }
        return out
    }

    @Test("opening a file of schema 20 types its versions, keeps their values, and as of reads them alike")
    func migration() throws {
        let path = PMQProcess.tempDB("step22.db")
        do {
            // A file at schema 20 whose task changed once: its version holds effort 946.0 and
            // cost 57610.0 in untyped columns (8 bytes each).
            let db = try SQLiteEngine.openStore(path: path, upTo: 20)
            try db.execute("""
                INSERT INTO journal_sets (id, at, user, statement, day, kind) VALUES (1, '2026-03-02T09:00:00Z', 'li', '<eval>', 20514, 'change');
                INSERT INTO projects (id, code, name) VALUES (1, 'ERP', 'ERP');
                INSERT INTO tasks (id, project, wbs, wbs_key, name, effort, cost, progress, tags) VALUES (1, 1, '1', '0000000001', 'Design', 946.0, 57610.0, 10, 'x');
                INSERT INTO journal_sets (id, at, user, statement, day, kind) VALUES (2, '2026-03-09T09:00:00Z', 'li', '<eval>', 20521, 'change');
                UPDATE tasks SET effort = 12.5, cost = 3.0, progress = 50 WHERE id = 1;
                """)
            #expect(try types(db, "tasks_versions")["effort"] == "")
            #expect(try db.scalar("SELECT typeof(effort) || ' ' || typeof(cost) || ' ' || typeof(progress) FROM tasks_versions") == .text("real real integer"))
        }
        let session = try Session(path: path, today: Day(iso: "2026-03-16")!)
        #expect(session.db.schemaVersion == Migrations.latest)
        // Every travelled table's versions: each column the table declares has its type.
        for t in RowVersions.travelled {
            let table = try types(session.db, t.table), versions = try types(session.db, RowVersions.versions(t.table))
            for (c, type) in versions where !["valid_to", "id", "valid_from"].contains(c) {
                #expect(type == table[c], "\(t.table).\(c): \(type) in the versions, \(table[c] ?? "none") in the table")
            }
        }
        // The values are the same, of the same types, and as of the first day reads them.
        #expect(try session.db.scalar("SELECT typeof(effort) || ' ' || effort || ' ' || typeof(cost) || ' ' || cost || ' ' || typeof(progress) FROM tasks_versions")
                == .text("real 946.0 real 57610.0 integer"))
        let then = csv(session, "tasks as of 2026-03-02 select effort, cost, progress")
        #expect(then == "effort,cost,progress\n946,57610,10", "\(then)")
        // The triggers were written again: a change on a later day makes a version.
        session.today = Day(iso: "2026-03-16")!
        #expect(session.run("update tasks where wbs = 1 set effort = 20").diagnostics.isEmpty)
        #expect(try session.db.scalar("SELECT count(*) FROM tasks_versions") == .integer(2))
        let mid = csv(session, "tasks as of 2026-03-10 select effort, cost, progress")
        #expect(mid == "effort,cost,progress\n12.5,3,50", "\(mid)")
        // Each row's latest version end: filled from the version of schema 20, then kept.
        #expect(try session.db.scalar("SELECT last_to FROM tasks_versions_last WHERE id = 1") == .integer(Int64(Day(iso: "2026-03-16")!.number)))
        try expectLastMatchesVersions(session.db)
    }

    /// Every `_versions_last` row says its row's latest version end, and only rows with versions have one.
    func expectLastMatchesVersions(_ db: any Engine) throws {
        for t in RowVersions.travelled {
            let v = RowVersions.versions(t.table), l = RowVersions.last(t.table)
            let wrong = try db.scalar("""
                SELECT count(*) FROM (SELECT id, max(valid_to) AS m FROM \(v) GROUP BY id) a FULL JOIN \(l) b ON b.id = a.id
                WHERE a.id IS NULL AND b.last_to IS NOT NULL OR b.id IS NULL OR a.m IS DISTINCT FROM b.last_to
                """)
            var rows: [String] = []
            try db.query("SELECT a.id, a.m, b.id, b.last_to FROM (SELECT id, max(valid_to) AS m FROM \(v) GROUP BY id) a FULL JOIN \(l) b ON b.id = a.id", []) { r in rows.append((0..<4).map { "\(r[$0])" }.joined(separator: " ")) }
            #expect(wrong == .integer(0), "\(l): \(rows)")
        }
    }

    @Test("a custom field added after step 22 gets its table's type in the versions; as of reads it on both engines", arguments: TestEngine.all)
    func customField(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let session = try store.session(today: "2026-03-02")
        #expect(session.run("""
            add project "ERP"
            add task "Design" wbs 1 start 2026-03-02 finish 2026-03-06 effort 946
            add field "weight" to tasks type number
            update tasks where wbs = 1 set weight = 4
            """).diagnostics.isEmpty)
        session.today = Day(iso: "2026-03-09")!
        #expect(session.run("update tasks where wbs = 1 set weight = 5.5, effort = 10").diagnostics.isEmpty)
        let then = csv(session, "tasks as of 2026-03-02 select effort, weight")
        #expect(then == "effort,weight\n946,4", "\(then)")
        // A change and a delete booked on an earlier day (the back-dated rules), an undo: the
        // latest version ends follow, and as of each day still reads the model of that day.
        session.today = Day(iso: "2026-03-16")!
        #expect(session.run("add task \"Build\" wbs 2 start 2026-03-16 finish 2026-03-20\nupdate tasks where wbs = 2 set effort = 3").diagnostics.isEmpty)
        session.today = Day(iso: "2026-03-23")!
        #expect(session.run("update tasks where wbs = 2 set effort = 4").diagnostics.isEmpty)
        session.today = Day(iso: "2026-03-18")!
        #expect(session.run("delete tasks where wbs = 2").diagnostics.isEmpty)
        session.today = Day(iso: "2026-03-24")!
        #expect(session.run("undo").diagnostics.isEmpty)
        try expectLastMatchesVersions(session.db)
        #expect(csv(session, "count tasks as of 2026-03-17").hasSuffix("2"), "\(csv(session, "count tasks as of 2026-03-17"))")
        #expect(csv(session, "count tasks as of 2026-03-20").hasSuffix("1"), "\(csv(session, "count tasks as of 2026-03-20"))")
        #expect(csv(session, "count tasks as of 2026-03-24").hasSuffix("2"), "\(csv(session, "count tasks as of 2026-03-24"))")
        if engine == .sqlite {
            let table = try types(session.db, "tasks"), versions = try types(session.db, "tasks_versions")
            let column = try #require(table.keys.first { $0.contains("weight") })
            #expect(versions[column] == table[column] && table[column] != "", "\(column): \(versions[column] ?? "none") vs \(table[column] ?? "none")")
        }
    }
}
