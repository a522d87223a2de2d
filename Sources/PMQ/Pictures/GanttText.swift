/// `gantt` in a terminal: WBS code, indented name, a critical flag and a bar per task on
/// one date axis, fitted to `width` display columns and never wrapped.
///
///     WBS  Name         03-16  03-23  03-30
///     ---  ------------ ┬──────┬─▼────┬─────
///     1    Design       ███░░░░  │
///     2    Go-live               │      ◆
///
/// Glyphs: `█` done part, `░` the rest, `▓` the rest of a critical task without colour
/// (with colour it is red), `!` flags a critical task, `◆` a milestone, `[━━─]` a
/// summary, `·` the baseline where it lies outside the bar, `│` today's column.
public enum GanttText {
    /// Narrower than this and a chart cannot show anything useful; it is drawn this wide.
    public static let minimumWidth = 30
    /// Rows drawn when the caller gives no limit; the rest are counted in a note.
    public static let defaultMaxRows = 100

    public static func render(_ chart: GanttChart, width requested: Int = 80, colour: Bool = false, maxRows: Int? = nil) -> String {
        let width = max(minimumWidth, requested)
        let limit = max(1, maxRows ?? defaultMaxRows)
        let shown = Array(chart.rows.prefix(limit))
        guard !chart.rows.isEmpty else { return "(no tasks to draw)" }

        // Label columns: WBS, then the name indented by level, sized to the widest shown.
        let wbsWidth = min(12, max(3, shown.map { DisplayWidth.of($0.wbs) }.max() ?? 3))
        let names = shown.map { String(repeating: " ", count: min(8, 2 * max(0, $0.level - 1))) + $0.name }
        let widest = max(4, names.map { DisplayWidth.of($0) }.max() ?? 4)
        let fixed = wbsWidth + 2 + 1 + 1          // "WBS  " + name + " " + flag
        let available = width - fixed
        var nameWidth = min(widest, max(8, available * 2 / 5))
        if available - nameWidth < 12 { nameWidth = max(4, available - 12) }
        let barWidth = max(1, available - nameWidth)

        var lines: [String] = []
        guard let range = chart.range else {
            lines.append(pad("WBS", wbsWidth) + "  " + "Name")
            for (r, n) in zip(shown, names) { lines.append(pad(cut(r.wbs, wbsWidth), wbsWidth) + "  " + cut(n, nameWidth) + "  (no dates)") }
            lines.append(contentsOf: wrap("no task here has a start or finish date: nothing to draw".split(separator: " ").map(String.init), width: width, gap: " "))
            return lines.map { trimEnd($0) }.joined(separator: "\n")
        }
        let axis = GanttAxis(range, width: barWidth)
        let todayColumn = axis.contains(chart.today) ? axis.column(chart.today) : nil

        // Header: dates at the ticks, then a ruler with today's column.
        let unit = axis.unit { $0 == .week || $0 == .fortnight ? 6 : $0 == .year ? 5 : 8 }
        let ticks = axis.ticks(unit)
        var labels = [Character](repeating: " ", count: axis.columns)
        var ruler = [Character](repeating: "─", count: axis.columns)
        var nextFree = 0
        for (i, t) in ticks.enumerated() {
            let c = axis.column(t.day)
            ruler[c] = "┬"
            var label = t.label
            // The first label carries the year when there is room before the next one.
            if i == 0, unit == .week || unit == .fortnight {
                let room = (i + 1 < ticks.count ? axis.column(ticks[i + 1].day) : axis.columns) - c - 1
                if room >= 10 { label = t.day.iso }
            }
            let chars = Array(label)
            guard c >= nextFree, c + chars.count <= axis.columns else { continue }
            for (k, ch) in chars.enumerated() { labels[c + k] = ch }
            nextFree = c + chars.count + 1
        }
        if nextFree == 0 {
            // No tick had room for its label: name the first day instead.
            let label = Array(axis.columns >= 10 ? axis.first.iso : String(axis.first.iso.dropFirst(5)))
            for (k, ch) in label.enumerated() where k < axis.columns { labels[k] = ch }
        }
        if let t = todayColumn { ruler[t] = "▼" }
        lines.append(trimEnd(pad("WBS", wbsWidth) + "  " + pad("Name", nameWidth) + "  " + String(labels)))
        lines.append(String(repeating: "-", count: wbsWidth) + "  " + String(repeating: "-", count: nameWidth) + "  "
                     + String(ruler))

        for (r, name) in zip(shown, names) {
            let flag: Cell = r.critical ? Cell("!", .critical) : Cell(" ", .plain)
            let bar = cells(for: r, axis: axis, today: todayColumn, colour: colour)
            let line = pad(cut(r.wbs, wbsWidth), wbsWidth) + "  " + pad(cut(name, nameWidth), nameWidth) + " "
                + render([flag] + bar, colour: colour)
            lines.append(trimEnd(line))
        }
        if chart.rows.count > shown.count {
            let more = chart.rows.count - shown.count
            let note = "... \(more) more task\(more == 1 ? "" : "s") not shown: narrow the query or use limit and offset (--format json gives every row)"
            lines.append(contentsOf: wrap(note.split(separator: " ").map(String.init), width: width, gap: " "))
        }
        let legend = ["█ done", "░ to do", colour ? "! red: critical" : "▓ ! critical", "◆ milestone", "[━─] summary", "· baseline",
                      todayColumn == nil ? "today \(chart.today.iso) is off the chart" : "│ today \(chart.today.iso)",
                      axis.daysPerColumn == 1 ? "1 column = 1 day" : "1 column = \(axis.daysPerColumn) days"]
        lines.append(contentsOf: wrap(legend, width: width))
        return lines.joined(separator: "\n")
    }

    // MARK: - Cells

    enum Style { case plain, done, rest, critical, criticalRest, milestone, summary, baseline, today }
    struct Cell {
        var ch: Character
        var style: Style
        init(_ ch: Character, _ style: Style) { self.ch = ch; self.style = style }
    }

    static func cells(for r: GanttChart.Row, axis: GanttAxis, today: Int?, colour: Bool) -> [Cell] {
        var out = [Cell](repeating: Cell(" ", .plain), count: axis.columns)
        if let b = r.baseline {
            for c in axis.column(b.lowerBound)...axis.column(b.upperBound) { out[c] = Cell("·", .baseline) }
        }
        if let t = today { out[t] = Cell("│", .today) }
        guard let span = r.span else { return out }
        let a = axis.column(span.lowerBound), b = axis.column(span.upperBound)
        if r.milestone {
            out[b] = Cell("◆", r.critical ? .critical : .milestone)
        } else if r.summary {
            let n = b - a + 1
            let done = Int((Double(max(0, n - 2)) * r.progress / 100).rounded())
            for c in a...b { out[c] = Cell(c - a - 1 < done ? "━" : "─", r.critical ? .critical : .summary) }
            out[a] = Cell("[", r.critical ? .critical : .summary)
            if b > a { out[b] = Cell("]", r.critical ? .critical : .summary) }
        } else {
            let n = b - a + 1
            let done = Int((Double(n) * r.progress / 100).rounded())
            for c in a...b {
                if c - a < done {
                    out[c] = Cell("█", r.critical ? .critical : .done)
                } else {
                    out[c] = r.critical ? Cell(colour ? "░" : "▓", .criticalRest) : Cell("░", .rest)
                }
            }
        }
        return out
    }

    /// Cells as text; with colour, runs of one style share one escape sequence.
    static func render(_ cells: [Cell], colour: Bool) -> String {
        guard colour else { return String(cells.map(\.ch)) }
        var out = ""
        var current: String?
        for cell in cells {
            let c = code(cell.style)
            if c != current {
                if current != nil { out += "\u{1B}[0m" }
                if let c { out += c }
                current = c
            }
            out.append(cell.ch)
        }
        if current != nil { out += "\u{1B}[0m" }
        return out
    }

    private static func code(_ s: Style) -> String? {
        switch s {
        case .plain: return nil
        case .done, .rest: return "\u{1B}[36m"
        case .critical, .criticalRest: return "\u{1B}[31m"
        case .milestone, .summary: return "\u{1B}[1m"
        case .baseline, .today: return "\u{1B}[2m"
        }
    }

    // MARK: - Text by display width

    /// `s` cut to `width` display columns, with `…` when something was left out.
    static func cut(_ s: String, _ width: Int) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
        guard DisplayWidth.of(flat) > width else { return flat }
        var out = ""
        var used = 0
        for c in flat.unicodeScalars {
            let w = DisplayWidth.of(c)
            if used + w > width - 1 { break }
            out.unicodeScalars.append(c)
            used += w
        }
        return out + "…"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s + String(repeating: " ", count: max(0, width - DisplayWidth.of(s)))
    }

    static func trimEnd(_ s: String) -> String {
        var s = s
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }

    /// Items (legend entries, or words) on as few lines as fit in `width`.
    static func wrap(_ items: [String], width: Int, gap: String = "  ") -> [String] {
        var lines: [String] = []
        var line = ""
        for item in items.map({ cut($0, width) }) {
            if line.isEmpty { line = item; continue }
            if DisplayWidth.of(line) + gap.count + DisplayWidth.of(item) > width { lines.append(line); line = item } else { line += gap + item }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
