import Foundation
import PMQ

// MARK: - c. custom fields (issue 10)

/// c1, c2: a filter on a custom text / number field against the same filter on a built-in
/// column holding the same values, in process, interleaved. The custom fields are made
/// with `add field` and filled from the built-in columns (`vendor = name`, `lot = cost`),
/// so both sides scan the same data; a custom field is a real column, so the ratio
/// should be about 1.
func benchFields(dbPath: String, runs: Int, tasks: Int, workdir: String) throws -> [Figure] {
    let copy = workdir + "/fields-copy.db"
    try freshCopy(dbPath, to: copy)
    let setup = try Session(path: copy, today: benchToday)
    let (_, d) = setup.run("""
        add field "vendor" to tasks type text
        add field "lot" to tasks type number
        update tasks set vendor = name, lot = cost
        """)
    if !d.isEmpty { throw BenchError("setup failed: \(d.map(\.message))") }
    let session = try Session(path: copy, today: benchToday)
    var probe = ""
    let (r, _) = session.run("tasks select name order by wbs limit 1 offset \(tasks / 2)")
    if case .rows(_, let rows, _)? = r.first, case .text(let n)? = rows.first?.first { probe = n }
    let pairs: [(id: String, custom: String, builtIn: String)] = [
        ("c1", "count tasks where vendor = \"\(probe)\"", "count tasks where name = \"\(probe)\""),
        ("c2", "count tasks where lot > 50000 and lot < 60000", "count tasks where cost > 50000 and cost < 60000"),
    ]
    var figures: [Figure] = []
    for p in pairs {
        var a: [Double] = [], b: [Double] = [], ca: [Double] = [], cb: [Double] = []
        for text in [p.custom, p.builtIn] { _ = session.run(text) }  // warm the page cache
        for _ in 0..<max(5, runs) {
            for (text, custom) in [(p.custom, true), (p.builtIn, false)] {
                let c = selfCPU()
                let t = try measure {
                    let d = session.run(text).diagnostics
                    if !d.isEmpty { throw BenchError("query failed: \(d.map(\.message))") }
                }
                if custom { a.append(t); ca.append(selfCPU() - c) } else { b.append(t); cb.append(selfCPU() - c) }
            }
        }
        let sa = Stats(a), sb = Stats(b), cpuRatio = Stats(ca).median / max(Stats(cb).median, 1e-9)
        let ratio = sa.median / sb.median
        note("\(p.id). \(p.custom): median \(fmt(sa.median)) vs \(fmt(sb.median)) built-in (\(String(format: "%.2f", ratio))×, CPU \(String(format: "%.2f", cpuRatio))×)")
        figures.append(Figure(id: p.id, measure: "`\(p.custom)` (custom field) vs `\(p.builtIn)` (built-in column, same values) on \(tasks.formatted()) tasks, in process, interleaved (median of \(a.count); CPU ratio \(String(format: "%.2f", cpuRatio))×)",
                              pmq: fmt(sa.median), baseline: fmt(sb.median), ratio: String(format: "%.2f×", ratio), target: "≤ 1.2×", pass: ratio <= 1.2))
    }
    return figures
}
