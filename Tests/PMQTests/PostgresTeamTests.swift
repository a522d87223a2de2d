import Foundation
import Testing
@testable import PMQ

/// A team on one server, as real `pmq` processes (not threads of one test): each change set
/// is one transaction, conflicting edits are refused naming the row and nothing is lost, and
/// `undo` takes back only the user's own change set. Each person is a database user of
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
    @Test("4 people × 10 pmq runs at once: each change set all or nothing, refusals name the row, nothing lost", .timeLimit(.minutes(3)))
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

    /// Two shells, two people: Ben's change set read the shared task before Ana's committed a
    /// change to it, so Ben's update is refused naming the task; his transaction stays open
    /// and a new attempt after rollback applies over Ana's change.
    @Test("a conflicting edit in another shell is refused naming the row; nothing is lost", .timeLimit(.minutes(1)))
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

    @Test("undo takes back the user's own last change set, not a colleague's later one")
    func undoOwn() throws {
        let (owner, urls, drop) = try Self.team(["ana", "ben"])
        defer { drop() }
        #expect(try PMQProcess.run(["--db", owner, "-e", "add project \"TEAM\"\nadd task \"A\" wbs 1 cost 1\nadd task \"B\" wbs 2 cost 2"]).status == 0)
        #expect(try PMQProcess.run(["--db", urls[0], "-e", "update tasks where wbs = 1 set cost = 11"]).status == 0)
        #expect(try PMQProcess.run(["--db", urls[1], "-e", "update tasks where wbs = 2 set cost = 22"]).status == 0)
        let undo = try PMQProcess.run(["--db", urls[0], "-e", "undo"])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(try Self.value(owner, "tasks select cost").components(separatedBy: .whitespacesAndNewlines).filter { !$0.isEmpty }.suffix(2) == ["1", "22"])
        // Ben's undo is his own; Ana has nothing left to undo but the setup's owner's.
        #expect(try PMQProcess.run(["--db", urls[1], "-e", "undo"]).status == 0)
        #expect(try Self.value(owner, "tasks where wbs = 2 select cost").hasSuffix("2"))
        let nothing = try PMQProcess.run(["--db", urls[0], "-e", "undo"])
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("nothing to undo"), "\(nothing.stderr)")
    }
}
