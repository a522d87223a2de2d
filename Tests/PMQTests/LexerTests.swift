import Testing
@testable import PMQ

@Suite("Lexer")
struct LexerTests {
    func kinds(_ text: String) -> [Token] {
        Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.filter { !$0.isEOF }
    }

    @Test("every identifier is classified once as the keyword it spells, in either case, and only then")
    func keywordClassification() {
        // Each keyword of the one list, as written, in upper case and mixed case.
        for k in Keyword.allCases {
            let w = k.rawValue
            for spelling in [w, w.uppercased(), w.prefix(1).uppercased() + w.dropFirst()] {
                let t = kinds(spelling)
                #expect(t.count == 1 && t[0].keyword == k && t[0].isKeyword(k) && t[0].isKeyword(w), "\(spelling)")
            }
        }
        // Words near a keyword, longer or shorter, non-ASCII, and tokens of other kinds are none.
        for text in ["wher", "wheres", "where_", "tasksx", "x", "_", "ändern", "wh\u{00E9}re", "order1", "change_task"] {
            let t = kinds(text)
            #expect(t.count == 1 && t[0].keyword == nil, "\(text)")
        }
        #expect(kinds(#""where" 'and' 3d 1.2.3 ( ="#).allSatisfy { $0.keyword == nil })
        // A keyword glued to other identifier characters is another word.
        #expect(kinds("select selected").map(\.keyword) == [.select, nil])
        // The lists the rest of PMQ reads are the enum's cases in order, each once.
        #expect(Keywords.statements.first == "add" && Keywords.statements.last == "check" && Keywords.statements.count == 34)
        #expect(Keywords.clauses.first == "where" && Keywords.clauses.last == "within")
        #expect(Keywords.constants == ["true", "false", "today", "yesterday", "tomorrow"])
        #expect(Set(Keyword.allCases.map(\.rawValue)) == Set(Keywords.all + Keywords.sources + ["after", "before"]))
        #expect(Keyword.allCases.count == Keywords.all.count + Keywords.sources.count + 2)
    }

    @Test("WBS codes keep their text: 1.10 is not 1.1")
    func wbsText() {
        let t = kinds("1.10 1.2.3 1.1")
        #expect(t.map(\.text) == ["1.10", "1.2.3", "1.1"])
        #expect(t[1].kind == .wbs)
        if case .number(let v) = t[0].kind { #expect(v == 1.1) } else { Issue.record("not a number") }
    }

    @Test("numbers with underscores, dates, durations")
    func literals() {
        let t = kinds("1_000_000 3.5 2026-01-28 3d 2w 4h 5wd")
        #expect(t[0].kind == .number(1_000_000))
        #expect(t[1].kind == .number(3.5))
        #expect(t[2].kind == .date(Day(iso: "2026-01-28")!))
        #expect(t[3].kind == .duration(3, .days))
        #expect(t[4].kind == .duration(2, .weeks))
        #expect(t[5].kind == .duration(4, .hours))
        #expect(t[6].kind == .duration(5, .workdays))
    }

    @Test("string escapes and interpolation")
    func strings() {
        let t = kinds(#""a\"b\\c\n\t\u{4E2D}" "x {y} {{z" 'raw {no} \n'"#)
        #expect(t[0].kind == .string([.text("a\"b\\c\n\t中")]))
        guard case .string(let parts) = t[1].kind else { Issue.record("not a string"); return }
        #expect(parts.count == 3)
        #expect(parts[0] == .text("x "))
        #expect(parts[2] == .text(" {z"))
        #expect(t[2].kind == .string([.text("raw {no} \\n")]))
    }

    @Test("comments, shebang and separators")
    func separators() {
        let t = kinds("#!/usr/bin/env pmq\ncount tasks # trailing\n\n;count people")
        #expect(t.map(\.text) == ["count", "tasks", "\n", "count", "people"])
    }

    @Test("a line continues after a keyword or operator, or inside parentheses")
    func continuation() {
        #expect(!kinds("tasks where\n owner = 1").contains { $0.isNewline })
        #expect(!kinds("tasks where a = 1 and\n b = 2").contains { $0.isNewline })
        #expect(!kinds("tasks where (a = 1\n or b = 2)").contains { $0.isNewline })
        #expect(!kinds("tasks\n  where a = 1\n  order by wbs").contains { $0.isNewline })
        #expect(kinds("count tasks\ncount people").contains { $0.isNewline })
    }

    @Test("unterminated string is incomplete input")
    func unterminated() {
        let d = Lexer.tokenize(SourceFile(name: "t", text: "\"abc")).diagnostics
        #expect(d.count == 1)
        #expect(d.first?.isIncompleteInput == true)
    }

    @Test("keywords are case-insensitive; Unicode identifiers")
    func identifiers() {
        let t = kinds("WHERE Where 名字")
        #expect(t.allSatisfy { $0.isIdentifier })
        #expect(t[0].isKeyword("where") && t[1].isKeyword("where"))
    }
}
