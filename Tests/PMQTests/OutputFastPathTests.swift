import Foundation
import Testing
@testable import PMQ

/// The renderers look at a cell's bytes once and leave most cells as they are; these
/// tests hold them to the slower Foundation-based code they replaced, on random cells made
/// of the characters that matter (delimiters, quotes, line breaks, C0/C1 controls, DEL,
/// wide and combining characters).
@Suite("output: byte fast paths render as the Foundation code did")
struct OutputFastPathTests {
    static let alphabet: [String] = ["a", "Z", "7", " ", ",", "\"", "|", "\n", "\r", "\r\n", "\t", "\u{1B}", "\u{7F}", "\u{85}", "\u{9F}", "\u{A0}",
                                     "\u{C2}", "é", "e\u{301}", "王", "芳", "😀", "\u{200B}", "\u{0}", "-", "."]

    static func cells(_ seed: UInt64, _ n: Int) -> [String] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in (0..<g.below(8)).map { _ in alphabet[g.below(alphabet.count)] }.joined() }
    }

    // The replaced code, as it was.
    static func oldCSVField(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
    static func oldTSVField(_ s: String) -> String {
        if s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 || $0 == 34 }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
    static func oldVisible(_ s: String) -> String {
        func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || (0x7F...0x9F).contains(u.value) }
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if isControl(u) { out.append(contentsOf: "\\u{\(String(u.value, radix: 16, uppercase: true))}".unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }
    static func oldTableCell(_ s: String) -> String { oldVisible(s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " ")) }
    static func oldMarkdownCell(_ s: String) -> String { oldVisible(s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")) }
    /// The slow path the ASCII fast path must agree with: every grapheme cluster measured.
    static func oldWidth(_ s: String) -> Int { s.reduce(0) { $0 + DisplayWidth.of($1) } }

    @Test("cells: CSV, TSV, control characters and display width", arguments: [1, 2, 3] as [UInt64])
    func cells(_ seed: UInt64) {
        for s in Self.cells(seed, 3000) {
            #expect(OutputFormat.csvField(s) == Self.oldCSVField(s), "\(Array(s.unicodeScalars))")
            #expect(OutputFormat.tsvField(s) == Self.oldTSVField(s))
            #expect(OutputFormat.visible(s) == Self.oldVisible(s))
            #expect(OutputFormat.hasControl(s) == (Self.oldVisible(s) != s))
            #expect(DisplayWidth.of(s) == Self.oldWidth(s))
        }
    }

    @Test("whole results: table and Markdown cells as before")
    func results() {
        let texts = Self.cells(7, 600)
        let rows = stride(from: 0, to: texts.count, by: 3).map { i in [Value.text(texts[i]), .text(texts[i + 1]), .reference(texts[i + 2])] }
        let columns = [ResultColumn(name: "a", kind: .text), ResultColumn(name: "b|c", kind: .text), ResultColumn(name: "王", kind: .reference)]
        let table = OutputFormat.table.render(.rows(columns: columns, rows: rows, single: false)) ?? ""
        let cells = rows.map { $0.map { Self.oldTableCell(OutputFormat.plain($0)) } }
        for (line, row) in zip(table.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2), cells) {
            // Each cell appears in its line, in order, as the old code showed it.
            var rest = Substring(line)
            for cell in row {
                // A line loses its trailing spaces, a last cell's too.
                var c = Substring(cell)
                while c.hasSuffix(" ") { c = c.dropLast() }
                if c.isEmpty { continue }
                guard let r = rest.range(of: c) else { Issue.record("\(c.debugDescription) not in \(line.debugDescription)"); break }
                rest = rest[r.upperBound...]
            }
        }
        let markdown = OutputFormat.markdown.render(.rows(columns: columns, rows: rows, single: false)) ?? ""
        let expected = ["| a | b\\|c | 王 |", "| --- | --- | --- |"] + rows.map { "| " + $0.map { Self.oldMarkdownCell(OutputFormat.plain($0)) }.joined(separator: " | ") + " |" }
        #expect(markdown == expected.joined(separator: "\n"))
    }

    @Test("MS Project XML: text escaped in one pass as XMLCoder's five replacements did, and read back")
    func xmlText() throws {
        func old(_ s: String) -> String {
            var t = s
            for (c, e) in [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("'", "&apos;"), ("\"", "&quot;")] {
                t = t.replacingOccurrences(of: c, with: e, options: .literal)
            }
            return t
        }
        var g = SeededGenerator(seed: 5)
        let parts = ["&", "<", ">", "'", "\"", "&amp;", "a", " ", "王", "e\u{301}", "&\u{301}", "\n"]
        for _ in 0..<3000 {
            let s = (0..<g.below(8)).map { _ in parts[g.below(parts.count)] }.joined()
            #expect(MSProjectExporter.xmlEscaped(s) == old(s), "\(s)")
        }
        let f = Scratch("xml-text")
        let a = try Session(path: nil, today: Day(iso: "2026-03-16"))
        let names = ["R&D <phase> 'one' \"two\"", "a &amp; b", "数据 & 迁移"]
        #expect(a.run("add project \"P&Q\" name \"Plan <A> & 'B'\"; add person \"O'Neil & Co\"").diagnostics.isEmpty)
        for (i, n) in names.enumerated() {
            #expect(a.run("add task \"\(n.replacingOccurrences(of: "\"", with: "\\\""))\" wbs \(i + 1) owner \"O'Neil & Co\" start 2026-03-02 finish 2026-03-06 notes \"<b>&</b>\"").diagnostics.isEmpty)
        }
        #expect(a.run("export project to \"\(f.path("p.xml"))\"").diagnostics.isEmpty)
        let xml = f.read("p.xml")
        #expect(xml.contains("<Name>R&amp;D &lt;phase&gt; &apos;one&apos; &quot;two&quot;</Name>"))
        #expect(xml.contains("<Notes>&lt;b&gt;&amp;&lt;/b&gt;</Notes>"))
        let b = try Session(path: nil, today: Day(iso: "2026-03-16"))
        #expect(b.run("import \"\(f.path("p.xml"))\" as \"Q\"").diagnostics.isEmpty)
        let q = "tasks select name, owner, notes order by wbs"
        #expect(rows(a, q) == rows(b, q))
    }

    @Test("dates print as before, near and far")
    func dates() {
        for n in [-719_528, -719_162, -1, 0, 1, 20_000, 2_932_896, 2_932_897, -800_000, 99_999_999] {
            let d = Day(n)
            let (y, m, dd) = Day.civil(from: n)
            func pad(_ v: Int, _ w: Int) -> String { let s = String(abs(v)); return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, w - s.count)) + s }
            #expect(d.iso == "\(pad(y, 4))-\(pad(m, 2))-\(pad(dd, 2))", "\(n)")
        }
    }

    @Test("WBS codes: validity and sort keys as before")
    func wbs() {
        func oldValid(_ s: String) -> Bool {
            !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { seg in
                !seg.isEmpty && seg.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            }
        }
        func oldKey(_ s: String) -> String {
            s.split(separator: ".", omittingEmptySubsequences: false).map { seg -> String in
                guard !seg.isEmpty, seg.allSatisfy({ $0.isASCII && $0.isNumber }) else { return String(seg) }
                let trimmed = seg.drop { $0 == "0" }
                let digits = trimmed.isEmpty ? "0" : String(trimmed)
                return digits.count >= 10 ? digits : String(repeating: "0", count: 10 - digits.count) + digits
            }.joined(separator: ".")
        }
        var g = SeededGenerator(seed: 11)
        let parts = ["1", "0", "00", "12", "007", "12345678901", ".", ".", ".", "a", "Z", "_", "-", " ", "王", "١", "x"]
        for _ in 0..<5000 {
            let s = (0..<g.below(7)).map { _ in parts[g.below(parts.count)] }.joined()
            #expect(WBS.isValid(s) == oldValid(s), "\(s)")
            #expect(WBS.sortKey(s) == oldKey(s), "\(s)")
        }
    }
}
