/// The recurrence of an MSPDI calendar exception (`<Type>`, `<Period>`, `<DaysOfWeek>`,
/// `<MonthDay>`, `<MonthItem>`, `<MonthPosition>`, `<Month>`, `<Occurrences>`): the days it
/// names between its `FromDate` and `ToDate`. "Every Monday from 1 to 15 January" is three days,
/// not fifteen. The expansion follows MPXJ's `RecurringData` (the reference reader of MS
/// Project files), so PMQ and MPXJ count the same holidays.
struct MSPDIRecurrence {
    /// MSPDI `Type`: 1 daily, 2 yearly by date, 3 yearly by weekday, 4 monthly by date,
    /// 5 monthly by weekday, 6 weekly, 7 daily (another form MS Project writes); 0 or none is
    /// a plain range of days.
    var type = 0
    /// Every `period` days, weeks or months (1 when not given).
    var period: Int?
    /// Bits of the days of the week: 1 Sunday, 2 Monday, 4 Tuesday ... 64 Saturday.
    var daysOfWeek: Int?
    /// A day of the month (1–31) for the "by date" kinds.
    var monthDay: Int?
    /// The weekday of the "by weekday" kinds: 3 Sunday, 4 Monday ... 9 Saturday.
    var monthItem: Int?
    /// Which such weekday of the month: 0 first ... 3 fourth, 4 last.
    var monthPosition: Int?
    /// The month of the yearly kinds: 0 January ... 11 December.
    var month: Int?
    /// How many times, used when there is no `ToDate`.
    var occurrences: Int?

    /// Whether the exception is one range of days (no recurrence, or every single day).
    var isPlainRange: Bool { !(1...7).contains(type) || ((type == 1 || type == 7) && (period ?? 1) <= 1) }

    /// At most this many days from one exception (a file's mistake must not fill the database).
    static let limit = 5000

    /// The days named from `from` to `to` (or, without `to`, the first `occurrences` of them).
    func days(from: Day, to: Day?) -> [Day] {
        let frequency = max(period ?? 1, 1)
        var out: [Day] = []
        let wanted = max(occurrences ?? 1, 1)
        /// Whether another day may come: up to `to`, else until enough occurrences.
        func more(_ d: Day) -> Bool {
            guard out.count < MSPDIRecurrence.limit else { return false }
            if let to { return d <= to }
            return out.count < wanted
        }
        func add(_ d: Day) { if d >= from, (to.map { d <= $0 } ?? true) { out.append(d) } }
        switch type {
        case 1, 7:
            var d = from
            while more(d) { out.append(d); d = d + frequency }
        case 6:
            // Weeks start on Sunday (MS Project's and MPXJ's week); days before `from` are skipped.
            var week = Day(from.number - from.weekday % 7)
            let mask = daysOfWeek ?? 0
            guard mask & 0x7F != 0 else { return [] }
            outer: while more(week) {
                for i in 0..<7 where mask & (1 << i) != 0 {
                    let d = week + i
                    guard more(d) else { break outer }
                    add(d)
                }
                week = week + 7 * frequency
            }
        case 4, 5:
            var (y, m, _) = Day.civil(from: from.number)
            if type == 4, (monthDay ?? 1) < Day.civil(from: from.number).2 { (y, m) = next(y, m, 1) }
            while let first = Day(year: y, month: m, day: 1), more(first) {
                guard let d = type == 4 ? byDate(y, m) : byWeekday(y, m) else { return out }
                if type == 4, !more(d) { break }
                if type == 5, !more(d) { break }
                add(d)
                (y, m) = next(y, m, frequency)
            }
        case 2, 3:
            let m = (month ?? 0) + 1
            guard (1...12).contains(m) else { return [] }
            var (y, _, _) = Day.civil(from: from.number)
            while let first = Day(year: y, month: m, day: 1), more(first) {
                guard var d = type == 2 ? byDate(y, m) : byWeekday(y, m) else { return out }
                if type == 2, d < from, let later = byDate(y + 1, m) { d = later; y += 1 }
                guard more(d) else { break }
                add(d)
                y += 1
            }
        default:
            return []
        }
        return out
    }

    private func next(_ y: Int, _ m: Int, _ n: Int) -> (Int, Int) {
        let k = y * 12 + (m - 1) + n
        return (k / 12, k % 12 + 1)
    }

    /// `MonthDay` of the month, the month's last day when it has fewer days.
    private func byDate(_ y: Int, _ m: Int) -> Day? {
        Day(year: y, month: m, day: min(max(monthDay ?? 1, 1), Day.daysIn(month: m, year: y)))
    }

    /// The `MonthPosition`-th `MonthItem` weekday of the month (position 4 or more: the last).
    private func byWeekday(_ y: Int, _ m: Int) -> Day? {
        guard let item = monthItem, (3...9).contains(item) else { return nil }
        // MonthItem 3 is Sunday; Day.weekday is ISO (Monday 1 ... Sunday 7).
        let iso = item == 3 ? 7 : item - 3
        let position = max(monthPosition ?? 0, 0)
        if position >= 4 {
            guard let last = Day(year: y, month: m, day: Day.daysIn(month: m, year: y)) else { return nil }
            return last + -((last.weekday - iso + 7) % 7)
        }
        guard let first = Day(year: y, month: m, day: 1) else { return nil }
        return first + (iso - first.weekday + 7) % 7 + 7 * position
    }
}
