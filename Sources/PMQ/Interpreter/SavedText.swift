import Foundation

/// A script value a query being saved names: where it is in the query's text, and what it is
/// (docs/language.md, “Saved queries keep values”).
struct SavedBinding {
    /// In the script's text.
    var range: SourceRange
    var value: TExpr
    /// A variable holding working days (`let d = 3wd`): written back as `3wd`.
    var workdays = false
}

/// The text `save query` and `save rule` keep: the query as written, with the value of each
/// script variable it names put in its place when the statement runs (H22). A saved query
/// outlives the script, so `tasks where owner = who` after `let who = "Zed"` is kept as
/// `tasks where owner = "Zed"`: a later session has no `who`, or another one.
struct SavedText {
    var text: String
    /// Where the text starts in the script (the bindings' ranges are the script's).
    var start: Int
    var bindings: [SavedBinding]

    /// The text with the values the bindings have now.
    func bound(_ session: SessionContext) throws -> String {
        guard !bindings.isEmpty else { return text }
        var bytes = Array(text.utf8)
        // Innermost bindings inside an outer one (none today, but a path's root could be) go with it.
        let outermost = bindings.filter { b in !bindings.contains { o in o.range != b.range && o.range.start <= b.range.start && b.range.end <= o.range.end } }
        for b in outermost.sorted(by: { $0.range.start > $1.range.start }) {
            let lo = b.range.start - start, hi = b.range.end - start
            guard lo >= 0, hi <= bytes.count, lo <= hi else { continue }
            let literal = try SavedText.literal(try session.evaluate(b.value), workdays: b.workdays, b.range)
            bytes.replaceSubrange(lo..<hi, with: Array(literal.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A value as PMQ text that reads back as the same value.
    static func literal(_ v: Value, workdays: Bool, _ range: SourceRange) throws -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return workdays ? "(\(i)wd)" : i < 0 ? "(\(i))" : String(i)
        case .decimal(let d):
            guard d.isFinite else { return "null" }
            var s = String(d)
            // Exponent form is not a PMQ number: the digits written out.
            if s.contains("e") {
                s = String(format: "%.40f", d)
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            return d < 0 ? "(\(s))" : s
        case .date(let d): return d.iso
        case .duration(let d):
            let n = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
            return d < 0 ? "(\(n)d)" : "\(n)d"
        case .text(let t), .reference(let t): return quoted(t)
        case .list:
            throw RuntimeError(code: .notHere, message: "a saved query cannot keep a list value: write the values into the query", range: range)
        }
    }

    /// `"..."` with the escapes that make it read back as `t` (braces doubled: no interpolation).
    static func quoted(_ t: String) -> String {
        var out = "\""
        for c in t.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "{": out += "{{"
            case "}": out += "}}"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7F { out += "\\u{\(String(c.value, radix: 16, uppercase: true))}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
