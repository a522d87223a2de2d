import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PMQ

/// Every element of an SVG or XHTML text, read back by a real XML parser: a text
/// that does not parse fails the test, so escaping mistakes cannot hide.
final class XMLElements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var text = "" }
    var elements: [Element] = []
    private var open: [Int] = []
    var error: Error?

    static func parse(_ text: String) -> XMLElements {
        let r = XMLElements()
        let p = XMLParser(data: Data(text.utf8))
        p.delegate = r
        if !p.parse() { r.error = p.parserError ?? NSError(domain: "xml", code: 1) }
        return r
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        open.append(elements.count - 1)
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { _ = open.popLast() }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for i in open { elements[i].text += string }
    }

    func with(_ name: String, class prefix: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (prefix == nil || ($0.attributes["class"] ?? "").hasPrefix(prefix ?? "")) }
    }
}

@Suite("Pictures: gantt, SVG and the HTML report (docs/language.md, “Pictures”)")
struct PicturesTests {
    static let model = """
    add person "Li Wei"
    add person "王芳"
    add project "GOV" name "Cloud migration"
    add task "Plan" wbs 1
    add task "Requirements" wbs 1.1 start 2026-03-02 duration 5wd owner "Li Wei"
    add task "<script>x</script> \\"&'" wbs 1.2 start 2026-03-09 duration 5wd owner "Li Wei"
    add task "数据库迁移" wbs 2 start 2026-03-16 duration 10wd owner "王芳"
    add milestone "Go-live" wbs 3 finish 2026-03-29
    add dependency 1.1 -> 1.2
    add dependency 1.2 -> 2
    add dependency 2 -> 3
    update 1.1 set status = done, actual_start = 2026-03-02
    update 1.2 set status = doing, progress = 50, actual_start = 2026-03-09
    schedule
    baseline save
    shift 2 by 2d
    add risk "<b>API</b>" probability 4 impact 5 owner "Li Wei"
    assign "王芳" as A to 1.2
    """
    static let nastyName = "<script>x</script> \"&'"

    static func session(today: String = "2026-03-18") throws -> Session {
        let s = try Session(path: nil, today: Day(iso: today))
        let (_, d) = s.run(model)
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        return s
    }

    static func chart(_ s: Session, _ query: String = "tasks order by wbs") -> GanttChart? {
        var chart: GanttChart?
        s.run(SourceFile(name: "<t>", text: "gantt " + query)) { if case .gantt(let c) = $0 { chart = c } }
        return chart
    }

    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-pictures-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    // MARK: - SVG

    @Test("every SVG bar sits at its dates: x and width from the chart's scale")
    func svgBarsMatchDates() throws {
        let s = try Self.session()
        let svg = try GanttSVG.render(query: "tasks order by wbs", in: s, title: "GOV")
        let xml = XMLElements.parse(svg)
        #expect(xml.error == nil, "the SVG must parse as XML: \(String(describing: xml.error))")
        let scale = try #require(xml.with("g", class: "rows").first?.attributes)
        let first = try #require(Day(iso: scale["data-first"] ?? ""))
        let x0 = try #require(Double(scale["data-x0"] ?? "")), dw = try #require(Double(scale["data-day-width"] ?? ""))
        let bars = xml.elements.filter { ($0.attributes["class"] ?? "").hasPrefix("bar") }
        #expect(bars.count == 4)   // 1 (summary), 1.1, 1.2, 2
        for b in bars {
            let start = try #require(Day(iso: b.attributes["data-start"] ?? "")), finish = try #require(Day(iso: b.attributes["data-finish"] ?? ""))
            let x = try #require(Double(b.attributes["x"] ?? "")), w = try #require(Double(b.attributes["width"] ?? ""))
            #expect(abs(x - (x0 + Double(start.number - first.number) * dw)) < 0.02, "x of \(b.attributes["data-wbs"] ?? "")")
            #expect(abs(w - Double(finish.number - start.number + 1) * dw) < 0.02, "width of \(b.attributes["data-wbs"] ?? "")")
        }
        // Task 2 was shifted after the baseline: its bar starts where the chart says, its baseline 2 days before.
        let wbs2 = bars.first { $0.attributes["data-wbs"] == "2" }
        let row2 = try #require(Self.chart(s)?.rows.first { $0.wbs == "2" })
        #expect(wbs2?.attributes["data-start"] == row2.start?.iso)
        #expect(xml.with("rect", class: "baseline").first?.attributes["data-start"] == row2.baselineStart?.iso)
        #expect(row2.baselineStart.map { $0 + 2 } == row2.start)
        #expect(xml.with("polygon", class: "milestone").count == 1)
        #expect(xml.with("rect", class: "baseline").count == 1)   // only 2 moved off its baseline
        #expect(xml.with("path", class: "link").count == 3)
        #expect(xml.with("g", class: "today").first?.attributes["data-date"] == "2026-03-18")
        #expect(xml.with("rect", class: "progress").count == 2)   // 1.1 done, 1.2 half done
    }

    @Test("names are escaped in SVG: the parser reads back exactly what was typed")
    func svgEscaping() throws {
        let s = try Self.session()
        let svg = try GanttSVG.render(query: "tasks where wbs = \"1.2\"", in: s)
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;x&lt;/script&gt; &quot;&amp;&#39;") || svg.contains("&lt;script&gt;x&lt;/script&gt; \"&amp;'"))
        let xml = XMLElements.parse(svg)
        #expect(xml.error == nil)
        #expect(xml.with("text", class: "label").contains { $0.text.contains(Self.nastyName) })
        #expect(xml.with("title").contains { $0.text.contains(Self.nastyName) })
        #expect(xml.with("rect", class: "bar").first?.attributes["data-wbs"] == "1.2")
    }

    @Test("the markup builder escapes text and attribute values")
    func markupEscapes() {
        let m = Markup.el("p", [("title", "\"><script>'&")], text: "<b>&amp;</b>\u{1}")
        #expect(m.render() == "<p title=\"&quot;&gt;&lt;script&gt;&#39;&amp;\">&lt;b&gt;&amp;amp;&lt;/b&gt;</p>")
    }

    @Test("a query that is not of tasks has no SVG, with the checker's message")
    func svgOfRisks() throws {
        let s = try Self.session()
        #expect(throws: DiagnosticList.self) { try GanttSVG.render(query: "risks", in: s) }
    }

    // MARK: - Terminal

    @Test("the chart fits every width, CJK names included", arguments: [1, 30, 40, 57, 80, 100, 120, 200])
    func fitsWidth(_ width: Int) throws {
        let s = try Self.session()
        let chart = try #require(Self.chart(s))
        var undated = chart
        for i in undated.rows.indices { undated.rows[i].start = nil; undated.rows[i].finish = nil; undated.rows[i].baselineStart = nil; undated.rows[i].baselineFinish = nil }
        let texts = [false, true].map { GanttText.render(chart, width: width, colour: $0) }
            + [GanttText.render(chart, width: width, maxRows: 2), GanttText.render(undated, width: width)]
        for text in texts {
            let plain = text.replacingOccurrences(of: #"\u{1B}\[[0-9;]*m"#, with: "", options: .regularExpression)
            for line in plain.split(separator: "\n") {
                #expect(DisplayWidth.of(String(line)) <= max(GanttText.minimumWidth, width), "\(width): \(line)")
            }
        }
    }

    @Test("bars start at their date's column whatever the width of the names before them")
    func cjkAlignment() throws {
        let s = try Self.session()
        let chart = try #require(Self.chart(s))
        let lines = GanttText.render(chart, width: 80).split(separator: "\n").map(String.init)
        // The ruler line: its first axis glyph is where the bar area starts.
        let ruler = lines[1]
        let axisStart = try #require(ruler.firstIndex { "┬─▼".contains($0) })
        let barStart = DisplayWidth.of(String(ruler[..<axisStart]))
        let first = try #require(chart.range?.lowerBound)
        for (row, line) in zip(chart.rows, lines.dropFirst(2)) where !row.summary {
            let glyphs: String = row.milestone ? "◆" : "█░▓"
            let at = try #require(line.firstIndex { glyphs.contains($0) }, "\(line)")
            let column = DisplayWidth.of(String(line[..<at]))
            #expect(column == barStart + (try #require(row.span)).lowerBound.number - first.number, "\(line)")
        }
        // The today mark is under today's date.
        let today = try #require(ruler.firstIndex(of: "▼"))
        #expect(DisplayWidth.of(String(ruler[..<today])) == barStart + chart.today.number - first.number)
    }

    @Test("critical work: red on a terminal, a glyph of its own without colour")
    func criticalMarks() throws {
        let s = try Self.session()
        let chart = try #require(Self.chart(s, "tasks where wbs = \"1.2\""))
        #expect(chart.rows.first?.critical == true)
        #expect(chart.rows.first?.progress == 50)
        let plain = GanttText.render(chart, colour: false)
        #expect(!plain.contains("\u{1B}"))
        #expect(plain.range(of: #"!█+▓+"#, options: .regularExpression) != nil, "\(plain)")
        let coloured = GanttText.render(chart, colour: true)
        #expect(coloured.range(of: "\u{1B}\\[31m!█+░+\u{1B}\\[0m", options: .regularExpression) != nil, "\(coloured)")
        #expect(!coloured.contains("▓"))
    }

    @Test("pmq prints the chart at 80 columns without colour when its output is not a terminal")
    func cliNotATerminal() throws {
        let db = PMQProcess.tempDB("gantt.db")
        _ = try PMQProcess.run(["--db", db, "--today", "2026-03-18", "-e", Self.model])
        let r = try PMQProcess.run(["--db", db, "--today", "2026-03-18", "-e", "gantt tasks order by wbs"], env: ["COLUMNS": "200"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(r.stdout.contains("◆"))
        #expect(r.stdout.split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) <= 80 })
        let json = try PMQProcess.run(["--db", db, "--today", "2026-03-18", "--format", "json", "-e", "gantt milestones"])
        #expect(json.stdout.hasPrefix(#"[{"wbs":"3","name":"Go-live","start":"#))
        #expect(json.stdout.contains(#""progress":0,"milestone":true,"summary":false,"critical":true"#))
    }

    @Test("a plan spanning centuries draws quickly and still fits")
    func extremeDates() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-18"))
        let (_, d) = s.run("""
            add task "Long ago" wbs 1 start 0001-01-01 finish 0001-01-02
            add task "Far ahead" wbs 2 start 9999-12-01 finish 9999-12-31
            """)
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        let chart = try #require(Self.chart(s, "tasks order by wbs"))
        let started = ContinuousClock.now
        let text = GanttText.render(chart, width: 80)
        let svg = GanttSVG.render(chart)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(text.split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) <= 80 })
        #expect(svg.utf8.count < 200_000)
        #expect(XMLElements.parse(svg).error == nil)
    }

    @Test("in a real terminal the chart takes the terminal's width and colours critical work; NO_COLOR gives glyphs",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux script is not installed"))
    func realTerminal() throws {
        let db = PMQProcess.tempDB("gantt-tty.db")
        _ = try PMQProcess.run(["--db", db, "--today", "2026-03-18", "-e", Self.model])
        func run(_ env: String) throws -> String {
            let command = "stty cols 50 rows 40; \(env) '\(PMQProcess.binary.path)' --db '\(db)' --today 2026-03-18 -e 'gantt tasks order by wbs'"
            return try PMQProcess.tool(["script", "-qec", command, "/dev/null"]).output.replacingOccurrences(of: "\r", with: "")
        }
        let coloured = try run("env -u NO_COLOR TERM=xterm")
        #expect(coloured.contains("\u{1B}[31m!"))
        let plain = try run("env NO_COLOR=1 TERM=xterm")
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.range(of: #"![ │·]*█*▓"#, options: .regularExpression) != nil, "\(plain)")
        let lines = plain.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        #expect(lines.count >= 8)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 50 }, "\(lines)")
        #expect(lines.contains { DisplayWidth.of($0) > 40 })   // it used the room it had
    }

    // MARK: - HTML report

    @Test("report to writes one self-contained page with every section, names escaped")
    func htmlReport() throws {
        let s = try Self.session()
        let path = Self.tempPath("weekly.html")
        let (results, d) = s.run("report to \"\(path)\"")
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        #expect(results.contains { if case .change(let c) = $0 { return c.message == "wrote report \(path)" }; return false })
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;x&lt;/script&gt;"))
        // No network: the only URL is the SVG namespace, which is a name, not a fetch.
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: #"https?://|src=|href="#, options: .regularExpression) == nil)
        for heading in ["Health", "Gantt", "Milestones due in the next two weeks", "Overdue tasks", "Critical tasks still open",
                        "Risk heat map", "RACI of open work", "SPI and CPI by week"] {
            #expect(html.contains("<h2>\(heading)</h2>"), "section \(heading)")
        }
        // The inline SVG parses on its own and holds a bar per dated task.
        let svgStart = try #require(html.range(of: "<svg")), svgEnd = try #require(html.range(of: "</svg>"))
        let xml = XMLElements.parse(String(html[svgStart.lowerBound..<svgEnd.upperBound]))
        #expect(xml.error == nil)
        #expect(xml.elements.filter { ($0.attributes["class"] ?? "").hasPrefix("bar") }.count == 4)
        // The heat map counts the open risk at probability 4, impact 5.
        #expect(html.contains(#"data-probability="4" data-impact="5">1</td>"#))
        // The RACI matrix: 王芳 accountable for 1.2, Li Wei responsible (its owner).
        #expect(html.contains("<th>王芳</th>"))
    }

    @Test("the report's SPI/CPI trend reads each past week from the model as it was then")
    func weeklyTrend() throws {
        let path = Self.tempPath("trend.db")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        func run(_ today: String, _ text: String) throws {
            let s = try Session(path: path, today: Day(iso: today))
            let d = s.run(text).diagnostics
            #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        }
        // Booked on three Mondays: the plan, then a week's progress each.
        try run("2026-03-02", """
            add project "T" start 2026-03-02
            add task "A" wbs 1 start 2026-03-02 duration 10wd cost 1000
            add task "B" wbs 2 start 2026-03-02 duration 20wd cost 2000
            add cost kind other amount 100 date 2026-03-02 task 1
            """)
        try run("2026-03-09", "update 1 set progress = 50\nupdate 2 set progress = 10\nadd cost kind other amount 900 date 2026-03-09 task 1")
        try run("2026-03-16", "update 1 set status = done\nupdate 2 set progress = 40")
        let s = try Session(path: path, today: Day(iso: "2026-03-16"))
        let data = try ReportData.load(s, .none)
        #expect(data.trend.map(\.day.iso) == ["2026-03-02", "2026-03-09", "2026-03-16"])
        // As of 9 March: EV = 1000 × 50% + 2000 × 10% = 700; PV = 1000 × 6/10 + 2000 × 6/20 = 1200.
        #expect(data.trend[1].spi == .decimal(0.58))
        #expect(data.trend[1].cpi == .decimal(0.7))   // AC 1000 by then
        // Today: EV = 1000 + 800 = 1800, PV = 1000 + 2000 × 11/20 = 2100.
        #expect(data.trend[2].spi == .decimal(0.86))
        let html = HTMLReport.page(data)
        #expect(html.contains("<td>2026-03-09</td>"))
        #expect(html.contains("SPI (blue) and CPI (red) by week"))
    }

    @Test("report is refused when file access is off, and writes nothing")
    func reportWithoutFileAccess() throws {
        let s = try Self.session()
        s.limits.fileAccess = false
        let path = Self.tempPath("refused.html")
        let (_, d) = s.run("report to \"\(path)\"")
        #expect(d.first?.id == .refused)
        #expect(d.first?.message == "report writes a file, and file access is off here")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a failed script and a dry run leave no report behind")
    func reportOnlyOnCommit() throws {
        let s = try Self.session()
        let failed = Self.tempPath("failed.html")
        let (_, d) = s.run("report to \"\(failed)\"\nassert false, \"stop\"")
        #expect(!d.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: failed))
        let dry = Self.tempPath("dry.html")
        var reports: [String] = []
        let d2 = s.run(SourceFile(name: "<t>", text: "report to \"\(dry)\""), dryRun: true) { if case .change(let c) = $0 { reports.append(c.participle) } }
        #expect(d2.isEmpty)
        #expect(reports == ["written report \(dry)"])
        #expect(!FileManager.default.fileExists(atPath: dry))
    }

    @Test("a file that cannot be written is a located error")
    func reportUnwritable() throws {
        let s = try Self.session()
        let (_, d) = s.run("report to \"/nonexistent-dir/x.html\"")
        #expect(d.first?.id == .io)
        #expect(d.first?.message.hasPrefix("cannot write /nonexistent-dir/x.html") == true)
    }

    @Test("a plan of thousands of tasks shows its upper levels in the report, with a note")
    func reportCutsLongPlans() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-18"))
        var lines = ["add project \"BIG\""]
        for a in 1...20 {
            lines.append("add task \"Phase \(a)\" wbs \(a)")
            for b in 1...20 { lines.append("add task \"Work \(a).\(b)\" wbs \(a).\(b) start 2026-03-02 duration 3d") }
        }
        let (_, d) = s.run(lines.joined(separator: "\n"))
        #expect(d.isEmpty)
        let path = Self.tempPath("big.html")
        #expect(s.run("report to \"\(path)\"").diagnostics.isEmpty)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("The plan has 420 tasks: the chart shows WBS levels 1–1 (20 rows)."))
    }

    // MARK: - A real browser

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("the report opens in headless chromium: no errors, a picture that is not blank, the bars in the page",
          .enabled(if: PicturesTests.chromium != nil, "chromium is not installed: the browser check is skipped"))
    func reportInBrowser() throws {
        let browser = try #require(Self.chromium)
        let s = try Self.session()
        let path = Self.tempPath("browser.html")
        #expect(s.run("report to \"\(path)\"").diagnostics.isEmpty)
        let png = Self.tempPath("browser.png")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions"]
        let shot = try PMQProcess.tool([browser] + flags + ["--window-size=1100,2400", "--screenshot=\(png)", "file://\(path)"])
        #expect(shot.status == 0, "\(shot.output)")
        #expect(!shot.output.contains("net::ERR"), "the page tried the network: \(shot.output)")
        let size = (try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        // A blank 1100×2400 page compresses to a few kilobytes; the report is far more.
        #expect(size > 40_000, "screenshot of \(size) bytes")
        let dom = try PMQProcess.tool([browser] + flags + ["--dump-dom", "file://\(path)"])
        #expect(dom.status == 0)
        #expect(dom.output.components(separatedBy: "class=\"bar").count - 1 == 4)
        #expect(dom.output.contains("class=\"milestone"))
    }
}
