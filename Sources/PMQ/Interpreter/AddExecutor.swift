/// Runs a checked `add`: resolves references by key, applies the model's rules
/// (docs/language.md, “Adding to the model”) and inserts one row. A refusal throws before anything is written.
struct AddExecutor {
    let session: SessionContext

    func run(_ a: TAdd) throws -> ChangeReport {
        let db = session.db
        switch a.entity.table {
        case "people":
            var cols: [String: Value] = [:]
            try common(a, into: &cols)
            try insert("people", cols, a)
            let name = ConstantEvaluator.text(a.value("name") ?? .null)
            session.caches.remember(person: name, id: db.lastInsertID)
            return ChangeReport(verb: "added", entity: "person", count: 1, detail: quoted(name))
        case "projects":
            var cols: [String: Value] = [:]
            try common(a, into: &cols)
            try checkOrder(a, "start", "finish")
            try insert("projects", cols, a)
            session.caches.forgetProjects()
            return ChangeReport(verb: "added", entity: "project", count: 1, detail: quoted(ConstantEvaluator.text(a.value("code") ?? .null)))
        case "tasks":
            return try addTask(a)
        case "dependencies":
            return try addDependency(a)
        default:
            var cols: [String: Value] = [:]
            let project = try projectFor(a, needed: a.entity.field("project") != nil)
            if let project, a.value("project") == nil, a.entity.field("project") != nil { cols["project"] = .integer(project) }
            try common(a, into: &cols, project: project)
            if a.entity.table == "costs" { try fillCost(a, &cols) }
            if a.entity.table == "defects" { try checkOrder(a, "found", "fixed") }
            if a.entity.table == "assignments" { try refuseSameAssignment(cols, a) }
            if a.entity.table == "workdays" { try refuseHoliday(cols, a) }
            if let key = a.entity.key { try UniqueTitles.refuseTaken(a.entity, a.value(key), a.range(of: key), db) }
            try insert(a.entity.table, cols, a)
            let detail = a.entity.key.flatMap { a.value($0) }.map { quoted(ConstantEvaluator.text($0)) }
            return ChangeReport(verb: "added", entity: a.entity.singular, count: 1, detail: detail)
        }
    }

    private func quoted(_ s: String) -> String { "\"\(s)\"" }

    /// A make-up day on a holiday would be added and have no effect: the holiday wins in the
    /// calendar. Refused, naming the holiday (V13).
    private func refuseHoliday(_ cols: [String: Value], _ a: TAdd) throws {
        guard case .date(let d)? = cols["day"] else { return }
        var holiday: Value?
        try session.db.query(CalendarSQL.holidayOn, [.date(d)]) { s in holiday = s[1] }
        guard let name = holiday else { return }
        let named = name.isNull ? "" : " (\(ConstantEvaluator.text(name)))"
        throw RuntimeError(code: .conflict, message: "\(d.iso) is a holiday\(named): it cannot be a make-up day too", range: a.range(of: "day"),
                           notes: ["to work on it, delete the holiday first: delete holidays where day = \(d.iso)"])
    }

    /// Plain values and references of every field but the task-specific ones.
    private func common(_ a: TAdd, into cols: inout [String: Value], project: Int64? = nil) throws {
        for (f, v, range) in a.values {
            guard let column = f.column else { continue }
            if case .reference(let target) = f.type, case .reference(let key) = v {
                cols[column] = .integer(try resolve(target, key, range, project: project))
            } else {
                cols[column] = v
            }
        }
        // Custom fields with a default take it when the row does not name them (docs/language.md, “Custom fields”).
        for f in a.entity.fields where f.custom {
            if let d = f.defaultValue, let column = f.column, cols[column] == nil { cols[column] = d }
        }
    }

    /// A referenced row's id, by its key; unknown keys are refused with a suggestion.
    func resolve(_ target: String, _ key: String, _ range: SourceRange, project: Int64?) throws -> Int64 {
        let db = session.db
        switch target {
        case "people":
            if let id = session.caches.person(key) { return id }
            if case .integer(let id) = try db.scalar(AddSQL.personByName, [.text(key)]) {
                session.caches.remember(person: key, id: id)
                return id
            }
            throw RuntimeError(code: .unknownRow, message: "unknown person \"\(key)\"\(suggest(key, AddSQL.personNames))", range: range,
                               notes: ["add them first: add person \"\(key)\""])
        case "projects":
            if case .integer(let id) = try db.scalar(AddSQL.projectByCode, [.text(key)]) { return id }
            throw RuntimeError(code: .unknownRow, message: "unknown project \"\(key)\"\(suggest(key, AddSQL.projectCodes))", range: range)
        case "tasks":
            // Tasks are found by code through the tasks table's indexes.
            if session.deferredTaskIndexes != nil { try session.endTaskRowsOfStatements() }
            if project == nil { try session.refuseAmbiguousWBS(key, range) }
            let sql = project == nil ? AddSQL.tasksByCode : AddSQL.taskByCodeInProject
            var ids: [Int64] = []
            try db.query(sql, project.map { [.text(key), .integer($0)] } ?? [.text(key)]) { s in
                if case .integer(let id) = s[0] { ids.append(id) }
            }
            if ids.count == 1 { return ids[0] }
            if ids.count > 1 {
                throw RuntimeError(code: .ambiguousProject, message: "task \(key) exists in several projects; say which with: use project \"CODE\"", range: range)
            }
            if let project, case .integer = try db.scalar(AddSQL.anyTaskWithCode, [.text(key)]) {
                let code = ConstantEvaluator.text(try db.scalar(AddSQL.codeOfProject, [.integer(project)]))
                throw RuntimeError(code: .unknownRow, message: "task \(key) is not in project \"\(code)\"", range: range,
                                   notes: ["it is in another project: say which with project \"CODE\" or use project \"CODE\""])
            }
            throw RuntimeError(code: .unknownRow, message: "unknown task \(key)\(suggest(key, AddSQL.taskCodes))", range: range)
        default:
            if let def = session.schema.plural(target), let k = def.key {
                var ids: [Int64] = []
                try db.query(AddSQL.rowsByKey(table: def.table, key: k), [.text(key)]) { s in
                    if case .integer(let id) = s[0] { ids.append(id) }
                }
                if ids.count == 1 { return ids[0] }
                // A title held twice (a file from before titles were kept unique: UniqueTitles).
                if ids.count > 1 { throw UniqueTitles.ambiguous(def, key, range) }
            }
            throw RuntimeError(code: .unknownRow, message: "unknown \(session.schema.plural(target)?.singular ?? target) \"\(key)\"", range: range)
        }
    }

    private func suggest(_ key: String, _ sql: String) -> String {
        var names: [String] = []
        try? session.db.query(sql + " LIMIT 5000") { s in
            if case .text(let n) = s[0] { names.append(n) }
        }
        return Suggestions.didYouMeanKey(key, names)
    }

    /// The project new rows belong to: the one given, the one `use`d, or the only one there is.
    private func projectFor(_ a: TAdd, needed: Bool) throws -> Int64? {
        if case .reference(let code)? = a.value("project") {
            return try resolve("projects", code, a.range(of: "project"), project: nil)
        }
        if let p = session.currentProject { return p }
        guard needed else { return nil }
        let ids = try session.projectIDs()
        if ids.count <= 1 { return ids.first }
        throw try session.ambiguousProject(ids.count, a.range, give: true)
    }

    private func checkOrder(_ a: TAdd, _ first: String, _ second: String) throws {
        if case .date(let s)? = a.value(first), case .date(let f)? = a.value(second), f < s {
            throw RuntimeError(code: .datesOutOfOrder, message: "\(second) \(f.iso) is before \(first) \(s.iso)", range: a.range(of: second))
        }
    }

    private func addTask(_ a: TAdd) throws -> ChangeReport {
        let db = session.db
        guard case .text(let wbs)? = a.value("wbs") else {
            throw RuntimeError(code: .missingValue, message: "a task needs a WBS code: add task \"Name\" wbs 1.2.3", range: a.range)
        }
        guard WBS.isValid(wbs) else {
            throw RuntimeError(code: .invalidValue, message: "\"\(wbs)\" is not a WBS code; write numbers joined by dots, like 1.2.3", range: a.range(of: "wbs"))
        }
        let project = try projectFor(a, needed: true)
        var cols: [String: Value] = [:]
        try common(a, into: &cols, project: project)
        cols["project"] = project.map { .integer($0) } ?? .null
        cols["wbs_key"] = .text(WBS.sortKey(wbs))
        cols["parent_wbs"] = WBS.parent(wbs).map { .text($0) } ?? .null
        var milestone = a.milestone
        if case .bool(let m)? = a.value("milestone") { milestone = m }
        if let d = a.duration {
            guard case .date(let start)? = a.value("start") else {
                throw RuntimeError(code: .missingValue, message: "a duration needs a start date to count from", range: d.range)
            }
            if d.days == 0 { milestone = true }
            if d.days == 0 || milestone {
                cols["finish"] = .date(start)
            } else if d.workdays {
                // The start is working day 1; the days are the owner's (docs/language.md, “Resources”).
                var owner: Int64?
                if case .integer(let o)? = cols["owner"] { owner = o }
                let calendar = session.personCalendars.calendar(for: owner)
                cols["finish"] = .date(calendar.adding(Int(d.days) - 1, to: calendar.nextWorking(start)))
            } else {
                cols["finish"] = .date(Day(start.number + Int(d.days.rounded(.up)) - 1))
            }
        }
        // A duration that runs past PMQ's last date is refused as date arithmetic past it is.
        if case .date(let f)? = cols["finish"], !f.isInRange, let d = a.duration {
            throw ConstantEvaluator.OutOfRange(range: d.range).error
        }
        if milestone, cols["finish"] == nil, let s = cols["start"] { cols["finish"] = s }
        if milestone, cols["start"] == nil, let f = cols["finish"] { cols["start"] = f }
        cols["milestone"] = .bool(milestone)
        if case .date(let s)? = cols["start"], case .date(let f)? = cols["finish"], f < s {
            throw RuntimeError(code: .datesOutOfOrder, message: "finish \(f.iso) is before start \(s.iso)", range: a.duration?.range ?? a.range(of: "finish"))
        }
        try checkOrder(a, "actual_start", "actual_finish")
        try checkOrder(a, "baseline_start", "baseline_finish")
        // A task of no project is looked up by its code, which needs the tasks table's indexes.
        if project == nil, session.deferredTaskIndexes != nil { try session.endTaskRowsOfStatements() }
        if project == nil, case .integer = try db.scalar(ImportSQL.taskWithoutProject, [.text(wbs)]) {
            throw duplicate(wbs, a)
        }
        let deferred = session.deferredTaskIndexes
        // While the indexes are away (DeferredTaskIndexes), the unique index cannot refuse a
        // code the run has just added: the codes it added are all here.
        if deferred != nil, session.caches.wasAdded(task: wbs, project: project) { throw duplicate(wbs, a) }
        do {
            // On PostgreSQL a refused INSERT aborts the transaction: the clash on (project, wbs)
            // is left out by the INSERT itself (ON CONFLICT DO NOTHING) and found by its count,
            // one round trip. SQLite reports it from the INSERT, and the name is read after.
            let ignoring = project != nil && db.kind == .postgres
            if try insert("tasks", cols, a, ignoringConflict: ignoring) == 0 && ignoring { throw duplicate(wbs, a) }
        } catch let e as StoreError where e.isUniqueViolation {
            // The tasks' one unique key besides the id is (project, wbs).
            throw duplicate(wbs, a)
        }
        let id = db.lastInsertID
        // WBS integrity: a parent code with no task yet is checked again at commit. While the
        // indexes are away the parent is not looked up: the check at commit comes after they are back.
        if let parent = WBS.parent(wbs), !session.caches.wasAdded(task: parent, project: project) {
            if deferred != nil {
                session.orphanCandidates.append((id, wbs, a.range(of: "wbs"), nil))
            } else if try db.scalar(ImportSQL.parentExists, [project.map { .integer($0) } ?? .null, .text(parent)]).isNull {
                session.orphanCandidates.append((id, wbs, a.range(of: "wbs"), nil))
            }
        }
        deferred?.written(id, project: project, range: a.range(of: "wbs"))
        session.caches.added(task: wbs, project: project)
        return ChangeReport(verb: "added", entity: "task", count: 1, detail: milestone ? "\(wbs) (milestone)" : wbs)
    }

    private func duplicate(_ wbs: String, _ a: TAdd) -> RuntimeError {
        AddExecutor.duplicate(wbs, a.range(of: "wbs"), session.db)
    }

    /// `add task`'s refusal of a WBS code its project already has, naming the task that has it.
    static func duplicate(_ wbs: String, _ range: SourceRange, _ db: any Engine) -> RuntimeError {
        var existing = ""
        if case .text(let n) = (try? db.scalar(ImportSQL.nameOfCode, [.text(wbs)])) ?? .null { existing = " (\"\(n)\")" }
        return RuntimeError(code: .duplicate, message: "duplicate WBS code \(wbs): task \(wbs)\(existing) already exists", range: range)
    }

    private func addDependency(_ a: TAdd) throws -> ChangeReport {
        guard let link = a.link, case .text(let p) = link.pred, case .text(let s) = link.succ else {
            throw RuntimeError(code: .unexpectedToken, message: "write a dependency as: add dependency 1.2 -> 1.3", range: a.range)
        }
        let project = session.currentProject
        let pred = try resolve("tasks", p, link.range, project: project)
        let succ = try resolve("tasks", s, link.range, project: project)
        if pred == succ { throw RuntimeError(code: .dependencyCycle, message: "task \(p) cannot depend on itself", range: link.range) }
        try checkLink(pred: pred, succ: succ, (p, s), link.range)
        var cols: [String: Value] = ["pred": .integer(pred), "succ": .integer(succ)]
        for (f, v, _) in a.values where f.column != nil && f.name != "pred" && f.name != "succ" { cols[f.column ?? f.name] = v }
        try insert("dependencies", cols, a)
        return ChangeReport(verb: "added", entity: "dependency", count: 1, detail: "\(p) -> \(s)")
    }

    /// A new link may not close a cycle or repeat one that exists. Links are read as
    /// `schedule` reads them: a link to or from a summary holds for every task below it, so
    /// linking a summary with a task below it is a cycle too.
    private func checkLink(pred: Int64, succ: Int64, _ shown: (String, String), _ range: SourceRange) throws {
        let (p, s) = shown
        let summaryNote = "a link to or from a summary holds for every task below it"
        for (low, high, lowCode, highCode) in [(succ, pred, s, p), (pred, succ, p, s)] {
            if try session.db.scalar(AddSQL.isBelow, [.integer(low), .integer(high)]).isNull { continue }
            throw RuntimeError(code: .dependencyCycle,
                               message: "dependency \(p) -> \(s) would close a cycle: \(lowCode) is below \(highCode), and \(summaryNote)", range: range)
        }
        if case .text(let reached) = try session.db.scalar(AddSQL.cycleThrough, [.integer(pred), .integer(succ)]) {
            let path = try cyclePath(from: succ, reaching: reached)
            let note = reached == p && !path.contains(",") ? "" : " (\(summaryNote))"
            throw RuntimeError(code: .dependencyCycle, message: "dependency \(p) -> \(s) would close a cycle: \(p) -> \(path)\(note)", range: range)
        }
        if case .integer = try session.db.scalar(AddSQL.linkExists, [.integer(pred), .integer(succ)]) {
            throw RuntimeError(code: .duplicate, message: "dependency \(p) -> \(s) already exists", range: range)
        }
    }

    /// One person has a role on a task once: a second identical assignment would count their
    /// load twice (docs/language.md, “Resources”), as a repeated dependency would link twice.
    private func refuseSameAssignment(_ cols: [String: Value], _ a: TAdd) throws {
        guard case .integer(let task)? = cols["task"], case .integer(let person)? = cols["person"] else { return }
        let role = cols["role"].map { ConstantEvaluator.text($0) } ?? "R"
        guard case .integer = try session.db.scalar(AddSQL.assignmentExists, [.integer(task), .integer(person), .text(role)]) else { return }
        let code = ConstantEvaluator.text(try session.db.scalar(AddSQL.codeOfTask, [.integer(task)]))
        let name = ConstantEvaluator.text(a.value("person") ?? .null)
        throw RuntimeError(code: .duplicate, message: "\"\(name)\" already has role \(role) on task \(code)", range: a.range,
                           notes: ["to change the share, update its units: update assignments where task = \(code) and person = \"\(name)\" and role = \(role) set units = 50"])
    }

    /// A finish-to-start link between two tasks known by id (Taskwarrior's `depends`), with
    /// the checks of `add dependency`; the caller journals it.
    func addLink(pred: Int64, succ: Int64, range: SourceRange) throws {
        func wbs(_ id: Int64) throws -> String { ConstantEvaluator.text(try session.db.scalar(AddSQL.codeOfTask, [.integer(id)])) }
        let (p, s) = (try wbs(pred), try wbs(succ))
        if pred == succ { throw RuntimeError(code: .dependencyCycle, message: "task \(p) cannot depend on itself", range: range) }
        try checkLink(pred: pred, succ: succ, (p, s), range)
        _ = try session.db.run(AddSQL.insertLink, [.integer(pred), .integer(succ)])
    }

    /// `add dependency`'s checks of a new link between two tasks known by id (an MS Project
    /// file's): not a task on itself, no cycle (summaries included). False when the pair is
    /// linked already (the caller keeps one link, as the file meant one).
    func checkNewLink(pred: Int64, succ: Int64, shown: (String, String), range: SourceRange) throws -> Bool {
        if pred == succ { throw RuntimeError(code: .dependencyCycle, message: "task \(shown.0) cannot depend on itself", range: range) }
        if case .integer = try session.db.scalar(AddSQL.linkExists, [.integer(pred), .integer(succ)]) { return false }
        try checkLink(pred: pred, succ: succ, shown, range)
        return true
    }

    /// The path of a cycle `cycleThrough` found, from `start` to the task coded `target`, as
    /// its links: `2 -> 1.1`, and `2, 2.3 -> 4` where a link leaves from a task below the
    /// one reached. One statement reads the walk's states; the shortest path is found here.
    private func cyclePath(from start: Int64, reaching target: String) throws -> String {
        struct State: Hashable { var k: Int64; var id: Int64 }
        var previous: [State: State] = [:]
        var code: [Int64: String] = [:]
        var steps: [State: [State]] = [:]
        try session.db.query(AddSQL.walkSteps, [.integer(start)]) { r in
            guard let k = r.integer(0), let id = r.integer(1), let pk = r.integer(2), let pid = r.integer(3) else { return }
            code[id] = ConstantEvaluator.text(r[4])
            steps[State(k: pk, id: pid), default: []].append(State(k: k, id: id))
        }
        // Breadth first from the start: the fewest steps to the task reached.
        let first = State(k: 0, id: start)
        var queue = [first], head = 0
        var seen: Set<State> = [first]
        var end: State?
        while head < queue.count, end == nil {
            let x = queue[head]; head += 1
            for y in steps[x] ?? [] where seen.insert(y).inserted {
                previous[y] = x
                if y.k == 1, code[y.id] == target { end = y; break }
                queue.append(y)
            }
        }
        var chain: [State] = []
        var at = end
        while let x = at { chain.insert(x, at: 0); at = previous[x] }
        // The links along it: a step out (k 2 or 3) followed by one in (k 1).
        var text = code[start] ?? "?"
        var last = start
        for (a, b) in zip(chain, chain.dropFirst()) where a.k >= 2 && b.k == 1 {
            text += a.id == last ? " -> " : ", \(code[a.id] ?? "?") -> "
            text += code[b.id] ?? "?"
            last = b.id
        }
        return text
    }

    private func fillCost(_ a: TAdd, _ cols: inout [String: Value]) throws {
        // Day labour: a person's own day rate applies when no rate is given.
        if cols["rate"] == nil, case .integer(let person)? = cols["person"],
           case let rate = try session.db.scalar(AddSQL.rateOfPerson, [.integer(person)]), !rate.isNull {
            cols["rate"] = rate
        }
        if cols["amount"] == nil, let q = cols["qty"]?.number, let r = cols["rate"]?.number {
            cols["amount"] = .decimal(q * r)
        }
        if cols["project"] == nil, case .integer(let task)? = cols["task"] {
            cols["project"] = try session.db.scalar(AddSQL.projectOfTask, [.integer(task)])
        }
    }

    /// Inserts one row; the number of rows added (0 only when `ignoringConflict` and a unique
    /// key clashed: `INSERT OR IGNORE`, PostgreSQL's ON CONFLICT DO NOTHING).
    @discardableResult
    private func insert(_ table: String, _ cols: [String: Value], _ a: TAdd, ignoringConflict: Bool = false) throws -> Int {
        // Column names come from the catalog (the keys), values are bound. The text is kept
        // per set of columns: a data load inserts the same shape a million times, so the last
        // shape is tried first, its columns looked up in the row, before any sorting, joining
        // or hashing of the column list.
        if let last = session.caches.lastInsert(into: table, ignoring: ignoringConflict, count: cols.count) {
            var args: [Value] = []
            args.reserveCapacity(cols.count)
            for c in last.columns {
                guard let v = cols[c] else { break }
                args.append(v)
            }
            if args.count == cols.count { return try insertRow(last.sql, args, table, a) }
        }
        let names = cols.keys.sorted()
        let sql = session.caches.insertSQL(into: table, names, ignoring: ignoringConflict) {
            AddSQL.insert(into: table, names, ignoringConflict: ignoringConflict)
        }
        return try insertRow(sql, names.map { cols[$0] ?? .null }, table, a)
    }

    /// Runs the INSERT; a clash on another table's unique key is refused as `add` refuses it.
    private func insertRow(_ sql: String, _ args: [Value], _ table: String, _ a: TAdd) throws -> Int {
        do {
            return try session.db.run(sql, args)
        } catch let e as StoreError where e.isUniqueViolation && table != "tasks" {
            // The engine says which kind of rule failed; the table has one unique key besides its
            // id (StoreTests checks it): the entity's key, or for a link the values that make it one.
            if let key = a.entity.key, let v = a.value(key) {
                throw RuntimeError(code: .duplicate, message: "\(a.entity.singular) \"\(ConstantEvaluator.text(v))\" already exists", range: a.range(of: key))
            }
            // A link (change_tasks): named by the values that make it one.
            let given = a.entity.fields.filter(\.required).compactMap { f in a.value(f.name).map { v -> String in
                // Keys are quoted as they are written, except WBS codes.
                if case .reference(let target) = f.type, target != "tasks" { return "\(f.name) \"\(ConstantEvaluator.text(v))\"" }
                return "\(f.name) \(ConstantEvaluator.text(v))"
            } }
            throw RuntimeError(code: .duplicate, message: "the same \(a.entity.singular) already exists (\(given.joined(separator: ", ")))", range: a.range)
        }
    }
}

/// WBS codes: validity, the parent's code and a key that sorts `1.2` before `1.10`.
enum WBS {
    static func isValid(_ s: String) -> Bool {
        // ASCII codes (nearly all) by their bytes: letters, digits, _ and - between dots.
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            var segment = 0
            for b in s.utf8 {
                if b == 46 { if segment == 0 { return false }; segment = 0; continue }
                guard (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 122) || b == 95 || b == 45 else { return false }
                segment += 1
            }
            return segment > 0
        }
        return !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { seg in
            !seg.isEmpty && seg.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        }
    }

    static func parent(_ s: String) -> String? {
        // An ASCII code by its bytes (a `Character` search breaks graphemes: about 900
        // instructions a row of an import; BENCHMARKS.md, “Issue 14, tenth pass”).
        let utf8 = s.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            guard let dot = utf8.lastIndex(of: 46) else { return nil }
            return String(s[..<dot])
        }
        guard let dot = s.lastIndex(of: ".") else { return nil }
        return String(s[..<dot])
    }

    /// `sortKey(a) < sortKey(b)`, without making the keys when both codes are digits and dots
    /// with at most nine digits a segment (nearly every code): then the keys' order is the
    /// segments' numeric order, a code before the codes it is a prefix of.
    static func precedes(_ a: String, _ b: String) -> Bool {
        if let r = numericOrder(a, b) { return r }
        return sortKey(a) < sortKey(b)
    }

    private static func numericOrder(_ a: String, _ b: String) -> Bool? {
        var x = a.utf8.makeIterator(), y = b.utf8.makeIterator()
        while true {
            guard let (u, moreA) = segment(&x), let (v, moreB) = segment(&y) else { return nil }
            if u != v { return u < v }
            if !moreA || !moreB { return !moreA && moreB }
        }
    }

    /// The next segment's number and whether a dot follows it; nil: not a short numeric segment.
    private static func segment(_ it: inout String.UTF8View.Iterator) -> (Int, Bool)? {
        var value = 0, digits = 0
        while let c = it.next() {
            if c == 46 { return digits > 0 ? (value, true) : nil }
            guard c >= 48, c <= 57, digits < 9 else { return nil }
            value = value * 10 + Int(c - 48)
            digits += 1
        }
        return digits > 0 ? (value, false) : nil
    }

    /// Numeric segments are zero-padded to ten digits, so text order is natural order.
    static func sortKey(_ s: String) -> String {
        if let key = asciiSortKey(s) { return key }
        return s.split(separator: ".", omittingEmptySubsequences: false).map { seg -> String in
            guard !seg.isEmpty, seg.allSatisfy({ $0.isASCII && $0.isNumber }) else { return String(seg) }
            let trimmed = seg.drop { $0 == "0" }
            let digits = trimmed.isEmpty ? "0" : String(trimmed)
            return digits.count >= 10 ? digits : String(repeating: "0", count: 10 - digits.count) + digits
        }.joined(separator: ".")
    }

    /// `sortKey` of an ASCII code, byte by byte (nil: not ASCII, take the general way),
    /// written straight into the String's own storage: no array of the code's bytes nor of
    /// the key's (about 2,600 instructions a row of an import; BENCHMARKS.md, “Issue 14,
    /// tenth pass”). A segment of digits is padded to ten with zeros after its own leading
    /// zeros are dropped (all zeros: `0`); any other segment is kept as written.
    private static func asciiSortKey(_ s: String) -> String? {
        var code = s
        return code.withUTF8 { bytes -> String? in
            var segments = 1
            for b in bytes {
                if b >= 0x80 { return nil }
                if b == 46 { segments += 1 }
            }
            let n = bytes.count
            // A segment of L bytes takes at most max(L, 10).
            return String(unsafeUninitializedCapacity: n + 10 * segments) { out in
                var o = 0, i = 0
                while true {
                    var end = i
                    while end < n, bytes[end] != 46 { end += 1 }
                    var digitsOnly = end > i
                    var k = i
                    while k < end { if bytes[k] < 48 || bytes[k] > 57 { digitsOnly = false; break }; k += 1 }
                    var from = i
                    if digitsOnly {
                        while from < end, bytes[from] == 48 { from += 1 }
                        let digits = from == end ? 1 : end - from
                        var pad = 10 - digits
                        while pad > 0 { out[o] = 48; o += 1; pad -= 1 }
                        if from == end { out[o] = 48; o += 1 }
                    }
                    while from < end { out[o] = bytes[from]; o += 1; from += 1 }
                    if end >= n { break }
                    out[o] = 46; o += 1
                    i = end + 1
                }
                return o
            }
        }
    }
}

import Foundation
