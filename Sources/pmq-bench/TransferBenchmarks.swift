import Foundation
import PMQ

// MARK: - t1, t2, t3. Files in and out (issue 14)

/// The model's tasks as a CSV file (what `import ... into tasks` reads), and a PMQ script
/// with its people and project (the database the import goes into).
func writeImportFiles(model: ProjectModel, csv: String, setup: String) throws {
    let people = model.people()
    let names = people.map(\.name)
    let pr = model.project()
    let s = try FileWriter(setup)
    for p in people {
        var line = "add person \(pmqString(p.name)) department \(pmqString(p.department))"
        if p.kind == "team" { line += " kind team" }
        if let r = p.rate { line += " rate \(Int(r))" }
        s.write(line + "\n")
    }
    s.write("add project \(pmqString(pr.code)) name \(pmqString(pr.name)) start \(Day(pr.start).iso) finish \(Day(pr.finish).iso)\n")
    s.close()
    let c = try FileWriter(csv)
    c.write("wbs,name,owner,status,progress,start,finish,cost\n")
    model.forEachTask { t in
        c.write("\(t.wbs),\(csvCell(t.name)),\(csvCell(names[t.owner - 1])),\(t.status),\(Int(t.progress)),\(Day(t.start).iso),\(Day(t.finish).iso),\(Int(t.cost))\n")
    }
    c.close()
}

private func pmqString(_ s: String) -> String {
    "\"" + s.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"").replacingAll("{", "{{") + "\""
}

private func csvCell(_ s: String) -> String {
    s.contains(",") || s.contains("\"") ? "\"" + s.replacingAll("\"", "\"\"") + "\"" : s
}

/// t1. `pmq --db F -e 'import "N.csv" into tasks'` (into a file holding the people and the
/// project) against the sqlite3 shell's `.import` of the same file into a plain table,
/// plus the same index builds as PMQ's tasks table (unique wbs, wbs, owner, status+finish).
/// t2. `export tasks select ... to "out.csv"` against sqlite3 `.mode csv` of the same rows.
func benchTransfer(model: ProjectModel, workdir: String, pmq: String, runs: Int, useHyperfine: Bool, regenerate: Bool, pmqBefore: String? = nil) throws -> [Figure] {
    let base = "\(workdir)/import-\(model.tasks)-seed\(model.seed)-\(try cacheTag())"
    let csv = base + ".csv", setup = base + ".pmq"
    if regenerate || !fileExists(csv) || !fileExists(setup) {
        removeStale(like: csv)
        removeStale(like: setup)
        note("t1. writing \(csv) and \(setup)")
        let t = try measure { try writeImportFiles(model: model, csv: csv, setup: setup) }
        note("   written in \(fmt(t))")
    }
    guard let sqlite3 = which("sqlite3") else { throw BenchError("sqlite3 not found: apt-get install -y sqlite3") }
    let seeded = "\(workdir)/import-seed.db", a = "\(workdir)/import-pmq.db", b = "\(workdir)/import-sqlite3.db"
    removeDatabase(seeded)
    guard try spawn([pmq, "--db", seeded, setup]).status == 0 else { throw BenchError("cannot run \(setup)") }
    let shellScript = "\(workdir)/import-sqlite3.sql"
    try """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE tasks (wbs TEXT NOT NULL, name TEXT NOT NULL, owner TEXT, status TEXT NOT NULL, progress NUMERIC, start TEXT, finish TEXT, cost REAL);
        .import --csv --skip 1 \(csv) tasks
        CREATE UNIQUE INDEX tasks_project_wbs ON tasks(wbs);
        CREATE INDEX tasks_wbs ON tasks(wbs);
        CREATE INDEX tasks_owner ON tasks(owner);
        CREATE INDEX tasks_status_finish ON tasks(status, finish);

        """.write(toFile: shellScript, atomically: true, encoding: .utf8)
    let statement = "import \"\(csv)\" into tasks"
    note("t1. \(model.tasks.formatted()) CSV rows: pmq --db \(a) -e '\(statement)'  vs  sqlite3 \(b) < \(shellScript) (.import + 4 index builds)")
    // With --pmq-before, that binary's import runs too, into a copy of its own, interleaved run by run.
    let a0 = "\(workdir)/import-pmq-before.db"
    var commands: [(argv: [String], stdin: String?, prepare: [String]?)] = [
        ([pmq, "--db", a, "-e", statement], nil, ["sh", "-c", "rm -f \(a) \(a)-wal \(a)-shm && cp \(seeded) \(a)"]),
        ([sqlite3, b], shellScript, ["rm", "-f", b, b + "-wal", b + "-shm"])]
    if let pmqBefore {
        commands.append(([pmqBefore, "--db", a0, "-e", statement], nil, ["sh", "-c", "rm -f \(a0) \(a0)-wal \(a0)-shm && cp \(seeded) \(a0)"]))
    }
    let r = try timeCommands(commands, runs: runs, warmup: 0, useHyperfine: useHyperfine, scratch: workdir)
    if pmqBefore != nil {
        note("   before (\(pmqBefore ?? "")): median \(fmt(r[2].stats.median)) wall, CPU \(fmt(r[2].cpu?.median ?? .nan)); CPU ratio to sqlite3 \(String(format: "%.2f×", (r[2].cpu?.median ?? .nan) / (r[1].cpu?.median ?? .nan)))")
    }
    let ca = try RawConnection(path: a).rows("SELECT count(*), sum(cost), sum(progress), count(DISTINCT owner) FROM tasks")[0]
    let cb = try RawConnection(path: b).rows("SELECT count(*), sum(cost), sum(progress), count(DISTINCT owner) FROM tasks")[0]
    // PMQ rolls summaries up (docs/language.md, “Mid-project truth”): their cost and progress are derived, so the sums
    // differ by design; rows and owners must agree.
    let agree = ca[0] == cb[0] && ca[3] == cb[3] && ca[0] == String(model.tasks)
    note("   checksums (rows, sum(cost), sum(progress), owners): pmq \(ca.map { $0 ?? "null" }), sqlite3 \(cb.map { $0 ?? "null" })" + (agree ? " (rows and owners agree; sums differ by the roll-up of summaries)" : " ** MISMATCH **"))
    let ratio = r[0].stats.median / r[1].stats.median
    note("   median of \(runs) (\(r[0].tool)): pmq \(fmt(r[0].stats.median)) wall (min \(fmt(r[0].stats.min)), CPU \(fmt(r[0].cpu?.median ?? .nan))), sqlite3 \(fmt(r[1].stats.median)) wall (min \(fmt(r[1].stats.min)), CPU \(fmt(r[1].cpu?.median ?? .nan))) → \(String(format: "%.2f×", ratio)); CPU ratio \(String(format: "%.2f×", (r[0].cpu?.median ?? .nan) / (r[1].cpu?.median ?? .nan)))")
    var figures = [Figure(id: "t1", measure: "`import` of \(model.tasks.formatted()) CSV rows into tasks, whole process, vs sqlite3 `.import` + the same 4 index builds (median of \(runs), \(r[0].tool))",
                          pmq: fmt(r[0].stats.median), baseline: fmt(r[1].stats.median), ratio: String(format: "%.2f×", ratio),
                          target: "≤ 1.5×", pass: agree && ratio <= 1.5)]

    // t2. Export the imported rows back to CSV; sqlite3 writes the same columns with .mode csv.
    let outA = "\(workdir)/export-pmq.csv", outB = "\(workdir)/export-sqlite3.csv"
    let exportScript = "\(workdir)/export-sqlite3.sql"
    try """
        .headers on
        .mode csv
        .output \(outB)
        SELECT t.wbs, t.name, p.name AS owner, t.status, t.progress, date(t.start * 86400, 'unixepoch') AS start, date(t.finish * 86400, 'unixepoch') AS finish, t.cost
        FROM tasks t LEFT JOIN people p ON p.id = t.owner ORDER BY t.id;

        """.write(toFile: exportScript, atomically: true, encoding: .utf8)
    let export = "export tasks select wbs, name, owner, status, progress, start, finish, cost to \"\(outA)\""
    note("t2. pmq --db \(a) -e '\(export)'  vs  sqlite3 \(a) < \(exportScript)")
    let e = try timeCommands([([pmq, "--db", a, "-e", export], nil, nil), ([sqlite3, a], exportScript, nil)],
                             runs: runs, warmup: 1, useHyperfine: useHyperfine, scratch: workdir)
    let sizeA = (try? FileManager.default.attributesOfItem(atPath: outA)[.size] as? Int) ?? 0
    let sizeB = (try? FileManager.default.attributesOfItem(atPath: outB)[.size] as? Int) ?? 0
    let eratio = e[0].stats.median / e[1].stats.median
    note("   files: pmq \(sizeA) bytes, sqlite3 \(sizeB) bytes; median of \(runs): pmq \(fmt(e[0].stats.median)) wall (CPU \(fmt(e[0].cpu?.median ?? .nan))), sqlite3 \(fmt(e[1].stats.median)) wall (CPU \(fmt(e[1].cpu?.median ?? .nan))) → \(String(format: "%.2f×", eratio))")
    figures.append(Figure(id: "t2", measure: "`export` of \(model.tasks.formatted()) tasks to CSV, whole process, vs sqlite3 `.mode csv` of the same rows (median of \(runs), \(e[0].tool))",
                          pmq: fmt(e[0].stats.median), baseline: fmt(e[1].stats.median), ratio: String(format: "%.2f×", eratio),
                          target: "≤ 1.5×", pass: eratio <= 1.5))

    figures.append(try benchMSPDIExport(tasks: 10_000, seed: model.seed, workdir: workdir, pmq: pmq, runs: runs, useHyperfine: useHyperfine))
    return figures
}

/// t3. `export project to "F.xml"` (MS Project XML) of a `tasks`-task project, whole process
/// (`pmq-bench mspdi`, and part of `transfer`). The file is checked to hold every task.
func benchMSPDIExport(tasks: Int, seed: UInt64, workdir: String, pmq: String, runs: Int, useHyperfine: Bool) throws -> Figure {
    let small = "\(workdir)/export-\(tasks)-seed\(seed).db"
    if !fileExists(small) {
        try generateDatabase(model: ProjectModel(tasks: tasks, seed: seed), out: small)
    }
    let xml = "\(workdir)/export-\(tasks).xml"
    let k = try timeCommands([([pmq, "--db", small, "-e", "export project to \"\(xml)\""], nil, nil)], runs: runs, warmup: 1,
                             useHyperfine: useHyperfine, scratch: workdir)
    let written = ((try? String(contentsOfFile: xml, encoding: .utf8)) ?? "").components(separatedBy: "<OutlineNumber>").count - 2
    note("t3. pmq --db \(small) -e 'export project to \"\(xml)\"': median \(fmt(k[0].stats.median)) wall (min \(fmt(k[0].stats.min))), CPU \(fmt(k[0].cpu?.median ?? .nan)); \(written) tasks in the file")
    return Figure(id: "t3", measure: "`export project to \"F.xml\"` (MSPDI) of \(tasks.formatted()) tasks, whole process (median of \(runs), \(k[0].tool); CPU \(fmt(k[0].cpu?.median ?? .nan)))",
                  pmq: fmt(k[0].stats.median), baseline: "–", ratio: "–", target: "≤ 1 s", pass: k[0].stats.median <= 1 && written == tasks)
}
