/// A checked `add`: the entity, and every field's value already computed (values of
/// `add` never depend on a row). References stay keys until they are resolved at run time.
struct TAdd {
    var entity: EntityDef
    var milestone: Bool                         // `add milestone ...`
    var values: [(field: FieldDef, value: Value, range: SourceRange)]
    var link: (pred: Value, succ: Value, range: SourceRange)?
    /// `duration` of a task: days, or working days when written `5wd`.
    var duration: (days: Double, workdays: Bool, range: SourceRange)?
    var range: SourceRange

    func value(_ name: String) -> Value? { values.first { $0.field.name == name }?.value }
    func range(of name: String) -> SourceRange { values.first { $0.field.name == name }?.range ?? range }
}

extension Checker {
    /// add_stmt: the names and types of every pair, against the catalog.
    mutating func checkAdd(_ a: AddStatement, _ range: SourceRange) -> TAdd? {
        let n = a.entity.lowered
        guard let entity = schema.entity(named: n) else {
            let names = schema.entities.map(\.singular)
            diagnostics.error(.unknownEntity, "cannot add \"\(a.entity.text)\"\(Suggestions.didYouMean(a.entity.text, names))", a.entity.range,
                              notes: ["add one of: " + names.joined(separator: ", ")])
            return nil
        }
        if entity.isJournal {
            diagnostics.error(.readOnly, "the journal is read-only: it records what the other statements change", a.entity.range)
            return nil
        }
        if entity.isReadOnly {
            diagnostics.error(.readOnly, "load is computed from tasks, assignments, capacity and leave: change those instead", a.entity.range)
            return nil
        }
        var out = TAdd(entity: entity, milestone: entity.onlyMilestones, values: [], link: nil, duration: nil, range: range)
        var ok = true

        if let link = a.link {
            let p = taskKey(link.pred), s = taskKey(link.succ)
            guard let p, let s else { return nil }
            out.link = (p, s, link.pred.range.to(link.succ.range))
        } else if entity.plural == "dependencies" {
            diagnostics.error(.unexpectedToken, "write a dependency as: add dependency 1.2 -> 1.3", range)
            return nil
        }
        var a = a
        if entity.plural == "leaves" {
            // `add leave "Li Wei" from 2026-05-04 to 2026-05-08`: from and to are start and finish;
            // without `to`, one day.
            a.pairs = a.pairs.map { p in
                switch p.field.lowered {
                case "from": return (Name(text: "start", range: p.field.range), p.value)
                case "to": return (Name(text: "finish", range: p.field.range), p.value)
                default: return p
                }
            }
            if !a.pairs.contains(where: { $0.field.lowered == "finish" }), let s = a.pairs.first(where: { $0.field.lowered == "start" }) {
                a.pairs.append((Name(text: "finish", range: s.field.range), s.value))
            }
        }
        if let lit = a.literal {
            let literalField: String?
            switch entity.plural {
            case "leaves": literalField = "person"
            case "workdays", "holidays": literalField = "day"
            default: literalField = nil
            }
            let keyName = entity.plural == "tasks" || entity.plural == "milestones" ? "name" : (literalField ?? entity.key)
            guard let keyName, let kf = entity.field(keyName) else {
                diagnostics.error(.unexpectedToken, "\(entity.plural) have no name: give their fields, as in \"add \(entity.singular) \(entity.fieldNames.prefix(2).map { "\($0) ..." }.joined(separator: " "))\"", lit.range)
                return nil
            }
            if let v = checkValue(lit, kf) { out.values.append((kf, v, lit.range)) } else { ok = false }
        }
        for (name, valueExpr) in a.pairs {
            // `field` folds the case itself, making a new string only for a name with capitals.
            guard let f = entity.field(name.text), f.name != "id" else {
                diagnostics.error(.unknownField, "unknown field \"\(name.text)\" of \(entity.plural)\(Suggestions.didYouMean(name.text, entity.fieldNames))", name.range)
                ok = false
                continue
            }
            if out.values.contains(where: { $0.field.name == f.name }) || (f.name == "duration" && out.duration != nil) {
                diagnostics.error(.givenTwice, "\"\(f.name)\" is given twice", name.range)
                ok = false
                continue
            }
            if entity.table == "tasks", f.name == "duration" {
                if case .duration(let v, let unit) = valueExpr.kind, abs(v) <= maxDurationDays {
                    let days = unit == .weeks ? v * 7 : v
                    if unit == .months {
                        diagnostics.error(.wrongUnit, "a duration in months (mo) has no fixed length: give the finish date instead", valueExpr.range)
                        ok = false
                    } else if unit == .milliseconds || unit == .seconds {
                        diagnostics.error(.wrongUnit, "a duration is in days: write 5d, 2w or 5wd (ms and s are for a time budget)", valueExpr.range)
                        ok = false
                    } else if unit == .hours {
                        diagnostics.error(.wrongUnit, "a duration is in days: write 5d, 2w or 5wd (hours are for effort)", valueExpr.range)
                        ok = false
                    } else if days < 0 {
                        diagnostics.error(.invalidValue, "a duration cannot be negative", valueExpr.range)
                        ok = false
                    } else {
                        out.duration = (days, unit == .workdays, valueExpr.range)
                    }
                } else {
                    let t = check(valueExpr, Scope(entity: Checker.noFields))
                    if case .value(.duration(let d)) = t.kind, d >= 0 { out.duration = (d, false, valueExpr.range) }
                    else if t.type != .any {
                        diagnostics.error(.wrongType, "duration takes a duration like 5d, 2w or 5wd", valueExpr.range)
                        ok = false
                    }
                }
                continue
            }
            if f.isComputed || f.scheduled {
                diagnostics.error(.notSettable, "\"\(f.name)\" is \(f.scheduled ? "filled in by schedule" : "computed") and cannot be set", name.range)
                ok = false
                continue
            }
            if entity.table == "dependencies", f.name == "lag_unit" {
                diagnostics.error(.notSettable, "a lag's unit is the one it is written in: write lag 2d (calendar days) or lag 2wd (working days)", name.range)
                ok = false
                continue
            }
            if entity.table == "dependencies", f.name == "lag", let days = workdayLag(valueExpr) {
                // `lag 2wd`: two working days, kept as 2 with the unit wd (LagUnits).
                guard abs(days) <= maxDurationDays else {
                    diagnostics.error(.outOfRange, "a duration of at most \(Int(maxDurationDays)) days, please", valueExpr.range)
                    ok = false
                    continue
                }
                out.values.append((f, .duration(days), valueExpr.range))
                if let unit = entity.field("lag_unit") { out.values.append((unit, .text("wd"), valueExpr.range)) }
                continue
            }
            if let v = checkValue(valueExpr, f) { out.values.append((f, v, valueExpr.range)) } else { ok = false }
        }
        // Any other lag (and none) counts calendar days: the unit goes with every new link.
        if entity.table == "dependencies", out.value("lag_unit") == nil, let unit = entity.field("lag_unit") {
            out.values.append((unit, .text("d"), out.range(of: "lag")))
        }
        guard ok else { return nil }
        // Every row needs its name: `add task wbs 7` would otherwise reach the database.
        for f in entity.fields where f.required && f.name != "wbs" && out.value(f.name) == nil && out.link == nil {
            let example = entity.key ?? f.name
            diagnostics.error(.invalidValue, "a\(entity.singular.first.map { "aeiou".contains($0) } == true ? "n" : "") \(entity.singular) needs a \(f.name): add \(entity.singular) \"\(example == f.name ? "..." : "Name")\" ...", a.entity.range)
            return nil
        }
        if out.duration != nil, out.value("finish") != nil {
            diagnostics.error(.wrongType, "give finish or duration, not both", out.range(of: "finish"))
            return nil
        }
        if entity.table == "leaves", case .date(let s)? = out.value("start"), case .date(let f)? = out.value("finish"), f < s {
            diagnostics.error(.datesOutOfOrder, "a leave runs forward: \(f.iso) is before \(s.iso)", out.range(of: "finish"))
            return nil
        }
        if entity.table == "workdays", case .date(let d)? = out.value("day"), !d.isWeekend {
            diagnostics.error(.invalidValue, "\(d.iso) is a weekday, a working day already: a make-up day is a Saturday or Sunday",
                              out.range(of: "day"), notes: ["to work on a holiday, delete it: delete holidays where day = \(d.iso)"])
            return nil
        }
        if entity.table == "people", let c = out.value("capacity")?.number,
           let problem = PersonRules.capacityProblem(c, kind: out.value("kind").map { ConstantEvaluator.text($0) }) {
            diagnostics.error(.outOfRange, problem, out.range(of: "capacity"))
            return nil
        }
        if entity.table == "people", case .reference(let b)? = out.value("backup"), case .text(let n)? = out.value("name"), b == n {
            diagnostics.error(.invalidValue, "\(n) cannot be their own backup", out.range(of: "backup"))
            return nil
        }
        return out
    }

    static let noFields = EntityDef(plural: "values", singular: "value", table: "", key: nil, fields: [], defaultColumns: [], onlyMilestones: false)

    /// A task named by its WBS code: bare (`1.10`, kept as written) or quoted.
    private mutating func taskKey(_ e: Expr) -> Value? {
        switch e.kind {
        case .number(_, let text): return .text(text)
        case .wbs(let s), .string(let s): return .text(s)
        default:
            diagnostics.error(.wrongType, "expected a task's WBS code, like 1.2.3", e.range)
            return nil
        }
    }

    /// A lag written in working days: `2wd`, `-2wd`, `0.5wd`, or a working-day expression
    /// (`2 * 1wd`, a variable holding working days) as a count; nil for any other lag.
    mutating func workdayLag(_ e: Expr) -> Double? {
        if let v = Checker.literalWorkdayLag(e) { return v }
        let scope = Scope(entity: Checker.noFields)
        guard isWorkdayCount(e, scope), let n = workdayCount(e, scope) else { return nil }
        switch n.kind {
        case .value(.integer(let i)): return Double(i)
        case .value(.decimal(let d)): return d
        default: return nil
        }
    }

    /// `2wd`, `-2wd`, `0.5wd` as written: a lag may be a part of a working day.
    static func literalWorkdayLag(_ e: Expr) -> Double? {
        switch e.kind {
        case .duration(let v, .workdays): return v
        case .unary(.negate, let a):
            if case .duration(let v, .workdays) = a.kind { return -v }
        default: break
        }
        return nil
    }

    /// One field's value in `add`: a constant of the field's type, within its bounds.
    mutating func checkValue(_ e: Expr, _ f: FieldDef) -> Value? {
        // Bare words: enum values and booleans.
        if case .name(let word) = e.kind {
            if case .enumeration = f.type { return fits(.text(word), f, e.range) }
        }
        switch (f.type, e.kind) {
        case (.reference("tasks"), _), (.text, .number), (.text, .wbs):
            let isReference = f.type != .text
            if isReference || f.name == "wbs" || e.isBareCode {
                if case .number(_, let text) = e.kind { return isReference ? .reference(text) : .text(text) }
                if case .wbs(let s) = e.kind { return isReference ? .reference(s) : .text(s) }
            }
        case (.list, .list(let items)):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item.kind else {
                    diagnostics.error(.wrongType, "tags are text: write (\"infra\", \"db\")", item.range)
                    return nil
                }
                out.append(s)
            }
            return .list(out)
        default: break
        }
        // A literal of the field's own type (nearly every value of a data load) is the value
        // `check` and `ConstantEvaluator` would make of it, without a typed tree built and
        // walked for it; anything else (and every case that may be refused) goes below.
        switch (f.type, e.kind) {
        case (.text, .string(let s)), (.enumeration, .string(let s)): return fits(.text(s), f, e.range)
        case (.reference, .string(let s)): return .reference(s)
        case (.date, .date(let d)) where d.isValid: return fits(.date(d), f, e.range)
        case (.integer, .number(let v, let text)), (.number, .number(let v, let text)):
            // Whole numbers as `check` reads them: every digit, no dot, no `_` separators.
            if v.isFinite, !text.utf8.contains(46), !text.utf8.contains(95), let exact = Int64(text) { return fits(.integer(exact), f, e.range) }
        default: break
        }
        let t = check(e, Scope(entity: Checker.noFields))
        if t.type == .any { return nil }
        let v: Value
        do { v = try ConstantEvaluator.evaluate(t, calendar: calendar) } catch let o as ConstantEvaluator.OutOfRange {
            diagnostics.add(o.error.diagnostic)
            return nil
        } catch {
            diagnostics.error(.wrongType, "\(f.name) takes a value, not an expression over rows", e.range)
            return nil
        }
        if v.isNull { return fits(v, f, e.range) }
        switch (f.type, v) {
        case (.text, .text), (.integer, .integer), (.integer, .decimal), (.number, .integer), (.number, .decimal),
             (.date, .date), (.enumeration, .text):
            return fits(v, f, e.range)
        case (.duration, .duration): return v
        case (.bool, .bool): return v
        case (.reference, .text): return .reference(ConstantEvaluator.text(v))
        case (.list, .text(let s)):
            // One text is one item, commas and all, as `update ... set tags = "a,b"` stores it
            // (`tags ("a", "b")` is two). A file's cells are split (DataImport).
            return .list([s])
        default:
            var notes: [String] = []
            if f.type == .date, case .text = v { notes.append("write dates without quotes: 2026-01-28") }
            if f.type == .duration, v.number != nil { notes.append("durations carry a unit: write 3d, 2w or 5wd") }
            if case .reference(let target) = f.type, let def = schema.plural(target) {
                notes.append("name the \(def.singular) by its \(def.key ?? "key") in quotes")
            }
            diagnostics.error(.wrongType, "\(f.name) takes a \(FieldType.describe(f.type)), not a \(t.type)", e.range, notes: notes)
            return nil
        }
    }

    /// A constant of the field's type, by the field's rules (FieldRules), or its error; `add`
    /// and `update`'s literal values both ask it.
    mutating func fits(_ v: Value, _ f: FieldDef, _ range: SourceRange) -> Value? {
        switch FieldRules.check(v, f) {
        case .success(let stored): return stored
        case .failure(let problem):
            let (code, message) = FieldRules.message(problem, f)
            diagnostics.error(code, message, range)
            return nil
        }
    }
}

extension FieldType {
    static func describe(_ t: FieldType) -> String {
        switch t {
        case .enumeration(let vs): return "one of " + vs.joined(separator: ", ")
        case .reference(let e): return Catalog.plural(e)?.singular ?? e
        default: return t.description
        }
    }
}

extension Expr {
    /// A number written as a WBS code would be (`1.10`, `3`).
    var isBareCode: Bool {
        if case .number(_, let text) = kind { return !text.contains("_") }
        if case .wbs = kind { return true }
        return false
    }
}

import Foundation
