/// A working calendar: weekdays (Monday to Friday) and make-up days (weekend days worked,
/// docs/language.md, “Resources”), less days off (holidays; for a person's calendar, their leave too).
/// Working-day durations (`5wd`), `shift ... by 5wd` and `schedule` count in it.
public final class WorkCalendar: @unchecked Sendable {
    /// Days off that fall on working weekdays, sorted (weekend days off change nothing).
    public private(set) var holidays: [Int] = []
    /// Make-up days: weekend days that are working days, sorted (none that is also off).
    public private(set) var workdays: [Int] = []

    public init(holidays: [Day] = [], workdays: [Day] = []) { set(holidays, workdays: workdays) }

    public func set(_ days: [Day], workdays extra: [Day] = []) {
        holidays = Array(Set(days.filter { !$0.isWeekend }.map(\.number))).sorted()
        let off = Set(days.map(\.number))
        workdays = Array(Set(extra.filter { $0.isWeekend && !off.contains($0.number) }.map(\.number))).sorted()
    }

    public func isWorking(_ d: Day) -> Bool {
        d.isWeekend ? WorkCalendar.contains(workdays, d.number) : !WorkCalendar.contains(holidays, d.number)
    }

    private static func contains(_ list: [Int], _ n: Int) -> Bool {
        let i = lowerBound(list, n)
        return i < list.count && list[i] == n
    }

    private static func lowerBound(_ list: [Int], _ n: Int) -> Int {
        var lo = 0, hi = list.count
        while lo < hi { let mid = (lo + hi) / 2; if list[mid] < n { lo = mid + 1 } else { hi = mid } }
        return lo
    }
    private func lowerBound(_ n: Int) -> Int { WorkCalendar.lowerBound(holidays, n) }

    /// Holidays in [a, b).
    private func holidays(from a: Int, to b: Int) -> Int { max(0, lowerBound(b) - lowerBound(a)) }
    /// Make-up days in [a, b).
    private func workdays(from a: Int, to b: Int) -> Int {
        max(0, WorkCalendar.lowerBound(workdays, b) - WorkCalendar.lowerBound(workdays, a))
    }

    /// Weekdays (Monday–Friday) in [a, b), by whole weeks.
    private static func weekdays(from a: Int, to b: Int) -> Int {
        guard b > a else { return 0 }
        let days = b - a
        var count = days / 7 * 5
        var d = Day(a + days / 7 * 7)
        while d.number < b { if !d.isWeekend { count += 1 }; d = d + 1 }
        return count
    }

    /// Working days in [a, b).
    public func workingDays(from a: Day, to b: Day) -> Int {
        guard b.number > a.number else { return 0 }
        return WorkCalendar.weekdays(from: a.number, to: b.number) - holidays(from: a.number, to: b.number) + workdays(from: a.number, to: b.number)
    }

    /// The first working day on or after `d`.
    public func nextWorking(_ d: Day) -> Day {
        var x = d
        var guardCount = 0
        while !isWorking(x) && guardCount < 100_000 { x = x + 1; guardCount += 1 }
        return x
    }

    /// `n` working days after `d` (before, for negative n); `d` itself need not be working.
    public func adding(_ n: Int, to d: Day) -> Day {
        if n == 0 { return d }
        if workdays.isEmpty { return addingSkippingHolidays(n, to: d) }
        // Make-up days only come earlier: the answer without them bounds a binary search
        // for the first day that completes n working days.
        let bound = addingSkippingHolidays(n, to: d)
        if n > 0 {
            var lo = d.number + 1, hi = bound.number
            while lo < hi {
                let mid = lo + (hi - lo) / 2
                if workingDays(from: d + 1, to: Day(mid + 1)) >= n { hi = mid } else { lo = mid + 1 }
            }
            return Day(lo)
        }
        var lo = bound.number, hi = d.number - 1
        while lo < hi {
            let mid = hi - (hi - lo) / 2
            if workingDays(from: Day(mid), to: d) >= -n { lo = mid } else { hi = mid - 1 }
        }
        return Day(hi)
    }

    private func addingSkippingHolidays(_ n: Int, to d: Day) -> Day {
        if holidays.isEmpty { return d.addingWorkdays(n) }
        // Jump by weekdays, then step over the holidays jumped across, until none are left.
        var current = d
        var left = n
        var rounds = 0
        while left != 0 && rounds < 64 {
            let next = current.addingWorkdays(left)
            let crossed = left > 0 ? holidays(from: current.number + 1, to: next.number + 1) : holidays(from: next.number, to: current.number)
            current = next
            left = left > 0 ? crossed : -crossed
            rounds += 1
        }
        // Land on a working day.
        // Bounded: at the far edge of the day range, stepping no longer moves.
        var steps = 0
        while !isWorking(current) && steps < 100_000 { current = current + (n > 0 ? 1 : -1); steps += 1 }
        return current
    }

    /// The date of working day `index` counted from `start` (index 0 is the first working
    /// day on or after start).
    public func date(at index: Int, from start: Day) -> Day {
        adding(index, to: nextWorking(start))
    }

    /// The working-day index of `d` counted from `start` (days before start are negative).
    public func index(of d: Day, from start: Day) -> Int {
        let s = nextWorking(start)
        if d.number >= s.number { return workingDays(from: s, to: d) }
        return -workingDays(from: d, to: s)
    }
}


extension SessionContext {
    /// The calendar functions SQL uses, all counting this session's calendar, holidays included:
    /// - `pmq_add_workdays(day, n)`: n working days after day (before, for negative n);
    /// - `pmq_workday_finish(start, n)`: the n-th working day of a task starting on start
    ///   (the start, or the first working day after it, is day 1; 0 gives the start);
    /// - `pmq_workdays(start, finish)`: the working days from start through finish.
    func registerCalendarFunction() {
        register("pmq_add_workdays") { calendar, day, n in calendar.adding(n, to: day).number }
        register("pmq_workday_finish") { calendar, start, n in
            n <= 0 ? start.number : calendar.adding(n - 1, to: calendar.nextWorking(start)).number
        }
        register("pmq_workdays") { calendar, start, finish in
            calendar.workingDays(from: start, to: Day(finish + 1))
        }
        // The same with a third argument, a person: counted in that person's calendar (their
        // leave off); a null person counts in the project calendar.
        registerForPerson("pmq_add_workdays") { calendar, day, n in calendar.adding(n, to: day).number }
        registerForPerson("pmq_workday_finish") { calendar, start, n in
            n <= 0 ? start.number : calendar.adding(n - 1, to: calendar.nextWorking(start)).number
        }
        registerForPerson("pmq_workdays") { calendar, start, finish in
            calendar.workingDays(from: start, to: Day(finish + 1))
        }
    }

    private func registerForPerson(_ name: String, _ body: @escaping (WorkCalendar, Day, Int) -> Int) {
        let calendars = personCalendars
        try? db.registerPersonDayFunction(name) { d, n, person in
            guard d >= Int64(Day.earliest.number), d <= Int64(Day.latest.number), n >= -4_000_000, n <= 4_000_000 else { return nil }
            return Int64(body(calendars.calendar(for: person), Day(Int(d)), Int(n)))
        }
    }

    /// A two-argument SQL function of a day and an integer; null in, null out. Days out of
    /// the representable range give null rather than a wrong date.
    private func register(_ name: String, _ body: @escaping (WorkCalendar, Day, Int) -> Int) {
        let calendar = self.calendar
        try? db.registerDayFunction(name) { d, n in
            // Dates stay within 0001-01-01 ... 9999-12-31 and counts within a few million days.
            guard d >= Int64(Day.earliest.number), d <= Int64(Day.latest.number), n >= -4_000_000, n <= 4_000_000 else {  // (abs would trap on Int64.min)
                return nil
            }
            return Int64(body(calendar, Day(Int(d)), Int(n)))
        }
    }
}
