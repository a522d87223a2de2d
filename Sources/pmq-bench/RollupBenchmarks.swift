import Foundation
import PMQ

// MARK: - j. summary roll-up after a change (issue 9)

/// j1: `update` of one leaf in a large project, in process: the roll-up re-derives the
/// summaries above it only (a few statements a WBS level), so it stays in milliseconds.
/// j2: a bulk update of a rolled-up field (progress) on the DBA team's leaves against the
/// same rows' update of a field that does not roll up (priority, figure e's statement),
/// on fresh copies, interleaved.
func benchRollup(dbPath: String, runs: Int, tasks: Int, workdir: String) throws -> [Figure] {
    let copy = workdir + "/rollup-copy.db"
    try freshCopy(dbPath, to: copy)
    var leaf = ""
    do {
        let s = try Session(path: copy, today: benchToday)
        let (r, _) = s.run("tasks where not summary and level = 3 and status = doing select wbs order by wbs limit 1")
        if case .rows(_, let rows, _)? = r.first, case .text(let w)? = rows.first?.first { leaf = w }
        guard !leaf.isEmpty else { throw BenchError("no leaf task to update") }
        // One warm-up run prepares the statements the loop reuses.
        _ = s.run("update \(leaf) set progress = 1")
        var wall: [Double] = [], cpu: [Double] = []
        for i in 0..<max(20, runs * 3) {
            let c = selfCPU()
            let t = try measure {
                let d = s.run("update \(leaf) set progress = \(10 + i % 80)").diagnostics
                if !d.isEmpty { throw BenchError("update failed: \(d.map(\.message))") }
            }
            wall.append(t); cpu.append(selfCPU() - c)
        }
        let w = Stats(wall), c = Stats(cpu)
        note("j1. update \(leaf) set progress = N in a \(tasks)-task project: median \(fmt(w.median)) wall, \(fmt(c.median)) CPU")
        var figures = [Figure(id: "j1", measure: "`update \(leaf) set progress = N` (one leaf, summaries above it rolled up, journal included) in a \(tasks.formatted())-task project, in process (median of \(wall.count); CPU \(fmt(c.median)))",
                              pmq: fmt(w.median), baseline: "–", ratio: "–", target: "≤ 5.00 ms", pass: w.median <= 0.005)]
        let plain = #"update tasks where owner = "DBA" and not summary set priority = high"#
        let rolled = #"update tasks where owner = "DBA" and not summary set progress = 50"#
        var a: [Double] = [], b: [Double] = []
        var changed = ""
        for _ in 0..<max(3, runs) {
            for (text, isRolled) in [(plain, false), (rolled, true)] {
                try freshCopy(dbPath, to: copy)
                let session = try Session(path: copy, today: benchToday)
                var report = ""
                let t = try measure {
                    let d = session.run(SourceFile(name: "bench", text: text)) { r in if case .change(let c) = r { report = c.message } }
                    if !d.isEmpty { throw BenchError("update failed: \(d.map(\.message))") }
                }
                if isRolled { b.append(t); changed = report } else { a.append(t) }
            }
        }
        let sa = Stats(a), sb = Stats(b)
        let ratio = sb.median / sa.median
        note("j2. \(rolled): \(changed); median \(fmt(sb.median)) vs \(fmt(sa.median)) for priority (\(String(format: "%.2f", ratio))×)")
        figures.append(Figure(id: "j2", measure: "`\(rolled)` (\(changed), roll-up included) vs the same rows' `set priority = high` (figure e's statement, no roll-up) on \(tasks.formatted()) tasks, fresh copies, interleaved (median of \(b.count))",
                              pmq: fmt(sb.median), baseline: fmt(sa.median), ratio: String(format: "%.2f×", ratio), target: "≤ 1.5×", pass: ratio <= 1.5))
        return figures
    }
}
