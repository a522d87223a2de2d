import Foundation
import PMQ

// MARK: - e. a journaled bulk update against the bare SQL UPDATE

/// Copies the generated database (and its WAL) so each run starts from the same rows.
func freshCopy(_ db: String, to path: String) throws {
    for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
        if FileManager.default.fileExists(atPath: db + suffix) { try FileManager.default.copyItem(atPath: db + suffix, toPath: path + suffix) }
    }
}

let updateText = #"update tasks where owner = "DBA" set priority = high"#

func benchUpdate(dbPath: String, runs: Int, tasks: Int, workdir: String) throws -> [Figure] {
    let copy = workdir + "/update-copy.db"
    let bare = "UPDATE tasks SET priority = 'high' WHERE owner = (SELECT id FROM people WHERE name = 'DBA')"
    var pmqTimes: [Double] = [], sqlTimes: [Double] = []
    var changed = ""
    for _ in 0..<max(1, runs) {
        try freshCopy(dbPath, to: copy)
        do {
            let session = try Session(path: copy, today: benchToday)
            var report = ""
            let t = try measure {
                let d = session.run(SourceFile(name: "bench", text: updateText)) { r in if case .change(let c) = r { report = c.message } }
                if !d.isEmpty { throw BenchError("update failed: \(d.map(\.message))") }
            }
            pmqTimes.append(t)
            changed = report
        }
        try freshCopy(dbPath, to: copy)
        do {
            let raw = try RawConnection(path: copy)
            let t = try measure {
                try raw.exec("BEGIN IMMEDIATE")
                try raw.exec(bare)
                try raw.exec("COMMIT")
            }
            sqlTimes.append(t)
        }
    }
    let p = Stats(pmqTimes), s = Stats(sqlTimes)
    note("e. \(updateText): \(changed); PMQ median \(fmt(p.median)) (journal included), bare SQL median \(fmt(s.median)): \(bare)")
    let ratio = p.median / s.median
    return [Figure(id: "e", measure: "`\(updateText)` on \(tasks.formatted()) tasks, journal included (\(changed); median of \(runs))",
                   pmq: fmt(p.median), baseline: fmt(s.median), ratio: String(format: "%.2f×", ratio), target: "≤ 1.5×", pass: ratio <= 1.5)]
}

// MARK: - f. a for loop with an if and a per-row update

let loopText = """
for t in tasks {
  if t.progress < 50 and t.status != done {
    update t set priority = high
  }
}
"""

func benchLoop(dbPath: String, tasks: Int, workdir: String) throws -> [Figure] {
    let copy = workdir + "/loop-copy.db"
    try freshCopy(dbPath, to: copy)
    let session = try Session(path: copy, today: benchToday)
    var report = ""
    // CPU time beside the wall clock: on a shared machine the wall clock is mostly waiting for a core.
    let cpu0 = selfCPU()
    let t = try measure {
        let d = session.run(SourceFile(name: "bench", text: loopText)) { r in if case .change(let c) = r { report = c.message } }
        if !d.isEmpty { throw BenchError("loop failed: \(d.map(\.message))") }
    }
    let cpu = selfCPU() - cpu0
    note("f. for loop over \(tasks) tasks with an if and a per-row update: \(fmt(t)) wall, \(fmt(cpu)) CPU (last report: \(report))")
    return [Figure(id: "f", measure: "`for t in tasks { if t.progress < 50 and t.status != done { update t set priority = high } }` over \(tasks.formatted()) tasks (CPU \(fmt(cpu)))",
                   pmq: fmt(t), baseline: "–", ratio: "–", target: "≤ 3 s", pass: t <= 3)]
}
