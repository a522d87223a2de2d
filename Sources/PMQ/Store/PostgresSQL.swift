/// SQLite's spelling of an SQL text, turned into PostgreSQL's. The executors and the generator
/// write one spelling; the differences that are only spelling are made here, once per distinct
/// text (the engine caches the result), outside string literals and quoted names:
/// - `?N` placeholders become `$N`;
/// - the schema `temp.` becomes `pg_temp.`, and `main.` is dropped (the model is in the schema the
///   connection's search path names);
/// - `a IS b` / `a IS NOT b` between values (not NULL, TRUE, FALSE) become
///   `IS NOT DISTINCT FROM` / `IS DISTINCT FROM`;
/// - the type `REAL` becomes `double precision` (PostgreSQL's real has 24 bits);
/// - `INSERT OR IGNORE` becomes `INSERT ... ON CONFLICT DO NOTHING`, `INSERT OR REPLACE INTO
///   holidays` an upsert on the day;
/// - `LIMIT -1` becomes `LIMIT ALL`, `WHERE 0` `WHERE false`; SQLite's index hint, a unary
///   `+` before a column (`WHERE +t.project = ?1`, `GROUP BY +t.owner`), is dropped;
/// - the column `user` (a reserved word in PostgreSQL) is quoted; `json_object` (a removed
///   row, journaled whole) is `json_build_object`;
/// - an untyped column of a scratch table (`CREATE TEMP TABLE ... (id INTEGER PRIMARY KEY,
///   start, finish, ...)`) gets the type of the task field of that name (`scratchTypes`).
/// - `round(x, n)` is `pmq_round` (PostgreSQL rounds only numerics to n places);
/// - the scalar `min(a, b)` and `max(a, b)` become `least` and `greatest`;
/// - `CROSS JOIN t ON ...` (SQLite's join-order hint) becomes `JOIN t ON ...`;
/// - the journal keeps values as text: `coalesce(e.new_value, e.row_id)` (an added range's
///   end) and `json_extract(old_value, '$.field')` of a number field are cast to the field's type.
/// Differences of meaning (functions, JSON, plans) are not made here: the dialect and the
/// functions the PostgreSQL migration installs carry them.
import Foundation

enum PostgresSQL {
    enum Token: Equatable {
        case word(String)      // a name or keyword, as written
        case other(String)     // punctuation, numbers, whitespace, quoted text: kept as is
    }

    static func tokens(_ sql: String) -> [Token] {
        var out: [Token] = []
        let u = Array(sql.unicodeScalars)
        var i = 0
        func isWord(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) }
        while i < u.count {
            let c = u[i]
            if c == "'" || c == "\"" {
                var j = i + 1
                while j < u.count {
                    if u[j] == c {
                        if j + 1 < u.count && u[j + 1] == c { j += 2; continue }
                        break
                    }
                    j += 1
                }
                out.append(.other(String(String.UnicodeScalarView(u[i...min(j, u.count - 1)]))))
                i = j + 1
            } else if c == "-" && i + 1 < u.count && u[i + 1] == "-" {
                var j = i
                while j < u.count && u[j] != "\n" { j += 1 }
                out.append(.other(" "))
                i = j
            } else if c == "?" {
                var j = i + 1
                while j < u.count && ("0"..."9").contains(u[j]) { j += 1 }
                out.append(.other("$" + String(String.UnicodeScalarView(u[(i + 1)..<j]))))
                i = j
            } else if isWord(c) && !("0"..."9").contains(c) {
                var j = i
                while j < u.count && isWord(u[j]) { j += 1 }
                out.append(.word(String(String.UnicodeScalarView(u[i..<j]))))
                i = j
            } else {
                var j = i + 1
                if ("0"..."9").contains(c) { while j < u.count && (isWord(u[j]) || u[j] == ".") { j += 1 } }
                out.append(.other(String(String.UnicodeScalarView(u[i..<j]))))
                i = j
            }
        }
        return out
    }

    /// The types of the scratch tables' untyped columns: those of the task fields they hold.
    static let scratchTypes: [String: String] = [
        "start": "bigint", "finish": "bigint", "actual_start": "bigint", "actual_finish": "bigint",
        "es": "bigint", "ef": "bigint", "ls": "bigint", "lf": "bigint", "slack": "bigint", "free": "bigint",
        "critical": "bigint", "leaf": "bigint", "planned_days": "bigint", "scheduled_finish": "bigint",
        "cost": "double precision", "effort": "double precision", "progress": "numeric", "status": "text",
    ]

    static func adapt(_ sql: String) -> String {
        let ts = integerCasts(aliasedSubqueries(typedScratch(tokens(sql))))
        var out = ""
        out.reserveCapacity(sql.utf8.count + 32)
        /// The next word after index i (skipping whitespace), and its index.
        func nextWord(_ i: Int) -> (String, Int)? {
            var j = i + 1
            while j < ts.count {
                switch ts[j] {
                case .word(let w): return (w, j)
                case .other(let o) where o.allSatisfy(\.isWhitespace): j += 1
                default: return nil
                }
            }
            return nil
        }
        func nextIsDot(_ i: Int) -> Bool { i + 1 < ts.count && ts[i + 1] == .other(".") }
        func previousIsDot(_ i: Int) -> Bool { i > 0 && ts[i - 1] == .other(".") }
        var appendAtEnd = ""
        var i = 0
        while i < ts.count {
            switch ts[i] {
            case .other(let o):
                if o == "-", nextNumber(ts, i).0 == "1", lastWord(out) == "LIMIT" {
                    out += "ALL"
                    i = skipNumber(ts, i)
                    continue
                }
                // SQLite's unary `+` before a column (`WHERE +t.project = ?1`) only keeps
                // its planner off an index; PostgreSQL has no unary plus for text.
                if o == "+", i + 1 < ts.count, case .word = ts[i + 1], isUnaryPosition(out) {
                    i += 1
                    continue
                }
                out += o
            case .word(let w):
                let upper = w.uppercased()
                if (w == "temp" || w == "TEMP") && nextIsDot(i) && !previousIsDot(i) {
                    out += "pg_temp"
                } else if w == "main" && nextIsDot(i) && !previousIsDot(i) {
                    // The model's schema is the connection's search path (not always public).
                    i += 2
                    continue
                } else if w == "user" {
                    out += "\"user\""
                } else if upper == "REAL" {
                    out += "double precision"
                } else if upper == "INTEGER" {
                    out += "bigint"
                } else if upper == "MIN" || upper == "MAX", hasSeveralArguments(ts, i) {
                    // SQLite's scalar min(a, b, ...) and max(...) are PostgreSQL's least and greatest.
                    out += upper == "MIN" ? "least" : "greatest"
                } else if upper == "ROUND", i + 1 < ts.count, ts[i + 1] == .other("("), !previousIsDot(i) {
                    // SQLite's round(x, n) of a real: PostgreSQL's round takes numeric only.
                    out += "pmq_round"
                } else if w == "json_object" {
                    out += "json_build_object"
                } else if upper == "IS", let (n, j) = nextWord(i) {
                    let nu = n.uppercased()
                    if nu == "NOT" {
                        let mu = nextWord(j)?.0.uppercased() ?? ""
                        if ["NULL", "TRUE", "FALSE", "DISTINCT"].contains(mu) { out += w } else { out += "IS DISTINCT FROM"; i = j }
                    } else if ["NULL", "TRUE", "FALSE", "DISTINCT", "NOT"].contains(nu) {
                        out += w
                    } else {
                        out += "IS NOT DISTINCT FROM"
                    }
                } else if upper == "IS" {
                    // `IS ?1`, `IS (...)`: a value follows.
                    out += "IS NOT DISTINCT FROM"
                } else if upper == "INSERT", let (o, j) = nextWord(i), o.uppercased() == "OR", let (what, k) = nextWord(j) {
                    out += "INSERT"
                    if what.uppercased() == "IGNORE" {
                        appendAtEnd = " ON CONFLICT DO NOTHING"
                    } else if what.uppercased() == "REPLACE" {
                        appendAtEnd = replaceClause(ts, after: k)
                    }
                    i = k
                } else if upper == "WHERE", let (n, j) = nextNumberAfter(ts, i), n == "0" {
                    out += "WHERE false"
                    i = j
                } else {
                    out += w
                }
            }
            i += 1
        }
        if !appendAtEnd.isEmpty {
            while out.last?.isWhitespace == true || out.last == ";" { out.removeLast() }
            out += appendAtEnd
        }
        return journalTypes(out)
    }

    /// The stored type of each number field, by column name (the same in every table), from
    /// the built-in catalogue: references, dates, flags and integers are bigint, numbers and
    /// durations double precision, progress numeric.
    static let numberColumns: [String: String] = {
        var m: [String: String] = ["id": "bigint"]
        for e in Catalog.entities where !e.isReadOnly && !e.onlyMilestones {
            for f in e.fields {
                guard let c = f.column else { continue }
                switch f.type {
                case .integer, .date, .bool, .reference: m[c] = "bigint"
                case .number, .duration: m[c] = "double precision"
                case .text, .enumeration, .list: break
                }
            }
        }
        m["progress"] = "numeric"
        return m
    }()

    private static let rangeEnd = try! Regex(#"coalesce\((\w+\.)?new_value, (\w+\.)?row_id\)"#)
    private static let crossJoin = try! Regex(#"CROSS JOIN (\w+ \w+) ON"#)
    private static let jsonField = try! Regex(#"json_extract\(([\w.]+), '\$\.(\w+)'\)"#)

    static func journalTypes(_ sql: String) -> String {
        var s = sql
        if s.contains("new_value") {
            s = s.replacing(rangeEnd) { m in
                let a = m.output[1].substring.map(String.init) ?? "", b = m.output[2].substring.map(String.init) ?? ""
                return "coalesce(CAST(\(a)new_value AS bigint), \(b)row_id)"
            }
        }
        // A flag computed as CASE ... THEN 1 ELSE 0: a bigint, which reads as a condition.
        s = s.replacingOccurrences(of: "THEN 1 ELSE 0 END", with: "THEN CAST(1 AS bigint) ELSE CAST(0 AS bigint) END")
        if s.contains("CROSS JOIN") {
            s = s.replacing(crossJoin) { m in "JOIN " + (m.output[1].substring.map(String.init) ?? "") + " ON" }
        }
        if s.contains("json_extract") {
            s = s.replacing(jsonField) { m in
                let whole = String(m.output[0].substring ?? "")
                guard let c = m.output[2].substring.map(String.init), let t = numberColumns[c] else { return whole }
                return "CAST(\(whole) AS \(t))"
            }
        }
        return s
    }

    /// `INSERT OR REPLACE INTO t (a, b)`: on a clash of t's key (`day` for holidays, else `id`),
    /// the named columns take the new values.
    static func replaceClause(_ ts: [Token], after k: Int) -> String {
        var words: [String] = []
        var i = k + 1
        var inList = false
        var table: String?
        while i < ts.count {
            switch ts[i] {
            case .word(let w) where w.uppercased() == "INTO": break
            case .word(let w): if inList { words.append(w) } else if table == nil { table = w }
            case .other("("): inList = true
            case .other(")"): i = ts.count
            default: break
            }
            i += 1
        }
        let key = table == "holidays" ? "day" : "id"
        let sets = words.filter { $0 != key }.map { "\($0) = excluded.\($0)" }
        return sets.isEmpty ? " ON CONFLICT (\(key)) DO NOTHING" : " ON CONFLICT (\(key)) DO UPDATE SET " + sets.joined(separator: ", ")
    }

    /// `FROM (SELECT ...)` without a name: PostgreSQL 15 wants one, so it gets `AS pmq_sN`.
    static func aliasedSubqueries(_ ts: [Token]) -> [Token] {
        var out: [Token] = []
        var stack: [Bool] = []   // per open parenthesis: does it open a FROM/JOIN subquery?
        var n = 0
        func lastWord() -> String? {
            for t in out.reversed() {
                switch t {
                case .word(let w): return w.uppercased()
                case .other(let o) where o.allSatisfy(\.isWhitespace): continue
                default: return nil
                }
            }
            return nil
        }
        let follows: Set<String> = ["GROUP", "WHERE", "ORDER", "LIMIT", "JOIN", "LEFT", "INNER", "CROSS", "ON", "UNION", "EXCEPT",
                                    "INTERSECT", "HAVING", "WINDOW", "OFFSET"]
        var pendingAlias = false
        /// Whether the parenthesis at `i` opens a query (`(SELECT`, `(WITH`, `(VALUES`), not an
        /// expression (`extract(week FROM (DATE ...))`).
        func opensQuery(_ i: Int) -> Bool {
            for t in ts[(i + 1)...] {
                switch t {
                case .other(let o) where o.allSatisfy(\.isWhitespace): continue
                case .other("("): continue
                case .word(let w): return ["SELECT", "WITH", "VALUES"].contains(w.uppercased())
                default: return false
                }
            }
            return false
        }
        for (i, t) in ts.enumerated() {
            if pendingAlias {
                switch t {
                case .other(let o) where o.allSatisfy(\.isWhitespace): out.append(t); continue
                case .word(let w) where !follows.contains(w.uppercased()): pendingAlias = false
                default:
                    n += 1
                    out.append(.other(" AS pmq_s\(n) "))
                    pendingAlias = false
                }
            }
            if t == .other("(") {
                stack.append(["FROM", "JOIN"].contains(lastWord() ?? "") && opensQuery(i))
            } else if t == .other(")") {
                if stack.popLast() == true { out.append(t); pendingAlias = true; continue }
            }
            out.append(t)
        }
        if pendingAlias { n += 1; out.append(.other(" AS pmq_s\(n)")) }
        return out
    }

    /// `CAST(x AS INTEGER)` truncates on SQLite and rounds on PostgreSQL: `pmq_int(x)` truncates.
    static func integerCasts(_ ts: [Token]) -> [Token] {
        guard ts.contains(.word("CAST")) else { return ts }
        var out = ts
        var i = 0
        while i < out.count {
            if out[i] == .word("CAST"), i + 1 < out.count, out[i + 1] == .other("(") {
                // Find the matching parenthesis and the `AS type` just before it.
                var depth = 0, j = i + 1, asAt: Int?
                while j < out.count {
                    if out[j] == .other("(") { depth += 1 }
                    if out[j] == .other(")") { depth -= 1; if depth == 0 { break } }
                    if depth == 1, case .word(let w) = out[j], w.uppercased() == "AS" { asAt = j }
                    j += 1
                }
                if let a = asAt, j < out.count {
                    let type = out[(a + 1)..<j].compactMap { if case .word(let w) = $0 { return w.uppercased() }; return nil }
                    if type == ["INTEGER"] {
                        out[i] = .word("pmq_int")
                        out.removeSubrange(a..<j)
                    }
                }
            }
            i += 1
        }
        return out
    }

    /// `CREATE TEMP TABLE name (a, b INTEGER, ...)`: untyped columns typed from `scratchTypes`.
    static func typedScratch(_ ts: [Token]) -> [Token] {
        let words = ts.compactMap { if case .word(let w) = $0 { return w.uppercased() }; return nil }
        guard words.starts(with: ["CREATE", "TEMP", "TABLE"]), let open = ts.firstIndex(of: .other("(")),
              !words.contains("AS") else { return ts }
        var out = Array(ts[...open])
        var column: [Token] = []
        func flush() {
            let ws = column.compactMap { if case .word(let w) = $0 { return w }; return nil }
            out += column
            if ws.count == 1, let t = scratchTypes[ws[0]] { out.append(.other(" " + t)) }
            column = []
        }
        for t in ts[(open + 1)...] {
            if t == .other(",") || t == .other(")") { flush(); out.append(t) } else { column.append(t) }
        }
        out += column
        return out
    }

    /// Whether the call at `i` (a name followed by `(`) has more than one argument.
    private static func hasSeveralArguments(_ ts: [Token], _ i: Int) -> Bool {
        guard i + 1 < ts.count, ts[i + 1] == .other("(") else { return false }
        var depth = 0
        for t in ts[(i + 1)...] {
            guard case .other(let o) = t else { continue }
            if o == "(" { depth += 1 } else if o == ")" { depth -= 1; if depth == 0 { return false } } else if o == "," && depth == 1 { return true }
        }
        return false
    }

    /// Whether an operator written next is unary: nothing, an operator, `(` or `,` or a
    /// keyword comes before it (a binary one follows a value).
    private static func isUnaryPosition(_ s: String) -> Bool {
        guard let c = s.reversed().first(where: { !$0.isWhitespace }) else { return true }
        if "(,=<>+-*/".contains(c) { return true }
        return ["WHERE", "AND", "OR", "ON", "NOT", "BY", "SELECT", "WHEN", "THEN", "ELSE", "IN", "AS"].contains(lastWord(s))
    }

    private static func lastWord(_ s: String) -> String {
        let t = s.reversed().drop(while: { $0.isWhitespace })
        return String(t.prefix(while: { $0.isLetter }).reversed()).uppercased()
    }
    private static func nextNumber(_ ts: [Token], _ i: Int) -> (String, Int) {
        if i + 1 < ts.count, case .other(let o) = ts[i + 1], o.first?.isNumber == true { return (o, i + 1) }
        return ("", i)
    }
    private static func skipNumber(_ ts: [Token], _ i: Int) -> Int { nextNumber(ts, i).1 + 1 }
    /// `WHERE 0` at the end of a text or before a closing parenthesis.
    private static func nextNumberAfter(_ ts: [Token], _ i: Int) -> (String, Int)? {
        guard i + 2 < ts.count, ts[i + 1] == .other(" "), case .other(let n) = ts[i + 2], n == "0" else { return nil }
        if i + 3 < ts.count, case .word = ts[i + 3] { return nil }
        return (n, i + 2)
    }
}
