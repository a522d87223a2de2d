/// One lexical unit. Keywords are not reserved: they are identifiers the parser
/// recognises in context, so a field may share a name with a keyword.
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier
        case number(Double)          // the text is kept: `1.10` may be a WBS code
        case wbs                     // `1.2.3`: two or more dots, only ever a WBS code
        case date(Day)
        case duration(Double, DurationUnit)
        case string([StringPart])
        case symbol                  // ( ) [ ] { } , ; . = != < <= > >= ~ !~ + - * / ->
        case newline                 // a statement separator (also `;`)
        case eof
    }
    var kind: Kind
    var text: String
    var range: SourceRange
    /// The keyword an identifier spells (ASCII letters in either case), classified once by
    /// the lexer; nil for other words and every other kind of token.
    var keyword: Keyword? = nil

    var lowered: String { text.lowercased() }
    /// Whether this is an identifier spelling `k`: one comparison of the lexer's classification.
    @inline(__always) func isKeyword(_ k: Keyword) -> Bool { keyword == k }
    /// `isKeyword` by the word's text (completion; the parser uses the `Keyword` above).
    func isKeyword(_ k: String) -> Bool {
        // Compared byte by byte: keywords are ASCII, and no String is made per comparison.
        guard case .identifier = kind else { return false }
        let a = text.utf8, b = k.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in x == y || (x >= 65 && x <= 90 && x + 32 == y) }
    }
    func isSymbol(_ s: String) -> Bool {
        if case .symbol = kind { return text == s }
        return false
    }
    var isEOF: Bool { if case .eof = kind { return true }; return false }
    var isNewline: Bool { if case .newline = kind { return true }; return false }
    var isIdentifier: Bool { if case .identifier = kind { return true }; return false }
}

enum DurationUnit: String, Equatable, Sendable {
    case days = "d", weeks = "w", hours = "h", workdays = "wd", months = "mo"
    /// Time budgets (`schedule level within 200ms`), not durations of work.
    case milliseconds = "ms", seconds = "s"
}

/// A piece of a double-quoted string: literal text or an interpolated `{expr}`
/// whose source range is parsed as an expression by the parser.
enum StringPart: Equatable {
    case text(String)
    case interpolation(SourceRange)
}
