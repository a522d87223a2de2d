/// Checks the time-travel parts of the language (docs/language.md, “Time travel”): `as of`, `was`,
/// `changed` and rules.
extension Checker {
    /// `as of D`: a date that names no field of the row (it is one day for the whole query).
    mutating func checkAsOf(_ d: Expr) -> TExpr? {
        let x = check(d, Scope(entity: Checker.noFields))
        if x.type != .date && x.type != .any {
            diagnostics.error(.wrongType, "as of takes a date, not a \(x.type)", d.range, notes: ["write as of 2026-03-13 or as of today - 7d"])
            return nil
        }
        return x.type == .any ? nil : x
    }

    /// `F was [not] V` and `F changed [from V] [to V] [by "user"] [after D] [before D]`.
    mutating func checkJournalTest(_ e: Expr, _ scope: Scope) -> TExpr {
        let fieldExpr: Expr
        switch e.kind {
        case .was(let f, _, _), .changed(let f, _): fieldExpr = f
        default: return TExpr(.invalid, .any, e.range)
        }
        let x = check(fieldExpr, scope)
        if x.type == .any { return TExpr(.invalid, .any, e.range) }
        guard case .field(let path) = x.kind, path.hops.isEmpty, path.rootVariable == nil,
              let column = path.field.column, !scope.entity.isJournal, scope.entity.plural != Checker.noFields.plural else {
            diagnostics.error(.wrongType, "\"was\" and \"changed\" ask the journal about a stored field of the row, like status or owner", fieldExpr.range,
                              notes: ["computed fields, dotted paths and the journal's own fields have no history of their own"])
            return TExpr(.invalid, .any, e.range)
        }
        let reference: EntityDef? = {
            if case .reference(let t) = path.field.type { return schema.plural(t) }
            return nil
        }()
        func stored(_ v: Expr) -> JournalTest.Stored? {
            let (_, r) = unify(x, v, scope, op: .eq)
            if r.type == .any { return nil }
            return JournalTest.Stored(value: r, reference: reference)
        }
        func date(_ d: Expr?, _ word: String) -> TExpr? {
            guard let d else { return nil }
            let t = check(d, scope)
            if t.type != .date && t.type != .any { diagnostics.error(.wrongType, "changed ... \(word) takes a date, not a \(t.type)", d.range) }
            return t
        }
        let kind: JournalTest.Kind
        switch e.kind {
        case .was(_, let v, let negated):
            let (l, r) = unify(x, v, scope, op: .eq)
            if r.type == .any { return TExpr(.invalid, .any, e.range) }
            // "Had the value V": null is a value the field can have (`owner was null`), so
            // the row's own value matches V when both are null, as the journal's values do.
            let bothNull = TExpr(.logic(.and, TExpr(.isNull(l, negated: false), .bool, e.range), TExpr(.isNull(r, negated: false), .bool, e.range)), .bool, e.range)
            let current = TExpr(.logic(.or, TExpr(.compare(.eq, l, r), .bool, e.range), bothNull), .bool, e.range)
            kind = .was(current: current, value: JournalTest.Stored(value: r, reference: reference), negated: negated)
        case .changed(_, let f):
            var by: TExpr?
            if let b = f.by {
                let t = check(b, scope)
                if t.type != .text && t.type != .any { diagnostics.error(.wrongType, "changed ... by takes a user name in quotes", b.range) }
                by = t
            }
            kind = .changed(from: f.from.flatMap(stored), to: f.to.flatMap(stored), by: by,
                            after: date(f.after, "after"), before: date(f.before, "before"))
        default:
            return TExpr(.invalid, .any, e.range)
        }
        return TExpr(.journal(JournalTest(entity: scope.entity, column: column, kind: kind)), .bool, e.range)
    }

    /// `save rule "NAME" <query> [severity warning|error]`: the query must check now.
    mutating func checkSaveRule(_ name: Expr, _ q: Query, text: String, severity: Name?, _ range: SourceRange) -> Checked? {
        guard case .string(let n) = name.kind, !n.isEmpty else {
            diagnostics.error(.wrongType, "a rule's name is text in quotes: save rule \"late work\" tasks where overdue", name.range)
            return nil
        }
        var level = "warning"
        if let severity {
            guard ["warning", "error"].contains(severity.lowered) else {
                diagnostics.error(.unknownValue, "unknown severity \"\(severity.text)\"; valid values are: warning, error", severity.range)
                return nil
            }
            level = severity.lowered
        }
        savedBindings = []
        let checked = checkQuery(q)
        let bound = SavedText(text: text, start: q.range.start, bindings: savedBindings ?? [])
        savedBindings = nil
        guard let tq = checked else { return nil }
        if tq.shape != .rows {
            diagnostics.error(.wrongQueryShape, "a rule is a query whose rows are problems: leave out count and lone aggregates", q.range)
            return nil
        }
        return .saveRule(name: n, text: bound, severity: level, range)
    }
}
