import Plot

/// Renders results as the `pmq` command prints them (docs/language.md, “Scripts and the `pmq` command”): one renderer for
/// the CLI, the REPL and embedding hosts.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json, markdown, tsv, html

    /// The text of one result, without a trailing newline; nil for results that print
    /// nothing on standard output (change reports go to standard error).
    public func render(_ r: StatementResult, style: TableRenderer.Style = TableRenderer.Style()) -> String? {
        switch r {
        case .change:
            return nil
        case .text(let t):
            return t
        case .gantt(let chart):
            if self == .table { return GanttText.render(chart, width: style.width ?? 80, colour: style.colour, maxRows: style.maxRows) }
            return render(chart.table, style: style)
        case .scalar(let v, _):
            switch self {
            case .json: return OutputFormat.json(v)
            case .html: return Node<HTML.BodyContext>.text(OutputFormat.plain(v)).render()  // alone on its line, escaped, as in every format
            case .csv, .tsv: return OutputFormat.plain(v, csv: true)
            default: return OutputFormat.plain(v)
            }
        case .explain(let sql, let args, let plan):
            if self == .json {
                return "{\"sql\":\(jsonString(sql)),\"arguments\":[\(args.map(OutputFormat.json).joined(separator: ","))],\"plan\":[\(plan.map(jsonString).joined(separator: ","))]}"
            }
            var out = sql
            if !args.isEmpty {
                out += "\n-- arguments: " + args.enumerated().map { "?\($0 + 1) = \(OutputFormat.literal($1))" }.joined(separator: ", ")
            }
            out += "\n-- plan:\n" + plan.map { "   " + $0 }.joined(separator: "\n")
            return out
        case .rows(let columns, let rows, _):
            switch self {
            case .json:
                let keys = columns.map { jsonString($0.name) + ":" }
                var out = "["
                out.reserveCapacity(rows.count * columns.count * 24)
                for (r, row) in rows.enumerated() {
                    out += r == 0 ? "{" : ",{"
                    for (i, (key, v)) in zip(keys, row).enumerated() {
                        if i > 0 { out += "," }
                        out += key
                        out += OutputFormat.json(v)
                    }
                    out += "}"
                }
                return out + "]"
            case .csv, .tsv:
                // One buffer of bytes for the whole result: a cell is quoted only when it must be.
                let d: UInt8 = self == .csv ? 44 : 9
                let field = self == .csv ? OutputFormat.csvField : OutputFormat.tsvField
                var out: [UInt8] = []
                out.reserveCapacity(64 + rows.count * columns.count * 12)
                func line(_ cells: [String]) {
                    for (i, c) in cells.enumerated() {
                        if i > 0 { out.append(d) }
                        out.append(contentsOf: field(c).utf8)
                    }
                }
                line(columns.map(\.name))
                for row in rows {
                    out.append(10)
                    line(row.map { $0.isNull ? "" : OutputFormat.plain($0, csv: true) })
                }
                return String(decoding: out, as: UTF8.self)
            case .html:
                return OutputFormat.htmlTable(columns: columns, rows: rows).render()
            case .markdown:
                func cell(_ s: String) -> String {
                    guard s.utf8.contains(where: { $0 == 124 || $0 == 10 }) else { return OutputFormat.visible(s) }
                    return OutputFormat.visible(s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " "))
                }
                var lines = ["| " + columns.map { cell($0.name) }.joined(separator: " | ") + " |"]
                lines.append("|" + columns.map { $0.kind == .number || $0.kind == .duration ? " ---: |" : " --- |" }.joined())
                for row in rows { lines.append("| " + row.map { cell($0.isNull ? "" : OutputFormat.plain($0)) }.joined(separator: " | ") + " |") }
                return lines.joined(separator: "\n")
            case .table:
                return TableRenderer.render(columns: columns, rows: rows, style: style)
            }
        }
    }

    /// A value as a person reads it: `2026-01-28`, `3d`, `true`, `Li Wei`.
    public static func plain(_ v: Value, csv: Bool = false) -> String {
        switch v {
        case .null: return csv ? "" : "null"
        case .list(let xs): return xs.joined(separator: csv ? ";" : ", ")
        default: return ConstantEvaluator.text(v)
        }
    }

    /// A value in JSON: dates as "YYYY-MM-DD", durations as numbers of days.
    public static func json(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .integer(let i): return String(i)
        case .decimal(let d), .duration(let d): return d.isFinite ? formatNumber(d) : "null"
        case .text(let s), .reference(let s): return jsonString(s)
        case .date(let d): return "\"\(d.iso)\""
        case .bool(let b): return b ? "true" : "false"
        case .list(let xs): return "[" + xs.map(jsonString).joined(separator: ",") + "]"
        }
    }

    /// A bound argument as `explain` shows it.
    static func literal(_ v: Value) -> String {
        switch v {
        case .text(let s), .reference(let s): return jsonString(s)
        case .date(let d): return "\(d.number) (\(d.iso))"
        default: return json(v)
        }
    }

    /// Control characters in data (an escape sequence, a bell, a carriage return) would act
    /// on the terminal: tables and Markdown show them as PMQ escapes, `\u{1B}`.
    static func visible(_ s: String) -> String {
        func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }
        guard hasControl(s) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isControl(u) { out.append(contentsOf: "\\u{\(String(u.value, radix: 16, uppercase: true))}".unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }

    /// Whether `s` holds a control character (C0, DEL or C1), by one pass over its bytes:
    /// U+0080–U+009F are encoded 0xC2 0x80–0x9F.
    @inline(__always)
    static func hasControl(_ s: String) -> Bool {
        var previousC2 = false
        for b in s.utf8 {
            if b < 0x20 || b == 0x7F || (previousC2 && b >= 0x80 && b <= 0x9F) { return true }
            previousC2 = b == 0xC2
        }
        return false
    }

    /// `s` with every `"` doubled, inside quotes (CSV's quoting), built from bytes.
    static func quoted(_ s: String) -> String {
        var out: [UInt8] = [34]
        out.reserveCapacity(s.utf8.count + 4)
        for b in s.utf8 {
            out.append(b)
            if b == 34 { out.append(34) }
        }
        out.append(34)
        return String(decoding: out, as: UTF8.self)
    }

    /// TSV as spreadsheets write it: a cell holding a tab, a line break or a quote is
    /// quoted as in CSV (so `import` reads it back); every other cell is as it is.
    static func tsvField(_ s: String) -> String {
        if s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 34 }) { return quoted(s) }
        return s
    }

    /// A result as an HTML `<table>`: Plot escapes every name and value.
    static func htmlTable(columns: [ResultColumn], rows: [[Value]]) -> Node<HTML.BodyContext> {
        // Plot escapes text one character at a time; text without <, > or & comes out of
        // that escaping as it went in, so it is given as it is, and all other text escaped.
        func text<C>(_ s: String) -> Node<C> {
            s.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 }) ? .text(s) : .raw(s)
        }
        return .table(
            .thead(.tr(.group(columns.map { .th(text($0.name)) }))),
            .tbody(.group(rows.map { row in
                .tr(.group(zip(columns, row).map { column, v in
                    let numeric = column.kind == .number || column.kind == .duration
                    return .td(.if(numeric, .class("num")), text(v.isNull ? "" : OutputFormat.plain(v)))
                }))
            }))
        )
    }

    /// A cell holding a comma, a quote or a line break is quoted; one pass over its bytes
    /// decides (Foundation's `contains` and `replacingOccurrences` per cell were most of the
    /// time of a CSV export).
    static func csvField(_ s: String) -> String {
        if s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) { return quoted(s) }
        return s
    }
}

/// Aligned columns by display width; numbers and durations right-aligned.
public enum TableRenderer {
    /// Options for a person at a terminal: a row-count footer, a cut after `maxRows`,
    /// and colour (bold header, dim null) when the caller has checked it is wanted.
    public struct Style: Sendable {
        public var maxRows: Int?
        public var footer: Bool
        public var colour: Bool
        /// The terminal's width in columns, for charts (`gantt`); nil: 80.
        public var width: Int?
        public init(maxRows: Int? = nil, footer: Bool = false, colour: Bool = false, width: Int? = nil) {
            self.maxRows = maxRows
            self.footer = footer
            self.colour = colour
            self.width = width
        }
    }

    public static func render(columns: [ResultColumn], rows: [[Value]], style: Style = Style()) -> String {
        let shown = style.maxRows.map { Array(rows.prefix(max(0, $0))) } ?? rows
        // A line break inside a value would break the table's lines: show it as \n.
        let cells = shown.map { $0.map { v -> String in
            let s = OutputFormat.plain(v)
            // Most cells hold no control character: they are shown as they are.
            guard OutputFormat.hasControl(s) else { return s }
            return OutputFormat.visible(s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " "))
        } }
        let cellWidths = cells.map { $0.map(DisplayWidth.of) }
        var widths = columns.map { DisplayWidth.of($0.name) }
        for row in cellWidths { for (i, w) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], w) } }
        let right = columns.map { $0.kind == .number || $0.kind == .duration }
        // The whole table is written into one buffer of bytes.
        var out: [UInt8] = []
        out.reserveCapacity((widths.reduce(0, +) + 2 * widths.count + 1) * (shown.count + 3))
        func spaces(_ n: Int) { if n > 0 { out.append(contentsOf: repeatElement(32, count: n)) } }
        func line(_ items: [String], _ itemWidths: [Int], nulls: [Bool], header: Bool) {
            let start = out.count
            for (i, s) in items.enumerated() {
                let pad = max(0, widths[i] - itemWidths[i])
                if i > 0 { spaces(2) }
                let padFirst = !header && right[i]
                if padFirst { spaces(pad) }
                let colour = style.colour && (header || nulls[i])
                if colour { out.append(contentsOf: (header ? "\u{1B}[1m" : "\u{1B}[2m").utf8) }
                out.append(contentsOf: s.utf8)
                if colour { out.append(contentsOf: "\u{1B}[0m".utf8) }
                if !padFirst { spaces(pad) }
            }
            // No trailing spaces.
            while out.count > start, out[out.count - 1] == 32 { out.removeLast() }
        }
        line(columns.map(\.name), columns.map { DisplayWidth.of($0.name) }, nulls: columns.map { _ in false }, header: true)
        out.append(10)
        for (i, w) in widths.enumerated() {
            if i > 0 { spaces(2) }
            out.append(contentsOf: repeatElement(45, count: w))
        }
        for ((row, rowWidths), values) in zip(zip(cells, cellWidths), shown) {
            out.append(10)
            line(row, rowWidths, nulls: values.map(\.isNull), header: false)
        }
        var text = String(decoding: out, as: UTF8.self)
        if rows.count > shown.count {
            text += "\n... \(rows.count - shown.count) more row\(rows.count - shown.count == 1 ? "" : "s") not shown (.maxrows N, or 0 for all)"
        }
        if style.footer { text += "\n(\(rows.count) row\(rows.count == 1 ? "" : "s"))" }
        return text
    }
}
