import Foundation
import Testing
@testable import PMQ
import PMQEmbed

/// `--init` (issue 18): a database that holds other tables and no PMQ schema is refused and
/// left as it was, unless the user asks PMQ to add its tables beside them.
@Suite("--init: taking over another application's database")
struct InitTests {
    /// Another application's file: a table with rows, an index, a view and a trigger.
    static func foreignFile(_ name: String, userVersion: Int = 0, table: String = "notes") throws -> String {
        let path = PMQProcess.tempDB(name)
        let db = try SQLiteEngine(path: path)
        try db.execute("""
            CREATE TABLE \(table) (id INTEGER PRIMARY KEY, body TEXT NOT NULL, at TEXT);
            CREATE INDEX \(table)_at ON \(table)(at);
            CREATE VIEW recent AS SELECT body FROM \(table) ORDER BY at DESC;
            CREATE TABLE audit (n INTEGER);
            CREATE TRIGGER \(table)_audit AFTER INSERT ON \(table) BEGIN INSERT INTO audit VALUES (new.id); END;
            INSERT INTO \(table) (body, at) VALUES ('first', '2026-01-02'), ('second', '2026-01-03');
            PRAGMA user_version = \(userVersion);
            """)
        return path
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// The other application's schema and rows, as text to compare.
    static func foreignState(_ path: String, table: String = "notes") throws -> [String] {
        let db = try SQLiteEngine(path: path)
        var out: [String] = []
        try db.query("SELECT type, name, sql FROM sqlite_master WHERE name IN ('\(table)', '\(table)_at', 'recent', 'audit', '\(table)_audit') ORDER BY name") { s in
            out.append("\(s[0]) \(s[1]) \(s[2])")
        }
        try db.query("SELECT id, body, at FROM \(table) ORDER BY id") { s in out.append("\(s[0]) \(s[1]) \(s[2])") }
        try db.query("SELECT n FROM audit ORDER BY n") { s in out.append("audit \(s[0])") }
        return out
    }

    static let refusal = "error: not a PMQ database: the file holds other tables and no PMQ schema (--init adds PMQ's tables to it)\n"

    @Test("without --init a foreign file is refused and left byte for byte as it was")
    func refusedUnchanged() throws {
        let path = try Self.foreignFile("init-refused.db")
        let before = Self.bytes(path)
        for args in [["-e", "count tasks"], ["-e", "add task \"Plan\" wbs 1"], ["--dry-run", "-e", "count tasks"]] {
            let out = try PMQProcess.run(["--db", path] + args)
            #expect(out.status == 1)
            #expect(out.stderr == Self.refusal)
            #expect(out.stdout == "")
        }
        #expect(Self.bytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
        #expect(throws: StoreError.self) { _ = try Session(path: path) }
        #expect(Self.bytes(path) == before)
    }

    @Test("--init adds PMQ's tables beside the foreign ones, which stay as they were, and PMQ works on the file")
    func initTakesOver() throws {
        let path = try Self.foreignFile("init-takeover.db")
        let foreign = try Self.foreignState(path)
        #expect(foreign.count == 9)
        // The transcript in docs/language.md ("--init").
        let add = try PMQProcess.run(["--db", path, "--init", "-e", "add task \"Plan\" wbs 1"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stderr == "added task 1\n")
        #expect(try Self.foreignState(path) == foreign)
        // From now on it is a PMQ database: no --init needed, and the journal works.
        let script = """
            add person "Li Wei"
            add task "Build" wbs 2 owner "Li Wei" start 2026-03-02 duration 5wd
            tasks select wbs, name, owner order by wbs
            """
        let run = try PMQProcess.run(["--db", path, "--today", "2026-03-16", "--format", "csv", "-e", script])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "wbs,name,owner\n1,Plan,\n2,Build,Li Wei\n")
        let undo = try PMQProcess.run(["--db", path, "-e", "undo", "-e", "count tasks"])
        #expect(undo.stdout == "1\n", "\(undo.stderr)")
        #expect(try Self.foreignState(path) == foreign)
        let db = try SQLiteEngine(path: path)
        #expect(try db.scalar("PRAGMA user_version") == .integer(Int64(Migrations.latest)))
        #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
        // The other application can still write its tables (its trigger included).
        try db.execute("INSERT INTO notes (body, at) VALUES ('third', '2026-01-04')")
        #expect(try db.scalar("SELECT count(*) FROM audit") == .integer(3))
    }

    @Test("--init changes nothing on a new, an empty or a PMQ file")
    func harmless() throws {
        // A new path and an empty (0-byte) file become PMQ databases, as without --init.
        let new = PMQProcess.tempDB("init-new.db")
        let empty = PMQProcess.tempDB("init-empty.db")
        FileManager.default.createFile(atPath: empty, contents: Data())
        for path in [new, empty] {
            let out = try PMQProcess.run(["--db", path, "--init", "-e", "count tasks"])
            #expect(out.status == 0 && out.stdout == "0\n", "\(out.stderr)")
            #expect(try SQLiteEngine(path: path).scalar("PRAGMA user_version") == .integer(Int64(Migrations.latest)))
        }
        // A PMQ file with a model: --init on a query leaves the file as a plain query does.
        let path = PMQProcess.tempDB("init-pmq.db")
        let load = try PMQProcess.run(["--db", path, "-e", "add person \"Ana\"; add task \"Plan\" wbs 1 owner \"Ana\""])
        #expect(load.status == 0, "\(load.stderr)")
        _ = try PMQProcess.run(["--db", path, "-e", "count tasks"])  // settles the WAL into the file
        let before = Self.bytes(path)
        let out = try PMQProcess.run(["--db", path, "--init", "-e", "tasks select wbs, owner"])
        #expect(out.status == 0 && out.stdout.contains("Ana"), "\(out.stderr)")
        #expect(Self.bytes(path) == before)
        let twice = try PMQProcess.run(["--db", path, "--init", "--init", "-e", "count tasks", "-e", "count people"])
        #expect(twice.stdout == "1\n1\n", "\(twice.stderr)")
    }

    @Test("--init refuses a file whose tables have PMQ's names, changing nothing")
    func clash() throws {
        let path = try Self.foreignFile("init-clash.db", table: "tasks")
        let before = Self.bytes(path)
        let out = try PMQProcess.run(["--db", path, "--init", "-e", "count tasks"])
        #expect(out.status == 1)
        #expect(out.stderr == "error: cannot add PMQ's tables: the file already has a table, index or view named \"tasks\"\n")
        #expect(Self.bytes(path) == before)
        // PMQ's names compare as SQL compares them: case does not matter.
        let upper = try Self.foreignFile("init-clash2.db", table: "People")
        #expect(throws: StoreError.self) { _ = try Session(path: upper, initialize: true) }
    }

    @Test("a file that another application gave a schema version is not PMQ's, --init or not")
    func foreignUserVersion() throws {
        let path = try Self.foreignFile("init-version.db", userVersion: 7)
        let before = Self.bytes(path)
        for args in [["--db", path, "-e", "count tasks"], ["--db", path, "--init", "-e", "count tasks"]] {
            let out = try PMQProcess.run(args)
            #expect(out.status == 1)
            #expect(out.stderr == "error: not a PMQ database: its schema version (user_version) is 7 but it has none of PMQ's tables\n")
        }
        #expect(Self.bytes(path) == before)
    }

    @Test("--init is documented in --help, and with --check it is a usage error")
    func usage() throws {
        let help = try PMQProcess.run(["--help"])
        #expect(help.stdout.contains("[--init]"))
        #expect(help.stdout.contains("--init") && help.stdout.contains("Add PMQ's tables to a database"))
        let path = try Self.foreignFile("init-check.db")
        let check = try PMQProcess.run(["--db", path, "--init", "--check", "examples/weekly-check.pmq"])
        #expect(check.status == 2)
        #expect(check.stderr.contains("--init cannot be used with --check"))
        // --check alone refuses the file, without the --init hint it could not take.
        let plain = try PMQProcess.run(["--db", path, "--check", "examples/weekly-check.pmq"])
        #expect(plain.status == 1)
        #expect(plain.stderr == "error: not a PMQ database: the file holds other tables and no PMQ schema\n")
    }

    @Test("the library's Session(path:initialize:) and the C ABI's pmq_open_v3 take a foreign file over")
    func embedding() throws {
        let path = try Self.foreignFile("init-embed.db")
        let foreign = try Self.foreignState(path)
        #expect(throws: StoreError.self) { _ = try Session(path: path) }
        do {
            let s = try Session(path: path, today: Day(iso: "2026-03-16"), initialize: true)
            #expect(s.run("add task \"Plan\" wbs 1; count tasks").results.last == .scalar(.integer(1), kind: .number))
        }
        #expect(try Self.foreignState(path) == foreign)

        let other = try Self.foreignFile("init-cabi.db")
        var error: UnsafeMutablePointer<CChar>?
        #expect(pmq_open_v3(other, 0, &error) == nil)
        #expect(error.map { String(cString: $0) } == "not a PMQ database: the file holds other tables and no PMQ schema")
        pmq_free(error)
        #expect(pmq_open_v3(other, 6, &error) == nil)
        #expect(error.map { String(cString: $0) } == "unknown pmq_open_v3 flags 6 (the only flag is PMQ_OPEN_INIT, 1)")
        pmq_free(error)
        let h = pmq_open_v3(other, 1, &error)  // PMQ_OPEN_INIT
        #expect(h != nil && error == nil)
        let json = pmq_exec(h, "count tasks")
        #expect(json.map { String(cString: $0) } == #"{"ok":true,"results":[0]}"#)
        pmq_free(json)
        pmq_close(h)
        #expect(try Self.foreignState(other) == foreign)
    }

    @Test("PostgreSQL: a schema with other tables is refused; with initialize PMQ's tables go beside them")
    func postgres() throws {
        let store = try TestStore(.postgres)
        defer { store.drop() }
        guard let url = store.location else { return }
        let raw = try PostgresEngine(url: url)
        try raw.execute("CREATE TABLE notes (id integer PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'first'), (2, 'second')")
        func notes() throws -> [String] {
            var out: [String] = []
            try raw.query("SELECT id, body FROM notes ORDER BY id") { s in out.append("\(s[0]) \(s[1])") }
            return out
        }
        func pmqTables() throws -> Value {
            try raw.scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'tasks'")
        }
        let before = try notes()
        #expect(before.count == 2)
        do {
            _ = try Session(path: url)
            Issue.record("a schema with other tables was opened")
        } catch let e as StoreError {
            #expect(e.kind == .notPMQ)
            #expect(e.message.hasSuffix("holds other tables and no PMQ schema"))
        }
        #expect(try pmqTables() == .integer(0))
        let out = try PMQProcess.run(["--db", url, "-e", "count tasks"])
        #expect(out.status == 1 && out.stderr.hasSuffix("holds other tables and no PMQ schema (--init adds PMQ's tables to it)\n"), "\(out.stderr)")
        let added = try PMQProcess.run(["--db", url, "--init", "-e", "add task \"Plan\" wbs 1"])
        #expect(added.status == 0 && added.stderr == "added task 1\n", "\(added.stderr)")
        #expect(try pmqTables() == .integer(1))
        #expect(try notes() == before)
        let s = try Session(path: url, initialize: true)  // harmless on a PMQ schema
        #expect(s.run("count tasks").results == [.scalar(.integer(1), kind: .number)])
        #expect(try notes() == before)
    }

    @Test("PostgreSQL: --init refuses a schema whose tables have PMQ's names")
    func postgresClash() throws {
        let store = try TestStore(.postgres)
        defer { store.drop() }
        guard let url = store.location else { return }
        let raw = try PostgresEngine(url: url)
        try raw.execute("CREATE TABLE people (id integer PRIMARY KEY, name text)")
        #expect {
            _ = try Session(path: url, initialize: true)
        } throws: { e in
            (e as? StoreError)?.message.hasSuffix("already has a table, index or view named \"people\"") == true
        }
        #expect(try raw.scalar("SELECT to_regclass('pmq_meta')::text") == .null)
    }
}
