/// What a session remembers to save round trips, and when each memory is forgotten. Executors
/// read and fill these through the methods here, never by writing the stores themselves, so
/// every rule of "when is this stale" lives in this one file.
struct SessionCaches {
    /// People's ids by name (a data load names the same few people a million times).
    private var people: [String: Int64] = [:]
    /// Up to two project ids (see `SessionContext.projectIDs`); nil: read them again.
    private var projects: [Int64]?
    /// INSERT text by table, conflict handling and sorted columns, and the one used last
    /// (tried first, see `AddExecutor.insert`).
    private var insertText: [String: String] = [:]
    private var lastInsert: (table: String, columns: [String], ignoring: Bool, sql: String)?
    /// The task codes added by the `add` statements run one after another just now (or by an
    /// import, with the parents it found), per project: a child's parent among them needs no
    /// lookup (a data load adds each parent just before its children). Any other statement, a rollback or a new run forgets them,
    /// since only adds run in between (nothing removed or renamed a task).
    private var addedTaskCodes: [Int64?: TaskCodeSet] = [:]
    /// SQL compiled for checked nodes during one run. The node is held with its SQL so its
    /// identity cannot be reused by another node while the entry exists.
    private var querySQL: [ObjectIdentifier: (node: AnyObject, sql: CompiledSQL)] = [:]
    /// The same for the rows of change statements (see `ChangeExecutor`).
    private var changeSQL: [ObjectIdentifier: (node: AnyObject, sql: CompiledSQL)] = [:]
    /// The same for whole update plans (see `UpdateSteps`).
    private var updateSteps: [ObjectIdentifier: (node: AnyObject, steps: UpdateSteps)] = [:]

    // MARK: People and projects

    /// (`mutating`, as `wasAdded` is, though it changes nothing: called through the session's
    /// property it then works in place, where a plain method was given a copy of every cache,
    /// two a row of an import; BENCHMARKS.md, “Issue 14, tenth pass”.)
    mutating func person(_ name: String) -> Int64? { people[name] }
    mutating func remember(person name: String, id: Int64) { people[name] = id }

    /// The project ids, read by `load` only when not known.
    mutating func projectIDs(_ load: () throws -> [Int64]) rethrows -> [Int64] {
        if let projects { return projects }
        let ids = try load()
        projects = ids
        return ids
    }

    /// A project was added, imported or removed: read the ids again when next asked.
    mutating func forgetProjects() { projects = nil }

    // MARK: INSERT text

    /// The INSERT used last, when it was into `table`, ignoring conflicts or not as asked, with
    /// `count` columns: its columns (in the order of its parameters) and its text.
    func lastInsert(into table: String, ignoring: Bool, count: Int) -> (columns: [String], sql: String)? {
        guard let last = lastInsert, last.table == table, last.ignoring == ignoring, last.columns.count == count else { return nil }
        return (last.columns, last.sql)
    }

    /// The INSERT into `table` with `columns` (sorted), ignoring a key's conflict or not; `make`
    /// writes it the first time. It becomes the INSERT used last.
    mutating func insertSQL(into table: String, _ columns: [String], ignoring: Bool, make: () -> String) -> String {
        let shape = (ignoring ? "ignoring " : "") + table + ":" + columns.joined(separator: ",")
        let sql: String
        if let known = insertText[shape] {
            sql = known
        } else {
            sql = make()
            insertText[shape] = sql
        }
        lastInsert = (table, columns, ignoring, sql)
        return sql
    }

    // MARK: Tasks added just now

    mutating func wasAdded(task code: String, project: Int64?) -> Bool { addedTaskCodes[project]?.contains(code) == true }
    mutating func added(task code: String, project: Int64?) { addedTaskCodes[project, default: TaskCodeSet()].insert(code) }
    /// How many codes were added just now, per project (see `DeferredTaskIndexes.start`).
    var addedTaskCounts: [Int64?: Int] { addedTaskCodes.mapValues(\.count) }
    /// A statement other than `add` runs, or a run starts.
    mutating func forgetAddedTasks() { addedTaskCodes.removeAll() }

    // MARK: SQL of one run

    func sql(for node: AnyObject) -> CompiledSQL? { querySQL[ObjectIdentifier(node)]?.sql }
    mutating func remember(_ sql: CompiledSQL, for node: AnyObject) { querySQL[ObjectIdentifier(node)] = (node, sql) }
    func changeSQL(for node: AnyObject) -> CompiledSQL? { changeSQL[ObjectIdentifier(node)]?.sql }
    mutating func rememberChange(_ sql: CompiledSQL, for node: AnyObject) { changeSQL[ObjectIdentifier(node)] = (node, sql) }
    func updateSteps(for node: AnyObject) -> UpdateSteps? { updateSteps[ObjectIdentifier(node)]?.steps }
    mutating func rememberUpdate(_ steps: UpdateSteps, for node: AnyObject) { updateSteps[ObjectIdentifier(node)] = (node, steps) }

    // MARK: Forgetting

    /// A run ended: its checked nodes go, and their SQL with them.
    mutating func runEnded() {
        querySQL.removeAll()
        changeSQL.removeAll()
        updateSteps.removeAll()
    }

    /// Changes were rolled back: rows remembered may be gone.
    mutating func rolledBack() {
        people.removeAll()
        addedTaskCodes.removeAll()
        projects = nil
    }

    /// Custom fields were added or dropped: tables have other columns.
    mutating func schemaChanged() {
        insertText.removeAll()
        lastInsert = nil
    }
}

/// The codes of the tasks added just now in one project. A data load adds a million of them
/// and keeps them all until its rows end: as `Set<String>` that was 16 bytes a bucket, 32 MiB
/// at a million rows and 48 MiB while the set doubled (BENCHMARKS.md, “Issue 14, sixth pass”).
/// A code of digits and dots of up to 16 characters (nearly every code) is packed into a
/// UInt64 instead, four bits a character; any other code is kept as it is.
struct TaskCodeSet {
    private var packed: Set<UInt64> = []
    private var other: Set<String> = []

    var count: Int { packed.count + other.count }

    func contains(_ code: String) -> Bool {
        if let p = TaskCodeSet.pack(code) { return packed.contains(p) }
        return other.contains(code)
    }

    mutating func insert(_ code: String) {
        if let p = TaskCodeSet.pack(code) { packed.insert(p) } else { other.insert(code) }
    }

    /// `1` → 2, `.` → 11 (never 0), the first character in the lowest four bits: two codes
    /// pack alike only when they are the same text, since the length is where the zeros start.
    /// Nil for a code longer than 16 characters or with any other character.
    static func pack(_ code: String) -> UInt64? {
        var value: UInt64 = 0, shift: UInt64 = 0
        for b in code.utf8 {
            let nibble: UInt64
            if b >= 48 && b <= 57 { nibble = UInt64(b - 47) } else if b == 46 { nibble = 11 } else { return nil }
            guard shift < 64 else { return nil }
            value |= nibble << shift
            shift += 4
        }
        return value
    }
}
