import Foundation

/// `upper()` and `lower()` (docs/language.md, “Functions”): Unicode's full, locale-independent
/// case mapping, as ICU's root locale does it (`Straße` → `STRASSE`, a final `Σ` → `ς`).
/// SQLite's host functions and constant expressions use this; PostgreSQL's `pmq_upper` /
/// `pmq_lower` use the server's ICU root collation (schema step 15), so both engines agree.
enum CaseMapping {
    static func upper(_ s: String) -> String { s.uppercased(with: nil) }
    static func lower(_ s: String) -> String { s.lowercased(with: nil) }
}
