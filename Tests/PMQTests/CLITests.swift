import Foundation
import Testing

/// Runs the real `pmq` binary, as users and scripts do.
enum PMQProcess {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        let candidates = [".build/debug/pmq", ".build/release/pmq"].map { root.appendingPathComponent($0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    struct Outcome { var stdout: String; var stderr: String; var status: Int32 }

    static func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:], cwd: URL? = nil) throws -> Outcome {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd ?? root
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PMQ_DB")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read before waiting so a large output cannot fill the pipe and stall the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self), status: p.terminationStatus)
    }

    /// Runs another program (python3, swift) from the package root: its status and output.
    static func tool(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = root
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    static func tempDB(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-cli-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
        return path
    }
}

@Suite("The pmq command (docs/language.md, “Scripts and the `pmq` command”)")
struct CLITests {
    let model = """
    add person "DBA" kind team
    add project "GOV"
    add task "Plan" wbs 1 owner "DBA" start 2026-01-05 finish 2026-01-09
    add task "Build" wbs 1.2 owner "DBA" start 2026-01-12 finish 2026-03-01
    """

    @Test("-e is repeatable; results on stdout, change reports on stderr")
    func evalAndStreams() throws {
        let r = try PMQProcess.run(["--today", "2026-03-16", "-e", model, "-e", "count tasks where overdue"])
        #expect(r.status == 0)
        #expect(r.stdout == "2\n")
        #expect(r.stderr.contains("added 2 tasks"))
    }

    @Test("--db keeps data between runs; $PMQ_DB is the default", arguments: TestEngine.all)
    func dbFile(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "cli.db")
        defer { store.drop() }
        let path = try #require(store.location)
        #expect(try PMQProcess.run(["--db", path, "-e", model]).status == 0)
        let r = try PMQProcess.run(["-e", "count tasks"], env: ["PMQ_DB": path])
        #expect(r.stdout == "2\n")
        let mem = try PMQProcess.run(["-e", "count tasks"])
        #expect(mem.stdout == "0\n")
    }

    @Test("a script from standard input")
    func stdinScript() throws {
        let r = try PMQProcess.run(["--today", "2026-03-16", "--format", "json"], stdin: model + "\ntasks select wbs, late")
        #expect(r.status == 0)
        // Plan is a summary: it finishes when Build does (docs/language.md, “Mid-project truth”).
        #expect(r.stdout == "[{\"wbs\":\"1\",\"late\":15},{\"wbs\":\"1.2\",\"late\":15}]\n")
    }

    @Test("script files run in order")
    func scriptFiles() throws {
        let dir = FileManager.default.temporaryDirectory
        let a = dir.appendingPathComponent("pmq-a-\(getpid()).pmq"), b = dir.appendingPathComponent("pmq-b-\(getpid()).pmq")
        try model.write(to: a, atomically: true, encoding: .utf8)
        try "#!/usr/bin/env pmq\ncount tasks".write(to: b, atomically: true, encoding: .utf8)
        let r = try PMQProcess.run([a.path, b.path])
        #expect(r.status == 0)
        #expect(r.stdout == "2\n")
    }

    @Test("errors: FILE:LINE:COL, the line and a caret; exit 1")
    func errorFormat() throws {
        let r = try PMQProcess.run(["-e", "count tasks\ntasks where ownr = 1"])
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr == "<eval>:2:13: error: unknown field \"ownr\" of tasks; did you mean \"owner\"?\ntasks where ownr = 1\n            ^~~~\n")
    }

    @Test("usage errors exit 2", arguments: [["--format", "xml", "-e", "count tasks"], ["--today", "2026-13-01", "-e", "1"], ["--bogus"], ["/nonexistent/script.pmq"]])
    func usage(_ args: [String]) throws {
        let r = try PMQProcess.run(args)
        #expect(r.status == 2)
        #expect(!r.stderr.isEmpty)
    }

    @Test("--check parses and checks only")
    func check() throws {
        let dir = FileManager.default.temporaryDirectory
        let good = dir.appendingPathComponent("pmq-good-\(getpid()).pmq"), bad = dir.appendingPathComponent("pmq-bad-\(getpid()).pmq")
        try "add person \"X\"\ncount people".write(to: good, atomically: true, encoding: .utf8)
        try "tasks where = 1\npeople where nme = 1".write(to: bad, atomically: true, encoding: .utf8)
        let path = PMQProcess.tempDB("check.db")
        let ok = try PMQProcess.run(["--db", path, "--check", good.path])
        #expect(ok.status == 0)
        #expect(ok.stdout == "")
        #expect(try PMQProcess.run(["--db", path, "-e", "count people"]).stdout == "0\n")
        let ko = try PMQProcess.run(["--check", bad.path])
        #expect(ko.status == 1)
        #expect(ko.stderr.contains(":1:13: error:"))
        #expect(ko.stderr.contains(":2:14: error:"))
    }

    @Test("--check reads the model's custom fields and saved queries from --db or $PMQ_DB, a file or PostgreSQL, read-only", arguments: TestEngine.all)
    func checkAgainstTheModel(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "check-model.db")
        defer { store.drop() }
        let location = try #require(store.location)
        #expect(try PMQProcess.run(["--db", location, "-e", model, "-e", "add field \"vendor\" to tasks type text",
                                    "-e", "save query late_dba = tasks where overdue"]).status == 0)
        let dir = FileManager.default.temporaryDirectory
        let good = dir.appendingPathComponent("pmq-cf-\(getpid()).pmq"), bad = dir.appendingPathComponent("pmq-cf-bad-\(getpid()).pmq")
        try "tasks where vendor = \"x\"\nlate_dba select wbs\nadd task \"Z\" wbs 9 vendor \"ACME\"".write(to: good, atomically: true, encoding: .utf8)
        try "tasks where vendr = \"x\"".write(to: bad, atomically: true, encoding: .utf8)
        // On PostgreSQL both were false errors (W15): unknown field "vendor", unknown entity "late_dba".
        let ok = try PMQProcess.run(["--db", location, "--check", good.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr == "")
        let env = try PMQProcess.run(["--check", good.path], env: ["PMQ_DB": location])
        #expect(env.status == 0, "\(env.stderr)")
        let ko = try PMQProcess.run(["--db", location, "--check", bad.path])
        #expect(ko.status == 1)
        #expect(ko.stderr.contains("did you mean \"vendor\"?"), "\(ko.stderr)")
        // Checking changed nothing: the task the script adds is not there.
        #expect(try PMQProcess.run(["--db", location, "-e", "count tasks"]).stdout == "2\n")
    }

    @Test("a failed script keeps nothing in the file", arguments: TestEngine.all)
    func failedScript(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "fail.db")
        defer { store.drop() }
        let path = try #require(store.location)
        let r = try PMQProcess.run(["--db", path, "-e", model + "\nadd task \"Dup\" wbs 1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("duplicate WBS code 1"))
        #expect(try PMQProcess.run(["--db", path, "-e", "count tasks"]).stdout == "0\n")
    }

    @Test("formats", arguments: [
        ("csv", "wbs,name\n1,Plan\n1.2,Build\n"),
        ("markdown", "| wbs | name |\n| --- | --- |\n| 1 | Plan |\n| 1.2 | Build |\n"),
        ("json", "[{\"wbs\":\"1\",\"name\":\"Plan\"},{\"wbs\":\"1.2\",\"name\":\"Build\"}]\n"),
        ("table", "wbs  name\n---  -----\n1    Plan\n1.2  Build\n"),
    ])
    func formats(_ format: String, _ expected: String) throws {
        let r = try PMQProcess.run(["--format", format, "-e", model, "-e", "tasks select wbs, name"])
        #expect(r.stdout == expected)
    }

    @Test("a bare value prints alone in every format", arguments: ["table", "csv", "json", "markdown"])
    func bareValue(_ format: String) throws {
        let r = try PMQProcess.run(["--format", format, "-e", model, "-e", "count tasks"])
        #expect(r.stdout == "2\n")
    }

    /// H7, R1: in Markdown a line right under a table is one more row of it.
    @Test("a bare value after a table is set apart by a blank line, as a print is", arguments: ["table", "markdown"])
    func bareValueAfterTable(_ format: String) throws {
        let r = try PMQProcess.run(["--format", format, "-e", model, "-e", "tasks select wbs limit 1", "-e", "count tasks",
                                    "-e", "tasks select wbs limit 1", "-e", "tasks select min(wbs) as m", "-e", "count tasks"])
        let table = format == "markdown" ? "| wbs |\n| --- |\n| 1 |\n" : "wbs\n---\n1\n"
        #expect(r.stdout == table + "\n2\n\n" + table + "\n1\n2\n")
    }

    @Test("--dry-run reports and keeps nothing", arguments: TestEngine.all)
    func dryRun(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "dry.db")
        defer { store.drop() }
        let path = try #require(store.location)
        let r = try PMQProcess.run(["--db", path, "--dry-run", "-e", model])
        #expect(r.status == 0)
        #expect(r.stderr.contains("would have added 2 tasks"))
        #expect(try PMQProcess.run(["--db", path, "-e", "count tasks"]).stdout == "0\n")
    }

    @Test("the journal books change sets as $PMQ_USER, the user `me` names, so `changed by` finds them")
    func journalUser() throws {
        let path = PMQProcess.tempDB("user.db")
        #expect(try PMQProcess.run(["--db", path, "--today", "2026-03-02", "-e", model], env: ["PMQ_USER": "alice"]).status == 0)
        #expect(try PMQProcess.run(["--db", path, "--today", "2026-03-03", "-e", "update 1.2 set progress = 40"], env: ["PMQ_USER": "bob"]).status == 0)
        let r = try PMQProcess.run(["--db", path, "--format", "csv", "-e", "tasks where progress changed by \"bob\" select wbs order by wbs",
                                    "-e", "journal group by user select user order by user"])
        #expect(r.stdout == "wbs\n1\n1.2\nuser\nalice\nbob\n")  // 1 rolls up from 1.2 in the same change set
    }
}
