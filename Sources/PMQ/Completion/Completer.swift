/// Context-aware completion for the shell (and any host with a prompt).
///
/// It reads the statement typed so far with the real lexer and proposes what can
/// come next: keywords and entities at the start, the current entity's fields after
/// `where`/`select`/`by`/`and`/`or`, the fields of a referenced entity after a dotted
/// path, enum values after `status =`, keys from the data inside a string after a
/// reference field, WBS codes after `under`, saved queries and variables where a
/// source or a value fits. Names come from the same catalog the checker uses.
public struct Completer {
    let session: Session
    /// The names a script declared before the cursor, when completing inside a document
    /// (an editor) rather than after statements the session has run (the shell).
    private let scope: Checker?

    public init(session: Session) {
        self.session = session
        self.scope = nil
    }

    /// Completion inside a document, with the names its statements before the cursor
    /// declared (`DocumentCheck.scope(before:)`).
    public init(session: Session, scope: CompletionScope) {
        self.session = session
        self.scope = scope.checker
    }

    private var checker: Checker { scope ?? session.compiler.kept }
    /// The model as the text before the cursor sees it: fields a script added count.
    private var schema: Schema { scope?.schema ?? session.schema }
    private var variableNames: [String] { checker.scopes.flatMap { $0.keys }.sorted() }
    private func variableEntity(_ name: String) -> EntityDef? {
        switch checker.lookup(name) {
        case .row(_, let e)?, .set(_, let e)?: return e
        default: return nil
        }
    }

    static let statementKeywords = ["add", "assert", "assign", "count", "delete", "explain", "fn", "for", "history", "if", "let",
                                    "param", "print", "redo", "save query", "shift", "show queries", "unassign", "undo", "update", "use project",
                                    "begin", "commit", "rollback", "drop query", "add field", "drop field", "schedule", "schedule level", "health", "baseline save",
                                    "gantt", "report to", "downstream of", "upstream of", "import", "export", "export project to",
                                    "save rule", "drop rule", "show rules", "check"]
    static let clauseKeywords = ["where", "group by", "select", "order by", "limit", "offset", "and", "or", "not", "in", "is null",
                                 "is not null", "between", "under", "asc", "desc", "as", "set", "to", "from", "by", "into",
                                 "having", "pivot", "case when", "then", "else", "end", "as of", "was", "was not", "changed", "after", "before", "severity", "level", "within"]
    /// The other programs' formats: `import ... into tasks from taskwarrior`, `export ... as taskwarrior`.
    static let transferFormats = ["taskwarrior"]
    static let functions = ["count()", "sum(", "avg(", "min(", "max(", "lower(", "upper(", "length(", "abs(", "round(", "coalesce(",
                            "start_of_week()", "end_of_week()", "start_of_month()", "end_of_month()", "today", "yesterday", "tomorrow",
                            "if(", "case when", "year(", "month(", "quarter(", "week(", "weekday(", "start_of_month(", "end_of_month(",
                            "start_of_year(", "me"]

    /// Candidates for `word`, the partial word at the cursor; `before` is everything typed
    /// before it (earlier lines of the statement included). `inString` is true when the
    /// word is inside an open double quote. Candidates replace `word` whole.
    public func complete(before: String, word: String, inString: Bool) -> [String] {
        let tokens = significantTokens(before)
        let all: [String]
        if inString {
            all = stringCandidates(tokens, prefix: word)
        } else if let dot = word.lastIndex(of: "."), word.first?.isLetter == true || word.first == "_" {
            let path = String(word[..<dot])
            all = pathCandidates(path, tokens).map { path + "." + $0 }
        } else {
            all = wordCandidates(tokens)
        }
        let lower = word.lowercased()
        var seen = Set<String>()
        return all.filter { $0.lowercased().hasPrefix(lower) && seen.insert($0).inserted }
    }

    // MARK: - Context

    private func significantTokens(_ text: String) -> [Token] {
        var lexer = Lexer(SourceFile(name: "<completion>", text: text))
        var out: [Token] = []
        while true {
            let t = lexer.next()
            if t.isEOF { break }
            out.append(t)
        }
        // Only the statement being typed counts.
        if let last = out.lastIndex(where: { $0.isNewline || $0.isSymbol("{") || $0.isSymbol("}") }) {
            out.removeSubrange(...last)
        }
        return out
    }

    /// The entity the statement is about: the last source word seen.
    private func currentEntity(_ tokens: [Token]) -> EntityDef? {
        for (i, t) in tokens.enumerated().reversed() where t.isIdentifier {
            if i > 0, tokens[i - 1].isKeyword("add") { return schema.entity(named: t.text) }
            if (t.isKeyword("downstream") || t.isKeyword("upstream")), i + 1 < tokens.count, tokens[i + 1].isKeyword("of") {
                return schema.tasks
            }
            if let e = schema.plural(t.text) { return e }
            if let e = savedQueryEntity(t.text) { return e }
        }
        return nil
    }

    private func savedQueryEntity(_ name: String) -> EntityDef? {
        guard case .text(let src) = (try? session.db.scalar(LookupSQL.savedQuerySource, [.text(name.lowercased())])) ?? .null,
              let first = src.split(separator: " ").first else { return nil }
        return schema.plural(String(first))
    }

    private var savedQueries: [String] {
        var out: [String] = []
        try? session.db.query(LookupSQL.savedQueryNames) { s in
            if case .text(let n) = s[0] { out.append(n) }
        }
        return out
    }

    private func wordCandidates(_ tokens: [Token]) -> [String] {
        guard let last = tokens.last else {
            return Completer.statementKeywords + schema.entities.map(\.plural) + savedQueries
        }
        let entity = currentEntity(tokens)
        let fields = entity?.fieldNames ?? []
        let vars = variableNames

        if last.isKeyword("add") { return schema.entities.map(\.singular) }
        if tokens.first?.isKeyword("import") == true, last.isKeyword("from") { return Completer.transferFormats }
        if tokens.first?.isKeyword("export") == true, last.isKeyword("as"),
           tokens.dropLast().last.map({ if case .string = $0.kind { return true } else { return false } }) == true {
            return Completer.transferFormats
        }
        let forIn = last.isKeyword("in") && tokens.count == 3 && tokens.first?.isKeyword("for") == true
        if last.isKeyword("count") || last.isKeyword("explain") || last.isKeyword("update") || last.isKeyword("delete")
            || forIn || last.isKeyword("to") || last.isKeyword("from") {
            return schema.entities.map(\.plural) + savedQueries + vars
        }
        if last.isKeyword("under") { return wbsCodes() }
        if last.isKeyword("of"), tokens.count >= 2, tokens[tokens.count - 2].isKeyword("downstream") || tokens[tokens.count - 2].isKeyword("upstream") {
            return wbsCodes()
        }
        // After a comparison: the values the left side can take.
        if case .symbol = last.kind, ["=", "!=", "<", "<=", ">", ">=", "(", ","].contains(last.text),
           let field = leftField(tokens, entity) {
            if case .enumeration(let vs) = field.type { return vs }
            if field.type == .bool { return ["true", "false"] }
            if case .reference(let target) = field.type { return ["\""] + (target == "people" ? ["me"] : []) + vars }
            if field.type == .date { return ["today", "yesterday", "tomorrow", "start_of_week()", "end_of_week()", "start_of_month()", "end_of_month()"] + vars }
        }
        if last.isIdentifier, entity?.field(last.text) != nil || schema.plural(last.text) != nil {
            // A field or a source was just written: what can follow it.
            return Completer.clauseKeywords
        }
        if last.isKeyword("where") || last.isKeyword("select") || last.isKeyword("by") || last.isKeyword("and") || last.isKeyword("or")
            || last.isKeyword("not") || last.isKeyword("set") || last.isSymbol(",") || last.isSymbol("(") {
            return fields + vars + namedSources(tokens) + (last.isKeyword("select") || last.isSymbol(",") ? Completer.functions : [])
        }
        if ["having", "pivot", "when", "then", "else"].contains(where: { last.isKeyword($0) }) {
            return fields + vars + namedSources(tokens) + Completer.functions
        }
        if tokens.count == 1, last.isIdentifier {
            return Completer.clauseKeywords
        }
        return fields + vars + Completer.clauseKeywords
    }

    /// The field on the left of the operator just typed (`status =` → status).
    private func leftField(_ tokens: [Token], _ entity: EntityDef?) -> FieldDef? {
        var i = tokens.count - 1
        // Inside `in (a, b, ...`: go back to the field before `in`.
        if tokens[i].isSymbol("(") || tokens[i].isSymbol(",") {
            while i > 0, !tokens[i].isKeyword("in") { i -= 1 }
        }
        guard i > 0 else { return nil }
        var j = i - 1
        if tokens[j].isKeyword("not") && j > 0 { j -= 1 }
        // A dotted path: owner.backup.department
        var names: [String] = []
        while j >= 0, tokens[j].isIdentifier {
            names.insert(tokens[j].text, at: 0)
            if j >= 2, tokens[j - 1].isSymbol(".") { j -= 2 } else { break }
        }
        return resolve(names, from: entity)
    }

    private func resolve(_ names: [String], from entity: EntityDef?) -> FieldDef? {
        var e = entity
        var field: FieldDef?
        for n in names {
            guard let cur = e, let f = cur.field(n) else { return nil }
            field = f
            if case .reference(let t) = f.type { e = schema.plural(t) } else { e = nil }
        }
        return field
    }

    /// `owner.` → the fields of people; `t.` (a loop variable) → the fields of its entity.
    private func pathCandidates(_ path: String, _ tokens: [Token]) -> [String] {
        let names = path.split(separator: ".").map(String.init)
        var entity = currentEntity(tokens)
        var rest = names
        if let first = names.first, entity?.field(first) == nil, let v = variableEntity(first) ?? namedSourceEntity(first, tokens) {
            entity = v
            rest = Array(names.dropFirst())
        }
        var e = entity
        for n in rest {
            guard let cur = e, let f = cur.field(n), case .reference(let t) = f.type else { return [] }
            e = schema.plural(t)
        }
        return e?.fieldNames ?? []
    }

    /// The names given with `as` to sources typed so far (`tasks as t`).
    private func namedSources(_ tokens: [Token]) -> [String] {
        tokens.indices.dropFirst().compactMap { i in
            tokens[i - 1].isKeyword("as") && i >= 2 && schema.plural(tokens[i - 2].text) != nil && tokens[i].isIdentifier ? tokens[i].text : nil
        }
    }

    /// The entity of the source named `name` with `as`.
    private func namedSourceEntity(_ name: String, _ tokens: [Token]) -> EntityDef? {
        for i in tokens.indices.dropFirst(2) where tokens[i].isIdentifier && tokens[i].text.lowercased() == name.lowercased()
            && tokens[i - 1].isKeyword("as") {
            if let e = schema.plural(tokens[i - 2].text) { return e }
        }
        return nil
    }

    /// What `word` (a field, a dotted path or an entity) is, in the statement `before` it:
    /// its type and meaning, for an editor's hover. Nil when it is none of those.
    public func describe(before: String, word: String) -> String? {
        let tokens = significantTokens(before)
        let names = word.split(separator: ".").map(String.init)
        guard let last = names.last else { return nil }
        if names.count == 1, let e = schema.entity(named: last), e.plural == last.lowercased() || e.singular == last.lowercased() {
            return e.schemaDescription
        }
        var owner = currentEntity(tokens)
        var path = Array(names.dropLast())
        if let first = path.first, owner?.field(first) == nil, let v = variableEntity(first) {
            owner = v
            path.removeFirst()
        }
        for n in path {
            guard let f = owner?.field(n), case .reference(let t) = f.type else { return nil }
            owner = schema.plural(t)
        }
        guard let entity = owner, let field = entity.field(last) else { return nil }
        var text = "\(field.name): \(FieldType.describe(field.type)), a field of \(entity.plural)"
        if field.isComputed { text += " (computed)" }
        if !field.doc.isEmpty { text += "\n\n" + field.doc }
        return text
    }

    /// Inside a string: keys from the data for the reference field on the left.
    private func stringCandidates(_ tokens: [Token], prefix: String) -> [String] {
        let entity = currentEntity(tokens)
        var target: EntityDef?
        if let field = tokens.isEmpty ? nil : leftField(tokens, entity), case .reference(let t) = field.type {
            target = schema.plural(t)
        } else if let last = tokens.last, last.isKeyword("assign") || last.isKeyword("unassign") || last.isIdentifier && entity?.field(last.text)?.type == .reference("people") {
            target = schema.people
        } else if let last = tokens.last, last.isIdentifier, let f = entity?.field(last.text), case .reference(let t) = f.type {
            target = schema.plural(t)
        }
        guard let target, let key = target.key else { return [] }
        return keys(target, key, prefix: prefix)
    }

    private func keys(_ entity: EntityDef, _ key: String, prefix: String) -> [String] {
        var out: [String] = []
        // The key column comes from the catalog; the prefix is bound.
        try? session.db.query(LookupSQL.keys(entity.table, key: key),
                              [.text(prefix)]) { s in
            if case .text(let k) = s[0] { out.append(k) }
        }
        return out
    }

    private func wbsCodes() -> [String] {
        var out: [String] = []
        try? session.db.query(LookupSQL.wbsCodes) { s in
            if case .text(let k) = s[0] { out.append(k) }
        }
        return out
    }
}

extension Session {
    /// Script variables in scope (for completion).
    public var variableNames: [String] { compiler.kept.scopes.flatMap { $0.keys }.sorted() }
}
