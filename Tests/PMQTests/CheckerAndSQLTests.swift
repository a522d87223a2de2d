import Testing
@testable import PMQ

@Suite("Checker and SQL generation")
struct CheckerAndSQLTests {
    let session: Session
    init() throws { session = try Session(path: nil, today: Day(iso: "2026-03-16")) }

    func sql(_ q: String) throws -> SQLStatement {
        switch session.compileQuery(q) {
        case .success(let s): return s
        case .failure(let d): throw d
        }
    }

    func errors(_ q: String) -> [String] {
        session.check(SourceFile(name: "t", text: q)).map(\.message)
    }

    @Test("user values are bound, never spliced into SQL")
    func bound() throws {
        let evil = "x'); DROP TABLE tasks; --"
        let s = try sql("tasks where name = \"\(evil)\" or owner = \"\(evil)\"")
        #expect(!s.sql.contains("DROP"))
        #expect(s.args.contains(.text(evil)))
        // Repeated values share one parameter.
        #expect(s.args.filter { $0 == .text(evil) }.count == 1)
    }

    @Test("dotted paths become joins")
    func joins() throws {
        let s = try sql("tasks where owner.backup.department = \"IT\" select wbs")
        #expect(s.sql.contains("LEFT JOIN people j1 ON j1.id = t0.owner"))
        #expect(s.sql.contains("LEFT JOIN people j2 ON j2.id = j1.backup"))
    }

    @Test("order by wbs uses the natural sort key")
    func wbsOrder() throws {
        #expect(try sql("tasks select wbs order by wbs").sql.contains("ORDER BY t0.wbs_key"))
    }

    @Test("a positive overdue is index-friendly; today is a bound date")
    func overdue() throws {
        let s = try sql("count tasks where overdue")
        #expect(s.sql == "SELECT count(*) FROM tasks t0 WHERE (t0.finish < ?1 AND t0.status IN ('todo', 'doing', 'blocked'))")
        #expect(s.args == [.date(Day(iso: "2026-03-16")!)])
    }

    @Test("count of a grouped or limited query wraps it")
    func countWrap() throws {
        #expect(try sql("count tasks group by owner").sql.hasPrefix("SELECT count(*) FROM (SELECT"))
        #expect(try sql("count tasks limit 3").sql.hasPrefix("SELECT count(*) FROM (SELECT"))
    }

    @Test("milestones filter tasks")
    func milestones() throws {
        #expect(try sql("milestones").sql.contains("t0.milestone = 1"))
    }

    @Test("the query plan uses the owner index for a selective query")
    func plan() throws {
        let (results, d) = session.run("explain tasks where owner = \"DBA\" and late > 3d")
        #expect(d.isEmpty)
        guard case .explain(_, _, let plan)? = results.first else { Issue.record("no plan"); return }
        #expect(plan.contains { $0.contains("tasks_owner") })
    }

    @Test("type errors", arguments: [
        ("tasks where finish < \"2026-01-01\"", "cannot compare a date with a text"),
        ("tasks where late > 3", "cannot compare a duration with a number"),
        ("tasks where start + 3 > today", "cannot apply \"+\" to a date and a number"),
        ("tasks where name + 1 = 2", "cannot apply \"+\" to a text and a number"),
        ("tasks where progress ~ \"x\"", "\"~\" searches text, not a number"),
        ("tasks where owner", "where needs a condition, not a person"),
        ("tasks where 1 in tags", "a list holds text, not a number"),
        ("tasks select sum(name)", "sum() adds numbers or durations, not a text"),
    ])
    func typeErrors(_ q: String, _ message: String) {
        #expect(errors(q).first == message)
    }

    @Test("unknown names suggest", arguments: [
        ("tasks where ownr = 1", "unknown field \"ownr\" of tasks; did you mean \"owner\"?"),
        ("risk where score > 1", "unknown entity \"risk\"; did you mean \"risks\"?"),
        ("tasks where status = don", "unknown value \"don\"; valid values are: todo, doing, done, blocked, cancelled"),
        ("tasks where owner.nam = 1", "unknown field \"nam\" of people; did you mean \"name\"?"),
    ])
    func unknownNames(_ q: String, _ message: String) {
        #expect(errors(q).first == message)
    }

    @Test("valid queries check clean", arguments: [
        "tasks where owner = \"DBA\" and late > 3d",
        "tasks where status != done and finish < today + 2w select wbs order by finish limit 10",
        "tasks where wbs under 2 and owner.department = \"IT\" select wbs, name, owner, finish",
        "count tasks where overdue",
        "tasks where overdue group by owner select owner, count() as n, sum(cost) as cost order by n desc",
        "risks where score >= 12 and status = open order by score desc",
        "costs where kind = labor group by person select person, sum(qty) as days, sum(amount) as paid",
        "tasks where not milestone and \"infra\" in tags",
        "tasks where status in (todo, doing) and owner is not null and progress between 10 and 90",
        "defects where status = closed and fixed < today - 90d",
        "(count tasks where overdue) > 5",
        "tasks where task_x = 1",
    ])
    func clean(_ q: String) {
        let e = errors(q)
        if q.contains("task_x") { #expect(!e.isEmpty) } else { #expect(e.isEmpty, "\(q): \(e)") }
    }
}
