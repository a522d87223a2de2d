/// A document checked once for an editor: its diagnostics, and the names in scope after
/// each top-level statement, so completion anywhere in it needs no second check.
public struct DocumentCheck {
    public let diagnostics: [Diagnostic]
    /// The checker after each top-level statement, by the offset where that statement ends.
    private let scopes: [(end: Int, checker: Checker)]
    private let initial: Checker

    var boundaries: [(end: Int, checker: Checker)] { scopes }
    var initialChecker: Checker { initial }

    init(diagnostics: [Diagnostic], scopes: [(end: Int, checker: Checker)], initial: Checker) {
        self.diagnostics = diagnostics
        self.scopes = scopes
        self.initial = initial
    }

    /// The names declared by the statements that end before `offset` (the start of the
    /// statement being typed), and where the statement at `offset` starts at the latest.
    public func scope(before offset: Int) -> CompletionScope {
        var lo = 0, hi = scopes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if scopes[mid].end <= offset { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return CompletionScope(checker: initial, statementStart: 0) }
        return CompletionScope(checker: scopes[lo - 1].checker, statementStart: scopes[lo - 1].end)
    }
}

/// What a script declared before some point, for `Completer(session:scope:)`.
public struct CompletionScope {
    let checker: Checker
    /// Where the text after the last complete statement begins (UTF-8 offset).
    public let statementStart: Int
    /// The variables in scope there.
    public var variableNames: [String] { checker.scopes.flatMap { $0.keys }.sorted() }
}

extension Session {
    /// Parses and checks a document without running it (as `check`), keeping what
    /// completion needs at every statement boundary.
    public func checkDocument(_ source: SourceFile) -> DocumentCheck {
        let c = compiler.freshChecker()
        return checkDocument(source, from: 0, checker: c, initial: c, kept: [], keptScopes: [])
    }

    /// The same after an edit, when the text's first `unchangedPrefix` bytes (UTF-8, as in
    /// `SourceFile`) are as `previous` saw them: checking resumes at the statement boundary
    /// two statements before the edit. The statement just before the edit is read again,
    /// since the edit may continue it (`where ...` on the next line); the one before that
    /// cannot be reached by the edit, because a whole statement lies between them.
    public func checkDocument(_ source: SourceFile, previous: DocumentCheck, unchangedPrefix: Int) -> DocumentCheck {
        let scopes = previous.boundaries
        var lo = 0, hi = scopes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if scopes[mid].end < unchangedPrefix { lo = mid + 1 } else { hi = mid }
        }
        let j = lo - 2       // lo - 1 is the last statement ending before the edit: read it again
        guard j >= 0 else { return checkDocument(source) }
        let resume = scopes[j]
        let kept = previous.diagnostics.filter { $0.range.start < resume.end }
        return checkDocument(source, from: resume.end, checker: resume.checker, initial: previous.initialChecker,
                             kept: kept, keptScopes: Array(scopes[...j]))
    }

    private func checkDocument(_ source: SourceFile, from start: Int, checker: Checker, initial: Checker,
                               kept: [Diagnostic], keptScopes: [(end: Int, checker: Checker)]) -> DocumentCheck {
        var diagnostics = kept.map { d -> Diagnostic in var d = d; d.source = source; return d }
        var scopes = keptScopes
        var c = checker
        var parser = start == 0 ? Parser(source) : Parser(source, range: SourceRange(start, source.bytes.count))
        compiler.forEachChecked(source, &c, parser: &parser, { _ in }, report: { diagnostics.append($0) }, after: { end, checker in
            scopes.append((end, checker))
        })
        return DocumentCheck(diagnostics: diagnostics, scopes: scopes, initial: initial)
    }
}
