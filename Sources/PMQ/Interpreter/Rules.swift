import Foundation

/// Rules (docs/language.md, “Time travel”): saved queries whose rows are problems. `check` runs them all;
/// a rule of severity `error` with rows makes `pmq` exit 1.
struct Rules {
    let session: SessionContext
    private var db: any Engine { session.db }

    /// Saves or replaces a rule. Journaled like a saved query, so `undo` takes it back.
    func save(name: String, text: String, severity: String) throws -> ChangeReport {
        let set = try session.journal.set()
        if case .integer(let id) = try db.scalar(RulesSQL.idByName, [.text(name)]) {
            for (column, value) in [(RulesSQL.Column.source, text), (.severity, severity)] {
                let old = try db.scalar(RulesSQL.value(of: column), [.integer(id)])
                guard old != .text(value) else { continue }
                try db.run(RulesSQL.set(column), [.text(value), .integer(id)])
                try session.journal.record(set, "rules", id, column.rawValue, old: old, new: .text(value))
            }
        } else {
            try db.run(RulesSQL.insert, [.text(name), .text(text), .text(severity)])
            try session.journal.record(set, "rules", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
        }
        return ChangeReport(verb: "saved", entity: "rule", count: 1, detail: name)
    }

    func drop(name: String, _ range: SourceRange) throws -> ChangeReport {
        let set = try session.journal.set()
        try session.journal.recordRemoval(set, "rules", where: RulesSQL.byName, [.text(name)])
        if try db.run(RulesSQL.deleteByName, [.text(name)]) == 0 {
            throw RuntimeError(code: .unknownRow, message: "no rule \"\(name)\"", range: range)
        }
        return ChangeReport(verb: "dropped", entity: "rule", count: 1, detail: name)
    }

    func show() throws -> StatementResult {
        var rows: [[Value]] = []
        try db.query(RulesSQL.listing) { s in
            rows.append((0..<4).map { s[Int32($0)] })
        }
        let names = ["name", "severity", "query", "last_checked"]
        return .rows(columns: names.map { ResultColumn(name: $0, kind: .text) }, rows: rows, single: false)
    }

    /// Runs every rule, in name order. For each rule with rows: a line with its name,
    /// severity and count, then its rows. Returns how many rules of severity error had rows.
    func check(_ range: SourceRange, emit: (StatementResult) -> Void) throws -> Int {
        var rules: [(name: String, source: String, severity: String, seen: Set<Int64>?, checked: String?)] = []
        try db.query(RulesSQL.forCheck) { s in
            var seen: Set<Int64>?
            if case .text(let json) = s[3], let ids = try? JSONDecoder().decode([Int64].self, from: Data(json.utf8)) { seen = Set(ids) }
            let checked: String? = { if case .text(let t) = s[4] { return t }; return nil }()
            rules.append((ConstantEvaluator.text(s[0]), ConstantEvaluator.text(s[1]), ConstantEvaluator.text(s[2]), seen, checked))
        }
        var failing = 0
        var flagged = 0
        for rule in rules {
            guard let q = session.checkedRule(rule.source, name: rule.name) else {
                throw RuntimeError(code: .staleQuery, message: "rule \"\(rule.name)\" no longer checks: drop it and save it again", range: range)
            }
            let result = try session.runQuery(q)
            let ids = try session.ids(of: q)
            // Which rows the previous check did not find: kept per rule, not journaled.
            let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
            if !session.limits.readOnly { _ = try? db.run(RulesSQL.rememberRows, [.text(list), .text(rule.name)]) }
            guard case .rows(_, let rows, _) = result, !rows.isEmpty else { continue }
            flagged += 1
            if rule.severity == "error" { failing += 1; session.failedRuleNames.append(rule.name) }
            let fresh = rule.seen.map { seen in ids.filter { !seen.contains($0) }.count }
            emit(.rule(RuleFinding(name: rule.name, severity: rule.severity, count: rows.count, fresh: fresh,
                                   lastChecked: rule.seen == nil ? nil : rule.checked)))
            emit(result)
        }
        if flagged == 0 { emit(.text(rules.isEmpty ? "no rules saved" : "all \(rules.count) \(rules.count == 1 ? "rule" : "rules") pass")) }
        // When `check` last ran: not a change to the model, so not journaled.
        // A read-only host (the embedding limit) gets the report and no write.
        if !session.limits.readOnly { _ = try? db.run(RulesSQL.stampChecked) }
        return failing
    }
}
