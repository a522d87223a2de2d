import PMQ

extension LanguageServer {
    /// `textDocument/definition`: where a variable, parameter, function, loop variable or
    /// saved query used at the cursor is declared in the document; null when it is not.
    func definition(_ doc: TextDocument, _ session: Session, _ params: [String: Any]) -> Any? {
        guard let p = TextDocument.Position(params.object("position")) else { return nil }
        let source = doc.source
        let offset = doc.pmqOffset(doc.byteOffset(p))
        guard let (word, _) = ScriptOutline.word(at: offset, in: source),
              let d = ScriptOutline.definition(of: word, at: offset, in: source) else { return nil }
        return ["uri": doc.uri, "range": doc.range(d.nameRange)]
    }

    /// `textDocument/documentSymbol`: the script's `let`, `param`, `fn` and `save query`
    /// statements. SymbolKind: Function 12, Variable 13, Constant 14 (a param), Object 19 (a saved query).
    func documentSymbols(_ doc: TextDocument, _ session: Session) -> Any? {
        ScriptOutline.symbols(in: doc.source).map { s -> [String: Any] in
            let kind: Int
            switch s.kind {
            case .function: kind = 12
            case .parameter: kind = 14
            case .savedQuery: kind = 19
            default: kind = 13
            }
            return ["name": s.name, "detail": s.detail, "kind": kind, "range": doc.range(s.range), "selectionRange": doc.range(s.nameRange)]
        }
    }
}
