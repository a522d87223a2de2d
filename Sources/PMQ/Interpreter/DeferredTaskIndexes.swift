/// The tasks table's secondary indexes, dropped while a large import or a long run of
/// `add task` statements writes its rows, and built again once when the run of rows ends,
/// inside the same transaction: a failure rolls the drop back with the rows, so a failed
/// load still keeps nothing. Building an index once from all its rows (a sort) is several
/// times cheaper than putting each row into five B-trees as it comes, which was most of the
/// time of a large import (BENCHMARKS.md, “Issue 14, fourth pass”). SQLite only.
///
/// While the indexes are away, nothing may look tasks up by code: the writers check a row's
/// code against the codes added since the last other statement (`SessionCaches`' tasks
/// added just now, which hold every row written while the indexes were away), a row whose parent is not
/// among them becomes an orphan candidate (checked at commit, after the build), and a row
/// of no project, a reference to a task or any other statement ends the deferral first.
/// A code equal to that of a task from before the run of rows is found when the unique
/// index is built again, and reported at the row that repeated it, as `add` would have.
///
/// Memory: while the indexes are away, and while they are built again, SQLite's page cache
/// is its default 2 MiB (`cacheWhileAway`) instead of a bulk write's 32 MiB (`withBulkCache`,
/// which keeps index pages between rows: there are none to keep now). SQLite's sorter may
/// hold as much as the page cache in memory while it builds an index, beside the cache
/// itself: with 32 MiB a 1M-row load peaked at 138 MiB, most of it the rebuild (BENCHMARKS.md,
/// “Issue 14, fifth pass”). The cache's size from before goes back when the indexes are back.
final class DeferredTaskIndexes {
    private let db: any Engine
    /// The page cache's size (`BulkSQL.cacheSize`) before the indexes went away.
    private let savedCache: Int64?
    /// The page cache while the indexes are away and while they are built (SQLite's default, in KiB).
    static let cacheWhileAway: Int64 = -2000
    /// The page cache of the roll-up that ends a run whose rows went in without the indexes
    /// (8 MiB; see `Transactions`): memory, not speed, is what the bulk cache costs there.
    static let cacheForRollUp: Int64 = -8192
    /// The page cache while the indexes are built again (8 MiB): SQLite's sorter keeps as much
    /// of an index's keys in memory as the page cache holds, and with 2 MiB a 100,000-row
    /// import's five builds sorted through temporary files (24,600 writes and 24,100 reads
    /// of pages, 2,233 M instructions against 2,048 M; BENCHMARKS.md, “Issue 14, eleventh pass”).
    static let cacheForRebuild: Int64 = -8192
    private let indexes: [(name: String, sql: String)]
    /// The id of the first row written while the indexes are away.
    let firstID: Int64
    /// Projects holding tasks that are not among the codes the run has added (older tasks):
    /// a new row of such a project may repeat one of their codes.
    private let projectsWithOlderTasks: Set<Int64?>
    /// Rows that may repeat an older task's code, and where each was written: the range of
    /// its code, and the line of the file for an import (0 for a statement).
    private var candidates: [(id: Int64, range: SourceRange, line: Int)] = []
    /// A failure that ends a run can first look for such a row before it (the first
    /// error is reported): only needed when there is one.
    var mayClash: Bool { !candidates.isEmpty }

    /// The rows of a run and of a file are worth deferring for when they are at least this
    /// many, and a third of the table's tasks (so rebuilding an index over the tasks that
    /// were there costs less than the rows' own index writes).
    static let minimumRows = 4096

    private init(db: any Engine, indexes: [(name: String, sql: String)], firstID: Int64, projectsWithOlderTasks: Set<Int64?>, savedCache: Int64?) {
        self.db = db
        self.savedCache = savedCache
        self.indexes = indexes
        self.firstID = firstID
        self.projectsWithOlderTasks = projectsWithOlderTasks
    }

    /// Drops the indexes, when deferring pays: `rows` task rows written in a row so far.
    /// `added` holds how many codes were written so far, per project.
    static func start(_ db: any Engine, rows: Int, added: [Int64?: Int]) throws -> DeferredTaskIndexes? {
        guard db.kind == .sqlite, rows >= minimumRows, case .integer(let total) = try db.scalar(BulkSQL.taskCount, []),
              Int64(rows) * 3 >= total else { return nil }
        var older: Set<Int64?> = []
        try db.query(BulkSQL.tasksPerProject, []) { r in
            let project: Int64? = if case .integer(let p) = r[0] { p } else { nil }
            let n: Int64 = if case .integer(let c) = r[1] { c } else { 0 }
            if n > Int64(added[project] ?? 0) { older.insert(project) }
        }
        var indexes: [(name: String, sql: String)] = []
        try db.query(BulkSQL.indexesOf, [.text("tasks")]) { r in
            if case .text(let name) = r[0], case .text(let sql) = r[1] { indexes.append((name, sql)) }
        }
        guard case .integer(let next) = try db.scalar(BulkSQL.nextTaskID, []) else { return nil }
        for i in indexes { try db.execute(BulkSQL.dropIndex(i.name)) }
        var saved: Int64?
        if case .integer(let size) = try db.scalar(BulkSQL.cacheSize), size != cacheWhileAway {
            saved = size
            try db.execute(BulkSQL.setCacheSize(cacheWhileAway))
        }
        return DeferredTaskIndexes(db: db, indexes: indexes, firstID: next, projectsWithOlderTasks: older, savedCache: saved)
    }

    /// The page cache goes back to its size from before (after the build, or when a rollback
    /// brought the indexes back).
    func resetCache() {
        if let savedCache { try? db.execute(BulkSQL.setCacheSize(savedCache)) }
    }

    /// A row was written: `id`, its project, where its code was given.
    func written(_ id: Int64, project: Int64?, range: SourceRange, line: Int = 0) {
        if projectsWithOlderTasks.contains(project) { candidates.append((id, range, line)) }
    }

    /// A row that repeats an older task's project and code.
    struct Clash: Error { let id: Int64; let wbs: String; let range: SourceRange; let line: Int }

    /// Builds the indexes again. A unique index that cannot be built (a row repeats an older
    /// task's code) throws the first such row, after the other indexes are built.
    func restore() throws {
        defer { resetCache() }
        // While the indexes are built, a larger cache (`cacheForRebuild`); then the size of
        // while they were away, which `resetCache` changes only when it was another before.
        try? db.execute(BulkSQL.setCacheSize(DeferredTaskIndexes.cacheForRebuild))
        defer { try? db.execute(BulkSQL.setCacheSize(DeferredTaskIndexes.cacheWhileAway)) }
        var failed = false
        for i in indexes {
            do { try db.execute(i.sql) } catch let e as StoreError where e.kind == .constraint && BulkSQL.isUnique(i.sql) {
                failed = true
            }
        }
        guard failed else { return }
        var first: (id: Int64, wbs: String)?
        try db.query(BulkSQL.firstClash, [.integer(firstID)]) { r in
            if case .integer(let id) = r[0], case .text(let wbs) = r[1] { first = (id, wbs) }
        }
        if let first, let c = candidates.first(where: { $0.id == first.id }) {
            throw Clash(id: first.id, wbs: first.wbs, range: c.range, line: c.line)
        }
        throw RuntimeError(code: .duplicate, message: "duplicate WBS code: a task repeats the project and code of another", range: .none)
    }
}
