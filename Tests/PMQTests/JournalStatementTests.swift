import Foundation
import Testing
@testable import PMQ

/// Schema step 20: a journal entry names the statement that made it by number, and the text
/// is kept once in `journal_statements` (BENCHMARKS.md, k3).
@Suite("The journal keeps each statement's text once (schema step 20)")
struct JournalStatementTests {
    let model = """
    add project "ERP"
    add person "Li Wei"
    add task "Design" wbs 1 owner "Li Wei" start 2026-03-02 finish 2026-03-06
    add task "Build" wbs 2 owner "Li Wei" start 2026-03-09 finish 2026-03-13
    add task "Test" wbs 3 start 2026-03-16 finish 2026-03-20
    """

    func csv(_ session: Session, _ text: String) -> String {
        session.run(text).results.compactMap { OutputFormat.csv.render($0) }.joined()
    }

    @Test("a statement changing many fields keeps its text once; a loop's iterations share it; the journal shows each", arguments: TestEngine.all)
    func textKeptOnce(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let session = try store.session(today: "2026-03-02")
        #expect(session.run(model).diagnostics.isEmpty)
        session.today = Day(iso: "2026-03-03")!
        let update = "update tasks where wbs != 9 set status = doing"
        #expect(session.run(update).diagnostics.isEmpty)
        let loop = "for t in tasks { update t set progress = t.progress + 1 }"
        #expect(session.run(loop).diagnostics.isEmpty)
        // Two texts, besides the three of the adds (project, person, and the tasks' range).
        #expect(try session.db.scalar("SELECT count(*) FROM journal_statements WHERE text = '\(update)'") == .integer(1))
        #expect(try session.db.scalar("SELECT count(*) FROM journal_statements WHERE text = '\(loop)'") == .integer(1))
        #expect(try session.db.scalar("SELECT count(*) FROM journal_statements") == .integer(5))
        let out = csv(session, "journal where booked = 2026-03-03 select statement order by id")
        // The update's six entries (status and the actual start it stamps), the loop's three.
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines == ["statement"] + Array(repeating: update, count: 6) + Array(repeating: loop, count: 3), "\(out)")
        // The add's range entry names the adds (first statement, count and lines).
        let added = csv(session, "journal where field = \"(added)\" and key = \"1\" select statement")
        #expect(added.contains("Design") && added.contains("3 adds"), "\(added)")
    }

    @Test("a statement rolled back leaves no text behind and the next one is kept", arguments: TestEngine.all)
    func rolledBack(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let session = try store.session(today: "2026-03-02")
        #expect(session.run(model).diagnostics.isEmpty)
        let update = "update tasks where wbs = 1 set progress = 10"
        // The same text twice: the first run is rolled back by the failing assert after it.
        #expect(!session.run(update + "\nassert false, \"no\"").diagnostics.isEmpty)
        #expect(session.run(update).diagnostics.isEmpty)
        #expect(csv(session, "journal where field = \"progress\" select statement") == "statement\n\(update)")
    }

    @Test("opening a file of schema 19 moves the entries' statement texts into journal_statements")
    func migration() throws {
        let path = PMQProcess.tempDB("step20.db")
        do {
            let db = try SQLiteEngine.openStore(path: path, upTo: 19)
            try db.execute("""
                INSERT INTO journal_sets (id, at, user, statement, day, kind) VALUES (1, '2026-03-02T09:00:00Z', 'li', '<eval>', 20514, 'change');
                INSERT INTO projects (id, code) VALUES (1, 'ERP');
                INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value, statement) VALUES
                    (1, 'projects', 1, '+', NULL, 1, 'add project ERP'),
                    (1, 'projects', 1, 'budget', NULL, 5, 'update projects set budget = 5'),
                    (1, 'projects', 1, 'client', NULL, 'x', 'update projects set budget = 5'),
                    (1, 'projects', 1, 'name', NULL, 'y', NULL);
                """)
        }
        let session = try Session(path: path, today: Day(iso: "2026-03-03")!)
        #expect(session.db.schemaVersion == Migrations.latest)
        #expect(try session.db.scalar("SELECT count(*) FROM journal_statements") == .integer(2))
        #expect(try session.db.scalar("SELECT count(DISTINCT statement) FROM journal_entries") == .integer(2))
        #expect(try session.db.scalar("SELECT count(*) FROM journal_entries WHERE statement IS NULL") == .integer(1))
        let out = csv(session, "journal select field, statement order by id")
        #expect(out == "field,statement\n(added),add project ERP\nbudget,update projects set budget = 5\nclient,update projects set budget = 5\nname,<eval>", "\(out)")
    }
}
