import CSQLite
import Foundation
import PMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - r1–r4. report expressions (issue 12)

/// The benchmark database of `--tasks N` plus what the report benchmarks need besides tasks:
/// 1M assignments over 20 people, and a dependency DAG in which the first task reaches
/// 100,000 others through 250,000 links. Made once, next to the tasks database.
func ensureReportDatabase(_ o: Options) throws -> String {
    let base = try ensureDatabase(o)
    let path = base.replacingOccurrences(of: ".db", with: "-reports.db")
    if !o.regenerate && fileExists(path) { return path }
    removeDatabase(path)
    note("generating \(path)")
    let t = try measure {
        try FileManager.default.copyItem(atPath: base, toPath: path)
        let c = try RawConnection(path: path)
        try c.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; BEGIN")
        let taskCount = Int(try c.rows("SELECT max(id) FROM tasks")[0][0] ?? "0") ?? 0
        let people = try c.rows("SELECT id FROM people WHERE kind = 'person' ORDER BY id LIMIT 20").compactMap { $0[0].flatMap { Int($0) } }
        var rng = SeededRandom(seed: o.seed &+ 12)
        let roles = ["A", "C", "I", "R"]
        let ins = try c.prepare("INSERT INTO assignments (task, person, role, units) VALUES (?1, ?2, ?3, ?4)")
        for _ in 0..<1_000_000 {
            sqlite3_bind_int64(ins, 1, Int64(rng.int(1, taskCount)))
            sqlite3_bind_int64(ins, 2, Int64(people[rng.int(0, people.count - 1)]))
            sqlite3_bind_text(ins, 3, roles[rng.int(0, 3)], -1, TRANSIENT)
            sqlite3_bind_int64(ins, 4, Int64(rng.int(1, 4) * 25))
            guard sqlite3_step(ins) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(c.db))) }
            sqlite3_reset(ins)
        }
        sqlite3_finalize(ins)
        // Task 1 reaches tasks 2...100,001: each gets one link from an earlier one (so all are
        // reachable), then 150,000 more forward links (so it stays acyclic).
        let nodes = min(100_001, taskCount)
        var links = Set<Int64>()
        func add(_ p: Int, _ s: Int) -> Bool { links.insert(Int64(p) << 32 | Int64(s)).inserted }
        for s in 2...nodes { _ = add(rng.int(max(1, s - 50), s - 1), s) }
        while links.count < 250_000 {
            let s = rng.int(3, nodes)
            _ = add(rng.int(1, s - 1), s)
        }
        let dep = try c.prepare("INSERT INTO dependencies (pred, succ, type, lag) VALUES (?1, ?2, 'FS', 0)")
        for l in links.sorted() {
            sqlite3_bind_int64(dep, 1, l >> 32)
            sqlite3_bind_int64(dep, 2, l & 0xFFFF_FFFF)
            guard sqlite3_step(dep) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(c.db))) }
            sqlite3_reset(dep)
        }
        sqlite3_finalize(dep)
        try c.exec("COMMIT; ANALYZE; PRAGMA journal_mode = WAL")
    }
    note("   generated in \(fmt(t))")
    return path
}

/// CPU time of this process so far (user + system), in seconds.
func cpuTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}


struct ReportCase {
    var id: String
    var label: String
    var pmq: String
    var handSQL: String
    var handArgs: [BenchArg]
    /// The target: a ratio to the hand-written SQL, or an absolute time for PMQ.
    var maxRatio: Double?
    var maxTime: Double?
}

func benchReports(_ o: Options) throws -> [Figure] {
    let path = try ensureReportDatabase(o)
    let session = try Session(path: path, today: benchToday)
    let raw = try RawConnection(path: path)
    let today = benchToday.number
    let root = try raw.rows("SELECT wbs FROM tasks WHERE id = 1")[0][0] ?? "1"
    let summaries = try raw.rows("SELECT count(*) FROM tasks WHERE length(wbs) - length(replace(wbs, '.', '')) = 1")[0][0] ?? "?"
    let people = try raw.rows("SELECT id FROM people WHERE id IN (SELECT DISTINCT person FROM assignments) ORDER BY name, id").compactMap { $0[0] }
    let pivotHand = "SELECT a.role, " + people.map { "sum(CASE WHEN a.person = \($0) THEN a.units END)" }.joined(separator: ", ")
        + " FROM assignments a GROUP BY a.role ORDER BY a.role"
    note("machine: \(machineDescription())")
    note("r1–r4 on \(path): \(summaries) level-2 summaries, \(people.count) people with assignments, downstream of task \(root)")
    let cases = [
        ReportCase(id: "r1", label: "correlated count per summary (10,000 of the \(summaries) work packages)",
                   pmq: "tasks as t where level = 2 select wbs, (count tasks where wbs under t.wbs and overdue) as n limit 10000",
                   handSQL: """
                   SELECT t.wbs, (SELECT count(*) FROM tasks c WHERE (c.wbs = t.wbs OR (c.wbs > t.wbs || '.' AND c.wbs < t.wbs || '/')) \
                   AND c.status IN ('todo', 'doing', 'blocked') AND c.finish < ?1) FROM tasks t \
                   WHERE length(t.wbs) - length(replace(t.wbs, '.', '')) = 1 ORDER BY t.id LIMIT 10000
                   """,
                   handArgs: [.int(today)], maxRatio: 1.5, maxTime: nil),
        ReportCase(id: "r2", label: "`count downstream of \(root)` (100,000 descendants, 250,000 links)",
                   pmq: "count downstream of \(root)",
                   handSQL: """
                   WITH RECURSIVE r(id) AS (SELECT succ FROM dependencies WHERE pred = 1 \
                   UNION SELECT d.succ FROM dependencies d JOIN r ON d.pred = r.id) SELECT count(*) FROM r WHERE id != 1
                   """,
                   handArgs: [], maxRatio: nil, maxTime: 0.200),
        ReportCase(id: "r3", label: "pivot of 1M assignments by \(people.count) people (`group by role pivot sum(units) by person`)",
                   pmq: "assignments group by role pivot sum(units) by person",
                   handSQL: pivotHand, handArgs: [], maxRatio: 1.3, maxTime: nil),
        ReportCase(id: "r4", label: "`~` on 1M names (`count tasks where name ~ \"review\"`) vs LIKE",
                   pmq: "count tasks where name ~ \"review\"",
                   handSQL: "SELECT count(*) FROM tasks WHERE name LIKE '%review%'",
                   handArgs: [], maxRatio: 1.5, maxTime: nil),
    ]
    var figures: [Figure] = []
    for c in cases {
        note("\(c.id). \(c.pmq)")
        let (results, diags) = session.run(c.pmq)
        if !diags.isEmpty { throw BenchError("PMQ failed: \(diags.map { $0.message })") }
        let pmqSummary = summary(results)
        let hand = try raw.runAll(c.handSQL, c.handArgs)
        let pmqCount = pmqSummary.value.map { Int($0) } ?? pmqSummary.rows
        let handCount = pmqSummary.value != nil ? Int(hand.first) : hand.rows
        let agree = pmqCount == handCount
        note("   result: PMQ \(pmqCount), hand SQL \(handCount)" + (agree ? " (agree)" : "  ** MISMATCH **"))
        if case .success(let stmt) = session.compileQuery(c.pmq) { note("   PMQ SQL: \(stmt.sql.prefix(400))") }
        var wall: [Double] = [], cpu: [Double] = [], handWall: [Double] = [], handCPU: [Double] = []
        for _ in 0..<o.runs {
            // Interleaved, so drift in the machine's state hits both sides alike.
            var c0 = cpuTime()
            wall.append(measure { blackHole(session.run(c.pmq)) })
            cpu.append(cpuTime() - c0)
            c0 = cpuTime()
            handWall.append(try measure { blackHole(try raw.runAll(c.handSQL, c.handArgs)) })
            handCPU.append(cpuTime() - c0)
        }
        let p = Stats(wall), h = Stats(handWall), pc = Stats(cpu), hc = Stats(handCPU)
        let ratio = p.median / h.median
        let cpuRatio = pc.median / hc.median
        note("   median of \(o.runs): PMQ wall \(fmt(p.median)) cpu \(fmt(pc.median)); hand SQL wall \(fmt(h.median)) cpu \(fmt(hc.median)); "
             + String(format: "wall %.2f×, cpu %.2f×; load %@", ratio, cpuRatio, loadAverage()))
        let pass: Bool
        let target: String
        if let m = c.maxRatio { pass = agree && ratio <= m; target = String(format: "≤ %.1f×", m) }
        else { pass = agree && p.median <= (c.maxTime ?? 0); target = "≤ \(fmt(c.maxTime ?? 0))" }
        figures.append(Figure(id: c.id, measure: c.label + " (median of \(o.runs); CPU \(fmt(pc.median)) vs \(fmt(hc.median)))",
                              pmq: fmt(p.median), baseline: fmt(h.median), ratio: String(format: "%.2f×", ratio),
                              target: target, pass: pass))
    }
    return figures
}
