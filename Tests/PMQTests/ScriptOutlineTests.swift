import Testing
@testable import PMQ

/// The declarations editors see (document symbols, go to definition), read with the real parser.
@Suite("Script outline: declarations, definitions, words")
struct ScriptOutlineTests {
    static let text = """
    param who = "DBA"
    let n = count tasks where owner = who
    fn pct(x) = x / 100
    for who in tasks where overdue {
      print "{who.wbs} {pct(who.progress)}"
    }
    save query mine = tasks where owner = "DBA"
    let x = n + pct(5)
    """
    static let source = SourceFile(name: "s.pmq", text: text)

    func offset(of needle: String, after: String = "") -> Int {
        let t = Self.text
        let from = after.isEmpty ? t.startIndex : (t.range(of: after)?.upperBound ?? t.startIndex)
        guard let r = t.range(of: needle, range: from..<t.endIndex) else { return -1 }
        return t.utf8.distance(from: t.startIndex, to: r.lowerBound)
    }

    @Test("symbols: param, let, fn and save query, in order; loop variables and arguments are declarations only")
    func symbols() {
        let s = ScriptOutline.symbols(in: Self.source)
        #expect(s.map { "\($0.kind.rawValue) \($0.name)" } == ["parameter who", "variable n", "function pct", "savedQuery mine", "variable x"])
        let all = ScriptOutline.declarations(in: Self.source).map { "\($0.kind.rawValue) \($0.name)" }
        #expect(all == ["parameter who", "variable n", "function pct", "argument x", "loopVariable who", "savedQuery mine", "variable x"])
        #expect(s[2].detail == "fn pct(x) = x / 100")
        #expect(s[0].nameRange == SourceRange(6, 9))
    }

    @Test("definitions: a loop variable shadows the parameter inside its loop only; an argument inside its function only")
    func definitions() {
        let inLoop = offset(of: "who.wbs")
        #expect(ScriptOutline.definition(of: "who", at: inLoop, in: Self.source)?.kind == .loopVariable)
        let before = offset(of: "who", after: "owner = ")
        #expect(ScriptOutline.definition(of: "WHO", at: before, in: Self.source)?.kind == .parameter)
        #expect(ScriptOutline.definition(of: "x", at: offset(of: "x / 100"), in: Self.source)?.kind == .argument)
        // After the function, `x` is the variable declared on the last line, not the argument.
        #expect(ScriptOutline.definition(of: "x", at: offset(of: "x = n"), in: Self.source)?.kind == .variable)
        #expect(ScriptOutline.definition(of: "mine", at: 0, in: Self.source)?.kind == .savedQuery)
        #expect(ScriptOutline.definition(of: "tasks", at: 0, in: Self.source) == nil)
    }

    @Test("the word at an offset: names in code and in string interpolations; nothing in text, comments or numbers")
    func words() {
        #expect(ScriptOutline.word(at: offset(of: "pct(who"), in: Self.source)?.text == "pct")
        #expect(ScriptOutline.word(at: offset(of: "progress"), in: Self.source)?.text == "progress")
        #expect(ScriptOutline.word(at: offset(of: "100"), in: Self.source) == nil)
        #expect(ScriptOutline.word(at: offset(of: "DBA"), in: Self.source) == nil)
        let c = SourceFile(name: "c", text: "# tasks\ntasks")
        #expect(ScriptOutline.word(at: 3, in: c) == nil)
        #expect(ScriptOutline.word(at: 9, in: c)?.text == "tasks")
    }

    @Test("a statement that does not parse declares nothing; the rest still do")
    func brokenStatement() {
        let s = SourceFile(name: "b", text: "let a = 1 +* 2\nlet b = 2\nfn f(")
        #expect(ScriptOutline.declarations(in: s).map(\.name) == ["b"])
    }
}
