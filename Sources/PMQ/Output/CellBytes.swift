/// The bytes of values and cells as the renderers write them, appended straight into one
/// output buffer: numbers and dates are written digit by digit, and a text cell is looked
/// at once, byte by byte, to decide whether it needs escaping at all (most cells do not,
/// and are copied as they are). Each function spells a value exactly as the String-based
/// code it replaced (`OutputFormat.plain`, `json`, `csvField`, `tsvField`, `visible`);
/// OutputFastPathTests holds them to it.
enum CellBytes {
    /// The UTF-8 of `s` as one buffer (a native Swift string already is one: no copy).
    @inline(__always)
    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var t = s
        return t.withUTF8(body)
    }

    @inline(__always)
    static func append(_ s: String, to out: inout [UInt8]) {
        withBytes(s) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func append(_ s: StaticString, to out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// A 64-bit integer in decimal, as `String(i)` writes it.
    static func append(_ i: Int64, to out: inout [UInt8]) {
        if i >= 0 && i < 10 { out.append(48 + UInt8(i)); return }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var n = i.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { b in
            while n > 0 {
                count += 1
                b[24 - count] = UInt8(48 + n % 10)
                n /= 10
            }
            if i < 0 { out.append(45) }
            out.append(contentsOf: b[(24 - count)...])
        }
    }

    /// A date as `Day.iso` writes it.
    static func append(_ d: Day, to out: inout [UInt8]) {
        guard d.number > -100_000_000 && d.number < 100_000_000 else { return append(d.iso, to: &out) }
        let (y, m, dd) = Day.civil(from: d.number)
        guard y >= 0 && y <= 9999 else { return append(d.iso, to: &out) }
        out.append(UInt8(48 + y / 1000)); out.append(UInt8(48 + y / 100 % 10)); out.append(UInt8(48 + y / 10 % 10)); out.append(UInt8(48 + y % 10))
        out.append(45); out.append(UInt8(48 + m / 10)); out.append(UInt8(48 + m % 10))
        out.append(45); out.append(UInt8(48 + dd / 10)); out.append(UInt8(48 + dd % 10))
    }

    /// A number as `formatNumber` writes it (a whole number digit by digit).
    @inline(__always)
    static func append(number d: Double, to out: inout [UInt8]) {
        if d == d.rounded(), abs(d) < 1e15 { return append(Int64(d), to: &out) }
        append(formatNumber(d), to: &out)
    }

    /// A value as `OutputFormat.plain(v, csv:)` spells it. Only text, references and lists
    /// can hold a byte that a format must escape; the caller escapes those itself.
    static func appendPlain(_ v: Value, csv: Bool, to out: inout [UInt8]) {
        switch v {
        case .null: if !csv { append("null" as StaticString, to: &out) }
        case .integer(let i): append(i, to: &out)
        case .decimal(let d): append(number: d, to: &out)
        case .duration(let d): append(number: d, to: &out); out.append(100)  // "d"
        case .date(let d): append(d, to: &out)
        case .bool(let b): append(b ? "true" : "false" as StaticString, to: &out)
        case .text(let s), .reference(let s): append(s, to: &out)
        case .list(let xs):
            if csv, OutputFormat.listCellNeedsJSON(xs) { return appendJSON(v, to: &out) }
            for (i, x) in xs.enumerated() {
                if i > 0 { if csv { out.append(59) } else { out.append(44); out.append(32) } }
                append(x, to: &out)
            }
        }
    }

    /// The text of a value whose bytes a format may have to escape: text, references and
    /// lists; nil for the others, which never hold such a byte.
    @inline(__always)
    static func escapable(_ v: Value, csv: Bool) -> String? {
        switch v {
        case .text(let s), .reference(let s): return s
        case .list: return OutputFormat.plain(v, csv: csv)
        default: return nil
        }
    }

    // MARK: - Delimited text

    /// A CSV cell (`OutputFormat.csvField`): quoted, with `"` doubled, when it holds a
    /// comma, a quote or a line break; otherwise as it is.
    static func appendCSV(_ s: String, to out: inout [UInt8]) {
        appendDelimited(s, quoteWhen: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }, to: &out)
    }

    /// A TSV cell (`OutputFormat.tsvField`): quoted as in CSV when it holds a tab, a line
    /// break or a quote.
    static func appendTSV(_ s: String, to out: inout [UInt8]) {
        appendDelimited(s, quoteWhen: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 34 }, to: &out)
    }

    @inline(__always)
    private static func appendDelimited(_ s: String, quoteWhen special: (UInt8) -> Bool, to out: inout [UInt8]) {
        withBytes(s) { b in
            guard b.contains(where: special) else { return out.append(contentsOf: b) }
            out.append(34)
            for c in b {
                out.append(c)
                if c == 34 { out.append(34) }
            }
            out.append(34)
        }
    }

    // MARK: - JSON

    /// A value in JSON, as `OutputFormat.json` writes it.
    static func appendJSON(_ v: Value, to out: inout [UInt8]) {
        switch v {
        case .null: append("null" as StaticString, to: &out)
        case .integer(let i): append(i, to: &out)
        case .decimal(let d), .duration(let d):
            if d.isFinite { append(number: d, to: &out) } else { append("null" as StaticString, to: &out) }
        case .text(let s), .reference(let s): appendJSONString(s, to: &out)
        case .date(let d): out.append(34); append(d, to: &out); out.append(34)
        case .bool(let b): append(b ? "true" : "false" as StaticString, to: &out)
        case .list(let xs):
            out.append(91)
            for (i, x) in xs.enumerated() {
                if i > 0 { out.append(44) }
                appendJSONString(x, to: &out)
            }
            out.append(93)
        }
    }

    /// A JSON string literal, as `jsonString` writes it: `"` and `\` escaped, line breaks and
    /// tabs by letter, other C0 controls as `\u00XX` (lowercase hex); everything else as it is.
    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(34)
        withBytes(s) { b in
            guard b.contains(where: { $0 < 0x20 || $0 == 34 || $0 == 92 }) else { return out.append(contentsOf: b) }
            for c in b {
                switch c {
                case 34: out.append(92); out.append(34)
                case 92: out.append(92); out.append(92)
                case 10: out.append(92); out.append(110)
                case 13: out.append(92); out.append(114)
                case 9: out.append(92); out.append(116)
                case 0..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [92, 117, 48, 48, hex[Int(c >> 4)], hex[Int(c & 15)]])
                default: out.append(c)
                }
            }
        }
        out.append(34)
    }

    // MARK: - Tables and Markdown

    /// Whether a cell's bytes hold a control character (C0, DEL, or C1: 0xC2 0x80–0x9F),
    /// or one of `extra` (ASCII) bytes.
    @inline(__always)
    static func needsCare(_ b: UnsafeBufferPointer<UInt8>, extra: UInt8 = 0) -> Bool {
        var previousC2 = false
        for c in b {
            if c < 0x20 || c == 0x7F || (extra != 0 && c == extra) || (previousC2 && c >= 0x80 && c <= 0x9F) { return true }
            previousC2 = c == 0xC2
        }
        return false
    }

    /// A Markdown cell: `|` escaped, a line break shown as a space, control characters as
    /// PMQ escapes. A cell with none of those (most) is copied as it is.
    static func appendMarkdown(_ s: String, to out: inout [UInt8]) {
        let plain = withBytes(s) { b -> Bool in
            guard needsCare(b, extra: 124) else { out.append(contentsOf: b); return true }
            return false
        }
        if plain { return }
        // The rare cell: as the String-based code did it.
        let t = s.utf8.contains(where: { $0 == 124 || $0 == 10 })
            ? s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") : s
        append(OutputFormat.visible(t), to: &out)
    }
}
