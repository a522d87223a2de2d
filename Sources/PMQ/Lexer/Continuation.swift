/// Line continuation as the lexer sees it, for readers of text line by line (the shell).
public enum Continuation {
    /// Whether `line`, read on its own, continues the statement above it in a script (it
    /// starts with a clause keyword such as `where`, `select`, `order` or `set`): the shell uses
    /// this to run a query pasted over several lines as one statement, as a script would.
    public static func continuesStatement(_ line: String) -> Bool {
        let rest = line.drop { $0 == " " || $0 == "\t" }
        let word = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        let after = rest.dropFirst(word.count).drop { $0 == " " || $0 == "\t" || $0 == "\r" }.utf8.first
        return !word.isEmpty && Lexer.continues(word: word.lowercased(), before: after)
    }
}
