import Plot

/// Renders results as the `pmq` command prints them (docs/language.md, “Scripts and the `pmq` command”): one renderer for
/// the CLI, the REPL and embedding hosts.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json, markdown, tsv, html

    /// The text of one result, without a trailing newline; nil for results that print
    /// nothing on standard output (change reports go to standard error).
    public func render(_ r: StatementResult, style: TableRenderer.Style = TableRenderer.Style()) -> String? {
        if case .rows = r {
            var out: [UInt8] = []
            _ = write(r, style: style, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        return renderText(r, style: style)
    }

    /// Appends what `render` returns for `r` to `out` as UTF-8, without making a String of
    /// it (the `pmq` command writes the buffer as it is); false, appending nothing, for a
    /// result that prints nothing on standard output. Rows are written straight into the
    /// buffer, a cell at a time (CellBytes); everything else is small and goes through `render`.
    public func write(_ r: StatementResult, style: TableRenderer.Style = TableRenderer.Style(), into out: inout [UInt8]) -> Bool {
        guard case .rows(let columns, let rows, _) = r else {
            guard let text = renderText(r, style: style) else { return false }
            CellBytes.append(text, to: &out)
            return true
        }
        switch self {
        case .json:
            // Each key made once; values appended in place.
            var keys: [UInt8] = []
            var keyEnds: [Int] = []
            for c in columns {
                CellBytes.appendJSONString(c.name, to: &keys)
                keys.append(58)  // ":"
                keyEnds.append(keys.count)
            }
            out.reserveCapacity(out.count + rows.count * columns.count * 24)
            out.append(91)
            for (r, row) in rows.enumerated() {
                if r > 0 { out.append(44) }
                out.append(123)
                var keyStart = 0
                for (i, v) in row.prefix(columns.count).enumerated() {
                    if i > 0 { out.append(44) }
                    out.append(contentsOf: keys[keyStart..<keyEnds[i]])
                    keyStart = keyEnds[i]
                    CellBytes.appendJSON(v, to: &out)
                }
                out.append(125)
            }
            out.append(93)
        case .csv, .tsv:
            // A cell is quoted only when it must be.
            let d: UInt8 = self == .csv ? 44 : 9
            let field = self == .csv ? CellBytes.appendCSV : CellBytes.appendTSV
            out.reserveCapacity(out.count + 64 + rows.count * columns.count * 12)
            for (i, c) in columns.enumerated() {
                if i > 0 { out.append(d) }
                field(c.name, &out)
            }
            for row in rows {
                out.append(10)
                for (i, v) in row.enumerated() {
                    if i > 0 { out.append(d) }
                    if let s = CellBytes.escapable(v, csv: true) { field(s, &out) } else { CellBytes.appendPlain(v, csv: true, to: &out) }
                }
            }
        case .html:
            HTMLTableWriter.write(columns: columns, rows: rows, into: &out)
        case .markdown:
            out.append(contentsOf: [124, 32])  // "| "
            for (i, c) in columns.enumerated() {
                if i > 0 { out.append(contentsOf: [32, 124, 32]) }
                CellBytes.appendMarkdown(c.name, to: &out)
            }
            out.append(contentsOf: [32, 124, 10, 124])  // " |\n|"
            for c in columns {
                CellBytes.append(c.kind == .number || c.kind == .duration ? " ---: |" : " --- |" as StaticString, to: &out)
            }
            for row in rows {
                out.append(contentsOf: [10, 124, 32])
                for (i, v) in row.enumerated() {
                    if i > 0 { out.append(contentsOf: [32, 124, 32]) }
                    if v.isNull { continue }
                    if let s = CellBytes.escapable(v, csv: false) { CellBytes.appendMarkdown(s, to: &out) } else { CellBytes.appendPlain(v, csv: false, to: &out) }
                }
                out.append(contentsOf: [32, 124])
            }
        case .table:
            TableRenderer.write(columns: columns, rows: rows, style: style, into: &out)
        }
        return true
    }

    /// `render` for everything but rows.
    private func renderText(_ r: StatementResult, style: TableRenderer.Style) -> String? {
        switch r {
        case .change:
            return nil
        case .text(let t):
            // In an HTML stream a `print` line is a paragraph, escaped like every value: a task
            // named `<script>` printed by a weekly page's script must not run (W19).
            // In a JSON stream it is a JSON string on its line, so every line of standard output
            // stays one JSON value, as check's rule lines are (review 12, K4).
            switch self {
            case .html: return OutputFormat.htmlParagraph(t)
            case .json: return jsonString(t)
            default: return t
            }
        case .rule(let finding):
            switch self {
            case .json:
                return "{\"rule\":\(jsonString(finding.name)),\"severity\":\(jsonString(finding.severity)),\"count\":\(finding.count),"
                    + "\"new\":\(finding.fresh.map(String.init) ?? "null"),\"last_checked\":\(finding.lastChecked.map(jsonString) ?? "null")}"
            case .html: return OutputFormat.htmlParagraph(finding.line)
            default: return finding.line
            }
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
            // SQL holds `<` and `>`, and bound arguments are user data: escaped, as written.
            return self == .html ? "<pre>" + Node<HTML.BodyContext>.text(out).render() + "</pre>" : out
        case .rows:
            return render(r, style: style)
        }
    }

    /// `print` text in `--format html`: `<p>` with every character escaped, a line break inside
    /// the text as `<br>` (a paragraph would run the lines together).
    static func htmlParagraph(_ t: String) -> String {
        "<p>" + t.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Node<HTML.BodyContext>.text(String($0)).render() }.joined(separator: "<br>\n") + "</p>"
    }

    /// A value as a person reads it: `2026-01-28`, `3d`, `true`, `Li Wei`.
    public static func plain(_ v: Value, csv: Bool = false) -> String {
        switch v {
        case .null: return csv ? "" : "null"
        case .list(let xs):
            if csv, listCellNeedsJSON(xs) { return json(v) }
            return xs.joined(separator: csv ? ";" : ", ")
        default: return ConstantEvaluator.text(v)
        }
    }

    /// Whether a list in a CSV or TSV cell is written as a JSON array (`["a b","c;d"]`)
    /// instead of joined with `;`: when joining would not read back as the same list (an
    /// import splits a cell at `;` and `,`, trims each item, drops empty ones, and reads a
    /// cell that starts with `[` as JSON), so an export of a query imports back.
    static func listCellNeedsJSON(_ xs: [String]) -> Bool {
        if xs.first?.hasPrefix("[") == true { return true }
        return xs.contains { x in
            x.isEmpty || x.utf8.contains(where: { $0 == 59 || $0 == 44 }) || x.trimmingCharacters(in: .whitespaces) != x
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

    /// TSV as spreadsheets write it: a cell holding a tab, a line break or a quote is
    /// quoted as in CSV (so `import` reads it back); every other cell is as it is.
    static func tsvField(_ s: String) -> String {
        var out: [UInt8] = []
        CellBytes.appendTSV(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A cell holding a comma, a quote or a line break is quoted, with `"` doubled; one
    /// pass over its bytes decides (Foundation's `contains` and `replacingOccurrences` per
    /// cell were most of the time of a CSV export).
    static func csvField(_ s: String) -> String {
        var out: [UInt8] = []
        CellBytes.appendCSV(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A result as an HTML `<table>` (HTMLTableWriter escapes every name and value).
    static func htmlTable(columns: [ResultColumn], rows: [[Value]]) -> String {
        var out: [UInt8] = []
        HTMLTableWriter.write(columns: columns, rows: rows, into: &out)
        return String(decoding: out, as: UTF8.self)
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
        var out: [UInt8] = []
        write(columns: columns, rows: rows, style: style, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The table appended to `out`. Each cell is written once into one buffer of cells (with
    /// its display width, measured on its bytes), then copied into its padded place.
    static func write(columns: [ResultColumn], rows: [[Value]], style: Style, into out: inout [UInt8]) {
        let shown = style.maxRows.map { min(rows.count, max(0, $0)) } ?? rows.count
        var cells: [UInt8] = []
        var ends: [Int] = [], cellWidths: [Int] = []
        cells.reserveCapacity(shown * columns.count * 12)
        ends.reserveCapacity(shown * columns.count)
        cellWidths.reserveCapacity(shown * columns.count)
        var widths = columns.map { DisplayWidth.of($0.name) }
        for row in rows[..<shown] {
            for (i, v) in row.enumerated() {
                let start = cells.count
                var w: Int
                if let s = CellBytes.escapable(v, csv: false) {
                    // -1: the cell holds a control character; -2: measured by grapheme cluster.
                    w = CellBytes.withBytes(s) { b -> Int in
                        if CellBytes.needsCare(b) { return -1 }
                        cells.append(contentsOf: b)
                        return DisplayWidth.of(utf8: b) ?? -2
                    }
                    if w == -1 {
                        // A line break inside a value would break the table's lines: show it as \n.
                        let shownText = OutputFormat.visible(s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " "))
                        CellBytes.append(shownText, to: &cells)
                        w = DisplayWidth.of(shownText)
                    } else if w == -2 {
                        w = DisplayWidth.of(s)
                    }
                } else {
                    // Numbers, dates, booleans and null are ASCII: a cell a byte.
                    CellBytes.appendPlain(v, csv: false, to: &cells)
                    w = cells.count - start
                }
                ends.append(cells.count)
                cellWidths.append(w)
                if i < widths.count { widths[i] = max(widths[i], w) }
            }
        }
        let right = columns.map { $0.kind == .number || $0.kind == .duration }
        out.reserveCapacity(out.count + (widths.reduce(0, +) + 2 * widths.count + 1) * (shown + 3))
        func spaces(_ n: Int) { if n > 0 { out.append(contentsOf: repeatElement(32, count: n)) } }
        func item(_ i: Int, _ bytes: ArraySlice<UInt8>, width: Int, null: Bool, header: Bool) {
            let pad = max(0, widths[i] - width)
            if i > 0 { spaces(2) }
            let padFirst = !header && right[i]
            if padFirst { spaces(pad) }
            let colour = style.colour && (header || null)
            if colour { CellBytes.append(header ? "\u{1B}[1m" : "\u{1B}[2m" as StaticString, to: &out) }
            out.append(contentsOf: bytes)
            if colour { CellBytes.append("\u{1B}[0m" as StaticString, to: &out) }
            if !padFirst { spaces(pad) }
        }
        // No trailing spaces.
        func trim(from start: Int) { while out.count > start, out[out.count - 1] == 32 { out.removeLast() } }
        var start = out.count
        for (i, c) in columns.enumerated() {
            var name: [UInt8] = []
            CellBytes.append(c.name, to: &name)
            item(i, name[...], width: DisplayWidth.of(c.name), null: false, header: true)
        }
        trim(from: start)
        out.append(10)
        for (i, w) in widths.enumerated() {
            if i > 0 { spaces(2) }
            out.append(contentsOf: repeatElement(45, count: w))
        }
        var k = 0, cellStart = 0
        for row in rows[..<shown] {
            out.append(10)
            start = out.count
            for (i, v) in row.enumerated() {
                item(i, cells[cellStart..<ends[k]], width: cellWidths[k], null: v.isNull, header: false)
                cellStart = ends[k]
                k += 1
            }
            trim(from: start)
        }
        if rows.count > shown {
            CellBytes.append("\n... \(rows.count - shown) more row\(rows.count - shown == 1 ? "" : "s") not shown (.maxrows N, or 0 for all)", to: &out)
        }
        if style.footer { CellBytes.append("\n(\(rows.count) row\(rows.count == 1 ? "" : "s"))", to: &out) }
    }
}
