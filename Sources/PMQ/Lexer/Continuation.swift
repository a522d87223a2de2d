/// Line continuation as the lexer sees it, for readers of text line by line (the shell).
public enum Continuation {
    /// Whether `line`, read on its own, continues the statement above it in a script (it
    /// starts with a clause keyword such as `where`, `select` or `order`): the shell uses
    /// this to run a query pasted over several lines as one statement, as a script would.
    public static func continuesStatement(_ line: String) -> Bool {
        let word = line.drop { $0 == " " || $0 == "\t" }.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return !word.isEmpty && Lexer.leadingContinuations.contains(word.lowercased())
    }
}
