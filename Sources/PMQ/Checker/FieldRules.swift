import Foundation

/// "Is this value right for this field?", asked in one place by `add` (constants), `update`
/// (a literal new value, checked before it runs; expressions are checked row by row in the
/// store with the same rules) and `import` (a file's cells). Each rule has one message.
enum FieldRules {
    /// Why a value does not fit a field.
    enum Problem: Error, Equatable {
        case unknownValue(String, valid: [String])
        case outOfBounds(Double, ClosedRange<Double>)
        case notWhole
        case empty
        case null
        case dateOutOfRange
    }

    /// An enum value as the field spells it, matched without regard to case (`Done` is `done`).
    static func enumValue(_ s: String, _ values: [String]) -> String? {
        if values.contains(s) { return s }
        let key = s.lowercased()
        return values.first { $0.lowercased() == key }
    }

    /// A constant of the field's type (already converted), checked against the field's rules:
    /// never null, not empty, whole, within bounds, a real date, one of the enum's values.
    /// Returns the value as stored (an enum value spelled as the field spells it).
    static func check(_ v: Value, _ f: FieldDef) -> Result<Value, Problem> {
        switch (v, f.type) {
        case (.null, _):
            return f.required || f.neverNull ? .failure(.null) : .success(.null)
        case (.text(let s), .enumeration(let vs)):
            guard let hit = enumValue(s, vs) else { return .failure(.unknownValue(s, valid: vs)) }
            return .success(.text(hit))
        case (.text(let s), .text):
            // An ASCII byte other than space or tab is not white space: most names end the
            // check there, without Foundation's trimming (a tenth of a data load's time).
            if f.required, !s.utf8.contains(where: { $0 < 0x80 && $0 != 32 && $0 != 9 }), s.trimmingCharacters(in: .whitespaces).isEmpty {
                return .failure(.empty)
            }
            return .success(v)
        case (_, .enumeration(let vs)):
            return .failure(.unknownValue(ConstantEvaluator.text(v), valid: vs))
        case (.date(let d), _):
            return d.isInRange ? .success(v) : .failure(.dateOutOfRange)
        case (.decimal(let d), .integer):
            guard d == d.rounded(), let i = d.safeInt else { return .failure(.notWhole) }
            return bounded(.integer(Int64(i)), f)
        case (.integer, _), (.decimal, _):
            return bounded(v, f)
        default:
            return .success(v)
        }
    }

    private static func bounded(_ v: Value, _ f: FieldDef) -> Result<Value, Problem> {
        if let b = f.bounds, let x = v.number, !b.contains(x) { return .failure(.outOfBounds(x, b)) }
        return .success(v)
    }

    /// The one message for each problem, naming the field; `shown` is the value as the
    /// user wrote it, when the message should quote it (a file's cell).
    static func message(_ p: Problem, _ f: FieldDef, shown: String? = nil) -> (MessageID, String) {
        switch p {
        case .unknownValue(let s, let valid):
            return (.unknownValue, "unknown \(f.name) \(shown ?? "\"\(s)\""); valid values are: \(valid.joined(separator: ", "))")
        case .outOfBounds(let x, let b):
            return (.outOfRange, "\(f.name) must be between \(formatNumber(b.lowerBound)) and \(formatNumber(b.upperBound)), not \(shown ?? formatNumber(x))")
        case .notWhole:
            return (.wrongType, "\(f.name) takes a whole number" + (shown.map { ", not \($0)" } ?? ""))
        case .empty:
            return (.nullNotAllowed, "\(f.name) cannot be empty")
        case .null:
            return (.nullNotAllowed, "\(f.name) cannot be null")
        case .dateOutOfRange:
            return (.outOfRange, "\(f.name)\(shown.map { ": \($0)" } ?? "") is out of range: dates run from 0001-01-01 to 9999-12-31")
        }
    }
}
