/// The statements of a bulk write into the tasks table (a large `import ... into tasks`, a
/// long run of `add task` statements): its secondary indexes are dropped while the rows go
/// in and built again once at the end (see `DeferredTaskIndexes`). Index names and their
/// CREATE statements come from SQLite's own schema table, never from user text.
enum BulkSQL {
    /// The indexes of table ?1 that were made by CREATE INDEX (name, its CREATE statement),
    /// in the order they were made. SQLite's own (primary key, UNIQUE columns) have no SQL.
    static let indexesOf = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY rowid"

    /// Drops an index named in the schema table (quoted as an identifier).
    static func dropIndex(_ name: String) -> String {
        "DROP INDEX \"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// Whether an index's CREATE statement (from `indexesOf`) makes a unique index: a failed
    /// build of one is a clash of keys, not a fault.
    static func isUnique(_ create: String) -> Bool { create.hasPrefix("CREATE UNIQUE") }

    /// SQLite's page cache size (negative: in KiB), read and set around a bulk write. A pragma
    /// takes no parameters: the size is an integer the engine gave or `-32768` (32 MiB).
    static let cacheSize = "PRAGMA cache_size"
    static func setCacheSize(_ size: Int64) -> String { "PRAGMA cache_size = \(size)" }

    /// How many tasks there are (read from the smallest index).
    static let taskCount = "SELECT count(*) FROM tasks"

    /// The tasks of each project (NULL: of none).
    static let tasksPerProject = "SELECT project, count(*) FROM tasks GROUP BY project"

    /// The id the next task gets (SQLite: one more than the largest).
    static let nextTaskID = "SELECT coalesce(max(id), 0) + 1 FROM tasks"

    /// The first task from id ?1 on whose project and WBS code a task before id ?1 has:
    /// what a failed build of the unique (project, wbs) index is reported as.
    static let firstClash = """
        SELECT n.id, n.wbs FROM tasks n WHERE n.id >= ?1
          AND EXISTS (SELECT 1 FROM tasks o WHERE o.wbs = n.wbs AND o.project IS n.project AND o.id < ?1)
        ORDER BY n.id LIMIT 1
        """
}
