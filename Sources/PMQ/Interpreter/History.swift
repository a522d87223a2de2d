/// `history`, `history of TASK`, `undo`, and the row-level diff of a dry run.
struct History {
    let session: SessionContext
    private var db: any Engine { session.db }
    /// The journal's values and keys as text, in this engine's SQL.
    private var journal: JournalSQL { JournalSQL(schema: session.schema, dialect: db.dialect) }

    /// Change sets newest first, or one row's own changes (rows named by key, values as
    /// the field's type reads, never internal ids).
    func list(row: (entity: EntityDef, key: Value)?, _ range: SourceRange) throws -> StatementResult {
        if let (entity, key) = row {
            guard let id = try session.resolveKey(entity, key, range) else {
                throw RuntimeError(code: .missingValue, message: "history of needs a \(entity.singular)", range: range)
            }
            var rows: [[Value]] = []
            // The row's entries and the add of a range holding it, by index (JournalSQL.rowEntryIDs).
            try db.query(journal.rowHistory(), [.integer(id), .text(entity.table)]) { s in
                rows.append([s[0], s[6], s[2], s[3], s[4], s[5],
                             ResultColumn.Kind.date.convert(s[1])])
            }
            // The columns of version 1 first, then the day each change set was booked on.
            let names: [(String, ResultColumn.Kind)] = [("change", .number), ("at", .text), ("user", .text), ("field", .text), ("old", .text), ("new", .text), ("booked", .date)]
            return .rows(columns: names.map { ResultColumn(name: $0.0, kind: $0.1) }, rows: rows, single: false)
        }
        var rows: [[Value]] = []
        try db.query(JournalSQL.changeSets) { s in
            let all = (0..<7).map { s[Int32($0)] }
            // The columns of version 1 first, then the day the set was booked on.
            var row = [all[0], all[2], all[3], all[4], all[5], all[6], ResultColumn.Kind.date.convert(all[1])]
            // A script's text is kept whole; the listing shows its first line.
            if case .text(let statement) = row[3] {
                let first = statement.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
                let short = first.count > 60 ? String(first.prefix(59)) + "…" : first
                row[3] = .text(short + (statement.contains("\n") && short == first ? " …" : ""))
            }
            rows.append(row)
        }
        let names: [(String, ResultColumn.Kind)] = [("change", .number), ("at", .text), ("user", .text), ("statement", .text),
                                                    ("changes", .number), ("undone_by", .number), ("booked", .date)]
        return .rows(columns: names.map { ResultColumn(name: $0.0, kind: $0.1) }, rows: rows, single: false)
    }

    /// A stored value as the field's type reads: dates as dates, references by key (of a
    /// deleted row too, from the entry that deleted it).
    func display(_ table: String, _ field: String, _ raw: Value) -> Value {
        if raw.isNull { return .null }
        guard let entity = session.schema.entity(table: table), let f = entity.field(column: field) else { return raw }
        if case .reference(let target) = f.type, let def = session.schema.plural(target) {
            let k = (try? db.scalar(journal.keyOf(def.table, depth: 1), [raw])) ?? .null
            return k.isNull ? raw : .reference(ConstantEvaluator.text(k))
        }
        let kind = ResultColumn.Kind(PType(f.type))
        // PostgreSQL's journal keeps every value as text: a number, date, duration or flag
        // reads back as the number it was stored as, so the diff shows it as on SQLite.
        if case .text(let t) = raw, [.number, .date, .duration, .bool].contains(kind),
           let n = Int64(t).map(Value.integer) ?? Double(t).map(Value.decimal) {
            return kind.convert(n)
        }
        return kind.convert(raw)
    }

    // MARK: - undo

    /// `undo` reverts the newest change set that is neither undone nor an undo itself, so
    /// repeated undos walk back; `redo` reverts the newest undo. Refused when a row has
    /// changed since, outside that set.
    func undo(_ range: SourceRange, redo: Bool = false) throws -> ChangeReport {
        if let current = session.journal.currentSet,
           case .integer = try db.scalar(JournalSQL.setHasEntries, [.integer(current)]) {
            throw RuntimeError(code: .cannotUndo, message: "\(redo ? "redo" : "undo") works on committed changes, and this \(session.inShellTransaction ? "transaction" : "script") has changed things already",
                               range: range, notes: [session.inShellTransaction ? "commit or rollback first, then \(redo ? "redo" : "undo")" : "run \(redo ? "redo" : "undo") on its own"])
        }
        // undo: the newest change (or redo) not undone yet. redo: the newest undo not
        // undone yet, as long as no new change came after it (a new change ends the redo chain).
        // Whoever booked it, on a file (shared or not) as on a server: the engines agree (W23).
        let sql = redo ? JournalSQL.redoTarget : JournalSQL.undoTarget
        guard case .integer(let target) = try db.scalar(sql, [session.journal.currentSet.map { .integer($0) } ?? .null]) else {
            throw RuntimeError(code: .cannotUndo, message: redo ? "nothing to redo" : "nothing to undo", range: range)
        }
        var entries: [(table: String, row: Int64, field: String, old: Value, new: Value)] = []
        try db.query(JournalSQL.entriesOfSetNewestFirst, [.integer(target)]) { s in
            if case .text(let t) = s[0], case .integer(let r) = s[1], case .text(let f) = s[2] {
                entries.append((t, r, f, s[3], s[4]))
            }
        }
        // The journal is data in a file anyone can edit: its table and column names reach SQL
        // only when they are PMQ's own, so a doctored row is refused instead of run.
        for e in entries {
            guard History.journaledTables.contains(e.table) else {
                throw RuntimeError(code: .cannotUndo, message: "cannot \(redo ? "redo" : "undo") change \(target): the journal names an unknown table \"\(e.table)\"", range: range)
            }
            if e.field != "+" && e.field != "-" && !History.isPlainIdentifier(e.field) {
                throw RuntimeError(code: .cannotUndo, message: "cannot \(redo ? "redo" : "undo") change \(target): the journal names an unknown field \"\(e.field)\"", range: range)
            }
        }
        let set = try session.journal.set()
        var changes = 0
        var restoredFields: [CustomField] = []
        for e in entries {
            let entity = session.schema.entity(table: e.table)
            let rowName = entity.flatMap { try? session.describe($0, e.row) } ?? "\(e.table) #\(e.row)"
            switch e.field {
            case "+" where e.table == "pmq_fields":
                // Undoing `add field` drops it again, journaling any values it has by now.
                try FieldStore.drop(id: e.row, session: session)
                changes += 1
            case "+":
                let last = History.rangeEnd(e.new, from: e.row)
                try session.journal.recordRemoval(set, e.table, where: JournalSQL.idRange, [.integer(e.row), .integer(last)])
                changes += try db.run(JournalSQL.deleteRange(e.table), [.integer(e.row), .integer(last)])
            case "-":
                guard case .text(let json) = e.old else { continue }
                let cols = try session.journal.columns(of: e.table)
                if let bad = cols.first(where: { !History.isPlainIdentifier($0) }) {
                    throw RuntimeError(code: .cannotUndo, message: "cannot \(redo ? "redo" : "undo") change \(target): \(e.table) has an unknown column \"\(bad)\"", range: range)
                }
                do {
                    try db.run(journal.restoreRow(e.table, columns: cols), [.text(json)])
                } catch {
                    throw RuntimeError(code: .cannotUndo, message: "cannot \(redo ? "redo" : "undo"): \(rowName) cannot be restored (\(error))", range: range)
                }
                // Undoing `drop field` brings its column back; the entries undone next restore its values.
                if e.table == "pmq_fields", let field = try FieldStore.restoreColumn(id: e.row, session: session) {
                    restoredFields.append(field)
                }
                try session.journal.record(set, e.table, e.row, "+", old: .null, new: .integer(e.row))
                changes += 1
            default:
                let columns = try session.journal.columns(of: e.table)
                guard columns.contains(e.field) else { continue }
                // Compared by SQL, where 26 IS 26.0: a REAL column keeps an integer the journal wrote as such.
                let unchanged = try db.scalar(JournalSQL.fieldStillIs(e.table, e.field), [.integer(e.row), e.new])
                if unchanged.isNull {
                    let current = try db.scalar(JournalSQL.fieldValue(e.table, e.field), [.integer(e.row)])
                    throw RuntimeError(code: .cannotUndo, message: "cannot \(redo ? "redo" : "undo") change \(target): \(rowName) \(e.field) has changed since (it is now \(ConstantEvaluator.text(display(e.table, e.field, current))))",
                                       range: range, notes: ["undo reverts only what nothing later has touched"])
                }
                try db.run(JournalSQL.setField(e.table, e.field), [e.old, .integer(e.row)])
                try session.journal.record(set, e.table, e.row, e.field, old: e.new, new: e.old)
                changes += 1
            }
        }
        // The restored fields' indexes are built once their values are back, then versions resume.
        if !restoredFields.isEmpty { try FieldStore.resume(restoredFields, session: session) }
        // A title brought back that another row has taken since is refused, as `add` refuses it (UniqueTitles).
        for e in entries where UniqueTitles.tables.contains(e.table) && (e.field == "-" || e.field == "title") {
            guard let entity = session.schema.entity(table: e.table), let key = entity.key else { continue }
            if case .text(let t) = try db.scalar(AddSQL.keyShared(table: e.table, key: key), [.integer(e.row)]) {
                throw RuntimeError(code: .cannotUndo, message: "cannot \(redo ? "redo" : "undo") change \(target): it would bring back \(entity.singular) \"\(t)\", and another \(entity.singular) has that title now",
                                   range: range, notes: ["rename the other one first: update \(entity.plural) where title = \"\(t)\" set title = \"...\""])
            }
        }
        try db.run(JournalSQL.markUndone, [.integer(set), .integer(target)])
        try db.run(JournalSQL.labelSet,
                   [.text("\(redo ? "redo" : "undo") of change \(target)"), .text(redo ? "redo" : "undo"), .integer(set)])
        return ChangeReport(verb: redo ? "redid" : "undid", entity: "change", count: changes, detail: nil, object: "change \(target)")
    }

    /// The tables PMQ journals: the catalog's and its own bookkeeping tables.
    static let journaledTables: Set<String> = Set(Catalog.entities.map(\.table)).union(["dependencies", "assignments", "saved_queries", "holidays", "pmq_fields"])

    /// A name SQL can take as it is: lowercase letters, digits and underscores.
    static func isPlainIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, first >= 97 && first <= 122 || first == 95 else { return false }
        return s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    /// The last id of a journaled range of added rows (`+` entries: first id in row_id, last in
    /// new_value). PostgreSQL's journal keeps values as text, so the number may come back as one.
    static func rangeEnd(_ value: Value, from row: Int64) -> Int64 {
        switch value {
        case .integer(let l): return l
        case .text(let t): return Int64(t) ?? row
        default: return row
        }
    }

    // MARK: - dry-run diff

    /// Every change of a set, row by row: entity, key, field, old, new.
    func diff(set: Int64, after mark: Int64 = 0) throws -> StatementResult {
        var rows: [[Value]] = []
        var entries: [(String, Int64, String, Value, Value)] = []
        try db.query(JournalSQL.entriesOfSetSince,
                     [.integer(set), .integer(mark)]) { s in
            if case .text(let t) = s[0], case .integer(let r) = s[1], case .text(let f) = s[2] {
                entries.append((t, r, f, s[3], s[4]))
            }
        }
        if entries.isEmpty { return .rows(columns: [], rows: [], single: false) }
        for (table, row, field, old, new) in entries {
            guard let entity = session.schema.entity(table: table) else { continue }
            switch field {
            case "+":
                let last = History.rangeEnd(new, from: row)
                for id in row...max(row, last) {
                    rows.append([.text(entity.singular), .text(key(entity, id, json: nil)), .text("(added)"), .null, .null])
                }
            case "-":
                rows.append([.text(entity.singular), .text(key(entity, row, json: old)), .text("(deleted)"), .null, .null])
            default:
                rows.append([.text(entity.singular), .text(key(entity, row, json: nil)), .text(entity.field(column: field)?.name ?? field), display(table, field, old), display(table, field, new)])
            }
        }
        return .rows(columns: ["entity", "key", "field", "old", "new"].map { ResultColumn(name: $0, kind: .any) }, rows: rows, single: false)
    }

    /// A row's key as the journal source shows it (`1.2 -> 1.3` for a dependency), read
    /// from the row or, once deleted, from the entry that deleted it.
    private func key(_ entity: EntityDef, _ id: Int64, json: Value?) -> String {
        if case .text(let v) = (try? db.scalar(journal.keyOf(entity.table), [.integer(id)])) ?? .null { return v }
        return "#\(id)"
    }
}
