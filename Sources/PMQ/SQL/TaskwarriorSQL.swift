/// What the Taskwarrior import and export read and write (docs/language.md, “Taskwarrior”):
/// the uuid a task came with (`task_uuids`), project codes, the next top-level WBS number and
/// the rows and links of a set of tasks. Ids of a set come bound as one JSON array (?1), read
/// through the dialect.
enum TaskwarriorSQL {
    /// The task (as `CODE/WBS`) a uuid ?1 was imported as.
    static let taskNamedByUUID = """
        SELECT coalesce(p.code || '/', '') || t.wbs FROM task_uuids u JOIN tasks t ON t.id = u.task
        LEFT JOIN projects p ON p.id = t.project WHERE u.uuid = ?1
        """
    /// The id of the task a uuid ?1 was imported as.
    static let taskOfUUID = "SELECT task FROM task_uuids WHERE uuid = ?1"
    static let rememberUUID = "INSERT INTO task_uuids (task, uuid) VALUES (?1, ?2)"
    /// The largest top-level WBS number in project ?1 (null: tasks of no project), 0 for none.
    static let lastTopWBS = "SELECT coalesce(max(CAST(wbs AS INTEGER)), 0) FROM tasks WHERE project IS ?1 AND parent_wbs IS NULL"

    /// What a Taskwarrior task tells of each task ?1: name, project code, WBS, status, dates,
    /// priority, tags and the uuid it came with.
    static func exportedTasks(_ dialect: any SQLDialect) -> String {
        """
        SELECT t.id, t.name, p.code, t.wbs, t.status, t.start, t.finish, t.actual_start, t.actual_finish, t.priority, t.tags, u.uuid
        FROM tasks t LEFT JOIN projects p ON p.id = t.project LEFT JOIN task_uuids u ON u.task = t.id
        WHERE t.id IN (\(dialect.idsOf("?1")))
        """
    }

    /// The links between the tasks ?1, by successor.
    static func exportedLinks(_ dialect: any SQLDialect) -> String {
        """
        SELECT pred, succ FROM dependencies
        WHERE succ IN (\(dialect.idsOf("?1"))) AND pred IN (\(dialect.idsOf("?1"))) ORDER BY succ, id
        """
    }
}
