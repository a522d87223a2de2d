import Foundation
import PMQ

// MARK: - o. Output rendering, whole process, in every format (issue 14)

/// `pmq --db F --format X -e '<selective query>'` against the sqlite3 shell printing the
/// same rows and columns (owner by name, dates as text) in its nearest mode, both with
/// standard output to /dev/null. The two sides run interleaved, one process after the
/// other, `runs` times; CPU time is the child's user + system time from wait4.
func benchOutput(dbPath: String, tasks: Int, pmq: String, runs: Int, workdir: String) throws -> [Figure] {
    guard let sqlite3 = which("sqlite3") else { throw BenchError("sqlite3 not found: apt-get install -y sqlite3") }
    let query = #"tasks where owner = "DBA" and late > 3d"#
    let today = benchToday.number
    let sql = """
        SELECT t.wbs, t.name, p.name AS owner, t.status, date(t.start * 86400, 'unixepoch') AS start, \
        date(t.finish * 86400, 'unixepoch') AS finish, t.progress \
        FROM people p JOIN tasks t ON t.owner = p.id \
        WHERE p.name = 'DBA' AND ((t.status IN ('todo', 'doing', 'blocked') AND t.finish < \(today - 3)) \
        OR (t.status = 'done' AND t.actual_finish - t.finish > 3)) ORDER BY t.id;
        """
    // PMQ's format and the sqlite3 shell's nearest mode.
    let formats: [(pmq: String, shell: String)] = [("table", "column"), ("csv", "csv"), ("tsv", "tabs"), ("json", "json"), ("markdown", "markdown"), ("html", "html")]
    var figures: [Figure] = []
    for (n, f) in formats.enumerated() {
        let script = "\(workdir)/output-\(f.shell).sql"
        try ".headers on\n.mode \(f.shell)\n\(sql)\n".write(toFile: script, atomically: true, encoding: .utf8)
        let a = [pmq, "--db", dbPath, "--today", benchToday.iso, "--format", f.pmq, "-e", query]
        let b = [sqlite3, "-readonly", dbPath]
        // Both once first (page cache, and a check that both print the same number of rows).
        let rowsPMQ = try lineCount(a, stdin: nil), rowsShell = try lineCount(b, stdin: script)
        var wall: [[Double]] = [[], []], cpu: [[Double]] = [[], []]
        for _ in 0..<runs {
            for (i, c) in [(a, nil as String?), (b, script)].enumerated() {
                let r = try spawnMeasured(c.0, stdinPath: c.1)
                guard r.status == 0 else { throw BenchError("\(c.0.joined(separator: " ")) exited with \(r.status)") }
                wall[i].append(r.seconds)
                cpu[i].append(r.cpu)
            }
        }
        let (w0, w1, c0, c1) = (Stats(wall[0]).median, Stats(wall[1]).median, Stats(cpu[0]).median, Stats(cpu[1]).median)
        note("o\(n + 1). --format \(f.pmq) vs .mode \(f.shell): \(rowsPMQ) / \(rowsShell) lines; median of \(runs): pmq \(fmt(w0)) wall, \(fmt(c0)) CPU; sqlite3 \(fmt(w1)) wall, \(fmt(c1)) CPU → wall \(String(format: "%.2f×", w0 / w1)), CPU \(String(format: "%.2f×", c0 / c1))")
        figures.append(Figure(id: "o\(n + 1)", measure: "`--format \(f.pmq)` of `\(query)` (\(tasks.formatted()) tasks), whole process, vs sqlite3 `.mode \(f.shell)` (median of \(runs), interleaved; wall / CPU)",
                              pmq: "\(fmt(w0)) / \(fmt(c0))", baseline: "\(fmt(w1)) / \(fmt(c1))",
                              ratio: String(format: "%.2f× / %.2f×", w0 / w1, c0 / c1), target: "≤ 1.3×", pass: c0 / c1 <= 1.3))
    }
    return figures
}

/// Runs a command once and counts the lines it prints.
private func lineCount(_ argv: [String], stdin: String?) throws -> Int {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    if let stdin { p.standardInput = FileHandle(forReadingAtPath: stdin) }
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
}
