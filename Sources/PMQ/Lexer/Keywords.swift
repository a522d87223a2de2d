/// The words PMQ gives a meaning to, in one place. Keywords are not reserved (a field may
/// share a name with one); this list is what completion proposes, what the editor grammar
/// (grammar/pmq.tmLanguage.json) highlights, and what a test checks the parser against.
public enum Keywords {
    /// Words that start a statement.
    public static let statements = [
        "add", "assert", "assign", "baseline", "begin", "commit", "count", "delete", "drop", "explain", "fn", "for",
        "export", "gantt", "health", "history", "if", "else", "import", "let", "param", "print", "redo", "report", "rollback", "save", "schedule",
        "shift", "show", "unassign", "undo", "update", "use", "check",
    ]
    /// Words inside a statement: query clauses, operators and the words that complete a statement.
    public static let clauses = [
        "where", "group", "by", "select", "order", "asc", "desc", "limit", "offset", "as", "and", "or", "not", "in",
        "is", "null", "between", "under", "set", "to", "from", "of", "query", "queries", "project",
        "having", "pivot", "case", "when", "then", "end", "downstream", "upstream", "into",
        "was", "changed", "rule", "rules", "severity",
    ]
    /// Names with a fixed value.
    public static let constants = ["true", "false", "today", "yesterday", "tomorrow"]

    /// Every keyword, each once.
    public static var all: [String] { statements + clauses + constants }

    public static func contains(_ word: String) -> Bool { all.contains(word.lowercased()) }
}
