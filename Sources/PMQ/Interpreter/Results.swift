/// What running a statement gives back: typed results for hosts and output formats.
public struct ResultColumn: Sendable, Equatable {
    public enum Kind: String, Sendable { case number, text, date, duration, bool, reference, list, any }
    public var name: String
    public var kind: Kind
}

public enum StatementResult: Sendable, Equatable {
    /// Rows of a query; `single` for an aggregate-only select with several columns.
    case rows(columns: [ResultColumn], rows: [[Value]], single: Bool)
    /// A bare value: `count`, or a select of one aggregate without `group by`.
    case scalar(Value, kind: ResultColumn.Kind)
    /// `explain`: the SQL, its bound arguments and SQLite's plan.
    case explain(sql: String, arguments: [Value], plan: [String])
    /// A change statement's report (`added task 1.2.4`); printed on standard error.
    case change(ChangeReport)
    /// What `print` printed.
    case text(String)
    /// `gantt`: a chart in the table format, its rows in the others (docs/language.md, “Pictures”).
    case gantt(GanttChart)
    /// `check`: a rule that has rows (its rows follow as the next result). A line of text in
    /// most formats, an object in JSON, so a host or a CI step can match its name and severity (W4).
    case rule(RuleFinding)
}

/// One rule `check` found rows for (docs/language.md, “Rules that alert”).
public struct RuleFinding: Sendable, Equatable {
    public var name: String
    /// `warning` or `error`: an error rule with rows makes `pmq` exit 1.
    public var severity: String
    /// How many rows the rule has.
    public var count: Int
    /// How many of them the previous check did not find; nil at the first check.
    public var fresh: Int?
    /// When the previous check ran (UTC ISO 8601); nil at the first check.
    public var lastChecked: String?

    public init(name: String, severity: String, count: Int, fresh: Int?, lastChecked: String?) {
        self.name = name
        self.severity = severity
        self.count = count
        self.fresh = fresh
        self.lastChecked = lastChecked
    }

    /// `rule "late" (error): 2 rows, 1 new since the last check (2026-03-13T17:02:11Z)`.
    public var line: String {
        var line = "rule \"\(name)\" (\(severity)): \(count) \(count == 1 ? "row" : "rows")"
        if let fresh {
            line += ", \(fresh) new since the last check" + (lastChecked.map { " (\($0))" } ?? "")
        } else {
            line += ", first check"
        }
        return line
    }
}

public struct ChangeReport: Sendable, Equatable {
    public var verb: String          // added, updated, deleted, ...
    public var entity: String        // singular name
    public var count: Int
    public var detail: String?       // the key of a single added row
    public var note: String?         // e.g. "3 already so"
    /// What the verb acted on when that is not the counted rows: `change 2` in
    /// `undid change 2: 3 changes`. The verb stays one word, the same for every undo.
    public var object: String?

    public init(verb: String, entity: String, count: Int, detail: String?, note: String? = nil, object: String? = nil) {
        self.verb = verb
        self.entity = entity
        self.count = count
        self.detail = detail
        self.note = note
        self.object = object
    }

    /// The message after "would have": `undone change 3`, `added 2 tasks`.
    public var participle: String {
        let m = message
        for (past, participle) in [("undid ", "undone "), ("redid ", "redone "), ("wrote ", "written ")] where m.hasPrefix(past) {
            return participle + m.dropFirst(past.count)
        }
        return m
    }

    public var message: String {
        if count == 1, let detail { return "\(verb) \(entity) \(detail)" }
        let plural = Catalog.entity(named: entity)?.plural ?? (entity == "query" ? "queries" : entity + "s")
        return "\(verb) " + (object.map { "\($0): " } ?? "") + "\(count) \(count == 1 ? entity : plural)" + (note.map { " (\($0))" } ?? "")
    }
}

extension ResultColumn.Kind {
    init(_ t: PType) {
        switch t {
        case .number: self = .number
        case .text, .enumeration: self = .text
        case .date: self = .date
        case .duration: self = .duration
        case .bool: self = .bool
        case .reference: self = .reference
        case .list: self = .list
        case .null, .any: self = .any
        }
    }

    /// A raw SQLite value read as this kind.
    func convert(_ raw: Value) -> Value {
        switch (self, raw) {
        // An empty tag list is a list, in every format: `[]` in JSON, never null.
        case (.list, .null): return .list([])
        case (_, .null): return .null
        case (.date, .integer(let i)): return .date(Day(Int(i)))
        case (.date, .decimal(let d)): return d.rounded(.down).safeInt.map { .date(Day($0)) } ?? .null
        case (.duration, .integer(let i)): return .duration(Double(i))
        case (.duration, .decimal(let d)): return .duration(d)
        case (.bool, .integer(let i)): return .bool(i != 0)
        case (.bool, .decimal(let d)): return .bool(d != 0)
        case (.reference, .text(let s)): return .reference(s)
        case (.reference, .integer(let i)): return .reference(String(i))
        case (.list, .text(let s)): return .list(decodeList(s))
        default: return raw
        }
    }
}

/// Reads a JSON array of strings as stored for tags; anything else becomes one item.
func decodeList(_ s: String) -> [String] {
    guard let data = s.data(using: .utf8),
          let arr = try? JSONSerialization.jsonObject(with: data) as? [Any] else { return s.isEmpty ? [] : [s] }
    return arr.map { "\($0)" }
}

import Foundation
