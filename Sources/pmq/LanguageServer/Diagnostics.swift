import PMQ

extension LanguageServer {
    /// The checker's diagnostics for a document, as LSP `Diagnostic`s: every error in the
    /// text, each with its stable id as the code and its notes (did you mean ...) appended.
    static func diagnostics(_ doc: TextDocument) -> [[String: Any]] {
        (doc.check?.diagnostics ?? []).map { d in
            [
                "range": doc.range(d.range),
                "severity": 1,
                "code": d.code.rawValue,
                "source": "pmq",
                "message": ([d.message] + d.notes).joined(separator: "\n"),
            ]
        }
    }
}
