/// A data load's `add task` line read straight from its bytes into the checked `add` that
/// lexing, parsing and `checkAdd` would make of it, with the same values and the same source
/// ranges (BENCHMARKS.md, “Issue 14, seventh pass”): a million-line load spent about a third
/// of its instructions making tokens, an AST and a typed tree for lines that are all alike.
///
/// Only a line this reader understands completely is taken, and only when it is valid:
///
///     add task "Name" wbs 1.2.3 owner "Li Wei" status active progress 40 start 2026-03-16 cost 500
///
/// `add task` in lower case, then any of the tasks' settable fields (lower case, each once,
/// not `duration`) with a value that is a plain string (no escape, brace or control
/// character), a WBS code for `wbs`, a whole number for an integer or number field, a valid
/// date for a date field, or a bare word for an enumeration. Anything else — another spelling,
/// a comment, a `;`, an expression, a value the field's rules refuse, a line the next one
/// continues — is left to the parser and the checker, so every error is theirs, located as
/// before. `AddTaskLineTests` compares the two ways on odd lines.
struct AddTaskLine {
    let entity: EntityDef
    private let nameField: FieldDef
    /// The fields met so far, by their name's bytes (a load names the same few on every line);
    /// two arrays, so a look-up compares names without copying a field definition per entry.
    private var fieldNames: [[UInt8]] = []
    private var fields: [FieldDef] = []

    init?(schema: Schema) {
        guard let e = schema.entity(named: "task"), e.table == "tasks", !e.onlyMilestones, let n = e.field("name") else { return nil }
        entity = e
        nameField = n
    }

    private static let blank: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 13 }
    private static let prefix = Array("add".utf8), task = Array("task".utf8)

    /// Whether the text at `from` (after blank lines) is `add task "`: only then is a reader made.
    static func mayStart(_ b: SourceBytes, _ from: Int, _ limit: Int) -> Bool {
        var j = from
        while j < limit, blank(b[j]) || b[j] == 10 { j += 1 }
        return j + 9 < limit && b[j] == 97 && b[j + 1] == 100 && b[j + 2] == 100 && blank(b[j + 3])
    }

    /// The checked `add` of the line at `from` and where that line ends; nil: not taken.
    mutating func read(_ b: SourceBytes, _ from: Int, _ limit: Int) -> (TAdd, Int)? {
        var j = from
        while j < limit, Self.blank(b[j]) || b[j] == 10 { j += 1 }
        let start = j
        guard word(b, &j, limit, Self.prefix), j < limit, Self.blank(b[j]) else { return nil }
        skipBlanks(b, &j, limit)
        guard word(b, &j, limit, Self.task), j < limit, Self.blank(b[j]) else { return nil }
        skipBlanks(b, &j, limit)
        guard j < limit, b[j] == 34, let (name, nameRange) = string(b, &j, limit),
              case .success(let nameValue) = FieldRules.check(.text(name), nameField) else { return nil }
        var values: [(field: FieldDef, value: Value, range: SourceRange)] = [(nameField, nameValue, nameRange)]
        values.reserveCapacity(9)
        var end = nameRange.end
        while true {
            guard j >= limit || Self.blank(b[j]) || b[j] == 10 else { return nil }
            skipBlanks(b, &j, limit)
            if j >= limit || b[j] == 10 { break }
            // The field's name: lower-case ASCII, then a blank.
            let nameStart = j
            guard b[j] >= 97 && b[j] <= 122 || b[j] == 95 else { return nil }
            while j < limit, b[j] >= 97 && b[j] <= 122 || b[j] == 95 || b[j] >= 48 && b[j] <= 57 { j += 1 }
            guard j < limit, Self.blank(b[j]), let f = field(b, nameStart, j),
                  f.name != "id", f.name != "duration", !f.isComputed, !f.scheduled,
                  !values.contains(where: { $0.field.name == f.name }) else { return nil }
            skipBlanks(b, &j, limit)
            guard j < limit, let (v, range) = value(b, &j, limit, f) else { return nil }
            values.append((f, v, range))
            end = range.end
        }
        // `checkAdd`'s rule for the fields every row needs.
        for f in entity.fields where f.required && f.name != "wbs" && !values.contains(where: { $0.field.name == f.name }) { return nil }
        let a = TAdd(entity: entity, milestone: entity.onlyMilestones, values: values, link: nil, duration: nil, range: SourceRange(start, end))
        return (a, j)
    }

    private func skipBlanks(_ b: SourceBytes, _ j: inout Int, _ limit: Int) {
        while j < limit, Self.blank(b[j]) { j += 1 }
    }

    private func word(_ b: SourceBytes, _ j: inout Int, _ limit: Int, _ w: [UInt8]) -> Bool {
        guard j + w.count <= limit else { return false }
        for (k, c) in w.enumerated() where b[j + k] != c { return false }
        j += w.count
        return true
    }

    private mutating func field(_ b: SourceBytes, _ from: Int, _ to: Int) -> FieldDef? {
        let n = to - from
        outer: for i in fieldNames.indices where fieldNames[i].count == n {
            for k in 0..<n where fieldNames[i][k] != b[from + k] { continue outer }
            return fields[i]
        }
        guard let f = entity.field(String(decoding: b[from..<to], as: UTF8.self)) else { return nil }
        fieldNames.append(Array(b[from..<to]))
        fields.append(f)
        return f
    }

    /// A string with no escape, interpolation brace or control character; its text and range (quotes included).
    private func string(_ b: SourceBytes, _ j: inout Int, _ limit: Int) -> (String, SourceRange)? {
        let open = j
        var k = j + 1
        while k < limit {
            let c = b[k]
            if c == 34 { break }
            if c < 32 || c == 127 || c == 92 || c == 123 || c == 125 { return nil }
            k += 1
        }
        guard k < limit, k > open + 1 else { return nil }
        j = k + 1
        return (String(decoding: b[open + 1..<k], as: UTF8.self), SourceRange(open, k + 1))
    }

    /// One pair's value as `checkValue` makes it of a literal of the field's type; nil: not taken.
    private func value(_ b: SourceBytes, _ j: inout Int, _ limit: Int, _ f: FieldDef) -> (Value, SourceRange)? {
        let start = j
        let c = b[j]
        if c == 34 {
            guard let (s, range) = string(b, &j, limit) else { return nil }
            switch f.type {
            case .text, .enumeration:
                guard case .success(let v) = FieldRules.check(.text(s), f) else { return nil }
                return (v, range)
            case .reference: return (.reference(s), range)
            default: return nil
            }
        }
        if c >= 48 && c <= 57 {
            if let d = date(b, start, limit) {
                guard f.type == .date, case .success(let v) = FieldRules.check(.date(d), f) else { return nil }
                j = start + 10
                return (v, SourceRange(start, j))
            }
            // Digits, and dots each followed by a digit: a number (no dot) or a WBS code.
            var dots = 0
            var k = start
            while k < limit {
                if b[k] >= 48 && b[k] <= 57 { k += 1 } else if b[k] == 46, k + 1 < limit, b[k + 1] >= 48 && b[k + 1] <= 57 { dots += 1; k += 2 } else { break }
            }
            guard k >= limit || Self.blank(b[k]) || b[k] == 10 else { return nil }
            let text = String(decoding: b[start..<k], as: UTF8.self)
            j = k
            let range = SourceRange(start, k)
            if f.name == "wbs", f.type == .text { return (.text(text), range) }
            guard dots == 0, f.type == .integer || f.type == .number, let exact = Int64(text),
                  case .success(let v) = FieldRules.check(.integer(exact), f) else { return nil }
            return (v, range)
        }
        if c >= 97 && c <= 122 || c >= 65 && c <= 90 || c == 95 {
            guard case .enumeration = f.type else { return nil }
            var k = start
            while k < limit, b[k] >= 97 && b[k] <= 122 || b[k] >= 65 && b[k] <= 90 || b[k] == 95 || b[k] >= 48 && b[k] <= 57 { k += 1 }
            guard k >= limit || Self.blank(b[k]) || b[k] == 10 else { return nil }
            // `null` and `case` are not words to the parser; a keyword that continues a statement
            // would join the next line to this one.
            let w = b[start..<k]
            if Lexer.isOneOf(w, [Array("null".utf8), Array("case".utf8)]) || Lexer.isOneOf(w, Lexer.continuationKeywordBytes) { return nil }
            guard case .success(let v) = FieldRules.check(.text(String(decoding: w, as: UTF8.self)), f) else { return nil }
            j = k
            return (v, SourceRange(start, k))
        }
        return nil
    }

    /// `YYYY-MM-DD` not followed by a letter, digit or `_` (the lexer's date), valid; nil otherwise.
    private func date(_ b: SourceBytes, _ s: Int, _ limit: Int) -> Day? {
        guard s + 10 <= limit else { return nil }
        for k in 0..<10 {
            let ok = k == 4 || k == 7 ? b[s + k] == 45 : b[s + k] >= 48 && b[s + k] <= 57
            if !ok { return nil }
        }
        if s + 10 < limit {
            let c = b[s + 10]
            if c >= 48 && c <= 57 || c >= 65 && c <= 90 || c >= 97 && c <= 122 || c == 95 || c >= 0x80 { return nil }
        }
        func number(_ from: Int, _ count: Int) -> Int { (0..<count).reduce(0) { $0 * 10 + Int(b[s + from + $1] - 48) } }
        guard let d = Day(year: number(0, 4), month: number(5, 2), day: number(8, 2)), d.isValid else { return nil }
        return d
    }
}
