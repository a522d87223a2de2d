import Foundation
import PMQ

// MARK: - g. the CPM pass alone

/// A random DAG: each activity gets about `linksPerTask` predecessors among the 200 before it.
func randomNetwork(tasks: Int, linksPerTask: Double, seed: UInt64) -> CPMNetwork {
    var rng = SeededRandom(seed: seed)
    var links: [CPMNetwork.Link] = []
    links.reserveCapacity(Int(Double(tasks) * linksPerTask))
    let types: [CPMNetwork.LinkType] = [.fs, .fs, .fs, .fs, .fs, .fs, .ss, .ff, .sf]
    for i in 1..<tasks {
        let count = Int(linksPerTask) + (Double(rng.next() % 1000) / 1000 < linksPerTask - Double(Int(linksPerTask)) ? 1 : 0)
        for _ in 0..<count {
            let back = Int(rng.next() % UInt64(min(i, 200))) + 1
            links.append(.init(pred: Int32(i - back), succ: Int32(i), type: types[Int(rng.next() % UInt64(types.count))],
                               lag: Int32(rng.next() % 5) - 1))
        }
    }
    return CPMNetwork(durations: (0..<tasks).map { _ in Int32(rng.next() % 10) }, links: links)
}

func benchCPM(runs: Int) throws -> [Figure] {
    var figures: [Figure] = []
    for (tasks, target) in [(10_000, 0.005), (100_000, 0.050)] {
        let network = randomNetwork(tasks: tasks, linksPerTask: 2.5, seed: 42)
        _ = try network.solve()
        var samples: [Double] = []
        var length: Int32 = 0
        for _ in 0..<max(3, runs) {
            samples.append(try measure { length = try network.solve().length })
        }
        let s = Stats(samples)
        note("g. CPM pass, \(tasks) activities, \(network.links.count) links: median \(fmt(s.median)), length \(length)")
        figures.append(Figure(id: tasks == 10_000 ? "g1" : "g2",
                              measure: "CPM forward and backward pass alone, \(tasks.formatted()) activities, \(network.links.count.formatted()) links (FS/SS/FF/SF, lags -1..3; median of \(samples.count))",
                              pmq: fmt(s.median), baseline: "–", ratio: "–", target: "≤ \(fmt(target))", pass: s.median <= target))
    }
    return figures
}

// MARK: - h. a whole `pmq -e schedule`

/// The generated project plus about 2.2 finish-to-start links per task to tasks shortly before it
/// (none between a summary and a task inside it).
func scheduleDatabase(_ o: Options, tasks: Int) throws -> String {
    var small = o
    small.tasks = tasks
    let base = try ensureDatabase(small)
    let path = base.replacingOccurrences(of: ".db", with: "-linked.db")
    if fileExists(path) && !o.regenerate { return path }
    try freshCopy(base, to: path)
    let raw = try RawConnection(path: path)
    try raw.exec("BEGIN")
    var rng = SeededRandom(seed: 7)
    var sql = ""
    for i in 11...tasks {
        for _ in 0..<(2 + Int(rng.next() % 2)) {
            let j = i - Int(rng.next() % 10) - 1
            sql += "INSERT OR IGNORE INTO dependencies (pred, succ, type, lag) VALUES (\(j), \(i), 'FS', 0);"
        }
        if i % 5000 == 0 { try raw.exec(sql); sql = "" }
    }
    try raw.exec(sql)
    // The generated plan has summaries, and a link between a summary and a task inside it is
    // a cycle for `schedule` (links to and from summaries stand for their children): without
    // these the first run was refused ("the dependencies form a cycle: 1.2.1 -> 1.2.2 -> 1.2.1").
    try raw.exec("""
        DELETE FROM dependencies WHERE EXISTS (SELECT 1 FROM tasks a, tasks b WHERE a.id = dependencies.pred AND b.id = dependencies.succ
          AND a.project IS b.project AND (b.wbs LIKE a.wbs || '.%' OR a.wbs LIKE b.wbs || '.%'))
        """)
    try raw.exec("COMMIT")
    return path
}

func benchScheduleCLI(_ o: Options, pmq: String) throws -> [Figure] {
    var figures: [Figure] = []
    // With --pmq-before, that binary runs too, interleaved with this one run by run.
    let binaries = [pmq] + (o.pmqBefore.map { [$0] } ?? [])
    // Issue 9's targets: the status date, constraints and roll-up make it faster, not slower.
    for (tasks, target) in [(10_000, 0.06), (100_000, 0.6)] {
        let base = try scheduleDatabase(o, tasks: tasks)
        let run = o.workdir + "/schedule-run.db"
        // Settle the copy once (the first schedule moves every task; a weekly one moves few),
        // then time both: the first re-plan on a fresh copy, and a re-plan of a settled plan.
        let settled = o.workdir + "/schedule-settled-\(tasks).db"
        try freshCopy(base, to: settled)
        _ = try spawn([pmq, "--db", settled, "--today", "2026-03-16", "-e", "schedule"])
        var first = [[Double]](repeating: [], count: binaries.count), firstCPU = first, again = first, againCPU = first
        let loadBefore = loadAverage()
        for _ in 0..<5 {
            // Interleaved, so the machine's load falls on both alike.
            for (b, binary) in binaries.enumerated() {
                try freshCopy(base, to: run)
                var cpu = childrenCPU()
                let (status, seconds) = try spawn([binary, "--db", run, "--today", "2026-03-16", "-e", "schedule"])
                if status != 0 { throw BenchError("schedule failed on \(run)") }
                first[b].append(seconds); firstCPU[b].append(childrenCPU() - cpu)
                try freshCopy(settled, to: run)
                cpu = childrenCPU()
                let (status2, seconds2) = try spawn([binary, "--db", run, "--today", "2026-03-16", "-e", "schedule"])
                if status2 != 0 { throw BenchError("schedule failed on \(run)") }
                again[b].append(seconds2); againCPU[b].append(childrenCPU() - cpu)
            }
        }
        let load = "load \(loadBefore) before, \(loadAverage()) after"
        for (b, binary) in binaries.enumerated() {
            let s = Stats(first[b]), c = Stats(firstCPU[b]), s2 = Stats(again[b]), c2 = Stats(againCPU[b])
            note("h. \(binary) -e schedule on \(tasks) tasks: first re-plan median \(fmt(s.median)) wall, \(fmt(c.median)) CPU; settled plan \(fmt(s2.median)) wall, \(fmt(c2.median)) CPU; \(load)")
            guard b == 0 else { continue }
            figures.append(Figure(id: tasks == 10_000 ? "h1" : "h2",
                                  measure: "`pmq --db F --today 2026-03-16 -e schedule`, whole process, \(tasks.formatted()) tasks with ~2.5 links each, status date, roll-up and write-back included; first re-plan of the generated plan (median of 5; CPU \(fmt(c.median))); a settled plan re-planned: \(fmt(s2.median)) wall, \(fmt(c2.median)) CPU; \(load)",
                                  pmq: fmt(s.median), baseline: "–", ratio: "–", target: "≤ \(fmt(target))",
                                  pass: s.median <= target && c.median <= target))
        }
    }
    return figures
}
