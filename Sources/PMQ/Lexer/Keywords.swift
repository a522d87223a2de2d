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
        "was", "changed", "rule", "rules", "severity", "field", "type", "values", "default", "taskwarrior", "level", "within",
    ]
    /// The sources a query can start with: the model's entities (docs/language.md, “The model”). They are part of
    /// the grammar, fixed for every database (custom fields add fields, never entities), so
    /// the parser tells `(tasks where ...)` from `(x + 1)` with this list and never asks a
    /// database's schema. A test checks it against the built-in catalogue.
    public static let sources = [
        "people", "projects", "tasks", "milestones", "dependencies", "assignments", "risks", "costs", "defects", "changes",
        "change_tasks", "leaves", "holidays", "workdays", "load", "journal",
    ]

    /// Names with a fixed value.
    public static let constants = ["true", "false", "today", "yesterday", "tomorrow"]

    /// Every keyword, each once.
    public static var all: [String] { statements + clauses + constants }

    public static func contains(_ word: String) -> Bool { all.contains(word.lowercased()) }

    static func isSource(_ word: String) -> Bool { sources.contains(word.lowercased()) }
}
