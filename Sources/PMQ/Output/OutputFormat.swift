import Plot

/// Renders results as the `pmq` command prints them (spec §7): one renderer for
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
            case .html: return Node<HTML.BodyContext>.p(.text(OutputFormat.plain(v))).render()
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
                let objects = rows.map { row in
                    "{" + zip(columns, row).map { "\(jsonString($0.name)):\(OutputFormat.json($1))" }.joined(separator: ",") + "}"
                }
                return "[" + objects.joined(separator: ",") + "]"
            case .csv, .tsv:
                let d = self == .csv ? "," : "\t"
                let field = self == .csv ? OutputFormat.csvField : OutputFormat.tsvField
                let lines = [columns.map { field($0.name) }.joined(separator: d)]
                    + rows.map { $0.map { field($0.isNull ? "" : OutputFormat.plain($0, csv: true)) }.joined(separator: d) }
                return lines.joined(separator: "\n")
            case .html:
                return OutputFormat.htmlTable(columns: columns, rows: rows).render()
            case .markdown:
                func cell(_ s: String) -> String { OutputFormat.visible(s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")) }
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
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isControl(u) { out.append(contentsOf: "\\u{\(String(u.value, radix: 16, uppercase: true))}".unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }

    /// TSV as spreadsheets write it: a cell holding a tab, a line break or a quote is
    /// quoted as in CSV (so `import` reads it back); every other cell is as it is.
    static func tsvField(_ s: String) -> String {
        if s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 34 }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// A result as an HTML `<table>`: Plot escapes every name and value.
    static func htmlTable(columns: [ResultColumn], rows: [[Value]]) -> Node<HTML.BodyContext> {
        .table(
            .thead(.tr(.group(columns.map { .th(.text($0.name)) }))),
            .tbody(.group(rows.map { row in
                .tr(.group(zip(columns, row).map { column, v in
                    let numeric = column.kind == .number || column.kind == .duration
                    return .td(.if(numeric, .class("num")), .text(v.isNull ? "" : OutputFormat.plain(v)))
                }))
            }))
        )
    }

    static func csvField(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
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
        let cells = shown.map { $0.map { OutputFormat.visible(OutputFormat.plain($0).replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " ")) } }
        var widths = columns.map { DisplayWidth.of($0.name) }
        for row in cells { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], DisplayWidth.of(c)) } }
        let right = columns.map { $0.kind == .number || $0.kind == .duration }
        func line(_ items: [String], nulls: [Bool], header: Bool) -> String {
            var out = ""
            for (i, s) in items.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - DisplayWidth.of(s)))
                var text = s
                if style.colour && header { text = "\u{1B}[1m" + s + "\u{1B}[0m" }
                if style.colour && !header && nulls[i] { text = "\u{1B}[2m" + s + "\u{1B}[0m" }
                let cell = !header && right[i] ? pad + text : text + pad
                out += (i == 0 ? "" : "  ") + cell
            }
            while out.hasSuffix(" ") { out.removeLast() }
            return out
        }
        var lines = [line(columns.map(\.name), nulls: columns.map { _ in false }, header: true)]
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for (row, values) in zip(cells, shown) { lines.append(line(row, nulls: values.map(\.isNull), header: false)) }
        if rows.count > shown.count {
            lines.append("... \(rows.count - shown.count) more row\(rows.count - shown.count == 1 ? "" : "s") not shown (.maxrows N, or 0 for all)")
        }
        if style.footer { lines.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))") }
        return lines.joined(separator: "\n")
    }
}
