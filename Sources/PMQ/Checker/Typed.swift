/// The checked program: names resolved against the catalog, every node typed.
/// The SQL generator reads only this form, never the raw syntax tree.
/// Not `indirect`: no case holds a PType, and a boxed payload was an allocation for every
/// reference or enum type made (three a typical query, figure a).
enum PType: Equatable, CustomStringConvertible {
    case number, text, date, duration, bool, null
    case enumeration([String])
    case reference(String)
    case list
    /// The type of something already reported as an error: compatible with anything.
    case any

    /// How a value of this type is kept in the store (nil: no one type).
    var stored: StoredType? {
        switch self {
        case .date, .bool, .reference: return .integer
        case .number, .duration: return .real
        case .text, .enumeration, .list: return .text
        case .null, .any: return nil
        }
    }

    init(_ f: FieldType) {
        switch f {
        case .integer, .number: self = .number
        case .text: self = .text
        case .date: self = .date
        case .duration: self = .duration
        case .bool: self = .bool
        case .reference(let e): self = .reference(e)
        case .enumeration(let vs): self = .enumeration(vs)
        case .list: self = .list
        }
    }

    var description: String {
        switch self {
        case .number: return "number"
        case .text: return "text"
        case .date: return "date"
        case .duration: return "duration"
        case .bool: return "bool"
        case .null: return "null"
        case .enumeration(let vs): return "value of " + vs.joined(separator: "/")
        case .reference(let e): return Catalog.entity(named: e)?.singular ?? e
        case .list: return "list"
        case .any: return "value"
        }
    }

    var isTextLike: Bool { if case .text = self { return true }; if case .enumeration = self { return true }; return false }
}

/// A path from the query's root row through references to one field: `owner.backup.name`
/// is hops [owner, backup] and field `name` of people.
struct FieldPath: Equatable {
    var root: EntityDef
    /// Set when the path starts at a `for` variable's row instead of the query's row.
    var rootVariable: Int? = nil
    var hops: [FieldDef]
    var field: FieldDef
    /// Set when the path starts at the row of an enclosing query named with `as`:
    /// how many query levels out it is (0: the query's own row).
    var outer: Int? = nil

    init(root: EntityDef, rootVariable: Int? = nil, hops: [FieldDef], field: FieldDef, outer: Int? = nil) {
        self.root = root
        self.rootVariable = rootVariable
        self.hops = hops
        self.field = field
        self.outer = outer
    }

    static func == (a: FieldPath, b: FieldPath) -> Bool {
        a.root.plural == b.root.plural && a.hops.map(\.name) == b.hops.map(\.name) && a.field.name == b.field.name
            && a.outer == b.outer && a.rootVariable == b.rootVariable
    }

    /// The entity that owns `field`.
    var owner: EntityDef {
        guard let last = hops.last, case .reference(let e) = last.type, let def = Catalog.plural(e) else { return root }
        return def
    }

    var text: String { (hops.map(\.name) + [field.name]).joined(separator: ".") }
}

enum Aggregate: String { case count, sum, avg, min, max }

/// What a `.lookup` finds: the person whose `login` is the user, or a task by its WBS code.
enum RowLookup: Equatable {
    case me
    case task(String)
    /// A task named by a bare WBS code in a comparison (`costs where task = 1`): resolved in
    /// the used project like any bare code, refused when several projects could hold it;
    /// a code naming no task matches no row (id 0).
    case taskOrNone(String)
    /// The project a bare WBS code compared with `wbs` resolves in: the used one; 0 (any)
    /// when there is at most one project; refused when several could hold the code.
    case usedProject(String)
    /// A task named by the WBS code a script variable holds (`param late_task = "2.2.3"`).
    case taskInVariable(Int)
}

/// The date-part functions of docs/language.md, “Reports”: a number, or a date in the same month or year.
public enum DatePart: String, CaseIterable, Sendable {
    case year, month, quarter, week, weekday
    case startOfMonth = "start_of_month", endOfMonth = "end_of_month", startOfYear = "start_of_year"

    var givesDate: Bool { self == .startOfMonth || self == .endOfMonth || self == .startOfYear }

    /// The part of one date, as the SQL the dialect writes computes it.
    func apply(_ d: Day) -> Value {
        let (y, m, _) = Day.civil(from: d.number)
        switch self {
        case .year: return .integer(Int64(y))
        case .month: return .integer(Int64(m))
        case .quarter: return .integer(Int64((m + 2) / 3))
        case .weekday: return .integer(Int64(d.weekday))
        case .week: return .integer(Int64(d.isoWeek))
        case .startOfMonth: return .date(d.startOfMonth)
        case .endOfMonth: return .date(d.endOfMonth)
        case .startOfYear: return .date(Day(Day.daysFromCivil(y, 1, 1)))
        }
    }
}

public enum ScalarFunction: String, Sendable {
    case lower, upper, length, abs, round, coalesce
    /// Used by the change statements only: a one-item list, the larger of two values.
    case listOf = "json_array", maxOf = "max"
    /// `date ± Nwd` on a task's row: n working days of the task's owner (docs/language.md, “Resources”), as
    /// pmq_add_workdays(date, n, owner).
    case addOwnerWorkdays = "pmq_add_workdays"

    /// The functions a user may call by name.
    static func named(_ n: String) -> ScalarFunction? {
        guard let f = ScalarFunction(rawValue: n), f != .listOf, f != .maxOf, f != .addOwnerWorkdays else { return nil }
        return f
    }
}

final class TExpr {
    enum Kind {
        case value(Value)
        case field(FieldPath)
        case not(TExpr)
        case negate(TExpr)
        case arithmetic(BinaryOp, TExpr, TExpr)
        /// date ± working days: done by a registered SQL function.
        case addWorkdays(TExpr, TExpr, subtract: Bool)
        case compare(BinaryOp, TExpr, TExpr)
        case logic(BinaryOp, TExpr, TExpr)
        case inList(TExpr, [TExpr], negated: Bool)
        case listContains(list: TExpr, value: TExpr, negated: Bool)
        case isNull(TExpr, negated: Bool)
        case between(TExpr, TExpr, TExpr, negated: Bool)
        case under(TExpr, TExpr)
        case aggregate(Aggregate, TExpr?)
        case function(ScalarFunction, [TExpr])
        case concat([TExpr])
        case subquery(TQuery)
        /// `case when ... then ... else ... end`, and `if(c, a, b)`.
        case caseWhen([(condition: TExpr, value: TExpr)], otherwise: TExpr?)
        case datePart(DatePart, TExpr)
        /// date ± calendar months (`mo`): the day of the month is kept, clamped to the month's end.
        case addMonths(TExpr, TExpr, subtract: Bool)
        /// `x in (query)`: with `rows`, the query's row ids; otherwise its one column's values.
        case inQuery(TExpr, TQuery, negated: Bool, rows: Bool)
        /// A row the run looks up before the query runs (`me`, the task of `downstream of 1.2`):
        /// the slot then holds its id; finding none is a located error.
        case lookup(slot: Int, RowLookup)
        /// A reference that is not a field path (`me`), read as its key.
        case keyOf(TExpr)
        /// `tags + "x"` / `tags - "x"`.
        case listEdit(list: TExpr, value: TExpr, remove: Bool)
        /// One cell of a pivot: `value` over the group's rows whose `by` equals `equals`.
        case pivotCell(value: TExpr, by: TExpr, equals: Value)
        /// An `order by` naming a select alias: the result column's position.
        case selectColumn(Int)
        /// A script variable: a value, or a row's id for a `for` variable.
        case variable(Int)
        /// A function the embedding host registered.
        case host(String, [TExpr])
        /// `was` / `changed`: a question to the journal about a field of the row.
        case journal(JournalTest)
        case invalid
    }
    let kind: Kind
    let type: PType
    let range: SourceRange
    /// Nodes in the expression written out as a tree (shared nodes counted each time),
    /// which is what the SQL text grows with; saturates instead of overflowing.
    let size: Int
    init(_ kind: Kind, _ type: PType, _ range: SourceRange) {
        self.kind = kind; self.type = type; self.range = range
        self.size = TExpr.size(of: kind)
    }

    /// 1 and the children's sizes, saturating. The usual shapes are added up in place: an
    /// array of the children for every node built was a tenth of the checker's work (figure a).
    private static func size(of kind: Kind) -> Int {
        func add(_ total: Int, _ child: TExpr) -> Int { total > Int.max / 2 ? total : total + min(child.size, Int.max / 2) }
        switch kind {
        case .value, .field, .subquery, .selectColumn, .variable, .invalid, .aggregate(_, nil), .lookup, .inQuery: return 1
        case .not(let a), .negate(let a), .isNull(let a, _), .aggregate(_, let a?), .datePart(_, let a), .keyOf(let a):
            return add(1, a)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b), .under(let a, let b),
             .addWorkdays(let a, let b, _), .listContains(let a, let b, _), .addMonths(let a, let b, _), .listEdit(let a, let b, _),
             .pivotCell(let a, let b, _):
            return add(add(1, a), b)
        default:
            return children(kind).reduce(1, add)
        }
    }

    private static func children(_ kind: Kind) -> [TExpr] {
        switch kind {
        case .value, .field, .subquery, .selectColumn, .variable, .invalid, .aggregate(_, nil): return []
        case .not(let a), .negate(let a), .isNull(let a, _), .aggregate(_, let a?): return [a]
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b), .under(let a, let b),
             .addWorkdays(let a, let b, _), .listContains(let a, let b, _):
            return [a, b]
        case .inList(let a, let xs, _): return [a] + xs
        case .between(let a, let b, let c, _): return [a, b, c]
        case .function(_, let xs), .concat(let xs), .host(_, let xs): return xs
        case .lookup, .inQuery: return []
        case .caseWhen(let bs, let o): return bs.flatMap { [$0.condition, $0.value] } + (o.map { [$0] } ?? [])
        case .datePart(_, let a), .keyOf(let a): return [a]
        case .addMonths(let a, let b, _), .listEdit(let a, let b, _): return [a, b]
        case .pivotCell(let v, let by, _): return [v, by]
        case .journal(let t):
            switch t.kind {
            case .was(let current, let value, _): return [current, value.value]
            case .changed(let from, let to, let by, let after, let before):
                return [from?.value, to?.value, by, after, before].compactMap { $0 }
            }
        }
    }

    /// Whether the value can differ from row to row: it reads a field of the row, the
    /// journal or a query (a subquery may be correlated), so it cannot be worked out once
    /// for the whole statement. A `for` variable's fields are one row's: constant.
    var readsRow: Bool {
        switch kind {
        case .field(let p): return p.rootVariable == nil
        case .journal, .pivotCell, .selectColumn, .aggregate, .subquery, .inQuery: return true
        default: return TExpr.children(kind).contains { $0.readsRow }
        }
    }

    /// A rough price of evaluating the expression per row, for ordering AND terms:
    /// 0 plain columns and literals, 1 joined columns, 2 computed fields, 3 subqueries.
    var cost: Int {
        switch kind {
        case .value, .variable, .selectColumn, .invalid, .lookup: return 0
        case .subquery, .inQuery, .pivotCell, .journal: return 3
        case .caseWhen(let bs, let o): return max(2, bs.map { max($0.condition.cost, $0.value.cost) }.max() ?? 0, o?.cost ?? 0)
        case .datePart(_, let a), .addMonths(let a, _, _): return max(2, a.cost)
        case .keyOf(let a): return max(1, a.cost)
        case .listEdit(let a, let b, _): return max(2, a.cost, b.cost)
        case .field(let p):
            if p.rootVariable != nil { return 3 }
            if case .computed(let c) = p.field.storage { return c == .actualCost || c == .parent ? 3 : 2 }
            return p.hops.isEmpty ? 0 : 1
        case .aggregate: return 2
        case .not(let a), .negate(let a), .isNull(let a, _): return a.cost
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b), .under(let a, let b),
             .addWorkdays(let a, let b, _), .listContains(let a, let b, _):
            return max(a.cost, b.cost, { if case .listContains = kind { return 2 }; return 0 }())
        case .inList(let a, let xs, _): return xs.map(\.cost).reduce(a.cost, max)
        case .between(let a, let b, let c, _): return max(a.cost, b.cost, c.cost)
        case .function(_, let xs), .concat(let xs), .host(_, let xs): return max(2, xs.map(\.cost).max() ?? 0)
        }
    }

    var containsAggregate: Bool {
        switch kind {
        case .aggregate, .pivotCell: return true
        case .value, .field, .invalid, .subquery, .selectColumn, .variable, .lookup, .inQuery, .journal: return false
        case .caseWhen(let bs, let o):
            return bs.contains { $0.condition.containsAggregate || $0.value.containsAggregate } || (o?.containsAggregate ?? false)
        case .datePart(_, let a), .keyOf(let a): return a.containsAggregate
        case .addMonths(let a, let b, _), .listEdit(let a, let b, _): return a.containsAggregate || b.containsAggregate
        case .not(let a), .negate(let a), .isNull(let a, _): return a.containsAggregate
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .logic(_, let a, let b), .under(let a, let b),
             .addWorkdays(let a, let b, _), .listContains(let a, let b, _):
            return a.containsAggregate || b.containsAggregate
        case .inList(let a, let xs, _): return a.containsAggregate || xs.contains { $0.containsAggregate }
        case .between(let a, let b, let c, _): return a.containsAggregate || b.containsAggregate || c.containsAggregate
        case .function(_, let xs), .concat(let xs), .host(_, let xs): return xs.contains { $0.containsAggregate }
        }
    }
}

/// A checked query, ready for the SQL generator.
final class TQuery {
    enum Shape { case rows, scalar, singleRow }
    struct Column { var name: String; var expr: TExpr }

    let entity: EntityDef
    /// `as of D`: a date expression with no fields (docs/language.md, “Time travel”).
    var asOf: TExpr?
    var filter: TExpr?
    var groupBy: [TExpr] = []
    var columns: [Column] = []
    var orderBy: [(expr: TExpr, descending: Bool)] = []
    var limit: TExpr?
    var offset: TExpr?
    var isCount = false
    var aggregatesOnly = false
    var having: TExpr?
    /// `pivot V by C`: the run finds C's values first, then adds one column per value.
    var pivot: (value: TExpr, by: TExpr)?
    /// `downstream of` / `upstream of` a task: its id, once resolved, is in `task`.
    var traversal: (downstream: Bool, task: TExpr)?
    /// Rows come from a set variable (`let late = tasks where ...`) ...
    var sourceSet: Int?
    /// ... or from a saved query, whose rows this query narrows.
    var base: TQuery?
    /// Columns as stored (references as ids), for the change statements' own queries.
    var rawColumns = false
    /// Set when the rows were named by one task's WBS code: finding none is an error.
    var namedTask: String?
    /// The statement's text when the query is a statement of its own (`tasks where ...`,
    /// `explain ...`): an error the database raises while it runs is located there.
    var statementRange: SourceRange?

    /// A query over the same rows with other columns.
    func sameRows(columns: [Column]) -> TQuery {
        let q = TQuery(entity: entity)
        q.filter = filter
        q.orderBy = orderBy
        q.limit = limit
        q.offset = offset
        q.sourceSet = sourceSet
        q.base = base
        q.asOf = asOf
        q.columns = columns
        q.rawColumns = true
        q.namedTask = namedTask
        q.traversal = traversal
        return q
    }

    init(entity: EntityDef) { self.entity = entity }

    /// What a run prints: a bare value for `count` and a one-aggregate select without grouping.
    var shape: Shape {
        if isCount { return .scalar }
        if aggregatesOnly { return columns.count == 1 ? .scalar : .singleRow }
        return .rows
    }
}

/// `F was V` and `F changed ...` (docs/language.md, “Time travel”): F is a stored field of the query's row.
struct JournalTest {
    /// A value as the journal stores it: a reference by its row id (looked up by key).
    struct Stored {
        var value: TExpr
        var reference: EntityDef?
    }
    enum Kind {
        /// `current` is `F = V` over the row (as of D when the query travels).
        case was(current: TExpr, value: Stored, negated: Bool)
        case changed(from: Stored?, to: Stored?, by: TExpr?, after: TExpr?, before: TExpr?)
    }
    var entity: EntityDef
    var column: String
    var kind: Kind
}
