/// Small reads the shell's completion, the Gantt chart and the iCalendar export make: keys,
/// saved queries, summaries and links of a set of tasks. Ids of a set come bound as one JSON
/// array (?1), read through the dialect; key columns come from the schema.
enum LookupSQL {
    static let savedQuerySource = "SELECT source FROM saved_queries WHERE name = ?1"
    static let savedQueryNames = "SELECT name FROM saved_queries ORDER BY name"

    /// Up to 200 keys of an entity starting with ?1.
    static func keys(_ table: String, key: String) -> String {
        "SELECT DISTINCT \(key) FROM \(table) WHERE substr(\(key), 1, length(?1)) = ?1 ORDER BY 1 LIMIT 200"
    }

    static let wbsCodes = "SELECT wbs FROM tasks ORDER BY wbs_key LIMIT 500"

    /// Which of the tasks ?1 are summaries (another task names them as parent).
    static func summariesAmong(_ dialect: any SQLDialect) -> String {
        """
        SELECT t.id FROM tasks t WHERE t.id IN (\(dialect.idsOf("?1")))
          AND (coalesce(t.project, 0), t.wbs) IN (SELECT coalesce(project, 0), parent_wbs FROM tasks WHERE parent_wbs IS NOT NULL)
        """
    }

    /// The links between the tasks ?1.
    static func linksAmong(_ dialect: any SQLDialect) -> String {
        """
        SELECT pred, succ, type FROM dependencies
        WHERE pred IN (\(dialect.idsOf("?1"))) AND succ IN (\(dialect.idsOf("?1"))) ORDER BY id
        """
    }

    /// What an iCalendar event tells of each task ?1.
    static func calendarEvents(_ dialect: any SQLDialect) -> String {
        """
        SELECT t.id, p.code, t.wbs, t.name, t.start, t.finish, t.milestone, t.status, t.progress, o.name, t.notes
        FROM tasks t LEFT JOIN projects p ON p.id = t.project LEFT JOIN people o ON o.id = t.owner
        WHERE t.id IN (\(dialect.idsOf("?1")))
        """
    }

    /// 1 when task ?1 has its parent code's task in its project, or is gone.
    static let hasParent = """
        SELECT 1 FROM tasks t JOIN tasks p ON p.project IS t.project AND p.wbs = t.parent_wbs WHERE t.id = ?1
        UNION ALL SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM tasks WHERE id = ?1)
        """

    /// The first task (WBS code, project code) whose parent code has no task in its project.
    static let firstOrphan = """
        SELECT t.wbs, p.code FROM tasks t LEFT JOIN projects p ON p.id = t.project
        WHERE t.parent_wbs IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM tasks x WHERE x.project IS t.project AND x.wbs = t.parent_wbs)
        ORDER BY t.id LIMIT 1
        """
}
