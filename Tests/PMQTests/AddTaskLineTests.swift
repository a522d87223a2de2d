import Foundation
import Testing
@testable import PMQ

/// A data load's `add task` lines are read straight from their bytes (`AddTaskLine`) instead
/// of through the lexer, parser and checker. Both ways must give the same checked `add` (values
/// and source ranges), the same rows and the same errors at the same places, on any line.
@Suite("Load: add task lines read straight from their bytes")
struct AddTaskLineTests {
    /// Lines the reader takes, each with what it must make of them.
    static let taken: [String] = [
        "add task \"Build\" wbs 1.4 owner \"Li Wei\" status doing progress 40 start 2026-03-16 finish 2026-03-27 cost 500",
        "add task \"数据 加载\" wbs 1.5 owner \"王芳\"",
        "add task \"Two  spaces\"\twbs\t1.6   start 2026-03-16  ",
        "add task \"Prio\" wbs 1.7 priority high notes \"n\" effort 12 baseline_cost 0",
        "add task \"Leading zeros\" wbs 01.08 progress 007 cost 000",
        "add task \"Wide\" wbs 1.9 cost 123456789012345",
        "add task \"CR\" wbs 1.10 status Done\r",
        "add task \"Actuals\" wbs 1.11 actual_start 2026-03-02 actual_finish 2026-03-04 baseline_start 2026-03-02 baseline_finish 2026-03-05",
        "add task \"Sub\" wbs 1.2.1 start 2026-03-09 finish 2026-03-10",
        "add task \"No code\"",
    ]

    /// Lines the reader takes whose run is refused (the database or the executor finds the
    /// fault): the error, located, must be the same as the full way's.
    static let takenRefusedWhenRun: [String] = [
        "add task \"Dup\" wbs 1.2",
        "add task \"Unknown owner\" wbs 1.4 owner \"Nobody\"",
        "add task \"Order\" wbs 1.4 start 2026-03-20 finish 2026-03-10",
        "add task \"Orphan\" wbs 7.1",
    ]

    /// Lines left to the parser and checker (odd, wrong or beyond the reader); each also runs.
    static let left: [String] = [
        "ADD TASK \"Upper\" wbs 1.4",
        "add Task \"Mixed\" wbs 1.4",
        "add task \"Owner\" wbs 1.4 OWNER \"Li Wei\"",
        "add task \"Esc\\\"aped\" wbs 1.4",
        "add task \"Brace {1 + 1}\" wbs 1.4",
        "add task \"\" wbs 1.4",
        "add task \"   \" wbs 1.4",
        "add task 'raw' wbs 1.4",
        "add task \"Comment\" wbs 1.4 # a comment",
        "add task \"Semi\" wbs 1.4; add task \"Semi2\" wbs 1.5",
        "add task \"Dur\" wbs 1.4 start 2026-03-16 duration 5wd",
        "add task \"Twice\" wbs 1.4 wbs 1.5",
        "add task \"Unknown\" wbs 1.4 colour \"red\"",
        "add task \"Parent\" wbs 1.4 parent 1",
        "add task \"Id\" wbs 1.4 id 5",
        "add task \"Bad status\" wbs 1.4 status sleeping",
        "add task \"Null status\" wbs 1.4 status null",
        "add task \"Bad date\" wbs 1.4 start 2026-02-30",
        "add task \"Date glued\" wbs 1.4 start 2026-03-16x",
        "add task \"Progress\" wbs 1.4 progress 150",
        "add task \"Negative\" wbs 1.4 cost -5",
        "add task \"Decimal\" wbs 1.4 cost 5.5",
        "add task \"Sum\" wbs 1.4 cost 5 + 5",
        "add task \"Underscore\" wbs 1.4 cost 1_000",
        "add task \"Huge\" wbs 1.4 cost 99999999999999999999",
        "add task \"Unit\" wbs 1.4 cost 5d",
        "add task \"Text date\" wbs 1.4 start \"2026-03-16\"",
        "add task \"Date as number\" wbs 1.4 progress 2026-03-16",
        "add task \"Bad code\" wbs 1..4",
        "add task \"Dot end\" wbs 1.4.",
        "add task \"Milestone\" wbs 1.4 milestone true",
        "add task \"Tags\" wbs 1.4 tags (\"a\", \"b\")",
        "add task \"Var\" wbs 1.4 status x",
        "add task \"Glued\"wbs 1.4",
        "add task \"Open",
        "add task \"Cont\" wbs 1.4 status to",
        "add task \"Key\" wbs 1.4 progress",
        "add task wbs 1.4",
        "add task \"Ctl\u{7}\" wbs 1.4",
        "add task \"Today\" wbs 1.4 start today",
        "add task \"Date sum\" wbs 1.4 start 2026-03-16 + 2d",
        "add task \"Umlaut field\" wbs 1.4 stätus doing",
        "add task \"Word glued\" wbs 1.4 status doneé",
        "add task \"Line continued\" wbs 1.4 \\\n cost 5",
        "add task \"Tab\tin name\" wbs 1.4",
        "add task \"Bool\" wbs 1.4 status true",
        "add task \"Upper null\" wbs 1.4 status NULL",
        "add task \"Dot\" wbs 1.4 status doing.x",
        "add task \"Call\" wbs 1.4 status lower(\"DONE\")",
        "add task \"Escape u\" wbs 1.4 notes \"\\u{4E2D}\"",
        "add task \"Double brace\" wbs 1.4 notes \"{{x}}\"",
        "add task \"Hours\" wbs 1.4 effort 5h",
        "add task \"Semicolon end\" wbs 1.4;",
        "add task \"Name twice\" wbs 1.4 name \"Other\"",
        "add task \"Paren\" wbs 1.4 cost (5)",
        "add task \"Quoted number\" wbs 1.4 cost \"5\"",
        "add task \"Number as text\" wbs 1.4 notes 5",
        "add task \"Date for enum\" wbs 1.4 status 2026-03-16",
        "add task \"Keyword value\" wbs 1.4 status where",
        "add task \"Quoted code\" wbs \"1.4\" progress 1e3",
        "add task \"Trailing junk\" wbs 1.4 \"x\"",
        "add task \"Value missing\" wbs",
    ]

    /// Lines whose text the reader takes as it is (Unicode beyond ASCII, stray controls the
    /// field rules judge): taken or not, they must come out the same both ways.
    static let unicode: [String] = [
        "add task \"Ünïcödé 名前 🚀\" wbs 1.12 notes \"e\u{301} combining\"",
        "add task \"Bidi \u{202E}abc\" wbs 1.13",
        "add task \"NEL \u{85} C1\" wbs 1.14",
        "add task \"Zero\u{200B}width\" wbs 1.15 owner \"王芳\"",
    ]

    /// The checked `add` as the parser and checker make it, and as the reader does.
    static func bothWays(_ line: String, _ s: Session) -> (slow: String?, fast: String?) {
        let source = SourceFile(name: "t.pmq", text: line)
        var parser = Parser(source)
        var checker = s.compiler.freshChecker()
        var slow: String?
        if let st = parser.nextStatement(), parser.diagnostics.isEmpty, case .add(let a)? = checker.checkStatement(st), checker.diagnostics.isEmpty {
            slow = describe(a)
        }
        var fast: String?
        var p2 = Parser(source)
        if var reader = AddTaskLine(schema: s.schema) {
            fast = p2.readLine { b, from, limit in reader.read(b, from, limit) }.map(describe)
        }
        return (slow, fast)
    }

    static func describe(_ a: TAdd) -> String {
        let values = a.values.map { "\($0.field.name)=\($0.value)@\($0.range.start)-\($0.range.end)" }
        return "\(a.entity.plural) m=\(a.milestone) \(values) d=\(a.duration.map { "\($0)" } ?? "-") l=\(a.link == nil) @\(a.range.start)-\(a.range.end)"
    }

    @Test("a line the reader takes is the checked add the parser and checker make", arguments: AddTaskLineTests.taken)
    func sameCheckedAdd(_ line: String) throws {
        let s = try midProject()
        let (slow, fast) = Self.bothWays(line, s)
        #expect(fast != nil, "not taken: \(line)")
        #expect(slow == fast)
    }

    @Test("a line the reader leaves is not taken", arguments: AddTaskLineTests.left)
    func leftAlone(_ line: String) throws {
        let s = try midProject()
        #expect(Self.bothWays(line, s).fast == nil, "taken: \(line)")
    }

    /// The rows and the journal after a run, and its diagnostics as printed.
    static func outcome(_ script: String, fast: Bool, streaming: Bool = false) throws -> [String] {
        let f = Scratch("addtaskline")
        let s = try midProject()
        s.compiler.fastAddTaskLines = fast
        // A script of 4 MiB or more is checked and run statement by statement (a data load).
        let text = streaming ? "#" + String(repeating: "x", count: 4 << 20) + "\n" + script : script
        let path = f.write("load.pmq", text)
        let d = s.run(SourceFile(name: path, text: text)) { _ in }
        var out = d.map { DiagnosticRenderer.render([$0]).replacingOccurrences(of: f.folder.path, with: "") }
        for q in ["tasks select wbs, name, owner, status, priority, start, finish, actual_start, actual_finish, progress, cost, effort, notes, milestone order by wbs",
                  "journal select set, statement, entity, key, field, old, new order by id"] {
            // The journal names a load's file (its roll-up's statement): the scratch folder differs each time.
            out.append(contentsOf: rows(s, q).map { "\($0)".replacingOccurrences(of: f.folder.path, with: "") })
        }
        return out
    }

    @Test("a line the reader takes whose run is refused is taken", arguments: AddTaskLineTests.takenRefusedWhenRun)
    func takenThenRefused(_ line: String) throws {
        let s = try midProject()
        #expect(Self.bothWays(line, s).fast != nil, "not taken: \(line)")
    }

    @Test("each odd line, and each line taken, gives the same rows and errors both ways",
          arguments: AddTaskLineTests.taken + AddTaskLineTests.takenRefusedWhenRun + AddTaskLineTests.left + AddTaskLineTests.unicode)
    func sameOutcome(_ line: String) throws {
        let script = "add task \"Before\" wbs 1.20 cost 1\n" + line + "\nadd task \"After\" wbs 1.21 owner \"Li Wei\"\n"
        let fast = try Self.outcome(script, fast: true), slow = try Self.outcome(script, fast: false)
        #expect(fast == slow)
    }

    @Test("a load of every line at once, streamed, gives the same rows and errors both ways")
    func sameOutcomeStreamed() throws {
        // Errors first: checking goes on past them, every one is reported, nothing is kept.
        let bad = (Self.left + Self.takenRefusedWhenRun + Self.unicode).joined(separator: "\n")
        let badFast = try Self.outcome(bad, fast: true, streaming: true), badSlow = try Self.outcome(bad, fast: false, streaming: true)
        #expect(badFast == badSlow)
        #expect(badFast.filter { $0.contains("error") }.count >= 10, "the errors are reported: \(badFast.prefix(3))")
        // Only lines that run: everything is kept, the same way.
        var good = Self.taken.filter { !$0.contains("No code") }.joined(separator: "\n") + "\n"
        good += "add task \"Then a query\" wbs 1.30 status done\ntasks where wbs under 1\n  order by wbs\nadd task \"Next\" wbs 1.31\n"
        good += "add task \"Continued\" wbs 1.32 cost 5\n  where x\n"
        let fast = try Self.outcome(good, fast: true, streaming: true), slow = try Self.outcome(good, fast: false, streaming: true)
        #expect(fast == slow)
    }

    @Test("a line the reader takes keeps its place in a run-time error: file, line and column")
    func runtimeErrorLocated() throws {
        let script = "add task \"Before\" wbs 1.20 cost 1\n\n   add task \"Dup\" wbs 1.2 cost 5\nadd task \"After\" wbs 1.21\n"
        #expect(Self.bothWays("add task \"Dup\" wbs 1.2 cost 5", try midProject()).fast != nil)
        let fast = try Self.outcome(script, fast: true), slow = try Self.outcome(script, fast: false)
        #expect(fast == slow)
        let errors = fast.filter { $0.contains("error") }
        #expect(errors.count == 1)
        // Line 3 (after a blank line), at the code: three blanks and `add task "Dup" wbs ` before it.
        #expect(errors.first?.hasPrefix("/load.pmq:3:23: error: duplicate WBS code 1.2") == true, "\(errors)")
    }

    @Test("variables, comments and blank lines between taken lines change nothing")
    func scriptAround() throws {
        let script = """
            let doing = "done"
            # a comment line
            add task "Word, not variable" wbs 1.22 status doing

            add task "Commented" wbs 1.23 status done # trailing comment
            let n = 5
            add task "Var value" wbs 1.24 cost n
            add task "Then" wbs 1.25 start 2026-03-16
              where x
            add task "Last" wbs 1.26 progress 10
            """
        for streaming in [false, true] {
            let fast = try Self.outcome(script, fast: true, streaming: streaming)
            let slow = try Self.outcome(script, fast: false, streaming: streaming)
            #expect(fast == slow)
        }
        // `cost n` is refused the full way too (a value of `add` is a constant, not a variable).
        let ok = script.replacingOccurrences(of: "\n  where x", with: "").replacingOccurrences(of: "add task \"Var value\" wbs 1.24 cost n\n", with: "")
        let fast = try Self.outcome(ok, fast: true), slow = try Self.outcome(ok, fast: false)
        #expect(fast == slow)
        #expect(fast.contains { $0.contains("Word, not variable") && $0.contains("doing") })
        #expect(fast.contains { $0.contains("Commented") && $0.contains("done") })
        #expect(!fast.contains { $0.contains("error") }, "\(fast.filter { $0.contains("error") })")
    }

    @Test("a custom field added in the same load is read by the reader")
    func customFieldInLoad() throws {
        let script = """
            add task "Before" wbs 1.20 vendor "Acme"
            add field "vendor" to tasks type text
            add task "After" wbs 1.21 vendor "Acme"
            tasks where vendor = "Acme" select wbs
            """
        let fast = try Self.outcome(script, fast: true), slow = try Self.outcome(script, fast: false)
        #expect(fast == slow)
        let after = script.split(separator: "\n").dropFirst().joined(separator: "\n")
        let ok = try Self.outcome(after, fast: true)
        let okSlow = try Self.outcome(after, fast: false)
        #expect(ok == okSlow)
        #expect(ok.contains { $0.contains("After") })
    }
}
