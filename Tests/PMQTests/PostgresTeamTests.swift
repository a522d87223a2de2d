import Foundation
import Testing
@testable import PMQ

/// A team on one server, as real `pmq` processes (not threads of one test): each change set
/// is one transaction, conflicting edits are refused naming the row and nothing is lost, and
/// `undo` takes back the last change set, whoever booked it, as on a file. Each person is a database user of
/// their own (a role that is a member of the test server's owner, so it may use the tables).
@Suite("PostgreSQL: a team of pmq processes on one project", .enabled(if: TestPostgres.available, "no PostgreSQL server: see TestPostgres"))
struct PostgresTeamTests {
    /// A fresh model and one database user per name: their URLs, and a function that drops it all.
    static func team(_ names: [String]) throws -> (owner: String, users: [String], drop: () -> Void) {
        let base = try #require(TestPostgres.url)
        let owner = try TestPostgres.freshURL()
        let admin = try PostgresEngine(url: base)
        guard case .text(let me) = try admin.scalar("SELECT current_user") else { throw StoreError(.other, "no current_user") }
        var roles: [String] = []
        var urls: [String] = []
        // The suite's tests run in parallel in one process and share names ("ana"): the roles
        // of each team get a tag of their own, or one test's drop removes another's roles.
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        for n in names {
            let role = "pmq_\(n)_\(getpid())_\(tag)"
            try admin.execute("DROP ROLE IF EXISTS \(role); CREATE ROLE \(role) LOGIN IN ROLE \(me)")
            roles.append(role)
            urls.append(owner.replacingOccurrences(of: "://\(me)@", with: "://\(role)@"))
        }
        return (owner, urls, {
            TestPostgres.drop(owner)
            for r in roles { try? admin.execute("DROP ROLE IF EXISTS \(r)") }
        })
    }

    static func value(_ url: String, _ q: String) throws -> String {
        try PMQProcess.run(["--db", url, "-e", q]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Four people, each a `pmq` process after another (ten each), all at once: every run is
    /// one change set that raises the shared task's cost, their own task's cost and adds a
    /// risk. A run either applies all three or is refused naming the shared task and keeps
    /// nothing; afterwards the data, the journal and the runs agree exactly.
    @Test("4 people × 10 pmq runs at once: each change set all or nothing, refusals name the row, nothing lost", .timeLimit(.minutes(10)))
    func processes() throws {
        let people = ["ana", "ben", "chen", "dara"]
        let (owner, urls, drop) = try Self.team(people)
        defer { drop() }
        var setup = "add project \"TEAM\"\nuse project \"TEAM\"\nadd task \"Shared\" wbs 9 cost 0\n"
        for w in 1...people.count { setup += "add task \"Own \(w)\" wbs \(w) cost 0\n" }
        let s = try PMQProcess.run(["--db", owner, "-e", setup])
        #expect(s.status == 0, "\(s.stderr)")

        let runs = 10
        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var applied = [Int](repeating: 0, count: 8)
            var refused = 0
            var unexplained: [String] = []
        }
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: people.count) { w in
            for k in 0..<runs {
                let text = "use project \"TEAM\"\nupdate tasks where wbs = 9 set cost = cost + 1\nupdate tasks where wbs = \(w + 1) set cost = cost + 1\nadd risk \"r\(w + 1)-\(k)\""
                let r = try? PMQProcess.run(["--db", urls[w], "-e", text])
                tally.lock.lock()
                if let r, r.status == 0 {
                    tally.applied[w] += 1
                } else if let r, r.status == 1, r.stderr.contains("refused: another user changed the same rows while this ran (task 9)") {
                    tally.refused += 1
                } else {
                    tally.unexplained.append("\(people[w]) run \(k): \(r.map { "\($0.status) \($0.stderr)" } ?? "did not start")")
                }
                tally.lock.unlock()
            }
        }
        #expect(tally.unexplained.isEmpty, "\(tally.unexplained.prefix(3))")
        let applied = tally.applied.reduce(0, +)
        #expect(applied + tally.refused == people.count * runs)
        #expect(try Self.value(owner, "tasks where wbs = 9 select cost") .hasSuffix("\(applied)"))
        for w in 0..<people.count {
            #expect(try Self.value(owner, "tasks where wbs = \(w + 1) select cost").hasSuffix("\(tally.applied[w])"))
        }
        #expect(try Self.value(owner, "count risks") == "\(applied)")
        // The journal: one change set per applied run, booked as its person.
        let db = try PostgresEngine(url: owner)
        for (w, url) in urls.enumerated() {
            let user = try #require(URLComponents(string: url)?.user)
            #expect(try db.scalar("SELECT count(*) FROM journal_sets WHERE \"user\" = ?1", [.text(user)]) == .integer(Int64(tally.applied[w])))
        }
        print("pmq processes on PostgreSQL: \(applied) change sets applied, \(tally.refused) refused as conflicts")
    }

    /// The issue's concurrency test, as it names it: 8 `pmq` processes (the built CLI, each a
    /// shell in a terminal of its own and a database user of its own) run 200 change
    /// statements each on one project at once, every statement its own change set: updates
    /// and shifts of a shared task, updates and shifts of the process's own task, and adds
    /// (tasks and risks). Each statement's outcome is read from its shell: applied, or refused
    /// naming the shared task. Then the data, the journal and those outcomes must agree
    /// exactly. A lost update fails it three ways: the shared task's cost (or start) falls
    /// short of the updates that reported success, the journal's old → new chain of that field
    /// repeats a value (two change sets read the same old value), and the change sets booked
    /// for a user differ from the statements their shell saw applied.
    @Test("8 pmq processes × 200 change statements on one project: data and journal agree, every refusal names the row", .timeLimit(.minutes(10)))
    func eightProcesses() throws {
        let workers = 8, statements = 200
        let (owner, urls, drop) = try Self.team((1...workers).map { "p\($0)" })
        defer { drop() }
        // Task 9 is shared; task w belongs to process w. Day numbers are checked below.
        var setup = "add project \"TEAM\"\nuse project \"TEAM\"\nadd task \"Shared\" wbs 9 start 2026-03-02 finish 2026-03-06 cost 0\n"
        for w in 1...workers { setup += "add task \"Own \(w)\" wbs \(w) start 2026-03-02 finish 2026-03-06 cost 0\n" }
        let s = try PMQProcess.run(["--db", owner, "--today", "2026-03-16", "-e", setup])
        #expect(s.status == 0, "\(s.stderr)")
        let db = try PostgresEngine(url: owner)
        guard case .integer(let setupSets) = try db.scalar("SELECT max(id) FROM journal_sets"), case .integer(let setupCount) = try db.scalar("SELECT count(*) FROM journal_sets"),
              case .integer(let start0) = try db.scalar("SELECT start FROM tasks WHERE wbs = '9'") else { Issue.record("no setup"); return }

        /// What process `w` sends as its statement `k`, and what kind of change it is.
        enum Kind: String, CaseIterable { case sharedCost, sharedShift, ownCost, ownShift, addTask, addRisk }
        func statement(_ w: Int, _ k: Int) -> (Kind, String, report: String) {
            switch k % 8 {
            case 0, 2: return (.sharedCost, "update tasks where wbs = 9 set cost = cost + 1", "updated 1 task")
            case 4: return (.sharedShift, "shift tasks where wbs = 9 by 1d", "shifted 1 task")
            case 1, 5: return (.ownCost, "update tasks where wbs = \(w) set cost = cost + 1", "updated 1 task")
            case 3: return (.ownShift, "shift tasks where wbs = \(w) by 1d", "shifted 1 task")
            case 6: return (.addTask, "add task \"T\(w)-\(k)\" wbs \(w)\(1000 + k)", "added task \(w)\(1000 + k)")
            default: return (.addRisk, "add risk \"R\(w)-\(k)\"", "added risk \"R\(w)-\(k)\"")
            }
        }
        final class Outcomes: @unchecked Sendable {
            let lock = NSLock()
            var applied: [[Kind: Int]] = Array(repeating: [:], count: 8)
            var appliedNames: Set<String> = []
            var refused = 0
            var unexplained: [String] = []
            func add(_ body: (Outcomes) -> Void) { lock.lock(); body(self); lock.unlock() }
        }
        let outcomes = Outcomes()
        let env = ["PMQ_HISTORY": "/dev/null", "NO_COLOR": "1"]
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: workers) { i in
            let w = i + 1
            guard let t = try? Terminal(["--db", urls[i], "--today", "2026-03-16"], env: env), t.expect("pmq> ", within: 30) else {
                outcomes.add { $0.unexplained.append("process \(w) did not start") }
                return
            }
            defer { t.send("\u{04}"); _ = t.waitForExit() }
            guard t.line("use project \"TEAM\"", prompt: "pmq> ").contains("pmq> ") else {
                outcomes.add { $0.unexplained.append("process \(w): use project gave no prompt: \(t.screen)") }
                return
            }
            for k in 0..<statements {
                let (kind, text, report) = statement(w, k)
                let out = t.line(text, prompt: "pmq> ")
                let answer = out.components(separatedBy: "\n").dropFirst().filter { !$0.isEmpty && $0 != "pmq> " }.joined(separator: " | ")
                outcomes.add { o in
                    if !out.hasSuffix("pmq> ") {
                        o.unexplained.append("process \(w), statement \(k) (\(text)): no prompt came back: \(out)")
                    } else if answer == report {
                        o.applied[i][kind, default: 0] += 1
                        if kind == .addTask || kind == .addRisk { o.appliedNames.insert(kind == .addTask ? "T\(w)-\(k)" : "R\(w)-\(k)") }
                    } else if (kind == .sharedCost || kind == .sharedShift),
                              answer.contains("error: refused: another user changed the same rows while this ran (task 9); nothing was changed") {
                        o.refused += 1
                    } else {
                        o.unexplained.append("process \(w), statement \(k) (\(text)): \(answer)")
                    }
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(outcomes.unexplained.isEmpty, "\(outcomes.unexplained.count) unexplained: \(outcomes.unexplained.prefix(5))")
        func total(_ kind: Kind) -> Int { outcomes.applied.reduce(0) { $0 + ($1[kind] ?? 0) } }
        let appliedAll = outcomes.applied.reduce(0) { $0 + $1.values.reduce(0, +) }
        #expect(appliedAll + outcomes.refused == workers * statements)
        // Own rows and adds never conflict. A statement on the shared task that met another's
        // change is run again (Transactions.run), so refusals are rare: only a conflict that
        // persisted through every retry is one (tenProcessesOneRow checks that they all apply).
        for kind in [Kind.ownCost, .ownShift, .addTask, .addRisk] {
            #expect(total(kind) == workers * statements * (kind == .ownCost ? 2 : 1) / 8, "\(kind)")
        }

        // The data: every applied change is there, and nothing else.
        let sharedCost = total(.sharedCost), sharedShift = total(.sharedShift)
        #expect(try db.scalar("SELECT cost FROM tasks WHERE wbs = '9'") == .decimal(Double(sharedCost)))
        #expect(try db.scalar("SELECT start FROM tasks WHERE wbs = '9'") == .integer(start0 + Int64(sharedShift)))
        #expect(try db.scalar("SELECT finish - start FROM tasks WHERE wbs = '9'") == .integer(4))
        for w in 1...workers {
            #expect(try db.scalar("SELECT cost FROM tasks WHERE wbs = ?1", [.text("\(w)")]) == .decimal(Double(statements / 4)))
            #expect(try db.scalar("SELECT start FROM tasks WHERE wbs = ?1", [.text("\(w)")]) == .integer(start0 + Int64(statements / 8)))
        }
        var names: Set<String> = []
        try db.query("SELECT name FROM tasks WHERE name LIKE 'T%' UNION ALL SELECT title FROM risks") { r in
            if case .text(let n) = r[0] { names.insert(n) }
        }
        #expect(names == outcomes.appliedNames)

        // The journal: one change set per applied statement, booked as the process's user.
        #expect(try db.scalar("SELECT count(*) FROM journal_sets") == .integer(Int64(appliedAll) + setupCount))
        for (i, url) in urls.enumerated() {
            let user = try #require(URLComponents(string: url)?.user)
            let n = outcomes.applied[i].values.reduce(0, +)
            #expect(try db.scalar("SELECT count(*) FROM journal_sets WHERE \"user\" = ?1", [.text(user)]) == .integer(Int64(n)), "\(user)")
            // Its adds, as ranges of rows: exactly the rows its shell saw added.
            let added = try db.scalar("SELECT sum(coalesce(e.new_value::bigint, e.row_id) - e.row_id + 1) FROM journal_entries e JOIN journal_sets s ON s.id = e.set_id WHERE s.\"user\" = ?1 AND e.field = '+'", [.text(user)])
            #expect(added == .integer(Int64((outcomes.applied[i][.addTask] ?? 0) + (outcomes.applied[i][.addRisk] ?? 0))), "\(user)")
        }
        // Each journaled field of a row is a chain: sorted by old value every step adds one
        // (cost) or one day (start, finish) from the value at setup to the value now, with no
        // value twice. Two change sets that both read the same old value would repeat it.
        func chain(_ wbs: String, _ field: String, from first: Double, steps: Int, by step: Double) throws {
            var pairs: [(Double, Double)] = []
            try db.query("SELECT old_value, new_value FROM journal_entries WHERE entity = 'tasks' AND field = ?1 AND row_id = (SELECT id FROM tasks WHERE wbs = ?2) AND set_id > ?3",
                         [.text(field), .text(wbs), .integer(setupSets)]) { r in
                if case .text(let o) = r[0], case .text(let n) = r[1], let a = Double(o), let b = Double(n) { pairs.append((a, b)) }
            }
            pairs.sort { $0.0 < $1.0 }
            let expected = (0..<steps).map { (first + Double($0) * step, first + Double($0 + 1) * step) }
            #expect(pairs.count == steps && zip(pairs, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 },
                    "task \(wbs) \(field): \(pairs.count) journal entries, \(steps) applied; first differences: \(zip(pairs, expected).filter { $0.0 != $1.0 || $0.1 != $1.1 }.prefix(3))")
        }
        try chain("9", "cost", from: 0, steps: sharedCost, by: 1)
        try chain("9", "start", from: Double(start0), steps: sharedShift, by: 1)
        try chain("9", "finish", from: Double(start0 + 4), steps: sharedShift, by: 1)
        for w in 1...workers {
            try chain("\(w)", "cost", from: 0, steps: statements / 4, by: 1)
            try chain("\(w)", "start", from: Double(start0), steps: statements / 8, by: 1)
        }
        print("8 pmq processes × \(statements) statements on PostgreSQL in \(String(format: "%.1f", seconds)) s: \(appliedAll) change sets applied, \(outcomes.refused) refused naming task 9 (shared: \(sharedCost) cost updates, \(sharedShift) shifts applied)")
    }

    /// §8.8: every statement behaves as on SQLite, where writers queue. Ten `pmq` processes,
    /// started together (threads of their own, not a pool of two), each update the same task
    /// twenty times, every update its own change set: a run that meets another's change is
    /// run again from its start, so every one applies and none is lost.
    @Test("10 pmq processes update the same task at once: every statement applies", .timeLimit(.minutes(10)))
    func tenProcessesOneRow() throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        #expect(try PMQProcess.run(["--db", url, "-e", "add project \"TEAM\"\nadd task \"Shared\" wbs 9 cost 0"]).status == 0)
        let processes = 10, updates = 20
        final class Failures: @unchecked Sendable {
            let lock = NSLock()
            var items: [String] = []
            func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
        }
        let failures = Failures()
        let group = DispatchGroup()
        for p in 0..<processes {
            group.enter()
            Thread {
                defer { group.leave() }
                var args = ["--db", url]
                for k in 0..<updates { args += ["-e", "update tasks where wbs = 9 set cost = cost + 1, notes = \"p\(p) u\(k)\""] }
                do {
                    let r = try PMQProcess.run(args)
                    if r.status != 0 { failures.add("process \(p): status \(r.status): \(r.stderr)") }
                } catch { failures.add("process \(p) did not start: \(error)") }
            }.start()
        }
        group.wait()
        #expect(failures.items.isEmpty, "\(failures.items.prefix(3))")
        #expect(try Self.value(url, "tasks where wbs = 9 select cost").hasSuffix("\(processes * updates)"))
        let db = try PostgresEngine(url: url)
        #expect(try db.scalar("SELECT count(*) FROM journal_entries WHERE entity = 'tasks' AND field = 'cost'") == .integer(Int64(processes * updates)))
    }

    /// Two shells, two people: Ben's change set read the shared task before Ana's committed a
    /// change to it, so Ben's update is refused naming the task; his transaction stays open
    /// and a new attempt after rollback applies over Ana's change.
    @Test("a conflicting edit in another shell is refused naming the row; nothing is lost", .timeLimit(.minutes(10)))
    func conflictBetweenShells() throws {
        let (owner, urls, drop) = try Self.team(["ana", "ben"])
        defer { drop() }
        #expect(try PMQProcess.run(["--db", owner, "-e", "add project \"TEAM\"\nadd task \"Shared\" wbs 9 cost 10"]).status == 0)
        let env = ["PMQ_HISTORY": "/dev/null", "NO_COLOR": "1"]
        let ana = try Terminal(["--db", urls[0]], env: env), ben = try Terminal(["--db", urls[1]], env: env)
        #expect(ana.expect("pmq> ") && ben.expect("pmq> "))
        ana.line("begin", prompt: "pmq*> ")
        ben.line("begin", prompt: "pmq*> ")
        #expect(ben.line("tasks where wbs = 9 select cost", prompt: "pmq*> ").contains("10"))
        #expect(ana.line("update tasks where wbs = 9 set cost = 20", prompt: "pmq*> ").contains("updated 1 task"))
        ana.line("commit")
        let refused = ben.line("update tasks where wbs = 9 set cost = cost + 5", prompt: "pmq*> ")
        #expect(refused.contains("error: refused: another user changed the same rows while this ran (task 9); nothing was changed"), "\(refused)")
        ben.line("rollback")
        #expect(ben.line("update tasks where wbs = 9 set cost = cost + 5").contains("updated 1 task"), "\(ben.screen)")
        #expect(try Self.value(owner, "tasks where wbs = 9 select cost").hasSuffix("25"))
        for t in [ana, ben] { t.send("\u{04}"); #expect(t.waitForExit()) }
    }

    /// Tasks 1 and 2 of a project TEAM, and Ana's shell (the first URL) with a `begin` open.
    static func anaInBegin(_ owner: String, _ urls: [String]) throws -> Terminal {
        #expect(try PMQProcess.run(["--db", owner, "-e", "add project \"TEAM\"\nadd task \"A\" wbs 1 cost 1\nadd task \"B\" wbs 2 cost 2"]).status == 0)
        let ana = try Terminal(["--db", urls[0]], env: ["PMQ_HISTORY": "/dev/null", "NO_COLOR": "1"])
        #expect(ana.expect("pmq> "))
        ana.line("begin", prompt: "pmq*> ")
        return ana
    }

    /// Review 7, W11: a colleague's shell left in `begin` froze every other writer (and
    /// `check`) until it committed. Now they give up after the busy timeout, as on SQLite.
    @Test("a writer facing a colleague's open begin gives up after 5 s with SQLite's busy error", .timeLimit(.minutes(10)))
    func busyLikeSQLite() throws {
        let (owner, urls, drop) = try Self.team(["ana", "ben"])
        defer { drop() }
        let ana = try Self.anaInBegin(owner, urls)
        #expect(ana.line("update tasks where wbs = 1 set cost = 10", prompt: "pmq*> ").contains("updated 1 task"))
        let started = Date()
        let ben = try PMQProcess.run(["--db", urls[1], "-e", "update tasks where wbs = 2 set cost = 20"])
        #expect(ben.status == 1)
        #expect(ben.stderr.contains("the database is busy: another program has been writing to it for more than 5 seconds; nothing was changed"), "\(ben.stderr)")
        #expect(Date().timeIntervalSince(started) < 120)
        ana.line("commit")
        #expect(try PMQProcess.run(["--db", urls[1], "-e", "update tasks where wbs = 2 set cost = 20"]).status == 0)
        #expect(try Self.value(owner, "tasks select cost").components(separatedBy: .whitespacesAndNewlines).filter { !$0.isEmpty }.suffix(2) == ["10", "20"])
        ana.send("\u{04}")
        #expect(ana.waitForExit())
    }

    /// Review 7, W24: once a colleague committed after a shell's `begin`, every change in it
    /// failed on the change set's number ("duplicate key ... journal_sets_pkey").
    @Test("a change inside begin after a colleague committed takes the next free change-set number", .timeLimit(.minutes(10)))
    func numberAfterColleague() throws {
        let (owner, urls, drop) = try Self.team(["ana", "ben"])
        defer { drop() }
        let ana = try Self.anaInBegin(owner, urls)
        #expect(ana.line("count tasks", prompt: "pmq*> ").contains("2"))
        let ben = try PMQProcess.run(["--db", urls[1], "-e", "add person \"Bob\""])
        #expect(ben.status == 0, "\(ben.stderr)")
        let added = ana.line("add person \"Ann\"", prompt: "pmq*> ")
        #expect(added.contains("added person") && !added.contains("error"), "\(added)")
        #expect(ana.line("update tasks where wbs = 2 set cost = 7", prompt: "pmq*> ").contains("updated 1 task"), "\(ana.screen)")
        ana.line("commit")
        ana.send("\u{04}")
        #expect(ana.waitForExit())
        #expect(try Self.value(owner, "count people where name in (\"Ann\", \"Bob\")") == "2")
        // Numbers stay dense: the setup's set 1, Ben's 2, then Ana's 3 (people and tasks).
        let sets = try Self.value(owner, "journal where entity = \"people\" select set order by set")
        #expect(sets == "set\n---\n  2\n  3", "\(sets)")
        #expect(try Self.value(owner, "count journal where set > 3") == "0")
    }

    @Test("W23: undo takes back the last change set whoever booked it, as on a file (spec §8.8: every statement behaves as on SQLite)")
    func undoLastWhoever() throws {
        let (owner, urls, drop) = try Self.team(["ana", "ben"])
        defer { drop() }
        #expect(try PMQProcess.run(["--db", owner, "-e", "add project \"TEAM\"\nadd task \"A\" wbs 1 cost 1\nadd task \"B\" wbs 2 cost 2"]).status == 0)
        #expect(try PMQProcess.run(["--db", urls[0], "-e", "update tasks where wbs = 1 set cost = 11"]).status == 0)
        #expect(try PMQProcess.run(["--db", urls[1], "-e", "update tasks where wbs = 2 set cost = 22"]).status == 0)
        let costs = { try Self.value(owner, "tasks select cost").components(separatedBy: .whitespacesAndNewlines).filter { !$0.isEmpty }.suffix(2) }
        // Ana's undo takes back Ben's change, the last one; the journal says it was Ben's.
        let undo = try PMQProcess.run(["--db", urls[0], "-e", "undo"])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stderr.contains("undid change 3"), "\(undo.stderr)")
        #expect(try costs() == ["11", "2"])
        // Her redo brings it back, and Ben's undo then takes back his own again.
        #expect(try PMQProcess.run(["--db", urls[0], "-e", "redo"]).status == 0)
        #expect(try costs() == ["11", "22"])
        #expect(try PMQProcess.run(["--db", urls[1], "-e", "undo"]).status == 0)
        #expect(try PMQProcess.run(["--db", urls[1], "-e", "undo"]).status == 0)
        #expect(try costs() == ["1", "2"])
    }
}
