/// A statement after checking, ready for the interpreter. Blocks hold their own
/// checked statements; names are already slots.
indirect enum Checked {
    case query(TQuery)
    case explain(TQuery)
    case add(TAdd)
    case use(Value, SourceRange)
    case update(TQuery, [(field: FieldDef, value: UpdateValue)], SourceRange)
    case assign(person: TExpr, role: String?, target: TQuery, SourceRange)   // nil: `assign P to` (owner only)
    case unassign(person: TExpr, role: String?, target: TQuery, SourceRange)
    case shift(TQuery, days: TExpr, workdays: Bool, SourceRange)
    case delete(TQuery, SourceRange)
    case bindValue(slot: Int, TExpr, SourceRange)
    /// `day`: the slot holding the day of a set taken `as of` a day (Checker.setDays).
    case bindSet(slot: Int, day: Int?, TQuery, SourceRange)
    case forLoop(slot: Int, TQuery, [Checked], SourceRange)
    case ifElse([(TExpr, [Checked])], [Checked]?)
    case print(TExpr, SourceRange)
    case value(TExpr)
    case assert(TExpr, message: TExpr?, SourceRange)
    case saveQuery(name: String, text: SavedText, SourceRange)
    case dropQuery(String, SourceRange)
    /// `add field` (docs/language.md, “Custom fields”): the field as it will be stored (its id comes when it runs).
    case addField(CustomField, SourceRange)
    case dropField(table: String, name: String, SourceRange)
    case showQueries
    case saveRule(name: String, text: SavedText, severity: String, SourceRange)
    case dropRule(String, SourceRange)
    case showRules
    case checkRules(SourceRange)
    /// `history`, or one row's changes: its entity and key.
    case history(row: (entity: EntityDef, key: Value)?, SourceRange)
    case undo(SourceRange), redo(SourceRange)
    case schedule(SourceRange)
    /// `schedule level`, with its search budget in milliseconds.
    case scheduleLevel(budgetMilliseconds: Int, SourceRange)
    case baselineSave(SourceRange)
    case health(TExpr?, SourceRange)
    case addHoliday(from: Day, to: Day, name: String?, SourceRange)
    case importFile(path: String, code: String?, SourceRange)
    case gantt(TQuery, SourceRange)
    case report(path: String, SourceRange)
    /// `import "F.csv" into tasks`: the file's path (text) and the entity.
    case importInto(path: TExpr, EntityDef, SourceRange)
    /// `export <query> to "F"`; `export project to "F.xml"` has no query.
    case export(TQuery?, path: TExpr, SourceRange)
    /// `import "F.json" into tasks from taskwarrior`.
    case importTaskwarrior(path: TExpr, SourceRange)
    /// `export <query of tasks> to "F.json" as taskwarrior`.
    case exportTaskwarrior(TQuery, path: TExpr, SourceRange)
    case begin(SourceRange), commit(SourceRange), rollback(SourceRange)
    case nothing
}

extension Checked {
    /// Where the statement is, for a runtime error that has no place of its own (a
    /// database error, an error raised deep in an executor); nil for the few kinds that
    /// carry no range (queries name their rows, not their text).
    var range: SourceRange? {
        switch self {
        case .use(_, let r), .update(_, _, let r), .assign(_, _, _, let r), .unassign(_, _, _, let r), .shift(_, _, _, let r),
             .delete(_, let r), .bindValue(_, _, let r), .bindSet(_, _, _, let r), .forLoop(_, _, _, let r), .print(_, let r),
             .assert(_, _, let r), .saveQuery(_, _, let r), .dropQuery(_, let r), .addField(_, let r), .dropField(_, _, let r),
             .saveRule(_, _, _, let r), .dropRule(_, let r), .checkRules(let r), .history(_, let r), .undo(let r), .redo(let r),
             .schedule(let r), .scheduleLevel(_, let r), .baselineSave(let r), .health(_, let r), .addHoliday(_, _, _, let r), .importFile(_, _, let r),
             .gantt(_, let r), .report(_, let r), .importInto(_, _, let r), .export(_, _, let r),
             .importTaskwarrior(_, let r), .exportTaskwarrior(_, _, let r),
             .begin(let r), .commit(let r), .rollback(let r):
            return r
        case .add(let a): return a.range
        case .value(let e): return e.range
        case .query(let q), .explain(let q): return q.statementRange
        case .ifElse, .showQueries, .showRules, .nothing: return nil
        }
    }

    /// Whether running this only reads the database (temporary tables aside).
    var readsOnly: Bool {
        switch self {
        case .query, .explain, .use, .bindValue, .bindSet, .print, .value, .assert, .showQueries, .history, .health, .nothing:
            return true
        case .forLoop(_, _, let body, _): return body.allSatisfy(\.readsOnly)
        case .ifElse(let branches, let otherwise):
            return branches.allSatisfy { $0.1.allSatisfy(\.readsOnly) } && (otherwise ?? []).allSatisfy(\.readsOnly)
        default: return false
        }
    }
}

extension Statement {
    /// The keyword of a statement that changes the database, for read-only refusals.
    /// (Statements inside blocks are checked, and refused, one by one.)
    var changeVerb: String? {
        switch kind {
        case .add(let a) where a.entity.isWord("holiday") || a.entity.isWord("holidays"): return "add holiday"
        case .add: return "add"
        case .update: return "update"
        case .assign: return "assign"
        case .unassign: return "unassign"
        case .shift: return "shift"
        case .delete: return "delete"
        case .saveQuery: return "save query"
        case .dropQuery: return "drop query"
        case .addField: return "add field"
        case .dropField: return "drop field"
        case .saveRule: return "save rule"
        case .dropRule: return "drop rule"
        case .undo: return "undo"
        case .redo: return "redo"
        case .schedule: return "schedule"
        case .scheduleLevel: return "schedule level"
        case .importFile, .importInto: return "import"
        case .baselineSave: return "baseline save"
        // Read-only, or checked one by one inside their blocks; each case named, so a new
        // statement must be classified here to compile.
        case .query, .explain, .use, .letBinding, .rebind, .param, .forLoop, .ifElse, .function, .print, .value, .assert,
             .showQueries, .showRules, .checkRules, .history, .health, .gantt, .report, .export, .begin, .commit, .rollback:
            return nil
        }
    }
}

/// The new value of one field in `update`: an expression over the row, or a
/// reference named by its key and resolved when the statement runs.
enum UpdateValue {
    case expr(TExpr)
    case reference(entity: EntityDef, key: TExpr)
    /// `set duration = 5d`: the finish moves so the task lasts that long.
    case duration(TExpr)
    /// `set duration = 10wd`: the finish is the 10th working day counted from the task's
    /// own start (the start is day 1), as `add ... duration 10wd` counts (docs/language.md, “Mid-project truth”).
    /// The count is a number: a constant, or what a variable holding working days holds.
    case workdays(TExpr)
}

extension Checker {
    /// Checks one statement of any kind (docs/language.md, “Queries, Adding to the model, Scripts”).
    mutating func checkStatement(_ s: Statement) -> Checked? {
        let none = Scope(entity: Checker.noFields)
        if readOnly, let verb = s.changeVerb {
            diagnostics.error(.readOnly, "read-only: \(verb) is not allowed here", s.range)
            return nil
        }
        switch s.kind {
        case .query(let q): return checkQuery(q).map { $0.statementRange = s.range; return .query($0) }
        case .explain(let q): return checkQuery(q).map { $0.statementRange = s.range; return .explain($0) }
        case .add(let a) where a.entity.isWord("holiday") || a.entity.isWord("holidays"):
            return checkHoliday(a, s.range)
        case .add(let a): return checkAdd(a, s.range).map { .add($0) }
        case .use(let e):
            return checkValue(e, FieldDef("project", .reference("projects"))).map { .use($0, e.range) }

        case .update(let target, let pairs):
            guard let tq = checkTarget(target, verb: "update") else { return nil }
            // `update tasks as t ... set x = (... t ...)`: the name is the row being updated in
            // the set expressions too, as in `where` (docs/language.md, “Named sources”).
            var alias: String?
            if case .query(let q) = target { alias = q.alias?.lowered }
            namedSources.append((alias, tq.entity))
            defer { namedSources.removeLast() }
            var out: [(FieldDef, UpdateValue)] = []
            for (name, valueExpr) in pairs {
                guard let f = tq.entity.field(name.lowered), name.lowered != "id" else {
                    diagnostics.error(.unknownField, "unknown field \"\(name.text)\" of \(tq.entity.plural)\(Suggestions.didYouMean(name.text, tq.entity.fieldNames))", name.range)
                    continue
                }
                if out.contains(where: { $0.0.name == f.name }) {
                    diagnostics.error(.givenTwice, "\"\(f.name)\" is set twice", name.range)
                    continue
                }
                if f.name == "duration", tq.entity.table == "tasks" {
                    // As in `add`: a finish and a duration would each decide the finish.
                    if let finish = pairs.first(where: { $0.0.lowered == "finish" }) {
                        diagnostics.error(.wrongType, "give finish or duration, not both", finish.0.range.start < name.range.start ? name.range : finish.0.range)
                        continue
                    }
                    // Working days, written out or held in a variable (`set duration = d` after `let d = 3wd`).
                    if isWorkdayCount(valueExpr, Scope(entity: tq.entity)) {
                        guard let n = workdayCount(valueExpr, Scope(entity: tq.entity)) else { continue }
                        if n.readsRow {
                            diagnostics.error(.wrongType, "a duration in working days is the same for every row: write 5wd, or a variable holding working days", valueExpr.range)
                            continue
                        }
                        if case .value(.integer(let days)) = n.kind, days < 0 {
                            diagnostics.error(.invalidValue, "a duration cannot be negative", valueExpr.range)
                            continue
                        }
                        out.append((f, .workdays(n)))
                        continue
                    }
                    let v = check(valueExpr, Scope(entity: tq.entity, clause: "set"))
                    if v.type != .duration && v.type != .any { diagnostics.error(.wrongType, "duration takes a duration like 5d", valueExpr.range) }
                    out.append((f, .duration(v)))
                    continue
                }
                if tq.entity.table == "dependencies", f.name == "pred" || f.name == "succ" {
                    diagnostics.error(.notSettable, "a dependency's tasks cannot be changed: delete it and add the one you mean", name.range)
                    continue
                }
                if tq.entity.table == "dependencies", f.name == "lag_unit" {
                    diagnostics.error(.notSettable, "a lag's unit is the one it is written in: set lag = 2d (calendar days) or lag = 2wd (working days)", name.range)
                    continue
                }
                if tq.entity.table == "dependencies", f.name == "lag", let unit = tq.entity.field("lag_unit") {
                    // The unit goes with the lag (LagUnits): `set lag = 2wd` keeps 2 working days,
                    // written out or held in a variable; any other lag is calendar days.
                    let scope = Scope(entity: tq.entity)
                    if let lag = Checker.literalWorkdayLag(valueExpr) {
                        out.append((f, .expr(TExpr(.value(.duration(lag)), .duration, valueExpr.range))))
                        out.append((unit, .expr(TExpr(.value(.text("wd")), .text, valueExpr.range))))
                        continue
                    }
                    if isWorkdayCount(valueExpr, scope) {
                        guard let n = workdayCount(valueExpr, scope) else { continue }
                        if n.readsRow {
                            diagnostics.error(.wrongType, "a lag in working days is the same for every row: write 2wd, or a variable holding working days", valueExpr.range)
                            continue
                        }
                        var days = n
                        switch n.kind {
                        case .value(.integer(let i)): days = TExpr(.value(.duration(Double(i))), .duration, n.range)
                        case .value(.decimal(let d)): days = TExpr(.value(.duration(d)), .duration, n.range)
                        default: days = TExpr(n.kind, .duration, n.range)
                        }
                        out.append((f, .expr(days)))
                        out.append((unit, .expr(TExpr(.value(.text("wd")), .text, valueExpr.range))))
                        continue
                    }
                    if let v = checkNewValue(valueExpr, f, Scope(entity: tq.entity, clause: "set")) {
                        out.append((f, v))
                        out.append((unit, .expr(TExpr(.value(.text("d")), .text, valueExpr.range))))
                    }
                    continue
                }
                if f.type == .list, case .list(let items) = valueExpr.kind {
                    var tags: [String] = []
                    for item in items {
                        if case .string(let s) = item.kind { tags.append(s) } else { diagnostics.error(.wrongType, "tags are text: write (\"infra\", \"db\")", item.range) }
                    }
                    out.append((f, .expr(TExpr(.value(.list(tags)), .list, valueExpr.range))))
                    continue
                }
                if f.isComputed || f.scheduled || (f.name == "wbs" && tq.entity.table == "tasks") {
                    diagnostics.error(.notSettable, "\"\(f.name)\" \(f.scheduled ? "is filled in by schedule" : f.isComputed ? "is computed" : "is the task's identity") and cannot be set", name.range)
                    continue
                }
                if let v = checkNewValue(valueExpr, f, Scope(entity: tq.entity, clause: "set")) { out.append((f, v)) }
            }
            return .update(tq, out, s.range)

        case .assign(let person, let role, let target), .unassign(let person, let role, let target):
            var isAssign = false
            if case .assign = s.kind { isAssign = true }
            var roleValue: String?
            if let role {
                guard let r = ["R", "A", "C", "I"].first(where: { $0 == role.text.uppercased() }) else {
                    diagnostics.error(.unknownValue, "unknown role \"\(role.text)\"; valid roles are: R, A, C, I", role.range)
                    return nil
                }
                roleValue = r
            }
            let p = check(person, none)
            if p.type != .text && p.type != .reference("people") && p.type != .any {
                diagnostics.error(.wrongType, "name the person in quotes, or give a person field like t.owner.backup, not a \(p.type)", person.range)
            }
            guard let tq = checkTarget(target, verb: isAssign ? "assign" : "unassign") else { return nil }
            if tq.entity.table != "tasks" {
                diagnostics.error(.wrongType, "people are assigned to tasks, not \(tq.entity.plural)", target.range)
                return nil
            }
            return isAssign ? .assign(person: p, role: roleValue, target: tq, s.range)
                            : .unassign(person: p, role: roleValue, target: tq, s.range)

        case .shift(let target, let by):
            guard let tq = checkTarget(target, verb: "shift") else { return nil }
            if tq.entity.table != "tasks" && tq.entity.table != "projects" {
                diagnostics.error(.wrongType, "shift moves tasks (or projects), not \(tq.entity.plural)", target.range)
                return nil
            }
            // Working days, also from a variable or a param (`shift ... by by`): moved by working days (H13).
            if isWorkdayCount(by, none) {
                guard let n = workdayCount(by, none) else { return nil }
                return .shift(tq, days: n, workdays: true, s.range)
            }
            let d = check(by, none)
            if d.type != .duration && d.type != .any {
                diagnostics.error(.wrongType, "shift takes a duration like 3d, 1w or 5wd, not a \(d.type)", by.range)
                return nil
            }
            return .shift(tq, days: d, workdays: false, s.range)

        case .delete(let target):
            guard let tq = checkTarget(target, verb: "delete") else { return nil }
            return .delete(tq, s.range)

        case .letBinding(let name, let binding):
            return checkBinding(name, binding, declare: true, s.range)
        case .rebind(let name, let binding):
            return checkBinding(name, binding, declare: false, s.range)

        case .param(let name, let e):
            // Working days, given as the default or by --var: the variable holds their count (H13).
            let given = params[name.lowered]
            if isWorkdayCount(e, none) || given.map(Checker.isWorkdayText) == true {
                guard let count = workdayParam(name, e, given: given) else {
                    // Declared all the same, so its uses do not each add "unknown name" (H10).
                    workdaySlots.insert(declare(name.text) { .value(slot: $0, type: .duration) })
                    return nil
                }
                let slot = declare(name.text) { .value(slot: $0, type: .duration) }
                workdaySlots.insert(slot)
                return .bindValue(slot: slot, TExpr(.value(.integer(count)), .number, e.range), s.range)
            }
            let d = check(e, none)
            guard case .value(let dv) = d.kind else {
                if d.type != .any { diagnostics.error(.wrongType, "a param's default is a literal value", e.range) }
                return nil
            }
            var value = dv
            if let given = params[name.lowered] {
                if let converted = Checker.convert(given, like: dv) {
                    value = converted
                } else {
                    // Reported once here; the name is still declared (with its default), so
                    // its uses are not each reported as unknown in this error's wake.
                    diagnostics.error(.invalidValue, "\(paramSpelling)\(name.text)=\(given): expected a \(d.type) like the default \(ConstantEvaluator.text(dv))", name.range)
                }
            }
            let slot = declare(name.text) { .value(slot: $0, type: d.type) }
            return .bindValue(slot: slot, TExpr(.value(value), d.type, e.range), s.range)

        case .forLoop(let name, let target, let body):
            guard let tq = checkTarget(target, verb: "for") else { return nil }
            scopes.append([:])
            let slot = declare(name.text) { .row(slot: $0, entity: tq.entity) }
            let inner = body.compactMap { checkStatement($0) }
            scopes.removeLast()
            return .forLoop(slot: slot, tq, inner, s.range)

        case .ifElse(let branches, let otherwise):
            var out: [(TExpr, [Checked])] = []
            for (cond, body) in branches {
                let c = check(cond, none)
                requireCondition(c, "if")
                scopes.append([:])
                out.append((c, body.compactMap { checkStatement($0) }))
                scopes.removeLast()
            }
            var elseBody: [Checked]?
            if let otherwise {
                scopes.append([:])
                elseBody = otherwise.compactMap { checkStatement($0) }
                scopes.removeLast()
            }
            return .ifElse(out, elseBody)

        case .function(let name, let params, let body):
            if Checker.aggregates[name.lowered] != nil || ScalarFunction.named(name.lowered) != nil || Checker.relativeDates.contains(name.lowered) {
                diagnostics.error(.nameTaken, "\"\(name.text)\" is a built-in function", name.range)
                return nil
            }
            functions[name.lowered] = (params, body)
            return .nothing

        case .print(let e):
            let v = check(e, none)
            return .print(v, s.range)
        case .value(let e):
            let v = check(e, none)
            if case .list = e.kind { return nil }
            return .value(keyed(v))

        case .assert(let cond, let message):
            let c = check(cond, none)
            requireCondition(c, "assert")
            let m = message.map { check($0, none) }
            return .assert(c, message: m, s.range)

        case .saveQuery(let name, let q, let text):
            if schema.entity(named: name.text) != nil || lookup(name.text) != nil {
                diagnostics.error(.nameTaken, "\"\(name.text)\" is already the name of an entity or a variable", name.range)
                return nil
            }
            savedBindings = []
            let checked = checkQuery(q)
            let bound = SavedText(text: text, start: q.range.start, bindings: savedBindings ?? [])
            savedBindings = nil
            guard checked != nil else { return nil }
            pendingSaved[name.lowered] = text
            return .saveQuery(name: name.lowered, text: bound, s.range)
        case .dropQuery(let name):
            pendingSaved[name.lowered] = nil
            return .dropQuery(name.lowered, name.range)
        case .addField(let a):
            return checkAddField(a, s.range)
        case .dropField(let name, let entity):
            return checkDropField(name, entity, s.range)
        case .showQueries:
            return .showQueries
        case .saveRule(let name, let q, let text, let severity):
            return checkSaveRule(name, q, text: text, severity: severity, s.range)
        case .dropRule(let name):
            guard case .string(let n) = name.kind, !n.isEmpty else {
                diagnostics.error(.wrongType, "drop rule takes the rule's name in quotes", name.range)
                return nil
            }
            return .dropRule(n, name.range)
        case .showRules:
            return .showRules
        case .checkRules:
            return .checkRules(s.range)
        case .history(let of, let entityName):
            guard let of else { return .history(row: nil, s.range) }
            var entity = schema.tasks
            if let entityName {
                let keyed = schema.entities.filter { $0.key != nil && !$0.isReadOnly }
                guard let e = keyed.first(where: { $0.singular == entityName.lowered || $0.plural == entityName.lowered }) else {
                    let names = keyed.map(\.singular)
                    diagnostics.error(.unknownEntity, "history of takes an entity with a key: \(names.joined(separator: ", "))\(Suggestions.didYouMean(entityName.text, names))",
                                      entityName.range)
                    return nil
                }
                entity = e.onlyMilestones ? schema.tasks : e
            }
            guard let v = checkValue(of, FieldDef(entity.singular, .reference(entity.plural))) else { return nil }
            return .history(row: (entity, v), s.range)
        case .importFile(let file, let code):
            guard fileAccess else {
                diagnostics.error(.fileAccess, "import reads files, and file access is off here", s.range)
                return nil
            }
            guard case .string(let path) = file.kind else {
                diagnostics.error(.wrongType, "import takes a file name in quotes", file.range)
                return nil
            }
            var codeText: String?
            if let code {
                guard case .string(let c) = code.kind, !c.isEmpty else {
                    diagnostics.error(.wrongType, "import ... as takes a project code in quotes", code.range)
                    return nil
                }
                codeText = c
            }
            return .importFile(path: path, code: codeText, s.range)
        case .gantt(let q): return checkGantt(q, s.range)
        case .report(let file):
            guard fileAccess else {
                diagnostics.error(.fileAccess, "report writes a file, and file access is off here", s.range)
                return nil
            }
            guard case .string(let path) = file.kind, !path.isEmpty else {
                diagnostics.error(.wrongType, "report to takes a file name in quotes: report to \"weekly.html\"", file.range)
                return nil
            }
            guard path.lowercased().hasSuffix(".html") || path.lowercased().hasSuffix(".htm") else {
                diagnostics.error(.unsupportedFile, "report writes an HTML page: name the file .html", file.range)
                return nil
            }
            return .report(path: path, s.range)
        case .importInto(let file, let entityName, let format):
            guard fileAccess else {
                diagnostics.error(.fileAccess, "import reads files, and file access is off here", s.range)
                return nil
            }
            guard let entity = schema.entity(named: entityName.lowered) else {
                let names = schema.entities.map(\.plural)
                diagnostics.error(.unknownEntity, "cannot import into \"\(entityName.text)\"\(Suggestions.didYouMean(entityName.text, names))", entityName.range,
                                  notes: ["import into one of: " + names.joined(separator: ", ")])
                return nil
            }
            if let format {
                guard checkTransferFormat(format) else { return nil }
                guard entity.table == "tasks", !entity.onlyMilestones else {
                    diagnostics.error(.unsupportedFile, "Taskwarrior's file holds tasks: import \"F.json\" into tasks from taskwarrior", entityName.range)
                    return nil
                }
                guard let path = checkPath(file, verb: "import") else { return nil }
                if case .value(.text(let p)) = path.kind, DataFormat.of(p) != .json {
                    diagnostics.error(.unsupportedFile, "Taskwarrior's export is JSON: name a .json file", file.range)
                    return nil
                }
                return .importTaskwarrior(path: path, s.range)
            }
            guard let path = checkPath(file, verb: "import") else { return nil }
            if case .value(.text(let p)) = path.kind, DataFormat.forImport(p) == nil {
                diagnostics.error(.unsupportedFile, DataFormat.importRefusal(p), file.range)
                return nil
            }
            return .importInto(path: path, entity, s.range)
        case .export(let query, let file, let format):
            guard fileAccess else {
                diagnostics.error(.fileAccess, "export writes files, and file access is off here", s.range)
                return nil
            }
            var tq: TQuery?
            if let query {
                guard let q = checkQuery(query) else { return nil }
                tq = q
            }
            if let format {
                guard checkTransferFormat(format) else { return nil }
                guard let q = tq, q.entity.table == "tasks", q.shape == .rows, q.groupBy.isEmpty else {
                    diagnostics.error(.unsupportedFile, "Taskwarrior's file holds tasks: export a query of tasks, without group by, like export tasks to \"tasks.json\" as taskwarrior", s.range)
                    return nil
                }
                guard let path = checkPath(file, verb: "export") else { return nil }
                if case .value(.text(let p)) = path.kind, DataFormat.of(p) != .json {
                    diagnostics.error(.unsupportedFile, "Taskwarrior reads JSON: name a .json file", file.range)
                    return nil
                }
                return .exportTaskwarrior(q, path: path, s.range)
            }
            guard let path = checkPath(file, verb: "export") else { return nil }
            if case .value(.text(let p)) = path.kind, let problem = DataFormat.exportProblem(p, query: tq) {
                diagnostics.error(.invalidValue, problem, file.range)
                return nil
            }
            return .export(tq, path: path, s.range)
        case .schedule: return .schedule(s.range)
        case .scheduleLevel(let within):
            guard let within else { return .scheduleLevel(budgetMilliseconds: 200, s.range) }
            guard case .duration(let v, let unit) = within.kind, unit == .milliseconds || unit == .seconds else {
                diagnostics.error(.wrongUnit, "a time budget is written like 200ms or 2s", within.range)
                return nil
            }
            let ms = unit == .seconds ? v * 1000 : v
            guard ms >= 1, ms <= 600_000 else {
                diagnostics.error(.outOfRange, "a time budget from 1ms to 600s, please", within.range)
                return nil
            }
            return .scheduleLevel(budgetMilliseconds: Int(ms.rounded()), s.range)
        case .baselineSave: return .baselineSave(s.range)
        case .health(let asOf):
            guard let asOf else { return .health(nil, s.range) }
            let d = check(asOf, none)
            if d.type != .date && d.type != .any { diagnostics.error(.wrongType, "health as of takes a date, not a \(d.type)", asOf.range) }
            return .health(d, s.range)
        case .undo: return .undo(s.range)
        case .redo: return .redo(s.range)
        case .begin: return .begin(s.range)
        case .commit: return .commit(s.range)
        case .rollback: return .rollback(s.range)
        }
    }

    /// `gantt <query>`: a query of tasks whose rows become the chart's rows, so it takes
    /// no `select`, `group by` or `count`.
    private mutating func checkGantt(_ q: Query, _ range: SourceRange) -> Checked? {
        if q.isCount {
            diagnostics.error(.wrongQueryShape, "gantt draws tasks, not a count: write gantt tasks where ...", q.range)
            return nil
        }
        if let first = q.groupBy.first {
            diagnostics.error(.wrongQueryShape, "gantt draws one row per task: leave out group by", first.range)
            return nil
        }
        if let item = q.select?.first {
            diagnostics.error(.wrongType, "gantt chooses its own columns (wbs, name, dates, progress): leave out select", item.range)
            return nil
        }
        guard let tq = checkQuery(q) else { return nil }
        guard tq.entity.table == "tasks" else {
            diagnostics.error(.wrongQueryShape, "gantt draws tasks, not \(tq.entity.plural)", q.source.range)
            return nil
        }
        if tq.isCount || !tq.groupBy.isEmpty || tq.aggregatesOnly {
            diagnostics.error(.wrongQueryShape, "gantt draws one row per task: \"\(q.source.text)\" is a saved query that counts or groups", q.source.range)
            return nil
        }
        return .gantt(tq, range)
    }

    /// The file name of `import` or `export`: text, a literal or an interpolated string.
    /// The other programs' formats `import ... from` and `export ... as` know: Taskwarrior's.
    private mutating func checkTransferFormat(_ n: Name) -> Bool {
        if n.lowered == "taskwarrior" { return true }
        diagnostics.error(.unknownFormat, "unknown format \"\(n.text)\"\(Suggestions.didYouMean(n.text, ["taskwarrior"])); the formats are: taskwarrior", n.range,
                          notes: ["other formats are named by the file's extension: .csv, .tsv, .json"])
        return false
    }

    private mutating func checkPath(_ e: Expr, verb: String) -> TExpr? {
        let t = check(e, Scope(entity: Checker.noFields))
        if t.type == .any { return nil }
        guard t.type == .text else {
            diagnostics.error(.wrongType, "\(verb) takes a file name in quotes, not a \(t.type)", e.range)
            return nil
        }
        return t
    }

    /// `add holiday 2026-10-01 [to 2026-10-07] [name "National Day"]`
    private mutating func checkHoliday(_ a: AddStatement, _ range: SourceRange) -> Checked? {
        let none = Scope(entity: Checker.noFields)
        func date(_ e: Expr) -> Day? {
            let t = check(e, none)
            if case .value(.date(let d)) = t.kind, d.isInRange { return d }
            if t.type != .any { diagnostics.error(.wrongType, "a holiday is a date like 2026-10-01", e.range) }
            return nil
        }
        guard let lit = a.literal, let from = date(lit) else {
            if a.literal == nil { diagnostics.error(.unexpectedToken, "write: add holiday 2026-10-01 [to 2026-10-07] [name \"...\"]", range) }
            return nil
        }
        var to = from
        var name: String?
        for (f, v) in a.pairs {
            switch f.lowered {
            case "to":
                guard let d = date(v) else { return nil }
                to = d
            case "name":
                guard case .string(let s) = v.kind else { diagnostics.error(.wrongType, "a holiday's name is text", v.range); return nil }
                name = s
            default:
                diagnostics.error(.unknownField, "a holiday takes \"to\" and \"name\", not \"\(f.text)\"", f.range)
                return nil
            }
        }
        guard to >= from, to.number - from.number <= 366 else {
            diagnostics.error(.outOfRange, "a holiday runs forward, at most a year", range)
            return nil
        }
        return .addHoliday(from: from, to: to, name: name, range)
    }

    /// The rows a change statement or a loop works on.
    mutating func checkTarget(_ t: Target, verb: String) -> TQuery? {
        switch t {
        case .query(let q):
            guard let tq = checkQuery(q) else { return nil }
            // A change works on the rows now, also when they are chosen from a set or saved
            // query taken as of a day; a loop reads them as they were then.
            if verb != "for", q.asOf == nil { tq.asOf = nil }
            if verb != "for", q.asOf != nil || tq.entity.isReadOnly {
                diagnostics.error(.readOnly, tq.entity.isJournal ? "the journal is read-only: \(verb) works on the model"
                                  : tq.entity.isReadOnly ? "load is computed: \(verb) works on the tasks, assignments and people it comes from"
                                  : "\(verb) changes the model as it is now, not as of a past day", q.range)
                return nil
            }
            if q.isCount || q.select != nil || !q.groupBy.isEmpty {
                diagnostics.error(.wrongQueryShape, "\(verb) works on rows: leave out count, group by and select", q.range)
                return nil
            }
            return tq
        case .expr(let e):
            switch e.kind {
            case .name(let n):
                if let v = lookup(n) {
                    switch v {
                    case .row(let slot, let entity):
                        let tq = TQuery(entity: entity)
                        tq.filter = TExpr(.compare(.eq, TExpr(.field(FieldPath(root: entity, hops: [], field: FieldDef("id", .integer))), .number, e.range),
                                                   TExpr(.variable(slot), .number, e.range)), .bool, e.range)
                        return tq
                    case .set(let slot, let entity):
                        let tq = TQuery(entity: entity)
                        tq.sourceSet = slot
                        if verb == "for", let day = setDays[slot] { tq.asOf = TExpr(.variable(day), .date, e.range) }
                        return tq
                    default: break
                    }
                }
                if let (entity, set, base) = resolveSource(Name(text: n, range: e.range)) {
                    let tq = TQuery(entity: entity)
                    tq.sourceSet = set
                    tq.base = base
                    if verb == "for" { tq.asOf = base?.asOf }
                    return tq
                }
                return nil
            case .number(_, let text), .wbs(let text), .string(let text):
                // A single task named by its WBS code.
                let tasks = schema.tasks
                let tq = TQuery(entity: tasks)
                guard let wbs = tasks.field("wbs"), let project = tasks.field("project") else { return nil }
                let code = TExpr(.compare(.eq, TExpr(.field(FieldPath(root: tasks, hops: [], field: wbs)), .text, e.range),
                                          TExpr(.value(.text(text)), .text, e.range)), .bool, e.range)
                // In the project chosen with `use project`, when there is one (slot -1).
                let current = TExpr(.variable(VariableEnvironment.currentProjectSlot), .number, e.range)
                let inProject = TExpr(.logic(.or, TExpr(.isNull(current, negated: false), .bool, e.range),
                                             TExpr(.compare(.eq, TExpr(.field(FieldPath(root: tasks, hops: [], field: project)), .number, e.range), current), .bool, e.range)),
                                      .bool, e.range)
                tq.filter = TExpr(.logic(.and, code, inProject), .bool, e.range)
                tq.namedTask = text
                return tq
            default:
                diagnostics.error(.notASource, "\(verb) takes rows: a query like \"tasks where ...\", a loop variable or a task's WBS code", e.range)
                return nil
            }
        }
    }

    private mutating func checkBinding(_ name: Name, _ b: Binding, declare isNew: Bool, _ range: SourceRange) -> Checked? {
        let none = Scope(entity: Checker.noFields)
        let existing = lookup(name.text)
        if !isNew, existing == nil {
            diagnostics.error(.unknownName, "unknown variable \"\(name.text)\"; declare it first with let \(name.text) = ...", name.range)
            return nil
        }
        switch b {
        case .query(let q) where !q.isCount && !(q.select.map { _ in true } ?? false):
            guard let tq = checkQuery(q) else { return nil }
            if case .set(let slot, let entity)? = existing, !isNew {
                guard entity.plural == tq.entity.plural else {
                    diagnostics.error(.notASource, "\"\(name.text)\" holds \(entity.plural), not \(tq.entity.plural)", range)
                    return nil
                }
                return .bindSet(slot: slot, day: setDays[slot], tq, range)
            }
            if !isNew {
                diagnostics.error(.notASource, "\"\(name.text)\" holds a value, not a set of rows", range)
                return nil
            }
            let slot = declare(name.text) { .set(slot: $0, entity: tq.entity) }
            guard tq.asOf != nil else { return .bindSet(slot: slot, day: nil, tq, range) }
            let day = slotCount
            slotCount += 1
            setDays[slot] = day
            return .bindSet(slot: slot, day: day, tq, range)
        case .query(let q):
            let e = Expr(.subquery(q), q.range)
            return bindValue(name, check(e, none), existing: isNew ? nil : existing, range)
        case .expr(let e):
            // Working days stay a count of working days in the variable (H13).
            if case .value(let slot, _)? = existing, !isNew, workdaySlots.contains(slot) {
                guard isWorkdayCount(e, none) else {
                    diagnostics.error(.wrongType, "\"\(name.text)\" holds working days: give it working days, as in \(name.text) = 3wd", e.range)
                    return nil
                }
                guard let n = workdayCount(e, none) else { return nil }
                return .bindValue(slot: slot, n, range)
            }
            if isNew, isWorkdayCount(e, none) {
                guard let n = workdayCount(e, none) else { return nil }
                let slot = declare(name.text) { .value(slot: $0, type: .duration) }
                workdaySlots.insert(slot)
                return .bindValue(slot: slot, n, range)
            }
            return bindValue(name, check(e, none), existing: isNew ? nil : existing, range)
        }
    }

    private mutating func bindValue(_ name: Name, _ v: TExpr, existing: Variable?, _ range: SourceRange) -> Checked? {
        if v.type == .any { return nil }
        if let existing {
            switch existing {
            case .value(let slot, let type):
                if type != v.type && v.type != .null && type != .null {
                    diagnostics.error(.wrongType, "\"\(name.text)\" holds a \(type), not a \(v.type)", v.range)
                    return nil
                }
                return .bindValue(slot: slot, v, range)
            default:
                diagnostics.error(.wrongType, "\"\(name.text)\" cannot be rebound to a value", name.range)
                return nil
            }
        }
        if case .reference(let target) = v.type, case .variable = v.kind, let e = schema.plural(target) {
            let slot = declare(name.text) { .row(slot: $0, entity: e) }
            return .bindValue(slot: slot, v, range)
        }
        let slot = declare(name.text) { .value(slot: $0, type: v.type) }
        return .bindValue(slot: slot, v, range)
    }

    /// A new value for `field` in `update`, typed like the field.
    private mutating func checkNewValue(_ e: Expr, _ f: FieldDef, _ scope: Scope) -> UpdateValue? {
        let target = PType(f.type)
        if case .enumeration(let vs) = f.type, case .name(let n) = e.kind,
           vs.contains(where: { $0.lowercased() == n.lowercased() }) || (scope.entity.field(n) == nil && lookup(n) == nil) {
            guard let v = fits(.text(n), f, e.range) else { return nil }
            return .expr(TExpr(.value(v), target, e.range))
        }
        if case .reference(let t) = f.type, let entity = schema.plural(t) {
            if t == "tasks", e.isBareCode, case .number(_, let text) = e.kind {
                return .reference(entity: entity, key: TExpr(.value(.text(text)), .text, e.range))
            }
            let v = check(e, scope)
            switch v.type {
            case .text: return .reference(entity: entity, key: v)
            case .reference(let t2) where t2 == t: return .expr(v)
            case .null, .any: return .expr(v)
            default:
                diagnostics.error(.wrongType, "\(f.name) takes a \(entity.singular), named by its \(entity.key ?? "key"), not a \(v.type)", e.range)
                return nil
            }
        }
        let v = check(e, scope)
        switch (target, v.type) {
        case (_, .any), (_, .null): return .expr(v)
        case (.enumeration, .text):
            // A literal is checked now, as `add` checks it; an expression row by row when it runs.
            if case .value(let given) = v.kind {
                guard let stored = fits(given, f, e.range) else { return nil }
                return .expr(TExpr(.value(stored), v.type, v.range))
            }
            return .expr(v)
        case (.enumeration(let a), .enumeration(let b)) where a == b: return .expr(v)
        // Bare values an `if`/`case` read in another enum that also has them (`high` of
        // priority for a custom field with values low/high): checked row by row as text is.
        case (.enumeration, .enumeration): return .expr(TExpr(v.kind, .text, v.range))
        case (.list, .text): return .expr(v)
        default:
            if target == v.type { return .expr(v) }
            var notes: [String] = []
            if target == .date, v.type == .text { notes.append("write dates without quotes: 2026-01-28") }
            if target == .duration, v.type == .number { notes.append("durations carry a unit: write 3d, 2w or 5wd") }
            diagnostics.error(.wrongType, "\(f.name) takes a \(FieldType.describe(f.type)), not a \(v.type)", e.range, notes: notes)
            return nil
        }
    }

    /// A user function call: the body is checked with the parameters standing for the arguments.
    mutating func callFunction(_ name: Name, _ f: (params: [Name], body: Expr), _ args: [Expr], _ range: SourceRange, _ scope: Scope) -> TExpr {
        guard args.count == f.params.count else {
            diagnostics.error(.argumentCount, "\(name.text)() takes \(f.params.count) argument\(f.params.count == 1 ? "" : "s"), not \(args.count)", range)
            return TExpr(.invalid, .any, range)
        }
        guard callDepth < 32 else {
            diagnostics.error(.recursiveFunction, "\(name.text)() calls itself without end: PMQ functions cannot recurse", range)
            return TExpr(.invalid, .any, range)
        }
        // Calls are expanded in place, so a chain like f1(x) = f0(f0(x)) doubles at every
        // link: a budget per statement stops it at the first call past it, once.
        if expansionStopped { return TExpr(.invalid, .any, range) }
        // The error points at the call written in the statement, not deep inside a body.
        if callDepth == 0 { outermostCall = (name, range) }
        let (outerName, outerRange) = outermostCall ?? (name, range)
        expandedCalls += 1
        if let reason = expandedCalls > Checker.maxExpandedCalls
            ? "expands to more than \(Checker.maxExpandedCalls) function calls" : interrupted() {
            expansionStopped = true
            diagnostics.error(.tooComplex, "\(outerName.text)(): \(reason); PMQ functions are expanded where they are called, so split the statement or simplify the functions", outerRange)
            return TExpr(.invalid, .any, range)
        }
        var frame: [String: Variable] = [:]
        for (p, a) in zip(f.params, args) { frame[p.lowered] = .argument(check(a, scope), depth: namedSources.count) }
        scopes.append(frame)
        callDepth += 1
        let result = check(f.body, scope)
        callDepth -= 1
        scopes.removeLast()
        if !expansionStopped, result.size > Checker.maxExpandedSize {
            expansionStopped = true
            diagnostics.error(.tooComplex, "\(outerName.text)(): expands to more than \(Checker.maxExpandedSize) terms; PMQ functions are expanded where they are called, so split the statement or simplify the functions", outerRange)
            return TExpr(.invalid, .any, range)
        }
        return TExpr(result.kind, result.type, range)
    }

    /// `--var` text converted to the type of a param's default.
    /// `--var by=2wd`: working days, a whole number of them.
    static func isWorkdayText(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasSuffix("wd") && Int(lower.dropLast(2).replacingOccurrences(of: "_", with: "")) != nil
    }

    /// The count of working days a `param` holds: its default (`param by = 1wd`), or what
    /// `--var` gives, which must then be working days too (`--var by=2wd`). Nil after an error.
    private mutating func workdayParam(_ name: Name, _ e: Expr, given: String?) -> Int64? {
        let none = Scope(entity: Checker.noFields)
        var count: Int64?
        if isWorkdayCount(e, none) {
            guard let n = workdayCount(e, none), case .value(.integer(let k)) = n.kind else {
                diagnostics.error(.wrongType, "a param's default is a literal value", e.range)
                return nil
            }
            count = k
        } else {
            let d = check(e, none)
            guard case .value(let dv) = d.kind, case .duration = dv else {
                if case .value(let dv) = d.kind {
                    diagnostics.error(.invalidValue, "--var \(name.text)=\(given ?? ""): expected a \(d.type) like the default \(ConstantEvaluator.text(dv))", name.range)
                } else if d.type != .any {
                    diagnostics.error(.wrongType, "a param's default is a literal value", e.range)
                }
                return nil
            }
        }
        guard let given else { return count }
        let lower = given.lowercased()
        guard Checker.isWorkdayText(given), let k = Int64(lower.dropLast(2).replacingOccurrences(of: "_", with: "")), Double(abs(k)) <= maxDurationDays else {
            diagnostics.error(.invalidValue, "--var \(name.text)=\(given): expected working days like the default, as in \(name.text)=3wd", name.range)
            return nil
        }
        return k
    }

    /// A number as PMQ text writes one (`-1_000.5`: digits, `_` between them, a fraction),
    /// without its `_`; nil for what Swift's Double would also take and PMQ would not
    /// (`1e3`, `inf`, `nan`, `0x10`, ` 5`), so `--var` reads numbers as a script does (W20).
    static func plainNumber(_ text: String) -> String? {
        guard text.range(of: #"^-?[0-9](_?[0-9])*(\.[0-9](_?[0-9])*)?$"#, options: .regularExpression) != nil else { return nil }
        return text.replacingOccurrences(of: "_", with: "")
    }

    static func convert(_ text: String, like v: Value) -> Value? {
        switch v {
        case .text, .null: return .text(text)
        case .integer:
            guard let digits = plainNumber(text) else { return nil }
            return Int64(digits).map { .integer($0) } ?? Double(digits).map { .decimal($0) }
        case .decimal: return plainNumber(text).flatMap(Double.init).map { .decimal($0) }
        case .date: return Day(iso: text).map { .date($0) }
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return nil
            }
        case .duration:
            let lower = text.lowercased()
            for (suffix, factor) in [("wd", 1.0), ("d", 1.0), ("w", 7.0)] where lower.hasSuffix(suffix) {
                if suffix == "d", lower.hasSuffix("wd") { continue }
                return plainNumber(String(lower.dropLast(suffix.count))).flatMap(Double.init).map { .duration($0 * factor) }
            }
            return nil
        default: return nil
        }
    }
}
