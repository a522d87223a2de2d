import Foundation
import Testing
import PMQ

/// Drives the real `pmq` binary in a pseudo-terminal, as a person at a keyboard would.
final class Terminal {
    let master: Int32
    let process: Process
    private(set) var raw = ""

    /// `stdout`: where the shell's standard output goes instead of the terminal (`pmq > file`).
    init(_ args: [String], env: [String: String] = [:], stdout: FileHandle? = nil) throws {
        // posix_openpt and friends are not imported into Swift on Linux; /dev/ptmx with the
        // two ioctls they wrap does the same (TIOCSPTLCK unlocks, TIOCGPTN names the slave).
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            throw POSIXError(.EIO)
        }
        let name = "/dev/pts/\(number)"
        var size = winsize(ws_row: 50, ws_col: 200, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let slave = open(name, O_RDWR | O_NOCTTY)
        process = Process()
        // setsid -c makes the terminal the child's controlling terminal, so Ctrl-C sends SIGINT.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["-c", PMQProcess.binary.path] + args
        process.currentDirectoryURL = PMQProcess.root
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        environment.removeValue(forKey: "PMQ_DB")
        environment.removeValue(forKey: "NO_COLOR")
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = stdout ?? handle
        process.standardError = handle
        try process.run()
        close(slave)
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Types a line and waits for the next prompt: keys typed before readline is ready
    /// again can be lost (the terminal is switching modes), as with any readline program.
    @discardableResult
    func line(_ text: String, prompt: String = "> ") -> String {
        mark()
        send(text + "\r")
        _ = expect("\n") && expect(prompt)
        return screen
    }

    func send(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads until `text` shows up in the screen text (escape sequences removed), or the time is up.
    @discardableResult
    func expect(_ text: String, within seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        let startCount = screen.count
        _ = startCount
        while Date() < deadline {
            if screen.contains(text) { return true }
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 100) > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(master, &buffer, buffer.count)
                if n > 0 { raw += String(decoding: buffer[0..<n], as: UTF8.self) } else if n <= 0 { break }
            }
        }
        return screen.contains(text)
    }

    /// Output since the last `mark()`, without terminal escape sequences.
    var screen: String {
        let text = String(raw.dropFirst(markOffset))
        return text.replacingOccurrences(of: #"\x1B(\[[0-9;?]*[ -/]*[@-~]|[()][A-Za-z0-9]|[=>])"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: "\r", with: "")
    }

    private var markOffset = 0
    func mark() { markOffset = raw.count }

    func waitForExit(within seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline {
            var buffer = [UInt8](repeating: 0, count: 4096)
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 50) > 0 { let n = read(master, &buffer, buffer.count); if n > 0 { raw += String(decoding: buffer[0..<n], as: UTF8.self) } }
        }
        // What the process wrote just before it exited may still be in the terminal: read it,
        // so a test sees its last words (the process may exit before this loop reads them).
        var buffer = [UInt8](repeating: 0, count: 4096)
        var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        while !process.isRunning, poll(&fds, 1, 100) > 0 {
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { break }
            raw += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return !process.isRunning
    }
}

@Suite("The interactive shell in a real terminal", .serialized)
struct ShellTests {
    static func sampleDB() throws -> String {
        let path = PMQProcess.tempDB("shell.db")
        let r = try PMQProcess.run(["--db", path, "--today", "2026-03-16", "examples/gov-cloud/project.pmq"])
        #expect(r.status == 0)
        return path
    }

    func history() -> String {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-history-\(getpid())-\(UUID().uuidString)").path
        return p
    }

    @Test("banner, a query with a footer, Ctrl-D leaves")
    func basics() throws {
        let t = try Terminal([], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("PMQ \(PMQVersion.current) — type .help"), "\(t.raw)")
        #expect(t.expect("in-memory database"), "\(t.raw)")
        #expect(t.expect(".help"))
        #expect(t.expect("pmq> "))
        #expect(t.line("add person \"王芳\" role \"PM\"").contains("added person"))
        let out = t.line("people select name, role", prompt: "pmq> ")
        #expect(out.contains("(1 row)"))
        #expect(out.contains("王芳  PM"))
        t.send("\u{04}")
        #expect(t.waitForExit())
        #expect(!t.process.isRunning && t.process.terminationStatus == 0)
    }

    @Test("incomplete input continues on the next line")
    func continuation() throws {
        let db = try Self.sampleDB()
        let t = try Terminal(["--db", db, "--today", "2026-03-16"], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("pmq> "))
        #expect(t.line("count tasks where").contains("...> "))
        #expect(t.line("wbs under 4.1 and").contains("...> "))
        #expect(t.line("status = todo", prompt: "pmq> ").contains("\n11\n"))  // 4.1 rolls up to doing
        #expect(t.line("print \"open").contains("...> "))
        #expect(t.line("string\"", prompt: "pmq> ").contains("open\nstring"))
    }

    @Test("tab completion: fields, enum values, keys from the data, dotted paths, WBS codes, entities")
    func completion() throws {
        let db = try Self.sampleDB()
        let t = try Terminal(["--db", db, "--today", "2026-03-16"], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("pmq> "))
        t.send("tasks where own\t")
        #expect(t.expect("tasks where owner"))
        t.send("\u{15}")  // Ctrl-U clears the line
        t.mark()
        t.send("tasks where status = d\t")
        #expect(t.expect("doing"))
        #expect(t.expect("done"))
        t.send("\u{15}")
        t.mark()
        t.send("tasks where owner = \"Li W\t")
        #expect(t.expect("\"Li Wei\""))
        t.send("\u{15}")
        t.mark()
        t.send("tasks where owner.depa\t")
        #expect(t.expect("owner.department"))
        t.send("\u{15}")
        t.mark()
        t.send("tasks where wbs under 4.1.1\t")
        #expect(t.expect("4.1.10"))
        t.send("\u{15}")
        t.mark()
        t.send("add mil\t")
        #expect(t.expect("add milestone"))
        t.send("\u{15}")
        t.mark()
        t.send("ris\t")
        #expect(t.expect("risks"))
        t.send("\u{15}")
        t.mark()
        t.send(".sch\t")
        #expect(t.expect(".schema"))
    }

    @Test("W6: Tab after a dot command offers that command's arguments (formats, on/off, entities, topics, file names), not the query keywords")
    func dotCommandArguments() throws {
        let db = try Self.sampleDB()
        let t = try Terminal(["--db", db, "--today", "2026-03-16"], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("pmq> "))
        t.send(".format c\t")
        #expect(t.expect(".format csv"))
        t.send("\u{15}")
        t.mark()
        t.send(".timer of\t")
        #expect(t.expect(".timer off"))
        t.send("\u{15}")
        t.mark()
        t.send(".schema ri\t")
        #expect(t.expect(".schema risks"))
        t.send("\u{15}")
        t.mark()
        t.send(".read examples/tou\t")
        #expect(t.expect(".read examples/tour.pmq"))
        t.send("\u{15}")
        t.mark()
        t.send(".open \"examples/gov\t")
        #expect(t.expect(".open \"examples/gov-cloud/"))
        t.send("\u{15}")
        t.mark()
        // Nothing from the query language: `.today w` once offered `where`.
        t.send(".today w\t\t")
        #expect(!t.expect("where", within: 2))
        t.send("\u{15}")
        #expect(t.line(".format", prompt: "pmq> ").contains("the format is table"))
    }

    @Test("history is recalled and kept between sessions, a multi-line statement as one entry")
    func historyPersists() throws {
        let path = history()
        do {
            let t = try Terminal([], env: ["PMQ_HISTORY": path])
            #expect(t.expect("pmq> "))
            #expect(t.line("count people", prompt: "pmq> ").contains("0"))
            t.line("count tasks where")
            t.line("wbs = 1", prompt: "pmq> ")
            t.send("\u{04}")
            #expect(t.waitForExit())
        }
        let saved = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(saved.contains("count people"))
        let t = try Terminal([], env: ["PMQ_HISTORY": path])
        #expect(t.expect("pmq> "))
        t.mark()
        t.send("\u{1B}[A")  // up: the last statement, both lines
        #expect(t.expect("count tasks where\nwbs = 1"), "\(t.raw.debugDescription) -- \(saved.debugDescription)")
        t.send("\u{15}")
        t.mark()
        t.send("\u{12}peop")  // Ctrl-R: reverse search
        #expect(t.expect("count people"))
    }

    @Test("Ctrl-C clears the line being typed and stays in the shell")
    func interruptInput() throws {
        let t = try Terminal([], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("pmq> "))
        t.mark()
        t.send("tasks where owner = ")
        #expect(t.expect("owner = "))
        t.send("\u{03}")
        #expect(t.expect("^C"), "\(t.raw.debugDescription)")
        #expect(t.expect("^C\npmq> "))
        #expect(t.line("count people", prompt: "pmq> ").contains("\n0\n"))
        #expect(t.process.isRunning)
    }

    @Test("Ctrl-C stops a running statement and rolls it back")
    func interruptStatement() throws {
        let path = PMQProcess.tempDB("long.db")
        var script = "add person \"P\"\nadd project \"X\"\n"
        for i in 1...2_000 { script += "add task \"T\(i)\" wbs \(i)\n" }
        #expect(try PMQProcess.run(["--db", path], stdin: script).status == 0)
        let t = try Terminal(["--db", path], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("pmq> "))
        t.mark()
        // Four million updates: far longer than the wait before Ctrl-C, on any machine.
        t.send("for a in tasks { for t in tasks { update t set notes = \"seen\" } }\r")
        usleep(700_000)
        t.send("\u{03}")
        #expect(t.expect("interrupted"))
        // Said once, the same whether a loop's step or its SQL was running (W9).
        #expect(t.expect("error: interrupted: nothing was changed\n"), "\(t.screen)")
        #expect(t.expect("pmq> "))
        #expect(!t.screen.contains("rolled back: nothing was changed"), "\(t.screen)")
        #expect(t.line("count tasks where notes = \"seen\"", prompt: "pmq> ").contains("\n0\n"))
        #expect(t.process.isRunning)
    }

    @Test(".help, .schema, unknown commands, .format")
    func metaCommands() throws {
        let t = try Terminal([], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("pmq> "))
        #expect(t.line(".help assign", prompt: "pmq> ").contains("assign \"PMO\" as A to milestones"))
        #expect(t.line(".schema risks", prompt: "pmq> ").contains("score        integer  (computed)"))
        #expect(t.line(".frmat json", prompt: "pmq> ").contains("unknown command .frmat; did you mean .format?"))
        t.line(".format json", prompt: "pmq> ")
        #expect(t.line("tasks", prompt: "pmq> ").contains("[]"))
        t.send(".quit\r")
        #expect(t.waitForExit())
    }

    @Test("colour only on a terminal, and never with NO_COLOR")
    func colour() throws {
        let t = try Terminal([], env: ["PMQ_HISTORY": history()])
        #expect(t.expect("pmq> "))
        #expect(t.line("people", prompt: "pmq> ").contains("(0 rows)"))
        #expect(t.raw.contains("\u{1B}[1mname"))
        let plain = try Terminal([], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(plain.expect("pmq> "))
        #expect(plain.line("people", prompt: "pmq> ").contains("(0 rows)"))
        #expect(!plain.raw.contains("\u{1B}[1m"))
    }

    @Test("an error shows its caret under the statement, which stays in history")
    func errorCaret() throws {
        let t = try Terminal([], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        let out = t.line("tasks where ownr = 1", prompt: "pmq> ")
        #expect(out.contains("<shell>:1:13: error: unknown field \"ownr\""))
        #expect(out.contains("\n            ^~~~"))
        t.mark()
        t.send("\u{1B}[A")
        #expect(t.expect("tasks where ownr = 1"))
    }

    @Test("a query pasted over several lines runs as one statement, as in a script")
    func pastedQuery() throws {
        let db = try Self.sampleDB()
        let t = try Terminal(["--db", db, "--today", "2026-03-16"], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        t.mark()
        // One write, as a terminal delivers a paste: the layout docs/language.md uses.
        t.send("tasks where wbs under 4.1\r  and status != done\rselect wbs, name\rorder by wbs desc\rlimit 2\rcount risks\r")
        #expect(t.expect("(2 rows)"), "\(t.raw.debugDescription)")
        #expect(t.expect("wbs     name"), "\(t.screen)")
        #expect(t.expect("4.1.12  Wave 1 live"), "\(t.screen)")
        // The next pasted line starts a statement of its own and runs after the query.
        #expect(t.expect("\n10\n"), "\(t.screen)")
        #expect(!t.screen.contains("error"), "\(t.screen)")
        // Typed one line at a time, a complete line still runs at once.
        #expect(t.expect("pmq> "))
        t.mark()
        t.send("count people\r")
        #expect(t.expect("\n21\n"), "\(t.screen)")
    }

    @Test(".quit and Ctrl-D inside an open begin ask before discarding it")
    func leaveOpenTransaction() throws {
        let db = try Self.sampleDB()
        let t = try Terminal(["--db", db, "--today", "2026-03-16"], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        t.line("begin", prompt: "pmq*> ")
        #expect(t.line("add person \"Temp\"", prompt: "pmq*> ").contains("added person"))
        // No: the shell stays, the transaction still open.
        t.mark()
        t.send(".quit\r")
        #expect(t.expect("A transaction is open (begin): discard its changes and leave? [y/N]"), "\(t.screen)")
        t.send("n\r")
        #expect(t.expect("Still in the transaction"))
        #expect(t.expect("pmq*> "))
        #expect(t.process.isRunning)
        // Ctrl-D asks too; yes rolls back and leaves.
        t.mark()
        t.send("\u{04}")
        #expect(t.expect("discard its changes and leave?"), "\(t.screen)")
        t.send("y\r")
        #expect(t.waitForExit())
        #expect(t.screen.contains("rolled back"), "\(t.screen)")
        let r = try PMQProcess.run(["--db", db, "-e", "count people where name = \"Temp\""])
        #expect(r.stdout == "0\n")
    }

    /// Review 5, R14: `.open` inside `begin` threw the transaction away without a word.
    @Test(".open inside an open begin asks before discarding it, as .quit does")
    func openInsideTransaction() throws {
        let db = try Self.sampleDB()
        let other = PMQProcess.tempDB("other.db")
        let t = try Terminal(["--db", db, "--today", "2026-03-16"], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        t.line("begin", prompt: "pmq*> ")
        #expect(t.line("add person \"Pending\"", prompt: "pmq*> ").contains("added person"))
        // No: still in the transaction, on the same file.
        t.mark()
        t.send(".open \(other)\r")
        #expect(t.expect("A transaction is open (begin): discard its changes and open \(other)? [y/N]"), "\(t.screen)")
        t.send("n\r")
        #expect(t.expect("Still in the transaction"), "\(t.screen)")
        #expect(t.expect("pmq*> "))
        #expect(t.line("count people where name = \"Pending\"", prompt: "pmq*> ").contains("1"))
        // Yes: rolled back, said so, and the other file is open.
        t.mark()
        t.send(".open \(other)\r")
        #expect(t.expect("[y/N]"), "\(t.screen)")
        t.send("y\r")
        #expect(t.expect("rolled back: nothing from the transaction was kept"), "\(t.screen)")
        #expect(t.expect("Opened"), "\(t.screen)")
        #expect(t.expect("pmq> "), "\(t.screen)")
        t.send(".quit\r")
        #expect(t.waitForExit())
        let r = try PMQProcess.run(["--db", db, "-e", "count people where name = \"Pending\""])
        #expect(r.stdout == "0\n")
    }

    /// Review 7, W1: the shell took `--dry-run` and committed every statement.
    @Test("--dry-run in the shell says what each change would have done and keeps nothing, begin ... commit included")
    func dryRun() throws {
        let db = try Self.sampleDB()
        let t = try Terminal(["--db", db, "--today", "2026-03-16", "--dry-run"], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("Dry run"), "\(t.screen)")
        #expect(t.expect("pmq> "))
        #expect(t.line("add person \"Temp\"").contains("would have added person"), "\(t.screen)")
        #expect(t.line("count people where name = \"Temp\"").contains("0"), "\(t.screen)")
        t.line("begin", prompt: "pmq*> ")
        #expect(t.line("add person \"Temp2\"", prompt: "pmq*> ").contains("would have added person"), "\(t.screen)")
        t.line("commit")
        t.send(".quit\r")
        #expect(t.waitForExit())
        let r = try PMQProcess.run(["--db", db, "-e", "count people where name in (\"Temp\", \"Temp2\")", "-e", "count journal"])
        #expect(r.stdout.hasPrefix("0\n"), "\(r.stdout)")
        let before = try PMQProcess.run(["--db", try Self.sampleDB(), "-e", "count journal"])
        #expect(r.stdout == "0\n" + before.stdout, "\(r.stdout) \(before.stdout)")
    }

    @Test("W17: .open and .read take a file name in quotes, as PMQ writes file names; a foreign file says how to take it over")
    func quotedFileNames() throws {
        let db = try Self.sampleDB()
        let dir = URL(fileURLWithPath: db).deletingLastPathComponent()
        let script = dir.appendingPathComponent("w17 read.pmq").path
        FileManager.default.createFile(atPath: script, contents: Data("print \"read it\"\n".utf8))
        let t = try Terminal([], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        #expect(t.line(".open \"\(db)\"", prompt: "pmq> ").contains("Opened \(db)."))
        #expect(t.line("count projects", prompt: "pmq> ").contains("\n1\n"))
        #expect(!FileManager.default.fileExists(atPath: "\"\(db)\""))
        #expect(t.line(".read '\(script)'", prompt: "pmq> ").contains("read it"))
        #expect(t.line(".read \"\(script)\"", prompt: "pmq> ").contains("read it"))
        let foreign = PMQProcess.tempDB("w17-foreign.db")
        _ = try PMQProcess.tool(["python3", "-c", "import sqlite3; c = sqlite3.connect('\(foreign)'); c.execute('create table t(x)'); c.commit()"])
        #expect(t.line(".open \(foreign)", prompt: "pmq> ").contains("no PMQ schema (pmq --db FILE --init adds PMQ's tables to it)"))
    }

    @Test("W21: .open of a URL with a password shows it as *** and keeps it out of the history file")
    func maskedPassword() throws {
        let path = history()
        let t = try Terminal([], env: ["PMQ_HISTORY": path, "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        if let url = TestPostgres.url, var c = URLComponents(string: try TestPostgres.freshURL()) {
            _ = url
            // The test server trusts local connections: the password is given and not needed.
            c.user = c.user ?? "postgres"
            c.password = "s3cret"
            let withPassword = c.string ?? ""
            let out = t.line(".open \(withPassword)", prompt: "pmq> ")
            #expect(out.contains("Opened postgresql://\(c.user ?? ""):***@"), "\(out)")
            // (The first line is the terminal's echo of what was typed.)
            #expect(!out.split(separator: "\n").dropFirst().joined().contains("s3cret"), "\(out)")
        }
        // A server that cannot be reached: the error masks it, and so must the history.
        let out = t.line(".open postgresql://alice:s3cret@127.0.0.1:1/plan", prompt: "pmq> ")
        #expect(out.contains("error:"), "\(out)")
        #expect(!out.split(separator: "\n").dropFirst().joined().contains("s3cret"), "\(out)")
        t.send(".quit\r")
        #expect(t.waitForExit())
        let saved = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(saved.contains(".open postgresql://alice:***@127.0.0.1:1/plan"), "\(saved)")
        #expect(!saved.contains("s3cret"), "\(saved)")
    }

    @Test("W7: Ctrl-D at a continuation prompt drops the statement and says so; exit, quit and help answer with the dot command")
    func ctrlDAndExitWords() throws {
        let t = try Terminal([], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        #expect(t.line("count tasks where").contains("...> "))
        t.mark()
        t.send("\u{04}")
        #expect(t.expect("incomplete statement discarded (Ctrl-D again leaves)"), "\(t.screen)")
        #expect(t.expect("pmq> "))
        #expect(t.process.isRunning)
        #expect(t.line("exit", prompt: "pmq> ").contains("use .quit or Ctrl-D to leave"))
        #expect(t.line("quit;", prompt: "pmq> ").contains("use .quit or Ctrl-D to leave"))
        #expect(t.line("help", prompt: "pmq> ").contains("use .help for help"))
        #expect(!t.screen.contains("unknown entity"))
        #expect(t.line(".today 2026-02-30", prompt: "pmq> ").contains("error: 2026-02-30 is not a real date"))
        // undo inside begin speaks of the transaction (there is no script).
        t.line("begin", prompt: "pmq*> ")
        t.line("add project \"A\"", prompt: "pmq*> ")
        let undo = t.line("undo", prompt: "pmq*> ")
        #expect(undo.contains("undo works on committed changes, and this transaction has changed things already"), "\(undo)")
        #expect(undo.contains("commit or rollback first, then undo"), "\(undo)")
        t.line("rollback", prompt: "pmq> ")
        #expect(t.line("count people", prompt: "pmq> ").contains("\n0\n"))
        t.send("\u{04}")
        #expect(t.waitForExit())
        #expect(t.process.terminationStatus == 0)
    }

    @Test("W12: with standard output redirected, the banner, prompts and typed text stay on the terminal; the file gets only results")
    func redirectedOutput() throws {
        let file = PMQProcess.tempDB("w12-out.txt")
        FileManager.default.createFile(atPath: file, contents: nil)
        let out = try #require(FileHandle(forWritingAtPath: file))
        let t = try Terminal([], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"], stdout: out)
        #expect(t.expect("PMQ \(PMQVersion.current) — type .help"), "\(t.raw)")
        #expect(t.expect("pmq> "))
        #expect(t.line("add project \"A\"", prompt: "pmq> ").contains("add project \"A\""))
        #expect(t.line("count projects", prompt: "pmq> ").contains("count projects"))
        t.send("\u{04}")
        #expect(t.waitForExit())
        try out.close()
        let saved = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        #expect(saved == "1\n", "\(saved.debugDescription)")
    }

    @Test("W22: a bracketed paste of several statements runs as one script: a failing statement keeps none of them")
    func bracketedPasteIsAtomic() throws {
        let t = try Terminal([], env: ["PMQ_HISTORY": history(), "NO_COLOR": "1"])
        #expect(t.expect("pmq> "))
        t.line("add project \"A\"", prompt: "pmq> ")
        t.mark()
        t.send("\u{1B}[200~add task \"a\" wbs 1\radd task \"b\" wbs 1\radd task \"c\" wbs 3\u{1B}[201~")
        t.send("\r")
        #expect(t.expect("duplicate"), "\(t.screen)")
        #expect(t.expect("rolled back: nothing was changed"), "\(t.screen)")
        #expect(t.expect("pmq> "))
        #expect(t.line("count tasks", prompt: "pmq> ").contains("\n0\n"))
    }
}
