import Foundation
import PMQ

// MARK: - o. Output rendering, whole process, in every format (issue 14)

/// `pmq --db F --format X -e '<selective query>'` against the sqlite3 shell printing the
/// same rows and columns (owner by name, dates as text) in its nearest mode, both with
/// standard output to /dev/null. The sides run interleaved, one process after the other,
/// `runs` times, the order rotated each run (with `pmqBefore`, a second pmq binary is the
/// third side: a before/after pair); CPU time is the child's user + system time from wait4.
func benchOutput(dbPath: String, tasks: Int, pmq: String, pmqBefore: String? = nil, runs: Int, workdir: String) throws -> [Figure] {
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
    // The rows of the result, counted once from its CSV (JSON and HTML print one line).
    let rowCount = try lineCount([pmq, "--db", dbPath, "--today", benchToday.iso, "--format", "csv", "-e", query], stdin: nil) - 1
    var figures: [Figure] = []
    for (n, f) in formats.enumerated() {
        let script = "\(workdir)/output-\(f.shell).sql"
        try ".headers on\n.mode \(f.shell)\n\(sql)\n".write(toFile: script, atomically: true, encoding: .utf8)
        func pmqCommand(_ binary: String) -> [String] { [binary, "--db", dbPath, "--today", benchToday.iso, "--format", f.pmq, "-e", query] }
        // Side 0: pmq; 1: the sqlite3 shell; 2: the pmq before (if given).
        var sides: [([String], String?)] = [(pmqCommand(pmq), nil), ([sqlite3, "-readonly", dbPath], script)]
        if let pmqBefore { sides.append((pmqCommand(pmqBefore), nil)) }
        // Each once first (page cache, and a check that they print the same number of lines).
        let lines = try sides.map { try lineCount($0.0, stdin: $0.1) }
        let loadBefore = loadAverage()
        var wall = [[Double]](repeating: [], count: sides.count), cpu = wall
        for run in 0..<runs {
            for k in 0..<sides.count {
                let i = (k + run) % sides.count
                let r = try spawnMeasured(sides[i].0, stdinPath: sides[i].1)
                guard r.status == 0 else { throw BenchError("\(sides[i].0.joined(separator: " ")) exited with \(r.status)") }
                wall[i].append(r.seconds)
                cpu[i].append(r.cpu)
            }
        }
        let w = wall.map { Stats($0).median }, c = cpu.map { Stats($0).median }
        let load = "load \(loadBefore) → \(loadAverage())"
        note("o\(n + 1). --format \(f.pmq) vs .mode \(f.shell): \(lines.map(String.init).joined(separator: " / ")) lines; median of \(runs): pmq \(fmt(w[0])) wall, \(fmt(c[0])) CPU; sqlite3 \(fmt(w[1])) wall, \(fmt(c[1])) CPU → wall \(String(format: "%.2f×", w[0] / w[1])), CPU \(String(format: "%.2f×", c[0] / c[1])); \(load)")
        figures.append(Figure(id: "o\(n + 1)", measure: "`--format \(f.pmq)` of `\(query)` (\(tasks.formatted()) tasks, \(rowCount.formatted()) rows), whole process, vs sqlite3 `.mode \(f.shell)` (median of \(runs), interleaved; wall / CPU; \(load))",
                              pmq: "\(fmt(w[0])) / \(fmt(c[0]))", baseline: "\(fmt(w[1])) / \(fmt(c[1]))",
                              ratio: String(format: "%.2f× / %.2f×", w[0] / w[1], c[0] / c[1]), target: "≤ 1.3×", pass: c[0] / c[1] <= 1.3))
        if sides.count > 2 {
            note("   before: pmq \(fmt(w[2])) wall, \(fmt(c[2])) CPU → wall \(String(format: "%.2f×", w[2] / w[1])), CPU \(String(format: "%.2f×", c[2] / c[1]))")
            figures.append(Figure(id: "o\(n + 1) before", measure: "the same, with the pmq before (\(pmqBefore ?? ""))",
                                  pmq: "\(fmt(w[2])) / \(fmt(c[2]))", baseline: "\(fmt(w[1])) / \(fmt(c[1]))",
                                  ratio: String(format: "%.2f× / %.2f×", w[2] / w[1], c[2] / c[1]), target: "≤ 1.3×", pass: c[2] / c[1] <= 1.3))
        }
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
