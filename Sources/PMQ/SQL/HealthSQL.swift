/// What `health` reads (docs/language.md, “Health”): the leaf tasks' plan and progress, the
/// budget, the cost ledger and the week's warning signs. Each table name is the model's own
/// table or, for `health as of D`, the table of that day's model (Session.materializeAsOf);
/// `filter` is `1` for every project or `project = ?1` for one, so ?1 is the project when
/// there is one and the statement's other parameters follow it.
enum HealthSQL {
    /// Leaf tasks with a cost or a baseline cost: planned start and finish (the baseline's when it has both
    /// dates), cost, progress, planned cost (the baseline cost when set) and owner.
    static func leafPlan(tasks: String, filter: String) -> String {
        """
        SELECT CASE WHEN baseline_start IS NOT NULL AND baseline_finish IS NOT NULL THEN baseline_start ELSE start END,
               CASE WHEN baseline_start IS NOT NULL AND baseline_finish IS NOT NULL THEN baseline_finish ELSE finish END,
               cost, progress, coalesce(baseline_cost, cost), owner
        FROM \(tasks) t WHERE \(filter) AND (cost IS NOT NULL OR baseline_cost IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM \(tasks) c WHERE c.project IS t.project AND c.parent_wbs = t.wbs)
        """
    }

    /// The budget of project ?1.
    static func budget(projects: String) -> String { "SELECT budget FROM \(projects) WHERE id = ?1" }

    /// Actual cost up to the day ?N (N = `day`): the ledger without receipts.
    static func actualCost(costs: String, filter: String, day: Int) -> String {
        "SELECT total(amount) FROM \(costs) WHERE \(filter) AND kind != 'receipt' AND (date IS NULL OR date <= ?\(day))"
    }

    /// Open work finishing before the day ?N.
    static func overdue(tasks: String, filter: String, day: Int) -> String {
        "SELECT count(*) FROM \(tasks) WHERE \(filter) AND finish < ?\(day) AND status IN ('todo', 'doing', 'blocked')"
    }

    /// Milestones not done or cancelled falling between the days ?N and ?N+1.
    static func milestonesDue(tasks: String, filter: String, from day: Int) -> String {
        """
        SELECT count(*) FROM \(tasks) WHERE \(filter) AND milestone = 1 AND status NOT IN ('done', 'cancelled')
        AND finish BETWEEN ?\(day) AND ?\(day + 1)
        """
    }

    /// Risks not closed with a score (probability × impact) of 12 or more.
    static func seriousRisks(risks: String, filter: String) -> String {
        "SELECT count(*) FROM \(risks) WHERE \(filter) AND status != 'closed' AND probability * impact >= 12"
    }

    /// Open high and critical defects, of the project's tasks when `oneProject`.
    static func seriousDefects(defects: String, tasks: String, oneProject: Bool) -> String {
        """
        SELECT count(*) FROM \(defects) d LEFT JOIN \(tasks) t ON t.id = d.task
        WHERE \(oneProject ? "t.project = ?1" : "1") AND d.status = 'open' AND d.severity IN ('high', 'critical')
        """
    }
}
