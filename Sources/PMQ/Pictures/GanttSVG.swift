import Foundation

/// The Gantt chart as SVG: a month row and a week row on the axis, weekends shaded,
/// one bar per task (its done part darker), critical bars red, milestones as diamonds,
/// summaries as brackets, baselines as a thin grey bar under the plan, dependency
/// arrows, and today's line. Sized for a page (1000 units wide, scaled by the viewer),
/// black on white so it prints.
///
/// Every bar carries `data-wbs`, `data-start` and `data-finish`, and its `x`/`width`
/// are `(day - first day) × pixels per day` from the chart's left edge, so tests and
/// scripts can read the chart back.
public enum GanttSVG {
    /// The SVG document for a chart: what `export <query> to "F.svg"` writes.
    public static func render(_ chart: GanttChart, title: String? = nil) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + markup(chart, title: title).render() + "\n"
    }

    /// The SVG of `gantt <query>` run in `session`: the same rows, order and links.
    /// Throws the query's diagnostics when it does not check or run.
    public static func render(query text: String, in session: Session, title: String? = nil) throws -> String {
        var chart: GanttChart?
        let d = session.run(SourceFile(name: "<query>", text: "gantt " + text)) { r in if case .gantt(let c) = r { chart = c } }
        if !d.isEmpty { throw DiagnosticList(items: d) }
        guard let chart else { throw DiagnosticList(items: [Diagnostic(.wrongQueryShape, "gantt draws a query of tasks", at: .none)]) }
        return render(chart, title: title)
    }

    /// The SVG of a checked query of tasks, for a statement that runs inside a session
    /// (the `.svg` case of `export <query> to "F.svg"`): the same rows, order and links as
    /// `gantt <query>`. A query of another entity is refused, located at the query.
    static func render(_ q: TQuery, in session: SessionContext, title: String? = nil) throws -> String {
        guard q.entity.table == "tasks", !q.isCount, q.groupBy.isEmpty, !q.aggregatesOnly else {
            throw RuntimeError(code: .wrongQueryShape, message: "an SVG export draws a Gantt chart of tasks, not \(q.entity.plural)", range: .none)
        }
        return render(try GanttLoader(session: session).load(q), title: title)
    }

    // MARK: - Layout

    static let width = 1000.0
    static let rowHeight = 22.0
    static let barHeight = 12.0
    static let headerHeight = 40.0
    static let font = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', 'Source Han Sans SC', 'Helvetica Neue', Arial, sans-serif"

    struct Layout {
        let chart: GanttChart
        let first: Day
        let days: Int
        let labelWidth: Double
        let titleHeight: Double
        var left: Double { labelWidth + 8 }
        var chartWidth: Double { GanttSVG.width - left - 10 }
        var perDay: Double { chartWidth / Double(max(1, days)) }
        var height: Double { titleHeight + GanttSVG.headerHeight + Double(chart.rows.count) * GanttSVG.rowHeight + 24 }
        func x(_ d: Day) -> Double { left + Double(d.number - first.number) * perDay }
        func y(_ row: Int) -> Double { titleHeight + GanttSVG.headerHeight + Double(row) * GanttSVG.rowHeight }
    }

    /// The `<svg>` element, for a page to hold inline.
    static func markup(_ chart: GanttChart, title: String?) -> Markup {
        // Label column: wide enough for the longest WBS code and name, within reason.
        let labelCells = chart.rows.map { DisplayWidth.of($0.wbs) + 2 + 2 * min(4, max(0, $0.level - 1)) + DisplayWidth.of($0.name) }.max() ?? 10
        let labelWidth = min(300, max(120, Double(labelCells) * 6.6 + 8))
        let range = chart.range ?? chart.today...chart.today
        let layout = Layout(chart: chart, first: range.lowerBound, days: range.upperBound.number - range.lowerBound.number + 1,
                            labelWidth: labelWidth, titleHeight: title == nil ? 0 : 26)
        var parts: [Markup] = [
            .el("style", text: ".label{font-size:11px;fill:#222}.axis{font-size:10px;fill:#555}.title{font-size:15px;font-weight:bold;fill:#111}"),
            .el("defs", [], [
                .el("marker", [("id", "arrow"), ("viewBox", "0 0 6 6"), ("refX", "6"), ("refY", "3"), ("markerWidth", "6"),
                               ("markerHeight", "6"), ("orient", "auto")], [.el("path", [("d", "M0,0 L6,3 L0,6 z"), ("fill", "#666")])]),
                .el("marker", [("id", "arrow-critical"), ("viewBox", "0 0 6 6"), ("refX", "6"), ("refY", "3"), ("markerWidth", "6"),
                               ("markerHeight", "6"), ("orient", "auto")], [.el("path", [("d", "M0,0 L6,3 L0,6 z"), ("fill", "#c62828")])]),
            ]),
            .el("rect", [("x", "0"), ("y", "0"), ("width", Markup.num(width)), ("height", Markup.num(layout.height)), ("fill", "#fff")]),
        ]
        if let title { parts.append(.el("text", [("class", "title"), ("x", "4"), ("y", "18")], text: title)) }
        parts.append(axis(layout))
        parts.append(rows(layout))
        parts.append(links(layout))
        if chart.range != nil, chart.today >= range.lowerBound, chart.today <= range.upperBound {
            let x = Markup.num(layout.x(chart.today) + layout.perDay / 2)
            parts.append(.el("g", [("class", "today"), ("data-date", chart.today.iso)], [
                .el("line", [("x1", x), ("x2", x), ("y1", Markup.num(layout.titleHeight + 14)), ("y2", Markup.num(layout.height - 20)),
                             ("stroke", "#d32f2f"), ("stroke-width", "1.5"), ("stroke-dasharray", "4 3")]),
                .el("text", [("class", "axis"), ("x", x), ("y", Markup.num(layout.height - 8)), ("text-anchor", "middle"), ("fill", "#d32f2f")],
                    text: "today " + chart.today.iso),
            ]))
        }
        return .el("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", Markup.num(width)), ("height", Markup.num(layout.height)),
                           ("viewBox", "0 0 \(Markup.num(width)) \(Markup.num(layout.height))"), ("font-family", font),
                           ("role", "img"), ("aria-label", title ?? "Gantt chart")], parts)
    }

    /// Month labels on the top row, week starts below, weekend shading and grid lines.
    static func axis(_ l: Layout) -> Markup {
        var items: [Markup] = []
        let top = l.titleHeight, bottom = l.height - 22
        let last = Day(l.first.number + l.days - 1)
        if l.perDay >= 3 {
            var d = l.first
            while d <= last {
                if d.isWeekend {
                    items.append(.el("rect", [("class", "weekend"), ("x", Markup.num(l.x(d))), ("y", Markup.num(top + headerHeight)),
                                              ("width", Markup.num(l.perDay)), ("height", Markup.num(bottom - top - headerHeight)), ("fill", "#f3f3f3")]))
                }
                d = d + 1
            }
        }
        // Months (or years, when months are too narrow to name); a plan of decades gets a
        // line a year, so the picture stays small.
        let yearly = l.days > 3660
        let yearStep = max(1, l.days / 36_525 + (l.days % 36_525 == 0 ? 0 : 1))   // at most about 100 lines
        var m = l.first.startOfMonth
        while m <= last {
            var next = Day(m.endOfMonth.number + 1)
            if yearly { let (y, _, _) = Day.civil(from: m.number); next = Day(Day.daysFromCivil(y + yearStep - (y - 1) % yearStep, 1, 1)) }
            let x = max(l.left, l.x(m))
            let (y, month, _) = Day.civil(from: m.number)
            items.append(.el("line", [("x1", Markup.num(x)), ("x2", Markup.num(x)), ("y1", Markup.num(top + 4)), ("y2", Markup.num(bottom)),
                                      ("stroke", "#bbb"), ("stroke-width", "0.8")]))
            let room = l.x(min(next, Day(last.number + 1))) - x
            let label = yearly ? (room >= 30 ? String(y) : "") : room >= 48 ? String(m.iso.prefix(7)) : room >= 22 && month == 1 ? String(y) : room >= 22 ? String(format: "%02d", month) : ""
            if !label.isEmpty { items.append(.el("text", [("class", "axis"), ("x", Markup.num(x + 3)), ("y", Markup.num(top + 16))], text: label)) }
            m = next
        }
        // Week starts (Mondays) with the day of the month, when a week is wide enough.
        if l.perDay * 7 >= 16 {
            var d = Day(l.first.number + (8 - l.first.weekday) % 7)
            while d <= last {
                let x = l.x(d)
                items.append(.el("line", [("x1", Markup.num(x)), ("x2", Markup.num(x)), ("y1", Markup.num(top + 22)), ("y2", Markup.num(bottom)),
                                          ("stroke", "#e2e2e2"), ("stroke-width", "0.6")]))
                let (_, _, day) = Day.civil(from: d.number)
                items.append(.el("text", [("class", "axis"), ("x", Markup.num(x + 2)), ("y", Markup.num(top + 34))], text: String(day)))
                d = d + 7
            }
        }
        items.append(.el("line", [("x1", "0"), ("x2", Markup.num(width)), ("y1", Markup.num(top + headerHeight - 1)),
                                  ("y2", Markup.num(top + headerHeight - 1)), ("stroke", "#888"), ("stroke-width", "0.8")]))
        return .el("g", [("class", "axis")], items)
    }

    static func rows(_ l: Layout) -> Markup {
        var items: [Markup] = []
        let nameCells = Int((l.labelWidth - 4) / 6.6)
        for (i, r) in l.chart.rows.enumerated() {
            let y = l.y(i)
            if i % 2 == 1 {
                items.append(.el("rect", [("x", "0"), ("y", Markup.num(y)), ("width", Markup.num(width)), ("height", Markup.num(rowHeight)),
                                          ("fill", "#000"), ("fill-opacity", "0.03")]))
            }
            let indent = String(repeating: "  ", count: min(4, max(0, r.level - 1)))
            let label = GanttText.cut(r.wbs + "  " + indent + r.name, nameCells)
            items.append(.el("text", [("class", "label"), ("x", "4"), ("y", Markup.num(y + 15)),
                                      ("font-weight", r.summary ? "bold" : "normal"), ("xml:space", "preserve")], text: label))
            let colour = r.critical ? "#c62828" : "#3b78c3"
            let tip = "\(r.wbs) \(r.name): \(r.start?.iso ?? "?") – \(r.finish?.iso ?? "?"), \(Markup.num(r.progress))%\(r.critical ? ", critical" : "")"
            if let b = r.baseline {
                items.append(.el("rect", [("class", "baseline"), ("data-wbs", r.wbs), ("data-start", b.lowerBound.iso), ("data-finish", b.upperBound.iso),
                                          ("x", Markup.num(l.x(b.lowerBound))), ("y", Markup.num(y + 17)),
                                          ("width", Markup.num(Double(b.upperBound.number - b.lowerBound.number + 1) * l.perDay)),
                                          ("height", "3"), ("fill", "#9e9e9e")]))
            }
            guard let span = r.span else { continue }
            let x = l.x(span.lowerBound)
            let w = Double(span.upperBound.number - span.lowerBound.number + 1) * l.perDay
            let top = y + (rowHeight - barHeight) / 2
            let data: [(String, String)] = [("data-wbs", r.wbs), ("data-start", span.lowerBound.iso), ("data-finish", span.upperBound.iso),
                                                  ("data-progress", Markup.num(r.progress))]
            if r.milestone {
                let cx = x + l.perDay / 2, cy = y + rowHeight / 2, s = 6.5
                items.append(.el("polygon", [("class", r.critical ? "milestone critical" : "milestone")] + data + [
                    ("points", "\(Markup.num(cx)),\(Markup.num(cy - s)) \(Markup.num(cx + s)),\(Markup.num(cy)) \(Markup.num(cx)),\(Markup.num(cy + s)) \(Markup.num(cx - s)),\(Markup.num(cy))"),
                    ("fill", r.critical ? "#c62828" : "#222")], [.el("title", text: tip)]))
                // The date beside the diamond: on its right, or on its left near the right edge.
                let right = cx + s + 66 < width
                items.append(.el("text", [("class", "axis"), ("x", Markup.num(right ? cx + s + 3 : cx - s - 3)), ("y", Markup.num(y + 15)),
                                          ("text-anchor", right ? "start" : "end")], text: span.upperBound.iso))
            } else if r.summary {
                let h = 5.0, bottom = top + h
                let d = "M\(Markup.num(x)),\(Markup.num(bottom + 4)) L\(Markup.num(x)),\(Markup.num(top)) L\(Markup.num(x + w)),\(Markup.num(top)) L\(Markup.num(x + w)),\(Markup.num(bottom + 4)) L\(Markup.num(x + w - 4)),\(Markup.num(bottom)) L\(Markup.num(x + 4)),\(Markup.num(bottom)) Z"
                items.append(.el("path", [("class", r.critical ? "bar summary critical" : "bar summary")] + data + [
                    ("x", Markup.num(x)), ("width", Markup.num(w)), ("d", d), ("fill", r.critical ? "#7f1d1d" : "#333")], [.el("title", text: tip)]))
            } else {
                items.append(.el("rect", [("class", r.critical ? "bar critical" : "bar")] + data + [
                    ("x", Markup.num(x)), ("y", Markup.num(top)), ("width", Markup.num(w)), ("height", Markup.num(barHeight)), ("rx", "2"),
                    ("fill", colour), ("fill-opacity", "0.45"), ("stroke", colour), ("stroke-width", "0.8")], [.el("title", text: tip)]))
                if r.progress > 0 {
                    items.append(.el("rect", [("class", "progress"), ("data-wbs", r.wbs), ("x", Markup.num(x)), ("y", Markup.num(top)),
                                              ("width", Markup.num(w * r.progress / 100)), ("height", Markup.num(barHeight)), ("rx", "2"), ("fill", colour)]))
                }
            }
        }
        // The scale, so a reader can map x back to dates: x = data-x0 + (day - data-first) × data-day-width.
        return .el("g", [("class", "rows"), ("data-first", l.first.iso), ("data-x0", Markup.num(l.left)), ("data-day-width", String(l.perDay))], items)
    }

    /// Dependency arrows: from the predecessor's finish (or start, for SS and SF) to the
    /// successor's start (or finish, for FF and SF); red when both ends are critical.
    static func links(_ l: Layout) -> Markup {
        var row: [Int64: Int] = [:]
        for (i, r) in l.chart.rows.enumerated() where row[r.id] == nil { row[r.id] = i }
        var items: [Markup] = []
        for link in l.chart.links {
            guard let pi = row[link.pred], let si = row[link.succ], let ps = l.chart.rows[pi].span, let ss = l.chart.rows[si].span else { continue }
            let fromStart = link.type == "SS" || link.type == "SF", toFinish = link.type == "FF" || link.type == "SF"
            let x1 = fromStart ? l.x(ps.lowerBound) : l.x(ps.upperBound) + l.perDay
            let x2 = toFinish ? l.x(ss.upperBound) + l.perDay : l.x(ss.lowerBound)
            let y1 = l.y(pi) + rowHeight / 2, y2 = l.y(si) + rowHeight / 2
            let critical = l.chart.rows[pi].critical && l.chart.rows[si].critical
            let out = fromStart ? x1 - 6 : x1 + 6
            let d = "M\(Markup.num(x1)),\(Markup.num(y1)) H\(Markup.num(out)) V\(Markup.num(y2 + (y2 > y1 ? -7 : 7))) H\(Markup.num(x2 + (toFinish ? 8 : -8))) V\(Markup.num(y2)) H\(Markup.num(x2))"
            items.append(.el("path", [("class", critical ? "link critical" : "link"), ("d", d), ("fill", "none"),
                                      ("stroke", critical ? "#c62828" : "#777"), ("stroke-width", "1"),
                                      ("marker-end", critical ? "url(#arrow-critical)" : "url(#arrow)")]))
        }
        return .el("g", [("class", "links")], items)
    }
}
