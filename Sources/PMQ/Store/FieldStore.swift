import Foundation

/// Custom fields in the store (docs/language.md, “Custom fields”): the `pmq_fields` rows and the columns they
/// name. Adding a field adds a real column (so a filter on it is a column read, and any
/// SQLite client sees it); dropping one journals its values first, so undo brings them
/// back. Table and column names come from the catalogue and from `CustomField.column`,
/// never from user text; names, types, values and defaults are bound.
enum FieldStore {
    /// The schema of the database: the built-in model plus its `pmq_fields`.
    static func load(_ db: any Engine) throws -> Schema {
        var fields: [CustomField] = []
        try db.query("SELECT id, entity, name, type, enum_values, default_value, column_name FROM pmq_fields ORDER BY id") { s in
            guard case .integer(let id) = s[0], case .text(let table) = s[1],
                  case .text(let name) = s[2], case .text(let type) = s[3],
                  case .text(let column) = s[6],
                  Catalog.entities.contains(where: { $0.table == table }), History.isPlainIdentifier(column) else { return }
            var values: [String] = []
            if case .text(let json) = s[4], let data = json.data(using: .utf8),
               let list = try? JSONSerialization.jsonObject(with: data) as? [String] { values = list }
            var f = CustomField(id: id, table: table, name: name, type: type, values: values, defaultValue: nil, column: column)
            if case .text(let json) = s[5] { f.defaultValue = decodeDefault(json, f.fieldType) }
            fields.append(f)
        }
        return Schema(custom: fields)
    }

    /// Adds the field and its column; existing rows take the default. Returns its id.
    static func add(_ f: CustomField, session: SessionContext) throws -> Int64 {
        let db = session.db
        let values: Value = f.values.isEmpty ? .null : .text(encodeList(f.values))
        let def: Value = f.defaultValue.map { .text(encodeDefault($0)) } ?? .null
        do {
            try db.run("INSERT INTO pmq_fields (entity, name, type, enum_values, default_value, column_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                       [.text(f.table), .text(f.name), .text(f.type), values, def, .text(f.column)])
        } catch let e as StoreError where e.isConstraint {
            throw RuntimeError(code: .nameTaken, message: "\"\(f.name)\" is already a custom field of \(f.table)", range: .none)
        }
        let id = db.lastInsertID
        try RowVersions.dropTriggers(f.table, db)
        try addColumn(f, db)
        if let d = f.defaultValue { try db.run("UPDATE \(f.table) SET \(f.column) = ?1", [d]) }
        // Built after the default is written: one sort of the filled column, not a b-tree insert per row.
        try createIndex(f, db)
        try RowVersions.follow(f.table, db, fill: f.defaultValue)
        let set = try session.journal.set()
        try session.journal.record(set, "pmq_fields", id, "+", old: .null, new: .integer(id))
        try session.reloadSchema()
        return id
    }

    /// Drops the field: its non-null values are journaled (as changes to null), then its
    /// definition (as a removed row), then the column goes. Returns how many rows had a value.
    @discardableResult
    static func drop(id: Int64, session: SessionContext) throws -> Int {
        let db = session.db
        guard let f = session.schema.customFields.first(where: { $0.id == id }) else { return 0 }
        let set = try session.journal.set()
        try session.journal.flush()
        let n = try session.journal.recordCleared(set, f.table, f.column, where: "\(f.column) IS NOT NULL")
        try session.journal.recordRemoval(set, "pmq_fields", where: "id = ?1", [.integer(id)])
        try db.run("DELETE FROM pmq_fields WHERE id = ?1", [.integer(id)])
        try RowVersions.dropTriggers(f.table, db)
        // SQLite refuses to drop an indexed column (PostgreSQL would drop the index with it).
        try dropIndex(f, db)
        try db.run("ALTER TABLE \(f.table) DROP COLUMN \(f.column)")
        try RowVersions.follow(f.table, db)
        try session.reloadSchema()
        return n
    }

    /// After undo re-inserted a dropped field's `pmq_fields` row: its column comes back
    /// (empty; the journaled values are restored by the entries undone after it). The
    /// table's version triggers stay off until `resume`: putting the values back
    /// writes no versions, so `as of` a day before the drop still reads the values the
    /// versions kept (a version of the empty column would hide them). Its index is also
    /// built in `resume`, once the values are back. Returns the field.
    static func restoreColumn(id: Int64, session: SessionContext) throws -> CustomField? {
        try session.reloadSchema()
        guard let f = session.schema.customFields.first(where: { $0.id == id }) else { return nil }
        try RowVersions.dropTriggers(f.table, session.db)
        try addColumn(f, session.db)
        return f
    }

    /// After the restored values are back: the fields' indexes are built again, and their
    /// tables' versions follow their columns again.
    static func resume(_ fields: [CustomField], session: SessionContext) throws {
        // A field the same undo dropped again (a change set that added and dropped it) has no column now.
        for f in fields where session.schema.customFields.contains(where: { $0.id == f.id }) { try createIndex(f, session.db) }
        for table in Set(fields.map(\.table)).sorted() { try RowVersions.follow(table, session.db) }
    }

    /// Whether a field's column gets an index (docs/language.md, “Custom fields”, Storage): every
    /// type but `bool`. A bool has two values, so a filter on it reads about half the rows;
    /// through an index that is a row lookup each, slower than the scan, and SQLite (which has
    /// no statistics in a PMQ file: nothing runs ANALYZE) would take the index all the same.
    static func isIndexed(_ f: CustomField) -> Bool { f.fieldType != .bool }

    /// The index of a field's column: the table and the column (`tasks_x_vendor`), both from
    /// the schema. A built-in index is never named so: no built-in column starts with `x_`.
    static func indexName(_ f: CustomField) -> String { f.table + "_" + f.column }

    /// Builds the field's index when it has none (`IF NOT EXISTS`: one the user made by that
    /// name is kept).
    static func createIndex(_ f: CustomField, _ db: any Engine) throws {
        guard isIndexed(f) else { return }
        try checkNames(f)
        try db.execute("CREATE INDEX IF NOT EXISTS \(indexName(f)) ON \(f.table)(\(f.column))")
    }

    /// Drops the field's index, and on SQLite any other index made on its column (by hand,
    /// in `sqlite3`): SQLite refuses to drop an indexed column, where PostgreSQL drops the
    /// indexes with it. `undo` of the drop builds only the field's own index again.
    private static func dropIndex(_ f: CustomField, _ db: any Engine) throws {
        try checkNames(f)
        try db.execute("DROP INDEX IF EXISTS \(indexName(f))")
        guard db.kind == .sqlite else { return }
        var others: [String] = []
        try db.query("SELECT DISTINCT m.name FROM sqlite_master m, pragma_index_info(m.name) i WHERE m.type = 'index' AND m.tbl_name = ?1 AND i.name = ?2 AND m.sql IS NOT NULL",
                     [.text(f.table), .text(f.column)]) { s in
            if case .text(let name) = s[0] { others.append(name) }
        }
        for name in others { try db.execute(BulkSQL.dropIndex(name)) }
    }

    /// Schema step 18 (both engines): the custom fields added before it get their indexes.
    /// Not SQL: `migrate` calls `indexExisting` for it.
    static let indexStep = "-- step: custom fields are indexed (FieldStore.indexExisting)"

    /// Builds the index of every custom field whose column is there (a `pmq_fields` row
    /// whose column is missing is left alone, as `load` leaves it).
    static func indexExisting(_ db: any Engine) throws {
        for f in try load(db).customFields where isIndexed(f) {
            guard try db.columns(of: f.table).contains(f.column) else { continue }
            try createIndex(f, db)
        }
    }

    /// Table and column names reach SQL only when they are PMQ's own (`pmq_fields` is data in
    /// a file anyone can edit).
    private static func checkNames(_ f: CustomField) throws {
        guard Catalog.entities.contains(where: { $0.table == f.table }), History.isPlainIdentifier(f.column) else {
            throw RuntimeError(code: .databaseError, message: "cannot store the field \"\(f.name)\": its table or column name is not PMQ's", range: .none)
        }
    }

    private static func addColumn(_ f: CustomField, _ db: any Engine) throws {
        try checkNames(f)
        try db.run("ALTER TABLE \(f.table) ADD COLUMN \(f.column) \(f.sqlType)")
    }

    /// A default as `pmq_fields` keeps it: JSON text (dates as day numbers).
    static func encodeDefault(_ v: Value) -> String {
        switch v {
        case .text(let s), .reference(let s): return jsonString(s)
        case .integer(let i): return String(i)
        case .decimal(let d), .duration(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .date(let d): return String(d.number)
        case .bool(let b): return b ? "true" : "false"
        case .list(let xs): return encodeList(xs)
        case .null: return "null"
        }
    }

    static func decodeDefault(_ json: String, _ type: FieldType) -> Value? {
        guard let data = json.data(using: .utf8),
              let any = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        switch (type, any) {
        case (.text, let s as String), (.enumeration, let s as String): return .text(s)
        case (.bool, let n as NSNumber): return .bool(n.boolValue)
        case (.number, let n as NSNumber): return .decimal(n.doubleValue)
        case (.duration, let n as NSNumber): return .duration(n.doubleValue)
        case (.date, let n as NSNumber): return .date(Day(n.intValue))
        default: return nil
        }
    }
}
