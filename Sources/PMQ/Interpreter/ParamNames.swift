/// The names `param` declares in a run's texts, for `pmq --var NAME=VALUE`: a NAME no text
/// declares is refused before anything runs (a misspelt `--var who=QA` for a script whose
/// param is `owner` would otherwise run silently with the default; H10, R4).
public enum ParamNames {
    /// Lowercased, read by the lexer alone (no parse, no check): `param` starting a statement,
    /// then its name.
    public static func declared(in sources: [SourceFile]) -> Set<String> {
        var out: Set<String> = []
        for s in sources {
            var lexer = Lexer(s)
            var atStatementStart = true, afterParam = false
            while true {
                let t = lexer.next()
                if t.isEOF { break }
                if afterParam, t.isIdentifier { out.insert(t.lowered) }
                afterParam = atStatementStart && t.isKeyword("param")
                atStatementStart = t.isNewline || t.isSymbol("{") || t.isSymbol("}")
            }
        }
        return out
    }
}
