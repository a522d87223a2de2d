/// The built-in catalogue: the project model every PMQ database has (docs/language.md, “The model”).
///
/// A database's own `Schema` (Schema.swift) is this catalogue plus its custom fields;
/// the checker, the SQL generator, the executors and completion read that value. SQL
/// identifiers come only from it, never from user text.
public enum FieldType: Equatable, Sendable, CustomStringConvertible {
    case integer, number, text, date, duration, bool
    case reference(String)          // the plural name of the referenced entity
    case enumeration([String])      // the values, in their natural order
    case list                       // a list of text (tags)

    public var description: String {
        switch self {
        case .integer: return "integer"
        case .number: return "number"
        case .text: return "text"
        case .date: return "date"
        case .duration: return "duration"
        case .bool: return "bool"
        case .reference(let e): return Catalog.entity(named: e)?.singular ?? e
        case .enumeration(let vs): return vs.joined(separator: "|")
        case .list: return "list"
        }
    }
}

/// Computed fields (pinned semantics, docs/language.md, “The model”); the SQL generator owns their SQL.
public enum ComputedField: Sendable, Equatable {
    case duration, late, overdue, remaining, level, actualCost, slip, score, parent
    /// A task some other task has as its parent (docs/language.md, “Mid-project truth”): its rolled-up fields follow its children.
    case summary
    /// A person whose load on some day is above their capacity (docs/language.md, “Resources”).
    case overallocated
    /// A change with tasks it affects (rows of change_tasks).
    case planned
    /// A column of task_schedule, filled in by `schedule`.
    case scheduled(String)
}

/// A class, not a struct: every checked field path, scope and generator level holds one,
/// and a copy of a struct this size retained a dozen strings and arrays (figure a). Its
/// properties are constants, so sharing one instance behaves as copying it did.
public final class FieldDef: Sendable {
    public enum Storage: Sendable { case column(String), computed(ComputedField) }
    public let name: String
    public let type: FieldType
    public let storage: Storage
    /// Inclusive bounds `add`/`update` enforce.
    public let bounds: ClosedRange<Double>?
    public let required: Bool
    public let doc: String
    /// Filled in by `schedule`; not set by hand.
    public let scheduled: Bool

    /// On a summary task, kept equal to the roll-up of its children (docs/language.md, “Mid-project truth”).
    public let rolledUp: Bool
    /// Never null in the store (it has a default): setting it to null is refused.
    public let neverNull: Bool
    /// For a reference: what deleting the referenced row does to this row.
    public let onDelete: DeleteRule
    /// Added by `add field` to this database (docs/language.md, “Custom fields”), not part of the built-in model.
    public let custom: Bool
    /// What a new row gets when `add` does not name the field (custom fields; built-ins
    /// take theirs from the table's DDL).
    public let defaultValue: Value?

    init(_ name: String, _ type: FieldType, computed: ComputedField? = nil, bounds: ClosedRange<Double>? = nil,
         required: Bool = false, doc: String = "", scheduled: Bool = false, rolledUp: Bool = false,
         neverNull: Bool = false, column: String? = nil, custom: Bool = false, defaultValue: Value? = nil,
         onDelete: DeleteRule = .refuse) {
        self.onDelete = onDelete
        self.custom = custom
        self.defaultValue = defaultValue
        self.scheduled = scheduled
        self.rolledUp = rolledUp
        self.neverNull = neverNull || required
        self.name = name
        self.type = type
        // A field whose name is an SQL keyword (`constraint`) is stored under another column name.
        self.storage = computed.map { .computed($0) } ?? .column(column ?? name)
        self.bounds = bounds
        self.required = required
        self.doc = doc
    }

    public var isComputed: Bool { if case .computed = storage { return true }; return false }
    var column: String? { if case .column(let c) = storage { return c }; return nil }
}

/// What deleting a row does to the rows that reference it: the delete is refused while
/// they do, they go with it, or their reference is cleared. Every case is journaled, so
/// undo brings all of it back.
public enum DeleteRule: Sendable { case refuse, cascade, setNull }

/// A class for the same reason as `FieldDef`: queries, scopes and paths pass it around by
/// the dozen a statement; its properties are constants.
public final class EntityDef: Sendable {
    public let plural: String
    public let singular: String
    public let table: String
    /// The field that names a row in references and output (`name`, `wbs`, ...).
    public let key: String?
    /// Built-in fields first, then this database's custom fields in the order they were added.
    public let fields: [FieldDef]
    public let defaultColumns: [String]
    /// `milestones` is `tasks` seen through `milestone = true`.
    public let onlyMilestones: Bool
    private let index: [String: FieldDef]
    /// `index` again as an open-addressed table of positions in `fields`, hashed from the
    /// name's bytes (FNV-1a), for names in ASCII: hashing a String for the dictionary was
    /// most of a name's cost to the checker (figure a). Empty when some field's name is not
    /// ASCII: then every name is looked up in `index`, whose String comparison also finds
    /// names that are canonically equal but spelt with other code points.
    private let asciiSlots: [Int32]
    /// `defaultColumns` with their fields, looked up once (every query without `select` reads them).
    let defaultFields: [(name: String, field: FieldDef)]
    /// `field(key)`, looked up once: a reference is compared, shown and sorted by it.
    let keyField: FieldDef?

    init(plural: String, singular: String, table: String, key: String?, fields: [FieldDef], defaultColumns: [String], onlyMilestones: Bool) {
        self.plural = plural
        self.singular = singular
        self.table = table
        self.key = key
        self.fields = fields
        self.defaultColumns = defaultColumns
        self.onlyMilestones = onlyMilestones
        let index = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.index = index
        self.asciiSlots = EntityDef.slots(fields)
        // As `field(_:)` finds them (a default column names a field in lower case).
        self.defaultFields = defaultColumns.compactMap { name in (name == "id" ? Catalog.idField : index[name]).map { (name, $0) } }
        self.keyField = key.flatMap { $0 == "id" ? Catalog.idField : index[$0] }
    }

    /// The same entity with `extra` fields after its own (a database's custom fields).
    func adding(_ extra: [FieldDef]) -> EntityDef {
        extra.isEmpty ? self : EntityDef(plural: plural, singular: singular, table: table, key: key, fields: fields + extra,
                                         defaultColumns: defaultColumns, onlyMilestones: onlyMilestones)
    }

    public func field(_ name: String) -> FieldDef? {
        // Names are nearly always typed in lower case already: skip making a new string then.
        let n = name.utf8.allSatisfy({ $0 < 65 || $0 > 90 }) ? name : name.lowercased()
        if n == "id" { return Catalog.idField }
        if !asciiSlots.isEmpty, let hash = EntityDef.asciiHash(n) {
            // Both names ASCII: equal as Strings exactly when their bytes are equal.
            let mask = asciiSlots.count - 1
            var i = hash & mask
            while true {
                let at = Int(asciiSlots[i])
                if at < 0 { return nil }
                if fields[at].name == n { return fields[at] }
                i = (i + 1) & mask
            }
        }
        return index[n]
    }

    /// FNV-1a of an ASCII name's bytes; nil when the name is not ASCII.
    private static func asciiHash(_ name: String) -> Int? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in name.utf8 {
            if c >= 0x80 { return nil }
            h = (h ^ UInt64(c)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: h >> 1)
    }

    /// The table `field(_:)` probes: positions of the first field of each name, at least
    /// twice as many slots as fields, -1 for empty; empty when some name is not ASCII.
    private static func slots(_ fields: [FieldDef]) -> [Int32] {
        var size = 8
        while size < 2 * fields.count { size *= 2 }
        var slots = [Int32](repeating: -1, count: size)
        for (at, f) in fields.enumerated() {
            guard let hash = asciiHash(f.name) else { return [] }
            var i = hash & (size - 1)
            while slots[i] >= 0 && fields[Int(slots[i])].name != f.name { i = (i + 1) & (size - 1) }
            if slots[i] < 0 { slots[i] = Int32(at) }   // a repeated name keeps its first field, as `index` does
        }
        return slots
    }
    /// The field stored in `column` (the journal names columns).
    func field(column: String) -> FieldDef? { fields.first { $0.column == column } }
    public var fieldNames: [String] { fields.map(\.name) }
    /// The journal is read, never changed by add, update or delete.
    public var isJournal: Bool { table == "journal" }
    /// Sources computed from the model (the journal, load): read, never changed directly.
    public var isReadOnly: Bool { table == "journal" || table == "load" }
}

/// The built-in entities, fixed in code. Read them through a `Schema` wherever a database's
/// custom fields may matter.
public enum Catalog {
    static let taskStatus = ["todo", "doing", "done", "blocked", "cancelled"]
    static let levels = ["low", "medium", "high", "critical"]
    /// MS Project's task constraints (docs/language.md, “Mid-project truth”): as soon as possible; start / finish no
    /// earlier than; must start / finish on; start / finish no later than.
    static let constraintKinds = ["asap", "snet", "fnet", "mso", "mfo", "snlt", "fnlt"]

    public static let entities: [EntityDef] = [
        EntityDef(plural: "people", singular: "person", table: "people", key: "name", fields: [
            FieldDef("name", .text, required: true),
            FieldDef("kind", .enumeration(["person", "team"]), neverNull: true),
            FieldDef("role", .text), FieldDef("department", .text), FieldDef("email", .text),
            FieldDef("rate", .number, bounds: 0...1e15, doc: "money per day"),
            FieldDef("capacity", .number, bounds: 0...PersonRules.teamCapacity, doc: "hours per day", neverNull: true),
            FieldDef("backup", .reference("people"), doc: "the AB-role stand-in"),
            FieldDef("login", .text, doc: "the user name `me` matches ($PMQ_USER, else the system user)"),
            FieldDef("active", .bool, doc: "false once they left the project (people where active)", neverNull: true),
            FieldDef("left", .date, doc: "the day they left", column: "left_on"),
            FieldDef("overallocated", .bool, computed: .overallocated, doc: "some working day's load is above capacity"),
        ], defaultColumns: ["name", "kind", "role", "department", "rate", "backup"], onlyMilestones: false),
        EntityDef(plural: "projects", singular: "project", table: "projects", key: "code", fields: [
            FieldDef("code", .text, required: true), FieldDef("name", .text), FieldDef("client", .text),
            FieldDef("manager", .reference("people")), FieldDef("budget", .number),
            FieldDef("start", .date), FieldDef("finish", .date),
            FieldDef("status", .enumeration(["planning", "active", "on_hold", "closed"]), neverNull: true),
        ], defaultColumns: ["code", "name", "client", "manager", "start", "finish", "status"], onlyMilestones: false),
        EntityDef(plural: "tasks", singular: "task", table: "tasks", key: "wbs", fields: taskFields,
                  defaultColumns: ["wbs", "name", "owner", "status", "start", "finish", "progress"], onlyMilestones: false),
        EntityDef(plural: "milestones", singular: "milestone", table: "tasks", key: "wbs", fields: taskFields,
                  defaultColumns: ["wbs", "name", "owner", "status", "finish"], onlyMilestones: true),
        EntityDef(plural: "dependencies", singular: "dependency", table: "dependencies", key: nil, fields: [
            FieldDef("pred", .reference("tasks"), required: true, onDelete: .cascade), FieldDef("succ", .reference("tasks"), required: true, onDelete: .cascade),
            FieldDef("type", .enumeration(["FS", "SS", "FF", "SF"]), neverNull: true), FieldDef("lag", .duration, neverNull: true),
            // The lag's unit, from how it is written (`lag 2d`, `lag 2wd`): `schedule` counts calendar
            // days or working days (docs/language.md, “Scheduling”). Set with the lag, not alone.
            FieldDef("lag_unit", .enumeration(["d", "wd"]), doc: "the lag's unit: d calendar days, wd working days", neverNull: true),
        ], defaultColumns: ["pred", "succ", "type", "lag"], onlyMilestones: false),
        EntityDef(plural: "assignments", singular: "assignment", table: "assignments", key: nil, fields: [
            FieldDef("task", .reference("tasks"), required: true, onDelete: .cascade), FieldDef("person", .reference("people"), required: true),
            FieldDef("role", .enumeration(["A", "C", "I", "R"]), neverNull: true), FieldDef("units", .number, bounds: 0...1000, neverNull: true),
        ], defaultColumns: ["task", "person", "role", "units"], onlyMilestones: false),
        EntityDef(plural: "risks", singular: "risk", table: "risks", key: "title", fields: [
            FieldDef("title", .text, required: true), FieldDef("project", .reference("projects")),
            FieldDef("task", .reference("tasks"), onDelete: .setNull), FieldDef("owner", .reference("people")),
            FieldDef("probability", .integer, bounds: 1...5), FieldDef("impact", .integer, bounds: 1...5),
            FieldDef("status", .enumeration(["open", "mitigating", "occurred", "closed"]), neverNull: true),
            FieldDef("review", .date), FieldDef("response", .text),
            FieldDef("score", .integer, computed: .score, doc: "probability * impact"),
        ], defaultColumns: ["title", "owner", "probability", "impact", "score", "status"], onlyMilestones: false),
        EntityDef(plural: "costs", singular: "cost", table: "costs", key: nil, fields: [
            FieldDef("project", .reference("projects")), FieldDef("task", .reference("tasks"), onDelete: .setNull),
            FieldDef("person", .reference("people")),
            FieldDef("kind", .enumeration(["labor", "material", "service", "payment", "receipt", "other"]), neverNull: true),
            FieldDef("date", .date), FieldDef("qty", .number), FieldDef("rate", .number),
            FieldDef("amount", .number, doc: "qty * rate when not given"), FieldDef("note", .text),
        ], defaultColumns: ["date", "task", "person", "kind", "qty", "rate", "amount"], onlyMilestones: false),
        EntityDef(plural: "defects", singular: "defect", table: "defects", key: "title", fields: [
            FieldDef("title", .text, required: true), FieldDef("task", .reference("tasks"), onDelete: .setNull),
            FieldDef("severity", .enumeration(levels), neverNull: true),
            FieldDef("status", .enumeration(["open", "fixed", "closed"]), neverNull: true),
            FieldDef("found", .date), FieldDef("fixed", .date),
        ], defaultColumns: ["title", "task", "severity", "status", "found", "fixed"], onlyMilestones: false),
        EntityDef(plural: "changes", singular: "change", table: "changes", key: "title", fields: [
            FieldDef("title", .text, required: true), FieldDef("project", .reference("projects")),
            FieldDef("status", .enumeration(["proposed", "approved", "rejected", "implemented"]), neverNull: true),
            FieldDef("cost_impact", .number), FieldDef("days_impact", .duration),
            FieldDef("requested_by", .reference("people")), FieldDef("decided", .date),
            FieldDef("planned", .bool, computed: .planned, doc: "some task is linked to it as affected (change_tasks)"),
        ], defaultColumns: ["title", "status", "cost_impact", "days_impact", "requested_by", "decided"], onlyMilestones: false),
        // The tasks a change request affects: a link table, one row per (change, task), so
        // "approved changes not yet planned" and "the tasks change X affects" can be asked.
        EntityDef(plural: "change_tasks", singular: "change_task", table: "change_tasks", key: nil, fields: [
            FieldDef("change", .reference("changes"), required: true, onDelete: .cascade),
            FieldDef("task", .reference("tasks"), required: true, onDelete: .cascade),
            FieldDef("note", .text),
        ], defaultColumns: ["change", "task", "note"], onlyMilestones: false),
        // Resources (docs/language.md, “Resources”): a person's leave, the project's holidays and make-up working days.
        EntityDef(plural: "leaves", singular: "leave", table: "leaves", key: nil, fields: [
            FieldDef("person", .reference("people"), required: true, onDelete: .cascade), FieldDef("start", .date, required: true),
            FieldDef("finish", .date, required: true), FieldDef("note", .text),
        ], defaultColumns: ["person", "start", "finish", "note"], onlyMilestones: false),
        EntityDef(plural: "holidays", singular: "holiday", table: "holidays", key: nil, fields: [
            FieldDef("day", .date, required: true), FieldDef("name", .text),
        ], defaultColumns: ["day", "name"], onlyMilestones: false),
        EntityDef(plural: "workdays", singular: "workday", table: "workdays", key: nil, fields: [
            FieldDef("day", .date, required: true, doc: "a weekend day the project works (make-up day)"), FieldDef("name", .text),
        ], defaultColumns: ["day", "name"], onlyMilestones: false),
        // Each person's hours a working day (docs/language.md, “Resources”): computed by the SQL generator, read-only.
        EntityDef(plural: "load", singular: "load", table: "load", key: nil, fields: [
            FieldDef("person", .reference("people")), FieldDef("day", .date),
            FieldDef("hours", .number, doc: "hours of work that day, rounded to 0.01"),
            FieldDef("capacity", .number, doc: "the person's hours per day"),
            FieldDef("over", .bool, doc: "hours > capacity"),
        ], defaultColumns: ["person", "day", "hours", "capacity", "over"], onlyMilestones: false),
        // The change journal as a source (docs/language.md, “Time travel”): read-only, one row per changed field
        // (and per added or deleted row), values as text. The SQL generator builds its rows.
        EntityDef(plural: "journal", singular: "journal", table: "journal", key: nil, fields: [
            FieldDef("set", .integer, doc: "the change set's number", column: "set_no"),
            FieldDef("booked", .date, doc: "the day the change set was booked on (the session's today)"),
            FieldDef("time", .text, doc: "wall-clock time, UTC ISO 8601"),
            FieldDef("user", .text), FieldDef("statement", .text),
            FieldDef("entity", .text, doc: "plural: tasks, people, ..."),
            FieldDef("key", .text, doc: "the row's key as text"),
            FieldDef("field", .text, doc: "the field, or (added) / (deleted) for a whole row"),
            FieldDef("old", .text), FieldDef("new", .text),
        ], defaultColumns: ["set", "booked", "user", "entity", "key", "field", "old", "new"], onlyMilestones: false),
    ]

    static let taskFields: [FieldDef] = [
        FieldDef("project", .reference("projects")),
        FieldDef("wbs", .text, required: true, doc: "WBS code like 1.2.3, unique per project"),
        FieldDef("name", .text, required: true),
        FieldDef("parent", .reference("tasks"), computed: .parent, doc: "from the WBS code"),
        FieldDef("owner", .reference("people"), doc: "the Responsible one"),
        FieldDef("status", .enumeration(taskStatus), rolledUp: true, neverNull: true),
        FieldDef("priority", .enumeration(levels), neverNull: true),
        FieldDef("start", .date, rolledUp: true), FieldDef("finish", .date, rolledUp: true),
        FieldDef("actual_start", .date, rolledUp: true), FieldDef("actual_finish", .date, rolledUp: true),
        FieldDef("baseline_start", .date), FieldDef("baseline_finish", .date), FieldDef("baseline_cost", .number),
        FieldDef("effort", .number, bounds: 0...1e9, doc: "hours", rolledUp: true),
        FieldDef("progress", .number, bounds: 0...100, rolledUp: true, neverNull: true),
        FieldDef("cost", .number, doc: "planned cost", rolledUp: true),
        FieldDef("milestone", .bool, neverNull: true), FieldDef("notes", .text), FieldDef("tags", .list),
        FieldDef("constraint", .enumeration(constraintKinds), doc: "asap, or when the task may start or finish (with constraint_date)",
                 neverNull: true, column: "constraint_type"),
        FieldDef("constraint_date", .date, doc: "the date of a constraint other than asap"),
        FieldDef("summary", .bool, computed: .summary, doc: "another task has it as parent; its dates, cost, effort, progress and status roll up"),
        FieldDef("duration", .duration, computed: .duration, doc: "finish - start + 1d; 0d for a milestone"),
        FieldDef("late", .duration, computed: .late, doc: "days past finish (not done), or actual_finish - finish (done)"),
        FieldDef("overdue", .bool, computed: .overdue, doc: "not done/cancelled and finish < today"),
        FieldDef("remaining", .duration, computed: .remaining, doc: "finish - today"),
        FieldDef("level", .integer, computed: .level, doc: "depth of the WBS code"),
        FieldDef("actual_cost", .number, computed: .actualCost, doc: "sum of amount of its costs (a summary's include its branch)"),
        FieldDef("slip", .duration, computed: .slip, doc: "finish - baseline_finish"),
        FieldDef("early_start", .date, computed: .scheduled("early_start"), doc: "from schedule", scheduled: true),
        FieldDef("early_finish", .date, computed: .scheduled("early_finish"), doc: "from schedule", scheduled: true),
        FieldDef("late_start", .date, computed: .scheduled("late_start"), doc: "from schedule", scheduled: true),
        FieldDef("late_finish", .date, computed: .scheduled("late_finish"), doc: "from schedule", scheduled: true),
        FieldDef("slack", .duration, computed: .scheduled("slack"), doc: "total float in working days, from schedule", scheduled: true),
        FieldDef("free_slack", .duration, computed: .scheduled("free_slack"), doc: "free float in working days, from schedule", scheduled: true),
        FieldDef("critical", .bool, computed: .scheduled("critical"), doc: "on the critical path (slack <= 0), from schedule", scheduled: true),
    ]

    static let idField = FieldDef("id", .integer)

    /// Looks an entity up by plural or singular name, case-insensitively.
    public static func entity(named name: String) -> EntityDef? {
        if let e = entities.first(where: { $0.plural == name }) { return e }   // names are lower case: no copy needed
        let n = name.lowercased()
        return entities.first { $0.plural == n } ?? entities.first { $0.singular == n }
    }

    static func plural(_ name: String) -> EntityDef? {
        if let e = entities.first(where: { $0.plural == name }) { return e }
        let n = name.lowercased()
        return entities.first { $0.plural == n }
    }
}

extension EntityDef {
    /// The fields as `.schema` shows them: name, type, and what is computed.
    public var schemaDescription: String {
        var lines = ["\(plural) (\(singular))\(key.map { ", named by \($0)" } ?? "")\(onlyMilestones ? ": the tasks whose milestone is true" : "")"]
        let width = fields.map(\.name.count).max() ?? 0
        for f in fields {
            var line = "  " + f.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + FieldType.describe(f.type)
            if f.isComputed { line += "  (computed)" }
            if !f.doc.isEmpty { line += "  -- " + f.doc }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

import Foundation
