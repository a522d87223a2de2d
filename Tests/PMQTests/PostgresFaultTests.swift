import Foundation
import Testing
@testable import PMQ

/// Faults of the server (issue 16): a backend ended and a server restarted in the middle of a
/// session and of a script, and connections that cannot be made. Each gives a clear error
/// naming the server, never a crash and never half a change set; the next statement connects
/// again (or, with the server down, says it cannot and why).
@Suite("PostgreSQL faults: lost connections, restarts, bad URLs", .enabled(if: TestPostgres.available, "no PostgreSQL server: see TestPostgres"))
struct PostgresFaultTests {
    let model = """
    add person "Li Wei" role "DBA"
    add project "GOV"
    use project "GOV"
    add task "Plan" wbs 1 owner "Li Wei" start 2026-03-02 finish 2026-03-06 cost 1000
    add task "Build" wbs 2 owner "Li Wei" start 2026-03-09 finish 2026-03-13 cost 3000
    """

    /// `PostgreSQL at HOST:PORT, database "DB"` of a URL, as the messages name a server.
    static func server(_ url: String) -> String {
        let c = URLComponents(string: url)
        return "PostgreSQL at \(c?.host ?? ""):\(c?.port ?? 0), database \"\(c?.path.dropFirst() ?? "")\""
    }

    /// Ends the server process behind `pid` (from another connection, as a DBA or a failover
    /// would) and waits until it is gone.
    static func terminate(_ pid: Value) throws {
        guard case .integer(let p) = pid, let url = TestPostgres.url else { Issue.record("no backend pid"); return }
        #expect(try PostgresEngine(url: url).scalar("SELECT pg_terminate_backend(\(p), 5000)") == .integer(1))
    }

    func count(_ s: Session, _ q: String) -> Value {
        guard case .scalar(let v, _)? = s.run(q).results.first else { return .null }
        return v
    }

    /// Nothing was running, so nothing was lost: the next run notices the closed connection
    /// before it sends anything and runs on a new one.
    @Test("a backend ended between statements: the next statement runs on a new connection")
    func droppedBetweenStatements() throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        let s = try Session(path: url, today: Day(iso: "2026-03-16"))
        #expect(s.run(model).diagnostics.isEmpty)
        let pid = try s.db.scalar("SELECT pg_backend_pid()")
        try Self.terminate(pid)
        let r = s.run("count tasks")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        #expect(r.results == [.scalar(.integer(2), kind: .number)])
        #expect(try s.db.scalar("SELECT pg_backend_pid()") != pid)
        // The journal still records the database user after reconnecting.
        #expect(s.run("update tasks where wbs = 1 set progress = 10").diagnostics.isEmpty)
        #expect(try s.db.scalar("SELECT \"user\" FROM journal_sets ORDER BY id DESC LIMIT 1") == .text(s.db.databaseUser ?? "?"))
    }

    @Test("a backend ended in the middle of a script: the script fails at the statement, nothing of it is kept")
    func droppedMidScript() throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        let s = try Session(path: url, today: Day(iso: "2026-03-16"))
        #expect(s.run(model).diagnostics.isEmpty)
        let sets = try s.db.scalar("SELECT count(*) FROM journal_sets")
        // `print` hands its text to the host in the middle of the run: the backend ends then.
        let pid = try s.db.scalar("SELECT pg_backend_pid()")
        s.printHandler = { _ in try? Self.terminate(pid) }
        let script = "update tasks set cost = 7\nadd task \"Test\" wbs 3\nprint \"half way\"\nadd task \"Deploy\" wbs 4\nupdate tasks set progress = 50\n"
        let d = s.run(script, name: "release.pmq").diagnostics
        s.printHandler = nil
        #expect(d.count == 1)
        #expect(d.first?.message.hasPrefix("lost the connection to \(Self.server(url))") == true, "\(d)")
        // Located at the statement that found the connection gone.
        if let first = d.first { #expect(first.location?.line == 4, "\(DiagnosticRenderer.render(first))") }
        #expect(count(s, "count tasks") == .integer(2))
        #expect(count(s, "count tasks where cost = 7") == .integer(0))
        #expect(try s.db.scalar("SELECT count(*) FROM journal_sets") == sets)
        // And the session goes on.
        #expect(s.run(script.replacingOccurrences(of: "print \"half way\"\n", with: "")).diagnostics.isEmpty)
        #expect(count(s, "count tasks") == .integer(4))
        #expect(count(s, "count tasks where cost = 7") == .integer(2))
    }

    @Test("a backend ended inside the shell's begin ... commit: the transaction is gone, said so, and the shell goes on")
    func droppedInExplicitTransaction() throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        let s = try Session(path: url, today: Day(iso: "2026-03-16"))
        s.allowsExplicitTransactions = true
        #expect(s.run(model).diagnostics.isEmpty)
        #expect(s.run("begin").diagnostics.isEmpty)
        #expect(s.run("update tasks set cost = 1").diagnostics.isEmpty)
        try Self.terminate(try s.db.scalar("SELECT pg_backend_pid()"))
        let d = s.run("update tasks set progress = 5").diagnostics
        #expect(d.first?.message.hasPrefix("lost the connection to \(Self.server(url))") == true, "\(d)")
        #expect(d.first?.notes == ["the transaction opened with begin was lost with the connection: nothing of it was kept"])
        #expect(!s.inExplicitTransaction)
        #expect(count(s, "count tasks where cost = 1") == .integer(0))
        #expect(!s.run("commit").diagnostics.isEmpty, "no transaction is open any more")
        #expect(s.run("update tasks set cost = 2").diagnostics.isEmpty)
        #expect(count(s, "count tasks where cost = 2") == .integer(2))
    }

    @Test("the shell: a connection dropped between statements is reconnected; inside begin it is one clear error, then reconnected", .timeLimit(.minutes(10)))
    func shell() throws {
        let base = try TestPostgres.freshURL()
        defer { TestPostgres.drop(base) }
        let name = "pmq_shell_\(getpid())"
        let url = base + "&application_name=\(name)"
        #expect(try PMQProcess.run(["--db", url, "--today", "2026-03-16", "-e", model]).status == 0)
        let t = try Terminal(["--db", url, "--today", "2026-03-16"], env: ["PMQ_HISTORY": "/dev/null", "NO_COLOR": "1"])
        #expect(t.expect("pmq> "), "\(t.raw)")
        #expect(t.line("count tasks").contains("2"))
        let admin = try PostgresEngine(url: try #require(TestPostgres.url))
        try Self.terminate(try admin.scalar("SELECT pid FROM pg_stat_activity WHERE application_name = ?1", [.text(name)]))
        // Between statements nothing was lost: the next one runs on a new connection.
        #expect(t.line("count tasks").contains("\n2\n"), "\(t.screen)")
        // Inside begin: the shell leaves the lost transaction (its prompt too).
        t.line("begin", prompt: "pmq*> ")
        #expect(t.line("update tasks set cost = 1", prompt: "pmq*> ").contains("updated 2 tasks"), "\(t.screen)")
        try Self.terminate(try admin.scalar("SELECT pid FROM pg_stat_activity WHERE application_name = ?1", [.text(name)]))
        let gone = t.line("count tasks where cost = 1", prompt: "pmq> ")
        #expect(gone.contains("error: lost the connection to \(Self.server(url))"), "\(gone)")
        #expect(gone.contains("the next statement connects again"), "\(gone)")
        #expect(gone.contains("note: the transaction opened with begin was lost with the connection: nothing of it was kept"), "\(gone)")
        #expect(t.line("count tasks where cost = 1", prompt: "pmq> ").contains("\n0\n"), "\(t.screen)")
        t.send("\u{04}")
        #expect(t.waitForExit())
        #expect(t.process.terminationStatus == 0)
    }

    /// Connection errors name the host (and port) and the database, and give the server's
    /// reason on one line; nothing runs, nothing crashes.
    @Test("connection errors: a wrong host, port, database or user", arguments: [
        ("postgresql://pmq@no-such-host.invalid/plans", "PostgreSQL at no-such-host.invalid, database \"plans\"", "could not translate host name"),
        ("postgresql://pmq@127.0.0.1:1/plans", "PostgreSQL at 127.0.0.1:1, database \"plans\"", "Connection refused"),
        ("{server}/no_such_db", "database \"no_such_db\"", "database \"no_such_db\" does not exist"),
        ("{user}no_such_role@{server}", "database \"pmq_test\"", "role \"no_such_role\" does not exist"),
    ])
    func connectionErrors(_ pattern: String, _ place: String, _ reason: String) throws {
        let base = try #require(TestPostgres.url)
        let c = try #require(URLComponents(string: base))
        let hostPort = "\(c.host ?? ""):\(c.port ?? 0)"
        let url = pattern
            .replacingOccurrences(of: "{server}/no_such_db", with: "postgresql://\(c.user ?? "")@\(hostPort)/no_such_db")
            .replacingOccurrences(of: "{user}no_such_role@{server}", with: "postgresql://no_such_role@\(hostPort)/pmq_test")
        let expectedPlace = url.contains(hostPort) ? "PostgreSQL at \(hostPort), " + place : place
        do {
            _ = try Session(path: url)
            Issue.record("opened \(url)")
        } catch let e as StoreError {
            #expect(e.kind == .cannotOpen)
            #expect(e.message.hasPrefix("cannot connect to \(expectedPlace)"), "\(e.message)")
            #expect(e.message.contains(reason), "\(e.message)")
            #expect(!e.message.contains("\n"), "one line: \(e.message)")
        }
        // The same from pmq: one line on standard error, exit 1.
        let r = try PMQProcess.run(["--db", url, "-e", "count tasks"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("error: cannot connect to \(expectedPlace)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
}

/// A PostgreSQL cluster of one test's own (its restarts must not disturb the tests sharing
/// the common server): started with .ci/pg-cluster, stopped and removed by `stop()`.
final class PrivateCluster {
    let dir: String
    let url: String
    static var script: String { TestPostgres.repository.appendingPathComponent(".ci/pg-cluster").path }

    init() throws {
        dir = NSTemporaryDirectory() + "pmq-pg-own-\(getpid())-\(UUID().uuidString.prefix(8))"
        let (status, output) = Self.cluster("start", dir)
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("postgres") }) else {
            throw StoreError(.cannotOpen, "a private cluster did not start: \(output)")
        }
        url = String(line)
    }

    /// Runs .ci/pg-cluster with system(3) and files, not a pipe: the server it starts in the
    /// background keeps its inherited descriptors open, and a pipe would never reach its end.
    static func cluster(_ command: String, _ dir: String) -> (Int32, String) {
        let out = dir + ".\(command).out"
        let status = system("bash '\(script)' \(command) '\(dir)' > '\(out)' 2>&1 < /dev/null")
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: out)
        return (status, text)
    }

    /// `restart`, `down` or `up` (see .ci/pg-cluster).
    func control(_ command: String) throws {
        let (status, output) = Self.cluster(command, dir)
        #expect(status == 0, "pg-cluster \(command): \(output)")
    }

    func stop() { _ = Self.cluster("stop", dir) }
}

@Suite("PostgreSQL faults: the server restarted", .enabled(if: TestPostgres.available, "no PostgreSQL server: see TestPostgres"))
struct PostgresRestartTests {
    /// One cluster for the script and the shell (initdb takes seconds): a script running when
    /// the server restarts fails cleanly and keeps nothing; a shell open across a restart
    /// gets one error, then reconnects; with the server down it says it cannot connect and
    /// why, and connects again once the server is back.
    @Test("a restart in the middle of a script and of a shell session", .timeLimit(.minutes(10)))
    func restart() throws {
        let cluster = try PrivateCluster()
        defer { cluster.stop() }
        let url = cluster.url
        let server = PostgresFaultTests.server(url)
        #expect(try PMQProcess.run(["--db", url, "-e", "add person \"P\"\nadd project \"X\"\nadd task \"Kept\" wbs 1"]).status == 0)

        // A long script: the server restarts while it runs.
        var script = "use project \"X\"\n"
        for i in 2...10_000 { script += "add task \"T\(i)\" wbs \(i) owner \"P\"\n" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-restart-\(getpid()).pmq")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = PMQProcess.binary
        p.arguments = ["--db", url + "?application_name=pmq_restart", file.path]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        // The script's first add reads people: a lock held on it keeps the script waiting in
        // its transaction however fast the machine is, so the restart always finds it mid-way.
        let holder = try PostgresEngine(url: url)
        try holder.execute("BEGIN; LOCK TABLE people IN ACCESS EXCLUSIVE MODE")
        try p.run()
        // Restart once the script's transaction is open (it is mid-way).
        let admin = try PostgresEngine(url: url)
        let deadline = Date().addingTimeInterval(60)
        var midway = false
        while Date() < deadline, p.isRunning {
            let state = try admin.scalar("SELECT state FROM pg_stat_activity WHERE application_name = 'pmq_restart' AND xact_start IS NOT NULL")
            if state != .null { midway = true; break }
            usleep(50_000)
        }
        #expect(midway, "the script's transaction was seen running")
        usleep(200_000)
        try cluster.control("restart")
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("\(file.path):"), "located in the script: \(stderr)")
        #expect(stderr.contains("error: lost the connection to \(server)"), "\(stderr)")
        #expect(!stderr.contains("Fatal error"), "\(stderr)")
        let after = try PMQProcess.run(["--db", url, "-e", "count tasks"])
        #expect(after.stdout == "1\n", "nothing of the script was kept: \(after.stdout) \(after.stderr)")

        // A shell open across a restart, then across the server being down.
        let t = try Terminal(["--db", url, "--today", "2026-03-16"], env: ["PMQ_HISTORY": "/dev/null", "NO_COLOR": "1"])
        #expect(t.expect("pmq> "), "\(t.raw)")
        #expect(t.line("count tasks").contains("\n1\n"), "\(t.screen)")
        // Restarted between statements: the next one runs on a new connection.
        try cluster.control("restart")
        #expect(t.line("add task \"After\" wbs 2").contains("added task"), "\(t.screen)")
        // Restarted inside begin: one clear error, the transaction is gone.
        t.line("begin", prompt: "pmq*> ")
        #expect(t.line("add task \"Lost\" wbs 3", prompt: "pmq*> ").contains("added task"), "\(t.screen)")
        try cluster.control("restart")
        let lost = t.line("add task \"Lost too\" wbs 4", prompt: "pmq> ")
        #expect(lost.contains("error: lost the connection to \(server)"), "\(lost)")
        #expect(lost.contains("note: the transaction opened with begin was lost with the connection"), "\(lost)")
        // Down: it says it cannot connect, and why; back up, the next statement connects.
        try cluster.control("down")
        let down = t.line("count tasks")
        #expect(down.contains("error: cannot connect to \(server): "), "\(down)")
        #expect(down.contains("Connection refused"), "\(down)")
        try cluster.control("up")
        #expect(t.line("count tasks").contains("\n2\n"), "\(t.screen)")
        t.send("\u{04}")
        #expect(t.waitForExit())
    }
}
