/// The syntax tree. Every node carries the source range it was parsed from,
/// so the checker and the runtime can point at the exact text.
struct Name: Equatable {
    var text: String
    var range: SourceRange
    var lowered: String { text.lowercased() }
    /// Whether the name is `word` (lower-case ASCII), capitals folded, without making a String.
    func isWord(_ word: String) -> Bool {
        let a = text.utf8, b = word.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in x == y || (x >= 65 && x <= 90 && x + 32 == y) }
    }
}

final class Expr {
    enum Kind {
        case number(Double, text: String)     // text kept: `1.10` as a WBS code is not `1.1`
        case wbs(String)
        case string(String)
        case interpolated([Interpolation])
        case date(Day)
        case duration(Double, DurationUnit)
        case null
        case name(String)                      // a field, a variable, an enum value, `today`, `true`
        case member(Expr, Name)                // owner.department
        case call(Name, [Expr])
        case unary(UnaryOp, Expr)
        case binary(BinaryOp, Expr, Expr)
        case inList(Expr, [Expr], negated: Bool)
        case inValue(Expr, Expr, negated: Bool) // "infra" in tags
        case isNull(Expr, negated: Bool)
        case between(Expr, Expr, Expr, negated: Bool)
        case under(Expr, Expr)
        case subquery(Query)
        case list([Expr])
        /// `case when c1 then v1 ... [else v] end`; `if(c, a, b)` is a call until checked.
        case caseWhen([(condition: Expr, value: Expr)], otherwise: Expr?)
        /// `F was V`, `F was not V` (docs/language.md, “Time travel”).
        case was(Expr, Expr, negated: Bool)
        /// `F changed [from V] [to V] [by "user"] [after D] [before D]`.
        case changed(Expr, ChangeFilter)
    }
    /// The optional parts of `changed`, each as written.
    struct ChangeFilter {
        var from: Expr?, to: Expr?, by: Expr?, after: Expr?, before: Expr?
    }
    enum Interpolation { case text(String), expr(Expr) }

    let kind: Kind
    let range: SourceRange
    init(_ kind: Kind, _ range: SourceRange) { self.kind = kind; self.range = range }
}

enum UnaryOp: String { case not, negate = "-" }

enum BinaryOp: String {
    case or, and
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", contains = "~", notContains = "!~"
    case add = "+", sub = "-", mul = "*", div = "/"

    // Switches, not `[...].contains(self)`: an array literal is made on every asking.
    var isComparison: Bool {
        switch self {
        case .eq, .ne, .lt, .le, .gt, .ge: return true
        default: return false
        }
    }
    var isOrdering: Bool {
        switch self {
        case .lt, .le, .gt, .ge: return true
        default: return false
        }
    }
}

struct Traversal {
    var downstream: Bool
    var task: Expr
}

struct SelectItem {
    var expr: Expr
    var alias: Name?
    var range: SourceRange
    /// The item as written, its spaces and line breaks each run made one space: the column name of
    /// an item without `as` that has no normalised spelling (a nested query, `between`, ...).
    var written: String? = nil
}

struct OrderItem {
    var expr: Expr
    var descending: Bool
}

/// `<source> [as <name>] [where] [group by [having] [pivot]] [select] [order by] [limit [offset]]`,
/// or `count <query>`.
final class Query {
    var source: Name
    /// `tasks as t`: the name nested queries use for this query's row.
    var alias: Name?
    /// `downstream of 3.3.1` / `upstream of 3.3.1`: the source is the tasks reachable from (to) a task.
    var traversal: Traversal?
    /// `as of D`: the query runs over the model as it was at the end of day D.
    var asOf: Expr?
    var filter: Expr?
    var groupBy: [Expr] = []
    var having: Expr?
    /// `pivot V by C`: one column per distinct value of C, holding V.
    var pivot: (value: Expr, by: Expr)?
    var select: [SelectItem]?
    var orderBy: [OrderItem] = []
    var limit: Expr?
    var offset: Expr?
    var isCount = false
    var range: SourceRange
    init(source: Name, range: SourceRange) { self.source = source; self.range = range }
}

/// `add <entity> [literal] (field value)*` and `add dependency A -> B ...`.
struct AddStatement {
    var entity: Name
    var literal: Expr?
    var pairs: [(field: Name, value: Expr)]
    var link: (pred: Expr, succ: Expr)?
}

/// `add field "vendor" to tasks type enum values ("A", "B") default "A"` (docs/language.md, “Custom fields”).
struct AddFieldStatement {
    var name: Name              // as written, quoted or bare
    var entity: Name
    var type: Name              // text, number, ..., enum, or a singular entity name
    var values: [Expr]?         // enum values
    var defaultValue: Expr?
}

/// Where a change statement applies: a query, or an expression naming rows
/// (a `for` variable, a set variable, a WBS code).
enum Target {
    case query(Query)
    case expr(Expr)

    var range: SourceRange {
        switch self {
        case .query(let q): return q.range
        case .expr(let e): return e.range
        }
    }
}

/// The right side of `let`: a query gives a set (or a value, for count), anything else a value.
enum Binding {
    case query(Query)
    case expr(Expr)
}

struct Statement {
    indirect enum Kind {
        case query(Query)
        case explain(Query)
        case add(AddStatement)
        case use(Expr)
        case update(Target, [(field: Name, value: Expr)])
        case assign(person: Expr, role: Name?, target: Target)
        case unassign(person: Expr, role: Name?, target: Target)
        case shift(Target, by: Expr)
        case delete(Target)
        case letBinding(Name, Binding)
        case rebind(Name, Binding)
        case param(Name, Expr)
        case forLoop(Name, Target, [Statement])
        case ifElse([(condition: Expr, body: [Statement])], otherwise: [Statement]?)
        case function(Name, [Name], Expr)
        case print(Expr)
        /// A bare expression statement, `(count tasks) > 5`: its value is the result.
        case value(Expr)
        case assert(Expr, message: Expr?)
        case saveQuery(Name, Query, text: String)
        case dropQuery(Name)
        case addField(AddFieldStatement)
        /// `drop field "vendor" from tasks`.
        case dropField(Name, entity: Name)
        case showQueries
        /// `save rule "NAME" <query> [severity warning|error]` (docs/language.md, “Time travel”).
        case saveRule(Expr, Query, text: String, severity: Name?)
        case dropRule(Expr)
        case showRules
        case checkRules
        /// `history`, `history of 1.2`, `history of person "Li Wei"` (any entity with a key).
        case history(of: Expr?, entity: Name?)
        case undo, redo
        case schedule
        /// `schedule level [within 200ms]` (docs/language.md, “Resources”).
        case scheduleLevel(within: Expr?)
        case baselineSave
        case health(asOf: Expr?)
        case importFile(Expr, code: Expr?)
        /// `gantt <query of tasks>` (docs/language.md, “Pictures”).
        case gantt(Query)
        /// `report to "F.html"` (docs/language.md, “Pictures”).
        case report(to: Expr)
        /// `import "F.csv" into tasks` (also .tsv and .json): rows of one entity (docs/language.md, “Data in and out”);
        /// `from taskwarrior` names another program's format.
        case importInto(Expr, entity: Name, from: Name?)
        /// `export <query> to "F"`, or `export project to "F.xml"` (query nil); `as taskwarrior`
        /// names another program's format.
        case export(Query?, to: Expr, as: Name?)
        case begin, commit, rollback
    }
    var kind: Kind
    var range: SourceRange
}
