/// The statements `history`, `history of X`, `undo`, `redo` and a dry run's diff run on the
/// journal. Table and column names reach this file only after History has checked them
/// against PMQ's own (the journal is data anyone can edit); values are bound.
extension JournalSQL {
    /// One row's entries, newest first: ?1 = row id, ?2 = its table (JournalSQL.rowEntryIDs).
    func rowHistory() -> String {
        let old = valueText(entity: "e.entity", field: "e.field", value: "e.old_value")
        let new = valueText(entity: "e.entity", field: "e.field", value: "e.new_value")
        return """
            SELECT s.id, s.day, s.user, \(fieldText("e.field", entity: "e.entity")),
                   CASE WHEN e.field IN ('+', '-') THEN NULL ELSE \(old) END, CASE WHEN e.field IN ('+', '-') THEN NULL ELSE \(new) END, s.at
            FROM journal_entries e JOIN journal_sets s ON s.id = e.set_id
            WHERE e.id IN (\(JournalSQL.rowEntryIDs))
            ORDER BY e.id DESC
            """
    }

    /// The key of row ?1 of `table` (a deleted row's from the entry that deleted it).
    func keyOf(_ table: String, depth: Int? = nil) -> String {
        "SELECT " + (depth.map { key(table, "?1", depth: $0) } ?? key(table, "?1"))
    }

    /// Every change set, newest first. A set's count is kept when it commits; only the set
    /// in progress is counted from its entries.
    static let changeSets = """
        SELECT s.id, s.day, s.at, s.user, s.statement,
               coalesce(s.changes, (SELECT coalesce(sum(CASE WHEN e.field = '+' THEN coalesce(e.new_value, e.row_id) - e.row_id + 1 ELSE 1 END), 0) FROM journal_entries e WHERE e.set_id = s.id)),
               s.undone_by
        FROM journal_sets s ORDER BY s.id DESC
        """

    // MARK: undo and redo

    static let setHasEntries = "SELECT id FROM journal_entries WHERE set_id = ?1 LIMIT 1"

    /// ?1 = the set in progress (never a target). Whoever booked a set, on a file or a server:
    /// every statement behaves as on SQLite (spec §8.8), and `undo` reverts the last change
    /// set (§6); the journal says whose it was (W23).
    /// The newest change (or redo) not undone yet.
    static let undoTarget =
        "SELECT s.id FROM journal_sets s WHERE s.kind IN ('change', 'redo') AND s.undone_by IS NULL AND s.id IS NOT ?1 ORDER BY s.id DESC LIMIT 1"
    /// The newest undo not undone yet, as long as no new change came after it (a new change ends the redo chain).
    static let redoTarget =
        "SELECT s.id FROM journal_sets s WHERE s.kind = 'undo' AND s.undone_by IS NULL AND s.id IS NOT ?1 AND NOT EXISTS (SELECT 1 FROM journal_sets n WHERE n.kind = 'change' AND n.id > s.id AND n.id IS NOT ?1) ORDER BY s.id DESC LIMIT 1"

    /// A set's entries, newest first (the order undo walks them).
    static let entriesOfSetNewestFirst =
        "SELECT entity, row_id, field, old_value, new_value FROM journal_entries WHERE set_id = ?1 ORDER BY id DESC"
    /// A set's entries after mark ?2, oldest first (a dry run's diff).
    static let entriesOfSetSince =
        "SELECT entity, row_id, field, old_value, new_value FROM journal_entries WHERE set_id = ?1 AND id > ?2 ORDER BY id"

    /// Rows ?1 to ?2 of a range that was added together.
    static let idRange = "id BETWEEN ?1 AND ?2"
    static func deleteRange(_ table: String) -> String { "DELETE FROM \(table) WHERE " + idRange }

    /// A deleted row put back from the JSON object (?1) its delete entry kept.
    func restoreRow(_ table: String, columns: [String]) -> String {
        let values = columns.map { "json_extract(?1, '$.\($0)')" }
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
    }

    /// 1 when row ?1's field still holds ?2, compared as SQL compares (26 IS 26.0).
    static func fieldStillIs(_ table: String, _ column: String) -> String {
        "SELECT 1 FROM \(table) WHERE id = ?1 AND \(column) IS ?2"
    }
    static func fieldValue(_ table: String, _ column: String) -> String { "SELECT \(column) FROM \(table) WHERE id = ?1" }
    static func setField(_ table: String, _ column: String) -> String { "UPDATE \(table) SET \(column) = ?1 WHERE id = ?2" }

    static let markUndone = "UPDATE journal_sets SET undone_by = ?1 WHERE id = ?2"
    static let labelSet = "UPDATE journal_sets SET statement = ?1, kind = ?2 WHERE id = ?3"
}
