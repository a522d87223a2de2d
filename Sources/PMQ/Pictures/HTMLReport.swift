import Foundation

/// `report to "F.html"`: one self-contained page for the steering committee — inline
/// CSS and SVG, no scripts, no fonts or images from the network, A4 when printed.
/// Sections: health figures and what they mean, the Gantt, milestones due in two weeks,
/// overdue and critical tasks, the 5×5 risk heat map, and the RACI matrix of open work.
struct HTMLReport {
    let session: SessionContext

    func render(_ range: SourceRange) throws -> String {
        HTMLReport.page(try ReportData.load(session, range))
    }

    static let css: StaticString = """
        @page{size:A4;margin:12mm}
        body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei','Source Han Sans SC',sans-serif;
          color:#1a1a1a;margin:0 auto;max-width:1040px;padding:16px 20px;line-height:1.4;font-size:14px}
        h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:26px 0 8px;border-bottom:2px solid #3b78c3;padding-bottom:3px}
        .sub{color:#555;margin:0 0 12px}.note{color:#666;font-size:12px;margin:4px 0}
        .cards{display:flex;flex-wrap:wrap;gap:10px}
        .card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px;flex:1;break-inside:avoid}
        .card .v{font-size:22px;font-weight:bold}.card .k{font-size:12px;color:#555}.card .m{font-size:12px;margin-top:2px}
        .good{border-left:5px solid #2e7d32}.warn{border-left:5px solid #f9a825}.bad{border-left:5px solid #c62828}.none{border-left:5px solid #bbb}
        table{border-collapse:collapse;font-size:13px;margin:4px 0}
        th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}th{background:#f4f6f9}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .heat td{width:46px;height:32px;text-align:center;font-weight:bold}.heat th{text-align:center}
        .raci td{text-align:center}.raci td:first-child{text-align:left;white-space:nowrap}
        .gantt svg{width:100%;height:auto;border:1px solid #eee}
        section{break-inside:avoid-page}
        @media print{body{max-width:none;padding:0}.gantt svg{border:none}}
        """

    static func page(_ d: ReportData) -> String {
        let title = d.code.isEmpty ? "Project report" : d.name.isEmpty ? "Project \(d.code)" : "\(d.code) — \(d.name)"
        var facts = ["Status date \(d.today.iso)"]
        if !d.manager.isEmpty { facts.append("manager \(d.manager)") }
        if !d.client.isEmpty { facts.append("client \(d.client)") }
        let body: [Markup] = [
            .el("h1", text: title),
            .el("p", [("class", "sub")], text: facts.joined(separator: " · ")),
            health(d),
            gantt(d),
            list("Milestones due in the next two weeks", ["WBS", "Milestone", "Owner", "Due", "Status"], d.milestones, numeric: [],
                 empty: "No milestone falls due in the next two weeks."),
            list("Overdue tasks", ["WBS", "Task", "Owner", "Finish", "Days late", "Progress %"], d.overdue, numeric: [4, 5],
                 empty: "No task is overdue."),
            list("Critical tasks still open", ["WBS", "Task", "Owner", "Start", "Finish", "Progress %"], d.critical, numeric: [5],
                 empty: "No open task is on the critical path (run schedule to compute it)."),
            heatMap(d),
            raci(d),
            trend(d),
            .el("p", [("class", "note")], text: "Made by pmq on \(d.today.iso). This page needs no network: print it or send it as it is."),
        ]
        let html = Markup.el("html", [("lang", "en")], [
            .el("head", [], [
                .el("meta", [("charset", "utf-8")]),
                .el("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
                .el("title", text: title + " · " + d.today.iso),
                .el("style", [], [.trusted(css)]),
            ]),
            .el("body", [], body),
        ])
        return "<!DOCTYPE html>\n" + html.render() + "\n"
    }

    // MARK: - Sections

    static func health(_ d: ReportData) -> Markup {
        func value(_ prefix: String) -> Value { d.health.first { $0.measure.hasPrefix(prefix) }?.value ?? .null }
        func shown(_ v: Value) -> String { v.isNull ? "—" : OutputFormat.plain(v) }
        func index(_ v: Value) -> String {
            guard let x = v.number else { return "none" }
            return x >= 0.95 ? "good" : x >= 0.85 ? "warn" : "bad"
        }
        func variance(_ v: Value) -> String {
            guard let x = v.number else { return "none" }
            return x >= 0 ? "good" : "bad"
        }
        let spi = value("schedule performance"), cpi = value("cost performance")
        let sv = value("schedule variance"), cv = value("cost variance")
        func meaning(_ v: Value, _ below: String, _ above: String, _ one: String) -> String {
            guard let x = v.number else { return "not known yet" }
            return x < 0.995 ? below : x > 1.005 ? above : one
        }
        let cards: [(String, String, String, String)] = [
            ("SPI (EV / PV)", shown(spi), index(spi), meaning(spi, "behind schedule: less work done than planned by now", "ahead of schedule", "on schedule")),
            ("CPI (EV / AC)", shown(cpi), index(cpi), meaning(cpi, "over budget: the work done cost more than planned", "under budget for the work done", "on budget")),
            ("SV (EV − PV)", shown(sv), variance(sv), sv.number.map { $0 < 0 ? "worth of planned work not yet done" : "worth of work done beyond plan, or none missing" } ?? "not known yet"),
            ("CV (EV − AC)", shown(cv), variance(cv), cv.number.map { $0 < 0 ? "spent beyond the value of the work done" : "spent no more than the value of the work done" } ?? "not known yet"),
            ("Complete", shown(value("percent complete")) + (value("percent complete").isNull ? "" : "%"), "none", "earned value over budget at completion"),
            ("Overdue tasks", shown(value("overdue tasks")), (value("overdue tasks").number ?? 0) > 0 ? "bad" : "good", "open work past its finish date"),
        ]
        let cardNodes = cards.map { c in
            Markup.el("div", [("class", "card " + c.2)], [
                .el("div", [("class", "k")], text: c.0), .el("div", [("class", "v")], text: c.1), .el("div", [("class", "m")], text: c.3),
            ])
        }
        let rows = d.health.map { [$0.measure, $0.value.isNull ? "—" : OutputFormat.plain($0.value)] }
        return .el("section", [("class", "health")], [
            .el("h2", text: "Health"),
            .el("div", [("class", "cards")], cardNodes),
            table(["Measure", "Value"], rows, numeric: [1]),
        ])
    }

    static func gantt(_ d: ReportData) -> Markup {
        var items: [Markup] = [.el("h2", text: "Gantt")]
        if d.chart.rows.isEmpty {
            items.append(.el("p", [("class", "note")], text: "The project has no tasks yet."))
        } else {
            items.append(.el("div", [("class", "gantt")], [GanttSVG.markup(d.chart, title: nil)]))
            items.append(.el("p", [("class", "note")], text: "Bars: planned dates, the darker part done; red: critical path; ◆ milestone; black bracket: summary; grey line under a bar: the baseline; dashed red line: today."))
        }
        if let note = d.chartNote { items.append(.el("p", [("class", "note")], text: note)) }
        return .el("section", [], items)
    }

    static func heatMap(_ d: ReportData) -> Markup {
        var rows: [Markup] = [.el("tr", [], [.el("th", text: "impact ↓ / probability →")] + (1...5).map { .el("th", text: String($0)) })]
        for impact in stride(from: 5, through: 1, by: -1) {
            var cells: [Markup] = [.el("th", text: String(impact))]
            for p in 1...5 {
                let score = p * impact
                let colour = score >= 15 ? "#e57373" : score >= 8 ? "#ffd54f" : "#c8e6c9"
                let n = d.heat[p * 10 + impact] ?? 0
                cells.append(.el("td", [("style", "background:" + colour), ("title", "probability \(p), impact \(impact), score \(score)"),
                                        ("data-probability", String(p)), ("data-impact", String(impact))], text: n == 0 ? "" : String(n)))
            }
            rows.append(.el("tr", [], cells))
        }
        let total = d.heat.values.reduce(0, +)
        return .el("section", [], [
            .el("h2", text: "Risk heat map"),
            .el("table", [("class", "heat")], rows),
            .el("p", [("class", "note")], text: total == 0 ? "No open risks." : "\(total) risk\(total == 1 ? "" : "s") not closed, counted by probability and impact (score = probability × impact; red 15 and up, amber 8–14)."),
        ])
    }

    static func raci(_ d: ReportData) -> Markup {
        var items: [Markup] = [.el("h2", text: "RACI of open work")]
        if d.raci.isEmpty {
            items.append(.el("p", [("class", "note")], text: "No open task has an owner or assignment."))
        } else {
            var rows: [Markup] = [.el("tr", [], [.el("th", text: "Task")] + d.raciPeople.map { .el("th", text: $0) })]
            for r in d.raci { rows.append(.el("tr", [], [.el("td", text: r.task)] + r.cells.map { .el("td", text: $0) })) }
            items.append(.el("table", [("class", "raci")], rows))
            items.append(.el("p", [("class", "note")], text: "R responsible (the owner, and R assignments), A accountable, C consulted, I informed."))
        }
        if let note = d.raciNote { items.append(.el("p", [("class", "note")], text: note)) }
        return .el("section", [], items)
    }

    /// SPI and CPI at the end of each past week the journal covers, read from the model as it
    /// was that day (`health as of`), with a small line chart: 1.0 is on plan.
    static func trend(_ d: ReportData) -> Markup {
        var items: [Markup] = [.el("h2", text: "SPI and CPI by week")]
        guard !d.trend.isEmpty else {
            items.append(.el("p", [("class", "note")], text: "No trend yet: the journal holds less than two weeks of booked changes for this project."))
            return .el("section", [], items)
        }
        func number(_ v: Value) -> Double? { v.number }
        func shown(_ v: Value) -> String { v.number.map { String(format: "%.2f", $0) } ?? "–" }
        // The chart: one polyline per measure over the weeks, a dashed line at 1.0.
        let w = 480.0, h = 160.0, pad = 30.0
        let values = d.trend.flatMap { [number($0.spi), number($0.cpi)] }.compactMap { $0 } + [1.0]
        let top = max(1.2, (values.max() ?? 1) * 1.1), bottom = max(0, min(0.6, (values.min() ?? 1) * 0.9))
        func x(_ i: Int) -> Double { pad + (w - 2 * pad) * Double(i) / Double(max(1, d.trend.count - 1)) }
        func y(_ v: Double) -> Double { h - pad - (h - 2 * pad) * (v - bottom) / (top - bottom) }
        func line(_ pick: ((day: Day, spi: Value, cpi: Value)) -> Value, _ colour: String) -> Markup {
            let points = d.trend.enumerated().compactMap { i, t in number(pick(t)).map { String(format: "%.1f,%.1f", x(i), y($0)) } }
            return .el("polyline", [("points", points.joined(separator: " ")), ("fill", "none"), ("stroke", colour), ("stroke-width", "2")])
        }
        var chart: [Markup] = [
            .el("line", [("x1", String(pad)), ("x2", String(w - pad)), ("y1", String(format: "%.1f", y(1))), ("y2", String(format: "%.1f", y(1))),
                         ("stroke", "#999"), ("stroke-dasharray", "4 3")]),
            .el("text", [("x", "2"), ("y", String(format: "%.1f", y(1) + 4)), ("font-size", "10")], text: "1.0"),
            line({ $0.spi }, "#1f6fb2"), line({ $0.cpi }, "#c0392b"),
        ]
        for (i, t) in d.trend.enumerated() {
            chart.append(.el("text", [("x", String(format: "%.1f", x(i))), ("y", String(h - 8)), ("font-size", "10"), ("text-anchor", "middle")],
                             text: String(t.day.iso.suffix(5))))
        }
        items.append(.el("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", String(Int(w))), ("height", String(Int(h))),
                                 ("viewBox", "0 0 \(Int(w)) \(Int(h))"), ("role", "img"), ("aria-label", "SPI (blue) and CPI (red) by week")], chart))
        items.append(.el("p", [("class", "note")], text: "SPI blue, CPI red; each point is health as of that day, from the model as it was then."))
        items.append(table(["Week ending", "SPI", "CPI"], d.trend.map { [$0.day.iso, shown($0.spi), shown($0.cpi)] }, numeric: [1, 2]))
        return .el("section", [], items)
    }

    static func list(_ title: String, _ headers: [String], _ rows: [[String]], numeric: Set<Int>, empty: String) -> Markup {
        .el("section", [], [.el("h2", text: title), rows.isEmpty ? .el("p", [("class", "note")], text: empty) : table(headers, rows, numeric: numeric)])
    }

    static func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int>) -> Markup {
        let head = Markup.el("tr", [], headers.map { .el("th", text: $0) })
        let body = rows.map { r in
            Markup.el("tr", [], r.enumerated().map { i, v in numeric.contains(i) ? .el("td", [("class", "n")], text: v) : .el("td", text: v) })
        }
        return .el("table", [], [head] + body)
    }
}
