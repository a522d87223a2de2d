import Foundation
import Testing
@testable import PMQ
@testable import PMQEmbed

/// PostgreSQL as a second engine (docs/language.md, “Teams on a server”): the URL forms, the journal's user, host functions,
/// connection errors, the CLI and the C ABI, and concurrent change sets. Skipped, saying why,
/// where no server can be had (see TestPostgres).
@Suite("PostgreSQL engine", .enabled(if: TestPostgres.available, "no PostgreSQL server: see TestPostgres"))
struct PostgresTests {
    let model = """
    add person "Li Wei" role "DBA" rate 1200
    add project "GOV"
    use project "GOV"
    add task "Plan" wbs 1 owner "Li Wei" start 2026-03-02 finish 2026-03-06 cost 1000
    add task "Build" wbs 2 owner "Li Wei" start 2026-03-09 duration 5wd cost 3000
    add dependency 1 -> 2
    """

    func fresh() throws -> (Session, String) {
        let url = try TestPostgres.freshURL()
        let s = try Session(path: url, today: Day(iso: "2026-03-16"))
        let d = s.run(model).diagnostics
        #expect(d.isEmpty, "\(d)")
        return (s, url)
    }

    @Test("a model on a server: queries, changes, undo, working days, contains, lists")
    func endToEnd() throws {
        let (s, url) = try fresh()
        defer { TestPostgres.drop(url) }
        #expect(s.db.kind == .postgres)
        #expect(s.run("count tasks").results == [.scalar(.integer(2), kind: .number)])
        // Working days: 2026-03-09 (Monday) + 5wd ends on Friday 2026-03-13, in the server.
        #expect(s.run("tasks where wbs = 2 select finish").results
                == [.rows(columns: [ResultColumn(name: "finish", kind: .date)], rows: [[.date(Day(iso: "2026-03-13")!)]], single: false)])
        // Case-insensitive Unicode contains.
        #expect(s.run("add task \"Übergabe ÉCOLE\" wbs 3").diagnostics.isEmpty)
        #expect(s.run("count tasks where name ~ \"école\"").results == [.scalar(.integer(1), kind: .number)])
        #expect(s.run("count tasks where name ~ \"üBER\"").results == [.scalar(.integer(1), kind: .number)])
        // Lists.
        #expect(s.run("update tasks where wbs = 1 set tags = tags + \"infra\"").diagnostics.isEmpty)
        #expect(s.run("count tasks where \"infra\" in tags").results == [.scalar(.integer(1), kind: .number)])
        // A change, then undo.
        #expect(s.run("update tasks where wbs = 1 set progress = 40").diagnostics.isEmpty)
        #expect(s.run("tasks where wbs = 1 select progress").results
                == [.rows(columns: [ResultColumn(name: "progress", kind: .number)], rows: [[.integer(40)]], single: false)])
        #expect(s.run("undo").diagnostics.isEmpty)
        #expect(s.run("tasks where wbs = 1 select progress").results
                == [.rows(columns: [ResultColumn(name: "progress", kind: .number)], rows: [[.integer(0)]], single: false)])
        // explain shows PostgreSQL's plan.
        guard case .explain(_, _, let plan)? = s.run("explain tasks where late > 0d").results.first else { Issue.record("no plan"); return }
        #expect(plan.contains { $0.contains("Scan") })
    }

    @Test("the journal records the database user")
    func journalUser() throws {
        let (s, url) = try fresh()
        defer { TestPostgres.drop(url) }
        let user = try #require(s.db.databaseUser)
        #expect(s.journal.user == user)
        #expect(try s.db.scalar("SELECT count(*) FROM journal_sets WHERE \"user\" = ?1", [.text(user)]) != .integer(0))
    }

    @Test("a failed script keeps nothing on the server")
    func atomic() throws {
        let (s, url) = try fresh()
        defer { TestPostgres.drop(url) }
        let d = s.run("update tasks where wbs = 1 set cost = 5\nadd task \"Dup\" wbs 1").diagnostics
        #expect(!d.isEmpty)
        #expect(s.run("tasks where wbs = 1 select cost").results
                == [.rows(columns: [ResultColumn(name: "cost", kind: .number)], rows: [[.decimal(1000)]], single: false)])
    }

    @Test("host functions are refused on PostgreSQL, and a text calling one does not compile")
    func hostFunctions() throws {
        let (s, url) = try fresh()
        defer { TestPostgres.drop(url) }
        #expect(throws: HostFunctionError.self) { try s.register("fx", parameters: [.number], returns: .number) { $0[0] } }
        do { try s.register("fx", parameters: [.number], returns: .number) { $0[0] } } catch {
            #expect("\(error)".contains("not available on PostgreSQL"))
        }
        guard case .failure(let d) = s.compile(SourceFile(name: "x", text: "tasks select fx(cost)")) else { Issue.record("compiled"); return }
        #expect(d.items[0].message.contains("fx"))
    }

    @Test("connection errors name the host and database and give the server's reason; never a crash")
    func connectionErrors() throws {
        // A port nobody listens on.
        do { _ = try Session(path: "postgresql://nobody@127.0.0.1:1/plans"); Issue.record("opened") } catch let e as StoreError {
            #expect(e.kind == .cannotOpen)
            #expect(e.message.contains("127.0.0.1:1"))
            #expect(e.message.contains("\"plans\""))
        }
        // A database that does not exist on the test server.
        let base = try #require(TestPostgres.url)
        let missing = base.replacingOccurrences(of: "/pmq_test", with: "/no_such_db")
        do { _ = try Session(path: missing); Issue.record("opened") } catch let e as StoreError {
            #expect(e.message.contains("no_such_db"))
            #expect(e.message.contains("does not exist"))
        }
    }

    @Test("pmq --db postgresql://..., postgres:// and PMQ_DB")
    func commandLine() throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        let a = try PMQProcess.run(["--db", url, "--today", "2026-03-16", "-e", model])
        #expect(a.status == 0, "\(a.stderr)")
        let short = url.replacingOccurrences(of: "postgresql://", with: "postgres://")
        let b = try PMQProcess.run(["--db", short, "-e", "count tasks"])
        #expect(b.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(b.stderr)")
        let c = try PMQProcess.run(["-e", "count people"], env: ["PMQ_DB": url])
        #expect(c.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(c.stderr)")
        let bad = try PMQProcess.run(["--db", "postgresql://nobody@127.0.0.1:1/plans", "-e", "count tasks"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1"), "\(bad.stderr)")
    }

    @Test("W10: a URL without a database is refused (no schema in the maintenance database); the scheme in any case")
    func urlWithoutDatabaseAndUpperCaseScheme() throws {
        let base = try #require(TestPostgres.url)
        var parts = try #require(URLComponents(string: base))
        parts.path = ""
        parts.query = nil
        let bare = try #require(parts.string)
        for url in [bare, bare + "/"] {
            do { _ = try Session(path: url); Issue.record("opened \(url)") } catch let e as StoreError {
                #expect(e.kind == .cannotOpen)
                #expect(e.message.contains("name the database: postgresql://USER@HOST[:PORT]/DB"), "\(e.message)")
            }
        }
        let cli = try PMQProcess.run(["--db", bare, "-e", "count tasks"])
        #expect(cli.status == 1 && cli.stdout.isEmpty, "\(cli.stdout)")
        #expect(cli.stderr.contains("name the database"), "\(cli.stderr)")
        // `dbname=` names it too.
        parts.query = "dbname=" + String(try #require(URLComponents(string: base)).path.dropFirst())
        #expect(PostgresEngine.namesDatabase(try #require(parts.string)))

        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        #expect(try PMQProcess.run(["--db", url, "-e", model]).status == 0)
        for scheme in ["POSTGRESQL://", "Postgres://"] {
            let upper = scheme + url.dropFirst("postgresql://".count)
            let r = try PMQProcess.run(["--db", upper, "-e", "count tasks"])
            #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(scheme): \(r.stderr)")
        }
    }

    @Test("the C ABI opens a server URL")
    func cABI() throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        var error: UnsafeMutablePointer<CChar>?
        let h = url.withCString { pmq_open_v2($0, &error) }
        #expect(h != nil, "\(error.map { String(cString: $0) } ?? "")")
        pmq_close(h)
        let bad = "postgresql://nobody@127.0.0.1:1/plans".withCString { pmq_open_v2($0, &error) }
        #expect(bad == nil)
        #expect(error.map { String(cString: $0) }?.contains("cannot connect") == true)
        free(error)
    }

    /// Eight sessions (each its own connection, as eight `pmq` processes would have) make 200
    /// change statements each on one project: updates of a shared row and of their own rows,
    /// adds and shifts. Afterwards the data and the journal agree exactly: nothing is lost, and
    /// every statement that did not apply was refused with the conflict message.
    @Test("8 sessions × 200 change statements: nothing lost, every refusal explained")
    func concurrency() throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        let setup = try Session(path: url, today: Day(iso: "2026-03-16"))
        var text = "add project \"TEAM\"\nuse project \"TEAM\"\nadd task \"Shared\" wbs 9 start 2026-03-02 finish 2026-03-06 cost 0\n"
        for w in 1...8 { text += "add task \"Own \(w)\" wbs \(w) start 2026-03-02 finish 2026-03-06 cost 0\n" }
        #expect(setup.run(text).diagnostics.isEmpty)

        let workers = 8, statements = 200
        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var applied: [String: Int] = [:]
            var refused = 0
            var named = 0
            var unexplained: [String] = []
        }
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let worker = w + 1
            guard let s = try? Session(path: url, today: Day(iso: "2026-03-16")) else {
                tally.lock.lock(); tally.unexplained.append("worker \(worker) could not connect"); tally.lock.unlock(); return
            }
            _ = s.run("use project \"TEAM\"")
            for k in 0..<statements {
                let kind: String, stmt: String
                switch k % 4 {
                case 0: kind = "shared"; stmt = "update tasks where wbs = 9 set cost = cost + 1"
                case 1: kind = "own"; stmt = "update tasks where wbs = \(worker) set cost = cost + 1"
                case 2: kind = "add"; stmt = "add risk \"r\(worker)-\(k)\""
                default: kind = "shift"; stmt = "shift tasks where wbs = \(worker) by 1d"
                }
                let d = s.run(stmt).diagnostics
                tally.lock.lock()
                if d.isEmpty {
                    tally.applied[kind, default: 0] += 1
                } else if d.allSatisfy({ $0.message.contains("another user changed the same rows") }) {
                    if d.contains(where: { $0.message.contains("(task 9)") }) { tally.named += 1 }
                    tally.refused += 1
                } else {
                    tally.unexplained.append("\(stmt): \(d.map(\.message))")
                }
                tally.lock.unlock()
            }
        }
        #expect(tally.unexplained.isEmpty, "\(tally.unexplained.prefix(5))")
        // Every refusal names the row that was changed under it: the shared task.
        #expect(tally.named == tally.refused)
        let total = tally.applied.values.reduce(0, +) + tally.refused
        #expect(total == workers * statements)
        // The shared row's cost counts exactly the updates that applied, and so does the journal.
        let s = setup
        #expect(try s.db.scalar("SELECT cost FROM tasks WHERE wbs = '9'") == .decimal(Double(tally.applied["shared"] ?? 0)))
        #expect(try s.db.scalar("SELECT count(*) FROM journal_entries WHERE entity = 'tasks' AND field = 'cost' AND row_id = (SELECT id FROM tasks WHERE wbs = '9')")
                == .integer(Int64(tally.applied["shared"] ?? 0)))
        // Own rows never conflict: every update and shift applied.
        #expect(tally.applied["own"] == workers * statements / 4)
        #expect(tally.applied["shift"] == workers * statements / 4)
        #expect(try s.db.scalar("SELECT sum(cost) FROM tasks WHERE wbs <> '9'") == .decimal(Double(workers * statements / 4)))
        #expect(try s.db.scalar("SELECT count(*) FROM risks") == .integer(Int64(tally.applied["add"] ?? 0)))
        #expect(try s.db.scalar("SELECT count(*) FROM journal_entries WHERE entity = 'risks' AND field = '+'") != .integer(0))
        print("concurrency on PostgreSQL: \(tally.applied) applied, \(tally.refused) refused as conflicts")
    }
}

@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    @Test("every schema step has a PostgreSQL form")
    func stepsAgree() {
        #expect(Migrations.postgresSteps.count == Migrations.steps.count)
    }

    @Test("SQLite's spelling becomes PostgreSQL's")
    func adapt() {
        #expect(PostgresSQL.adapt("SELECT id FROM temp.pmq_rows WHERE a IS ?1 AND b IS NOT ?2 AND c IS NULL LIMIT -1")
                == "SELECT id FROM pg_temp.pmq_rows WHERE a IS NOT DISTINCT FROM $1 AND b IS DISTINCT FROM $2 AND c IS NULL LIMIT ALL")
        #expect(PostgresSQL.adapt("SELECT 'a IS b ?1', CAST(x / 2 AS INTEGER) FROM (SELECT 1 AS x)")
                == "SELECT 'a IS b ?1', pmq_int(x / 2 ) FROM (SELECT 1 AS x) AS pmq_s1")
        #expect(PostgresSQL.adapt("INSERT OR REPLACE INTO holidays (day, name) VALUES (?1, ?2)")
                == "INSERT INTO holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET name = excluded.name")
        #expect(PostgresSQL.adapt("INSERT INTO journal_sets (at, user) VALUES (1, 2)") == "INSERT INTO journal_sets (at, \"user\") VALUES (1, 2)")
    }
}
