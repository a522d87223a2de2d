/// A document checked once for an editor: its diagnostics, and the names in scope after
/// each top-level statement, so completion anywhere in it needs no second check.
public struct DocumentCheck {
    public let diagnostics: [Diagnostic]
    /// The checker after each top-level statement, by the offset where that statement ends.
    private let scopes: [(end: Int, checker: Checker)]
    private let initial: Checker

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
        var diagnostics: [Diagnostic] = []
        var scopes: [(end: Int, checker: Checker)] = []
        var c = freshChecker()
        let initial = c
        forEachChecked(source, &c, { _ in }, report: { diagnostics.append($0) }, after: { end, checker in
            scopes.append((end, checker))
        })
        return DocumentCheck(diagnostics: diagnostics, scopes: scopes, initial: initial)
    }
}
