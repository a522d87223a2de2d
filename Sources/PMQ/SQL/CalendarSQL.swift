/// The calendars' rows in one statement: what `loadCalendar` reads at the start of every
/// run. On a server each statement is a round trip (three of them were a quarter of a short
/// query's time on a loaded machine); SQLite keeps its three plain reads, which also work on
/// a file opened read-only at a schema older than the make-up days and leave.
enum CalendarSQL {
    /// Rows of (kind, a, b, c): 0 a holiday (a = day), 1 a make-up day (a = day), 2 leave
    /// (a = person, b = start, c = finish).
    static let allRows = """
        SELECT 0, day, CAST(NULL AS bigint), CAST(NULL AS bigint) FROM holidays
        UNION ALL SELECT 1, day, NULL, NULL FROM workdays
        UNION ALL SELECT 2, person, start, finish FROM leaves
        """

    /// SQLite's three plain reads of the same rows: the holidays' days, the make-up days, and
    /// leave as (person, start, finish).
    static let holidays = "SELECT day FROM holidays"
    static let workdays = "SELECT day FROM workdays"
    static let leaves = "SELECT person, start, finish FROM leaves"

    // `add holiday`: a day already a holiday is renamed, a new one added; both journaled.
    static let holidayOn = "SELECT id, name FROM holidays WHERE day = ?1"
    static let addHoliday = "INSERT INTO holidays (day, name) VALUES (?1, ?2)"
    static let renameHoliday = "UPDATE holidays SET name = ?1 WHERE id = ?2"
    /// The first make-up day from ?1 to ?2: `add holiday` over one is refused (V13).
    static let workdayBetween = "SELECT day, name FROM workdays WHERE day BETWEEN ?1 AND ?2 ORDER BY day LIMIT 1"
}
