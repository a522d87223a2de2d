/// Evaluates checked expressions that do not depend on a row (the values of `add`),
/// with the same rules SQL applies to them in queries.
enum ConstantEvaluator {
    struct NotConstant: Error { let range: SourceRange }

    static func evaluate(_ e: TExpr, calendar: WorkCalendar? = nil) throws -> Value {
        switch e.kind {
        case .value(let v): return v
        case .negate(let x):
            switch try evaluate(x, calendar: calendar) {
            case .integer(let i): return .integer(-i)
            case .decimal(let d): return .decimal(-d)
            case .duration(let d): return .duration(-d)
            default: return .null
            }
        case .arithmetic(let op, let x, let y):
            return try inRange(arithmetic(op, try evaluate(x, calendar: calendar), try evaluate(y, calendar: calendar), resultType: e.type), e)
        case .addWorkdays(let d, let n, let subtract):
            guard case .date(let day) = try evaluate(d, calendar: calendar),
                  let k = try evaluate(n, calendar: calendar).number.flatMap({ $0.rounded(.towardZero).safeInt }) else { return .null }
            return try inRange(.date(calendar?.adding(subtract ? -k : k, to: day) ?? day.addingWorkdays(subtract ? -k : k)), e)
        case .concat(let parts):
            return .text(try parts.map { text(try evaluate($0, calendar: calendar)) }.joined())
        case .function(let fn, let args):
            let vs = try args.map { try evaluate($0, calendar: calendar) }
            switch fn {
            case .lower: if case .text(let s) = vs[0] { return .text(CaseMapping.lower(s)) }; return .null
            case .upper: if case .text(let s) = vs[0] { return .text(CaseMapping.upper(s)) }; return .null
            case .length: if case .text(let s) = vs[0] { return .integer(Int64(s.count)) }; return .null
            case .coalesce: return vs.first { !$0.isNull } ?? .null
            case .listOf: return vs.first.map { .list([text($0)]) } ?? .null
            case .addOwnerWorkdays:
                // Without a row there is no owner: the project calendar.
                guard case .date(let day) = vs[0], let k = vs[1].number.flatMap({ $0.rounded(.towardZero).safeInt }) else { return .null }
                return try inRange(.date(calendar?.adding(k, to: day) ?? day.addingWorkdays(k)), e)
            case .maxOf:
                guard let a = vs.first?.number, let b = vs.last?.number else { return .null }
                return a >= b ? vs[0] : vs[vs.count - 1]
            case .abs:
                switch vs[0] {
                case .integer(let i): return .integer(i.magnitude > Int64.max.magnitude ? i : Swift.abs(i))
                case .decimal(let d): return .decimal(Swift.abs(d))
                case .duration(let d): return .duration(Swift.abs(d))
                default: return .null
                }
            case .round:
                guard let x = vs[0].number else { return .null }
                if vs.count > 1 && vs[1].isNull { return .null }
                let digits = vs.count > 1 ? max(-15, min(15, vs[1].number?.safeInt ?? 0)) : 0
                return .decimal(round(x, digits))
            }
        default:
            throw NotConstant(range: e.range)
        }
    }

    /// Date arithmetic that leaves the calendar PMQ stores is an error at the expression.
    private static func inRange(_ v: Value, _ e: TExpr) throws -> Value {
        if case .date(let d) = v, !d.isInRange { throw OutOfRange(range: e.range) }
        return v
    }

    /// A date computed outside years 1 to 9999: reported, never stored or wrapped.
    struct OutOfRange: Error {
        let range: SourceRange
        var error: RuntimeError {
            RuntimeError(code: .outOfRange, message: "date out of range: PMQ dates run from \(Day.earliest.iso) to \(Day.latest.iso)", range: range)
        }
    }

    /// `round(x, digits)` in scripts and (as `pmq_round`) in SQLite queries, the same as
    /// PostgreSQL's pmq_round: negative digits round to tens, hundreds, ...
    static func round(_ x: Double, _ digits: Int) -> Double {
        if digits < 0 {
            let p = pow10(-digits)
            return (x / p).rounded() * p
        }
        return roundedAsSQL(x, digits)
    }

    /// `round(x, n)` for n ≥ 0 as SQLite's round() gives it (and PostgreSQL's pmq_round, through
    /// numeric): the value read to 15 significant digits, then rounded half away from zero, so
    /// `round(1.005, 2)` is 1.01 in a `print` as in a query (a Double product gives 1).
    static func roundedAsSQL(_ x: Double, _ digits: Int) -> Double {
        guard x.isFinite, digits > 0, var d = Decimal(string: String(format: "%.15g", x)) else { return x.rounded() }
        var out = Decimal()
        NSDecimalRound(&out, &d, digits, .plain)
        return NSDecimalNumber(decimal: out).doubleValue
    }

    private static func pow10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<min(max(n, 0), 15) { p *= 10 }
        return p
    }

    static func arithmetic(_ op: BinaryOp, _ a: Value, _ b: Value, resultType: PType) -> Value {
        if a.isNull || b.isNull { return .null }
        switch (a, b) {
        case (.date(let d), .duration(let n)):
            // Past any whole number of days: a day far out of range, which the caller reports.
            guard let k = n.rounded(.down).safeInt else { return .date(Day(n < 0 ? -Day.bound : Day.bound)) }
            return .date(Day(d.number + (op == .sub ? -k : k)))
        case (.duration(let n), .date(let d)):
            guard let k = n.rounded(.down).safeInt else { return .date(Day(n < 0 ? -Day.bound : Day.bound)) }
            return .date(Day(d.number + k))
        case (.date(let x), .date(let y)):
            return .duration(Double(x.number - y.number))
        default: break
        }
        guard let x = a.number, let y = b.number else { return .null }
        let r: Double
        switch op {
        case .add: r = x + y
        case .sub: r = x - y
        case .mul: r = x * y
        case .div:
            if y == 0 { return .null }
            r = x / y
        default: return .null
        }
        if resultType == .duration { return .duration(r) }
        if case .integer = a, case .integer = b, op != .div, abs(r) < 9e18 { return .integer(Int64(r)) }
        return .decimal(r)
    }

    /// How a value reads in a message or an interpolated string.
    static func text(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .integer(let i): return String(i)
        case .decimal(let d): return formatNumber(d)
        case .text(let s), .reference(let s): return s
        case .date(let d): return d.iso
        case .duration(let d): return formatNumber(d) + "d"
        case .bool(let b): return b ? "true" : "false"
        case .list(let xs): return xs.joined(separator: ", ")
        }
    }
}

import Foundation
