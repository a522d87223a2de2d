/// The shared time axis of a chart: which day each column (terminal cell or SVG unit)
/// starts, and where the date labels go. Labels are week starts (Mondays), month
/// starts, quarter starts or year starts, whichever is the finest that leaves room
/// for the label text.
struct GanttAxis {
    let first: Day
    let last: Day
    /// Days per column (a terminal cell); 1 or more.
    let daysPerColumn: Int
    /// Columns the axis takes: enough for every day from `first` to `last`.
    var columns: Int { (last.number - first.number) / daysPerColumn + 1 }

    /// An axis over `range` that fits in at most `width` columns.
    init(_ range: ClosedRange<Day>, width: Int) {
        first = range.lowerBound
        last = range.upperBound
        let days = last.number - first.number + 1
        let w = max(1, width)
        daysPerColumn = max(1, (days + w - 1) / w)
    }

    func column(_ d: Day) -> Int { min(columns - 1, max(0, (d.number - first.number) / daysPerColumn)) }
    func contains(_ d: Day) -> Bool { d >= first && d <= last }

    enum Unit { case week, fortnight, month, quarter, year }

    /// The tick unit: the finest whose spacing leaves `labelCells` columns for a label.
    func unit(labelCells: (Unit) -> Int) -> Unit {
        let spacing: [(Unit, Int)] = [(.week, 7), (.fortnight, 14), (.month, 28), (.quarter, 89), (.year, 365)]
        for (u, days) in spacing where days / daysPerColumn >= labelCells(u) { return u }
        return .year
    }

    /// The tick days in the axis, with their label.
    func ticks(_ unit: Unit) -> [(day: Day, label: String)] {
        var out: [(Day, String)] = []
        var d = first
        switch unit {
        case .week, .fortnight:
            d = Day(first.number + (8 - first.weekday) % 7)
            var n = 0
            while d <= last {
                if unit == .week || n % 2 == 0 { out.append((d, String(d.iso.dropFirst(5)))) }
                d = d + 7
                n += 1
            }
        case .month, .quarter, .year:
            d = first.startOfMonth
            if d < first { d = Day(d.endOfMonth.number + 1) }
            while d <= last {
                let (y, m, _) = Day.civil(from: d.number)
                switch unit {
                case .month: out.append((d, String(d.iso.prefix(7))))
                case .quarter where (m - 1) % 3 == 0: out.append((d, String(d.iso.prefix(7))))
                case .year where m == 1: out.append((d, String(y)))
                default: break
                }
                // Year ticks step a year at a time: a plan of centuries stays quick.
                d = unit == .year ? Day(Day.daysFromCivil(y + 1, 1, 1)) : Day(d.endOfMonth.number + 1)
            }
        }
        return out
    }
}
