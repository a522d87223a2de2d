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
func formatNumber(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    var s = String(d)
    if s.utf8.contains(UInt8(ascii: "e")) { return s }
    // Limit binary noise (0.1 + 0.2) to what a person typed.
    let rounded = (d * 1e9).rounded() / 1e9
    if rounded != d, String(rounded).count < s.count { s = String(rounded) }
    return s
}
