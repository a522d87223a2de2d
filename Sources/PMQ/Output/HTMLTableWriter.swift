/// A result as an HTML `<table>` (`--format html`, `export ... to "F.html"`), written
/// straight into the output's bytes: no node tree per cell, as Plot built.
///
/// Escaped by construction still: markup comes only from `tag`, which takes compile-time
/// constants (`StaticString`), and a name or a value reaches the page only through `text`,
/// which escapes it exactly as Plot's `.text` node did (`plotEscaped`), so the page is
/// byte for byte the one Plot wrote (OutputFastPathTests renders both).
struct HTMLTableWriter {
    private var out: [UInt8]

    static func write(columns: [ResultColumn], rows: [[Value]], into out: inout [UInt8]) {
        var w = HTMLTableWriter(out: out)
        out = []  // the writer now holds the only reference: appends do not copy
        w.tag("<table><thead><tr>")
        for c in columns {
            w.tag("<th>")
            w.text(c.name)
            w.tag("</th>")
        }
        w.tag("</tr></thead><tbody>")
        for row in rows {
            w.tag("<tr>")
            for (column, v) in zip(columns, row) {
                w.tag(column.kind == .number || column.kind == .duration ? "<td class=\"num\">" : "<td>")
                w.text(v)
                w.tag("</td>")
            }
            w.tag("</tr>")
        }
        w.tag("</tbody></table>")
        out = w.out
    }

    private mutating func tag(_ s: StaticString) { CellBytes.append(s, to: &out) }

    /// A value as a cell shows it (`OutputFormat.plain`; null empty), escaped.
    private mutating func text(_ v: Value) {
        if v.isNull { return }
        if let s = CellBytes.escapable(v, csv: false) { return text(s) }
        // Numbers, dates and booleans: digits, `-`, `.`, letters; nothing to escape.
        CellBytes.appendPlain(v, csv: false, to: &out)
    }

    /// Text, escaped: copied as it is when it holds no `<`, `>` or `&` (Plot's escaping
    /// gives such text back unchanged), otherwise escaped as Plot does it.
    private mutating func text(_ s: String) {
        let plain = CellBytes.withBytes(s) { b -> Bool in
            guard b.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 }) else { out.append(contentsOf: b); return true }
            return false
        }
        if !plain { CellBytes.append(HTMLTableWriter.plotEscaped(s), to: &out) }
    }

    /// Plot 0.14.0's text escaping (`String.escaped()`, internal to Plot), character by
    /// character as it does it: `<` and `>` become `&lt;` and `&gt;`; `&` becomes `&amp;`
    /// unless it starts something that reads as an entity (`&amp;`, `&#39;`, `&nbsp;`: `&`,
    /// an optional `#`, letters or digits, `;`), which is left as it is.
    static func plotEscaped(_ s: String) -> String {
        var pending: String?  // after an `&`: what followed it so far
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        func flush(suffix: String = "", resettingTo newValue: String? = nil) {
            if let p = pending { out += "&amp;" + p }
            out += suffix
            pending = newValue
        }
        for character in s {
            switch character {
            case "<": flush(suffix: "&lt;")
            case ">": flush(suffix: "&gt;")
            case "&": flush(resettingTo: "")
            case ";":
                if let p = pending { out += "&" + p + ";" } else { out += ";" }
                pending = nil
            case "#" where pending?.isEmpty == true:
                pending = "#"
            default:
                if let p = pending {
                    guard character.isLetter || character.isNumber else {
                        flush(suffix: String(character))
                        continue
                    }
                    pending = p + String(character)
                } else {
                    out.append(character)
                }
            }
        }
        flush()
        return out
    }
}
