import CSQLite
import Foundation
import PMQ

/// One line of the summary table.
struct Figure {
    var id: String
    var measure: String
    var pmq: String
    var baseline: String
    var ratio: String
    var target: String
    var pass: Bool?
}

func note(_ s: String) {
    fputs(s + "\n", stderr)
}

// MARK: - a. parse + check + compile

let compileQueryText = #"tasks where owner = "DBA" and late > 3d"#

func benchCompile(iterations: Int) throws -> [Figure] {
    let session = try Session(path: nil, today: benchToday)
    guard case .success(let stmt) = session.compileQuery(compileQueryText) else { throw BenchError("query does not compile") }
    note("a. compileQuery(\(compileQueryText)) → \(stmt.sql)")
    for _ in 0..<max(100, iterations / 20) { blackHole(session.compileQuery(compileQueryText)) }   // warm-up
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let t0 = clock.now
        let r = session.compileQuery(compileQueryText)
        let t1 = clock.now
        blackHole(r)
        samples.append((t1 - t0).seconds)
    }
    let s = Stats(samples)
    note("   \(iterations) iterations: median \(fmt(s.median)), p90 \(fmt(s.p90)), min \(fmt(s.min)), max \(fmt(s.max))")
    return [
        Figure(id: "a", measure: "parse+check+compile `\(compileQueryText)` (median of \(iterations); p90 \(fmt(s.p90)))",
               pmq: fmt(s.median), baseline: "–", ratio: "–", target: "≤ 20 µs", pass: s.median <= 20e-6),
    ]
}

// MARK: - b. queries: PMQ against hand-written SQL

struct QueryCase {
    var label: String
    var pmq: String
    var handSQL: String
    var handArgs: [BenchArg]
}

func queryCases() -> [QueryCase] {
    let today = benchToday.number
    return [
        QueryCase(
            label: "selective", pmq: #"tasks where owner = "DBA" and late > 3d"#,
            handSQL: """
            SELECT t.wbs, t.name, p.name, t.status, t.start, t.finish, t.progress \
            FROM people p JOIN tasks t ON t.owner = p.id \
            WHERE p.name = ?1 AND ((t.status IN ('todo', 'doing', 'blocked') AND t.finish < ?2) \
            OR (t.status = 'done' AND t.actual_finish - t.finish > ?3)) ORDER BY t.id
            """,
            handArgs: [.text("DBA"), .int(today - 3), .int(3)]),
        QueryCase(
            label: "full scan", pmq: "count tasks where late > 3d and progress < 50",
            handSQL: """
            SELECT count(*) FROM tasks WHERE progress < ?3 AND \
            CASE status WHEN 'done' THEN actual_finish - finish > ?2 WHEN 'cancelled' THEN 0 ELSE finish < ?1 END
            """,
            handArgs: [.int(today - 3), .int(3), .int(50)]),
        QueryCase(
            label: "group by", pmq: "tasks where status != done group by owner select owner, count(), sum(cost)",
            handSQL: """
            SELECT p.name, g.n, g.s FROM (SELECT owner, count(*) AS n, sum(cost) AS s FROM tasks NOT INDEXED \
            WHERE status <> ?1 GROUP BY owner) g LEFT JOIN people p ON p.id = g.owner ORDER BY p.name
            """,
            handArgs: [.text("done")]),
    ]
}

func benchArgs(_ values: [Value]) -> [BenchArg] {
    values.map { v in
        switch v {
        case .null: return .null
        case .integer(let i): return .int(Int(i))
        case .decimal(let d): return .real(d)
        case .text(let s), .reference(let s): return .text(s)
        case .date(let d): return .int(d.number)
        case .duration(let d): return d == d.rounded() ? .int(Int(d)) : .real(d)
        case .bool(let b): return .int(b ? 1 : 0)
        case .list(let xs): return .text("[" + xs.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        }
    }
}

/// What PMQ's result amounts to: its row count, or the value of a bare count.
func summary(_ results: [StatementResult]) -> (rows: Int, value: Double?) {
    guard let r = results.last else { return (0, nil) }
    switch r {
    case .rows(_, let rows, _): return (rows.count, nil)
    case .scalar(let v, _):
        switch v {
        case .integer(let i): return (1, Double(i))
        case .decimal(let d): return (1, d)
        default: return (1, nil)
        }
    default: return (0, nil)
    }
}

func benchQueries(dbPath: String, runs: Int, tasks: Int) throws -> [Figure] {
    let session = try Session(path: dbPath, today: benchToday)
    let raw = try RawConnection(path: dbPath)
    var figures: [Figure] = []
    for (n, c) in queryCases().enumerated() {
        guard case .success(let stmt) = session.compileQuery(c.pmq) else { throw BenchError("does not compile: \(c.pmq)") }
        let pmqArgs = benchArgs(stmt.args)
        note("b\(n + 1). \(c.pmq)")
        note("   PMQ SQL:  \(stmt.sql)")
        note("   args:     \(stmt.args.map { "\($0)" }.joined(separator: ", "))")
        note("   PMQ plan: " + (try plan(raw, stmt.sql, pmqArgs)))
        note("   hand SQL: \(c.handSQL)")
        note("   hand plan: " + (try plan(raw, c.handSQL, c.handArgs)))

        // Warm the OS cache and check that both sides agree.
        let (results, diags) = session.run(c.pmq)
        if !diags.isEmpty { throw BenchError("PMQ failed: \(diags.map { $0.message })") }
        let pmqSummary = summary(results)
        let hand = try raw.runAll(c.handSQL, c.handArgs)
        let pmqRaw = try raw.runAll(stmt.sql, pmqArgs)
        let handCount = pmqSummary.value != nil ? Int(hand.first) : hand.rows
        let pmqCount = pmqSummary.value.map { Int($0) } ?? pmqSummary.rows
        let agree = handCount == pmqCount && pmqRaw.rows == hand.rows
        note("   result: PMQ \(pmqSummary.value != nil ? "count" : "rows") \(pmqCount), hand SQL \(handCount)" + (agree ? " (agree)" : "  ** MISMATCH **"))

        var tPMQ: [Double] = [], tPMQSQL: [Double] = [], tHand: [Double] = []
        for _ in 0..<runs {
            // Interleaved, so drift in the machine's state hits all three alike.
            tPMQ.append(measure { blackHole(session.run(c.pmq)) })
            tPMQSQL.append(try measure { blackHole(try raw.runAll(stmt.sql, pmqArgs)) })
            tHand.append(try measure { blackHole(try raw.runAll(c.handSQL, c.handArgs)) })
        }
        let p = Stats(tPMQ), ps = Stats(tPMQSQL), h = Stats(tHand)
        let ratio = p.median / h.median
        note("   median of \(runs): PMQ run() \(fmt(p.median)), PMQ's SQL via C API \(fmt(ps.median)), hand SQL \(fmt(h.median)) → \(String(format: "%.2f×", ratio))")
        figures.append(Figure(
            id: "b\(n + 1)", measure: "\(c.label), \(tasks.formatted()) tasks: `\(c.pmq)` (\(pmqCount) \(pmqSummary.value != nil ? "counted" : "rows"); PMQ's SQL alone \(fmt(ps.median)))",
            pmq: fmt(p.median), baseline: fmt(h.median), ratio: String(format: "%.2f×", ratio), target: "≤ 1.2×",
            pass: agree && ratio <= 1.2))
    }
    return figures
}

func plan(_ c: RawConnection, _ sql: String, _ args: [BenchArg]) throws -> String {
    let s = try c.prepare("EXPLAIN QUERY PLAN " + sql)
    defer { sqlite3_finalize(s) }
    c.bindAll(s, args)
    var out: [String] = []
    while sqlite3_step(s) == SQLITE_ROW {
        if let p = sqlite3_column_text(s, 3) { out.append(String(cString: p)) }
    }
    return out.joined(separator: "; ")
}

// MARK: - c. loading a script

func benchLoad(model: ProjectModel, workdir: String, pmq: String, runs: Int, useHyperfine: Bool, regenerate: Bool, pmqBefore: String? = nil) throws -> [Figure] {
    let base = "\(workdir)/tasks-\(model.tasks)-seed\(model.seed)-\(try cacheTag())"
    let script = base + ".pmq", sql = base + ".sql", late = base + "-indexes-after.sql"
    if regenerate || !fileExists(script) || !fileExists(sql) || !fileExists(late) {
        removeStale(like: script)
        removeStale(like: sql)
        removeStale(like: late)
        note("c. writing \(script), \(sql) and \(late)")
        let t = try measure { try writeScripts(model: model, pmqOut: script, sqlOut: sql, sqlIndexesAfterOut: late) }
        note("   written in \(fmt(t))")
    }
    guard let sqlite3 = which("sqlite3") else { throw BenchError("sqlite3 not found: apt-get install -y sqlite3") }
    let a = "\(workdir)/load-pmq.db", b = "\(workdir)/load-sqlite3.db", c = "\(workdir)/load-sqlite3-late.db"
    note("c. loading \(model.tasks.formatted()) add-task lines: pmq --db \(a) \(script)  vs  sqlite3 \(b) < \(sql) (indexes kept during the load)  vs  sqlite3 \(c) < \(late) (indexes built after)")
    // Interleaved, one process after the other: wall time, CPU time and peak memory (wait4).
    var commands: [(argv: [String], stdin: String?, db: String)] = [([pmq, "--db", a, script], nil, a), ([sqlite3, b], sql, b), ([sqlite3, c], late, c)]
    // With --pmq-before, that binary's load runs too, interleaved (a before/after pair).
    let a0 = "\(workdir)/load-pmq-before.db"
    if let pmqBefore { commands.append(([pmqBefore, "--db", a0, script], nil, a0)) }
    var wall = Array(repeating: [Double](), count: commands.count), cpu = wall, rss = Array(repeating: [Int](), count: commands.count)
    for _ in 0..<runs {
        for (i, cmd) in commands.enumerated() {
            removeDatabase(cmd.db)
            let r = try spawnMeasured(cmd.argv, stdinPath: cmd.stdin)
            guard r.status == 0 else { throw BenchError("\(cmd.argv.joined(separator: " ")) exited with \(r.status)") }
            wall[i].append(r.seconds); cpu[i].append(r.cpu); rss[i].append(r.maxRSS)
        }
    }
    // The files must hold the same rows.
    // PMQ rolls summaries up (docs/language.md, “Mid-project truth”) and the shell does not: dates, cost,
    // progress and status are compared over the leaf tasks, the rest over every row.
    let leaves = "FROM tasks l WHERE NOT EXISTS (SELECT 1 FROM tasks c WHERE c.project IS l.project AND c.parent_wbs = l.wbs)"
    let check = "SELECT count(*), count(DISTINCT owner), count(parent_wbs), sum(length(wbs_key)), sum(length(name)), (SELECT count(*) FROM people),"
        + " (SELECT printf('%.0f', sum(cost)) || ' ' || sum(start) || ' ' || sum(finish) || ' ' || sum(progress) \(leaves)),"
        + " (SELECT group_concat(status) FROM (SELECT DISTINCT status \(leaves) ORDER BY status)) FROM tasks"
    let sums = try [a, b, c].map { try RawConnection(path: $0).rows(check)[0] }
    let agree = sums[0] == sums[1] && sums[0] == sums[2] && sums[0][0] == String(model.tasks)
    note("   checksums (tasks, owners, WBS, names, people; leaves' cost, dates, progress, statuses): pmq \(sums[0].map { $0 ?? "null" }), sqlite3 \(sums[1].map { $0 ?? "null" }), sqlite3 late \(sums[2].map { $0 ?? "null" })" + (agree ? " (agree)" : " ** MISMATCH **"))
    let w = wall.map { Stats($0).median }, u = cpu.map { Stats($0).median }
    let peak = rss.map { $0.max() ?? 0 }
    func mib(_ n: Int) -> String { String(format: "%.0f MiB", Double(n) / 1_048_576) }
    note("   median of \(runs): pmq \(fmt(w[0])) wall, \(fmt(u[0])) CPU, peak \(mib(peak[0])); sqlite3 (indexes kept) \(fmt(w[1])) wall, \(fmt(u[1])) CPU; sqlite3 (indexes after) \(fmt(w[2])) wall, \(fmt(u[2])) CPU")
    if commands.count > 3 {
        note("   before (\(pmqBefore ?? "")): \(fmt(w[3])) wall, \(fmt(u[3])) CPU, peak \(mib(peak[3])); CPU ratios \(String(format: "%.2f× (indexes kept), %.2f× (indexes after)", u[3] / u[1], u[3] / u[2]))")
    }
    func ratio(_ i: Int) -> String { String(format: "%.2f× / %.2f×", w[0] / w[i], u[0] / u[i]) }
    return [
        Figure(id: "c", measure: "load \(model.tasks.formatted()) `add task` lines, whole process, vs the sqlite3 shell inserting the same rows with PMQ's indexes in place (median of \(runs), interleaved; wall / CPU)",
               pmq: "\(fmt(w[0])) / \(fmt(u[0]))", baseline: "\(fmt(w[1])) / \(fmt(u[1]))", ratio: ratio(1), target: "≤ 1.5×", pass: agree && u[0] / u[1] <= 1.5),
        Figure(id: "c-late", measure: "the same, vs the sqlite3 shell inserting the rows and building the same indexes afterwards",
               pmq: "\(fmt(w[0])) / \(fmt(u[0]))", baseline: "\(fmt(w[2])) / \(fmt(u[2]))", ratio: ratio(2), target: "≤ 1.5×", pass: agree && u[0] / u[2] <= 1.5),
        Figure(id: "c-mem", measure: "peak resident memory of that load (wait4's ru_maxrss; script \(mib((try? FileManager.default.attributesOfItem(atPath: script)[.size] as? Int) ?? 0)))",
               pmq: mib(peak[0]), baseline: mib(peak[1]), ratio: "–", target: "≤ 100 MiB", pass: peak[0] <= 100 << 20),
    ]
}

// MARK: - d. one command on a large file

func benchCLI(dbPath: String, tasks: Int, pmq: String, runs: Int, useHyperfine: Bool, workdir: String) throws -> [Figure] {
    let argv = [pmq, "--db", dbPath, "--today", benchToday.iso, "-e", "count tasks where overdue"]
    note("d. \(argv.map(shq).joined(separator: " "))")
    let r = try timeCommands([(argv, nil, nil), ([pmq, "--db", dbPath, "-e", "count projects"], nil, nil)], runs: runs, warmup: 3,
                             useHyperfine: useHyperfine, scratch: workdir)
    let s = r[0].stats
    note("   median of \(runs) (\(r[0].tool)): \(fmt(s.median)) (p90 \(fmt(s.p90))); `pmq -e 'count projects'` on the same file: \(fmt(r[1].stats.median))")
    return [Figure(id: "d", measure: "`pmq --db \(tasks.formatted())-task.db -e 'count tasks where overdue'`, whole process (median of \(runs), \(r[0].tool); `-e 'count projects'` \(fmt(r[1].stats.median)))",
                   pmq: fmt(s.median), baseline: "–", ratio: "–", target: "≤ 30 ms", pass: s.median <= 0.030)]
}

// MARK: - The table

func printTable(_ figures: [Figure]) {
    print("| | measure | PMQ | baseline | ratio | target | result |")
    print("|---|---|---:|---:|---:|---|---|")
    for f in figures {
        let result = f.pass.map { $0 ? "pass" : "**FAIL**" } ?? "–"
        print("| \(f.id) | \(f.measure) | \(f.pmq) | \(f.baseline) | \(f.ratio) | \(f.target) | \(result) |")
    }
}
