import Foundation
import PMQ

// MARK: - v. levelling: PSPLIB through `schedule level`, and a whole `pmq -e "schedule level"`

/// One PSPLIB instance through PMQ: its script (people R1..R4 with capacity 8, tasks, links,
/// R assignments with units = request / availability) into an in-memory database, then
/// `schedule level within B` timed alone; the makespan is the working days it reports.
/// Feasibility is checked in SQL apart from the leveller: no `load` row over capacity, and
/// every link's successor starts after its predecessor's finish.
struct LevelRun { var makespan: Int; var seconds: Double; var feasible: Bool }

func levelThroughPMQ(_ inst: PSPLIBInstance, budgetMS: Int) throws -> LevelRun {
    let session = try Session(path: nil, today: Day(iso: "2026-01-05"))
    let setup = session.run(inst.script())
    if let d = setup.diagnostics.first { throw BenchError("setup failed: \(d.message)") }
    var report: ChangeReport?
    let seconds = try measure {
        let r = session.run("schedule level within \(budgetMS)ms")
        if let d = r.diagnostics.first { throw BenchError("schedule level failed: \(d.message)") }
        for case .change(let c) in r.results { report = c }
    }
    guard let days = reportedWorkingDays(report?.note) else {
        throw BenchError("no finish in the report")
    }
    let over = session.run("count load where over").results.first
    let broken = session.run("count dependencies where succ.start <= pred.finish").results.first
    let zero = StatementResult.scalar(.integer(0), kind: .number)
    return LevelRun(makespan: days, seconds: seconds, feasible: over == zero && broken == zero)
}

func benchLevel(_ o: Options) throws -> [Figure] {
    let dir = o.positional.first ?? "../shared/data/psplib"
    guard let summaryText = try? String(contentsOfFile: dir + "/summary.csv", encoding: .utf8) else {
        throw BenchError("no \(dir)/summary.csv: give the psplib folder as the argument")
    }
    // summary.csv rows: set, file, ..., mpm (6), best known upper bound (7, may be empty), lower bound (8, may be empty).
    struct Row { var set: String, file: String, mpm: Int, upperBound: Int?, lowerBound: Int? }
    let summary: [Row] = summaryText.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard f.count >= 9, let mpm = Int(f[6]) else { return nil }
        return Row(set: f[0], file: f[1], mpm: mpm, upperBound: Int(f[7]), lowerBound: Int(f[8]))
    }
    var figures: [Figure] = []
    let sets: [(set: String, budget: Int, target: Double, byOptimum: Bool)] = [("j30", 50, 0.5, true), ("j60", 150, 11.5, false), ("j120", 250, 34, false)]
    for s in sets where !o.skip.contains(s.set) {
        let rows = summary.filter { $0.set == s.set }.prefix(o.limit ?? Int.max)
        var devBound = 0.0, devBest = 0.0, atBest = 0, withBest = 0, infeasible = 0, times: [Double] = [], cpuStart = selfCPU()
        for (i, row) in rows.enumerated() {
            let text = try String(contentsOfFile: "\(dir)/\(s.set)/\(row.file)", encoding: .utf8)
            let inst = try PSPLIBInstance(parsing: text)
            let r = try levelThroughPMQ(inst, budgetMS: s.budget)
            if !r.feasible { infeasible += 1 }
            if r.makespan < max(row.lowerBound ?? 0, row.mpm) { infeasible += 1; note("\(row.file): \(r.makespan) below the lower bound") }
            devBound += Double(r.makespan - row.mpm) / Double(row.mpm)
            if let ub = row.upperBound {
                withBest += 1
                devBest += Double(r.makespan - ub) / Double(ub)
                if r.makespan <= ub { atBest += 1 }
            }
            times.append(r.seconds)
            if (i + 1) % 60 == 0 { note("  \(s.set): \(i + 1) of \(rows.count), mean deviation from the critical path so far \(String(format: "%.3f", 100 * devBound / Double(i + 1))) %") }
        }
        let n = Double(rows.count)
        let t = Stats(times)
        let mean = times.reduce(0, +) / n
        let cpu = selfCPU() - cpuStart
        let nb = Double(max(1, withBest))
        let measured = s.byOptimum ? 100 * devBest / nb : 100 * devBound / n
        let line = "\(s.set): \(rows.count) instances, `schedule level within \(s.budget)ms` each; mean deviation from the \(s.byOptimum ? "optimum" : "critical-path bound") \(String(format: "%.2f", measured)) %"
            + (s.byOptimum ? "" : ", from the best known (the \(withBest) with one in summary.csv) \(String(format: "%.2f", 100 * devBest / nb)) %")
            + "; at the \(s.byOptimum ? "optimum" : "best known") \(atBest) of \(withBest) (\(String(format: "%.1f", 100 * Double(atBest) / nb)) %); time mean \(fmt(mean)), max \(fmt(t.max)); infeasible \(infeasible); CPU \(fmt(cpu)) in all"
        note("v. " + line)
        figures.append(Figure(id: "v-\(s.set)", measure: line, pmq: String(format: "%.2f %%", measured), baseline: "–", ratio: "–",
                              target: "≤ \(s.target) %, ≤ \(s.budget) ms", pass: measured <= s.target && infeasible == 0 && t.max <= Double(s.budget) / 1000 * 1.5))
    }
    return figures
}

/// A plan of `tasks` tasks for `people` people: 1–10 working days each, about 1.5
/// finish-to-start links to one of the 20 tasks before it, owners at random, some R
/// assignments at 50 %, a leave week for every fifth person.
func levelScript(tasks: Int, people: Int, seed: UInt64) -> String {
    var rng = SeededRandom(seed: seed)
    var s = "add project \"LVL\" start 2026-03-16\nuse project \"LVL\"\n"
    for p in 1...people { s += "add person \"P\(p)\" capacity 8\n" }
    for p in stride(from: 5, through: people, by: 5) { s += "add leave \"P\(p)\" from 2026-04-06 to 2026-04-10\n" }
    for t in 1...tasks {
        let d = 1 + Int(rng.next() % 10)
        s += "add task \"T\(t)\" wbs \(t) owner \"P\(1 + Int(rng.next() % UInt64(people)))\" start 2026-03-16 duration \(d)wd\n"
    }
    for t in 2...tasks {
        var preds = Set<Int>()
        for _ in 0..<Int(rng.next() % 3) { preds.insert(max(1, t - 1 - Int(rng.next() % 20))) }
        for p in preds.sorted() { s += "add dependency \(p) -> \(t)\n" }
    }
    for t in stride(from: 7, through: tasks, by: 7) {
        s += "add assignment task \(t) person \"P\(1 + Int(rng.next() % UInt64(people)))\" role R units 50\n"
    }
    return s
}

func benchLevelCLI(_ o: Options, pmq: String) throws -> [Figure] {
    let script = o.workdir + "/level-1000.pmq"
    let base = o.workdir + "/level-1000.db"
    let run = o.workdir + "/level-run.db"
    if o.regenerate || !fileExists(base) {
        try? FileManager.default.removeItem(atPath: base)
        try levelScript(tasks: 1000, people: 50, seed: o.seed).write(toFile: script, atomically: true, encoding: .utf8)
        let r = try spawn([pmq, "--db", base, "--today", "2026-03-16", script, "-e", "schedule"], showErrors: true)
        if r.status != 0 { throw BenchError("cannot build \(base)") }
    }
    var wall: [Double] = [], cpu: [Double] = []
    for _ in 0..<max(3, o.cliRuns / 4) {
        try freshCopy(base, to: run)
        let r = try spawnMeasured([pmq, "--db", run, "--today", "2026-03-16", "-e", "schedule level"])
        if r.status != 0 { throw BenchError("schedule level failed on \(run)") }
        wall.append(r.seconds); cpu.append(r.cpu)
    }
    let w = Stats(wall), c = Stats(cpu)
    let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    let line = "`pmq --db F -e \"schedule level\"`, whole process, 1,000 tasks, 50 people (leave, R assignments), default budget 200 ms; median of \(wall.count): wall \(fmt(w.median)) (max \(fmt(w.max))), CPU \(fmt(c.median)); load \(load)"
    note("v. " + line)
    return [Figure(id: "v-1k", measure: line, pmq: fmt(w.median), baseline: "–", ratio: "–", target: "≤ 1 s", pass: w.median <= 1 && c.median <= 1)]
}
