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
    var number: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .decimal(let d): return d
        case .duration(let d): return d
        default: return nil
        }
    }
}

/// Number text without a trailing `.0`: `1200`, `0.5`, `-3`.
func formatNumber(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    var s = String(d)
    if s.contains("e") { return s }
    // Limit binary noise (0.1 + 0.2) to what a person typed.
    let rounded = (d * 1e9).rounded() / 1e9
    if rounded != d, String(rounded).count < s.count { s = String(rounded) }
    return s
}
