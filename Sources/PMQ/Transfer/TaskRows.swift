/// The rows of `import ... into tasks`, written with the rules of `add task` (AddExecutor)
/// but without its per-row work that a file of a million rows repeats for nothing: no
/// dictionary of columns per row, no sorting of column names, the INSERT's text made once
/// per set of filled columns and compared by identity, owners found by name in the
/// session's cache, and a row's parent looked up in SQL only when it is not one of the
/// codes the import has just seen.
///
/// Every refusal is the one `add task` gives, with the cell's place in the file (the range
/// is the cell's number + 1, as DataImporter expects). `TransferTests` holds the two paths
/// to the same rows and messages.
final class TaskRowWriter {
    private let session: SessionContext
    private let entity: EntityDef
    /// The project of rows with no `project` cell, found at the first row (nil: not yet).
    private var defaultProject: Int64??
    /// The INSERT for the last set of columns, and for every set seen.
    private var lastColumns: [String] = []
    private var lastSQL = ""
    private var sqlByShape: [String: String] = [:]
    /// Row buffers, reused.
    private var columns: [String] = []
    private var args: [Value] = []
    private let customDefaults: [(column: String, value: Value)]

    /// What a column of the file is to a task: its role in `add task`'s rules, the table
    /// column it fills, and its bit among the required fields. Made at the column's first cell.
    private enum Role { case skip, plain, wbs, project, start, finish, milestone, duration, reference(String),
                             actualStart, actualFinish, baselineStart, baselineFinish }
    private struct Slot { let role: Role; let column: String; let requiredBit: UInt64 }
    private var slots: [Slot?] = []
    /// The required fields, in the catalog's order (the first one missing is reported).
    private let required: [String]
    /// Per row: references to resolve once the row's own checks have passed.
    private var refs: [(arg: Int, target: String, key: String, range: SourceRange)] = []

    /// The file the rows come from, to name a row's cell in it after the import (a task left
    /// without its parent is found when the run commits).
    var file: ImportPlace.File?

    /// The ids written (first, last, how many) and the parent codes of the rows, each once per
    /// project, in the order first seen: what the roll-up after the import derives
    /// (`SessionContext.importedTaskRows`). A file lists a parent's children one after another,
    /// so a code is looked up in `parentsSeen` only when it is not the last row's parent.
    private var firstID: Int64?
    private var lastID: Int64 = 0
    private var rowsWritten: Int64 = 0
    private var parents: [(project: Int64?, code: String)] = []
    private var parentsSeen: [Int64?: TaskCodeSet] = [:]
    private var lastParent: (project: Int64?, code: String)?

    /// What the roll-up after the import needs to know (nil when no row was written).
    var rollupSeed: ImportedTaskRows? {
        firstID.map { ImportedTaskRows(first: $0, last: lastID, rows: rowsWritten, parents: parents) }
    }

    private func noteParent(_ code: String, _ project: Int64?) {
        if let l = lastParent, l.project == project, l.code == code { return }
        lastParent = (project, code)
        if parentsSeen[project]?.contains(code) == true { return }
        parentsSeen[project, default: TaskCodeSet()].insert(code)
        parents.append((project, code))
    }

    private func noteWritten(_ id: Int64) {
        if firstID == nil { firstID = id }
        lastID = max(lastID, id)
        rowsWritten += 1
    }

    init(session: SessionContext, entity: EntityDef) {
        self.session = session
        self.entity = entity
        rowsPerInsert = session.importRowsPerInsert
        required = entity.fields.filter(\.required).map(\.name)
        customDefaults = entity.fields.compactMap { f in
            guard f.custom, let d = f.defaultValue, let c = f.column else { return nil }
            return (c, d)
        }
    }

    private func slot(_ column: DataImporter.Column, _ f: FieldDef) -> Slot {
        if column.index < slots.count, let s = slots[column.index] { return s }
        let role: Role
        switch f.name {
        case "duration": role = .duration
        case _ where f.column == nil: role = .skip
        case "wbs": role = .wbs
        case "project": role = .project
        case "start": role = .start
        case "finish": role = .finish
        case "milestone": role = .milestone
        case "actual_start": role = .actualStart
        case "actual_finish": role = .actualFinish
        case "baseline_start": role = .baselineStart
        case "baseline_finish": role = .baselineFinish
        default:
            if case .reference(let target) = f.type { role = .reference(target) } else { role = .plain }
        }
        let bit = required.firstIndex(of: f.name).map { UInt64(1) << UInt64($0) } ?? 0
        let s = Slot(role: role, column: f.column ?? f.name, requiredBit: bit)
        while slots.count <= column.index { slots.append(nil) }
        slots[column.index] = s
        return s
    }

    /// Adds one task from a record's cells (empty cells left out), with `add task`'s checks
    /// in `add task`'s order: the cells, the required fields, the WBS code, the project,
    /// the references, the dates.
    /// `line`: where the record starts in the file (JSON: the object's index), for a row that
    /// turns out to repeat an older task's code when the indexes are built again.
    func add(_ cells: DataImporter.Cells, line: Int) throws {
        do { try addRow(cells, line: line) } catch {
            // The rows held for the next multi-row INSERT go in first: the importer then looks
            // for an earlier row that repeated an older task's code among every row before
            // this one, as it did when each row was written at once.
            try flushPending()
            throw error
        }
    }

    private func addRow(_ cells: DataImporter.Cells, line: Int) throws {
        // The row buffers are worked on as locals and given back at the end: each use of the
        // class's own arrays was an exclusivity check (about 34 a row; BENCHMARKS.md, “Issue 14,
        // tenth pass”).
        var columns = self.columns, args = self.args, refs = self.refs
        self.columns = []; self.args = []; self.refs = []
        defer { self.columns = columns; self.args = args; self.refs = refs }
        columns.removeAll(keepingCapacity: true)
        args.removeAll(keepingCapacity: true)
        refs.removeAll(keepingCapacity: true)
        var present: UInt64 = 0
        var wbs: String?, wbsRange = SourceRange.none
        var projectKey: (code: String, range: SourceRange)?
        var start: Day?, finish: Day?, finishRange = SourceRange.none, milestoneCell: Bool?
        var actualStart: Day?, actualFinish: (Day, SourceRange)?, baselineStart: Day?, baselineFinish: (Day, SourceRange)?
        var durationCell: (days: Double, workdays: Bool, range: SourceRange)?
        // Where the row's `milestone` cell went among the columns (set below), instead of a
        // search of the column names for it (about 470 instructions a row).
        var milestoneAt: Int?
        for (column, cell) in cells {
            guard let f = column.field else { continue }
            let slot = self.slot(column, f)
            let range = SourceRange(column.index + 1, column.index + 2)
            switch slot.role {
            case .skip: continue
            case .duration:
                durationCell = try ImportCell.duration(cell, f, column: column.index).map { ($0.days, $0.workdays, range) }
                continue
            default: break
            }
            let v = try ImportCell.value(cell, f, column: column.index)
            if v.isNull { continue }
            present |= slot.requiredBit
            switch slot.role {
            case .project:
                if case .reference(let code) = v { projectKey = (code, range) }
                continue   // the row's project is written below, resolved
            case .wbs: if case .text(let t) = v { wbs = t; wbsRange = range }
            case .start: if case .date(let d) = v { start = d }
            case .finish: if case .date(let d) = v { finish = d; finishRange = range }
            case .milestone:
                if case .bool(let m) = v { milestoneCell = m }
                if milestoneAt == nil, slot.column == "milestone" { milestoneAt = columns.count }
            case .actualStart: if case .date(let d) = v { actualStart = d }
            case .actualFinish: if case .date(let d) = v { actualFinish = (d, range) }
            case .baselineStart: if case .date(let d) = v { baselineStart = d }
            case .baselineFinish: if case .date(let d) = v { baselineFinish = (d, range) }
            case .reference(let target): if case .reference(let key) = v { refs.append((args.count, target, key, range)) }
            default: break
            }
            columns.append(slot.column)
            args.append(v)
        }
        for (i, name) in required.enumerated() where present & (UInt64(1) << UInt64(i)) == 0 {
            let singular = entity.singular
            throw DataImporter.CellError(message: "a\(singular.first.map { "aeiou".contains($0) } == true ? "n" : "") \(singular) needs a \(name): this row has none", column: nil)
        }
        guard let wbs else {
            throw RuntimeError(code: .missingValue, message: "a task needs a WBS code: add task \"Name\" wbs 1.2.3", range: .none)
        }
        guard WBS.isValid(wbs) else {
            throw RuntimeError(code: .invalidValue, message: "\"\(wbs)\" is not a WBS code; write numbers joined by dots, like 1.2.3", range: wbsRange)
        }
        let executor = AddExecutor(session: session)
        let project: Int64?
        if let p = projectKey {
            project = try executor.resolve("projects", p.code, p.range, project: nil)
        } else {
            project = try projectOfRows()
        }
        var owner: Int64?
        // A reference to a task is looked up through the tasks table's indexes: the held rows go in first.
        if refs.contains(where: { $0.target == "tasks" }) { try flushPending() }
        for r in refs {
            let id: Int64
            if r.target == "people", let known = session.caches.person(r.key) { id = known } else {
                id = try executor.resolve(r.target, r.key, r.range, project: project)
            }
            args[r.arg] = .integer(id)
            if columns[r.arg] == "owner" { owner = id }
        }
        for (column, value) in customDefaults where !columns.contains(column) {
            columns.append(column)
            args.append(value)
        }
        columns.append("project"); args.append(project.map { .integer($0) } ?? .null)
        columns.append("wbs_key"); args.append(.text(WBS.sortKey(wbs)))
        let parent = WBS.parent(wbs)
        columns.append("parent_wbs"); args.append(parent.map { .text($0) } ?? .null)
        var milestone = milestoneCell ?? entity.onlyMilestones
        // `duration` sets the finish when the row gives a start and no finish (as `add task ... duration`).
        let duration = finish == nil && start != nil ? durationCell : nil
        var derivedFinish: Day?
        if let d = duration, let s = start {
            if d.days == 0 { milestone = true }
            if d.days == 0 || milestone {
                derivedFinish = s
            } else if d.workdays {
                // The start is working day 1; the days are the owner's (spec §8.7).
                let calendar = session.personCalendars.calendar(for: owner)
                derivedFinish = calendar.adding(Int(d.days) - 1, to: calendar.nextWorking(s))
            } else {
                derivedFinish = Day(s.number + Int(d.days.rounded(.up)) - 1)
            }
        }
        if milestone, finish == nil, derivedFinish == nil, let s = start { derivedFinish = s }
        if let f = derivedFinish { finish = f; columns.append("finish"); args.append(.date(f)) }
        if milestone, start == nil, let f = finish { start = f; columns.append("start"); args.append(.date(f)) }
        if let i = milestoneAt { args[i] = .bool(milestone) } else { columns.append("milestone"); args.append(.bool(milestone)) }
        if let s = start, let f = finish, f < s {
            throw RuntimeError(code: .datesOutOfOrder, message: "finish \(f.iso) is before start \(s.iso)", range: duration?.range ?? finishRange)
        }
        if let a = actualStart, let b = actualFinish, b.0 < a {
            throw RuntimeError(code: .datesOutOfOrder, message: "actual_finish \(b.0.iso) is before actual_start \(a.iso)", range: b.1)
        }
        if let a = baselineStart, let b = baselineFinish, b.0 < a {
            throw RuntimeError(code: .datesOutOfOrder, message: "baseline_finish \(b.0.iso) is before baseline_start \(a.iso)", range: b.1)
        }
        let db = session.db
        // A task of no project is looked up by its code, which needs the tasks table's indexes
        // and every row before it written.
        if project == nil { try flushPending() }
        if project == nil, session.deferredTaskIndexes != nil { try session.endTaskRows() }
        if project == nil, case .integer = try db.scalar(ImportSQL.taskWithoutProject, [.text(wbs)]) {
            throw try duplicate(wbs, wbsRange)
        }
        let deferred = session.deferredTaskIndexes
        // While the indexes are away (DeferredTaskIndexes), the codes written since are all among
        // the tasks added just now (`SessionCaches`): a repeat of one is refused here, as the unique index would have.
        if deferred != nil, session.caches.wasAdded(task: wbs, project: project) { throw try duplicate(wbs, wbsRange) }
        if let project, db.kind == .postgres,
           case .integer = try db.scalar(ImportSQL.taskInProject, [.integer(project), .text(wbs)]) {
            throw try duplicate(wbs, wbsRange)
        }
        // While the indexes are away (SQLite), the row is held and written with the next
        // `batchRows - 1` rows of the same columns in one INSERT (`flushPending`): nothing
        // reads the table in between, and nothing but the unique index, which is away, could
        // refuse a row that passed the checks above. Its id, journal range, parent check and
        // clash candidate are the ones it would have had written alone.
        if deferred != nil, db.kind == .sqlite, rowsPerInsert > 1, columns.count * rowsPerInsert <= TaskRowWriter.maxParameters {
            if !pending.isEmpty, columns != pendingColumns { try flushPending() }
            if pending.isEmpty { pendingColumns = columns }
            pendingArgs.append(contentsOf: args)
            var orphan = false
            if let parent { orphan = !session.caches.wasAdded(task: parent, project: project) }
            pending.append(HeldRow(wbs: wbs, range: wbsRange, line: line, project: project, orphan: orphan))
            session.caches.added(task: wbs, project: project)
            if let parent { noteParent(parent, project) }
            if pending.count == rowsPerInsert { try flushPending() }
            return
        }
        try flushPending()   // rows held before this one go in first, in order
        do {
            try db.run(insertSQL(columns), args)
        } catch let e as StoreError where e.isUniqueViolation {   // (project, wbs): the tasks' one unique key
            throw try duplicate(wbs, wbsRange)
        }
        let id = db.lastInsertID
        noteWritten(id)
        if let parent { noteParent(parent, project) }
        // WBS integrity: a parent code with no task yet is checked again at commit (while the
        // indexes are away, not looked up now: the check at commit comes after they are back).
        if let parent, !session.caches.wasAdded(task: parent, project: project) {
            if try deferred != nil || db.scalar(ImportSQL.parentExists, [project.map { .integer($0) } ?? .null, .text(parent)]).isNull {
                session.orphanCandidates.append((id, wbs, wbsRange, file?.place(record: line)))
            } else {
                session.caches.added(task: parent, project: project)
            }
        }
        deferred?.written(id, project: project, range: wbsRange, line: line)
        session.caches.added(task: wbs, project: project)
        try session.journal.added("tasks", id)
        try session.wroteTaskRow()
    }

    /// The project of a row that names none: the one `use`d, or the only one there is.
    private func projectOfRows() throws -> Int64? {
        if let p = defaultProject { return p }
        let p: Int64?
        if let current = session.currentProject { p = current } else {
            let ids = try session.projectIDs()
            guard ids.count <= 1 else {
                throw try session.ambiguousProject(ids.count, .none, give: true)
            }
            p = ids.first
        }
        defaultProject = .some(p)
        return p
    }

    private func insertSQL(_ columns: [String]) -> String {
        if columns == lastColumns { return lastSQL }
        let shape = columns.joined(separator: ",")
        let sql: String
        if let known = sqlByShape[shape] { sql = known } else {
            sql = ImportSQL.insertTask(columns)
            sqlByShape[shape] = sql
        }
        lastColumns = columns
        lastSQL = sql
        return sql
    }

    /// `add task`'s refusal of a repeated code, naming the task that has it: the held rows
    /// are written first, so that the first task of that code is found as before.
    private func duplicate(_ wbs: String, _ range: SourceRange) throws -> RuntimeError {
        try flushPending()
        return AddExecutor.duplicate(wbs, range, session.db)
    }

    // MARK: Rows held for one INSERT

    /// How many rows one INSERT writes while the indexes are away: a statement a row cost
    /// SQLite about 15,000 instructions a row (its start, the AUTOINCREMENT counter read and
    /// written, the foreign keys' counters), 32 rows a statement about 7,000 (BENCHMARKS.md,
    /// “Issue 14, tenth pass”).
    static let batchRows = 32
    /// The parameters one statement may have (SQLite's default since 3.32).
    static let maxParameters = 32_766
    /// `batchRows`, or what a test asked of the session (`SessionContext.importRowsPerInsert`).
    private let rowsPerInsert: Int
    private struct HeldRow { let wbs: String; let range: SourceRange; let line: Int; let project: Int64?; let orphan: Bool }
    private var pending: [HeldRow] = []
    private var pendingColumns: [String] = []
    private var pendingArgs: [Value] = []
    private var lastBatchColumns: [String] = []
    private var lastBatchSQL = ""

    /// Writes the rows held for one INSERT: all in one statement when there are `batchRows`,
    /// else one statement each; then what writing each row alone did after its INSERT, in
    /// the rows' order, with the ids SQLite gave them (consecutive within one statement).
    /// Called when the batch is full, before anything reads the tasks table, and at the end
    /// of the rows or an error (`DataImporter`).
    func flushPending() throws {
        guard !pending.isEmpty else { return }
        let rows = pending, values = pendingArgs, columns = pendingColumns
        pending.removeAll(keepingCapacity: true)
        pendingArgs.removeAll(keepingCapacity: true)
        let db = session.db
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        if rows.count == rowsPerInsert {
            if columns != lastBatchColumns {
                lastBatchSQL = ImportSQL.insertTasks(columns, rows: rows.count)
                lastBatchColumns = columns
            }
            let written = try db.run(lastBatchSQL, values)
            let last = db.lastInsertID
            guard written == rows.count else {
                throw RuntimeError(code: .databaseError, message: "the tasks table took \(written) of \(rows.count) rows", range: .none)
            }
            for k in 0..<rows.count { ids.append(last - Int64(rows.count - 1 - k)) }
            session.importRowsBatched += rows.count
        } else {
            let width = columns.count
            let sql = insertSQL(columns)
            for k in 0..<rows.count {
                try db.run(sql, Array(values[(k * width)..<((k + 1) * width)]))
                ids.append(db.lastInsertID)
            }
        }
        for (k, row) in rows.enumerated() {
            noteWritten(ids[k])
            if row.orphan { session.orphanCandidates.append((ids[k], row.wbs, row.range, file?.place(record: row.line))) }
            session.deferredTaskIndexes?.written(ids[k], project: row.project, range: row.range, line: row.line)
            try session.journal.added("tasks", ids[k])
            try session.wroteTaskRow()
        }
    }
}
