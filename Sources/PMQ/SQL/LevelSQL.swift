/// What resource levelling reads besides the plan (docs/language.md, “Resource levelling”):
/// each person's capacity and the responsible (R) assignments, in the order they were made.
enum LevelSQL {
    static let people = "SELECT id, name, capacity FROM people"
    static let responsibleAssignments = "SELECT task, person, units FROM assignments WHERE role = 'R' ORDER BY id"

    /// After levelling: the people the project's tasks load (project ?2) who are still over
    /// capacity on a day from ?1 on, as `load` counts it (name, days over, first such day).
    /// What is left is work levelling may not move: started tasks, fixed dates.
    static let stillOverloaded = "SELECT p.name, count(*), min(l.day) FROM (" + LoadSQL.source { $0 } + ") l JOIN people p ON p.id = l.person"
        + " WHERE l.over AND l.day >= ?1 AND l.person IN (SELECT owner FROM tasks WHERE project IS ?2 AND owner IS NOT NULL"
        + " UNION SELECT a.person FROM assignments a JOIN tasks t ON t.id = a.task WHERE t.project IS ?2 AND a.role = 'R')"
        + " GROUP BY p.name ORDER BY p.name"
}
