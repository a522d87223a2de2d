/// The columns a change statement computes into the scratch table `temp.pmq_rows`, and
/// what is done to them there before anything is written.
///
/// Column `c0` is the row's id. Each assigned field has an old and a new column; plain
/// columns carry values the rules need (a task's start, whether it is a summary). Rules
/// that depend on the new values (`status = done` fills in progress) are `derived`
/// updates of the scratch rows: set-based, with every value bound, over column names
/// made here from indexes, never from user text.
struct ScratchPlan {
    struct Assignment {
        var column: String
        var field: FieldDef
        var old: Int
        var new: Int
    }

    let entity: EntityDef
    let range: SourceRange
    private(set) var columns: [TQuery.Column] = []
    private(set) var assignments: [Assignment] = []
    /// Plain columns by stored column name.
    private var plain: [String: Int] = [:]
    private(set) var derived: [(sql: String, args: [Value])] = []
    /// Columns whose new value a derived update may change: validated row by row.
    private var derivedColumns: Set<Int> = []
    /// Conditions over the scratch rows that refuse the statement, with their message.
    var refusals: [(condition: String, message: String)] = []
    var summaryColumn: Int?
    var startColumn: Int?
    var finishColumn: Int?

    init(entity: EntityDef, range: SourceRange) {
        self.entity = entity
        self.range = range
    }

    /// The row's current value of `f`.
    func current(_ f: FieldDef) -> TExpr {
        TExpr(.field(FieldPath(root: entity, hops: [], field: f)), PType(f.type), range)
    }

    mutating func add(name: String, _ f: FieldDef) {
        columns.append(.init(name: name, expr: current(f)))
    }

    /// A plain column holding the row's current `f`, made once.
    mutating func column(_ f: FieldDef) -> Int {
        let key = f.column ?? f.name
        if let i = plain[key] { return i }
        columns.append(.init(name: key, expr: current(f)))
        plain[key] = columns.count - 1
        return columns.count - 1
    }

    /// Old and new columns for `f`; nil for a field that is not stored.
    @discardableResult
    mutating func assign(_ f: FieldDef, _ newValue: TExpr) -> Assignment? {
        guard let column = f.column else { return nil }
        if let existing = assignments.first(where: { $0.column == column }) { return existing }
        columns.append(.init(name: "old_" + column, expr: current(f)))
        columns.append(.init(name: "new_" + column, expr: newValue))
        let a = Assignment(column: column, field: f, old: columns.count - 2, new: columns.count - 1)
        assignments.append(a)
        return a
    }

    func assignment(_ column: String) -> Assignment? { assignments.first { $0.column == column } }

    /// A plain column holding a value the row computes (a key to look up), made each time.
    mutating func computed(_ name: String, _ e: TExpr) -> Int {
        columns.append(.init(name: name, expr: e))
        return columns.count - 1
    }

    /// References set from a key each row computes: the id is looked up over the scratch
    /// rows, and a key naming no row refuses the statement.
    var keyedReferences: [(target: EntityDef, keyColumn: Int, idColumn: Int, range: SourceRange)] = []

    /// `sql` is the SET list of an UPDATE over the scratch rows.
    mutating func derive(_ sql: String, _ args: [Value]) {
        derived.append((sql, args))
        for a in assignments where sql.contains("c\(a.new) =") { derivedColumns.insert(a.new) }
    }

    func isDerived(_ a: Assignment) -> Bool { derivedColumns.contains(a.new) }
}

/// An update planned: what `ChangeExecutor.update` does, in order, with the SQL text of each
/// step made from the statement. A statement whose values are not looked up as it runs keeps
/// its steps for the run, so a loop's `update t set ...` plans once and then only binds and
/// runs the same texts row after row (BENCHMARKS.md, "Issue 10, figure f, second pass").
struct UpdateSteps {
    /// A rule over the scratch rows: the rows that break it, and the message naming them after `lead`.
    struct Check {
        let sql: String
        let args: [Value]
        let code: MessageID
        let lead: String
    }

    let entity: EntityDef
    let columnCount: Int
    /// The rows and their old and new values, into the scratch table.
    let select: CompiledSQL
    /// A summary named on its own refuses this rolled-up field.
    let summaryCheck: (sql: String, field: String)?
    /// Values the rules derive over the scratch rows.
    let derived: [(sql: String, args: [Value])]
    /// Keys a row computes that must name a row.
    let keyed: [(sql: String, target: EntityDef, range: SourceRange)]
    /// A title another row has, or two rows would share.
    let title: String?
    let refusals: [(sql: String, message: String)]
    let checks: [Check]
    /// One journal INSERT and one UPDATE from the journal per assigned field.
    let journal: [String]
    let apply: [(sql: String, field: String)]
    /// How many rows (or entries) changed, and the last entry's id; how many summaries were
    /// left to their children.
    let changed: String
    /// Whether the entries the update writes can call for a roll-up (`RollupSQL.needed`: a
    /// task's roll-up input, or a calendar table). When not, the roll-up check before the next
    /// statement is not asked about them.
    let callsForRollup: Bool
    let summariesLeft: String?
    /// The update moves tasks (project or wbs): WBS integrity is checked at commit.
    let movesTasks: Bool
}
