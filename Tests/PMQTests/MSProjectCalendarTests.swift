import Foundation
import Testing
@testable import PMQ

/// MSPDI calendar exceptions that recur ("every Monday", "every third day", "the first
/// Saturday of each month"): only the days the recurrence names become holidays or make-up
/// days, as MS Project and MPXJ read them, not every day from FromDate to ToDate.
@Suite("MS Project XML: recurring calendar exceptions")
struct MSProjectCalendarTests {
    static let file = SharedData.fixtures.appendingPathComponent("mspdi/calendar-recurring-exceptions-project2016-mspdi.xml").path

    static func days(_ s: Session, _ query: String) -> [String] {
        guard case .rows(_, let rows, _)? = s.run(query).results.first else { return [] }
        return rows.map { ConstantEvaluator.text($0[0]) }
    }

    @Test("MS Project 2016's recurring exceptions: 137 holidays and 3 make-up days, as MPXJ counts them")
    func recurring() throws {
        let s = try Session(path: nil, today: Day(iso: "2017-10-20"))
        #expect(s.run("import \"\(Self.file)\" as \"P\"").diagnostics.isEmpty)
        let holidays = Self.days(s, "holidays select day order by day")
        #expect(holidays.count == 137)
        // "Weekly 1 Monday" (Type 6, DaysOfWeek 2, 2001-01-01 to 01-15): Mondays, not the days
        // between them (01-01 to 01-06 are another exception's).
        #expect(Self.days(s, "holidays where day >= 2001-01-07 and day <= 2001-01-15 select day order by day") == ["2001-01-08", "2001-01-15"])
        // "Daily 2" (every third day from 2000-02-01, four times): 02-01, 02-04, 02-07, 02-10.
        #expect(Self.days(s, "holidays where day >= 2000-02-01 and day <= 2000-02-10 select day order by day") == ["2000-02-01", "2000-02-04", "2000-02-07", "2000-02-10"])
        // "Recurring Working" (monthly, the first Saturday): three make-up days.
        #expect(Self.days(s, "workdays select day order by day") == ["2010-01-02", "2010-02-06", "2010-03-06"])
    }

    @Test("each kind of recurrence names the days MS Project names")
    func kinds() {
        let jan1 = Day(iso: "2026-01-01")!, dec31 = Day(iso: "2026-12-31")!
        func iso(_ r: MSPDIRecurrence, _ from: Day = jan1, _ to: Day? = dec31) -> [String] { r.days(from: from, to: to).map(\.iso) }
        // Every second Friday and Saturday of January (weeks start on Sunday).
        #expect(iso(MSPDIRecurrence(type: 6, period: 2, daysOfWeek: 32 | 64), jan1, Day(iso: "2026-01-31")) == ["2026-01-02", "2026-01-03", "2026-01-16", "2026-01-17", "2026-01-30", "2026-01-31"])
        // The 31st of every other month: the month's last day when it is shorter.
        #expect(iso(MSPDIRecurrence(type: 4, period: 2, monthDay: 31), jan1, Day(iso: "2026-06-30")) == ["2026-01-31", "2026-03-31", "2026-05-31"])
        // The last Monday of each month, three times (no ToDate).
        #expect(iso(MSPDIRecurrence(type: 5, monthItem: 4, monthPosition: 4, occurrences: 3), jan1, nil) == ["2026-01-26", "2026-02-23", "2026-03-30"])
        // The fourth Thursday of November, yearly.
        #expect(iso(MSPDIRecurrence(type: 3, monthItem: 7, monthPosition: 3, month: 10), jan1, Day(iso: "2028-12-31")) == ["2026-11-26", "2027-11-25", "2028-11-23"])
        // 25 December, yearly, from a start after it in the first year.
        #expect(iso(MSPDIRecurrence(type: 2, monthDay: 25, month: 11), Day(iso: "2026-12-26")!, Day(iso: "2028-12-31")) == ["2027-12-25", "2028-12-25"])
        // Daily every day is a plain range.
        #expect(MSPDIRecurrence(type: 1, period: 1).isPlainRange)
        #expect(!MSPDIRecurrence(type: 6, period: 1, daysOfWeek: 2).isPlainRange)
    }

    @Test("MPXJ reads the same holidays and make-up days from the file itself",
          .enabled(if: MPXJOracleTests.available, "python3 has no mpxj/jpype, or there is no java: skipped"))
    func oracle() throws {
        let s = try Session(path: nil, today: Day(iso: "2017-10-20"))
        #expect(s.run("import \"\(Self.file)\" as \"P\"").diagnostics.isEmpty)
        let read = try MPXJOracleTests.mpxj([Self.file])[Self.file]
        #expect(read?["holidays"] == Self.days(s, "holidays select day order by day"))
        #expect(read?["workdays"] == Self.days(s, "workdays select day order by day"))
    }
}
