/// A PMQ value as results carry it to hosts and output formats.
public enum Value: Hashable, Sendable {
    case null
    case integer(Int64)
    case decimal(Double)
    case text(String)
    case date(Day)
    /// A duration in days (calendar days; fractions for hours).
    case duration(Double)
    case bool(Bool)
    /// A reference, carried as the referenced entity's key (`"Li Wei"`, `"1.2.3"`).
    case reference(String)
    case list([String])

    public var isNull: Bool { if case .null = self { return true }; return false }

    /// The number a value holds, for numbers and durations.
    public var number: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .decimal(let d): return d
        case .duration(let d): return d
        default: return nil
        }
    }
}

extension Double {
    /// The value as an Int when it is a finite number well inside Int's range; nil otherwise,
    /// so no user-supplied number can trap a conversion.
    var safeInt: Int? {
        guard isFinite, abs(self) < 9.0e15 else { return nil }
        return Int(self)
    }
}

/// The largest span of days PMQ accepts in a duration literal (about 2,700 years).
let maxDurationDays = 1_000_000.0

/// Number text without a trailing `.0`: `1200`, `0.5`, `-3`.
///
/// A sum of fractions ends in binary noise that depends on the order the terms were added,
/// and that order differs between SQLite and PostgreSQL (63.99999999999999 on one, 64 on the
/// other). So the text is of the value to 15 significant digits (as `round` takes it), then
/// with noise past the 9th decimal dropped when that reads shorter; a value that lands on a
/// whole number then prints as one (`64`, never `64.0`), like an exact integer.
func formatNumber(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
    if let whole = wholeNumberText(d) { return whole }
    var v = d
    var s = String(v)
    // The shortest text of a double has at most 17 digits; past 15 it is noise.
    if s.utf8.lazy.filter({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }).count > 15,
       let fifteen = Double(String(format: "%.15g", v)), fifteen.isFinite {
        v = fifteen
        if let whole = wholeNumberText(v) { return whole }
        s = String(v)
    }
    if s.utf8.contains(UInt8(ascii: "e")) { return s }
    // Limit binary noise (0.1 + 0.2) to what a person typed.
    let rounded = (v * 1e9).rounded() / 1e9
    if rounded != v, String(rounded).count < s.count {
        if let whole = wholeNumberText(rounded) { return whole }
        s = String(rounded)
    }
    return s
}

/// The digits of a whole number a double holds exactly (below 2^53, where every integer
/// is exact: `1234567890123456` prints as typed, not as 15 rounded digits and `.0`); nil
/// for any other value.
private func wholeNumberText(_ d: Double) -> String? {
    guard d == d.rounded(), abs(d) < 9_007_199_254_740_992 else { return nil }
    // -0.0 reads 0.
    return String(Int64(d))
}
