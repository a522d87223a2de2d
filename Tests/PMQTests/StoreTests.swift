import Foundation
import Testing
@testable import PMQ

@Suite("Store: schema, migrations, atomicity")
struct StoreTests {
    func tempPath(_ name: String) -> String { PMQProcess.tempDB(name) }

    @Test("Migrations.latest is the number of steps (it is written out so an open does not build them)")
    func latestIsStepCount() {
        #expect(Migrations.latest == Migrations.steps.count)
        #expect(Migrations.postgresSteps.count == Migrations.latest)
    }

    @Test("a file made by the first schema opens and is upgraded, data intact")
    func migrateFromV1() throws {
        let path = tempPath("v1.db")
        do {
            let old = try SQLiteEngine.openStore(path: path, upTo: 1)
            #expect(old.schemaVersion == 1)
            try old.execute("INSERT INTO people (name) VALUES ('Li Wei')")
            try old.execute("INSERT INTO projects (code) VALUES ('GOV')")
            try old.execute("INSERT INTO tasks (project, wbs, wbs_key, name, owner) VALUES (1, '1', '0000000001', 'Plan', 1)")
        }
        let session = try Session(path: path, today: Day(iso: "2026-03-16"))
        #expect(session.db.schemaVersion == Migrations.latest)
        let (results, d) = session.run("tasks select wbs, owner")
        #expect(d.isEmpty)
        #expect(results == [.rows(columns: [.init(name: "wbs", kind: .text), .init(name: "owner", kind: .reference)],
                                  rows: [[.text("1"), .reference("Li Wei")]], single: false)])
        // v2's tables exist after the upgrade.
        #expect(throws: Never.self) { try session.db.execute("SELECT count(*) FROM saved_queries") }
    }

    @Test("a new file has foreign keys on and WAL mode")
    func pragmas() throws {
        let session = try Session(path: tempPath("new.db"))
        #expect(try session.db.scalar("PRAGMA foreign_keys") == .integer(1))
        #expect(try session.db.scalar("PRAGMA journal_mode") == .text("wal"))
    }

    @Test("a newer schema is refused, not damaged")
    func newer() throws {
        let path = tempPath("newer.db")
        do {
            let db = try SQLiteEngine.openStore(path: path)
            try db.execute("PRAGMA user_version = 999")
        }
        #expect(throws: StoreError.self) { _ = try Session(path: path) }
    }

    @Test("a script that fails at its last statement keeps nothing")
    func atomic() throws {
        let session = try Session(path: tempPath("atomic.db"), today: Day(iso: "2026-03-16"))
        var script = "add person \"DBA\"\nadd project \"GOV\"\n"
        for i in 1...200 { script += "add task \"T\(i)\" wbs \(i) owner \"DBA\"\n" }
        script += "add task \"bad\" wbs 7 owner \"DBA\"\n"  // duplicate WBS: refused
        let (_, d) = session.run(script)
        #expect(d.count == 1)
        #expect(d.first?.message.contains("duplicate WBS code 7") == true)
        #expect(d.first?.location?.line == 203)
        let (counts, _) = session.run("count tasks; count people; count projects")
        #expect(counts == [.scalar(.integer(0), kind: .number), .scalar(.integer(0), kind: .number), .scalar(.integer(0), kind: .number)])
    }

    @Test("dry run reports and rolls back")
    func dryRun() throws {
        let session = try Session(path: nil)
        var reports: [StatementResult] = []
        let d = session.run(SourceFile(name: "t", text: "add person \"A\"\nadd person \"B\""), dryRun: true) { reports.append($0) }
        #expect(d.isEmpty)
        #expect(reports.count == 3)
        // The last result is the row-level diff of what would have changed.
        if case .rows(let cols, let rows, _)? = reports.last {
            #expect(cols.map(\.name) == ["entity", "key", "field", "old", "new"])
            #expect(rows.map { $0[1] } == [.text("A"), .text("B")])
        } else {
            Issue.record("no diff")
        }
        #expect(session.run("count people").results == [.scalar(.integer(0), kind: .number)])
    }

    @Test("a checked-but-refused statement leaves earlier ones in the same run unapplied")
    func refusedAdd() throws {
        let session = try Session(path: nil)
        _ = session.run("add person \"Kept\"")
        let (_, d) = session.run("add person \"Gone\"\nadd task \"T\" wbs 1 owner \"Nobody\"")
        #expect(d.first?.message == "unknown person \"Nobody\"")
        #expect(session.run("people select name").results == [.rows(columns: [.init(name: "name", kind: .text)], rows: [[.text("Kept")]], single: false)])
    }
}
