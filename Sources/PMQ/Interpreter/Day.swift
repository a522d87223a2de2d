/// A calendar date as a count of days since 1970-01-01: the form dates take in the
/// database, so date arithmetic in SQL is integer arithmetic and comparisons use indexes.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var number: Int

    /// A day number; anything past `Day.bound` either way is clamped there, so sums and
    /// differences of days (from a doctored file or runaway arithmetic) cannot overflow.
    public init(_ number: Int) { self.number = max(-Day.bound, min(Day.bound, number)) }

    /// About three billion years each way: far past any real date, far below overflow.
    static let bound = 1 << 40

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        number = Day.daysFromCivil(year, month, day)
    }

    /// Parses `YYYY-MM-DD`; nil for malformed or impossible dates.
    public init?(iso: String) {
        // Plain digits (every date a file or script writes): read byte by byte. (`withUTF8`:
        // a date is a small string, whose bytes `withContiguousStorageIfAvailable` does not
        // give, so every date took the split below; BENCHMARKS.md, “Issue 14, tenth pass”.)
        var text = iso
        let parsed = text.withUTF8 { b -> (Int, Int, Int)? in
            func digit(_ i: Int) -> Int? { b[i] >= 48 && b[i] <= 57 ? Int(b[i] - 48) : nil }
            guard b.count == 10, b[4] == 45, b[7] == 45, let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
                  let m0 = digit(5), let m1 = digit(6), let d0 = digit(8), let d1 = digit(9) else { return nil }
            return (y0 * 1000 + y1 * 100 + y2 * 10 + y3, m0 * 10 + m1, d0 * 10 + d1)
        }
        if let ymd = parsed {
            self.init(year: ymd.0, month: ymd.1, day: ymd.2)
            return
        }
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// A placeholder for a date-shaped literal that is not a real date; the checker reports it.
    init(unchecked: String) { number = Int.min }
    var isValid: Bool { number != Int.min }

    public var iso: String {
        // Far outside any calendar PMQ stores: say so rather than overflow.
        guard number > -100_000_000 && number < 100_000_000 else { return isValid ? "invalid date (\(number))" : "invalid date" }
        let (y, m, d) = Day.civil(from: number)
        if y >= 0 && y <= 9999 {
            // The common case, written digit by digit: a result prints one date a cell.
            return String(unsafeUninitializedCapacity: 10) { b in
                b[0] = UInt8(48 + y / 1000); b[1] = UInt8(48 + y / 100 % 10); b[2] = UInt8(48 + y / 10 % 10); b[3] = UInt8(48 + y % 10)
                b[4] = 45; b[5] = UInt8(48 + m / 10); b[6] = UInt8(48 + m % 10)
                b[7] = 45; b[8] = UInt8(48 + d / 10); b[9] = UInt8(48 + d % 10)
                return 10
            }
        }
        func pad(_ v: Int, _ w: Int) -> String { let s = String(abs(v)); return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
    public var description: String { iso }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var weekday: Int { ((number % 7 + 7) % 7 + 3) % 7 + 1 }
    public var isWeekend: Bool { weekday >= 6 }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }
    public static func + (a: Day, n: Int) -> Day {
        let (sum, overflow) = a.number.addingReportingOverflow(n)
        return Day(overflow ? (n > 0 ? Day.bound : -Day.bound) : sum)
    }

    /// `n` working days (Monday–Friday) from `self`; negative goes back.
    /// Whole weeks are taken at once, so the cost does not grow with `n`.
    public func addingWorkdays(_ n: Int) -> Day {
        // A day outside the calendar has no working days to count (and at the clamped
        // edge stepping would never move).
        guard isInRange else { return self }
        let clamped = max(-Day.maxWorkdays, min(Day.maxWorkdays, n))
        let step = clamped >= 0 ? 1 : -1
        var left = abs(clamped)
        var d = self + step * 7 * max(0, (left - 1) / 5)
        left -= 5 * max(0, (left - 1) / 5)
        while left > 0 {
            d = d + step
            if !d.isWeekend { left -= 1 }
        }
        return d
    }

    /// More working days than the whole calendar holds (years 1 to 9999 have about 2.6
    /// million), so a count is never cut short inside it (H2: a status date two million
    /// working days after a plan's start is reached); the bound keeps a huge count from
    /// overflowing, and a date it reaches past 9999-12-31 is refused by the caller.
    static let maxWorkdays = 3_000_000

    /// The dates PMQ stores: years 1 to 9999.
    static let earliest = Day(year: 1, month: 1, day: 1) ?? Day(-719162)
    static let latest = Day(year: 9999, month: 12, day: 31) ?? Day(2932896)
    /// Whether the day is one PMQ stores: years 1 to 9999. A `today` given from outside
    /// (`--today`, `.today`, the C ABI's option) must be one (review 7, W3: year 0 parsed).
    public var isInRange: Bool { number >= Day.earliest.number && number <= Day.latest.number }

    /// The ISO 8601 week number (1–53): the week of the year that holds its Thursday.
    var isoWeek: Int {
        let thursday = Day(number - weekday + 4)
        let (y, _, _) = Day.civil(from: thursday.number)
        return (thursday.number - Day.daysFromCivil(y, 1, 1)) / 7 + 1
    }

    /// Calendar months later (earlier when negative): the same day of the month, or the
    /// month's last day when it is shorter (January 31 + 1 month = February 28 or 29).
    func addingMonths(_ n: Int) -> Day {
        let (y, m, d) = Day.civil(from: number)
        let total = y * 12 + (m - 1) + max(-200_000, min(200_000, n))
        let (ny, nm) = (Int((Double(total) / 12).rounded(.down)), ((total % 12) + 12) % 12 + 1)
        return Day(Day.daysFromCivil(ny, nm, min(d, Day.daysIn(month: nm, year: ny))))
    }

    var startOfWeek: Day { Day(number - (weekday - 1)) }
    var endOfWeek: Day { Day(number + (7 - weekday)) }
    var startOfMonth: Day { let (y, m, _) = Day.civil(from: number); return Day(Day.daysFromCivil(y, m, 1)) }
    var endOfMonth: Day { let (y, m, _) = Day.civil(from: number); return Day(Day.daysFromCivil(y, m, Day.daysIn(month: m, year: y))) }

    /// The real date today, in the local time zone.
    public static func current() -> Day {
        var t = time_t(0)
        time(&t)
        var parts = tm()
        localtime_r(&t, &parts)
        return Day(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday)) ?? Day(0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-from-days algorithms: exact over the proleptic Gregorian calendar.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(from z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
