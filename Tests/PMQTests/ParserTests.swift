import Testing
@testable import PMQ

@Suite("Parser")
struct ParserTests {
    func parse(_ text: String) -> ([Statement], [Diagnostic]) {
        let src = SourceFile(name: "t", text: text)
        return Parser.parse(src)
    }

    func position(_ text: String) -> (Int, Int)? {
        let src = SourceFile(name: "t", text: text)
        guard let d = Parser.parse(src).diagnostics.first else { return nil }
        let loc = src.location(of: d.range.start)
        return (loc.line, loc.column)
    }

    @Test("query clauses in the pinned order")
    func queryShape() throws {
        let (s, d) = parse("tasks where a = 1 group by owner select owner, count() as n order by n desc limit 5 offset 2")
        #expect(d.isEmpty)
        guard case .query(let q) = try #require(s.first).kind else { Issue.record("not a query"); return }
        #expect(q.source.text == "tasks")
        #expect(q.filter != nil)
        #expect(q.groupBy.count == 1)
        #expect(q.select?.count == 2)
        #expect(q.select?[1].alias?.text == "n")
        #expect(q.orderBy.first?.descending == true)
        #expect(q.limit != nil && q.offset != nil)
    }

    @Test("precedence: and binds tighter than or, arithmetic tighter than comparison")
    func precedence() throws {
        let (s, _) = parse("tasks where a = 1 or b = 2 and c < d + 2 * 3")
        guard case .query(let q) = try #require(s.first).kind, let f = q.filter else { Issue.record("no filter"); return }
        guard case .binary(.or, _, let right) = f.kind, case .binary(.and, _, let cmp) = right.kind,
              case .binary(.lt, _, let sum) = cmp.kind, case .binary(.add, _, let product) = sum.kind,
              case .binary(.mul, _, _) = product.kind else {
            Issue.record("wrong tree"); return
        }
    }

    @Test("count, explain, add and use")
    func statements() {
        let (s, d) = parse("count tasks where overdue\nexplain tasks\nadd task \"X\" wbs 1.2 owner \"DBA\"\nadd dependency 1.2 -> 1.10 lag 2d\nuse project \"GOV\"")
        #expect(d.isEmpty)
        #expect(s.count == 5)
        if case .add(let a) = s[3].kind, case .number(_, let text)? = a.link?.succ.kind {
            #expect(text == "1.10")
        } else {
            Issue.record("dependency link not parsed")
        }
    }

    @Test("error positions", arguments: [
        ("tasks where owner = = 1", 1, 21),
        ("tasks where\n  owner ==", 2, 11),
        ("count tasks\ntasks where a = (1, 2", 2, 22),
        ("tasks where a = 1 b", 1, 19),
        ("add", 1, 4),
        ("tasks select a where b = 1", 1, 16),
    ])
    func errorPositions(_ text: String, _ line: Int, _ column: Int) throws {
        let p = try #require(position(text))
        #expect(p.0 == line)
        #expect(p.1 == column)
    }

    @Test("incomplete input is its own kind of error", arguments: [
        "tasks where", "tasks where a = 1 and", "tasks where (a = 1", "tasks where name = \"abc",
        "tasks where status in (todo,", "count", "tasks select", "add task \"x\" wbs",
    ])
    func incomplete(_ text: String) {
        let d = parse(text).1
        #expect(d.contains { $0.isIncompleteInput }, "\(text)")
    }

    @Test("complete input is not incomplete", arguments: ["tasks where a = = 1", "tasks where a = 1 )", "tasks )"])
    func notIncomplete(_ text: String) {
        let d = parse(text).1
        #expect(!d.isEmpty)
        #expect(!d.contains { $0.isIncompleteInput }, "\(text)")
    }

    @Test("recovery at statement boundaries reports every error")
    func recovery() {
        let (s, d) = parse("tasks where = 1\ncount tasks\npeople where )\nrisks")
        #expect(d.count == 2)
        #expect(s.count == 2)
    }

    @Test("a parenthesised query is a subquery")
    func subquery() throws {
        let (s, d) = parse("people where (count tasks where overdue) > 5")
        #expect(d.isEmpty)
        guard case .query(let q) = try #require(s.first).kind, let f = q.filter,
              case .binary(.gt, let l, _) = f.kind, case .subquery(let inner) = l.kind else {
            Issue.record("no subquery"); return
        }
        #expect(inner.isCount)
    }
}
