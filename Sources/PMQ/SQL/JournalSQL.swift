/// The journal read as a source (docs/language.md, “Time travel”): rows named by their keys and values as
/// text, never internal ids. `history`, `history of` and a dry run's diff use the
/// same pieces, so every place that shows a change shows it the same way.
struct JournalSQL {
    /// Which fields are references, dates, durations and flags, and the keys shown.
    let schema: Schema
    /// How the engine keeps journal values (typed on SQLite, text on PostgreSQL).
    let dialect: any SQLDialect

    /// The ids of one row's journal entries (`history of`): its own, and the add of a range
    /// that holds it; ?1 is the row's id, ?2 its table. There is no index on (entity, row_id)
    /// (schema step 12 dropped it: ~11 bytes and a b-tree insert per entry, for this one
    /// statement), so the row's own entries are found through (entity, field, row_id): the
    /// fields the table has in the journal are walked one index seek each (a recursive
    /// `min(field) > previous`, so a dropped custom field's entries are found too), then one
    /// seek per field for the row. About two seeks per field, however long the journal.
    static let rowEntryIDs = "WITH RECURSIVE f(field) AS (SELECT min(y.field) FROM journal_entries y WHERE y.entity = ?2"
        + " UNION ALL SELECT (SELECT min(y.field) FROM journal_entries y WHERE y.entity = ?2 AND y.field > f.field) FROM f WHERE f.field IS NOT NULL)"
        + " SELECT x.id FROM f CROSS JOIN journal_entries x ON x.entity = ?2 AND x.field = f.field AND x.row_id = ?1"
        + " UNION ALL SELECT x.id FROM journal_entries x WHERE x.entity = ?2 AND x.field = '+' AND x.row_id < ?1 AND ?1 <= CAST(x.new_value AS INTEGER)"

    /// Column `column` of row `id` of `table`: from the row now, else from the entry
    /// that deleted it (a delete keeps the whole row). Names come from the catalog.
    /// `id` may be a journal value (kept as text on PostgreSQL): it is read as an integer.
    func rowValue(_ table: String, _ column: String, _ id: String) -> String {
        let n = integer(id)
        return "coalesce((SELECT k.\(column) FROM \(table) k WHERE k.id = \(n)),"
            + " (SELECT json_extract(d.old_value, '$.\(column)') FROM journal_entries d WHERE d.entity = '\(table)' AND d.row_id = \(n) AND d.field = '-' ORDER BY d.id DESC LIMIT 1))"
    }

    /// A journal value read as an integer (an id or a day). SQLite keeps the value's own
    /// type, so the cast changes nothing there; PostgreSQL keeps every value as text.
    func integer(_ v: String) -> String {
        v.hasPrefix("?") || v.hasSuffix("row_id") ? v : "CAST(\(v) AS INTEGER)"
    }

    /// A row's key as text: `1.2`, `Li Wei`, `1.2 -> 1.3` for a dependency,
    /// `1.2 Li Wei R` for an assignment, `2026-01-10 labor 1500` for a cost.
    func key(_ table: String, _ id: String, depth: Int = 0) -> String {
        let fallback = "'#' || \(id)"
        switch table {
        case "dependencies" where depth == 0:
            return "(coalesce(\(key("tasks", rowValue(table, "pred", id), depth: 1)), '?') || ' -> ' || coalesce(\(key("tasks", rowValue(table, "succ", id), depth: 1)), '?'))"
        case "assignments" where depth == 0:
            return "(coalesce(\(key("tasks", rowValue(table, "task", id), depth: 1)), '?') || ' ' || coalesce(\(key("people", rowValue(table, "person", id), depth: 1)), '?') || ' ' || coalesce(\(rowValue(table, "role", id)), ''))"
        case "costs" where depth == 0:
            let date = "strftime('%Y-%m-%d', \(rowValue(table, "date", id)) * 86400, 'unixepoch')"
            return "coalesce(\(date) || ' ', '') || coalesce(\(rowValue(table, "kind", id)), '') || coalesce(' ' || \(number(rowValue(table, "amount", id))), '')"
        case "change_tasks" where depth == 0:
            return "(coalesce(\(key("changes", rowValue(table, "change", id), depth: 1)), '?') || ' -> ' || coalesce(\(key("tasks", rowValue(table, "task", id), depth: 1)), '?'))"
        case "leaves" where depth == 0:
            let day = "strftime('%Y-%m-%d', \(rowValue(table, "start", id)) * 86400, 'unixepoch')"
            return "(coalesce(\(key("people", rowValue(table, "person", id), depth: 1)), '?') || ' ' || coalesce(\(day), ''))"
        case "holidays", "workdays":
            return "coalesce(strftime('%Y-%m-%d', \(rowValue(table, "day", id)) * 86400, 'unixepoch'), \(fallback))"
        case "saved_queries", "rules":
            return "coalesce(\(rowValue(table, "name", id)), \(fallback))"
        case "pmq_fields":
            // A custom field by the entity it belongs to and its name: `tasks.vendor`.
            return "coalesce(\(rowValue(table, "entity", id)) || '.' || \(rowValue(table, "name", id)), \(fallback))"
        default:
            guard let e = schema.entity(table: table), let k = e.key, let c = e.field(k)?.column else { return "(\(fallback))" }
            return "coalesce(\(rowValue(table, c, id)), \(fallback))"
        }
    }

    /// The entity a journal entry names, as the user calls it: custom fields (kept in the
    /// `pmq_fields` table) are `fields`.
    static func entityText(_ entity: String) -> String { "(CASE WHEN \(entity) = 'pmq_fields' THEN 'fields' ELSE \(entity) END)" }

    /// A number as text without a trailing `.0`.
    func number(_ v: String) -> String { dialect.storedNumberText(v) }

    /// The key of a row of whichever table `entity` (SQL text) names.
    func anyKey(entity: String, id: String) -> String {
        let tables = ["people", "projects", "tasks", "dependencies", "assignments", "risks", "costs", "defects", "changes", "saved_queries", "rules",
                      "leaves", "holidays", "workdays", "change_tasks", "pmq_fields"]
        return "(CASE \(entity) " + tables.map { "WHEN '\($0)' THEN \(key($0, id))" }.joined(separator: " ") + " ELSE '#' || \(id) END)"
    }

    /// A stored value as text, read by the type of field `field` of table `entity`
    /// (both SQL text): references by key, dates as YYYY-MM-DD, durations as `3d`.
    func valueText(entity: String, field: String, value v: String) -> String {
        var refs: [String: [(String, String)]] = [:]    // target table -> (table, column)
        var dates: [(String, String)] = [], durations: [(String, String)] = [], bools: [(String, String)] = []
        for e in schema.entities where !e.isReadOnly && !e.onlyMilestones {
            for f in e.fields {
                guard let c = f.column else { continue }
                switch f.type {
                case .reference(let t): refs[schema.plural(t)?.table ?? t, default: []].append((e.table, c))
                case .date: dates.append((e.table, c))
                case .duration: durations.append((e.table, c))
                case .bool: bools.append((e.table, c))
                default: break
                }
            }
        }
        func when(_ pairs: [(String, String)]) -> String {
            let byTable = Dictionary(grouping: pairs, by: \.0)
            return "(" + byTable.keys.sorted().map { t in
                "(\(entity) = '\(t)' AND \(field) IN (" + (byTable[t] ?? []).map { "'\($0.1)'" }.joined(separator: ", ") + "))"
            }.joined(separator: " OR ") + ")"
        }
        var sql = "(CASE WHEN \(v) IS NULL THEN NULL"
        for target in refs.keys.sorted() {
            sql += " WHEN \(when(refs[target] ?? [])) THEN \(key(target, v, depth: 1))"
        }
        sql += " WHEN \(when(dates)) THEN strftime('%Y-%m-%d', \(integer(v)) * 86400, 'unixepoch')"
        sql += " WHEN \(when(durations)) THEN \(number(v)) || 'd'"
        sql += " WHEN \(when(bools)) THEN (CASE CAST(\(v) AS TEXT) WHEN '1' THEN 'true' WHEN '0' THEN 'false' ELSE CAST(\(v) AS TEXT) END)"
        return sql + " ELSE \(number(v)) END)"
    }

    /// The field column as shown: `(added)` and `(deleted)` for whole rows, a custom
    /// field by its name rather than its column (from `pmq_fields`, never pasted).
    func fieldText(_ field: String, entity: String) -> String {
        // Built-in fields stored under another column (`constraint` in constraint_type: an SQL
        // keyword) are named from the catalogue, whose names are plain words.
        let renamed = Catalog.entities.filter { !$0.onlyMilestones && !$0.isReadOnly }.flatMap { e in
            e.fields.compactMap { f in f.column.flatMap { $0 != f.name ? "WHEN \(entity) = '\(e.table)' AND \(field) = '\($0)' THEN '\(f.name)'" : nil } }
        }.joined(separator: " ")
        // A dropped field by the name its deleted row kept (its column is internal).
        let dropped = "(SELECT json_extract(d.old_value, '$.name') FROM journal_entries d WHERE d.entity = 'pmq_fields' AND d.field = '-'"
            + " AND json_extract(d.old_value, '$.entity') = \(entity) AND json_extract(d.old_value, '$.column_name') = \(field) ORDER BY d.id DESC LIMIT 1)"
        return "(CASE WHEN \(field) = '+' THEN '(added)' WHEN \(field) = '-' THEN '(deleted)' \(renamed)"
            + " ELSE coalesce((SELECT cf.name FROM pmq_fields cf WHERE cf.entity = \(entity) AND cf.column_name = \(field)), \(dropped), \(field)) END)"
    }

    /// The rows of the `journal` source: one per changed field, and one per added or
    /// deleted row (an add of consecutive rows is stored as one range and read back
    /// row by row). `day`: only change sets booked on or before it (`journal as of D`).
    func source(day: String?) -> String {
        let entries = "WITH RECURSIVE adds(id, set_id, entity, row_id, last, statement) AS ("
            + "SELECT id, set_id, entity, row_id, coalesce(new_value, row_id), statement FROM journal_entries WHERE field = '+'"
            + " UNION ALL SELECT id, set_id, entity, row_id + 1, last, statement FROM adds WHERE row_id < last)"
            + " SELECT id, set_id, entity, row_id, field, old_value, new_value, statement FROM journal_entries WHERE field != '+'"
            + " UNION ALL SELECT id, set_id, entity, row_id, '+', NULL, NULL, statement FROM adds"
        let old = "(CASE WHEN e.field IN ('+', '-') THEN NULL ELSE \(valueText(entity: "e.entity", field: "e.field", value: "e.old_value")) END)"
        let new = "(CASE WHEN e.field IN ('+', '-') THEN NULL ELSE \(valueText(entity: "e.entity", field: "e.field", value: "e.new_value")) END)"
        return "SELECT e.id AS id, e.row_id AS row_id, s.id AS set_no, s.day AS booked, s.at AS time, s.user AS user, coalesce((SELECT st.text FROM journal_statements st WHERE st.id = e.statement), s.statement) AS statement,"
            + " \(JournalSQL.entityText("e.entity")) AS entity, \(anyKey(entity: "e.entity", id: "e.row_id")) AS key, \(fieldText("e.field", entity: "e.entity")) AS field, \(old) AS old, \(new) AS new"
            + " FROM (\(entries)) e JOIN journal_sets s ON s.id = e.set_id" + (day.map { " WHERE s.day <= \($0)" } ?? "")
    }
}
