/// What the HTML status report reads besides the chart and `health` (docs/language.md,
/// “Reports”): the project's header, the lists of milestones due, overdue and critical work,
/// the risk heat map and the RACI matrix of open leaf tasks. `filter` is `1` for every project
/// or `project = ?1` (`t.project = ?1`) for one, so the other parameters follow ?1 when it is
/// there; `n` is the number of parameters before them. Dates are shown as ISO text through the
/// dialect, so both engines give the same page.
enum ReportSQL {
    /// The day the first change set was booked: where the weekly trend starts.
    static let firstChangeDay = "SELECT min(day) FROM journal_sets WHERE kind = 'change'"

    static let projectHeader = "SELECT p.code, p.name, m.name, p.client FROM projects p LEFT JOIN people m ON m.id = p.manager WHERE p.id = ?1"

    private static let owner = "(SELECT name FROM people WHERE id = t.owner)"
    private static func date(_ c: String, _ dialect: any SQLDialect) -> String {
        "CASE WHEN \(c) IS NULL THEN '' ELSE \(dialect.dateText(c)) END"
    }

    /// Open milestones finishing between ?n+1 and ?n+2.
    static func milestonesDue(filter: String, n: Int, limit: Int, _ dialect: any SQLDialect) -> String {
        """
        SELECT t.wbs, t.name, \(owner), \(date("t.finish", dialect)), t.status FROM tasks t
        WHERE \(filter) AND t.milestone = 1 AND t.status NOT IN ('done', 'cancelled')
          AND t.finish BETWEEN ?\(n + 1) AND ?\(n + 2) ORDER BY t.finish, t.id LIMIT \(limit)
        """
    }

    /// Open work finishing before ?n+1, with the days it is late and its progress.
    static func overdue(filter: String, n: Int, limit: Int, _ dialect: any SQLDialect) -> String {
        """
        SELECT t.wbs, t.name, \(owner), \(date("t.finish", dialect)), ?\(n + 1) - t.finish, coalesce(t.progress, 0) FROM tasks t
        WHERE \(filter) AND t.status IN ('todo', 'doing', 'blocked') AND t.finish < ?\(n + 1)
        ORDER BY t.finish, t.id LIMIT \(limit)
        """
    }

    /// Open tasks on the critical path of the last `schedule`.
    static func critical(filter: String, limit: Int, _ dialect: any SQLDialect) -> String {
        """
        SELECT t.wbs, t.name, \(owner), \(date("t.start", dialect)), \(date("t.finish", dialect)), coalesce(t.progress, 0) FROM tasks t
        JOIN task_schedule s ON s.id = t.id
        WHERE \(filter) AND s.critical = 1 AND t.status NOT IN ('done', 'cancelled') ORDER BY t.start, t.id LIMIT \(limit)
        """
    }

    /// Risks not closed, counted by (probability, impact).
    static func riskHeat(filter: String) -> String {
        """
        SELECT probability, impact, count(*) FROM risks
        WHERE \(filter) AND status != 'closed' AND probability IS NOT NULL AND impact IS NOT NULL GROUP BY 1, 2
        """
    }

    /// Open leaf tasks (no task names them as parent: an anti-join on a materialised set of
    /// parent codes), the common start of the RACI statements.
    private static func openLeaves(filter: String) -> String {
        """
        WITH parents AS MATERIALIZED (SELECT DISTINCT coalesce(project, 0) AS p, parent_wbs AS w FROM tasks WHERE parent_wbs IS NOT NULL),
        open AS MATERIALIZED (
          SELECT t.id, t.wbs, t.wbs_key, t.name, t.owner FROM tasks t
          LEFT JOIN parents ON parents.p = coalesce(t.project, 0) AND parents.w = t.wbs
          WHERE \(filter) AND t.status NOT IN ('done', 'cancelled') AND parents.w IS NULL)
        """
    }

    /// How many open leaf tasks have an owner or an assignment.
    static func raciTaskCount(filter: String) -> String {
        openLeaves(filter: filter)
            + " SELECT count(*) FROM open o WHERE o.owner IS NOT NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.task = o.id)"
    }

    /// The roles of the first `limit` of those tasks in WBS order, one row per (task, person,
    /// role); the owner holds R.
    static func raciCells(filter: String, limit: Int) -> String {
        openLeaves(filter: filter) + """
         , shown AS (SELECT * FROM open o WHERE o.owner IS NOT NULL OR EXISTS (SELECT 1 FROM assignments a WHERE a.task = o.id)
                     ORDER BY o.wbs_key LIMIT \(limit))
        SELECT s.wbs || '  ' || s.name, p.name, x.role, s.wbs_key FROM (
          SELECT a.task AS task, a.person AS person, a.role AS role FROM assignments a WHERE a.task IN (SELECT id FROM shown)
          UNION SELECT id, owner, 'R' FROM shown WHERE owner IS NOT NULL
        ) x JOIN shown s ON s.id = x.task JOIN people p ON p.id = x.person
        ORDER BY s.wbs_key, p.name
        """
    }
}
