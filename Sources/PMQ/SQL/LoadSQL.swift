/// The `load` source (docs/language.md, “Resources”) as one SQL statement: a recursive CTE walks each open
/// task's days from start to finish, keeps its working days (weekdays and make-up days,
/// not holidays, not the owner's leave), and spreads the task over the people it loads.
///
/// Why SQL and not rows built in Swift: `load` is a source like any other (`where`,
/// `group by`, `select`, `as of`, `explain` all apply), and `overallocated` is a test of
/// it inside other queries; one statement keeps both in the database.
///
/// Which tasks load whom: a leaf task that is not done or cancelled and not a milestone,
/// with a start and a finish, loads its owner (at 100 %, or the units of the owner's own R
/// assignment) and every other person with an R assignment on it (at its units), each on
/// every one of the task's working days: units % of the person's capacity. A task with
/// effort whose only loader is its owner spreads the effort evenly over its working days
/// instead. Hours are summed per person and day and rounded to 0.01; `over` is hours >
/// capacity. A task's days are walked for at most ten years from its start.
enum LoadSQL {
    /// `table` gives what to read for each table (itself, or itself as of a day).
    /// `exactHours`: hours as summed, not rounded to 0.01 (levelling subtracts them from capacity).
    static func source(exactHours: Bool = false, _ table: (String) -> String) -> String {
        let tasks = table("tasks"), people = table("people"), assignments = table("assignments")
        let leaves = table("leaves"), holidays = table("holidays"), workdays = table("workdays")
        return """
            WITH RECURSIVE lt(id, owner, start, finish, effort) AS (
              SELECT t.id, t.owner, t.start, t.finish, t.effort FROM \(tasks) t
              WHERE t.status NOT IN ('done', 'cancelled') AND NOT t.milestone AND t.start IS NOT NULL AND t.finish >= t.start
                AND NOT EXISTS (SELECT 1 FROM \(tasks) c WHERE c.project IS t.project AND c.parent_wbs = t.wbs)
            ), span(id, day, last) AS (
              SELECT id, start, min(finish, start + 3652) FROM lt
              UNION ALL SELECT id, day + 1, last FROM span WHERE day < last
            ), wd(id, day) AS (
              SELECT s.id, s.day FROM span s JOIN lt ON lt.id = s.id
              WHERE NOT EXISTS (SELECT 1 FROM \(holidays) h WHERE h.day = s.day)
                AND (((s.day % 7 + 7) % 7 + 3) % 7 < 5 OR EXISTS (SELECT 1 FROM \(workdays) w WHERE w.day = s.day))
                AND NOT EXISTS (SELECT 1 FROM \(leaves) l WHERE l.person = lt.owner AND s.day BETWEEN l.start AND l.finish)
            ), n(id, days) AS (
              SELECT id, count(*) FROM wd GROUP BY id
            ), ld(id, person, units, effort) AS (
              SELECT lt.id, lt.owner,
                     coalesce((SELECT a.units FROM \(assignments) a WHERE a.task = lt.id AND a.person = lt.owner AND a.role = 'R' ORDER BY a.id LIMIT 1), 100),
                     CASE WHEN lt.effort IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(assignments) a WHERE a.task = lt.id AND a.role = 'R' AND a.person IS NOT lt.owner)
                          THEN lt.effort END
              FROM lt WHERE lt.owner IS NOT NULL
              UNION ALL
              SELECT lt.id, a.person, a.units, NULL FROM lt JOIN \(assignments) a ON a.task = lt.id AND a.role = 'R' AND a.person IS NOT lt.owner
            ), per(person, day, hours) AS (
              SELECT ld.person, wd.day, sum(CASE WHEN ld.effort IS NOT NULL THEN ld.effort * 1.0 / n.days ELSE ld.units / 100.0 * p.capacity END)
              FROM ld JOIN wd ON wd.id = ld.id JOIN n ON n.id = ld.id JOIN \(people) p ON p.id = ld.person
              GROUP BY ld.person, wd.day
            )
            SELECT row_number() OVER (ORDER BY p.name, per.day) AS id, per.person AS person, per.day AS day,
                   \(exactHours ? "per.hours" : "round(per.hours, 2)") AS hours, p.capacity AS capacity, (round(per.hours, 2) > p.capacity) AS over
            FROM per JOIN \(people) p ON p.id = per.person ORDER BY p.name, per.day
            """
    }

    /// For `schedule level`: each day's unrounded hours of the people `people` on the open
    /// tasks of other projects that are not over before `from` (person, day, hours > 0). The
    /// people are named when they are few enough (at most 500); else every other project's
    /// open task is read (correct, slower).
    static func otherProjects(project: Int64?, from: Day, people ids: [Int64]) -> (String, [Value]) {
        var args: [Value] = [project.map { .integer($0) } ?? .null, .integer(Int64(from.number))]
        var theirs = ""
        if !ids.isEmpty, ids.count <= 500 {
            let marks = ids.indices.map { "?\($0 + 3)" }.joined(separator: ", ")
            theirs = " AND (owner IN (\(marks)) OR id IN (SELECT task FROM assignments WHERE role = 'R' AND person IN (\(marks))))"
            args += ids.map { .integer($0) }
        }
        let source = LoadSQL.source(exactHours: true) { $0 == "tasks" ? "(SELECT * FROM tasks WHERE project IS NOT ?1 AND finish >= ?2\(theirs))" : $0 }
        return ("SELECT ox.person, ox.day, ox.hours FROM (\(source)) ox WHERE ox.hours > 0", args)
    }
}
