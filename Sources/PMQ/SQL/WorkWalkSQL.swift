/// The walk along dependencies as `schedule` reads them (docs/language.md, “Scheduling”): a
/// link to or from a summary holds for every task below it. `downstream of` / `upstream of`
/// and the cycle check of `add dependency` use it.
///
/// The walk is one recursive CTE over states (kind, task id), so it stays one statement and
/// each state is visited once (UNION), however the links meet:
///
/// - 0 *start*: the task walked from (and, for `startBranch`, each task below it);
/// - 1 *in*: a task a link reaches, and each task below it (its whole branch is reached);
/// - 2 *out* from the start, 3 *out* from reached work: the links out of a task and out of
///   every task above it leave from it (a summary's link leaves from its branch).
///
/// Steps, from the table `steps` (kind, step, next kind): 0 down to each child (start and in
/// stay what they are), 1 the same task goes out, 2 up to the parent (still out), 3 along a
/// link (into the task at its other end). Tasks in state 1 are the ones reached. Without
/// links to or from summaries this is plain reachability along the links.
enum WorkWalkSQL {
    /// `name`(k, id): the states reachable from `start` (an SQL expression: a bound task id
    /// or a column of an outer row). `from`/`to`: the link's columns walked from and to
    /// (`pred`, `succ` downstream). `tasks` and `links` are what to read for the two tables
    /// (the tables, or the tables as of a day); each is given once a use.
    /// `withSteps`: each state also names the state it was reached from (`pk`, `pid`; -1 for
    /// the start), so a path can be told; a state then comes once for each way into it.
    /// `startBranch`: the start's whole branch is walked from (the tasks below it too), as
    /// a new link from or to it holds for them all (the cycle check).
    static func walk(name: String, start: String, from: String, to: String, withSteps: Bool = false, startBranch: Bool = false,
                     tasks: () -> String, links: () -> String) -> String {
        let steps = name + "s"
        let columns = withSteps ? "k, id, pk, pid" : "k, id"
        let first = withSteps ? ", -1, CAST(-1 AS BIGINT)" : ""
        let previous = withSteps ? ", \(name).k, \(name).id" : ""
        return """
            \(steps)(k, op, nk) AS (VALUES \(startBranch ? "(0, 0, 0), " : "")(1, 0, 1), (0, 1, 2), (1, 1, 3), (2, 2, 2), (3, 2, 3), (2, 3, 1), (3, 3, 1)), \
            \(name)(\(columns)) AS (SELECT 0, CAST(\(start) AS BIGINT)\(first) UNION \
            SELECT \(steps).nk, CASE \(steps).op WHEN 0 THEN wc.id WHEN 1 THEN \(name).id WHEN 2 THEN wp.id ELSE wl.\(to) END\(previous) \
            FROM \(name) JOIN \(steps) ON \(steps).k = \(name).k \
            LEFT JOIN \(tasks()) wm ON \(steps).op IN (0, 2) AND wm.id = \(name).id \
            LEFT JOIN \(tasks()) wc ON \(steps).op = 0 AND wc.project IS wm.project AND wc.parent_wbs = wm.wbs \
            LEFT JOIN \(tasks()) wp ON \(steps).op = 2 AND wp.project IS wm.project AND wp.wbs = wm.parent_wbs \
            LEFT JOIN \(links()) wl ON \(steps).op = 3 AND wl.\(from) = \(name).id \
            WHERE \(steps).op = 1 OR wc.id IS NOT NULL OR wp.id IS NOT NULL OR wl.\(to) IS NOT NULL)
            """
    }

    /// The ids of the tasks reachable from `start` (itself left out), as a query.
    static func reached(name: String, start: String, downstream: Bool, tasks: () -> String, links: () -> String) -> String {
        let (from, to) = downstream ? ("pred", "succ") : ("succ", "pred")
        return "WITH RECURSIVE " + walk(name: name, start: start, from: from, to: to, tasks: tasks, links: links)
            + " SELECT id FROM \(name) WHERE k = 1"
    }
}
