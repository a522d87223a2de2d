import Foundation
import PMQ

// MARK: - k. time travel over a year of weekly updates (issue 11)

/// A copy of the generated database with a year of weekly status updates booked one
/// week apart: each week about a tenth of the tasks get new progress and a status,
/// two journal entries each (about 1M entries at 100k tasks). Made once and reused.
func historyDatabase(_ o: Options, base: String) throws -> (path: String, entries: Int, bytesPerEntry: Double) {
    // "v2": the weekly updates changed (statuses move on), so older cached files are not reused.
    // "v3": a week that moves tasks to done leaves out those whose actual start is after the
    // booked day (update refuses an actual finish before the actual start since 4ab0528).
    let path = o.workdir + "/history-v3-\(o.tasks)-seed\(o.seed)-\(try cacheTag()).db"
    let statsPath = path + ".stats"
    if !o.regenerate, fileExists(path), let s = try? String(contentsOfFile: statsPath, encoding: .utf8) {
        let parts = s.split(separator: " ")
        if parts.count == 2, let n = Int(parts[0]), let b = Double(parts[1]) { return (path, n, b) }
    }
    try freshCopy(base, to: path)
    let session = try Session(path: path, today: benchToday + (-364))
    func size() throws -> Double {
        let raw = try RawConnection(path: path)
        try raw.exec("PRAGMA wal_checkpoint(TRUNCATE)")
        func n(_ sql: String) throws -> Double { Double(try raw.rows(sql).first?.first.flatMap { $0 }.flatMap { Double($0) } ?? 0) }
        return (try n("PRAGMA page_count") - (try n("PRAGMA freelist_count"))) * (try n("PRAGMA page_size"))
    }
    let before = try size()
    let statuses = ["todo", "doing", "blocked", "doing", "done"]
    for week in 0..<52 {
        session.today = benchToday + (-364 + week * 7)
        // A different tenth of the tasks each week: a window of ids that moves on.
        let lo = week * o.tasks / 10 % o.tasks
        // A window comes back every ten weeks; its status moves on by one each time, so both
        // fields change and a year makes about 2 × 52 × N/10 entries (1M at 100k tasks).
        let status = statuses[(week + week / 10) % statuses.count]
        let started = status == "done" ? " and (actual_start is null or actual_start <= today)" : ""
        let text = "update tasks where id > \(lo) and id <= \(lo + o.tasks / 10)\(started) set progress = \(week * 2 % 100 + 1), status = \(status)"
        let d = session.run(SourceFile(name: "bench", text: text)) { _ in }
        if !d.isEmpty { throw BenchError("history generation failed: \(d.map(\.message))") }
    }
    let entries = Int(try RawConnection(path: path).rows("SELECT count(*) FROM journal_entries").first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0)
    let perEntry = (try size() - before) / Double(max(1, entries))
    try "\(entries) \(perEntry)".write(toFile: statsPath, atomically: true, encoding: .utf8)
    return (path, entries, perEntry)
}

func benchHistory(_ o: Options) throws -> [Figure] {
    let base = try ensureDatabase(o)
    let (path, entries, perEntry) = try historyDatabase(o, base: base)
    note("k. \(path): \(entries.formatted()) journal entries, \(String(format: "%.1f", perEntry)) bytes each (rows and indexes)")
    let session = try Session(path: path, today: benchToday)
    let midYear = (benchToday + (-182)).iso
    let lastRow = try RawConnection(path: path).rows("SELECT wbs FROM tasks ORDER BY id DESC LIMIT 1").first ?? []
    let lastTaskWBS: String = (lastRow.first ?? nil) ?? "1.1.1"
    let texts = [
        "count tasks as of \(midYear) where overdue",
        "count tasks where overdue",
        "tasks where status changed to blocked after today - 7d",
        "history",
        "history of 1.1.1",
        // A task near the end: its entries are found by its id, not after every smaller id's.
        "history of \(lastTaskWBS)",
        "count tasks as of today - 3d where overdue",
    ]
    var samples = Array(repeating: [Double](), count: texts.count)
    var cpu = Array(repeating: [Double](), count: texts.count)
    var first: [String] = []
    for (i, t) in texts.enumerated() {
        var out = ""
        let d = session.run(SourceFile(name: "bench", text: t)) { r in
            if case .scalar(let v, _) = r { out = "\(v)" } else if case .rows(_, let rows, _) = r { out = "\(rows.count) rows" }
        }
        if !d.isEmpty { throw BenchError("\(t): \(d.map(\.message))") }
        first.append(out)
        note("   \(t) -> \(first[i])")
    }
    // Interleaved: each round runs every statement once, so load spikes hit all alike.
    for _ in 0..<max(3, o.runs) {
        for (i, t) in texts.enumerated() {
            let c0 = cpuTime()
            samples[i].append(try measure { _ = session.run(SourceFile(name: "bench", text: t)) { _ in } })
            cpu[i].append(cpuTime() - c0)
        }
    }
    let m = samples.map { Stats($0).median }
    let mc = cpu.map { Stats($0).median }
    for (i, t) in texts.enumerated() {
        note("   \(t): wall median \(fmt(m[i])), CPU median \(fmt(mc[i])) (\(samples[i].count) runs)")
    }
    note("   load average: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?")")
    let ratio = m[0] / m[1]
    return [
        Figure(id: "k1", measure: "`\(texts[0])` vs `\(texts[1])`, in process (\(entries.formatted()) journal entries; median of \(samples[0].count))",
               pmq: fmt(m[0]), baseline: fmt(m[1]), ratio: String(format: "%.2f×", ratio), target: "≤ 2×", pass: ratio <= 2),
        Figure(id: "k2", measure: "`\(texts[2])` (\(first[2]))", pmq: fmt(m[2]), baseline: "", ratio: "", target: "≤ 50 ms", pass: m[2] <= 0.05),
        Figure(id: "k3", measure: "journal growth per changed field (entry and its indexes)", pmq: String(format: "%.0f B", perEntry),
               baseline: "", ratio: "", target: "≤ 100 B", pass: perEntry <= 100),
        Figure(id: "k4", measure: "`history` (\(first[3]))", pmq: fmt(m[3]), baseline: "", ratio: "", target: "≤ 10 ms", pass: m[3] <= 0.01),
        Figure(id: "k5", measure: "`history of 1.1.1` (\(first[4]))", pmq: fmt(m[4]), baseline: "", ratio: "", target: "≤ 10 ms", pass: m[4] <= 0.01),
        Figure(id: "k5'", measure: "`\(texts[5])`, the last task (\(first[5]))", pmq: fmt(m[5]), baseline: "", ratio: "", target: "≤ 10 ms", pass: m[5] <= 0.01),
        Figure(id: "k6", measure: "`\(texts[6])` (a recent day: few entries after it)", pmq: fmt(m[6]), baseline: fmt(m[1]),
               ratio: String(format: "%.2f×", m[6] / m[1]), target: "", pass: nil),
    ]
}
