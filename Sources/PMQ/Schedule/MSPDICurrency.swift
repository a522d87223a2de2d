import Foundation

/// MSPDI's currency elements (`Cost`, `Baseline/Cost`, and the other costs MS Project writes)
/// hold hundredths of the currency unit: MS Project writes $3,526.25 as `352625`, and MPXJ
/// divides by 100 on read and multiplies on write. `StandardRate` is not scaled.
enum MSPDICurrency {
    /// The element's text as currency units; nil when it is not a number.
    static func read(_ text: String) -> Double? {
        guard let hundredths = Double(text.trimmingCharacters(in: .whitespaces)), hundredths.isFinite else { return nil }
        return hundredths / 100
    }

    /// Currency units as the element's text: whole hundredths, as an `xsd:decimal` (digits,
    /// never an exponent, which a 17-digit cost would get from the number formatter).
    static func write(_ units: Double) -> String? {
        guard units.isFinite else { return nil }
        let hundredths = (units * 100).rounded()
        if hundredths == 0 { return "0" }
        return String(format: "%.0f", hundredths)
    }
}
