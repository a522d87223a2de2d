import Foundation

// MARK: - i. pictures: `gantt` and `report to`, whole processes (issue 13)

// childrenCPU() is in Timing.swift.

/// One spawn: wall seconds and the CPU seconds it used.
func spawnTimed(_ argv: [String]) throws -> (wall: Double, cpu: Double) {
    let before = childrenCPU()
    let (status, seconds) = try spawn(argv)
    if status != 0 { throw BenchError("failed: \(argv.joined(separator: " "))") }
    return (seconds, childrenCPU() - before)
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

/// i1/i2: `gantt` of 1,000 tasks (the chart, cut at 100 rows, and every row as JSON);
/// i3: `report to` of a 10,000-task project, and the file's size. Each is interleaved with
/// the same binary running `-e 'count projects'`, the fixed floor of process start.
func benchPictures(_ o: Options, pmq: String) throws -> [Figure] {
    var figures: [Figure] = []
    var small = o
    small.tasks = 1_000
    let db1k = try ensureDatabase(small)
    var large = o
    large.tasks = 10_000
    let db10k = try ensureDatabase(large)
    let html = o.workdir + "/report.html"
    let today = ["--today", "2026-03-16"]
    let cases: [(id: String, db: String, args: [String], measure: String, target: Double)] = [
        ("i1", db1k, ["-e", "gantt tasks order by wbs"], "`pmq -e 'gantt tasks order by wbs'`, whole process, 1,000 tasks (chart cut at 100 rows)", 0.050),
        ("i2", db1k, ["--format", "json", "-e", "gantt tasks order by wbs"], "`pmq --format json -e 'gantt tasks order by wbs'`, whole process, 1,000 tasks (every row)", 0.050),
        ("i3", db10k, ["-e", "report to \"\(html)\""], "`pmq -e 'report to \"F.html\"'`, whole process, 10,000 tasks", 1.0),
    ]
    let runs = max(5, o.cliRuns)
    for c in cases {
        _ = try spawnTimed([pmq, "--db", c.db] + today + c.args)   // warm-up
        var wall: [Double] = [], cpu: [Double] = [], floorWall: [Double] = []
        for _ in 0..<runs {
            let r = try spawnTimed([pmq, "--db", c.db] + today + c.args)
            wall.append(r.wall); cpu.append(r.cpu)
            floorWall.append(try spawnTimed([pmq, "--db", c.db, "-e", "count projects"]).wall)
        }
        let w = Stats(wall), u = Stats(cpu), f = Stats(floorWall)
        var measure = c.measure + " (median of \(runs); CPU \(fmt(u.median)); load \(loadAverage()))"
        var pass = w.median <= c.target
        if c.id == "i3" {
            let size = (try? FileManager.default.attributesOfItem(atPath: html)[.size] as? Int) ?? 0
            measure += "; file \(String(format: "%.2f", Double(size) / 1_048_576)) MB (target ≤ 5 MB)"
            pass = pass && size <= 5 * 1_048_576
        }
        note("\(c.id). median wall \(fmt(w.median)), CPU \(fmt(u.median)), floor \(fmt(f.median)), load \(loadAverage())")
        figures.append(Figure(id: c.id, measure: measure, pmq: fmt(w.median), baseline: fmt(f.median) + " (count projects)",
                              ratio: String(format: "%.2f", w.median / max(f.median, 1e-9)), target: "≤ \(fmt(c.target))", pass: pass))
    }
    return figures
}
