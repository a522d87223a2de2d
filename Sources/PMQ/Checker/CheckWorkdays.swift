/// Working-day arithmetic written as an expression (docs/language.md, “Dates and durations”):
/// `start + 3wd`, `finish - 2 * 5wd`, `today + -3wd`, `start + n * 1wd`. A count of working
/// days needs the calendar, so it is kept a count (a number) until it meets its date, where
/// it becomes one working-day step (`pmq_add_workdays`); read as a calendar span first, a
/// scaled or negated `wd` would land on weekends.
extension Checker {
    /// Whether `e` is written with `wd` literals, or variables holding working days
    /// (`workdayVariable`), only scaled, negated, added or subtracted: `3wd`, `-3wd`, `2 * 5wd`,
    /// `5wd * n`, `2wd + 3wd`, `by` after `let by = 2wd` or `param by = 2wd`.
    func isWorkdayCount(_ e: Expr, _ scope: Scope) -> Bool {
        switch e.kind {
        case .duration(_, .workdays): return true
        case .name(let n): return workdayVariable(n, scope) != nil
        case .unary(.negate, let a): return isWorkdayCount(a, scope)
        case .binary(.mul, let a, let b): return isWorkdayCount(a, scope) != isWorkdayCount(b, scope)
        case .binary(let op, let a, let b) where op == .add || op == .sub: return isWorkdayCount(a, scope) && isWorkdayCount(b, scope)
        default: return false
        }
    }

    /// The slot of a script variable that holds a count of working days (H13: `let d = 3wd`,
    /// `param by = 1wd`, `--var by=2wd`), when the name means it here: a field of the
    /// query's rows, or a named row, of the same name wins, as it does for any variable.
    func workdayVariable(_ n: String, _ scope: Scope) -> Int? {
        let lower = n.lowercased()
        guard scope.entity.field(lower) == nil, namedSource(lower) == nil,
              case .value(let slot, _)? = lookup(lower), workdaySlots.contains(slot) else { return nil }
        return slot
    }

    /// The number of working days a workday expression (`isWorkdayCount`) counts: a constant
    /// when it can be (a whole number; a part day is refused), else a number expression the
    /// generator truncates to whole days. Nil after an error.
    mutating func workdayCount(_ e: Expr, _ scope: Scope) -> TExpr? {
        func constant(_ t: TExpr) -> Double? {
            switch t.kind {
            case .value(.integer(let i)): return Double(i)
            case .value(.decimal(let d)): return d
            default: return nil
            }
        }
        func folded(_ v: Double, _ range: SourceRange) -> TExpr? {
            guard abs(v) <= maxDurationDays else {
                diagnostics.error(.outOfRange, "a duration of at most \(Int(maxDurationDays)) days, please", range)
                return nil
            }
            guard v == v.rounded() else {
                diagnostics.error(.wrongUnit, "working days are whole days: this counts \(v) of them", range,
                                  notes: ["round it, as in round(n * 5) * 1wd"])
                return nil
            }
            return TExpr(.value(.integer(Int64(v))), .number, range)
        }
        switch e.kind {
        case .duration(let v, .workdays):
            return folded(v, e.range)
        case .name(let n):
            guard let slot = workdayVariable(n, scope) else { return nil }
            let t = TExpr(.variable(slot), .number, e.range)
            savedBindings?.append(SavedBinding(range: e.range, value: t, workdays: true))
            return t
        case .unary(.negate, let a):
            guard let n = workdayCount(a, scope) else { return nil }
            if let c = constant(n) { return folded(-c, e.range) }
            return TExpr(.negate(n), .number, e.range)
        case .binary(.mul, let a, let b):
            let (count, factor) = isWorkdayCount(a, scope) ? (a, b) : (b, a)
            guard let n = workdayCount(count, scope) else { return nil }
            let k = check(factor, scope)
            guard k.type == .number || k.type == .any else {
                diagnostics.error(.wrongType, "working days scale by a number, not a \(k.type)", factor.range)
                return nil
            }
            if let x = constant(n), let y = constant(k) { return folded(x * y, e.range) }
            return TExpr(.arithmetic(.mul, n, k), .number, e.range)
        case .binary(let op, let a, let b) where op == .add || op == .sub:
            guard let x = workdayCount(a, scope), let y = workdayCount(b, scope) else { return nil }
            if let p = constant(x), let q = constant(y) { return folded(op == .add ? p + q : p - q, e.range) }
            return TExpr(.arithmetic(op, x, y), .number, e.range)
        default:
            return nil
        }
    }

    /// A workday expression on its own, not added to a date: the calendar span of that many
    /// working days from today (backwards when negative), as a lone `5wd` is. It is computed
    /// when it runs, `(today + n wd) - today`, so the project's holidays count, including
    /// those added earlier in the same script (H13).
    mutating func workdaySpan(_ e: Expr, _ scope: Scope) -> TExpr {
        guard let n = workdayCount(e, scope) else { return TExpr(.invalid, .any, e.range) }
        let from = TExpr(.value(.date(today)), .date, e.range)
        let reached = TExpr(.addWorkdays(from, n, subtract: false), .date, e.range)
        return TExpr(.arithmetic(.sub, reached, from), .duration, e.range)
    }
}
