/// Turns PMQ text into tokens (docs/language.md, “Values”).
///
/// Newlines end statements except where the statement obviously goes on:
/// inside ( ) or [ ], after a token that needs a right-hand side (`where`,
/// `and`, `,`, `+`, ...), or before a line that starts with a clause keyword
/// (`where`, `order`, ...), which no statement can start with.
struct Lexer {
    let source: SourceFile
    private let b: SourceBytes
    private var i = 0
    /// Up to where a mapped script's pages were given back (see `SourceFile`).
    private var releasedTo = 0
    private var limit: Int
    private var depth = 0
    /// The token just produced and the ones lexed but not yet handed out.
    private var last: Token?
    private var pending: [Token] = []
    private(set) var diagnostics = DiagnosticBag()

    /// Tokens after which a newline cannot end the statement.
    static let continuationKeywords: Set<String> = [
        "where", "and", "or", "not", "in", "between", "by", "select", "group", "order", "set",
        "to", "from", "as", "is", "under", "limit", "offset", "count", "explain", "of",
        "having", "pivot", "case", "when", "then", "else",
        "was", "after", "before", "severity", "rule",
    ]
    static let continuationSymbols: Set<String> = [
        "(", "[", ",", "=", "!=", "<", "<=", ">", ">=", "~", "!~", "+", "-", "*", "/", "->", ".",
    ]
    /// Lines starting with these continue the statement above.
    static let leadingContinuations: Set<String> = ["where", "group", "having", "pivot", "select", "order", "limit", "offset", "and", "or",
                                                    "when", "then", "else", "end"]
    /// Lines starting with these continue the statement above unless `=` follows the word
    /// (`set = 2` rebinds a variable named `set`): `update tasks where ...` / `  set x = 1`.
    static let leadingContinuationsBeforeName: Set<String> = ["set"]

    /// Whether a line whose first word is `word`, followed by the byte `after` (after blanks;
    /// nil at the end), continues the statement above.
    static func continues(word: String, before after: UInt8?) -> Bool {
        if leadingContinuations.contains(word) { return true }
        return leadingContinuationsBeforeName.contains(word) && after != nil && after != UInt8(ascii: "=")
    }

    init(_ source: SourceFile) {
        self.source = source
        self.b = source.bytes
        self.limit = source.bytes.count
    }

    /// Lexes a whole text at once (tests, interpolations, small inputs).
    static func tokenize(_ source: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source)
        var out: [Token] = []
        repeat { out.append(lexer.next()) } while !out[out.count - 1].isEOF
        return (out, lexer.diagnostics.items)
    }

    /// A lexer over the text of an interpolation, positioned inside the enclosing file.
    init(_ source: SourceFile, range: SourceRange) {
        self.init(source)
        i = range.start
        limit = range.end
    }

    // MARK: - A line read elsewhere (`AddTaskLine`)

    /// Where the next token starts when nothing has been lexed ahead and no bracket is open:
    /// a reader of whole lines may take the text from there; nil otherwise.
    var restingAt: Int? { pending.isEmpty && depth == 0 ? i : nil }
    var bytes: SourceBytes { b }
    var end: Int { limit }

    /// Goes on from `j`, the end of a line whose statement was read elsewhere: its line break
    /// (or the end of the text) comes next, and it ends that statement as it would after a value.
    mutating func skip(to j: Int) {
        i = j
        last = Token(kind: .string([]), text: "", range: SourceRange(j, j))
        // A run of such lines never calls `next`: the mapped script's pages behind are given
        // back here too, or a million-line load would keep the whole file resident (c-mem).
        if i - releasedTo > 2 << 20 {
            releasedTo = i - (256 << 10)
            b.release(before: releasedTo)
        }
    }

    /// Whether there are diagnostics to take (asked after every token: nearly always no).
    var hasDiagnostics: Bool { !diagnostics.isEmpty }

    /// Moves the diagnostics found so far to the caller.
    mutating func takeDiagnostics() -> [Diagnostic] {
        let d = diagnostics.items
        diagnostics = DiagnosticBag()
        return d
    }

    /// The next token; `.eof` forever once the text is used up. Streaming keeps a
    /// million-line script from ever existing as a million-token array.
    mutating func next() -> Token {
        // A mapped script: the text well behind the lexer is not needed again (a
        // diagnostic that shows it reads it back), so its pages go back to the system.
        // Every 2 MiB (was 8): the window held counts in a load's peak resident memory.
        if i - releasedTo > 2 << 20 {
            releasedTo = i - (256 << 10)
            b.release(before: releasedTo)
        }
        while true {
            if let t = pending.popLast() { last = t; return t }
            skipBlanksAndComments(limit)
            if i >= limit {
                let t = Token(kind: .eof, text: "", range: SourceRange(limit, limit))
                last = t
                return t
            }
            let start = i
            let c = b[i]
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: ";") {
                i += 1
                emitNewline(start, text: c == UInt8(ascii: ";") ? ";" : "\n", limit: limit)
            } else if isDigit(c) {
                lexNumberLike(start)
            } else if isIdentStart(c) {
                while i < limit, isIdentContinue(b[i]) { i += 1 }
                pending.append(Token(kind: .identifier, text: String(decoding: b[start..<i], as: UTF8.self), range: SourceRange(start, i),
                                     keyword: Keyword.classify(b[start..<i])))
            } else if c == UInt8(ascii: "\"") {
                lexString(start, limit: limit)
            } else if c == UInt8(ascii: "'") {
                lexRawString(start, limit: limit)
            } else {
                lexSymbol(start)
            }
        }
    }

    // MARK: - Pieces

    private mutating func skipBlanksAndComments(_ limit: Int) {
        while i < limit {
            let c = b[i]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                i += 1
            } else if c == UInt8(ascii: "#") {
                while i < limit, b[i] != UInt8(ascii: "\n") { i += 1 }
            } else if c == UInt8(ascii: "\\"), i + 1 < limit, b[i + 1] == UInt8(ascii: "\n") {
                i += 2  // an explicit line continuation
            } else {
                break
            }
        }
    }

    private mutating func emitNewline(_ start: Int, text: String, limit: Int) {
        if text == "\n" {
            if depth > 0 { return }
            if let last {
                if case .identifier = last.kind, Lexer.isOneOf(last.text.utf8, Lexer.continuationKeywordBytes) { return }
                if case .symbol = last.kind, Lexer.continuationSymbols.contains(last.text) { return }
            }
            if lineContinues(from: i, limit) { return }
        }
        // Collapse runs of separators; a separator at the very start says nothing.
        guard let last, !last.isNewline else { return }
        pending.append(Token(kind: .newline, text: text, range: SourceRange(start, start + 1)))
    }

    /// Whether the text from `from` (just past a line break) starts with a clause keyword, so
    /// the line break before it does not end the statement.
    func lineContinues(from: Int, _ limit: Int) -> Bool {
        var j = from
        while j < limit {
            let c = b[j]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n") { j += 1; continue }
            if c == UInt8(ascii: "#") { while j < limit, b[j] != UInt8(ascii: "\n") { j += 1 }; continue }
            break
        }
        guard j < limit, isIdentStart(b[j]) else { return false }
        var k = j
        while k < limit, isIdentContinue(b[k]) { k += 1 }
        let word = String(decoding: b[j..<k], as: UTF8.self).lowercased()
        while k < limit, b[k] == UInt8(ascii: " ") || b[k] == UInt8(ascii: "\t") || b[k] == UInt8(ascii: "\r") { k += 1 }
        return Lexer.continues(word: word, before: k < limit && b[k] != UInt8(ascii: "\n") ? b[k] : nil)
    }

    /// The keyword lists above as bytes: every line end asks them, and a String made and
    /// lower-cased for each asking was a load's per-line cost.
    static let continuationKeywordBytes = continuationKeywords.map { Array($0.utf8) }
    static let leadingContinuationBytes = leadingContinuations.map { Array($0.utf8) }

    /// Whether `word`, ASCII letters folded to lower case, is one of `words` (lower-case ASCII).
    static func isOneOf<C: Collection>(_ word: C, _ words: [[UInt8]]) -> Bool where C.Element == UInt8 {
        let n = word.count
        guard n <= 8 else { return false }
        outer: for w in words where w.count == n {
            var i = word.startIndex
            for c in w {
                let x = word[i]
                if x != c && !(x >= 65 && x <= 90 && x + 32 == c) { continue outer }
                i = word.index(after: i)
            }
            return true
        }
        return false
    }

    /// Numbers, dates (`2026-01-28`), durations (`3d`, `5wd`) and WBS codes (`1.2.3`).
    private mutating func lexNumberLike(_ start: Int) {
        if let day = dateAt(start) {
            i = start + 10
            add(.date(day), start)
            return
        }
        var dots = 0
        while i < b.count {
            if isDigit(b[i]) || b[i] == UInt8(ascii: "_") {
                i += 1
            } else if b[i] == UInt8(ascii: "."), i + 1 < b.count, isDigit(b[i + 1]) {
                dots += 1; i += 2
            } else {
                break
            }
        }
        if dots >= 2 {
            add(.wbs, start)
            return
        }
        // Digits are read here, byte by byte: this runs for every number of a million-line script.
        var digits: [UInt8] = []
        digits.reserveCapacity(i - start)
        var malformed = b[i - 1] == UInt8(ascii: "_")
        for k in start..<i {
            if b[k] == UInt8(ascii: "_") {
                if k + 1 < i, b[k + 1] == UInt8(ascii: "_") { malformed = true }
            } else {
                digits.append(b[k])
            }
        }
        let value = Lexer.number(digits)
        // A unit letter glued to the number makes a duration.
        var j = i
        while j < b.count, isIdentContinue(b[j]) { j += 1 }
        if j > i {
            let suffix = String(decoding: b[i..<j], as: UTF8.self).lowercased()
            if let unit = DurationUnit(rawValue: suffix) {
                i = j
                add(.duration(value, unit), start)
            } else {
                i = j
                diagnostics.error(.malformedNumber, "malformed number \"\(String(decoding: b[start..<j], as: UTF8.self))\"; durations are written 3d, 2w, 4h, 5wd or 1mo",
                                  SourceRange(start, j))
                add(.number(value), start)
            }
            return
        }
        if malformed {
            diagnostics.error(.malformedNumber, "malformed number \"\(String(decoding: b[start..<i], as: UTF8.self))\"", SourceRange(start, i))
        }
        add(.number(value), start)
    }

    /// The value of ASCII digits with at most one dot; whole numbers up to 15 digits exactly.
    static func number(_ digits: [UInt8]) -> Double {
        if digits.count <= 15, !digits.contains(UInt8(ascii: ".")) {
            var v = 0
            for d in digits { v = v * 10 + Int(d - 48) }
            return Double(v)
        }
        return Double(String(decoding: digits, as: UTF8.self)) ?? .infinity
    }

    private func dateAt(_ s: Int) -> Day? {
        guard s + 10 <= b.count else { return nil }
        for k in 0..<10 {
            let ok = k == 4 || k == 7 ? b[s + k] == UInt8(ascii: "-") : isDigit(b[s + k])
            if !ok { return nil }
        }
        if s + 10 < b.count, isIdentContinue(b[s + 10]) { return nil }
        func value(_ from: Int, _ count: Int) -> Int { (0..<count).reduce(0) { $0 * 10 + Int(b[s + from + $1] - 48) } }
        return Day(year: value(0, 4), month: value(5, 2), day: value(8, 2)) ?? Day(unchecked: "")
    }

    private mutating func lexString(_ start: Int, limit: Int) {
        i += 1
        // A plain string (no escape, brace or NUL before its closing quote, the usual case):
        // its text straight from the bytes, without the byte buffer below.
        var j = i
        while j < limit {
            let c = b[j]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c == UInt8(ascii: "{") || c == UInt8(ascii: "}") || c == 0 { break }
            j += 1
        }
        if j < limit, b[j] == UInt8(ascii: "\"") {
            let parts: [StringPart] = j > i ? [.text(String(decoding: b[i..<j], as: UTF8.self))] : []
            i = j + 1
            pending.append(Token(kind: .string(parts), text: String(decoding: b[start..<i], as: UTF8.self), range: SourceRange(start, i)))
            return
        }
        var parts: [StringPart] = []
        var buf: [UInt8] = []
        func flush() { if !buf.isEmpty { parts.append(.text(String(decoding: buf, as: UTF8.self))); buf.removeAll() } }
        while i < limit {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                flush()
                pending.append(Token(kind: .string(parts), text: String(decoding: b[start..<i], as: UTF8.self), range: SourceRange(start, i)))
                return
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < limit else { break }
                let e = b[i + 1]
                switch e {
                case UInt8(ascii: "\""): buf.append(e); i += 2
                case UInt8(ascii: "\\"): buf.append(e); i += 2
                case UInt8(ascii: "n"): buf.append(10); i += 2
                case UInt8(ascii: "t"): buf.append(9); i += 2
                case UInt8(ascii: "{"), UInt8(ascii: "}"): buf.append(e); i += 2
                case UInt8(ascii: "u"):
                    if let (scalar, len) = unicodeEscape(at: i + 2, limit: limit), scalar.value == 0 {
                        diagnostics.error(.malformedString, Lexer.nulMessage, SourceRange(i, i + 2 + len)); i += 2 + len
                    } else if let (scalar, len) = unicodeEscape(at: i + 2, limit: limit) {
                        buf.append(contentsOf: Array(String(Character(scalar)).utf8)); i += 2 + len
                    } else if let end = escapeEnd(at: i + 2, limit: limit) {
                        // The braces are the escape's, not an interpolation: one error for all of it (H4).
                        let digits = String(decoding: b[i + 3..<end], as: UTF8.self)
                        if let v = UInt32(digits, radix: 16) {
                            diagnostics.error(.malformedString, "\\u{\(digits)} is not a Unicode character: \((0xD800...0xDFFF).contains(v) ? "D800 to DFFF are surrogates" : "the last one is 10FFFF")",
                                              SourceRange(i, end + 1))
                        } else {
                            diagnostics.error(.malformedString, "malformed \\u escape; write \\u{4E2D}", SourceRange(i, end + 1))
                        }
                        i = end + 1
                    } else {
                        diagnostics.error(.malformedString, "malformed \\u escape; write \\u{4E2D}", SourceRange(i, i + 2)); i += 2
                    }
                default:
                    diagnostics.error(.malformedString, "unknown escape \\\(Character(Unicode.Scalar(e)))", SourceRange(i, i + 2)); i += 2
                }
                continue
            }
            if c == UInt8(ascii: "{") {
                if i + 1 < limit, b[i + 1] == UInt8(ascii: "{") { buf.append(c); i += 2; continue }
                flush()
                let exprStart = i + 1
                guard let close = matchingBrace(from: exprStart, limit: limit) else { break }
                if close == exprStart {
                    diagnostics.error(.malformedString, "empty interpolation {}; write {{ for a literal brace", SourceRange(i, close + 1))
                } else {
                    parts.append(.interpolation(SourceRange(exprStart, close)))
                }
                i = close + 1
                continue
            }
            if c == UInt8(ascii: "}"), i + 1 < limit, b[i + 1] == UInt8(ascii: "}") { buf.append(c); i += 2; continue }
            if c == 0 { diagnostics.error(.malformedString, Lexer.nulMessage, SourceRange(i, i + 1)); i += 1; continue }
            buf.append(c); i += 1
        }
        i = limit
        diagnostics.error(.incompleteInput, "incomplete input: unterminated string", SourceRange(start, start + 1))
        pending.append(Token(kind: .string(parts), text: String(decoding: b[start..<limit], as: UTF8.self), range: SourceRange(start, limit)))
    }

    /// The `}` of a `\u{...}` that `unicodeEscape` refused: within as many bytes as an escape
    /// may have, before the string ends.
    private func escapeEnd(at j: Int, limit: Int) -> Int? {
        guard j < limit, b[j] == UInt8(ascii: "{") else { return nil }
        var k = j + 1
        while k < limit, k - j <= 9, b[k] != UInt8(ascii: "}"), b[k] != UInt8(ascii: "\""), b[k] != 10 { k += 1 }
        return k < limit && b[k] == UInt8(ascii: "}") ? k : nil
    }

    /// U+0000 cannot be stored: SQLite's text ends at it and PostgreSQL refuses it, so a
    /// string holding it is refused where it is written, the same on both engines (R7).
    static let nulMessage = "a string cannot hold the character U+0000 (\\u{0}): the database would cut the text there"

    private func unicodeEscape(at j: Int, limit: Int) -> (Unicode.Scalar, Int)? {
        guard j < limit, b[j] == UInt8(ascii: "{") else { return nil }
        var k = j + 1
        while k < limit, k - j <= 9, b[k] != UInt8(ascii: "}") { k += 1 }
        guard k < limit, b[k] == UInt8(ascii: "}"),
              let v = UInt32(String(decoding: b[j + 1..<k], as: UTF8.self), radix: 16),
              let s = Unicode.Scalar(v) else { return nil }
        return (s, k - j + 1)
    }

    /// The `}` closing an interpolation, skipping nested strings and braces.
    private func matchingBrace(from j: Int, limit: Int) -> Int? {
        var k = j, level = 0
        while k < limit {
            let c = b[k]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                k += 1
                while k < limit, b[k] != c { if b[k] == UInt8(ascii: "\\") { k += 1 }; k += 1 }
            } else if c == UInt8(ascii: "{") {
                level += 1
            } else if c == UInt8(ascii: "}") {
                if level == 0 { return k }
                level -= 1
            }
            k += 1
        }
        return nil
    }

    private mutating func lexRawString(_ start: Int, limit: Int) {
        i += 1
        let bodyStart = i
        while i < limit, b[i] != UInt8(ascii: "'") { i += 1 }
        if i >= limit {
            diagnostics.error(.incompleteInput, "incomplete input: unterminated string", SourceRange(start, start + 1))
            pending.append(Token(kind: .string([.text(String(decoding: b[bodyStart..<limit], as: UTF8.self))]),
                                text: String(decoding: b[start..<limit], as: UTF8.self), range: SourceRange(start, limit)))
            return
        }
        let body = String(decoding: b[bodyStart..<i], as: UTF8.self)
        if let nul = b[bodyStart..<i].firstIndex(of: 0) { diagnostics.error(.malformedString, Lexer.nulMessage, SourceRange(nul, nul + 1)) }
        i += 1
        pending.append(Token(kind: .string(body.isEmpty ? [] : [.text(body)]), text: String(decoding: b[start..<i], as: UTF8.self), range: SourceRange(start, i)))
    }

    private mutating func lexSymbol(_ start: Int) {
        let c = b[i]
        let next: UInt8 = i + 1 < b.count ? b[i + 1] : 0
        var len = 1
        switch c {
        case UInt8(ascii: "!") where next == UInt8(ascii: "=") || next == UInt8(ascii: "~"): len = 2
        case UInt8(ascii: "<") where next == UInt8(ascii: "="), UInt8(ascii: ">") where next == UInt8(ascii: "="): len = 2
        case UInt8(ascii: "<") where next == UInt8(ascii: ">"): len = 2
        case UInt8(ascii: "-") where next == UInt8(ascii: ">"): len = 2
        case UInt8(ascii: "=") where next == UInt8(ascii: "="): len = 2
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "~"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            len = 1
        default:
            // Skip one whole UTF-8 character so the error points at it.
            var end = i + 1
            while end < b.count, b[end] & 0xC0 == 0x80 { end += 1 }
            let ch = String(decoding: b[i..<end], as: UTF8.self)
            diagnostics.error(.unexpectedCharacter, "unexpected character \"\(ch)\"", SourceRange(i, end))
            i = end
            return
        }
        i += len
        // The text is one of the literals below (no String decoded from the bytes and compared
        // again, figure a); `==` is read as `=` and `<>` as `!=`.
        let text: String
        if len == 2 {
            switch (c, next) {
            case (UInt8(ascii: "!"), UInt8(ascii: "=")), (UInt8(ascii: "<"), UInt8(ascii: ">")): text = "!="
            case (UInt8(ascii: "!"), _): text = "!~"
            case (UInt8(ascii: "<"), _): text = "<="
            case (UInt8(ascii: ">"), _): text = ">="
            case (UInt8(ascii: "-"), _): text = "->"
            default: text = "="
            }
        } else {
            text = Lexer.oneByteSymbols[Int(c)]
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { depth = max(0, depth - 1) }
        }
        pending.append(Token(kind: .symbol, text: text, range: SourceRange(start, i)))
    }

    /// Every ASCII byte as a one-character String (a symbol's text), made once.
    private static let oneByteSymbols: [String] = (0..<128).map { String(UnicodeScalar(UInt8($0))) }

    private mutating func add(_ kind: Token.Kind, _ start: Int) {
        pending.append(Token(kind: kind, text: String(decoding: b[start..<i], as: UTF8.self), range: SourceRange(start, i)))
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private func isIdentStart(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80 }
    private func isIdentContinue(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
}
