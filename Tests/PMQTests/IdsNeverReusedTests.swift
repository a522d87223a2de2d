import Foundation
import Testing
@testable import PMQ

/// Ids are never given out twice (schema step 13 on SQLite, IdsNeverReused): the journal,
/// `history of` and `as of` name rows by id, so a freed id must stay the old row's.
@Suite("Ids are never reused")
struct IdsNeverReusedTests {
    static let base = """
        add project "A" name "Alpha" start 2026-03-02
        add person "Li Wei" role "DBA"
        add task "Phase 1" wbs 1
        add task "Design" wbs 1.1 owner "Li Wei" start 2026-03-02 duration 5wd
        add task "Build" wbs 1.2 start 2026-03-09 duration 10wd
        add milestone "Done" wbs 1.3 finish 2026-03-20
        """

    func text(_ session: Session, _ source: String) -> String {
        let (results, d) = session.run(source)
        #expect(d.isEmpty, "\(source): \(d.map(\.message))")
        return results.compactMap { OutputFormat.csv.render($0) }.joined(separator: "").trimmingTrailingNewlines()
    }

    /// The reviewer's case: an undone add's id, then the newest rows deleted, on both engines.
    @Test("an id freed by undo or by deleting the newest row is not given to the next row", arguments: TestEngine.all)
    func freedIdStaysFree(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "ids-freed.db")
        defer { store.drop() }
        let session = try store.session(today: "2026-03-02")
        _ = text(session, Self.base)
        session.today = Day(iso: "2026-03-04")!
        _ = text(session, "add task \"x\" wbs 1.19")
        _ = text(session, "undo")
        session.today = Day(iso: "2026-03-05")!
        _ = text(session, "add task \"y\" wbs 1.7\nadd task \"z\" wbs 1.11")
        session.today = Day(iso: "2026-03-07")!
        _ = text(session, "delete tasks where wbs in (1.7, 1.11)")
        _ = text(session, "add task \"w\" wbs 1.8")
        #expect(text(session, "tasks as of 2026-03-03 select wbs") == "wbs\n1\n1.1\n1.2\n1.3")
        #expect(text(session, "count tasks as of 2026-03-03") == "4")
        #expect(text(session, "tasks as of 2026-03-06 select wbs") == "wbs\n1\n1.1\n1.2\n1.3\n1.7\n1.11")
        #expect(text(session, "journal where booked = 2026-03-04 select key, field") == "key,field\n1.19,(added)\n1.19,(deleted)")
        #expect(text(session, "journal where booked = 2026-03-07 select key, field") == "key,field\n1.7,(deleted)\n1.11,(deleted)\n1.8,(added)")
        // Seven ids given out, none twice.
        #expect(try session.db.scalar("SELECT count(*) FROM (SELECT DISTINCT row_id FROM journal_entries WHERE entity = 'tasks' AND field = '-')") == .integer(3))
        #expect(try session.db.scalar("SELECT max(id) FROM tasks") == .integer(8))
    }

    @Test("a new store declares every table the journal names with an AUTOINCREMENT id")
    func freshSchema() throws {
        let db = try SQLiteEngine.openStore(path: nil)
        var declared: [String: String] = [:]
        try db.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'") { s in
            if case .text(let n) = s[0], case .text(let sql) = s[1] { declared[n] = sql }
        }
        let named = History.journaledTables.union(IdsNeverReused.tables)
        for t in named where declared[t] != nil {
            #expect(declared[t]?.range(of: "AUTOINCREMENT", options: .caseInsensitive) != nil, "\(t) has no AUTOINCREMENT id")
        }
        // Triggers and indexes came back with the rebuilt tables: a version on update and on
        // delete, the back-dated rule of step 14 and the back-dated delete of step 15.
        for t in RowVersions.travelled.map(\.table) {
            #expect(try db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1", [.text(t)]) == .integer(4), "\(t)")
        }
        #expect(try db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('tasks_project_wbs', 'tasks_children', 'change_tasks_task', 'leaves_person', 'people_login')") == .integer(5))
        #expect(try db.scalar("PRAGMA foreign_keys") == .integer(1))
        #expect(throws: (any Error).self) { try db.execute("SELECT 1 FROM pmq_rebuild_tasks") }
    }

    /// A file at the schema before step 13, made the way the old PMQ left it: an undone add's
    /// id (5) is free, a deleted row's (7) is only in the versions, a custom field and links exist.
    @Test("an older file is upgraded: ids, links, custom fields and versions kept, freed ids not given out")
    func upgradeKeepsIds() throws {
        let path = PMQProcess.tempDB("ids-upgrade.db")
        let before = IdsNeverReused.stepIndex
        do {
            let db = try SQLiteEngine.openStore(path: path, upTo: before)
            #expect(db.schemaVersion == before)
            try db.execute("""
                INSERT INTO people (id, name) VALUES (1, 'Li Wei');
                INSERT INTO projects (id, code) VALUES (1, 'A');
                INSERT INTO pmq_fields (entity, name, type, column_name) VALUES ('tasks', 'risk', 'text', 'x_1');
                ALTER TABLE tasks ADD COLUMN x_1 TEXT;
                INSERT INTO tasks (id, project, wbs, wbs_key, name, owner, x_1) VALUES
                    (1, 1, '1', '0000000001', 'Plan', 1, 'low'), (2, 1, '2', '0000000002', 'Build', NULL, NULL),
                    (3, 1, '3', '0000000003', 'Test', NULL, 'high'), (4, 1, '4', '0000000004', 'Ship', NULL, NULL);
                INSERT INTO dependencies (pred, succ) VALUES (2, 3);
                INSERT INTO assignments (task, person) VALUES (2, 1);
                INSERT INTO journal_sets (id, at, statement, day) VALUES (1, '2026-03-02T09:00:00Z', 'load', 20514), (2, '2026-03-04T09:00:00Z', 'x', 20516);
                INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value) VALUES
                    (1, 'tasks', 1, '+', NULL, 5), (2, 'tasks', 5, '-', '{"id":5}', NULL);
                INSERT INTO tasks_versions (valid_to, id, valid_from, wbs, name) VALUES (20516, 7, -2147483648, '7', 'Gone');
                """)
            try RowVersions.follow("tasks", db)
        }
        // Read-only, the older file opens as it is.
        do {
            let reader = try Session(path: path, today: Day(iso: "2026-03-09")!, readOnly: true)
            #expect(text(reader, "count tasks") == "4")
            #expect(reader.db.schemaVersion == before)
        }
        let session = try Session(path: path, today: Day(iso: "2026-03-09")!)
        #expect(session.db.schemaVersion == Migrations.latest)
        #expect(try session.db.scalar("SELECT group_concat(id || ':' || wbs || ':' || coalesce(x_1, '-'), ' ') FROM (SELECT * FROM tasks ORDER BY id)") == .text("1:1:low 2:2:- 3:3:high 4:4:-"))
        #expect(try session.db.scalar("SELECT count(*) FROM dependencies WHERE pred = 2 AND succ = 3") == .integer(1))
        #expect(try session.db.scalar("SELECT count(*) FROM assignments WHERE task = 2 AND person = 1") == .integer(1))
        #expect(try session.db.scalar("PRAGMA foreign_keys") == .integer(1))
        var problems = 0
        try session.db.query("PRAGMA foreign_key_check") { _ in problems += 1 }
        #expect(problems == 0)
        // The next task is past every id the table, its journal and its versions held.
        _ = text(session, "add task \"New\" wbs 5 risk \"mid\"")
        #expect(try session.db.scalar("SELECT id FROM tasks WHERE wbs = '5'") == .integer(8))
        // The triggers came back: a change makes a version `as of` reads.
        session.today = Day(iso: "2026-03-11")!
        _ = text(session, "update 1 set risk = \"high\", name = \"Planning\"")
        #expect(text(session, "tasks as of 2026-03-10 where wbs = 1 select name, risk") == "name,risk\nPlan,low")
        // A custom field added after the upgrade (ALTER TABLE ADD COLUMN on the rebuilt table).
        _ = text(session, "add field \"area\" to tasks type text")
        _ = text(session, "update 2 set area = \"north\"")
        #expect(text(session, "tasks where area = \"north\" select wbs") == "wbs\n2")
    }
}
