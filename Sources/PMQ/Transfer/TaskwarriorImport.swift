import Foundation

/// `import "F.json" into tasks from taskwarrior`: the tasks of `task export` (a JSON array,
/// or one object a line as `rc.json.array=off` writes), mapped as `Taskwarrior` says. Each
/// task goes through `add`'s rules; a project that does not exist yet is added; `depends`
/// become links once every task is in. The first bad value stops the import with an error
/// at `F.json:LINE:COLUMN` and the run keeps nothing; a good import is one change set.
struct TaskwarriorImporter {
    let session: SessionContext
    let shownPath: String
    let path: String
    let range: SourceRange

    /// A bad value: the message and the attribute it is in (nil: the whole task).
    private struct Bad: Error { var message: String; var key: String?; var notes: [String] = [] }

    /// One task of the file, as read.
    private struct Record {
        var object: [String: Any]
        /// Its index in the array, or its line (JSON lines).
        var index: Int
    }

    func run() throws -> ChangeReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError(code: .cannotRead, message: "cannot read \(shownPath)", range: range)
        }
        let file = SourceFile(name: shownPath, text: String(decoding: data, as: UTF8.self))
        let (records, lines) = try read(data, file)
        let progress = session.progress(label: "importing \(URL(fileURLWithPath: shownPath).lastPathComponent)", totalRows: records.count)
        var byUUID: [String: Int64] = [:]
        var depends: [(record: Record, id: Int64, uuids: [String])] = []
        var nextWBS: [Int64?: Int] = [:]
        var newProjects = 0
        let ids = try session.projectIDs()
        let home: DefaultProject = session.currentProject.map { .project($0) } ?? (ids.count <= 1 ? .project(ids.first) : .ambiguous(ids.count))
        var current: Record?
        do {
            // Tasks without a project first: when there was no project before, they stay
            // without one (as `add task` leaves them), before the file's projects are made.
            let hasProject = { (r: Record) in !((r.object["project"] as? String) ?? "").isEmpty }
            for (n, r) in (records.filter { !hasProject($0) } + records.filter(hasProject)).enumerated() {
                current = r
                try session.step()
                let (id, uuid, deps, madeProject) = try add(r, home, &nextWBS, byUUID)
                if madeProject { newProjects += 1 }
                if let uuid { byUUID[uuid] = id }
                if !deps.isEmpty { depends.append((r, id, deps)) }
                progress?.advance(n + 1)
            }
            for (r, id, uuids) in depends {
                current = r
                try link(id, uuids, byUUID)
            }
        } catch let b as Bad {
            progress?.finish()
            throw located(b.message, b.notes, file, current, lines: lines, key: b.key)
        } catch let e as RuntimeError where e.source == nil && e.id != .io && e.id != .runtime {
            // A refusal from `add`'s rules: its range names the attribute (see `add`).
            progress?.finish()
            let k = e.range.start - 1
            throw located(e.message, e.notes, file, current, lines: lines, key: k >= 0 && k < Taskwarrior.attributes.count ? Taskwarrior.attributes[k] : nil)
        }
        progress?.finish()
        if newProjects > 0 { session.caches.forgetProjects() }
        return ChangeReport(verb: "imported", entity: "task", count: records.count, detail: nil,
                            note: newProjects > 0 ? "\(newProjects) new project\(newProjects == 1 ? "" : "s")" : nil)
    }

    // MARK: - Reading

    /// The file's tasks: a JSON array of objects, or one object a line. `lines` says which.
    private func read(_ data: Data, _ file: SourceFile) throws -> (records: [Record], lines: Bool) {
        let first = file.bytes.first { ![32, 9, 10, 13, 0xEF, 0xBB, 0xBF].contains($0) }
        if first == nil { return ([], false) }   // an empty export: nothing to import
        func fail(_ message: String, line: Int) -> RuntimeError {
            var e = RuntimeError(code: .invalidValue, message: message, range: DataLocator.cell(in: file, line: line, column: nil, delimiter: 0),
                                 notes: ["Taskwarrior writes it with: task export > tasks.json"])
            e.source = file
            return e
        }
        if first == UInt8(ascii: "[") {
            guard let array = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
                throw fail("not Taskwarrior's JSON: the file is not a JSON array of tasks", line: 1)
            }
            var out: [Record] = []
            for (i, item) in array.enumerated() {
                guard let object = item as? [String: Any] else {
                    var e = RuntimeError(code: .unsupportedFile, message: "task \(i + 1) is not a JSON object", range: TaskwarriorImporter.arrayElement(in: file, index: i))
                    e.source = file
                    throw e
                }
                out.append(Record(object: object, index: i))
            }
            return (out, false)
        }
        // One object a line (rc.json.array=off, and Taskwarrior 2's default).
        var out: [Record] = []
        for (i, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw fail("not Taskwarrior's JSON: line \(i + 1) is not a JSON object (a task)", line: i + 1)
            }
            out.append(Record(object: object, index: i + 1))
        }
        return (out, true)
    }

    // MARK: - One task

    /// Adds the task; returns its id, its uuid, the uuids it depends on and whether a
    /// project was made for it.
    private func add(_ r: Record, _ home: DefaultProject, _ nextWBS: inout [Int64?: Int], _ seen: [String: Int64]) throws -> (Int64, String?, [String], Bool) {
        guard let entity = session.schema.entity(named: "tasks") else { throw Bad(message: "no tasks entity", key: nil) }
        let o = r.object
        func text(_ key: String) throws -> String? {
            guard let v = o[key], !(v is NSNull) else { return nil }
            guard let s = v as? String else { throw Bad(message: "\(key) must be text, not \(shown(v))", key: key) }
            return s
        }
        func date(_ key: String) throws -> Day? {
            guard let s = try text(key), !s.isEmpty else { return nil }
            guard let d = Taskwarrior.day(s), d.isInRange else {
                throw Bad(message: "\(key) \(shown(s)) is not a date", key: key, notes: ["Taskwarrior writes dates like 20261130T000000Z"])
            }
            return d
        }
        func list(_ key: String) throws -> [String] {
            guard let v = o[key], !(v is NSNull) else { return [] }
            if let s = v as? String { return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            guard let xs = v as? [Any], let strings = xs as? [String] else { throw Bad(message: "\(key) must be a list of text, not \(shown(v))", key: key) }
            return strings
        }
        /// Where a value sits in the TAdd: the attribute's index + 1, mapped back on a refusal.
        func at(_ key: String) -> SourceRange {
            let i = Taskwarrior.attributes.firstIndex(of: key) ?? -1
            return SourceRange(i + 1, i + 2)
        }

        var uuid: String?
        if let u = try text("uuid") {
            guard Taskwarrior.isUUID(u) else { throw Bad(message: "uuid \(shown(u)) is not a uuid", key: "uuid", notes: ["a uuid is 32 hex digits like a360fc44-315c-4366-b70c-ea7e7520b749"]) }
            let key = u.lowercased()
            if seen[key] != nil { throw Bad(message: "uuid \(key) is given to two tasks in this file", key: "uuid") }
            if case .text(let where_) = try session.db.scalar(TaskwarriorSQL.taskNamedByUUID, [.text(key)]) {
                throw Bad(message: "uuid \(key) was imported before: it is task \(where_)", key: "uuid", notes: ["import a file once; delete the task first to import it again"])
            }
            uuid = key
        }
        guard let description = try text("description"), !description.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Bad(message: "a task needs a description: this one has none", key: o["description"] == nil ? nil : "description")
        }
        let twStatus = try text("status") ?? "pending"
        let started = try date("start")
        guard let status = Taskwarrior.pmqStatus(twStatus, started: started != nil) else {
            throw Bad(message: "unknown status \(shown(twStatus)); Taskwarrior's are: \(Taskwarrior.statuses.joined(separator: ", "))", key: "status")
        }
        var priority: String?
        if let p = try text("priority"), !p.isEmpty {
            guard let pp = Taskwarrior.pmqPriority(p) else { throw Bad(message: "unknown priority \(shown(p)); Taskwarrior's are H, M and L", key: "priority") }
            priority = pp
        }
        let tags = try list("tags")
        let depends = try list("depends").map { $0.lowercased() }
        for d in depends where !Taskwarrior.isUUID(d) {
            throw Bad(message: "depends names \(shown(d)), which is not a uuid", key: "depends")
        }

        // The project: its code, added when there is none yet.
        var madeProject = false
        var project: Int64?
        if let code = try text("project"), !code.isEmpty {
            if case .integer(let id) = try session.db.scalar(AddSQL.projectByCode, [.text(code)]) {
                project = id
            } else if let projects = session.schema.entity(named: "projects"), let codeField = projects.field("code") {
                let a = TAdd(entity: projects, milestone: false, values: [(codeField, .text(code), at("project"))], link: nil, duration: nil, range: at("project"))
                _ = try AddExecutor(session: session).run(a)
                project = session.db.lastInsertID
                try session.journal.added("projects", project ?? 0)
                session.caches.forgetProjects()
                madeProject = true
            }
        } else {
            project = try defaultProject(home)
        }
        // A WBS code: the next top-level number in the project, in file order.
        let wbs: Int
        if let n = nextWBS[project] { wbs = n } else {
            let top = try session.db.scalar(TaskwarriorSQL.lastTopWBS,
                                            [project.map { .integer($0) } ?? .null])
            wbs = Int(top.number ?? 0) + 1
        }
        nextWBS[project] = wbs + 1

        var values: [(field: FieldDef, value: Value, range: SourceRange)] = []
        func put(_ name: String, _ v: Value?, _ key: String) {
            guard let v, let f = entity.field(name) else { return }
            values.append((f, v, at(key)))
        }
        put("name", .text(description), "description")
        put("wbs", .text(String(wbs)), "")   // no attribute: a clash names the task
        if let project, case .text(let code) = try session.db.scalar(AddSQL.codeOfProject, [.integer(project)]) {
            put("project", .reference(code), "project")
        }
        put("status", .text(status), "status")
        put("start", try date("scheduled").map(Value.date), "scheduled")
        put("finish", try date("due").map(Value.date), "due")
        put("actual_start", started.map(Value.date), "start")
        if status == "done" || status == "cancelled" { put("actual_finish", try date("end").map(Value.date), "end") }
        if status == "done" { put("progress", .decimal(100), "status") }
        put("priority", priority.map(Value.text), "priority")
        if !tags.isEmpty { put("tags", .list(tags), "tags") }
        let a = TAdd(entity: entity, milestone: false, values: values, link: nil, duration: nil, range: SourceRange(0, 0))
        _ = try AddExecutor(session: session).run(a)
        let id = session.db.lastInsertID
        try session.journal.added("tasks", id)
        if let uuid { _ = try session.db.run(TaskwarriorSQL.rememberUUID, [.integer(id), .text(uuid)]) }
        return (id, uuid, depends, madeProject)
    }

    /// Where a task without a project goes, decided before the import adds any: the
    /// project `use`d, or the only one there was (none when there was none, as `add task`).
    private enum DefaultProject { case project(Int64?), ambiguous(Int) }

    private func defaultProject(_ d: DefaultProject) throws -> Int64? {
        switch d {
        case .project(let p): return p
        case .ambiguous(let n):
            throw Bad(message: "this task has no project and there are \(n) projects: choose one first with use project \"CODE\"", key: nil)
        }
    }

    /// `depends`: a finish-to-start link from each task named to this one.
    private func link(_ id: Int64, _ uuids: [String], _ byUUID: [String: Int64]) throws {
        var done: Set<Int64> = []
        for u in uuids {
            var pred = byUUID[u]
            if pred == nil, case .integer(let known) = try session.db.scalar(TaskwarriorSQL.taskOfUUID, [.text(u)]) { pred = known }
            guard let pred else {
                throw Bad(message: "depends on \(u), a task that is neither in this file nor imported before", key: "depends")
            }
            guard done.insert(pred).inserted else { continue }
            do {
                try AddExecutor(session: session).addLink(pred: pred, succ: id, range: SourceRange(0, 0))
            } catch let e as RuntimeError where e.source == nil && e.id != .io && e.id != .runtime {
                throw Bad(message: e.message, key: "depends", notes: e.notes)
            }
            try session.journal.added("dependencies", session.db.lastInsertID)
        }
    }

    // MARK: - Locating

    private func shown(_ v: Any) -> String {
        if let s = v as? String { return jsonString(s) }
        if v is NSNull { return "null" }
        if let data = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed]) { return String(decoding: data, as: UTF8.self) }
        return "\(v)"
    }

    /// A diagnostic at the task's value of `key` (the task itself when nil or absent).
    private func located(_ message: String, _ notes: [String], _ file: SourceFile, _ r: Record?, lines: Bool, key: String?) -> RuntimeError {
        let key = key.flatMap { k in r?.object[k] != nil ? k : nil }
        var at = SourceRange(0, 0)
        if let r {
            if lines {
                at = TaskwarriorImporter.lineValue(in: file, line: r.index, key: key)
            } else {
                at = DataLocator.jsonValue(in: file, object: r.index, key: key)
            }
        }
        var e = RuntimeError(code: .invalidValue, message: message, range: at, notes: notes)
        e.source = file
        return e
    }

    /// Element `index` (0-based) of the file's top-level JSON array, whatever its kind.
    static func arrayElement(in file: SourceFile, index: Int) -> SourceRange {
        let bytes = file.bytes
        var depth = 0, element = 0, i = 0
        var start: Int?
        while i < bytes.count {
            let b = bytes[i]
            if depth == 1, element == index, start == nil, ![32, 9, 10, 13, 44].contains(b) { start = i }
            if b == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { break }
            } else if b == 44, depth == 1 {
                if let s = start { return SourceRange(s, i) }
                element += 1
            }
            i += 1
        }
        if let s = start {
            var end = min(i, bytes.count)
            while end > s, [32, 9, 10, 13].contains(bytes[end - 1]) { end -= 1 }
            return SourceRange(s, max(end, s + 1))
        }
        return SourceRange(0, min(1, bytes.count))
    }

    /// In a file of one object a line: the value of `key` on `line`, or the line's first brace.
    static func lineValue(in file: SourceFile, line: Int, key: String?) -> SourceRange {
        let bytes = file.bytes
        let start = file.offset(ofLine: line)
        var end = start
        while end < bytes.count, bytes[end] != 10 { end += 1 }
        var brace = start
        while brace < end, bytes[brace] != UInt8(ascii: "{") { brace += 1 }
        guard let key else { return SourceRange(brace, min(brace + 1, end)) }
        let needle = Array(jsonString(key).utf8)
        var i = start
        while i + needle.count <= end {
            if Array(bytes[i..<(i + needle.count)]) == needle {
                var v = i + needle.count
                while v < end, bytes[v] == 32 || bytes[v] == 58 || bytes[v] == 9 { v += 1 }
                var e = v
                if e < end, bytes[e] == UInt8(ascii: "\"") {
                    e += 1
                    while e < end, bytes[e] != UInt8(ascii: "\"") { e += bytes[e] == UInt8(ascii: "\\") ? 2 : 1 }
                    e = min(e + 1, end)
                } else if e < end, bytes[e] == UInt8(ascii: "[") {
                    while e < end, bytes[e] != UInt8(ascii: "]") { e += 1 }
                    e = min(e + 1, end)
                } else {
                    while e < end, ![44, 125].contains(bytes[e]) { e += 1 }
                }
                return SourceRange(v, e)
            }
            i += 1
        }
        return SourceRange(brace, min(brace + 1, end))
    }
}
