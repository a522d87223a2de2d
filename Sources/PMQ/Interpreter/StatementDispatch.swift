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
        let session = context
        try session.step()
        // Holidays, make-up days and leave are the calendars' input: read them again after a change.
        defer { if Self.changesCalendars(c) { _ = try? session.loadCalendar() } }
        // Added rows are journaled as ranges; anything else that follows must come after them,
        // and sees the summaries rolled up over every change before it. One roll-up here is
        // enough: the run's end rolls up after its last statement, before it commits. A run of
        // `add task` rows without the tasks table's indexes ends at any other statement.
        if case .add(let a) = c, a.entity.table == "tasks" {} else { try session.endTaskRowsOfStatements() }
        if case .add = c {} else {
            session.caches.forgetAddedTasks()
            try session.journal.flush()
            try session.rollUpPending()
        }
        let db = session.db
        switch c {
        case .query(let q):
            emit(try session.runQuery(q))
        case .explain(let q):
            let stmt = try session.compileForRun(q.pivot != nil ? try session.pivoted(q) : q)
            let plan = try db.plan(stmt.sql, stmt.args)
            emit(.explain(sql: stmt.sql, arguments: stmt.args, plan: plan))
        case .add(let a):
            let report = try AddExecutor(session: session).run(a)
            try session.journal.added(a.link != nil ? "dependencies" : a.entity.table, db.lastInsertID)
            if a.entity.table == "tasks" { try session.wroteTaskRow() }
            emit(.change(report))
        case .use(let v, let range):
            guard case .reference(let code) = v else { throw RuntimeError(code: .missingValue, message: "use project takes a project code", range: range) }
            session.variables.currentProject = try AddExecutor(session: session).resolve("projects", code, range, project: nil)
        case .update(let target, let values, let range):
            let cacheable = !values.contains { if case .reference = $0.value { return true }; return false }
            emit(.change(try ChangeExecutor(session: session).update(target, values, range, cacheable: cacheable)))
        case .assign(let person, let role, let target, let range):
            emit(.change(try ChangeExecutor(session: session).assign(person, role: role, target, range)))
        case .unassign(let person, let role, let target, let range):
            emit(.change(try ChangeExecutor(session: session).unassign(person, role: role, target, range)))
        case .shift(let target, let days, let workdays, let range):
            emit(.change(try ChangeExecutor(session: session).shift(target, days: days, workdays: workdays, range)))
        case .delete(let target, let range):
            emit(.change(try ChangeExecutor(session: session).delete(target, range)))
        case .bindValue(let slot, let e, _):
            if case .variable(let source) = e.kind, case .reference(let t) = e.type, let entity = session.schema.plural(t) {
                // `let u = t`: another name for a row, with its own copy.
                session.variables[slot] = session.variables[source]
                if case .integer(let id)? = session.variables[source] { try snapshot(slot, entity, id) }
            } else {
                session.variables[slot] = try session.evaluate(e)
            }
        case .bindSet(let slot, let q, _):
            // A set is its ids as a JSON array, which SQL reads back with json_each.
            session.variables[slot] = .text("[" + (try session.ids(of: q)).map(String.init).joined(separator: ",") + "]")
        case .forLoop(let slot, let q, let body, _):
            // The rows are taken once, in the query's order, before the body changes anything.
            for id in try session.ids(of: q) {
                try session.step()
                session.variables[slot] = .integer(id)
                try snapshot(slot, q.entity, id)
                for statement in body { try execute(statement, emit: emit) }
            }
        case .ifElse(let branches, let otherwise):
            for (condition, body) in branches where try session.evaluate(condition) == .bool(true) {
                for statement in body { try execute(statement, emit: emit) }
                return
            }
            for statement in otherwise ?? [] { try execute(statement, emit: emit) }
        case .print(let e, _):
            let text = ConstantEvaluator.text(try session.evaluate(e))
            if let printHandler = session.printHandler { printHandler(text) } else { emit(.text(text)) }
        case .value(let e):
            emit(.scalar(try session.evaluate(e), kind: ResultColumn.Kind(e.type)))
        case .assert(let condition, let message, let range):
            if try session.evaluate(condition) != .bool(true) {
                let text = try message.map { ConstantEvaluator.text(try session.evaluate($0)) } ?? "assertion failed"
                throw RuntimeError(code: .assertFailed, message: "assert failed: \(text)", range: range)
            }
        case .saveQuery(let name, let text, _):
            // Saved queries are part of the model: journaled, so undo takes a save back.
            let set = try session.journal.set()
            if case .integer(let id) = try db.scalar(SessionSQL.savedQueryID, [.text(name)]) {
                let old = try db.scalar(SessionSQL.savedQuerySourceByID, [.integer(id)])
                try db.run(SessionSQL.setSavedQuery, [.text(text), .integer(id)])
                try session.journal.record(set, "saved_queries", id, "source", old: old, new: .text(text))
            } else {
                try db.run(SessionSQL.insertSavedQuery, [.text(name), .text(text)])
                try session.journal.record(set, "saved_queries", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            }
            emit(.change(ChangeReport(verb: "saved", entity: "query", count: 1, detail: name)))
        case .dropQuery(let name, let range):
            let set = try session.journal.set()
            try session.journal.recordRemoval(set, "saved_queries", where: SessionSQL.savedQueryByName, [.text(name)])
            if try db.run(SessionSQL.deleteSavedQuery, [.text(name)]) == 0 {
                throw RuntimeError(code: .unknownRow, message: "no saved query \"\(name)\"", range: range)
            }
            emit(.change(ChangeReport(verb: "dropped", entity: "query", count: 1, detail: name)))
        case .showQueries:
            var rows: [[Value]] = []
            try db.query(SessionSQL.savedQueries) { s in rows.append([s[0], s[1]]) }
            emit(.rows(columns: [ResultColumn(name: "name", kind: .text), ResultColumn(name: "query", kind: .text)], rows: rows, single: false))
        case .saveRule(let name, let text, let severity, _):
            emit(.change(try Rules(session: session).save(name: name, text: text, severity: severity)))
        case .dropRule(let name, let range):
            emit(.change(try Rules(session: session).drop(name: name, range)))
        case .showRules:
            emit(try Rules(session: session).show())
        case .checkRules(let range):
            session.failedErrorRules += try Rules(session: session).check(range, emit: emit)
        case .history(let row, let range):
            emit(try History(session: session).list(row: row, range))
        case .addField(let f, _):
            _ = try FieldStore.add(f, session: session)
            emit(.change(ChangeReport(verb: "added", entity: "field", count: 1, detail: "\"\(f.name)\" to \(f.table)")))
        case .dropField(let table, let name, let range):
            guard let f = session.schema.customFields.first(where: { $0.table == table && $0.name == name }) else {
                throw RuntimeError(code: .unknownField, message: "\(table) have no custom field \"\(name)\"", range: range)
            }
            try FieldStore.drop(id: f.id, session: session)
            emit(.change(ChangeReport(verb: "dropped", entity: "field", count: 1, detail: "\"\(name)\" from \(table)")))
        case .undo(let range):
            emit(.change(try History(session: session).undo(range)))
        case .redo(let range):
            emit(.change(try History(session: session).undo(range, redo: true)))
        case .schedule(let range):
            emit(.change(try ScheduleExecutor(session: session).run(range)))
        case .scheduleLevel(let ms, let range):
            emit(.change(try ScheduleExecutor(session: session, levelling: LevelOptions(budget: .milliseconds(ms))).run(range)))
        case .baselineSave(let range):
            let tasks = session.schema.tasks
            let tq = TQuery(entity: tasks)
            if let p = try session.schedulingProject(range), let pf = tasks.field("project") {
                tq.filter = TExpr(.compare(.eq, TExpr(.field(FieldPath(root: tasks, hops: [], field: pf)), .number, range),
                                           TExpr(.value(.integer(p)), .number, range)), .bool, range)
            }
            var values: [(FieldDef, UpdateValue)] = []
            for (to, from) in [("baseline_start", "start"), ("baseline_finish", "finish"), ("baseline_cost", "cost")] {
                guard let t = tasks.field(to), let f = tasks.field(from) else { continue }
                values.append((t, .expr(TExpr(.field(FieldPath(root: tasks, hops: [], field: f)), PType(f.type), range))))
            }
            emit(.change(try ChangeExecutor(session: session).update(tq, values, range, verb: "baselined")))
        case .health(let asOf, let range):
            var day = session.today
            if let asOf, case .date(let d) = try session.evaluate(asOf) { day = d }
            emit(try HealthReport(session: session).run(asOf: day, travel: asOf != nil, range))
        case .importFile(let path, let code, let range):
            emit(.change(try MSProjectImporter(session: session).run(path: try session.permittedPath(path, "import", range), code: code, range)))
        case .importInto(let path, let entity, let range):
            let shown = ConstantEvaluator.text(try session.evaluate(path))
            let importer = DataImporter(session: session, shownPath: shown, path: try session.permittedPath(shown, "import", range), entity: entity, range: range)
            emit(.change(try session.withBulkCache { try importer.run() }))
        case .export(let query, let path, let range):
            let shown = ConstantEvaluator.text(try session.evaluate(path))
            emit(.change(try Exporter(session: session, shownPath: shown, path: try session.permittedPath(shown, "export", range), range: range).run(query)))
        case .importTaskwarrior(let path, let range):
            let shown = ConstantEvaluator.text(try session.evaluate(path))
            emit(.change(try TaskwarriorImporter(session: session, shownPath: shown, path: try session.permittedPath(shown, "import", range), range: range).run()))
        case .exportTaskwarrior(let query, let path, let range):
            let shown = ConstantEvaluator.text(try session.evaluate(path))
            emit(.change(try Exporter(session: session, shownPath: shown, path: try session.permittedPath(shown, "export", range), range: range).runTaskwarrior(query)))
        case .gantt(let q, _):
            emit(.gantt(try GanttLoader(session: session).load(q)))
        case .report(let path, let range):
            _ = try session.permittedPath(path, "report", range)
            let page = try HTMLReport(session: session).render(range)
            session.pendingFiles.append((path, page, range))
            emit(.change(ChangeReport(verb: "wrote", entity: "report", count: 1, detail: path)))
        case .addHoliday(let from, let to, let name, _):
            // Journaled like any row (undo takes it back, `as of` an earlier day is without it):
            // a day that is a holiday already takes the new name.
            let set = try session.journal.set()
            let newName: Value = name.map { .text($0) } ?? .null
            var n = 0
            for d in from.number...to.number {
                var existing: (id: Int64, name: Value)?
                try db.query(CalendarSQL.holidayOn, [.date(Day(d))]) { s in
                    if case .integer(let id) = s[0] { existing = (id, s[1]) }
                }
                if let (id, old) = existing {
                    if old != newName {
                        try session.journal.record(set, "holidays", id, "name", old: old, new: newName)
                        try db.run(CalendarSQL.renameHoliday, [newName, .integer(id)])
                    }
                } else {
                    try db.run(CalendarSQL.addHoliday, [.date(Day(d)), newName])
                    try session.journal.added("holidays", db.lastInsertID)
                }
                n += 1
            }
            try session.journal.flush()
            try session.loadCalendar()
            // Progress weights count working days: every summary is derived again.
            try Rollup(session: session).all()
            emit(.change(ChangeReport(verb: "added", entity: "holiday", count: n, detail: nil)))
        case .begin, .commit, .rollback, .nothing:
            break
        }
    }

    /// Copies a row into row variable `slot`'s table: its fields read as they were now.
    private func snapshot(_ slot: Int, _ entity: EntityDef, _ id: Int64) throws {
        let table = SQLGenerator.snapshotTable(slot)
        // Table names come from the schema and the slot number, never from user text.
        let db = context.db
        try db.run(SessionSQL.createSnapshot(table, of: entity.table))
        try db.run(SessionSQL.clearSnapshot(table))
        try db.run(SessionSQL.fillSnapshot(table, from: entity.table), [.integer(id)])
    }
}
