import Foundation

/// The change journal: every committed change set, and per row and field the old
/// and new value (docs/language.md, “Scripts”). Entries are written by the change statements inside
/// their transaction, so a rolled-back script leaves no journal either.
///
/// `field` is a column name, `+` for a row that was added, or `-` for a row that
/// was removed (its old value is then the whole row as a JSON object).
struct Journal {
    let db: any Engine
    /// The change set of the transaction in progress, made at its first change.
    var currentSet: Int64?
    var label = "<eval>"
    /// Who the change sets are recorded as (tests pin it so their output does not depend on the machine).
    /// The system's name is looked up when first needed: a run that changes nothing never asks.
    var user: String {
        get { assignedUser ?? Journal.userName }
        set { assignedUser = newValue }
    }
    private var assignedUser: String?
    /// The day change sets are booked on: the session's `today` (docs/language.md, “Time travel”).
    var day = Day(0)

    init(db: any Engine) { self.db = db }

    /// The last mark read, with the engine's change stamp when it was read.
    private let lastMark = MarkBox()
    private final class MarkBox { var value: (stamp: ChangeStamp, mark: Int64)? }

    /// Rows added by consecutive `add`s to one table: journaled as one range entry
    /// (`row_id` the first id, `new_value` the last), so loading a large script writes
    /// one journal row, not one per row. It names the statement that added its first row.
    private var pendingAdds: PendingAdds?
    private struct PendingAdds { var table: String; var first: Int64; var last: Int64; var statement: JournalStatement?; var lastStatement: JournalStatement? }

    /// The text of the statement running now, as the journal's `statement` shows it (the
    /// change set itself is named by the script's file), and of the one its untagged entries
    /// belong to: the statement before, until `nameStatement` has named them.
    var statement: JournalStatement?
    private var entriesStatement: JournalStatement?
    /// Entries up to this id have been named (or belong to earlier runs).
    var namedUpTo: Int64 = 0

    mutating func added(_ table: String, _ id: Int64) throws {
        // The next row of the range is written in place: rebuilding the whole range (two
        // statements' copies) cost an import about 2,600 instructions a row (BENCHMARKS.md,
        // “Issue 14, tenth pass”).
        if let last = pendingAdds?.last, last + 1 == id, pendingAdds?.table == table {
            pendingAdds?.last = id
            pendingAdds?.lastStatement = statement
            return
        }
        try flush()
        pendingAdds = PendingAdds(table: table, first: id, last: id, statement: statement, lastStatement: statement)
    }

    /// Names the entries made since the last call by the statement they belong to, then
    /// makes `statement` the one later entries belong to. Called between statements that
    /// are not `add`s (whose ranges carry their statement), after the roll-ups the statement
    /// before caused, and at the end of a run.
    ///
    /// Inside a loop this runs before every statement of the body, each time with the loop's
    /// text: the entries are named only when there are new ones (an `if` that changed nothing
    /// writes nothing), and the text is made once for the loop, not once an iteration
    /// (BENCHMARKS.md, “Issue 10, figure f”).
    ///
    /// `lastEntry`: the last entry's id when the caller has just read it (the roll-up before).
    mutating func nameStatement(lastEntry: Int64? = nil) throws {
        if currentSet != nil {
            let last = try lastEntry ?? mark()
            // No entry after `namedUpTo`: the UPDATE would name none.
            if last > namedUpTo, let s = entriesStatement {
                try db.run(JournalWriteSQL.nameStatement, [.integer(try number(of: text(of: s))), .integer(namedUpTo)])
            }
            namedUpTo = last
        }
        entriesStatement = statement
    }

    /// The statement the entries written now belong to, as `nameStatement` will name them
    /// (null when it names none), for a statement that journals many rows at once: it names
    /// its entries as it writes them, and `nameStatement`'s UPDATE finds none left to rewrite
    /// (a first re-plan rewrote 10,475 entries to name them; BENCHMARKS.md, “fifth pass”).
    /// Only for entries that a `nameStatement` call follows (a statement's own, or the roll-up
    /// after it).
    mutating func statementOfNewEntries() throws -> Value {
        guard let s = entriesStatement else { return .null }
        return .integer(try number(of: text(of: s)))
    }

    /// The text last made for a statement, with the bytes it was made from: a statement's
    /// text depends on its bytes alone, so the same bytes give it back without making it again.
    private var lastText: (bytes: [UInt8], text: String)?

    /// The number of the statement text last kept in `journal_statements`, with its text: a
    /// loop names the entries of each iteration by the same text, kept once. Forgotten after a
    /// rollback (the row may be gone with it).
    private var lastNumber: (text: String, id: Int64)?

    /// The number of `text` in `journal_statements`, kept there first if it is new.
    private mutating func number(of text: String) throws -> Int64 {
        if let l = lastNumber, l.text == text { return l.id }
        guard case .integer(let id) = try db.scalar(JournalWriteSQL.statementText, [.text(text)]) else {
            throw StoreError(.other, "cannot keep a statement's text in the journal")
        }
        lastNumber = (text, id)
        return id
    }

    private mutating func text(of s: JournalStatement) -> String {
        let bytes = UnsafeBufferPointer(rebasing: s.source.bytes(in: s.range))
        if let l = lastText, Journal.same(l.bytes, bytes) { return l.text }
        let text = s.text
        lastText = (Array(bytes), text)
        return text
    }

    /// The same bytes, compared by memcmp (a loop's text is compared before every statement
    /// of its body; a generic element-by-element compare was a few instructions a byte).
    private static func same(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty, let bp = b.baseAddress else { return true }
        return a.withUnsafeBufferPointer { ap in ap.baseAddress.map { memcmp($0, bp, b.count) == 0 } ?? false }
    }

    /// Ends a transaction's journaling: a change set that changed nothing is not kept.
    mutating func finish() throws {
        try flush()
        if let s = currentSet {
            try db.run(JournalWriteSQL.dropEmptySet, [.integer(s)])
            try db.run(JournalWriteSQL.countChanges, [.integer(s)])
        }
    }

    /// Writes the pending range of added rows; call before reading the journal or committing.
    mutating func flush() throws {
        guard let p = pendingAdds else { return }
        pendingAdds = nil
        let s = try set()
        let statement: Value = try p.statement.map { .integer(try number(of: $0.text(through: p.lastStatement, rows: p.last - p.first + 1))) } ?? .null
        try db.run(JournalWriteSQL.addedRange, [.integer(s), .text(p.table), .integer(p.first), .integer(p.last), statement])
    }

    /// After a rollback: pending adds are gone, and so is the change set if it was made
    /// by what was rolled back.
    mutating func rolledBack() {
        pendingAdds = nil
        lastNumber = nil
        if let s = currentSet, case .integer = (try? db.scalar(JournalWriteSQL.setExists, [.integer(s)])) ?? .null {
            return
        }
        currentSet = nil
    }

    mutating func set() throws -> Int64 {
        if let s = currentSet { return s }
        // The number is the highest kept plus one on both engines (see nextSetID).
        guard case .integer(var id) = try db.scalar(JournalWriteSQL.nextSetID) else {
            throw StoreError(.other, "cannot number a change set")
        }
        func open(_ id: Int64) throws { try db.run(JournalWriteSQL.openSet, [.integer(id), .text(user), .text(label), .date(day)]) }
        guard db.kind == .postgres else {
            try open(id)
            currentSet = id
            return id
        }
        // PostgreSQL: a shell's `begin ... commit` does not hold the writer's turn, and its
        // snapshot cannot see the change sets colleagues committed since it began, so the
        // highest number it reads may be taken. The next free one is found by trying, each try
        // behind a savepoint (a refused insert would otherwise end the transaction).
        for _ in 0..<Self.numberingTries {
            try db.savepoint("pmq_set")
            do {
                try open(id)
                try db.releaseSavepoint("pmq_set")
                currentSet = id
                return id
            } catch let e as StoreError where e.isUniqueViolation {
                try db.rollbackToSavepoint("pmq_set")
                id += 1
            }
        }
        throw StoreError(.conflict, "change set \(id)")
    }

    /// How many change sets colleagues may commit during a shell's `begin` before its next
    /// change is refused as a conflict (each try is one savepoint and one insert).
    static let numberingTries = 10_000

    /// Who books a change set: the user name `me` names too (docs/language.md, “Time travel” and “Me”), `$PMQ_USER`,
    /// else `$USER`, else `$LOGNAME`, else the system's name for the process's user (a cron
    /// job or container often has no `$USER`). On a server, the database user (docs/language.md, “Teams on a server”).
    static let userName: String = SessionContext.defaultUser() ?? ""

    /// The highest entry id so far: entries after it belong to the statement running now.
    /// Read again only when something was written since it was last read (`changeStamp`):
    /// a loop's body asks before each of its statements, and an `if` writes nothing.
    func mark() throws -> Int64 {
        let stamp = db.changeStamp
        if let stamp, let known = lastMark.value, known.stamp == stamp { return known.mark }
        if case .integer(let i) = try db.scalar(JournalWriteSQL.lastEntry) {
            lastMark.value = stamp.map { ($0, i) }
            return i
        }
        return 0
    }

    func record(_ set: Int64, _ table: String, _ row: Int64, _ field: String, old: Value, new: Value) throws {
        try db.run(JournalWriteSQL.entry, [.integer(set), .text(table), .integer(row), .text(field), old, new])
    }

    /// Records `column` of the rows of `table` that `condition` picks as about to become
    /// null: a delete clearing references to the rows it removes, a dropped custom field.
    /// Names come from the schema; `condition` is SQL built from it.
    @discardableResult
    func recordCleared(_ set: Int64, _ table: String, _ column: String, where condition: String) throws -> Int {
        try db.run(JournalWriteSQL.cleared(table, column, where: condition), [.integer(set), .text(table), .text(column)])
    }

    /// Records rows about to be removed, whole, as JSON objects.
    func recordRemoval(_ set: Int64, _ table: String, where condition: String, _ args: [Value]) throws {
        let sql = JournalWriteSQL.removal(table, columns: try columns(of: table), where: condition, set: args.count + 1)
        try db.run(sql, args + [.integer(set)])
    }

    /// A table's columns, from the database's own schema (never from user text).
    func columns(of table: String) throws -> [String] { try db.columns(of: table) }
}

/// Where a statement's text is, for the journal's `statement`; read only when an entry is
/// named by it (a million-line load reads a few).
struct JournalStatement {
    let source: SourceFile
    let range: SourceRange

    /// On one line, blanks collapsed, at most 200 characters (a `for` loop is its whole text).
    var text: String {
        let text = source.slice(range).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    /// A range of rows added by consecutive statements, this one first and `last` last:
    /// one journal entry holds them all, named by the first statement, the count and the lines
    /// (`add person "Li Wei" (2 adds, lines 2-3)`).
    func text(through last: JournalStatement?, rows: Int64) -> String {
        guard let last, last.range != range else { return text }
        let from = source.location(of: range.start).line, to = last.source.location(of: last.range.start).line
        return text + " (\(rows) adds, lines \(from)-\(to))"
    }
}
