/// What `pmq --var NAME=VALUE` needs to know about the scripts before any of them runs:
/// whether NAME is a name at all, and which `param`s the scripts declare. An override that
/// no script declares is a usage error (a misspelt `--var` would otherwise run the script
/// silently with the default: with `--var leaver=...` on the wrong person).
public enum ScriptParams {
    /// Whether `text` is one name as the lexer reads it (`who`, `max_cost`, `负责人`).
    public static func isName(_ text: String) -> Bool {
        let source = SourceFile(name: "--var", text: text)
        var lexer = Lexer(source)
        let first = lexer.next()
        guard case .identifier = first.kind, first.text == text else { return false }
        if case .eof = lexer.next().kind { return !lexer.hasDiagnostics }
        return false
    }

    /// The names (lower-cased) of the `param` statements in `sources`, at any depth (inside
    /// `if` and `for` bodies too). Statements are read one at a time and not kept.
    public static func declared(in sources: [SourceFile]) -> Set<String> {
        var names: Set<String> = []
        func walk(_ s: Statement) {
            switch s.kind {
            case .param(let name, _): names.insert(name.lowered)
            case .forLoop(_, _, let body): body.forEach(walk)
            case .ifElse(let branches, let otherwise):
                branches.forEach { $0.body.forEach(walk) }
                otherwise?.forEach(walk)
            default: break
            }
        }
        for source in sources {
            var parser = Parser(source)
            while let s = parser.nextStatement() { walk(s) }
        }
        return names
    }
}
