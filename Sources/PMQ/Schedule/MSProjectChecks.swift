import Foundation

/// The model's rules for what an MS Project file brings in, the same as `add` and a CSV import
/// apply (docs/language.md, “MS Project”): values by their field's rules (`ImportCell`, which is
/// `FieldRules`), capacity by `PersonRules`, dates in order, WBS codes valid, unique and with
/// their parent, links by `add dependency`'s checks (AddExecutor). A refusal is located at the
/// element in the file (`F.xml:LINE:COLUMN`), and the run keeps nothing.
struct MSProjectChecks {
    typealias Place = MSProjectFile.Place
    let source: SourceFile

    init(path: String, shown: String) {
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        source = SourceFile(name: shown, text: text)
    }

    /// An error at the element that starts at `place` (the parser gives the place after its
    /// start tag; the caret goes under the tag).
    func error(_ code: MessageID, _ message: String, at place: Place?, notes: [String] = []) -> RuntimeError {
        var e = RuntimeError(code: code, message: message, range: .none, notes: notes)
        e.source = source
        guard let place, place.line > 0 else { e.range = SourceRange(0, 0); return e }
        let bytes = source.bytes
        let lineStart = source.offset(ofLine: place.line)
        var i = min(lineStart + max(place.column - 1, 0), bytes.count)
        while i > lineStart, i >= bytes.count || bytes[i] != UInt8(ascii: "<") { i -= 1 }
        if i < bytes.count, bytes[i] != UInt8(ascii: "<") {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 { i += 1 }
        }
        var end = i
        while end < bytes.count, bytes[end] != UInt8(ascii: ">"), bytes[end] != 10 { end += 1 }
        e.range = SourceRange(i, min(end + 1, bytes.count))
        return e
    }

    /// `value` as field `field` of `entity` holds it, by `add`'s rules; refused at `place`.
    func value(_ value: Double, _ entity: String, _ field: String, at place: Place?) throws -> Value {
        guard let f = Catalog.entity(named: entity)?.field(field) else { return .decimal(value) }
        do {
            return try ImportCell.value(.number(value), f, column: 0)
        } catch let e as DataImporter.CellError {
            throw error(.invalidValue, e.message, at: place, notes: e.notes)
        }
    }

    /// A task's own checks, as `add task` and a CSV row's: its WBS code, its numbers, its dates.
    func check(_ t: MSProjectFile.Task) throws {
        guard WBS.isValid(t.outline) else {
            throw error(.invalidValue, "\"\(t.outline)\" is not a WBS code; write numbers joined by dots, like 1.2.3", at: t.places["OutlineNumber"])
        }
        _ = try value(t.percent, "tasks", "progress", at: t.places["PercentComplete"])
        if let c = t.cost { _ = try value(c, "tasks", "cost", at: t.places["Cost"]) }
        if let c = t.baselineCost { _ = try value(c, "tasks", "baseline_cost", at: t.places["Baseline"]) }
        if let s = t.start, let f = t.finish, f < s, !t.milestone {
            throw error(.datesOutOfOrder, "task \(t.outline): finish \(f.iso) is before start \(s.iso)", at: t.places["Finish"])
        }
        if let a = t.actualStart, let b = t.actualFinish, b < a {
            throw error(.datesOutOfOrder, "task \(t.outline): actual_finish \(b.iso) is before actual_start \(a.iso)", at: t.places["ActualFinish"])
        }
        if let a = t.baselineStart, let b = t.baselineFinish, b < a, !t.milestone {
            throw error(.datesOutOfOrder, "task \(t.outline): baseline_finish \(b.iso) is before baseline_start \(a.iso)", at: t.places["Baseline"])
        }
    }

    /// The tasks' codes together: none twice, each one's parent among them (or already in the
    /// project, which is new, so among them).
    func checkOutline(_ tasks: [MSProjectFile.Task]) throws {
        var seen: [String: MSProjectFile.Task] = [:]
        for t in tasks {
            if let first = seen[t.outline] {
                throw error(.duplicate, "duplicate WBS code \(t.outline): task \(t.outline) (\"\(first.name)\") already exists",
                            at: t.places["OutlineNumber"] ?? t.place, notes: ["the first task \(t.outline) is at line \(first.place.line)"])
            }
            seen[t.outline] = t
        }
        for t in tasks {
            guard let parent = WBS.parent(t.outline), seen[parent] == nil else { continue }
            throw error(.missingParent, "task \(t.outline) has no parent: there is no task \(parent) in its project",
                        at: t.places["OutlineNumber"] ?? t.place, notes: ["give the file a task \(parent), or number \(t.outline) under a task it has"])
        }
    }

    /// A resource's capacity (max units × 8 hours), rate and the person it becomes.
    func capacity(_ r: MSProjectFile.Resource) throws -> Double {
        let capacity = (r.maxUnits ?? 1) * 8
        let v = try value(capacity, "people", "capacity", at: r.places["MaxUnits"])
        if let problem = PersonRules.capacityProblem(capacity, kind: kind(r)) {
            throw error(.invalidValue, "resource \(r.name): \(problem)", at: r.places["MaxUnits"])
        }
        if let rate = r.rate { _ = try value(rate * 8, "people", "rate", at: r.places["StandardRate"]) }
        return v.number ?? capacity
    }

    /// A generic resource is a team; so is one whose max units are more than one person's
    /// day can hold (above 300 %, 24 hours): MS Project's "5 carpenters" at 500 %.
    func kind(_ r: MSProjectFile.Resource) -> String {
        r.generic || (r.maxUnits ?? 1) * 8 > PersonRules.personCapacity ? "team" : "person"
    }

    /// An assignment's units (1 is 100 %).
    func units(_ a: MSProjectFile.Assignment) throws -> Double {
        try value(a.units * 100, "assignments", "units", at: a.places["Units"]).number ?? a.units * 100
    }
}

extension MSProjectFile {
    /// Files of the old layout whose project summary row is numbered `1.0` number every task
    /// one level deeper than its `OutlineLevel` (`1.1`, `1.1.1`, ... with no task `1`). When every
    /// task is so, the shared first part is dropped: `1.1` is task 1, `1.1.1` task 1.1, as MS
    /// Project shows them. Returns whether it renumbered.
    mutating func renumberLegacyOutline() -> Bool {
        let real = tasks.indices.filter { tasks[$0].uid != 0 && !tasks[$0].isNull && !tasks[$0].outline.isEmpty }
        guard let first = real.first.map({ tasks[$0].outline.split(separator: ".").first }) ?? nil else { return false }
        let deeper = real.allSatisfy { i in
            let parts = tasks[i].outline.split(separator: ".", omittingEmptySubsequences: false)
            guard let level = tasks[i].outlineLevel else { return false }
            return parts.count == level + 1 && parts.first == first
        }
        guard deeper else { return false }
        for i in real { tasks[i].outline = tasks[i].outline.split(separator: ".").dropFirst().joined(separator: ".") }
        return true
    }
}
