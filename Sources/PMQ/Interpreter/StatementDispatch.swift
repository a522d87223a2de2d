/// Runs one checked statement inside the run's transaction: hands it to its executor with the
/// session's context, or does it here when it is the interpreter's own (variables, control
/// flow, `print`, saved queries). Emits what the statement produced.
struct StatementDispatch {
    let context: SessionContext

    static let calendarTables: Set<String> = ["holidays", "workdays", "leaves", "people"]

    /// Statements that may change holidays, make-up days or leave.
    static func changesCalendars(_ c: Checked) -> Bool {
        switch c {
        // A person just added has no leave yet: their calendar is the project's.
        case .add(let a): return calendarTables.contains(a.entity.table) && a.entity.table != "people"
        case .update(let q, _, _), .delete(let q, _): return calendarTables.contains(q.entity.table)
        case .undo, .redo, .importFile, .importInto: return true
        default: return false
        }
    }

    func execute(_ c: Checked, emit: (StatementResult) -> Void) throws {
        try context.step()
        // Holidays, make-up days and leave are the calendars' input: read them again after a change.
        defer { if Self.changesCalendars(c) { _ = try? context.loadCalendar() } }
        // Added rows are journaled as ranges; anything else that follows must come after them,
        // and sees the summaries rolled up over every change before it. One roll-up here is
        // enough: the run's end rolls up after its last statement, before it commits. A run of
        // `add task` rows without the tasks table's indexes ends at any other statement.
        if case .add(let a) = c, a.entity.table == "tasks" {} else { try context.endTaskRowsOfStatements() }
        if case .add = c {} else {
            context.caches.forgetAddedTasks()
            try context.journal.flush()
            let last = try context.rollUpPending()
            // What the statements before wrote (and the roll-ups they caused) is theirs.
            try context.journal.nameStatement(lastEntry: last)
        }
        let db = context.db
        switch c {
        case .query(let q):
            emit(try context.runQuery(q))
        case .explain(let q):
            let stmt = try context.compileForRun(q.pivot != nil ? try context.pivoted(q) : q)
            let plan = try db.plan(stmt.sql, stmt.args)
            emit(.explain(sql: stmt.sql, arguments: stmt.args, plan: plan))
        case .add(let a):
            let report = try AddExecutor(session: context).run(a)
            try context.journal.added(a.link != nil ? "dependencies" : a.entity.table, db.lastInsertID)
            if a.entity.table == "tasks" { try context.wroteTaskRow() }
            emit(.change(report))
        case .use(let v, let range):
            guard case .reference(let code) = v else { throw RuntimeError(code: .missingValue, message: "use project takes a project code", range: range) }
            context.variables.currentProject = try AddExecutor(session: context).resolve("projects", code, range, project: nil)
        case .update(let target, let values, let range):
            let cacheable = !values.contains { if case .reference = $0.value { return true }; return false }
            emit(.change(try ChangeExecutor(session: context).update(target, values, range, cacheable: cacheable)))
        case .assign(let person, let role, let target, let range):
            emit(.change(try ChangeExecutor(session: context).assign(person, role: role, target, range)))
        case .unassign(let person, let role, let target, let range):
            emit(.change(try ChangeExecutor(session: context).unassign(person, role: role, target, range)))
        case .shift(let target, let days, let workdays, let range):
            emit(.change(try ChangeExecutor(session: context).shift(target, days: days, workdays: workdays, range)))
        case .delete(let target, let range):
            emit(.change(try ChangeExecutor(session: context).delete(target, range)))
        case .bindValue(let slot, let e, _):
            if case .variable(let source) = e.kind, case .reference(let t) = e.type, let entity = context.schema.plural(t) {
                // `let u = t`: another name for a row, with its own copy.
                context.variables[slot] = context.variables[source]
                if case .integer(let id)? = context.variables[source] {
                    // A row read as of a day stays as of that day under its new name.
                    let day = try db.scalar(SessionSQL.snapshotDay(of: SQLGenerator.snapshotTable(source)))
                    try snapshot(SnapshotText(slot, entity), id, asOf: day == .null ? nil : day)
                }
            } else {
                context.variables[slot] = try context.evaluate(e)
            }
        case .bindSet(let slot, let day, let q, _):
            // A set is its ids as a JSON array, which SQL reads back with json_each.
            context.variables[slot] = .text("[" + (try context.ids(of: q)).map(String.init).joined(separator: ",") + "]")
            if let day {
                // A set taken as of a day reads its rows as of that day; rebound to a query of
                // the model now, as of the last day, which is the model now.
                context.variables[day] = try q.asOf.map { try context.evaluate($0) } ?? .date(Day.latest)
            }
        case .forLoop(let slot, let q, let body, _):
            // The rows are taken once, in the query's order, before the body changes anything.
            let day = try q.asOf.map { try context.evaluate($0) }
            let copy = SnapshotText(slot, q.entity)
            // The row variable's table is made before the first row (the body cannot drop it).
            var made = false
            for id in try context.ids(of: q) {
                try context.step()
                context.variables[slot] = .integer(id)
                try snapshot(copy, id, asOf: day, create: !made)
                made = true
                for statement in body { try execute(statement, emit: emit) }
            }
        case .ifElse(let branches, let otherwise):
            for (condition, body) in branches where try context.evaluate(condition) == .bool(true) {
                for statement in body { try execute(statement, emit: emit) }
                return
            }
            for statement in otherwise ?? [] { try execute(statement, emit: emit) }
        case .print(let e, _):
            let text = ConstantEvaluator.text(try context.evaluate(e))
            if let printHandler = context.printHandler { printHandler(text) } else { emit(.text(text)) }
        case .value(let e):
            emit(.scalar(try context.evaluate(e), kind: ResultColumn.Kind(e.type)))
        case .assert(let condition, let message, let range):
            if try context.evaluate(condition) != .bool(true) {
                let text = try message.map { ConstantEvaluator.text(try context.evaluate($0)) } ?? "assertion failed"
                throw RuntimeError(code: .assertFailed, message: "assert failed: \(text)", range: range)
            }
        case .saveQuery(let name, let saved, _):
            // The script's values it names go into the text (SavedText).
            let text = try saved.bound(context)
            // Saved queries are part of the model: journaled, so undo takes a save back.
            let set = try context.journal.set()
            if case .integer(let id) = try db.scalar(SessionSQL.savedQueryID, [.text(name)]) {
                let old = try db.scalar(SessionSQL.savedQuerySourceByID, [.integer(id)])
                try db.run(SessionSQL.setSavedQuery, [.text(text), .integer(id)])
                try context.journal.record(set, "saved_queries", id, "source", old: old, new: .text(text))
            } else {
                try db.run(SessionSQL.insertSavedQuery, [.text(name), .text(text)])
                try context.journal.record(set, "saved_queries", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            }
            emit(.change(ChangeReport(verb: "saved", entity: "query", count: 1, detail: name)))
        case .dropQuery(let name, let range):
            let set = try context.journal.set()
            try context.journal.recordRemoval(set, "saved_queries", where: SessionSQL.savedQueryByName, [.text(name)])
            if try db.run(SessionSQL.deleteSavedQuery, [.text(name)]) == 0 {
                throw RuntimeError(code: .unknownRow, message: "no saved query \"\(name)\"", range: range)
            }
            emit(.change(ChangeReport(verb: "dropped", entity: "query", count: 1, detail: name)))
        case .showQueries:
            var rows: [[Value]] = []
            try db.query(SessionSQL.savedQueries) { s in rows.append([s[0], s[1]]) }
            emit(.rows(columns: [ResultColumn(name: "name", kind: .text), ResultColumn(name: "query", kind: .text)], rows: rows, single: false))
        case .saveRule(let name, let saved, let severity, _):
            emit(.change(try Rules(session: context).save(name: name, text: try saved.bound(context), severity: severity)))
        case .dropRule(let name, let range):
            emit(.change(try Rules(session: context).drop(name: name, range)))
        case .showRules:
            emit(try Rules(session: context).show())
        case .checkRules(let range):
            context.failedErrorRules += try Rules(session: context).check(range, emit: emit)
        case .history(let row, let range):
            emit(try History(session: context).list(row: row, range))
        case .addField(let f, _):
            _ = try FieldStore.add(f, session: context)
            emit(.change(ChangeReport(verb: "added", entity: "field", count: 1, detail: "\"\(f.name)\" to \(f.table)")))
        case .dropField(let table, let name, let range):
            guard let f = context.schema.customFields.first(where: { $0.table == table && $0.name == name }) else {
                throw RuntimeError(code: .unknownField, message: "\(table) have no custom field \"\(name)\"", range: range)
            }
            try FieldStore.drop(id: f.id, session: context)
            emit(.change(ChangeReport(verb: "dropped", entity: "field", count: 1, detail: "\"\(name)\" from \(table)")))
        case .undo(let range):
            emit(.change(try History(session: context).undo(range)))
        case .redo(let range):
            emit(.change(try History(session: context).undo(range, redo: true)))
        case .schedule(let range):
            emit(.change(try ScheduleExecutor(session: context).run(range)))
        case .scheduleLevel(let ms, let range):
            emit(.change(try ScheduleExecutor(session: context, levelling: LevelOptions(budget: .milliseconds(ms))).run(range)))
        case .baselineSave(let range):
            let tasks = context.schema.tasks
            let tq = TQuery(entity: tasks)
            if let p = try context.schedulingProject(range), let pf = tasks.field("project") {
                tq.filter = TExpr(.compare(.eq, TExpr(.field(FieldPath(root: tasks, hops: [], field: pf)), .number, range),
                                           TExpr(.value(.integer(p)), .number, range)), .bool, range)
            }
            var values: [(FieldDef, UpdateValue)] = []
            for (to, from) in [("baseline_start", "start"), ("baseline_finish", "finish"), ("baseline_cost", "cost")] {
                guard let t = tasks.field(to), let f = tasks.field(from) else { continue }
                values.append((t, .expr(TExpr(.field(FieldPath(root: tasks, hops: [], field: f)), PType(f.type), range))))
            }
            emit(.change(try ChangeExecutor(session: context).update(tq, values, range, verb: "baselined")))
        case .health(let asOf, let range):
            var day = context.today
            if let asOf, case .date(let d) = try context.evaluate(asOf) { day = d }
            emit(try HealthReport(session: context).run(asOf: day, travel: asOf != nil, range))
        case .importFile(let path, let code, let range):
            emit(.change(try MSProjectImporter(session: context).run(path: try context.permittedPath(path, "import", range), shown: path, code: code, range)))
        case .importInto(let path, let entity, let range):
            let shown = ConstantEvaluator.text(try context.evaluate(path))
            let importer = DataImporter(session: context, shownPath: shown, path: try context.permittedPath(shown, "import", range), entity: entity, range: range)
            emit(.change(try context.withBulkCache { try importer.run() }))
        case .export(let query, let path, let range):
            let shown = ConstantEvaluator.text(try context.evaluate(path))
            emit(.change(try Exporter(session: context, shownPath: shown, path: try context.permittedPath(shown, "export", range), range: range).run(query)))
        case .importTaskwarrior(let path, let range):
            let shown = ConstantEvaluator.text(try context.evaluate(path))
            emit(.change(try TaskwarriorImporter(session: context, shownPath: shown, path: try context.permittedPath(shown, "import", range), range: range).run()))
        case .exportTaskwarrior(let query, let path, let range):
            let shown = ConstantEvaluator.text(try context.evaluate(path))
            emit(.change(try Exporter(session: context, shownPath: shown, path: try context.permittedPath(shown, "export", range), range: range).runTaskwarrior(query)))
        case .gantt(let q, _):
            emit(.gantt(try GanttLoader(session: context).load(q)))
        case .report(let path, let range):
            // Found next to the script, as `export`'s files are; a folder that is not there is
            // an error now, while nothing is committed, not a failed write after the commit.
            let target = try context.permittedPath(path, "report", range)
            try FileSandbox.requireFolder(of: target, shown: path, range)
            let page = try HTMLReport(session: context).render(range)
            context.pendingFiles.append((target, path, page, range))
            emit(.change(ChangeReport(verb: "wrote", entity: "report", count: 1, detail: path)))
        case .addHoliday(let from, let to, let name, let range):
            // A make-up day is a working day: a holiday on it would be a contradiction that the
            // holiday won without a word (V13). The user says which one goes.
            var makeUp: (day: Value, name: Value)?
            try db.query(CalendarSQL.workdayBetween, [.date(from), .date(to)]) { s in makeUp = (s[0], s[1]) }
            if let (day, dayName) = makeUp {
                // A day is stored as its number on SQLite.
                let shown: String
                switch day {
                case .integer(let n): shown = Day(Int(n)).iso
                case .date(let d): shown = d.iso
                default: shown = ConstantEvaluator.text(day)
                }
                let named = dayName.isNull ? "" : " (\(ConstantEvaluator.text(dayName)))"
                throw RuntimeError(code: .conflict, message: "\(shown) is a make-up day\(named): it cannot be a holiday too", range: range,
                                   notes: ["to make it a day off, delete the make-up day first: delete workdays where day = \(shown)"])
            }
            // Journaled like any row (undo takes it back, `as of` an earlier day is without it):
            // a day that is a holiday already takes the new name.
            let set = try context.journal.set()
            let newName: Value = name.map { .text($0) } ?? .null
            var n = 0
            for d in from.number...to.number {
                var existing: (id: Int64, name: Value)?
                try db.query(CalendarSQL.holidayOn, [.date(Day(d))]) { s in
                    if case .integer(let id) = s[0] { existing = (id, s[1]) }
                }
                if let (id, old) = existing {
                    if old != newName {
                        try context.journal.record(set, "holidays", id, "name", old: old, new: newName)
                        try db.run(CalendarSQL.renameHoliday, [newName, .integer(id)])
                    }
                } else {
                    try db.run(CalendarSQL.addHoliday, [.date(Day(d)), newName])
                    try context.journal.added("holidays", db.lastInsertID)
                }
                n += 1
            }
            try context.journal.flush()
            try context.loadCalendar()
            // Progress weights count working days: every summary is derived again.
            try Rollup(session: context).all()
            emit(.change(ChangeReport(verb: "added", entity: "holiday", count: n, detail: nil)))
        case .begin, .commit, .rollback, .nothing:
            break
        }
    }

    /// Copies a row into row variable `slot`'s table: its fields read as they were now.
    /// With `asOf`, the row as it was on that day (`for t in tasks as of D`), also a row
    /// deleted since.
    private func snapshot(_ copy: SnapshotText, _ id: Int64, asOf day: Value? = nil, create: Bool = true) throws {
        let db = context.db
        if create { try db.run(copy.create) }
        try db.run(copy.clear)
        if let day {
            let columns = context.schema.storedColumns(copy.entity)
            try db.run(SessionSQL.fillSnapshot(copy.table, from: copy.entity, columns: columns), [.integer(id), day])
        } else {
            try db.run(copy.fill, [.integer(id)])
        }
    }
}

/// The statements that copy a row into row variable `slot`'s table, made once for a loop
/// rather than once an iteration. Table names come from the schema and the slot number,
/// never from user text.
private struct SnapshotText {
    let table: String, entity: String
    let create: String, clear: String, fill: String

    init(_ slot: Int, _ entity: EntityDef) {
        table = SQLGenerator.snapshotTable(slot)
        self.entity = entity.table
        create = SessionSQL.createSnapshot(table, of: entity.table)
        clear = SessionSQL.clearSnapshot(table)
        fill = SessionSQL.fillSnapshot(table, from: entity.table)
    }
}
