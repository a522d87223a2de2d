/// Runs `update`, `assign`, `unassign`, `shift` and `delete` (docs/language.md, “Adding to the model”).
///
/// Work is set-based: the target rows and their new values are computed by one
/// SQL query into a temporary table, checked there against the model's rules,
/// journaled set-based from that table and applied from the journal (ChangeSQL). A refusal
/// throws before any row is written.
struct ChangeExecutor {
    let session: SessionContext

    private var db: any Engine { session.db }

    // MARK: - update

    /// The scratch table change statements compute into. It is made once with generic
    /// columns: creating a table per statement would change the schema and make SQLite
    /// prepare every cached statement again, which a loop of updates cannot afford.
    static let scratchColumns = 32

    /// `cacheable`: the values come from the checked statement itself (not resolved at run
    /// time), so the SQL made for them can be kept for the next iteration of a loop.
    /// `shifting`: `shift` pins a task that has not started with `constraint = snet`.
    func update(_ target: TQuery, _ values: [(field: FieldDef, value: UpdateValue)], _ range: SourceRange, verb: String = "updated",
                cacheable: Bool = false, shifting: Bool = false) throws -> ChangeReport {
        guard target.entity.field("id") != nil else { throw RuntimeError(code: .missingValue, message: "no id", range: range) }
        if let code = target.namedTask { try session.refuseAmbiguousWBS(code, range) }
        // The steps depend on the statement alone when no value is looked up or counted as
        // the statement runs: made once for a statement a loop runs again and again.
        let reusable = cacheable && !shifting && values.allSatisfy { v in
            switch v.value { case .expr, .duration: return true; case .reference, .workdays: return false }
        }
        if reusable, let known = session.updateSteps(for: target) {
            return try run(known, target, range, verb: verb)
        }
        let steps = try makeSteps(target, values, range, cacheable: cacheable, shifting: shifting)
        if reusable { session.rememberUpdateSteps(steps, for: target) }
        return try run(steps, target, range, verb: verb)
    }

    /// Plans an update: the scratch table's columns, the rules, and the SQL text of each step.
    private func makeSteps(_ target: TQuery, _ values: [(field: FieldDef, value: UpdateValue)], _ range: SourceRange,
                           cacheable: Bool, shifting: Bool) throws -> UpdateSteps {
        let entity = target.entity
        guard let idField = entity.field("id") else { throw RuntimeError(code: .missingValue, message: "no id", range: range) }
        var plan = ScratchPlan(entity: entity, range: range)
        plan.add(name: "id", idField)

        // c0 = id; then old and new value per field.
        var explicit: Set<String> = []
        // A duration counts from the start and in the owner's days the row will have: the
        // other items first, whatever their order in the statement (`set duration = 2wd,
        // start = 2026-03-16` is `set start = 2026-03-16, duration = 2wd`).
        func isLength(_ v: UpdateValue) -> Bool {
            switch v { case .duration, .workdays: return true; default: return false }
        }
        let ordered = values.filter { !isLength($0.value) } + values.filter { isLength($0.value) }
        for (f, v) in ordered {
            switch v {
            case .expr(let e):
                var newExpr = f.type == .list && e.type == .text ? TExpr(.function(.listOf, [e]), .list, e.range) : e
                // `set owner = null`: a null of the field's type (PostgreSQL types the scratch column by it).
                if case .value(.null) = e.kind { newExpr = TExpr(.value(.null), PType(f.type), e.range) }
                plan.assign(f, newExpr)
            case .reference(let target, let key) where key.readsRow:
                // A key the row computes (`set owner = notes`, `if(cost > 6000, "Li Wei", ...)`):
                // looked up row by row over the scratch rows, never one value for all rows.
                guard let keyName = target.key,
                      let a = plan.assign(f, TExpr(.value(.null), PType(f.type), key.range)) else { continue }
                let k = plan.computed("key_" + (f.column ?? f.name), key)
                let inProject = target.table == "tasks" && session.currentProject != nil
                plan.derive(ChangeSQL.idOfKey(into: a.new, table: target.table, key: keyName, keyColumn: k, inProject: inProject),
                            inProject ? [.integer(session.currentProject ?? 0)] : [])
                plan.keyedReferences.append((target, k, a.new, key.range))
            case .reference(let target, let key):
                let id = try session.resolveKey(target, try session.evaluate(key), key.range)
                plan.assign(f, TExpr(.value(id.map { .integer($0) } ?? .null), id == nil ? PType(f.type) : .number, key.range))
            case .duration(let d):
                // finish = start + duration - 1d (start is day 1); 0d keeps finish on start.
                guard let finish = entity.field("finish"), let start = entity.field("start") else { continue }
                let span = TExpr(.function(.abs, [d]), .duration, d.range)
                let one = TExpr(.value(.duration(1)), .duration, d.range)
                let minusOne = TExpr(.arithmetic(.sub, span, one), .duration, d.range)
                let days = TExpr(.function(.maxOf, [minusOne, TExpr(.value(.duration(0)), .duration, d.range)]), .duration, d.range)
                // From the start the statement sets, else the row's own.
                var from = plan.current(start)
                for (g, w) in values where g.name == "start" { if case .expr(let e) = w { from = e } }
                plan.assign(finish, TExpr(.arithmetic(.add, from, days), .date, d.range))
            case .workdays(let n):
                // The n-th working day from the task's own start, computed over the scratch rows.
                guard let finish = entity.field("finish"), let start = entity.field("start"),
                      let a = plan.assign(finish, plan.current(finish)) else { continue }
                let s = plan.assignment("start")?.new ?? plan.column(start)
                // In the owner's working days (docs/language.md, “Resources”): the owner as the row will have it.
                // The count: a constant, or the value of a variable holding working days (H13).
                guard let v = try session.evaluate(n).number, v == v.rounded(), let count = v.safeInt.map(Int64.init) else {
                    throw RuntimeError(code: .invalidValue, message: "a duration in working days needs a whole number of them", range: n.range)
                }
                guard count >= 0 else { throw RuntimeError(code: .invalidValue, message: "a duration cannot be negative", range: n.range) }
                if let ownerField = entity.field("owner"), entity.table == "tasks" {
                    let o = plan.assignment("owner").map { $0.new } ?? plan.column(ownerField)
                    plan.derive(ChangeSQL.workdayFinish(a.new, start: s, owner: o), [.integer(count)])
                } else {
                    plan.derive(ChangeSQL.workdayFinish(a.new, start: s, owner: nil), [.integer(count)])
                }
            }
            if let c = (f.name == "duration" ? entity.field("finish") : f)?.column { explicit.insert(c) }
        }
        // A duration counts from the start: a row with none would lose its finish (as `add`
        // refuses a duration without a start, the rows are named and nothing changes).
        if entity.table == "tasks", values.contains(where: { $0.field.name == "duration" }), let start = entity.field("start") {
            let from = plan.assignment("start")?.new ?? plan.column(start)
            plan.refusals.append((ChangeSQL.isNull(from), "a duration needs a start date to count from"))
        }
        // A constant duration says what kind of task it is, as in `add`: 0d makes a milestone,
        // any other length a task (a milestone's duration is 0d whatever its dates).
        if let days = constantDuration(values), let m = entity.field("milestone"),
           !values.contains(where: { $0.field.name == "milestone" }) {
            plan.assign(m, TExpr(.value(.bool(days == 0)), .bool, range))
            explicit.insert("milestone")
        }
        if entity.table == "tasks" { try planTaskRules(&plan, explicit: explicit, target: target, shifting: shifting) }
        if entity.table == "costs" { planCostRules(&plan, explicit: explicit) }
        if plan.assignment("start") != nil || plan.assignment("finish") != nil,
           let s = entity.field("start"), let f = entity.field("finish") {
            plan.startColumn = plan.column(s)
            plan.finishColumn = plan.column(f)
        }
        // Actual dates in order, as `add` and `import` require (set, or filled in by a status).
        if plan.assignment("actual_start") != nil || plan.assignment("actual_finish") != nil,
           let s = entity.field("actual_start"), let f = entity.field("actual_finish") {
            let start = plan.assignment("actual_start")?.new ?? plan.column(s)
            let finish = plan.assignment("actual_finish")?.new ?? plan.column(f)
            plan.refusals.append((ChangeSQL.finishBeforeStart(finish: finish, start: start), "actual_finish would be before actual_start"))
        }
        if entity.table == "people", let b = plan.assignment("backup") {
            plan.refusals.append((ChangeSQL.isOwnRow(b.new), "a person cannot be their own backup"))
        }
        // A person works at most 24 hours a day; a team may have more (PersonRules).
        if entity.table == "people", plan.assignment("capacity") != nil || plan.assignment("kind") != nil,
           let c = entity.field("capacity"), let k = entity.field("kind") {
            let capacity = plan.assignment("capacity")?.new ?? plan.column(c)
            let kind = plan.assignment("kind")?.new ?? plan.column(k)
            plan.refusals.append((PersonRules.capacityRefused(capacity: "c\(capacity)", kind: "c\(kind)"), PersonRules.capacityRefusal))
        }

        guard plan.columns.count <= ChangeExecutor.scratchColumns else {
            throw RuntimeError(code: .tooComplex, message: "update sets at most \((ChangeExecutor.scratchColumns - 3) / 2) fields at once", range: range)
        }
        let columns = plan.columns, assignments = plan.assignments
        let select: CompiledSQL
        if cacheable, !shifting, let known = session.changeSQL(for: target) {
            select = known
        } else {
            select = session.compiled(target.sameRows(columns: columns))
            if cacheable, !shifting { session.rememberChangeSQL(select, for: target) }
        }
        // A summary named on its own refuses a rolled-up field; in bulk it is left to follow its children.
        var summaryCheck: (sql: String, field: String)?
        if let flag = plan.summaryColumn {
            // In the statement's order (a Set's order differs from run to run).
            let named = assignments.filter { explicit.contains($0.column) && $0.field.rolledUp }
            if let first = named.first { summaryCheck = (ChangeSQL.scratchIDs(where: ChangeSQL.isSummary(flag)), first.field.name) }
        }
        var title: String?
        if UniqueTitles.applies(to: entity), let key = entity.key, let a = assignments.first(where: { $0.field.name == key }) {
            title = ChangeSQL.firstTakenTitle(table: entity.table, key: a.column, new: a.new, old: a.old)
        }
        return UpdateSteps(
            entity: entity, columnCount: columns.count, select: select, summaryCheck: summaryCheck,
            derived: plan.derived.map { (ChangeSQL.deriveInScratch($0.sql), $0.args) },
            keyed: plan.keyedReferences.map { (ChangeSQL.firstUnknownKey(keyColumn: $0.keyColumn, idColumn: $0.idColumn), $0.target, $0.range) },
            title: title,
            refusals: plan.refusals.map { (ChangeSQL.scratchIDs(where: $0.condition), $0.message) },
            checks: validation(entity, assignments.filter { !isKnownValid($0.field, columns[$0.new].expr) || plan.isDerived($0) },
                               startCol: plan.startColumn, finishCol: plan.finishColumn),
            journal: assignments.map { ChangeSQL.journalAssignment(table: entity.table, column: $0.column, old: $0.old, new: $0.new) },
            apply: assignments.map { (ChangeSQL.applyJournal(table: entity.table, column: $0.column), $0.field.name) },
            changed: assignments.count == 1 ? ChangeSQL.entriesSince : ChangeSQL.rowsChangedSince,
            callsForRollup: Rollup.calendarTables.contains(entity.table)
                || (entity.table == "tasks" && assignments.contains { Rollup.inputs.contains($0.column) }),
            summariesLeft: plan.summaryColumn.map { ChangeSQL.summariesLeft(flag: $0) },
            movesTasks: entity.table == "tasks" && assignments.contains(where: { $0.column == "project" || $0.column == "wbs" }))
    }

    /// Runs a planned update over the rows `target` picks now.
    private func run(_ steps: UpdateSteps, _ target: TQuery, _ range: SourceRange, verb: String) throws -> ChangeReport {
        let entity = steps.entity
        let matched = try db.fillScratch("pmq_rows", columns: steps.columnCount, maxColumns: ChangeExecutor.scratchColumns,
                                         select: steps.select.sql, args: try session.bindings(steps.select))
        defer { _ = try? db.clearScratch("pmq_rows") }
        if matched == 0, let code = target.namedTask { throw RuntimeError(code: .unknownRow, message: "unknown task \(code)", range: range) }

        if let check = steps.summaryCheck, target.namedTask != nil {
            let rows = try keys(entity, check.sql)
            if !rows.isEmpty {
                throw RuntimeError(code: .rolledUp, message: "\(rows.joined(separator: ", ")) is a summary: its \(check.field) rolls up from its children",
                                   range: range, notes: ["change the tasks below it instead, e.g. update tasks where wbs under \(target.namedTask ?? "") and not summary set ..."])
            }
        }
        for (sql, args) in steps.derived {
            try db.run(sql, args)
        }
        for r in steps.keyed {
            let unknown = try db.scalar(r.sql, [])
            if !unknown.isNull {
                let key = ConstantEvaluator.text(unknown)
                let named = r.target.table == "tasks" ? "task \(key)" : "\(r.target.singular) \"\(key)\""
                throw RuntimeError(code: .unknownRow, message: "unknown \(named)" + (r.target.table == "tasks" && session.currentProject == nil
                                   ? " (or a code in several projects: say which with use project \"CODE\")" : ""), range: r.range)
            }
        }
        // A title names one row (UniqueTitles): a new one another row has, or two rows would share, is refused.
        if let title = steps.title {
            var taken: (title: String, byAnother: Bool)?
            try db.query(title) { s in
                taken = (ConstantEvaluator.text(s[0]), s[1] == .integer(1))
            }
            if let taken { throw taken.byAnother ? UniqueTitles.taken(entity, taken.title, range) : UniqueTitles.shared(entity, taken.title, range) }
        }
        for (sql, message) in steps.refusals {
            let rows = try keys(entity, sql)
            if !rows.isEmpty { throw RuntimeError(code: .invalidValue, message: "\(message): refused for \(rows.joined(separator: ", "))", range: range) }
        }

        do {
            try db.lockRows(entity.table, idsSQL: ChangeSQL.allScratchIDs)
        } catch let e as StoreError where e.kind == .conflict {
            let rows = try keys(entity, ChangeSQL.allScratchIDsInOrder)
            throw RuntimeError(code: .conflict, message: "refused: another user changed the same rows while this ran (\(rows.joined(separator: ", "))); nothing was changed: run it again to apply it over their change",
                               range: range)
        }
        // The model's rules over the computed new values; the rows involved are named.
        for c in steps.checks {
            let rows = try keys(entity, c.sql, c.args)
            if !rows.isEmpty { throw RuntimeError(code: c.code, message: c.lead + rows.joined(separator: ", "), range: range) }
        }

        let set = try session.journal.set()
        let mark = try session.journal.mark()
        for sql in steps.journal {
            try db.run(sql, [.integer(set)])
        }
        for (sql, field) in steps.apply {
            do {
                try db.run(sql, [.integer(mark)])
            } catch let e as StoreError where e.kind == .constraint {
                let key = entity.key.map { "the same \($0)" } ?? "the same values"
                throw RuntimeError(code: .duplicate, message: "refused: two \(entity.plural) would have \(key) (\(field))", range: range)
            }
        }
        if steps.movesTasks, session.movedTasks == nil {
            session.movedTasks = range
        }
        // What changed, what already had the new values, and the summaries left to their children.
        var changed = 0
        var last: Int64?
        try db.query(steps.changed, [.integer(mark)]) { r in
            if case .integer(let n) = r[0] { changed = Int(n) }
            if case .integer(let l) = r[1] { last = l }
        }
        // Entries that call for no roll-up (`update t set priority = high`), written when every
        // entry before them was rolled up: the roll-up check before the next statement would
        // find nothing to derive, and is not asked (a loop's body runs it once an iteration;
        // BENCHMARKS.md, "Issue 10, figure f, third pass").
        if !steps.callsForRollup, session.rollupMark == mark, let last { session.rollupMark = last }
        var left = 0
        if let sql = steps.summariesLeft {
            left = try countRows(sql, [.integer(mark)])
        }
        var notes: [String] = []
        if matched - left > changed { notes.append("\(matched - left - changed) already so") }
        if left > 0 { notes.append("\(left) \(left == 1 ? "summary follows its" : "summaries follow their") children") }
        return ChangeReport(verb: verb, entity: entity.singular, count: changed, detail: nil,
                            note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// The length `set duration = ...` gives when it is a constant (`0d`, `5d`, `10wd`).
    private func constantDuration(_ values: [(field: FieldDef, value: UpdateValue)]) -> Int64? {
        for (f, v) in values where f.name == "duration" {
            switch v {
            case .duration(let d): if case .value(.duration(let n)) = d.kind { return Int64(abs(n)) }
            case .workdays(let n): if case .value(.integer(let k)) = n.kind { return Swift.abs(k) }
            default: break
            }
        }
        return nil
    }

    /// The task rules of docs/language.md, “Mid-project truth” an update follows besides its own `set` list:
    /// marking work done or doing fills in progress and actual dates; a summary keeps its
    /// rolled-up fields; `shift` pins a task that has not started; a constraint gets a date.
    private func planTaskRules(_ plan: inout ScratchPlan, explicit: Set<String>, target: TQuery, shifting: Bool) throws {
        let entity = plan.entity
        let today = Value.date(session.today)
        if let status = plan.assignment("status") {
            let start = plan.assignment("start").map(\.new) ?? (entity.field("start").map { plan.column($0) } ?? 0)
            if !explicit.contains("progress"), let f = entity.field("progress"), let p = plan.assign(f, plan.current(f)) {
                plan.derive(ChangeSQL.progressWhenDone(p.new, status: status.new), [])
            }
            if !explicit.contains("actual_finish"), let f = entity.field("actual_finish"), let p = plan.assign(f, plan.current(f)) {
                plan.derive(ChangeSQL.actualFinishWhenDone(old: p.old, new: p.new, status: status.new), [today])
            }
            if !explicit.contains("actual_start"), let f = entity.field("actual_start"), let p = plan.assign(f, plan.current(f)) {
                plan.derive(ChangeSQL.actualStartWhenStarted(old: p.old, new: p.new, status: status.new, start: start), [today])
            }
        }
        // A milestone is dated by one day: setting its finish (or its start) moves it whole,
        // as `shift` does, instead of stretching it over days or refusing an earlier date.
        if explicit.contains("start") != explicit.contains("finish"), !shifting,
           let startField = entity.field("start"), let finishField = entity.field("finish"), let m = entity.field("milestone") {
            let milestone = plan.assignment("milestone")?.new ?? plan.column(m)
            if explicit.contains("finish"), let f = plan.assignment("finish"), let s = plan.assign(startField, plan.current(startField)) {
                plan.derive(ChangeSQL.milestoneFollows(s.new, set: f.new, milestone: milestone), [])
            } else if let s = plan.assignment("start"), let f = plan.assign(finishField, plan.current(finishField)) {
                plan.derive(ChangeSQL.milestoneFollows(f.new, set: s.new, milestone: milestone), [])
            }
        }
        // A summary spans its children: it is never a milestone (its duration is theirs).
        if let m = plan.assignment("milestone"), let summary = entity.field("summary") {
            let flag = plan.column(summary)
            plan.refusals.append((ChangeSQL.summaryMadeMilestone(summary: flag, milestone: m.new),
                                  "a summary task spans its children and cannot be a milestone"))
        }
        // A task made a milestone without dates lasts no time: it finishes on its start day.
        if let m = plan.assignment("milestone"), !explicit.contains("start"), !explicit.contains("finish"),
           let startField = entity.field("start"), let finishField = entity.field("finish") {
            let start = plan.column(startField)
            if let f = plan.assign(finishField, plan.current(finishField)) {
                plan.derive(ChangeSQL.milestoneOnStart(finish: f.new, start: start, milestone: m.new), [])
            }
        }
        // Which rows are summaries: they keep rolled-up fields and are never pinned by shift.
        let rolled = plan.assignments.contains { $0.field.rolledUp }
        if rolled || shifting, let summary = entity.field("summary") { plan.summaryColumn = plan.column(summary) }
        if shifting, let start = plan.assignment("start"),
           let kind = entity.field("constraint"), let date = entity.field("constraint_date"),
           let actual = entity.field("actual_start"), let status = entity.field("status"),
           let k = plan.assign(kind, plan.current(kind)), let d = plan.assign(date, plan.current(date)) {
            plan.derive(ChangeSQL.pinUnstarted(kind: k.new, date: d.new, start: start.new, actualStart: plan.column(actual),
                                               status: plan.column(status), summary: plan.summaryColumn), [])
        }
        // A summary takes snet and fnlt, which bind the work below it; the other kinds would
        // pin dates that roll up from its children (MS Project refuses them too).
        if let k = plan.assignment("constraint_type"), let summary = entity.field("summary") {
            plan.refusals.append((ChangeSQL.summaryConstraint(summary: plan.column(summary), kind: k.new),
                                  "a summary takes only an snet or fnlt constraint, which holds for the work below it (as in MS Project)"))
        }
        // A constraint other than asap set without a date takes the task's start, as MS Project does.
        if let k = plan.assignment("constraint_type"), !explicit.contains("constraint_date"),
           let date = entity.field("constraint_date"), let startField = entity.field("start"),
           let d = plan.assign(date, plan.current(date)) {
            let s = plan.assignment("start")?.new ?? plan.column(startField)
            plan.derive(ChangeSQL.constraintDateFromStart(date: d.new, kind: k.new, start: s), [])
        }
        // Summaries keep their rolled-up fields: the roll-up after the statement sets them.
        if let flag = plan.summaryColumn {
            for a in plan.assignments where a.field.rolledUp {
                plan.derive(ChangeSQL.keepOnSummary(old: a.old, new: a.new, summary: flag), [])
            }
        }
    }

    /// A cost's `amount` is `qty × rate` when not given (docs/language.md, “Costs”): an update of
    /// `qty` or `rate` without `amount` keeps a derived amount derived (one that equals the old
    /// qty × rate, or is null); an amount that was given otherwise stays as it is.
    private func planCostRules(_ plan: inout ScratchPlan, explicit: Set<String>) {
        guard explicit.contains("qty") || explicit.contains("rate"), !explicit.contains("amount"),
              let qty = plan.entity.field("qty"), let rate = plan.entity.field("rate"), let amount = plan.entity.field("amount") else { return }
        let q = plan.assignment("qty"), r = plan.assignment("rate")
        let oldQty = q?.old ?? plan.column(qty), newQty = q?.new ?? plan.column(qty)
        let oldRate = r?.old ?? plan.column(rate), newRate = r?.new ?? plan.column(rate)
        guard let a = plan.assign(amount, plan.current(amount)) else { return }
        plan.derive(ChangeSQL.amountFollows(amount: a.new, old: a.old, oldQty: oldQty, oldRate: oldRate,
                                            newQty: newQty, newRate: newRate), [])
    }

    /// A literal new value that meets the field's rules needs no check row by row.
    // (Written as one switch: a 6.3 release build crashed in CopyPropagation on an if-chain here.)
    private func isKnownValid(_ f: FieldDef, _ e: TExpr) -> Bool {
        guard case .value(let v) = e.kind else { return false }
        switch (v, f.type) {
        case (.null, _):
            return !f.neverNull
        case (.text, .enumeration), (.date, .date), (.text, .text), (.integer, _), (.decimal, _):
            // Stored exactly as written and within the field's rules (FieldRules, as add checks).
            if case .success(let stored) = FieldRules.check(v, f) { return stored == v }
            return false
        case (_, .enumeration), (_, .date):
            return false
        default:
            return true
        }
    }

    private func countRows(_ sql: String, _ args: [Value] = []) throws -> Int {
        if case .integer(let n) = try db.scalar(sql, args) { return Int(n) }
        return 0
    }

    /// The model's rules over the computed new values, in the order they are checked: each a
    /// query for the rows that break it, and the message that names them after `lead`.
    private func validation(_ entity: EntityDef, _ assignments: [ScratchPlan.Assignment],
                            startCol: Int?, finishCol: Int?) -> [UpdateSteps.Check] {
        var checks: [UpdateSteps.Check] = []
        for a in assignments {
            // Null first, with its own message: a null progress is not "out of 0 to 100".
            if a.field.neverNull {
                checks.append(.init(sql: ChangeSQL.scratchIDs(where: ChangeSQL.isNull(a.new)), args: [], code: .nullNotAllowed,
                                    lead: "\(a.field.name) cannot be null: refused for "))
            }
            var bad: String?
            var args: [Value] = []
            var message = ""
            if a.field.type == .date {
                bad = ChangeSQL.outside(a.new, low: "\(Day.earliest.number)", high: "\(Day.latest.number)")
                message = "\(a.field.name) would be out of range (0001-01-01 to 9999-12-31)"
            } else if let b = a.field.bounds {
                bad = ChangeSQL.outside(a.new, low: formatNumber(b.lowerBound), high: formatNumber(b.upperBound))
                message = "\(a.field.name) must be between \(formatNumber(b.lowerBound)) and \(formatNumber(b.upperBound))"
            } else if case .enumeration(let vs) = a.field.type {
                // A custom enum's values are the user's text: bound, never pasted.
                bad = ChangeSQL.notAmong(a.new, session.dialect.textsOf("?1"))
                args = [.text(encodeList(vs))]
                message = "\(a.field.name) must be one of \(vs.joined(separator: ", "))"
            }
            if let bad {
                checks.append(.init(sql: ChangeSQL.scratchIDs(where: bad), args: args, code: .invalidValue, lead: "\(message): refused for "))
            }
        }
        if let s = startCol, let f = finishCol {
            let newStart = assignments.first { $0.column == "start" }?.new ?? s
            let newFinish = assignments.first { $0.column == "finish" }?.new ?? f
            checks.append(.init(sql: ChangeSQL.scratchIDs(where: ChangeSQL.finishBeforeStart(finish: newFinish, start: newStart)), args: [],
                                code: .datesOutOfOrder, lead: "finish would be before start for "))
        }
        return checks
    }

    /// How rows are named in messages: `task 1.2`, `person "Li Wei"`.
    func keys(_ entity: EntityDef, _ idSQL: String, _ args: [Value] = []) throws -> [String] {
        var ids: [Int64] = []
        try db.query(idSQL, args) { s in if case .integer(let i) = s[0] { ids.append(i) } }
        let more = ids.count > 5
        return try ids.prefix(5).map { try session.describe(entity, $0) } + (more ? ["..."] : [])
    }

    // MARK: - assign / unassign

    /// `assign P to <rows>` (role nil) makes P the owner, the Responsible one; `assign P as ROLE to <rows>` adds a ROLE
    /// assignment, once, and `as R` also makes P the owner, so an assignments pivot (the RACI matrix) shows the R.
    func assign(_ person: TExpr, role: String?, _ target: TQuery, _ range: SourceRange) throws -> ChangeReport {
        let (personID, name) = try resolvePerson(person)
        if let code = target.namedTask { try session.refuseAmbiguousWBS(code, range) }
        var owned: ChangeReport?
        if role == nil || role == "R" {
            guard let owner = target.entity.field("owner") else { throw RuntimeError(code: .missingValue, message: "no owner", range: range) }
            let r = try update(target, [(owner, .expr(TExpr(.value(.integer(personID)), .number, range)))], range)
            owned = ChangeReport(verb: "assigned \"\(name)\" to", entity: "task", count: r.count, detail: nil)
        }
        guard let role else { return owned ?? ChangeReport(verb: "assigned \"\(name)\" to", entity: "task", count: 0, detail: nil) }
        let ids = session.compiled(target, idsOnly: true)
        let args = try session.bindings(ids)
        let n = args.count
        let set = try session.journal.set()
        let before = try countRows(ChangeSQL.lastAssignment)
        try db.run(ChangeSQL.insertAssignments(ids: ids.sql, after: n), args + [.integer(personID), .text(role)])
        let added = try countRows(ChangeSQL.assignmentsAfter, [.integer(Int64(before))])
        try db.run(ChangeSQL.journalAddedAssignments, [.integer(set), .integer(Int64(before))])
        return ChangeReport(verb: "assigned \"\(name)\" as \(role) to", entity: "task", count: max(added, owned?.count ?? 0), detail: nil)
    }

    func unassign(_ person: TExpr, role: String?, _ target: TQuery, _ range: SourceRange) throws -> ChangeReport {
        let (personID, name) = try resolvePerson(person)
        if let code = target.namedTask { try session.refuseAmbiguousWBS(code, range) }
        // The target's ids with the person (and role) after them: what the count and the
        // removal of assignments both bind.
        let ids = session.compiled(target, idsOnly: true)
        var args = try session.bindings(ids)
        let n = args.count
        args.append(.integer(personID))
        if let role { args.append(.text(role)) }
        // The report counts tasks, each once, however many roles the person held on it.
        let tasks = try countRows(ChangeSQL.tasksUnassigned(ids: ids.sql, after: n, owner: role == nil || role == "R",
                                                             assignments: true, withRole: role != nil), args)
        if role == nil || role == "R" {
            guard let owner = target.entity.field("owner") else { throw RuntimeError(code: .missingValue, message: "no owner", range: range) }
            let narrowed = target.sameRows(columns: [])
            narrowed.rawColumns = false
            let ownerIs = TExpr(.compare(.eq, TExpr(.field(FieldPath(root: target.entity, hops: [], field: owner)), .number, range),
                                         TExpr(.value(.integer(personID)), .number, range)), .bool, range)
            narrowed.filter = narrowed.filter.map { TExpr(.logic(.and, $0, ownerIs), .bool, range) } ?? ownerIs
            _ = try update(narrowed, [(owner, .expr(TExpr(.value(.null), .null, range)))], range).count
        }
        do {   // `as R` takes the R assignments too, as `assign ... as R` adds one
            let condition = ChangeSQL.assignmentsOf(ids: ids.sql, after: n, withRole: role != nil)
            let set = try session.journal.set()
            try session.journal.recordRemoval(set, "assignments", where: condition, args)
            _ = try db.run(ChangeSQL.deleteAssignments(where: condition), args)
        }
        return ChangeReport(verb: "unassigned \"\(name)\"\(role.map { " as \($0)" } ?? "") from", entity: "task", count: tasks, detail: nil)
    }

    private func resolvePerson(_ e: TExpr) throws -> (Int64, String) {
        let v = try session.evaluate(e)
        guard case .text(let key) = v.asKey else {
            throw RuntimeError(code: .missingValue, message: "no person to assign: the expression is null", range: e.range)
        }
        guard let id = try session.resolveKey(session.schema.people, .text(key), e.range) else {
            throw RuntimeError(code: .missingValue, message: "no person to assign", range: e.range)
        }
        return (id, key)
    }

    // MARK: - shift

    func shift(_ target: TQuery, days: TExpr, workdays: Bool, _ range: SourceRange) throws -> ChangeReport {
        var values: [(FieldDef, UpdateValue)] = []
        for name in ["start", "finish"] {
            guard let f = target.entity.field(name) else { continue }
            let current = TExpr(.field(FieldPath(root: target.entity, hops: [], field: f)), .date, range)
            // A task moves by its owner's working days.
            let owner = Checker.ownerOfRow(target.entity, range)
            let moved = workdays ? (owner.map { TExpr(.function(.addOwnerWorkdays, [current, days, $0]), .date, range) }
                                    ?? TExpr(.addWorkdays(current, days, subtract: false), .date, range))
                                 : TExpr(.arithmetic(.add, current, days), .date, range)
            values.append((f, .expr(moved)))
        }
        return try update(target, values, range, verb: "shifted", shifting: true)
    }

    // MARK: - delete

    func delete(_ target: TQuery, _ range: SourceRange) throws -> ChangeReport {
        let entity = target.entity
        if let code = target.namedTask { try session.refuseAmbiguousWBS(code, range) }
        let ids = session.compiled(target, idsOnly: true)
        let args = try session.bindings(ids)
        try db.run(ChangeSQL.makeDoomed)
        try db.run(ChangeSQL.clearDoomed)
        try db.run(ChangeSQL.fillDoomed(ids.sql), args)
        defer { _ = try? db.run(ChangeSQL.clearDoomed) }

        if entity.table == "tasks" {
            if let code = target.namedTask, case .integer(0) = try db.scalar(ChangeSQL.countDoomed) {
                throw RuntimeError(code: .unknownRow, message: "unknown task \(code)", range: range)
            }
            // A summary goes only with its whole branch: no task may be left without its parent.
            let summaries = try keys(entity, ChangeSQL.summariesLeavingChildren)
            if !summaries.isEmpty {
                let code = summaries[0].hasPrefix("task ") ? String(summaries[0].dropFirst(5)) : summaries[0]
                throw RuntimeError(code: .stillReferenced, message: "cannot delete \(summaries.joined(separator: ", ")): a summary goes only with the tasks below it",
                                   range: range, notes: ["delete the whole branch: delete tasks where wbs under \(code)"])
            }
            // Links go with their tasks, but a task others still wait for is not pulled from under them.
            let blocking = try keys(entity, ChangeSQL.blockingPredecessors)
            if !blocking.isEmpty {
                let dependents = try keys(entity, ChangeSQL.waitingSuccessors)
                throw RuntimeError(code: .stillReferenced, message: "cannot delete \(blocking.joined(separator: ", ")): \(dependents.joined(separator: ", ")) depend\(dependents.count == 1 ? "s" : "") on it",
                                   range: range, notes: ["delete those dependencies first: delete dependencies where pred = ..."])
            }
        }
        // Every reference to the doomed rows, from the schema (built-in and custom alike):
        // refused while it holds, removed with them, or cleared, each as its field says.
        let references = session.schema.references(to: entity.table)
        for r in references where r.field.onDelete == .refuse {
            // Rows deleted together may name each other (a person and their backup).
            let holding = ChangeSQL.referencesToDoomed(r.column, sameTable: r.table == entity.table)
            guard case .integer = try db.scalar(ChangeSQL.firstHolder(table: r.table, where: holding)),
                  let holder = session.schema.entity(table: r.table) else { continue }
            let doomedKeys = try keys(entity, ChangeSQL.referencedDoomed(table: r.table, column: r.column, where: holding))
            let holderKeys = try keys(holder, ChangeSQL.someHolders(table: r.table, where: holding))
            let subject = doomedKeys.joined(separator: ", ")
            switch (r.table, r.column) {
            case ("tasks", "owner"):
                throw RuntimeError(code: .stillReferenced, message: "cannot delete \(subject): still owns \(holderKeys.joined(separator: ", "))",
                                   range: range, notes: ["reassign them first: assign \"someone\" to tasks where owner = ..."])
            case ("tasks", "project"):
                throw RuntimeError(code: .stillReferenced, message: "cannot delete \(subject): it still has tasks", range: range)
            case ("assignments", "person"):
                // Assignments have no key: named by what they are, the task and the role.
                var held: [String] = []
                try db.query(ChangeSQL.assignmentsNamed(where: holding)) { s in
                    held.append("task \(ConstantEvaluator.text(s[0])) (role \(ConstantEvaluator.text(s[1])))")
                }
                if held.count > 5 { held = held.prefix(5) + ["..."] }
                throw RuntimeError(code: .stillReferenced, message: "cannot delete \(subject): still assigned to \(held.joined(separator: ", "))", range: range,
                                   notes: ["unassign them first: unassign \"NAME\" from tasks where ..."])
            default:
                throw RuntimeError(code: .stillReferenced, message: "cannot delete \(subject): still the \(r.field.name) of \(holderKeys.joined(separator: ", "))", range: range,
                                   notes: ["change or delete \(holderKeys.count == 1 ? "it" : "them") first"])
            }
        }
        let set = try session.journal.set()
        for r in references where r.field.onDelete == .cascade {
            // Journaled whole before they go, so undo can bring them back.
            let holding = ChangeSQL.referencesToDoomed(r.column, sameTable: false)
            try session.journal.recordRemoval(set, r.table, where: holding, [])
            try db.run(ChangeSQL.deleteRows(table: r.table, where: holding))
        }
        for r in references where r.field.onDelete == .setNull {
            let holding = ChangeSQL.referencesToDoomed(r.column, sameTable: false)
            try session.journal.recordCleared(set, r.table, r.column, where: holding)
            try db.run(ChangeSQL.clearColumn(table: r.table, column: r.column, where: holding))
        }
        try session.journal.recordRemoval(set, entity.table, where: ChangeSQL.doomedRows, [])
        let n = try db.run(ChangeSQL.deleteRows(table: entity.table, where: ChangeSQL.doomedRows))
        return ChangeReport(verb: "deleted", entity: entity.singular, count: n, detail: nil)
    }
}

extension Value {
    /// A value as a key to look a row up by.
    var asKey: Value {
        switch self {
        case .reference(let s): return .text(s)
        case .integer(let i): return .text(String(i))
        default: return self
        }
    }
}
