import Foundation
import PMQ

// MARK: - c. custom fields (issue 10)

/// c1, c2: a filter on a custom text / number field against the same filter on a built-in
/// column holding the same values, in process, interleaved. The custom fields are made
/// with `add field` and filled from the built-in columns (`vendor = name`, `lot = cost`),
/// so both sides read the same data. `add field` indexes the custom column
/// (`tasks_x_vendor`, `tasks_x_lot`) and `name` and `cost` have no index, so c1 and c2 compare
/// a lookup with a scan. c1u and c2u run the same filters on a second copy whose two indexes
/// were dropped (as PMQ stored custom fields before schema step 16): a scan against a scan.
/// All four queries and the built-in one are interleaved run by run.
func benchFields(dbPath: String, runs: Int, tasks: Int, workdir: String) throws -> [Figure] {
    let copy = workdir + "/fields-copy.db", bare = workdir + "/fields-copy-unindexed.db"
    try freshCopy(dbPath, to: copy)
    do {
        let setup = try Session(path: copy, today: benchToday)
        let (_, d) = setup.run("""
            add field "vendor" to tasks type text
            add field "lot" to tasks type number
            update tasks set vendor = name, lot = cost
            """)
        if !d.isEmpty { throw BenchError("setup failed: \(d.map(\.message))") }
    }
    do {
        // The WAL into the file first, so the copy is whole without it.
        let raw = try RawConnection(path: copy)
        try raw.exec("PRAGMA wal_checkpoint(TRUNCATE)")
    }
    try freshCopy(copy, to: bare)
    do {
        let raw = try RawConnection(path: bare)
        try raw.exec("DROP INDEX tasks_x_vendor; DROP INDEX tasks_x_lot")
    }
    let indexed = try Session(path: copy, today: benchToday)
    let unindexed = try Session(path: bare, today: benchToday)
    var probe = ""
    let (r, _) = indexed.run("tasks select name order by wbs limit 1 offset \(tasks / 2)")
    if case .rows(_, let rows, _)? = r.first, case .text(let n)? = rows.first?.first { probe = n }
    let pairs: [(id: String, custom: String, builtIn: String)] = [
        ("c1", "count tasks where vendor = \"\(probe)\"", "count tasks where name = \"\(probe)\""),
        ("c2", "count tasks where lot > 50000 and lot < 60000", "count tasks where cost > 50000 and cost < 60000"),
    ]
    for p in pairs {
        let (e, _) = indexed.run("explain " + p.custom)
        if case .explain(let sql, _, let plan)? = e.first { note("\(p.id) (indexed): \(sql)\n   plan: \(plan.joined(separator: "; "))") }
        let (u, _) = unindexed.run("explain " + p.custom)
        if case .explain(_, _, let plan)? = u.first { note("\(p.id)u (index dropped): plan: \(plan.joined(separator: "; "))") }
        let (n, _) = indexed.run(p.custom)
        if case .scalar(let v, _)? = n.first { note("   \(p.custom) = \(v)") }
    }
    var figures: [Figure] = []
    for p in pairs {
        // 0: custom, indexed; 1: custom, index dropped; 2: built-in (copy); 3: built-in (the unindexed copy).
        let sides: [(Session, String)] = [(indexed, p.custom), (unindexed, p.custom), (indexed, p.builtIn), (unindexed, p.builtIn)]
        var wall = Array(repeating: [Double](), count: sides.count), cpu = wall
        for (s, text) in sides { _ = s.run(text) }  // warm the page cache
        for _ in 0..<max(5, runs) {
            for (i, (s, text)) in sides.enumerated() {
                let c = selfCPU()
                let t = try measure {
                    let d = s.run(text).diagnostics
                    if !d.isEmpty { throw BenchError("query failed: \(d.map(\.message))") }
                }
                wall[i].append(t); cpu[i].append(selfCPU() - c)
            }
        }
        let w = wall.map { Stats($0).median }, u = cpu.map { Stats($0).median }
        func r(_ a: Double, _ b: Double) -> String { ratioText(a / max(b, 1e-9)) }
        note("\(p.id). \(p.custom): indexed \(fmt(w[0])) wall / \(fmt(u[0])) CPU; index dropped \(fmt(w[1])) / \(fmt(u[1])); built-in \(fmt(w[2])) / \(fmt(u[2])) (on the other copy \(fmt(w[3])) / \(fmt(u[3])))")
        note("   ratios (wall / CPU): indexed \(r(w[0], w[2])) / \(r(u[0], u[2])); index dropped \(r(w[1], w[3])) / \(r(u[1], u[3]))")
        figures.append(Figure(id: p.id, measure: "`\(p.custom)` (custom field, indexed) vs `\(p.builtIn)` (built-in column, same values, no index) on \(tasks.formatted()) tasks, in process, interleaved (median of \(wall[0].count); wall ratio, CPU \(r(u[0], u[2])))",
                              pmq: fmt(w[0]), baseline: fmt(w[2]), ratio: r(w[0], w[2]), target: "≤ 1.2×", pass: w[0] / w[2] <= 1.2))
        figures.append(Figure(id: p.id + "u", measure: "the same with the custom field's index dropped: a scan against a scan (CPU \(r(u[1], u[3])))",
                              pmq: fmt(w[1]), baseline: fmt(w[3]), ratio: r(w[1], w[3]), target: "≤ 1.2×", pass: w[1] / w[3] <= 1.2))
    }
    return figures
}

/// What the custom field's index costs writers: w1, `update tasks set vendor = name` over
/// every task of the database (journal included), on a fresh copy each run; w2, a load of
/// `loadTasks` `add task` lines each naming a custom text field (`pmq --db F script`, whole
/// process) into a new file that has the field. Each is run with the index `add field` made
/// and with it dropped, interleaved run by run; wall and CPU.
func benchFieldWrites(dbPath: String, model: ProjectModel, runs: Int, tasks: Int, workdir: String, pmq: String) throws -> [Figure] {
    var figures: [Figure] = []
    func r(_ a: Double, _ b: Double) -> String { ratioText(a / max(b, 1e-9)) }
    // w1
    let copy = workdir + "/field-writes-copy.db"
    let update = "update tasks set vendor = name"
    var wall: [[Double]] = [[], []], cpu: [[Double]] = [[], []]
    var report = ""
    for _ in 0..<max(1, runs) {
        for side in 0..<2 {
            try freshCopy(dbPath, to: copy)
            do {
                let s = try Session(path: copy, today: benchToday)
                let d = s.run("add field \"vendor\" to tasks type text").diagnostics
                if !d.isEmpty { throw BenchError("add field failed: \(d.map(\.message))") }
            }
            if side == 1 { try RawConnection(path: copy).exec("DROP INDEX tasks_x_vendor") }
            let s = try Session(path: copy, today: benchToday)
            let c = selfCPU()
            let t = try measure {
                let d = s.run(SourceFile(name: "bench", text: update)) { r in if case .change(let c) = r { report = c.message } }
                if !d.isEmpty { throw BenchError("update failed: \(d.map(\.message))") }
            }
            wall[side].append(t); cpu[side].append(selfCPU() - c)
        }
    }
    do {
        let w = wall.map { Stats($0).median }, u = cpu.map { Stats($0).median }
        note("w1. \(update) (\(report)): with the index \(fmt(w[0])) wall / \(fmt(u[0])) CPU, without \(fmt(w[1])) / \(fmt(u[1])) (median of \(wall[0].count))")
        figures.append(Figure(id: "w1", measure: "`\(update)` on \(tasks.formatted()) tasks, journal included, with the index on `vendor` vs without (median of \(wall[0].count), interleaved; wall ratio, CPU \(r(u[0], u[1])))",
                              pmq: "\(fmt(w[0])) / \(fmt(u[0]))", baseline: "\(fmt(w[1])) / \(fmt(u[1]))", ratio: r(w[0], w[1]), target: "–", pass: nil))
    }
    // w2
    let script = workdir + "/field-writes-\(model.tasks)-seed\(model.seed).pmq"
    if !fileExists(script) {
        let plain = script + ".plain"
        try writeScripts(model: model, pmqOut: plain, sqlOut: nil)
        let text = try String(contentsOfFile: plain, encoding: .utf8)
        var out = ""
        out.reserveCapacity(text.utf8.count + model.tasks * 16)
        var i = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            out += line
            if line.hasPrefix("add task ") { out += " vendor \"Vendor \(i % 97)\""; i += 1 }
            out += "\n"
        }
        try out.write(toFile: script, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: plain)
    }
    let target = workdir + "/field-writes-load.db"
    wall = [[], []]; cpu = [[], []]
    for _ in 0..<max(1, runs) {
        for side in 0..<2 {
            removeDatabase(target)
            do {
                let s = try Session(path: target, today: benchToday)
                let d = s.run("add field \"vendor\" to tasks type text").diagnostics
                if !d.isEmpty { throw BenchError("add field failed: \(d.map(\.message))") }
            }
            if side == 1 { try RawConnection(path: target).exec("DROP INDEX tasks_x_vendor") }
            let p = try spawnMeasured([pmq, "--db", target, script])
            guard p.status == 0 else { throw BenchError("pmq --db \(target) \(script) exited with \(p.status)") }
            wall[side].append(p.seconds); cpu[side].append(p.cpu)
        }
    }
    let check = try RawConnection(path: target).rows("SELECT count(*), count(DISTINCT x_vendor) FROM tasks")
    let w = wall.map { Stats($0).median }, u = cpu.map { Stats($0).median }
    note("w2. pmq --db F \(script) (\(check[0].map { $0 ?? "null" }) tasks, vendors): with the index \(fmt(w[0])) wall / \(fmt(u[0])) CPU, without \(fmt(w[1])) / \(fmt(u[1])) (median of \(wall[0].count))")
    figures.append(Figure(id: "w2", measure: "load \(model.tasks.formatted()) `add task` lines each naming a custom text field, whole process, into a file with the field, with its index vs without (median of \(wall[0].count), interleaved; wall ratio, CPU \(r(u[0], u[1])))",
                          pmq: "\(fmt(w[0])) / \(fmt(u[0]))", baseline: "\(fmt(w[1])) / \(fmt(u[1]))", ratio: r(w[0], w[1]), target: "–", pass: nil))
    return figures
}

/// A ratio as the tables print it: two decimals, or two significant digits below 0.1 (an
/// indexed lookup against a scan is thousandths).
func ratioText(_ x: Double) -> String { x < 0.1 ? String(format: "%.2g×", x) : String(format: "%.2f×", x) }
