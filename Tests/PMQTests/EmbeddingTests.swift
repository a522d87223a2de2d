import Foundation
import Testing
@testable import PMQ
@testable import PMQEmbed

@Suite("Embedding: the Swift API, limits, host functions")
struct EmbeddingTests {
    let model = """
    add person "Li Wei" role "DBA" rate 1200
    add project "GOV"
    add task "Plan" wbs 1 owner "Li Wei" start 2026-03-02 finish 2026-03-06 cost 1000
    add task "Build" wbs 2 owner "Li Wei" start 2026-03-09 finish 2026-03-20 cost 3000
    """

    func session(_ tasks: Int = 0, on store: TestStore? = nil) throws -> Session {
        let s = try Session(path: store?.location, today: Day(iso: "2026-03-16"))
        #expect(s.run(model).diagnostics.isEmpty)
        if tasks > 0 {
            var text = "add task \"Bulk\" wbs 9\n"
            for i in 1...tasks { text += "add task \"T\(i)\" wbs 9.\(i)\n" }
            #expect(s.run(text).diagnostics.isEmpty)
        }
        return s
    }

    @Test("compile reports located diagnostics without running anything", arguments: TestEngine.all)
    func compileOnly(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(on: store)
        guard case .failure(let d) = s.compile(SourceFile(name: "x.pmq", text: "add person \"New\"\ntasks where ownr = 1")) else {
            Issue.record("compiled"); return
        }
        #expect(d.items.count == 1)
        #expect(d.items[0].location?.line == 2)
        #expect(d.items[0].location?.column == 13)
        #expect(d.items[0].range == SourceRange(29, 33))
        #expect(s.run("count people").results == [.scalar(.integer(1), kind: .number)])
    }

    @Test("a compiled program runs and gives typed results", arguments: TestEngine.all)
    func typedResults(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(on: store)
        guard case .success(let program) = s.compile(SourceFile(name: "q", text: "tasks select wbs, owner, finish, late, cost, milestone\ncount tasks")) else {
            Issue.record("did not compile"); return
        }
        #expect(program.statementCount == 2)
        var results: [StatementResult] = []
        #expect(s.run(program) { results.append($0) }.isEmpty)
        guard case .rows(let columns, let rows, _) = results[0] else { Issue.record("no rows"); return }
        #expect(columns.map(\.kind) == [.text, .reference, .date, .duration, .number, .bool])
        #expect(rows[0] == [.text("1"), .reference("Li Wei"), .date(Day(iso: "2026-03-06")!), .duration(10), .decimal(1000), .bool(false)])
        #expect(results[1] == .scalar(.integer(2), kind: .number))
    }

    @Test("a program compiled before other text ran is checked again: it keeps the shell's variables and sees dropped fields")
    func staleProgram() throws {
        let s = try session()
        guard case .success(let program) = s.compile(SourceFile(name: "p", text: "let a = 10\nprint \"a={a}\"")) else {
            Issue.record("did not compile"); return
        }
        var printed: [String] = []
        s.printHandler = { printed.append($0) }
        // Declared after the program was compiled: it takes the slot the program's `a` had.
        #expect(s.run("let b = 2").diagnostics.isEmpty)
        #expect(s.run(program) { _ in }.isEmpty)
        #expect(s.run("print \"b={b} a={a}\"").diagnostics.isEmpty)
        #expect(printed == ["a=10", "b=2 a=10"])
        // Run again as it is: still fresh, nothing recompiled or lost.
        #expect(s.run(program) { _ in }.isEmpty)
        #expect(printed.count == 3)

        #expect(s.run("add field \"vendor\" to tasks type text").diagnostics.isEmpty)
        guard case .success(let reader) = s.compile(SourceFile(name: "r", text: "tasks select vendor")) else {
            Issue.record("did not compile"); return
        }
        #expect(s.run("drop field \"vendor\" from tasks").diagnostics.isEmpty)
        let d = s.run(reader) { _ in }
        #expect(d.map(\.message) == ["unknown field \"vendor\" of tasks"])
    }

    @Test("options: today, params, dry run, a sink for print", arguments: TestEngine.all)
    func options(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(on: store)
        var printed: [String] = []
        s.printHandler = { printed.append($0) }
        s.params = ["who": "Li Wei"]
        s.today = Day(iso: "2026-03-30")!
        let (results, d) = s.run("param who = \"nobody\"\nprint \"{who}: {count tasks where owner = who and overdue}\"", dryRun: true)
        #expect(d.isEmpty)
        #expect(results.isEmpty)
        #expect(printed == ["Li Wei: 2"])
    }

    @Test("host functions are called like built-ins, and checked like them")
    func hostFunctions() throws {
        let s = try session()
        try s.register("share", parameters: [.number, .number], returns: .number) { args in
            guard let a = args[0].number, let b = args[1].number, b != 0 else { return .null }
            return .decimal(a / b)
        }
        try s.register("shout", parameters: [.text], returns: .text) { args in
            guard case .text(let t) = args[0] else { return .null }
            return .text(t.uppercased() + "!")
        }
        let (results, d) = s.run("tasks where share(cost, 1000) > 2 select wbs, shout(name) as n, share(cost, 4000) as s")
        #expect(d.isEmpty)
        #expect(results == [.rows(columns: [.init(name: "wbs", kind: .text), .init(name: "n", kind: .text), .init(name: "s", kind: .number)],
                                  rows: [[.text("2"), .text("BUILD!"), .decimal(0.75)]], single: false)])
        #expect(s.check(SourceFile(name: "t", text: "tasks where share(cost) > 1")).first?.message == "share() takes 2 arguments, not 1")
        #expect(s.check(SourceFile(name: "t", text: "tasks where share(name, 1) > 1")).first?.message == "share() takes a number here, not a text")
        #expect(throws: HostFunctionError.self) { try s.register("count", parameters: [], returns: .number) { _ in .null } }
        #expect(throws: HostFunctionError.self) { try s.register("bad name", parameters: [], returns: .number) { _ in .null } }
    }

    @Test("an error thrown by a host function ends the run and rolls back")
    func hostFunctionError() throws {
        struct Boom: Error {}
        let s = try session()
        try s.register("boom", parameters: [.number], returns: .number) { _ in throw Boom() }
        let d = s.run("add person \"Kept?\"\ntasks where boom(cost) > 1").diagnostics
        #expect(d.first?.message.contains("boom()") == true)
        #expect(s.run("count people").results == [.scalar(.integer(1), kind: .number)])
    }

    @Test("a runaway loop is stopped by the step limit and rolled back")
    func stepLimit() throws {
        let s = try session(200)
        s.limits.maxSteps = 5_000
        let d = s.run("for a in tasks { for b in tasks { update b set notes = \"x\" } }").diagnostics
        #expect(d.first?.message.hasPrefix("step limit exceeded (5000 steps)") == true)
        #expect(s.run("count tasks where notes = \"x\"").results == [.scalar(.integer(0), kind: .number)])
        // The limit is per run: the next run has its own budget.
        #expect(s.run("count tasks").diagnostics.isEmpty)
    }

    @Test("a deadline ends a long run")
    func deadline() throws {
        let s = try session(300)
        s.limits.timeout = .milliseconds(100)
        let started = ContinuousClock.now
        let d = s.run("for a in tasks { for b in tasks { update b set notes = \"x\" } }").diagnostics
        #expect(d.first?.message.hasPrefix("time limit exceeded") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(s.run("count tasks where notes = \"x\"").results == [.scalar(.integer(0), kind: .number)])
    }

    @Test("cancel from another thread stops the run")
    func cancellation() throws {
        let s = try session(300)
        let box = UncheckedBox(s)
        let t = Thread { usleep(100_000); box.value.cancel() }
        t.start()
        let d = s.run("for a in tasks { for b in tasks { update b set notes = \"x\" } }").diagnostics
        #expect(d.first?.message.hasPrefix("interrupted") == true)
        #expect(s.run("count tasks where notes = \"x\"").results == [.scalar(.integer(0), kind: .number)])
    }

    @Test("read-only refuses change statements before anything runs", arguments: TestEngine.all)
    func readOnly(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try session(on: store)
        s.limits.readOnly = true
        let d = s.run("print \"before\"\nupdate tasks set priority = high\nfor t in tasks { delete t }").diagnostics
        #expect(d.map(\.message) == ["read-only: update is not allowed here", "read-only: delete is not allowed here"])
        #expect(d.first?.location?.line == 2)
        #expect(s.run("count tasks where priority = high").results == [.scalar(.integer(0), kind: .number)])
        #expect(s.run("tasks select wbs").diagnostics.isEmpty)
    }

    @Test("sessions on one file from several threads", arguments: TestEngine.all)
    func concurrentSessions(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "concurrent.db")
        defer { store.drop() }
        let path = try #require(store.location)
        do { let s = try Session(path: path); #expect(s.run("add project \"P\"").diagnostics.isEmpty) }
        let failures = UncheckedBox([String]())
        let lock = NSLock()
        let threads = (0..<4).map { n in
            Thread {
                do {
                    let s = try Session(path: path)
                    for i in 0..<25 {
                        let d = s.run("add task \"T\(n)-\(i)\" wbs \"T\(n)-\(i)\"\ncount tasks").diagnostics
                        if !d.isEmpty { lock.lock(); failures.value.append(d[0].message); lock.unlock() }
                    }
                } catch {
                    lock.lock(); failures.value.append("\(error)"); lock.unlock()
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { usleep(10_000) }
        #expect(failures.value.isEmpty)
        let s = try Session(path: path)
        #expect(s.run("count tasks").results == [.scalar(.integer(100), kind: .number)])
    }

    @Test("the C ABI: open, options, exec as JSON, errors, close", arguments: TestEngine.all)
    func cABI(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let h = try #require(store.location.map { pmq_open($0) } ?? pmq_open(nil))
        defer { pmq_close(h) }
        #expect(pmq_set_option(h, "today", "2026-03-16") == 0)
        #expect(pmq_set_option(h, "today", "not a date") == -1)
        #expect(pmq_set_option(h, "nonsense", "1") == -1)
        #expect(pmq_set_option(h, "var.who", "Li Wei") == 0)
        func exec(_ text: String) -> String {
            guard let p = pmq_exec(h, text) else { return "" }
            defer { pmq_free(p) }
            return String(cString: p)
        }
        #expect(exec(model).hasPrefix(#"{"ok":true,"results":[{"changed":1,"verb":"added","entity":"person","#))
        #expect(exec("param who = \"x\"\ncount tasks where owner = who\ntasks select wbs, late limit 1\nprint \"hi\"")
                == #"{"ok":true,"results":[2,[{"wbs":"1","late":10}],{"print":"hi"}]}"#)
        #expect(exec("tasks where ownr = 1")
                == #"{"ok":false,"diagnostics":[{"message":"unknown field \"ownr\" of tasks; did you mean \"owner\"?","line":1,"column":13,"id":"unknown-name","code":"unknown-field"}]}"#)
        #expect(pmq_set_option(h, "readonly", "1") == 0)
        #expect(exec("delete tasks").contains(#""message":"read-only: delete is not allowed here""#))
        #expect(pmq_set_option(h, "readonly", "0") == 0)
        #expect(pmq_set_option(h, "max_steps", "10") == 0)
        // On PostgreSQL a step is a statement sent (docs/language.md): a longer loop reaches ten.
        let loop = engine == .sqlite ? "for t in tasks { for u in tasks { print \"x\" } }" : "for t in tasks { for u in tasks { for v in tasks { update v set progress = 1 } } }"
        #expect(exec(loop).contains("step limit exceeded"))
        #expect(pmq_exec(nil, "count tasks").map { p in defer { pmq_free(p) }; return String(cString: p).contains("no session") } == true)
    }

    @Test("the Python example calls the C ABI through ctypes")
    func pythonExample() throws {
        let lib = PMQProcess.root.appendingPathComponent(".build/debug/libPMQEmbed.so").path
        #expect(FileManager.default.fileExists(atPath: lib), "swift build makes \(lib)")
        let (status, text) = try PMQProcess.tool(["python3", "examples/embed/python/health.py", lib])
        #expect(status == 0, "\(text)")
        #expect(text.contains("overdue tasks: 9"))
        #expect(text.contains("error at 1:13: unknown field \"ownr\""))
        #expect(text.contains("refused: read-only: update is not allowed here"))
        #expect(!text.contains("read-only: read-only"), "the prefix is not doubled")
    }
}

@Suite("The Swift embedding example")
struct SwiftEmbedExampleTests {
    /// A separate package that depends on PMQ by path builds and runs (a minute on a cold cache).
    @Test("examples/embed/swift builds and runs its health check")
    func swiftExample() throws {
        func build() throws -> (Int32, String) {
            try PMQProcess.tool(["swift", "run", "--package-path", "examples/embed/swift", "HealthCheck"])
        }
        var (status, text) = try build()
        if status != 0 {
            // SwiftPM can keep a stale list of a path dependency's files after files are added
            // to it; a clean build of the example settles that (a fresh clone never has one).
            try? FileManager.default.removeItem(at: PMQProcess.root.appendingPathComponent("examples/embed/swift/.build"))
            (status, text) = try build()
        }
        #expect(status == 0, "\(text.suffix(2000))")
        #expect(text.contains("\n9\n"))
        #expect(text.contains("2.2.4  DBA     17d  0.2"))
    }

    /// The README's Swift lines are the example's own, so building the example compiles them.
    @Test("the README's Swift snippet is taken from the example")
    func readmeSnippet() throws {
        let source = try String(contentsOf: PMQProcess.root.appendingPathComponent("examples/embed/swift/Sources/HealthCheck/main.swift"), encoding: .utf8)
        let lines = Docs.blocks(Docs.read("README.md"), tag: "swift").flatMap { $0.components(separatedBy: "\n") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(lines.count >= 4)
        for line in lines { #expect(source.contains(line), "\(line)") }
    }
}

/// Hands a non-Sendable value to another thread in a test that synchronises by hand.
final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
