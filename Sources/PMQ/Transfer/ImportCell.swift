import Foundation

/// A cell of an imported file as a field's value, with `add`'s rules: ISO dates, enum
/// values checked, numbers within their bounds, references kept as keys. Every message
/// quotes the cell as the file has it.
enum ImportCell {
    typealias CellError = DataImporter.CellError

    static func value(_ cell: Cell, _ f: FieldDef, column: Int) throws -> Value {
        func fail(_ m: String, _ notes: [String] = []) -> CellError { CellError(message: m, column: column, notes: notes) }
        var shown: String { quoted(cell) }   // only for messages: a million good cells never need it
        // The field's rules are add's and update's (FieldRules); the message quotes the cell.
        func rules(_ v: Value) throws -> Value {
            switch FieldRules.check(v, f) {
            case .success(let stored): return stored
            case .failure(let problem): throw fail(FieldRules.message(problem, f, shown: shown).1)
            }
        }
        if case .null = cell { return .null }
        // U+0000 cannot be stored (SQLite's text ends there, PostgreSQL refuses it): refused
        // at its cell, as a string holding it is refused in PMQ text (R7).
        switch cell {
        case .text(let s) where holdsNUL(s): throw fail("\(f.name): the cell holds the character U+0000, which cannot be stored")
        case .list(let xs) where xs.contains(where: { $0.utf8.contains(0) }): throw fail("\(f.name): the cell holds the character U+0000, which cannot be stored")
        default: break
        }
        switch f.type {
        case .text:
            guard case .text(let s) = cell else {
                // A whole JSON number reads as its digits (`"wbs": 3`); any other would come
                // back in its shortest form, not as written (`1.10` is not `1.1`): refused (V8).
                if case .number(let n) = cell {
                    guard n == n.rounded(), abs(n) < 1e15 else {
                        throw fail("\(f.name) takes text, not the number \(shown): write it in quotes as it should read (\"1.10\", not 1.10, which is the number 1.1)")
                    }
                    return try rules(.text(formatNumber(n)))
                }
                throw fail("\(f.name) takes text, not \(shown)")
            }
            return try rules(.text(s))
        case .integer, .number:
            let n: Double
            switch cell {
            case .number(let x): n = x
            case .text(let s):
                let t = trimmed(s)
                guard let x = decimal(t.utf8.contains(95) ? t.replacingOccurrences(of: "_", with: "") : t), x.isFinite else {
                    throw fail("\(f.name): \(shown) is not a number")
                }
                n = x
            default: throw fail("\(f.name): \(shown) is not a number")
            }
            return try rules(.decimal(n))
        case .date:
            guard case .text(let s) = cell, let d = date(s) else {
                throw fail("\(f.name): \(shown) is not a date", ["write dates as YYYY-MM-DD, like 2026-01-28"])
            }
            return try rules(.date(d))
        case .duration:
            guard let d = try duration(cell, f, column: column) else { return .null }
            return .duration(d.days)
        case .bool:
            switch cell {
            case .bool(let b): return .bool(b)
            case .number(let n) where n == 0 || n == 1: return .bool(n == 1)
            case .text(let s):
                switch trimmed(s).lowercased() {
                case "true", "yes", "1", "y": return .bool(true)
                case "false", "no", "0", "n": return .bool(false)
                default: break
                }
            default: break
            }
            throw fail("\(f.name): \(shown) is not true or false")
        case .enumeration(let values):
            guard case .text(let s) = cell else { return try rules(.text(shown)) }
            if let hit = FieldRules.enumValue(s, values) ?? FieldRules.enumValue(trimmed(s), values) { return .text(hit) }
            return try rules(.text(s))
        case .reference:
            switch cell {
            case .text(let s): return .reference(s)
            case .number(let n): return .reference(formatNumber(n))
            default: throw fail("\(f.name): \(shown) is not a key")
            }
        case .list:
            switch cell {
            case .list(let xs): return .list(xs)
            case .text(let s):
                // CSV exports join tags with ";"; a JSON-looking cell is read as JSON.
                if s.hasPrefix("[") { return .list(decodeList(s)) }
                return .list(s.split(whereSeparator: { $0 == ";" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            default: throw fail("\(f.name): \(shown) is not a list of text")
            }
        }
    }

    /// Whether `s` holds U+0000, by `memchr` over its UTF-8 bytes (a generic `utf8.contains(0)`
    /// was half of a debug build's cell reading: BENCHMARKS.md, “Issue 14, ninth pass”).
    static func holdsNUL(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            guard let p = bytes.baseAddress, bytes.count > 0 else { return false }
            return memchr(p, 0, bytes.count) != nil
        }
    }

    /// A duration cell: `5d`, `2w`, `3wd` (working days), or a bare number of days (as JSON writes it).
    static func duration(_ cell: Cell, _ f: FieldDef, column: Int) throws -> (days: Double, workdays: Bool)? {
        func fail() -> CellError {
            CellError(message: "\(f.name): \(quoted(cell)) is not a duration", column: column, notes: ["write durations as 5d, 2w or 3wd, or a number of days"])
        }
        var days: Double, workdays = false
        switch cell {
        case .null: return nil
        case .number(let n): days = n
        case .text(let raw):
            let s = trimmed(raw).lowercased()
            if let n = decimal(s) { days = n }
            else if s.hasSuffix("wd"), let n = decimal(s.dropLast(2)) { days = n; workdays = true }
            else if s.hasSuffix("d"), let n = decimal(s.dropLast()) { days = n }
            else if s.hasSuffix("w"), let n = decimal(s.dropLast()) { days = n * 7 }
            else { throw fail() }
        default: throw fail()
        }
        guard days.isFinite, abs(days) <= maxDurationDays else { throw fail() }
        if f.name == "duration", days < 0 { throw CellError(message: "duration cannot be negative, not \(quoted(cell))", column: column) }
        return (days, workdays)
    }

    /// `YYYY-MM-DD`, also the date of an ISO date-time (`2026-01-28T08:00:00`).
    static func date(_ s: String) -> Day? {
        let t = trimmed(s)
        if t.utf8.count > 10, let i = t.firstIndex(of: "T"), t.distance(from: t.startIndex, to: i) == 10 { return Day(iso: String(t.prefix(10))) }
        return Day(iso: t)
    }

    /// A number as a spreadsheet writes one: digits with an optional sign, point and exponent.
    /// Swift's `Double(_:)` also reads C's hexadecimal forms (`0x32` is 50, `0x1p3` 8) and
    /// `inf`/`nan`: a cell like `0x32` (an id, a colour) is no number here (V7).
    static func decimal<S: StringProtocol>(_ s: S) -> Double? {
        // Up to 15 digits and nothing else (nearly every number cell: a cost, a progress) is a
        // whole number below 2^53, which `Double(_:)` would give exactly: read here, without
        // a C string and strtod (about 550 instructions a cell; BENCHMARKS.md, “Issue 14, tenth pass”).
        if s.utf8.count <= 15, !s.utf8.isEmpty {
            var n: Int64 = 0, digits = true
            for b in s.utf8 {
                guard b >= 48 && b <= 57 else { digits = false; break }
                n = n * 10 + Int64(b - 48)
            }
            if digits { return Double(n) }
        }
        guard s.utf8.contains(where: { $0 >= 48 && $0 <= 57 }),
              s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 || $0 == 101 || $0 == 69 }) else { return nil }
        return Double(String(s))
    }

    /// Spaces and tabs around a cell taken off, without Foundation's cost when there are none.
    static func trimmed(_ s: String) -> String {
        guard let first = s.utf8.first, let last = s.utf8.last,
              first == 32 || first == 9 || last == 32 || last == 9 else { return s }
        return s.trimmingCharacters(in: .whitespaces)
    }

    static func quoted(_ cell: Cell) -> String {
        switch cell {
        case .null: return "null"
        case .text(let s): return "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .number(let n): return formatNumber(n)
        case .bool(let b): return b ? "true" : "false"
        case .list(let xs): return "[" + xs.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}

/// Where a cell is in a data file, for diagnostics. CSV.swift returns cells without their
/// positions, so an error's cell is found again here by walking its line: delimiters
/// outside quotes, with quoted line breaks.
enum DataLocator {
    /// Cell `column` (0-based; nil: the whole record) of the record starting on `line`.
    static func cell(in file: SourceFile, line: Int, column: Int?, delimiter: UInt8) -> SourceRange {
        let bytes = file.bytes
        var i = file.offset(ofLine: line)
        var field = 0
        let target = column ?? 0
        while field < target, i < bytes.count {
            if bytes[i] == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "\"") {
                        if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { i += 2; continue }
                        i += 1
                        break
                    }
                    i += 1
                }
            }
            while i < bytes.count, bytes[i] != delimiter, bytes[i] != 10, bytes[i] != 13 { i += 1 }
            guard i < bytes.count, bytes[i] == delimiter else { break }
            i += 1
            field += 1
        }
        // The cell runs to the next delimiter or line end (a quoted cell to its closing quote).
        var end = i
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            end += 1
            while end < bytes.count, !(bytes[end] == UInt8(ascii: "\"") && (end + 1 >= bytes.count || bytes[end + 1] != UInt8(ascii: "\""))) {
                end += bytes[end] == UInt8(ascii: "\"") ? 2 : 1
            }
            end = min(bytes.count, end + 1)
        } else {
            while end < bytes.count, bytes[end] != delimiter, bytes[end] != 10, bytes[end] != 13 { end += 1 }
        }
        if column == nil {
            while end < bytes.count, bytes[end] != 10, bytes[end] != 13 { end += 1 }
        }
        return SourceRange(i, end)
    }

    /// The value of `key` in object `object` (0-based) of a JSON array; the object itself
    /// when `key` is nil or not found. Strings are skipped whole, so brackets in text do not count.
    static func jsonValue(in file: SourceFile, object: Int, key: String?) -> SourceRange {
        let bytes = file.bytes
        var depth = 0, objects = -1, i = 0
        var objectStart = 0
        var lastString: (start: Int, end: Int)?
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let start = i
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                lastString = (start, min(i + 1, bytes.count))
            } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                depth += 1
                if depth == 2, b == UInt8(ascii: "{") {
                    objects += 1
                    objectStart = i
                    if key == nil, objects == object { return SourceRange(i, i + 1) }
                }
            } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                if depth == 2, objects == object { return SourceRange(objectStart, objectStart + 1) }
                depth -= 1
            } else if b == UInt8(ascii: ":"), depth == 2, objects == object, let k = lastString, let key,
                      file.slice(SourceRange(k.start + 1, k.end - 1)) == key {
                var v = i + 1
                while v < bytes.count, bytes[v] == 32 || bytes[v] == 9 || bytes[v] == 10 || bytes[v] == 13 { v += 1 }
                var end = v
                if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                    end += 1
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                    end = min(end + 1, bytes.count)
                } else if end < bytes.count, bytes[end] == UInt8(ascii: "{") || bytes[end] == UInt8(ascii: "[") {
                    // An object or a list: to its closing bracket, strings skipped whole.
                    var nested = 0
                    while end < bytes.count {
                        let c = bytes[end]
                        if c == UInt8(ascii: "\"") {
                            end += 1
                            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                        } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                            nested += 1
                        } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                            nested -= 1
                            if nested == 0 { end += 1; break }
                        }
                        end += 1
                    }
                    end = min(end, bytes.count)
                } else {
                    while end < bytes.count, ![44, 125, 93, 10, 13].contains(bytes[end]) { end += 1 }
                }
                return SourceRange(v, end)
            }
            i += 1
        }
        return SourceRange(objectStart, objectStart + 1)
    }
}
