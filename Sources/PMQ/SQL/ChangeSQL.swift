/// The statements `update`, `assign`, `unassign`, `shift` and `delete` run, as values.
///
/// The change executor decides what to do; this file holds how it is said in SQL. Rows to
/// change are computed into the scratch table `temp.pmq_rows` (c0 = id, then an old and a
/// new column per field), rows to delete into `temp.pmq_doomed`. Table and column names
/// come from the schema; values are bound (`?N`), never pasted. Column numbers (`c3`) are
/// the scratch plan's own.
enum ChangeSQL {
    // MARK: The scratch rows of an update

    /// The ids of at most six scratch rows that meet `condition`: the rows a message names.
    static func scratchIDs(where condition: String) -> String {
        "SELECT c0 FROM temp.pmq_rows WHERE \(condition) LIMIT 6"
    }

    static let allScratchIDs = "SELECT c0 FROM temp.pmq_rows"
    static let allScratchIDsInOrder = "SELECT c0 FROM temp.pmq_rows ORDER BY c0"

    /// A value the plan derives over the scratch rows (`c5 = CASE ... END`).
    static func deriveInScratch(_ assignments: String) -> String {
        "UPDATE temp.pmq_rows SET " + assignments
    }

    /// Scratch rows whose new value breaks a rule: null, out of range, outside the enum.
    static func isNull(_ column: Int) -> String { "c\(column) IS NULL" }
    static func outside(_ column: Int, low: String, high: String) -> String { "c\(column) < \(low) OR c\(column) > \(high)" }
    static func notAmong(_ column: Int, _ values: String) -> String { "c\(column) NOT IN (\(values))" }
    static func finishBeforeStart(finish: Int, start: Int) -> String { "c\(finish) < c\(start)" }
    static func isSummary(_ column: Int) -> String { "c\(column)" }
    static func isOwnRow(_ column: Int) -> String { "c\(column) = c0" }
    /// A summary given a constraint other than snet, fnlt or asap.
    static func summaryConstraint(summary: Int, kind: Int) -> String { "c\(summary) AND c\(kind) IN ('mso', 'mfo', 'fnet', 'snlt')" }
    static func summaryMadeMilestone(summary: Int, milestone: Int) -> String { "c\(summary) AND c\(milestone)" }

    /// A reference set row by row from a key the row computes (`set owner = notes`): the new
    /// column gets the id of the row of `table` whose `key` is the text in column `keyColumn`.
    /// Tasks are named by WBS code in project ?1 when `inProject`, else by a code only one
    /// task has.
    static func idOfKey(into column: Int, table: String, key: String, keyColumn: Int, inProject: Bool) -> String {
        if table == "tasks" && !inProject {
            return "c\(column) = (SELECT CASE WHEN count(*) = 1 THEN min(x.id) END FROM tasks x WHERE x.\(key) = c\(keyColumn))"
        }
        let project = table == "tasks" ? " AND x.project = ?1" : ""
        return "c\(column) = (SELECT min(x.id) FROM \(table) x WHERE x.\(key) = c\(keyColumn)\(project))"
    }

    /// The first key the rows computed that names no row (`idOfKey` left the id null).
    static func firstUnknownKey(keyColumn: Int, idColumn: Int) -> String {
        "SELECT c\(keyColumn) FROM temp.pmq_rows WHERE c\(keyColumn) IS NOT NULL AND c\(idColumn) IS NULL ORDER BY c0 LIMIT 1"
    }

    // MARK: Values the task rules derive (docs/language.md, “Mid-project truth”)

    /// The n-th (?1) working day from the start, in the owner's days when there is an owner.
    static func workdayFinish(_ new: Int, start: Int, owner: Int?) -> String {
        "c\(new) = pmq_workday_finish(c\(start), ?1" + (owner.map { ", c\($0))" } ?? ")")
    }

    /// `done` means progress 100.
    static func progressWhenDone(_ new: Int, status: Int) -> String {
        "c\(new) = CASE WHEN c\(status) = 'done' THEN 100 ELSE c\(new) END"
    }

    /// `done` fills a missing actual finish with today (?1).
    static func actualFinishWhenDone(old: Int, new: Int, status: Int) -> String {
        "c\(new) = CASE WHEN c\(status) = 'done' AND c\(old) IS NULL THEN ?1 ELSE c\(new) END"
    }

    /// `doing` or `done` fills a missing actual start with the earlier of start and today (?1).
    static func actualStartWhenStarted(old: Int, new: Int, status: Int, start: Int) -> String {
        """
        c\(new) = CASE WHEN c\(status) IN ('doing', 'done') AND c\(old) IS NULL
        THEN min(coalesce(c\(start), ?1), ?1) ELSE c\(new) END
        """
    }

    /// `shift` pins a task that has not started (and is no summary) at its new start with snet.
    static func pinUnstarted(kind: Int, date: Int, start: Int, actualStart: Int, status: Int, summary: Int?) -> String {
        let notSummary = summary.map { "NOT c\($0) AND " } ?? ""
        let notStarted = "\(notSummary)c\(actualStart) IS NULL AND c\(status) IN ('todo', 'blocked') AND c\(start) IS NOT NULL"
        return "c\(kind) = CASE WHEN \(notStarted) THEN 'snet' ELSE c\(kind) END, "
            + "c\(date) = CASE WHEN \(notStarted) THEN c\(start) ELSE c\(date) END"
    }

    /// A constraint other than asap set without a date takes the task's start.
    static func constraintDateFromStart(date: Int, kind: Int, start: Int) -> String {
        "c\(date) = CASE WHEN c\(kind) != 'asap' AND c\(date) IS NULL THEN c\(start) ELSE c\(date) END"
    }

    /// A summary keeps its rolled-up field: the roll-up after the statement sets it.
    static func keepOnSummary(old: Int, new: Int, summary: Int) -> String {
        "c\(new) = CASE WHEN c\(summary) THEN c\(old) ELSE c\(new) END"
    }

    /// A milestone is one day: the date not set follows the one set.
    static func milestoneFollows(_ column: Int, set: Int, milestone: Int) -> String {
        "c\(column) = CASE WHEN c\(milestone) THEN c\(set) ELSE c\(column) END"
    }

    /// A task made a milestone finishes on its start day (a task without a start keeps its finish).
    static func milestoneOnStart(finish: Int, start: Int, milestone: Int) -> String {
        "c\(finish) = CASE WHEN c\(milestone) AND c\(start) IS NOT NULL THEN c\(start) ELSE c\(finish) END"
    }

    /// A cost's amount follows a new qty or rate when it was derived from the old ones (or null).
    static func amountFollows(amount: Int, old: Int, oldQty: Int, oldRate: Int, newQty: Int, newRate: Int) -> String {
        "c\(amount) = CASE WHEN c\(old) IS NULL OR abs(c\(old) - c\(oldQty) * c\(oldRate)) < 0.000001"
            + " THEN c\(newQty) * c\(newRate) ELSE c\(amount) END"
    }

    // MARK: Journal, then apply from it

    /// One entry per row whose field changes, old and new value from the scratch row. ?1 = set.
    static func journalAssignment(table: String, column: String, old: Int, new: Int) -> String {
        """
        INSERT INTO journal_entries (set_id, entity, row_id, field, old_value, new_value)
        SELECT ?1, '\(table)', c0, '\(column)', c\(old), c\(new) FROM temp.pmq_rows WHERE c\(old) IS NOT c\(new)
        """
    }

    /// The journal entries written since mark ?1 applied to the table: the journal is the
    /// one record of what changes, so the table cannot drift from it.
    static func applyJournal(table: String, column: String) -> String {
        """
        UPDATE \(table) SET \(column) = j.new_value FROM journal_entries j
        WHERE j.id > ?1 AND j.field = '\(column)' AND j.row_id = \(table).id
        """
    }

    /// How many entries (rows, for `rowsChangedSince`) since mark ?1, and the last entry's id.
    static let entriesSince = "SELECT count(*), max(id) FROM journal_entries WHERE id > ?1"
    static let rowsChangedSince = "SELECT count(DISTINCT row_id), max(id) FROM journal_entries WHERE id > ?1"

    /// Summaries among the scratch rows that no entry since ?1 changed: they follow their children.
    static func summariesLeft(flag: Int) -> String {
        "SELECT count(*) FROM temp.pmq_rows WHERE c\(flag) AND c0 NOT IN (SELECT row_id FROM journal_entries WHERE id > ?1)"
    }

    // MARK: assign / unassign

    static let lastAssignment = "SELECT coalesce(max(id), 0) FROM assignments"

    /// Assignments of person ?(n+1) in role ?(n+2) to the tasks `ids` selects, once each.
    static func insertAssignments(ids: String, after n: Int) -> String {
        """
        INSERT INTO assignments (task, person, role)
        SELECT x.id, ?\(n + 1), ?\(n + 2) FROM (\(ids)) x
        WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task = x.id AND a.person = ?\(n + 1) AND a.role = ?\(n + 2))
        """
    }

    static let assignmentsAfter = "SELECT count(*) FROM assignments WHERE id > ?1"
    /// ?1 = set, ?2 = the last assignment id before the statement.
    static let journalAddedAssignments =
        "INSERT INTO journal_entries (set_id, entity, row_id, field) SELECT ?1, 'assignments', id, '+' FROM assignments WHERE id > ?2"

    /// The assignments of person ?(n+1) (in role ?(n+2) when one is given) to the tasks `ids` selects.
    static func assignmentsOf(ids: String, after n: Int, withRole: Bool) -> String {
        "task IN (\(ids)) AND person = ?\(n + 1)" + (withRole ? " AND role = ?\(n + 2)" : "")
    }

    static func deleteAssignments(where condition: String) -> String { "DELETE FROM assignments WHERE " + condition }

    /// How many of the tasks `ids` selects person ?(n+1) is taken from: as owner when
    /// `owner` (role R or none), or by an assignment (in role ?(n+2) when one is given).
    static func tasksUnassigned(ids: String, after n: Int, owner: Bool, assignments: Bool, withRole: Bool) -> String {
        var held: [String] = []
        if owner { held.append("x.owner = ?\(n + 1)") }
        if assignments {
            held.append("EXISTS (SELECT 1 FROM assignments a WHERE a.task = x.id AND a.person = ?\(n + 1)"
                        + (withRole ? " AND a.role = ?\(n + 2))" : ")"))
        }
        return "SELECT count(*) FROM tasks x WHERE x.id IN (\(ids)) AND (\(held.joined(separator: " OR ")))"
    }

    // MARK: delete

    static let makeDoomed = "CREATE TEMP TABLE IF NOT EXISTS pmq_doomed (id INTEGER PRIMARY KEY)"
    static let clearDoomed = "DELETE FROM temp.pmq_doomed"
    static func fillDoomed(_ ids: String) -> String { "INSERT INTO temp.pmq_doomed (id) " + ids }
    static let doomedIDs = "SELECT id FROM temp.pmq_doomed"
    static let countDoomed = "SELECT count(*) FROM temp.pmq_doomed"

    /// Doomed summaries that would leave a child behind.
    static let summariesLeavingChildren = """
        SELECT p.id FROM temp.pmq_doomed d JOIN tasks p ON p.id = d.id
        WHERE EXISTS (SELECT 1 FROM tasks c WHERE c.project IS p.project AND c.parent_wbs = p.wbs AND c.id NOT IN (\(doomedIDs))) LIMIT 6
        """

    /// Doomed tasks some task that stays still depends on, and those tasks.
    static let blockingPredecessors =
        "SELECT DISTINCT pred FROM dependencies WHERE pred IN (\(doomedIDs)) AND succ NOT IN (\(doomedIDs)) LIMIT 6"
    static let waitingSuccessors =
        "SELECT DISTINCT succ FROM dependencies WHERE pred IN (\(doomedIDs)) AND succ NOT IN (\(doomedIDs)) LIMIT 6"

    /// Rows of `table` whose `column` names a doomed row (not counting doomed rows of the same table).
    static func referencesToDoomed(_ column: String, sameTable: Bool) -> String {
        "\(column) IN (\(doomedIDs))" + (sameTable ? " AND id NOT IN (\(doomedIDs))" : "")
    }

    static func holders(table: String, where condition: String) -> String { "SELECT id FROM \(table) WHERE \(condition)" }
    static func firstHolder(table: String, where condition: String) -> String { holders(table: table, where: condition) + " LIMIT 1" }
    static func someHolders(table: String, where condition: String) -> String { holders(table: table, where: condition) + " LIMIT 6" }
    /// The WBS code and role of assignments `condition` picks (over `assignments`), in task order.
    static func assignmentsNamed(where condition: String) -> String {
        "SELECT t.wbs, assignments.role FROM assignments JOIN tasks t ON t.id = assignments.task WHERE \(condition) ORDER BY t.wbs_key, assignments.role LIMIT 6"
    }
    static func referencedDoomed(table: String, column: String, where condition: String) -> String {
        "SELECT DISTINCT \(column) FROM \(table) WHERE \(condition) LIMIT 6"
    }

    static func deleteRows(table: String, where condition: String) -> String { "DELETE FROM \(table) WHERE \(condition)" }
    static func clearColumn(table: String, column: String, where condition: String) -> String {
        "UPDATE \(table) SET \(column) = NULL WHERE \(condition)"
    }
    static let doomedRows = "id IN (\(doomedIDs))"
}

extension ChangeSQL {
    /// A title an `update` gives (new value in column `new`, old in `old`) that another row of
    /// `table` already has (then 1 besides it) or that two updated rows would share (0): the first, by row id (the
    /// title keys of risks, defects and changes: UniqueTitles). Rows whose title stays as it
    /// was are not asked about.
    static func firstTakenTitle(table: String, key: String, new: Int, old: Int) -> String {
        """
        SELECT r.c\(new), CASE WHEN EXISTS (SELECT 1 FROM \(table) x WHERE x.\(key) = r.c\(new) AND x.id NOT IN (SELECT c0 FROM temp.pmq_rows)) THEN 1 ELSE 0 END
        FROM temp.pmq_rows r WHERE r.c\(new) IS NOT NULL AND r.c\(new) IS NOT r.c\(old)
          AND (EXISTS (SELECT 1 FROM \(table) x WHERE x.\(key) = r.c\(new) AND x.id NOT IN (SELECT c0 FROM temp.pmq_rows))
               OR EXISTS (SELECT 1 FROM temp.pmq_rows y WHERE y.c\(new) = r.c\(new) AND y.c0 <> r.c0))
        ORDER BY r.c0 LIMIT 1
        """
    }
}
