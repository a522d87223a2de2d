/// The statements that write the change journal (Journal): a change set, its entries and its
/// count of changes. Values are bound; table and column names come from the schema, and a
/// condition is SQL built from it (never from user text).
///
/// `journal_entries.field` is a column name, `+` for a range of added rows (`row_id` the first
/// id, `new_value` the last) or `-` for a removed row (`old_value` the whole row as JSON).
enum JournalWriteSQL {
    /// The number the next change set takes: one past the highest kept. Asked, not left to the
    /// engine: a PostgreSQL identity is not given back when its transaction rolls back, so a
    /// failed run there would use up a number that SQLite reuses (numbers must read the same
    /// on both engines). A writing run holds the writer's turn, so no other run takes it.
    static let nextSetID = "SELECT coalesce(max(id), 0) + 1 FROM journal_sets"

    /// Opens change set ?1 booked now: ?2 the user, ?3 the statement's label, ?4 the day it is
    /// booked on (the session's `today`).
    static let openSet = """
        INSERT INTO journal_sets (id, at, user, statement, day) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3, ?4)
        """

    /// Removes change set ?1 when it has no entries (a transaction that changed nothing).
    static let dropEmptySet = "DELETE FROM journal_sets WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM journal_entries WHERE set_id = ?1)"

    /// Counts change set ?1's changes once, when it commits (a range of added rows counts each
    /// row): `history` then reads a column instead of every entry of the journal.
    static let countChanges = """
        UPDATE journal_sets SET changes = (SELECT coalesce(sum(CASE WHEN e.field = '+' THEN coalesce(e.new_value, e.row_id) - e.row_id + 1 ELSE 1 END), 0)
                                           FROM journal_entries e WHERE e.set_id = ?1) WHERE id = ?1
        """

    /// Change set ?1's id when it is still there (after a rollback, to tell whether it was made
    /// by what was rolled back).
    static let setExists = "SELECT id FROM journal_sets WHERE id = ?1"

    /// The highest entry id so far (0 for an empty journal).
    static let lastEntry = "SELECT coalesce(max(id), 0) FROM journal_entries"

    /// One entry: ?1 the change set, ?2 the table, ?3 the row id, ?4 the field (a column, `+`
    /// or `-`), ?5 the old value, ?6 the new one.
    static let entry = """
        INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        """

    /// A range of added rows, with the statement that added its first row: ?1 the change set,
    /// ?2 the table, ?3 the first row id, ?4 the last, ?5 the statement's number in
    /// `journal_statements` (see `statementText`).
    static let addedRange = """
        INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value, statement) VALUES (?1, ?2, ?3, '+', NULL, ?4, ?5)
        """

    /// A statement's text, kept once (schema step 20): entries name it by its number, so a
    /// statement that changes 20,000 fields stores its text once, not 20,000 times.
    static let statementText = "INSERT INTO journal_statements (text) VALUES (?1) RETURNING id"

    /// Names the statement that made the entries after entry ?2 that have none: ?1 its number.
    static let nameStatement = "UPDATE journal_entries SET statement = ?1 WHERE id > ?2 AND statement IS NULL"

    /// Entries for `column` of the rows of `table` that `condition` picks, about to become null:
    /// ?1 the change set, ?2 the table's name, ?3 the column's name (as the journal stores them).
    /// Rows are journaled in id order, so a change set lists them alike on every engine
    /// (an unordered SELECT's order is the engine's own).
    static func cleared(_ table: String, _ column: String, where condition: String) -> String {
        "INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value) SELECT ?1, ?2, id, ?3, \(column), NULL FROM \(table) WHERE \(condition) ORDER BY id"
    }

    /// Entries for the rows of `table` that `condition` picks, about to be removed, each whole
    /// as a JSON object of `columns`. `condition` uses parameters ?1 to ?(set - 1); ?`set` is
    /// the change set.
    static func removal(_ table: String, columns: [String], where condition: String, set: Int) -> String {
        let object = "json_object(" + columns.map { "'\($0)', \($0)" }.joined(separator: ", ") + ")"
        return "INSERT INTO journal_entries (set_id, entity, row_id, field, old_value) SELECT ?\(set), '\(table)', id, '-', \(object) FROM \(table) WHERE \(condition) ORDER BY id"
    }
}
