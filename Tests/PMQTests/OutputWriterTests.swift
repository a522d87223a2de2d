import Foundation
import Plot
import Testing
@testable import PMQ

/// The renderers write rows straight into bytes (CellBytes, HTMLTableWriter, the table's
/// buffer of cells). These tests hold every format to the String-based code it replaced,
/// kept here as it was (Plot's node tree for HTML), on random results of every kind of
/// value, and pin the edge cases by hand: CJK width, control characters, quotes, `<&>`,
/// entities, empty lists.
@Suite("output: rows written as bytes, as the String-based renderers wrote them")
struct OutputWriterTests {
    static let texts: [String] = ["a", "Z", "7", " ", ",", ";", "\"", "'", "|", "\n", "\r", "\r\n", "\t", "\u{1B}", "\u{7F}", "\u{85}", "\u{9F}",
                                  "\u{A0}", "é", "e\u{301}", "王", "芳", "数据", "ｶ", "Ａ", "한", "ㄱ", "😀", "👍🏽", "\u{200B}", "\u{0}", "&", "<", ">",
                                  "&amp;", "&#39;", "&#", "&x", "#", "\\", "—", "…", "Ω", "Ж", "\u{0483}", "\u{3099}", "-", "."]

    static func text(_ g: inout SeededGenerator) -> String {
        (0..<g.below(7)).map { _ in texts[g.below(texts.count)] }.joined()
    }

    static func value(_ g: inout SeededGenerator) -> Value {
        switch g.below(12) {
        case 0: return .null
        case 1: return .integer(Int64(g.below(2_000_001)) - 1_000_000)
        case 2: return .integer([Int64.min, Int64.max, 0, -1, 9, 10][g.below(6)])
        case 3: return .decimal([0.5, -3, 1e15, 1e-7, 0.1 + 0.2, 1234.5678, .nan, .infinity, -0.0, 12][g.below(10)])
        case 4: return .duration([0.5, 3, 0, 1.25, -2][g.below(5)])
        case 5: return .date(Day([-800_000, -1, 0, 20_528, 2_932_897, 99_999_999][g.below(6)]))
        case 6: return .bool(g.below(2) == 0)
        case 7: return .list((0..<g.below(3)).map { _ in text(&g) })
        case 8: return .reference(text(&g))
        default: return .text(text(&g))
        }
    }

    static let kinds: [ResultColumn.Kind] = [.number, .text, .date, .duration, .bool, .reference, .list, .any]

    static func result(_ seed: UInt64, rows: Int) -> (columns: [ResultColumn], rows: [[Value]]) {
        var g = SeededGenerator(seed: seed)
        let columns = (0..<(1 + g.below(5))).map { _ in ResultColumn(name: g.below(3) == 0 ? text(&g) : "c\(g.below(100))", kind: kinds[g.below(kinds.count)]) }
        return (columns, (0..<rows).map { _ in columns.map { _ in value(&g) } })
    }

    // MARK: The replaced code, as it was

    static func oldRender(_ format: OutputFormat, _ columns: [ResultColumn], _ rows: [[Value]], style: TableRenderer.Style = TableRenderer.Style()) -> String {
        switch format {
        case .json:
            let keys = columns.map { jsonString($0.name) + ":" }
            var out = "["
            for (r, row) in rows.enumerated() {
                out += r == 0 ? "{" : ",{"
                for (i, (key, v)) in zip(keys, row).enumerated() {
                    if i > 0 { out += "," }
                    out += key + OutputFormat.json(v)
                }
                out += "}"
            }
            return out + "]"
        case .csv, .tsv:
            let field = format == .csv ? previousCSVField : previousTSVField
            let d = format == .csv ? "," : "\t"
            return ([columns.map { field($0.name) }.joined(separator: d)]
                + rows.map { $0.map { field($0.isNull ? "" : OutputFormat.plain($0, csv: true)) }.joined(separator: d) }).joined(separator: "\n")
        case .html:
            return oldHTMLTable(columns, rows).render()
        case .markdown:
            let cell = OutputFastPathTests.oldMarkdownCell
            var lines = ["| " + columns.map { cell($0.name) }.joined(separator: " | ") + " |"]
            lines.append("|" + columns.map { $0.kind == .number || $0.kind == .duration ? " ---: |" : " --- |" }.joined())
            for row in rows { lines.append("| " + row.map { cell($0.isNull ? "" : OutputFormat.plain($0)) }.joined(separator: " | ") + " |") }
            return lines.joined(separator: "\n")
        case .table:
            return oldTable(columns, rows, style)
        }
    }

    // CSV and TSV as the previous code wrote them: decided and quoted on bytes, so a `,` or a
    // `"` followed by a combining mark (one Character with it) is still quoted and doubled.
    static func previousQuoted(_ s: String) -> String {
        var out: [UInt8] = [34]
        for b in s.utf8 {
            out.append(b)
            if b == 34 { out.append(34) }
        }
        out.append(34)
        return String(decoding: out, as: UTF8.self)
    }
    static func previousCSVField(_ s: String) -> String {
        s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) ? previousQuoted(s) : s
    }
    static func previousTSVField(_ s: String) -> String {
        s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 34 }) ? previousQuoted(s) : s
    }

    static func oldHTMLTable(_ columns: [ResultColumn], _ rows: [[Value]]) -> Node<HTML.BodyContext> {
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

    /// TableRenderer.render as it was (widths measured by grapheme cluster, as then).
    static func oldTable(_ columns: [ResultColumn], _ rows: [[Value]], _ style: TableRenderer.Style) -> String {
        let shown = style.maxRows.map { Array(rows.prefix(max(0, $0))) } ?? rows
        // A line break inside a value would break the table's lines: show it as \n.
        let cells = shown.map { $0.map { v -> String in
            let s = OutputFormat.plain(v)
            // Most cells hold no control character: they are shown as they are.
            guard OutputFormat.hasControl(s) else { return s }
            return OutputFormat.visible(s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " "))
        } }
        let cellWidths = cells.map { $0.map(OutputFastPathTests.oldWidth) }
        var widths = columns.map { OutputFastPathTests.oldWidth($0.name) }
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
        line(columns.map(\.name), columns.map { OutputFastPathTests.oldWidth($0.name) }, nulls: columns.map { _ in false }, header: true)
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


    // MARK: Random results

    @Test("every format, random results of every kind of value", arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func random(_ seed: UInt64) {
        let (columns, rows) = Self.result(seed, rows: Int(seed % 4) * 40)
        for format in OutputFormat.allCases {
            let new = format.render(.rows(columns: columns, rows: rows, single: false))
            #expect(new == Self.oldRender(format, columns, rows), "\(format), seed \(seed)")
            var bytes: [UInt8] = [1, 2]
            #expect(format.write(.rows(columns: columns, rows: rows, single: false), into: &bytes))
            #expect(bytes == [1, 2] + Array((new ?? "").utf8), "write appends what render returns")
        }
        for style in [TableRenderer.Style(maxRows: 5, footer: true), TableRenderer.Style(colour: true), TableRenderer.Style(maxRows: 0, footer: true, colour: true)] {
            #expect(TableRenderer.render(columns: columns, rows: rows, style: style) == Self.oldTable(columns, rows, style), "seed \(seed)")
        }
    }

    @Test("no rows, and no columns")
    func empty() {
        for format in OutputFormat.allCases {
            for columns in [[], [ResultColumn(name: "n", kind: .number), ResultColumn(name: "name", kind: .text)]] {
                for rows in [[], [[Value]](repeating: [], count: columns.isEmpty ? 2 : 0)] {
                    #expect(format.render(.rows(columns: columns, rows: rows, single: false)) == Self.oldRender(format, columns, rows), "\(format)")
                }
            }
        }
    }

    // MARK: Width

    /// The byte path measures exactly the scalars it claims, each as its own cluster, as
    /// `of(Character)` does; anything else is left to the cluster-by-cluster path.
    @Test("display width on bytes: every scalar it measures, and random text")
    func width() {
        var measured = 0
        for v in UInt32(1)..<0x10000 {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = String(Character(u))
            let w = CellBytes.withBytes(s) { DisplayWidth.of(utf8: $0) }
            if let w {
                measured += 1
                #expect(w == DisplayWidth.of(Character(u)), "U+\(String(v, radix: 16))")
            }
        }
        #expect(measured > 40_000)
        var g = SeededGenerator(seed: 9)
        for _ in 0..<5000 {
            let s = Self.text(&g) + Self.text(&g)
            #expect(DisplayWidth.of(s) == OutputFastPathTests.oldWidth(s), "\(Array(s.unicodeScalars))")
        }
        // Scalars that combine with their neighbour are never measured on their own.
        for s in ["e\u{301}", "\u{1100}\u{1161}", "한\u{11A8}", "か\u{3099}", "a\u{200D}b", "\r\n", "👍🏽", "🇫🇷"] {
            #expect(CellBytes.withBytes(s) { DisplayWidth.of(utf8: $0) } == nil, "\(s)")
        }
        #expect(DisplayWidth.of("数据迁移 Ａ한ｶ…") == 8 + 1 + 2 + 2 + 1 + 1)
    }

    // MARK: Edge cases by hand

    @Test("table: CJK aligned by display width, control characters shown as escapes")
    func tableEdges() {
        let columns = [ResultColumn(name: "name", kind: .text), ResultColumn(name: "n", kind: .number)]
        let rows: [[Value]] = [[.text("数据迁移"), .integer(1)], [.text("a\nb\tc\u{1B}[31m"), .integer(-20)], [.text("é"), .null]]
        func sp(_ n: Int) -> String { String(repeating: " ", count: n) }
        #expect(OutputFormat.table.render(.rows(columns: columns, rows: rows, single: false)) == [
            "name" + sp(14) + "n",
            String(repeating: "-", count: 16) + "  ----",
            "数据迁移" + sp(13) + "1",
            "a\\nb c\\u{1B}[31m" + sp(3) + "-20",
            "é" + sp(17) + "null",
        ].joined(separator: "\n"))
    }

    /// A list whose items hold `;` or `,` is written as a JSON array (docs/language.md, “Data in
    /// and out”): `import` reads it back as the same list, where `x;y,z` would split.
    @Test("csv, tsv: quotes, delimiters, line breaks; null empty; lists with ; or as JSON when an item holds a separator")
    func delimitedEdges() {
        let columns = [ResultColumn(name: "a,b", kind: .text), ResultColumn(name: "tags", kind: .list)]
        let rows: [[Value]] = [[.text("say \"hi\""), .list(["x", "y,z"])], [.text("line\r\nbreak"), .list([])], [.null, .list(["a\tb"])]]
        let r = StatementResult.rows(columns: columns, rows: rows, single: false)
        #expect(OutputFormat.csv.render(r) == "\"a,b\",tags\n\"say \"\"hi\"\"\",\"[\"\"x\"\",\"\"y,z\"\"]\"\n\"line\r\nbreak\",\n,a\tb")
        // A comma or a quote with a combining mark after it is still a comma or a quote to a CSV reader.
        #expect(OutputFormat.csvField(",\u{3099}") == "\",\u{3099}\"")
        #expect(OutputFormat.csvField("\"\u{301}") == "\"\"\"\u{301}\"")
        #expect(OutputFormat.tsv.render(r) == "a,b\ttags\n\"say \"\"hi\"\"\"\t\"[\"\"x\"\",\"\"y,z\"\"]\"\n\"line\r\nbreak\"\t\n\t\"a\tb\"")
    }

    @Test("json: escapes, empty lists as [], dates and durations")
    func jsonEdges() {
        let columns = [ResultColumn(name: "na\"me", kind: .text), ResultColumn(name: "tags", kind: .list), ResultColumn(name: "d", kind: .date),
                       ResultColumn(name: "x", kind: .duration)]
        let rows: [[Value]] = [[.text("a\\b\n\u{1}\u{1F}王"), .list([]), .date(Day(iso: "2026-03-16")!), .duration(2.5)],
                               [.null, .list(["a", "\""]), .null, .decimal(.nan)]]
        #expect(OutputFormat.json.render(.rows(columns: columns, rows: rows, single: false))
            == #"[{"na\"me":"a\\b\n\u0001\u001f王","tags":[],"d":"2026-03-16","x":2.5},{"na\"me":null,"tags":["a","\""],"d":null,"x":null}]"#)
    }

    @Test("markdown: | escaped, line breaks as spaces, controls as escapes")
    func markdownEdges() {
        let columns = [ResultColumn(name: "a|b", kind: .text), ResultColumn(name: "n", kind: .number)]
        let rows: [[Value]] = [[.text("x|y\nz\u{7}"), .integer(3)], [.null, .null]]
        #expect(OutputFormat.markdown.render(.rows(columns: columns, rows: rows, single: false))
            == "| a\\|b | n |\n| --- | ---: |\n| x\\|y z\\u{7} | 3 |\n|  |  |")
    }

    @Test("html: <&> escaped as Plot does, entities left as they are, numbers classed")
    func htmlEdges() {
        let columns = [ResultColumn(name: "<name>", kind: .text), ResultColumn(name: "cost", kind: .number)]
        let rows: [[Value]] = [[.text("R&D <b>\"x\"</b> &amp; &#39; &x"), .decimal(1.5)], [.text("&"), .null]]
        #expect(OutputFormat.html.render(.rows(columns: columns, rows: rows, single: false))
            == "<table><thead><tr><th>&lt;name&gt;</th><th>cost</th></tr></thead><tbody>"
            + "<tr><td>R&amp;D &lt;b&gt;\"x\"&lt;/b&gt; &amp; &#39; &amp;x</td><td class=\"num\">1.5</td></tr>"
            + "<tr><td>&amp;</td><td class=\"num\"></td></tr></tbody></table>")
        var g = SeededGenerator(seed: 13)
        let parts = ["&", "#", ";", "<", ">", "a", "7", " ", "é", "王", "e\u{301}", "\u{661}", "&amp;", "\n"]
        for _ in 0..<3000 {
            let s = (0..<g.below(9)).map { _ in parts[g.below(parts.count)] }.joined()
            #expect(HTMLTableWriter.plotEscaped(s) == Node<HTML.BodyContext>.text(s).render(), "\(s)")
        }
    }

    @Test("html: print text is a paragraph, escaped; explain is escaped in <pre> (W19)")
    func htmlText() throws {
        #expect(OutputFormat.html.render(.text("late: <script>alert(1)</script> & \"x\"\nnext"))
            == "<p>late: &lt;script&gt;alert(1)&lt;/script&gt; &amp; \"x\"<br>\nnext</p>")
        #expect(OutputFormat.table.render(.text("<b>")) == "<b>")
        let explained = try #require(OutputFormat.html.render(.explain(sql: "SELECT 1 WHERE a < ?", arguments: [.text("<i>")], plan: ["SCAN t"])))
        #expect(explained.hasPrefix("<pre>SELECT 1 WHERE a &lt; ?"))
        #expect(explained.contains("&quot;&lt;i&gt;&quot;") || explained.contains("\"&lt;i&gt;\""))
        #expect(!explained.contains("<i>"))
        // The command, as a weekly page script runs it: no markup from data reaches the page.
        let r = try PMQProcess.run(["--format", "html", "-e", "add project \"A\"", "-e", "add task \"<script>alert(1)</script>\" wbs 1",
                                    "-e", "for t in tasks { print \"late: {t.name}\" }", "-e", "count tasks"])
        #expect(r.status == 0)
        #expect(r.stdout == "<p>late: &lt;script&gt;alert(1)&lt;/script&gt;</p>\n1\n")
    }

    @Test("pmq writes the same bytes to standard output, results one after another")
    func command() throws {
        let model = "add project \"P\"; add task \"数据 <&> \\\"q\\\"\" wbs 1 cost 2.5; add task \"b,c\" wbs 2 tags (\"x\", \"y,z\")"
        for format in OutputFormat.allCases {
            let r = try PMQProcess.run(["--format", format.rawValue, "-e", model, "-e", "tasks select wbs, name, cost, tags", "-e", "count tasks",
                                        "-e", "tasks where wbs = \"9\" select wbs"])
            #expect(r.status == 0)
            let s = try Session(path: nil, today: nil)
            var results: [StatementResult] = []
            for text in [model, "tasks select wbs, name, cost, tags", "count tasks", "tasks where wbs = \"9\" select wbs"] {
                results += s.run(text).results
            }
            // As the command prints them: a blank line before a table that follows another result,
            // and before a bare value that follows a table (H7, R1).
            var expected = "", printed = false, afterTable = false
            for result in results {
                guard let text = format.render(result) else { continue }
                var isTable = false
                if case .rows = result { isTable = true }
                if printed, isTable || afterTable, format == .table || format == .markdown { expected += "\n" }
                expected += text + "\n"
                printed = true
                afterTable = isTable
            }
            #expect(r.stdout == expected, "\(format)")
        }
    }
}
