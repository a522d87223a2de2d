/// Function arguments seen from inside the body (docs/language.md, “Functions”).
///
/// An argument is checked where the function is called, so a field in it (`big(t.cost)`,
/// `mine(name)`) names a row of the caller's query. When the body names the parameter inside
/// a nested query of its own (`fn big(c) = (count tasks where cost > c)`), that row is now
/// some query levels further out: each field path that starts at a query's row is moved
/// out by as many levels, as if the caller had written `t.cost` there itself. Paths that
/// start at a `for` variable are absolute and stay.
extension Checker {
    /// Query levels between the call (`depth`, the named sources then) and here.
    func levelsSinceCall(_ depth: Int) -> Int { max(0, namedSources.count - depth) }

    static func shiftedOut(_ p: FieldPath, by n: Int) -> FieldPath {
        guard n > 0, p.rootVariable == nil else { return p }
        var q = p
        q.outer = (p.outer ?? 0) + n
        return q
    }

    /// `e` with every row path moved `n` query levels out. Nested queries inside an
    /// argument keep their own rows (an argument that is itself a query is rare and reads
    /// only its own rows and constants in practice), so they are left as they are.
    static func shiftedOut(_ e: TExpr, by n: Int) -> TExpr {
        guard n > 0 else { return e }
        func s(_ x: TExpr) -> TExpr { shiftedOut(x, by: n) }
        let kind: TExpr.Kind
        switch e.kind {
        case .field(let p): kind = .field(shiftedOut(p, by: n))
        case .not(let a): kind = .not(s(a))
        case .negate(let a): kind = .negate(s(a))
        case .arithmetic(let op, let a, let b): kind = .arithmetic(op, s(a), s(b))
        case .addWorkdays(let a, let b, let sub): kind = .addWorkdays(s(a), s(b), subtract: sub)
        case .compare(let op, let a, let b): kind = .compare(op, s(a), s(b))
        case .logic(let op, let a, let b): kind = .logic(op, s(a), s(b))
        case .inList(let a, let xs, let neg): kind = .inList(s(a), xs.map(s), negated: neg)
        case .listContains(let l, let v, let neg): kind = .listContains(list: s(l), value: s(v), negated: neg)
        case .isNull(let a, let neg): kind = .isNull(s(a), negated: neg)
        case .between(let a, let lo, let hi, let neg): kind = .between(s(a), s(lo), s(hi), negated: neg)
        case .under(let a, let b): kind = .under(s(a), s(b))
        case .aggregate(let agg, let a): kind = .aggregate(agg, a.map(s))
        case .function(let f, let xs): kind = .function(f, xs.map(s))
        case .concat(let xs): kind = .concat(xs.map(s))
        case .caseWhen(let branches, let otherwise):
            kind = .caseWhen(branches.map { (s($0.condition), s($0.value)) }, otherwise: otherwise.map(s))
        case .datePart(let part, let a): kind = .datePart(part, s(a))
        case .addMonths(let a, let b, let sub): kind = .addMonths(s(a), s(b), subtract: sub)
        case .keyOf(let a): kind = .keyOf(s(a))
        case .listEdit(let l, let v, let remove): kind = .listEdit(list: s(l), value: s(v), remove: remove)
        case .host(let name, let xs): kind = .host(name, xs.map(s))
        default: return e
        }
        return TExpr(kind, e.type, e.range)
    }
}
