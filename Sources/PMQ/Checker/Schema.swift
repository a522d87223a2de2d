/// One database's model: the built-in catalogue plus the fields `add field` gave it
/// (docs/language.md, “Custom fields”). A value: the session loads it when it opens the store and again after
/// `add field`, `drop field` or an undo of either; the checker, the SQL generator,
/// the executors, completion and `.schema` receive it instead of reaching a global.
public struct Schema: Sendable {
    public let entities: [EntityDef]
    /// The custom fields, as stored in `pmq_fields`.
    let customFields: [CustomField]

    /// A database with no custom fields.
    public static let builtIn = Schema(custom: [])

    init(custom: [CustomField]) {
        customFields = custom
        entities = Catalog.entities.map { e in
            e.adding(custom.filter { $0.table == e.table }.map(\.definition))
        }
    }

    /// This schema with one more custom field (the checker's view after `add field`).
    func adding(_ f: CustomField) -> Schema { Schema(custom: customFields + [f]) }

    /// This schema without a custom field.
    func dropping(table: String, name: String) -> Schema {
        Schema(custom: customFields.filter { !($0.table == table && $0.name == name) })
    }

    /// Looks an entity up by plural or singular name, case-insensitively.
    public func entity(named name: String) -> EntityDef? {
        // Names are lower case: an exact match needs no lower-cased copy (the generator and the
        // checker ask with a reference's target several times a query).
        if let e = entities.first(where: { $0.plural == name }) { return e }
        let n = name.lowercased()
        return entities.first { $0.plural == n } ?? entities.first { $0.singular == n }
    }

    /// Looks an entity up by its plural name only (references name their target so).
    public func plural(_ name: String) -> EntityDef? {
        if let e = entities.first(where: { $0.plural == name }) { return e }
        let n = name.lowercased()
        return entities.first { $0.plural == n }
    }

    /// The entity stored in `table` (`tasks`, not `milestones`).
    func entity(table: String) -> EntityDef? { entities.first { $0.table == table && !$0.onlyMilestones } }

    var people: EntityDef { entities[0] }
    var tasks: EntityDef { entities[2] }

    /// The stored columns of a table, id first: what `as of` rebuilds (docs/language.md, “Time travel”).
    func storedColumns(_ table: String) -> [String] {
        guard let e = entity(table: table) else { return ["id"] }
        var out = ["id"]
        for f in e.fields { if let c = f.column, !out.contains(c) { out.append(c) } }
        if table == "tasks" { out += ["wbs_key", "parent_wbs"] }
        return out
    }

    /// The stored reference fields that point at `table`, as (table, column) pairs: what
    /// deleting a row of `table` must clear or refuse (derived, never a hand list).
    func references(to table: String) -> [(table: String, column: String, field: FieldDef)] {
        var out: [(String, String, FieldDef)] = []
        for e in entities where !e.isReadOnly && !e.onlyMilestones {
            for f in e.fields {
                guard case .reference(let t) = f.type, let c = f.column, plural(t)?.table == table else { continue }
                out.append((e.table, c, f))
            }
        }
        return out
    }
}

/// A field added by `add field` (docs/language.md, “Custom fields”), as the `pmq_fields` table keeps it. Its
/// values live in a real column of the entity's table (`x_<name>`, or `x_u<hash>` for a
/// name that is not plain ASCII), so a filter on it is a plain column read and the
/// file stays readable by any SQLite client.
struct CustomField: Sendable, Equatable {
    var id: Int64
    var table: String
    var name: String
    /// `text`, `number`, `date`, `duration`, `bool`, `enum`, or a plural entity name.
    var type: String
    var values: [String]
    var defaultValue: Value?
    var column: String

    var fieldType: FieldType {
        switch type {
        case "text": return .text
        case "number": return .number
        case "date": return .date
        case "duration": return .duration
        case "bool": return .bool
        case "enum": return .enumeration(values)
        default: return .reference(type)
        }
    }

    var definition: FieldDef {
        // A custom reference is cleared when its row goes: it is the user's note, not the model's structure.
        FieldDef(name, fieldType, doc: "custom field", neverNull: defaultValue != nil, column: column, custom: true, defaultValue: defaultValue,
                 onDelete: .setNull)
    }

    /// The column a field is stored in: `x_` and its name when that is plain ASCII (readable
    /// by plain SQL), else `x_u` and a hash of the name. Decided by the name alone, so the
    /// checker knows the column before the field exists, and short enough for any engine.
    static func column(for name: String) -> String {
        if History.isPlainIdentifier(name) && name.utf8.count <= 48 { return "x_" + name }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325          // FNV-1a, 64 bits
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return "x_u" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The SQL type a field's column is declared with.
    var sqlType: String {
        switch fieldType {
        case .text, .enumeration, .list: return "TEXT"
        case .number, .duration: return "REAL"
        case .integer, .date, .bool, .reference: return "INTEGER"
        }
    }
}

extension Schema: Equatable {
    public static func == (a: Schema, b: Schema) -> Bool { a.customFields == b.customFields }
}
