/// The words PMQ gives a meaning to, in one place: the cases of `Keyword`, in the order below.
/// Keywords are not reserved (a field may share a name with one); the lexer classifies every
/// identifier once (`Token.keyword`) and the parser compares that, never the text. The lists in
/// `Keywords` are taken from these cases: they are what completion proposes, what the editor
/// grammar (grammar/pmq.tmLanguage.json) highlights, and what a test checks the parser against.
public enum Keyword: String, CaseIterable, Sendable {
    // Words that start a statement (`Keywords.statements`, from `add` through `check`).
    case add, assert, assign, baseline, begin, commit, count, delete, drop, explain, fn, `for`
    case export, gantt, health, history, `if`, `else`, `import`, `let`, param, print, redo, report, rollback, save, schedule
    case shift, show, unassign, undo, update, use, check

    // Words inside a statement: query clauses, operators and the words that complete a
    // statement (`Keywords.clauses`, from `where` through `within`).
    case `where`, group, by, select, order, asc, desc, limit, offset, `as`, and, or, not, `in`
    case `is`, null, between, under, set, to, from, of, query, queries, project
    case having, pivot, `case`, when, then, end, downstream, upstream, into
    case was, changed, rule, rules, severity, field, type, values, `default`, taskwarrior, level, within

    // Names with a fixed value (`Keywords.constants`, from `true` through `tomorrow`).
    case `true`, `false`, today, yesterday, tomorrow

    // The sources a query can start with (`Keywords.sources`, from `people` through `journal`).
    case people, projects, tasks, milestones, dependencies, assignments, risks, costs, defects, changes
    case change_tasks, leaves, holidays, workdays, load, journal

    // Words only the parts of `changed` use (`changed after D`, `changed before D`): no list
    // above holds them (completion does not offer them; the grammar does not highlight them).
    case after, before

    /// The keyword `text` spells, ASCII letters in either case; nil for any other word.
    /// Made from the bytes the lexer has, without a String: every identifier is classified once.
    static func classify<C: Collection>(_ text: C) -> Keyword? where C.Element == UInt8 {
        let n = text.count
        guard n >= 2, n <= 16 else { return nil }
        var lo: UInt64 = 0, hi: UInt64 = 0, k = 0
        for c in text {
            // Non-ASCII never spells a keyword; upper-case ASCII letters are folded to lower case.
            guard c < 0x80 else { return nil }
            let l = UInt64(c >= 65 && c <= 90 ? c + 32 : c)
            if k < 8 { lo |= l << (8 * UInt64(k)) } else { hi |= l << (8 * UInt64(k - 8)) }
            k += 1
        }
        let table = Keyword.table
        var i = table.starts[n]
        let end = table.starts[n + 1]
        while i < end {
            let e = table.entries[i]
            if e.lo == lo && e.hi == hi { return e.keyword }
            i += 1
        }
        return nil
    }

    /// Every keyword's lower-case bytes packed into two words, grouped by length (`starts[n]`
    /// is where the words of `n` bytes begin in `entries`).
    private struct Table {
        var entries: [(lo: UInt64, hi: UInt64, keyword: Keyword)] = []
        var starts: [Int] = []
    }
    private static let table: Table = {
        var t = Table()
        let words = Keyword.allCases.sorted { $0.rawValue.utf8.count < $1.rawValue.utf8.count }
        var next = 0
        for n in 0...17 {
            t.starts.append(next)
            for w in words where w.rawValue.utf8.count == n {
                var lo: UInt64 = 0, hi: UInt64 = 0
                for (k, c) in w.rawValue.utf8.enumerated() {
                    if k < 8 { lo |= UInt64(c) << (8 * UInt64(k)) } else { hi |= UInt64(c) << (8 * UInt64(k - 8)) }
                }
                t.entries.append((lo, hi, w))
                next += 1
            }
        }
        return t
    }()

    var isSource: Bool {
        switch self {
        case .people, .projects, .tasks, .milestones, .dependencies, .assignments, .risks, .costs, .defects, .changes,
             .change_tasks, .leaves, .holidays, .workdays, .load, .journal: return true
        default: return false
        }
    }
}

public enum Keywords {
    /// Words that start a statement.
    public static let statements = words(.add, through: .check)
    /// Words inside a statement: query clauses, operators and the words that complete a statement.
    public static let clauses = words(.where, through: .within)
    /// The sources a query can start with: the model's entities (docs/language.md, “The model”). They are part of
    /// the grammar, fixed for every database (custom fields add fields, never entities), so
    /// the parser tells `(tasks where ...)` from `(x + 1)` with this list and never asks a
    /// database's schema. A test checks it against the built-in catalogue.
    public static let sources = words(.people, through: .journal)

    /// Names with a fixed value.
    public static let constants = words(.true, through: .tomorrow)

    /// Every keyword, each once.
    public static var all: [String] { statements + clauses + constants }

    public static func contains(_ word: String) -> Bool { all.contains(word.lowercased()) }

    static func isSource(_ word: String) -> Bool { sources.contains(word.lowercased()) }

    /// The spellings of the keywords from `first` through `last`, in the order declared.
    private static func words(_ first: Keyword, through last: Keyword) -> [String] {
        let all = Keyword.allCases
        guard let a = all.firstIndex(of: first), let b = all.firstIndex(of: last), a <= b else { return [] }
        return all[a...b].map(\.rawValue)
    }
}
