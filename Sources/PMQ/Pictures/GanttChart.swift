/// The chart `gantt`, the SVG export and the HTML report draw: one row per task in the
/// query's order, the links among them, and the status date. Built from query rows by
/// `GanttLoader`; drawn by `GanttText` (terminal) and `GanttSVG`.
public struct GanttChart: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var id: Int64
        public var wbs: String
        public var name: String
        public var start: Day?
        public var finish: Day?
        public var baselineStart: Day?
        public var baselineFinish: Day?
        public var progress: Double
        public var status: String
        public var milestone: Bool
        public var summary: Bool
        public var critical: Bool

        /// Depth of the WBS code (`1.2.3` → 3), for indenting names.
        public var level: Int { wbs.split(separator: ".").count }
        /// The days the bar covers; a milestone is one day (its finish, else its start).
        public var span: ClosedRange<Day>? {
            if milestone, let d = finish ?? start { return d...d }
            guard let s = start ?? finish, let f = finish ?? start else { return nil }
            return min(s, f)...max(s, f)
        }
        /// The baseline, when it is set and differs from the plan.
        public var baseline: ClosedRange<Day>? {
            guard let s = baselineStart ?? baselineFinish, let f = baselineFinish ?? baselineStart else { return nil }
            let b = min(s, f)...max(s, f)
            if milestone { return baselineFinish.map { $0 == (finish ?? start) ? nil : $0...$0 } ?? nil }
            return b == span ? nil : b
        }
    }

    public struct Link: Sendable, Equatable {
        public var pred: Int64
        public var succ: Int64
        public var type: String   // FS, SS, FF, SF
    }

    public var rows: [Row]
    public var links: [Link]
    public var today: Day

    public init(rows: [Row], links: [Link] = [], today: Day) {
        self.rows = rows
        self.links = links
        self.today = today
    }

    /// The days the chart shows: every bar and baseline, and today when that does not
    /// stretch the plan by more than half (a chart of last year's plan is not squeezed
    /// into a corner to reach today). Nil when no task has a date.
    public var range: ClosedRange<Day>? {
        var lo: Day?, hi: Day?
        for r in rows {
            for s in [r.span, r.baseline].compactMap({ $0 }) {
                lo = min(lo ?? s.lowerBound, s.lowerBound)
                hi = max(hi ?? s.upperBound, s.upperBound)
            }
        }
        guard let lo, var hi else { return nil }
        // A week at least, so a lone milestone still has an axis with a date on it.
        if hi.number - lo.number < 6 { hi = lo + 6 }
        let length = hi.number - lo.number + 1
        let reach = max(lo.number - today.number, today.number - hi.number)
        if reach > 0, reach * 2 <= max(length, 14) { return min(lo, today)...max(hi, today) }
        return lo...hi
    }

    /// The rows as `--format json` (and csv, markdown) print them.
    public var table: StatementResult {
        let columns: [ResultColumn] = [
            .init(name: "wbs", kind: .text), .init(name: "name", kind: .text),
            .init(name: "start", kind: .date), .init(name: "finish", kind: .date),
            .init(name: "progress", kind: .number), .init(name: "milestone", kind: .bool),
            .init(name: "summary", kind: .bool), .init(name: "critical", kind: .bool),
            .init(name: "baseline_start", kind: .date), .init(name: "baseline_finish", kind: .date),
        ]
        let values: [[Value]] = rows.map { r in
            func date(_ d: Day?) -> Value { d.map { .date($0) } ?? .null }
            return [.text(r.wbs), .text(r.name), date(r.start), date(r.finish),
                    r.progress == r.progress.rounded() ? r.progress.safeInt.map { .integer(Int64($0)) } ?? .null : .decimal(r.progress),
                    .bool(r.milestone), .bool(r.summary), .bool(r.critical),
                    date(r.baselineStart), date(r.baselineFinish)]
        }
        return .rows(columns: columns, rows: values, single: false)
    }
}
