import Foundation

/// `export <query of tasks> to "F.json" as taskwarrior`: the tasks as `task import` reads
/// them, mapped as `Taskwarrior` says: a JSON array with one task a line, in the query's
/// order. `depends` names only tasks that are in the file too; empty attributes are left
/// out (Taskwarrior would read an empty `tags` written as null as a tag "null").
struct TaskwarriorExporter {
    let session: SessionContext

    func json(of ids: [Int64]) throws -> (text: String, tasks: Int) {
        let db = session.db
        let idList = Value.text("[" + ids.map(String.init).joined(separator: ",") + "]")
        var rows: [Int64: [Value]] = [:]
        // One statement for the rows and one for the links; the ids are bound as a JSON array.
        try db.query(TaskwarriorSQL.exportedTasks(db.dialect), [idList]) { s in
            if case .integer(let id) = s[0] { rows[id] = (1...11).map { s[$0] } }
        }
        var uuids: [Int64: String] = [:]
        for (id, r) in rows {
            if case .text(let u) = r[10] { uuids[id] = u } else {
                let code: String? = if case .text(let c) = r[1] { c } else { nil }
                uuids[id] = Taskwarrior.derivedUUID(project: code, wbs: ConstantEvaluator.text(r[2]))
            }
        }
        var depends: [Int64: [String]] = [:]
        try db.query(TaskwarriorSQL.exportedLinks(db.dialect), [idList]) { s in
            if case .integer(let p) = s[0], case .integer(let t) = s[1], let u = uuids[p] { depends[t, default: []].append(u) }
        }

        var lines: [String] = []
        for id in ids {
            guard let r = rows[id], let uuid = uuids[id] else { continue }
            func day(_ v: Value) -> Day? { if case .integer(let n) = v { return Day(Int(n)) }; return nil }
            let status = ConstantEvaluator.text(r[3])
            let tw = Taskwarrior.twStatus(status)
            var fields: [(String, String)] = [("uuid", jsonString(uuid)), ("description", jsonString(ConstantEvaluator.text(r[0])))]
            fields.append(("status", jsonString(tw)))
            if case .text(let code) = r[1] { fields.append(("project", jsonString(code))) }
            // Taskwarrior wants the day a task was entered: its start, else the day of the export.
            fields.append(("entry", jsonString(Taskwarrior.timestamp(day(r[4]) ?? session.today))))
            if let d = day(r[4]) { fields.append(("scheduled", jsonString(Taskwarrior.timestamp(d)))) }
            if let d = day(r[5]) { fields.append(("due", jsonString(Taskwarrior.timestamp(d)))) }
            // `start` marks an active task; a finished one keeps when it started.
            if status == "doing" {
                fields.append(("start", jsonString(Taskwarrior.timestamp(day(r[6]) ?? day(r[4]) ?? session.today))))
            } else if let d = day(r[6]), status != "todo" {
                fields.append(("start", jsonString(Taskwarrior.timestamp(d))))
            }
            if tw != "pending" {
                // Taskwarrior needs an end for completed and deleted tasks.
                fields.append(("end", jsonString(Taskwarrior.timestamp(day(r[7]) ?? day(r[5]) ?? session.today))))
            }
            if let p = Taskwarrior.twPriority(ConstantEvaluator.text(r[8])) { fields.append(("priority", jsonString(p))) }
            if case .text(let t) = r[9] {
                let tags = decodeList(t)
                if !tags.isEmpty { fields.append(("tags", "[" + tags.map(jsonString).joined(separator: ",") + "]")) }
            }
            if let deps = depends[id], !deps.isEmpty { fields.append(("depends", "[" + deps.map(jsonString).joined(separator: ",") + "]")) }
            lines.append("{" + fields.map { "\(jsonString($0.0)):\($0.1)" }.joined(separator: ",") + "}")
        }
        return ("[\n" + lines.joined(separator: ",\n") + (lines.isEmpty ? "" : "\n") + "]\n", lines.count)
    }
}
