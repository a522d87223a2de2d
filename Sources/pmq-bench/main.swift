import Foundation
import PMQ

let usage = """
usage: pmq-bench <command> [options]

  generate --tasks N [--seed S] --out FILE.db
        a PMQ database of one project: N tasks in a 3-level WBS, ~N/50 people, 5 teams
        (one named "DBA"), realistic status mix around today = 2026-03-16
  script --tasks N [--seed S] [--out FILE.pmq] [--sql FILE.sql]
        the same people, project and tasks as `add` lines, and/or as plain SQL INSERTs
        (BEGIN; ... COMMIT;, with PMQ's schema) for the sqlite3 shell
  compile [--iterations 10000]                      a. parse+check+compile one query
  query --tasks N [--runs 7] [--db FILE.db]           b. three queries, PMQ vs hand-written SQL
  load --tasks N [--load-runs 3]                      c. pmq script.pmq vs sqlite3 < inserts.sql
  update --tasks N [--runs 3] [--db FILE.db]          e. a journaled bulk update vs the bare SQL UPDATE
  loop --tasks N [--db FILE.db]                       f. a for loop with an if and a per-row update
  cpm [--runs 7]                                      g. the CPM pass alone, 10k and 100k activities (issue 6)
  schedule                                            h. pmq -e schedule, whole process, 10k and 100k tasks (issues 6, 9)
  pictures [--cli-runs 20]                            i. gantt of 1k tasks and report to of 10k, whole process (issue 13)
  rollup --tasks N [--runs 7] [--db FILE.db]          j. one leaf's update, and a bulk update of a rolled-up field (issue 9)
  fields --tasks N [--runs 7] [--db FILE.db]          c. a filter on a custom text/number field vs a built-in column (issue 10),
                                                      with the field's index (c1, c2) and without it (c1u, c2u)
  field-writes --tasks N [--runs 3] [--db FILE.db]    w. what a custom field's index costs writers: `update tasks set
                                                      vendor = name` on N tasks (w1) and a load of min(N, 100,000)
                                                      `add task` lines naming the field (w2), with and without it
  reports --tasks N [--runs 7]                        r1–r4. correlated count, downstream of, pivot, ~ (issue 12)
  cli --tasks N [--cli-runs 20] [--db FILE.db]        d. pmq -e 'count tasks where overdue'
  startup --tasks N [--cli-runs 20] [--db FILE.db]    s1. pmq -e 'count projects' vs the sqlite3 shell: start-up (issue 18)
  mspdi --tasks 10000 [--runs 7]                      t3 alone: export project to "F.xml" (MS Project XML) of N tasks
  transfer --tasks N [--load-runs 3]                  t1. import N CSV rows vs sqlite3 .import + indexes;
                                                      t2. export them to CSV vs sqlite3 .mode csv;
                                                      t3. export project to MSPDI, 10k tasks (issue 14)
  output   --tasks N [--cli-runs 20]                  o1-o6. --format table/csv/tsv/json/markdown/html of a
                                                      2,000-row query vs the sqlite3 shell, whole process
  lsp --tasks N [--runs 7] [--db FILE.db]             l. pmq lsp: diagnostics on a change to a 1,000-line
                                                      script, completion, peak memory (issue 17)
  history --tasks N [--runs 7]                        k. as of, changed, history over a year of weekly updates (issue 11)
  level [--limit N] [--skip j60,j120] [PSPLIB_DIR]    v. PSPLIB j30/j60/j120 through `schedule level` (deviation,
                                                      share optimal, time); a whole `pmq -e "schedule level"` on
                                                      1,000 tasks and 50 people (issue 15)
  sql --tasks N [--db FILE.db] [--runs 7] SQL...    time raw SQL statements through the C API
                                                      (for trying a faster SQL shape; ?1 = today)
  postgres --url postgresql://USER@HOST:PORT/DB --tasks N [--runs 7] [--load-runs 1] [--skip b,c]
                                                      pb1–pb3. b1–b3 on a PostgreSQL server vs the same hand-written
                                                      SQL as psql sends it; pc. pmq --db URL script.pmq vs psql -f of
                                                      the same INSERTs (issue 16). Wall, client and server CPU.
  run --tasks N [all the options above]               all of a–d, then a table of figures

options:
  --seed S          generator seed (default 42)
  --workdir DIR     where generated files are kept and reused (default /tmp/pmq-bench)
  --regenerate      generate databases and scripts again even when present
  --pmq PATH        the pmq binary (default: the one next to pmq-bench)
  --pmq-before PATH schedule, load, transfer, output: also time this binary, interleaved run by run (a before/after pair)
  --no-hyperfine    time whole processes here even when hyperfine is installed
  --skip a,b,c,d    leave out parts of `run`
"""

struct Options {
    var command = ""
    var tasks = 10_000
    var seed: UInt64 = 42
    var out: String?
    var sql: String?
    var db: String?
    var iterations = 10_000
    var runs = 7
    var loadRuns = 3
    var cliRuns = 20
    var workdir = "/tmp/pmq-bench"
    var regenerate = false
    var pmq: String?
    var pmqBefore: String?
    var hyperfine = true
    var skip: Set<String> = []
    var positional: [String] = []
    var limit: Int?
    var url: String?
}

func parseOptions(_ args: [String]) throws -> Options {
    var o = Options()
    guard let command = args.first else { throw BenchError(usage) }
    if ["-h", "--help", "help"].contains(command) { print(usage); exit(0) }
    o.command = command
    var i = 1
    func value() throws -> String {
        i += 1
        guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value") }
        return args[i]
    }
    func int(_ s: String) throws -> Int {
        guard let v = Int(s.replacingOccurrences(of: "_", with: "")
            .replacingOccurrences(of: "k", with: "000").replacingOccurrences(of: "M", with: "000000")), v > 0 else {
            throw BenchError("not a positive number: \(s)")
        }
        return v
    }
    while i < args.count {
        switch args[i] {
        case "--tasks": o.tasks = try int(try value())
        case "--seed": o.seed = UInt64(try int(try value()))
        case "--out": o.out = try value()
        case "--sql": o.sql = try value()
        case "--db": o.db = try value()
        case "--iterations": o.iterations = try int(try value())
        case "--runs": o.runs = try int(try value())
        case "--load-runs": o.loadRuns = try int(try value())
        case "--cli-runs": o.cliRuns = try int(try value())
        case "--workdir": o.workdir = try value()
        case "--regenerate": o.regenerate = true
        case "--pmq": o.pmq = try value()
        case "--pmq-before": o.pmqBefore = try value()
        case "--no-hyperfine": o.hyperfine = false
        case "--limit": o.limit = try int(try value())
        case "--url": o.url = try value()
        case "--skip": o.skip = Set(try value().split(separator: ",").map { String($0) })
        case "-h", "--help": print(usage); exit(0)
        default:
            if args[i].hasPrefix("--") { throw BenchError("unknown option \(args[i])\n\n\(usage)") }
            o.positional.append(args[i])
        }
        i += 1
    }
    return o
}

/// The benchmark database for `--tasks N --seed S`, generated once and reused.
func ensureDatabase(_ o: Options) throws -> String {
    if let db = o.db { return db }
    let path = "\(o.workdir)/tasks-\(o.tasks)-seed\(o.seed)-\(try cacheTag()).db"
    if o.regenerate || !fileExists(path) {
        removeStale(like: path)
        note("generating \(path)")
        let t = try measure { try generateDatabase(model: ProjectModel(tasks: o.tasks, seed: o.seed), out: path) }
        note("   generated in \(fmt(t))")
    }
    return path
}

func machineDescription() -> String {
    var cpu = "unknown CPU"
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
       let name = line.split(separator: ":", maxSplits: 1).last {
        cpu = name.trimmingCharacters(in: .whitespaces)
    }
    let mem = ProcessInfo.processInfo.physicalMemory / (1 << 30)
    let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " ")
    return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), \(mem) GiB; load average \(load)"
}

func main() throws {
    let o = try parseOptions(Array(CommandLine.arguments.dropFirst()))
    if o.command != "sql", o.command != "level", let extra = o.positional.first { throw BenchError("unexpected argument \(extra)\n\n\(usage)") }
    let model = ProjectModel(tasks: o.tasks, seed: o.seed)
    let pmq = o.pmq ?? executableDirectory() + "/pmq"
    switch o.command {
    case "generate":
        guard let out = o.out else { throw BenchError("generate needs --out FILE.db") }
        let t = try measure { try generateDatabase(model: model, out: out) }
        note("wrote \(out): \(o.tasks) tasks, \(model.peopleCount) people in \(fmt(t))")
    case "script":
        guard o.out != nil || o.sql != nil else { throw BenchError("script needs --out FILE.pmq and/or --sql FILE.sql") }
        let t = try measure { try writeScripts(model: model, pmqOut: o.out, sqlOut: o.sql) }
        note("wrote \([o.out, o.sql].compactMap { $0 }.joined(separator: " and ")) in \(fmt(t))")
    case "compile":
        printTable(try benchCompile(iterations: o.iterations))
    case "query":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchQueries(dbPath: try ensureDatabase(o), runs: o.runs, tasks: o.tasks))
    case "load":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable(try benchLoad(model: model, workdir: o.workdir, pmq: pmq, runs: o.loadRuns, useHyperfine: o.hyperfine, regenerate: o.regenerate, pmqBefore: o.pmqBefore))
        note("machine: \(machineDescription())")
    case "cli":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchCLI(dbPath: try ensureDatabase(o), tasks: o.tasks, pmq: pmq, runs: o.cliRuns, useHyperfine: o.hyperfine, workdir: o.workdir))
    case "startup":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchStartup(dbPath: try ensureDatabase(o), pmq: pmq, runs: o.cliRuns, useHyperfine: o.hyperfine, workdir: o.workdir))
    case "update":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchUpdate(dbPath: try ensureDatabase(o), runs: o.runs, tasks: o.tasks, workdir: o.workdir))
    case "loop":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchLoop(dbPath: try ensureDatabase(o), tasks: o.tasks, workdir: o.workdir))
    case "transfer":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable(try benchTransfer(model: model, workdir: o.workdir, pmq: pmq, runs: o.loadRuns, useHyperfine: o.hyperfine, regenerate: o.regenerate, pmqBefore: o.pmqBefore))
        note("machine: \(machineDescription())")
    case "mspdi":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable([try benchMSPDIExport(tasks: o.tasks, seed: model.seed, workdir: o.workdir, pmq: pmq, runs: o.runs, useHyperfine: o.hyperfine)])
        note("machine: \(machineDescription())")
    case "output":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable(try benchOutput(dbPath: try ensureDatabase(o), tasks: o.tasks, pmq: pmq, pmqBefore: o.pmqBefore, runs: o.cliRuns, workdir: o.workdir))
        note("machine: \(machineDescription())")
    case "cpm":
        printTable(try benchCPM(runs: o.runs))
    case "postgres":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        let figures = try benchPostgres(o, pmq: pmq)
        note("machine: \(machineDescription())")
        printTable(figures)
        if figures.contains(where: { $0.pass == false }) { exit(1) }
    case "rollup":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchRollup(dbPath: try ensureDatabase(o), runs: o.runs, tasks: o.tasks, workdir: o.workdir))
    case "fields":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable(try benchFields(dbPath: try ensureDatabase(o), runs: o.runs, tasks: o.tasks, workdir: o.workdir))
        note("machine: \(machineDescription())")
    case "field-writes":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable(try benchFieldWrites(dbPath: try ensureDatabase(o), model: ProjectModel(tasks: min(o.tasks, 100_000), seed: o.seed),
                                        runs: o.runs, tasks: o.tasks, workdir: o.workdir, pmq: pmq))
        note("machine: \(machineDescription())")
    case "lsp":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable(try benchLanguageServer(dbPath: try ensureDatabase(o), tasks: o.tasks, pmq: pmq, runs: o.runs))
    case "history":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        printTable(try benchHistory(o))
    case "schedule":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchScheduleCLI(o, pmq: pmq))
    case "level":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        var figures: [Figure] = []
        if !o.skip.contains("1k") { figures += try benchLevelCLI(o, pmq: pmq) }
        figures += try benchLevel(o)
        note("machine: \(machineDescription())")
        printTable(figures)
    case "pictures":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchPictures(o, pmq: pmq))
    case "reports":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        printTable(try benchReports(o))
    case "sql":
        let db = try ensureDatabase(o)
        let raw = try RawConnection(path: db)
        var samples = Array(repeating: [Double](), count: o.positional.count)
        for (i, sql) in o.positional.enumerated() {
            let r = try raw.runAll(sql, [.int(benchToday.number)])
            note("[\(i + 1)] \(r.rows) rows, first column total \(r.first): \(sql)\n    plan: \(try plan(raw, sql, [.int(benchToday.number)]))")
        }
        for _ in 0..<o.runs {
            for (i, sql) in o.positional.enumerated() {
                samples[i].append(try measure { blackHole(try raw.runAll(sql, [.int(benchToday.number)])) })
            }
        }
        for (i, s) in samples.enumerated() {
            let st = Stats(s)
            print("[\(i + 1)] median \(fmt(st.median))  min \(fmt(st.min))  max \(fmt(st.max))")
        }
    case "run":
        try FileManager.default.createDirectory(atPath: o.workdir, withIntermediateDirectories: true)
        note("machine: \(machineDescription())")
        var figures: [Figure] = []
        if !o.skip.contains("a") { figures += try benchCompile(iterations: o.iterations) }
        if !o.skip.contains("b") || !o.skip.contains("d") {
            let db = try ensureDatabase(o)
            if !o.skip.contains("b") { figures += try benchQueries(dbPath: db, runs: o.runs, tasks: o.tasks) }
            if !o.skip.contains("d") {
                figures += try benchCLI(dbPath: db, tasks: o.tasks, pmq: pmq, runs: o.cliRuns, useHyperfine: o.hyperfine, workdir: o.workdir)
            }
        }
        if !o.skip.contains("e") { figures += try benchUpdate(dbPath: try ensureDatabase(o), runs: max(3, o.runs / 3), tasks: o.tasks, workdir: o.workdir) }
        if !o.skip.contains("f") {
            // The loop target is for 100,000 tasks, whatever --tasks is.
            var small = o
            small.tasks = min(o.tasks, 100_000)
            figures += try benchLoop(dbPath: try ensureDatabase(small), tasks: small.tasks, workdir: o.workdir)
        }
        if !o.skip.contains("g") { figures += try benchCPM(runs: o.runs) }
        if !o.skip.contains("h") { figures += try benchScheduleCLI(o, pmq: pmq) }
        if !o.skip.contains("i") { figures += try benchPictures(o, pmq: pmq) }
        if !o.skip.contains("j") {
            var small = o
            small.tasks = min(o.tasks, 100_000)
            figures += try benchRollup(dbPath: try ensureDatabase(small), runs: o.runs, tasks: small.tasks, workdir: o.workdir)
        }
        if !o.skip.contains("t") {
            figures += try benchTransfer(model: model, workdir: o.workdir, pmq: pmq, runs: o.loadRuns, useHyperfine: o.hyperfine, regenerate: o.regenerate)
        }
        if !o.skip.contains("l") {
            // The language server's memory target is for 100,000 tasks, whatever --tasks is.
            var small = o
            small.tasks = min(o.tasks, 100_000)
            figures += try benchLanguageServer(dbPath: try ensureDatabase(small), tasks: small.tasks, pmq: pmq, runs: o.runs)
        }
        if !o.skip.contains("c") {
            figures += try benchLoad(model: model, workdir: o.workdir, pmq: pmq, runs: o.loadRuns, useHyperfine: o.hyperfine, regenerate: o.regenerate)
        }
        print("machine: \(machineDescription())")
        printTable(figures.sorted { $0.id < $1.id })
        if figures.contains(where: { $0.pass == false }) { exit(1) }
    default:
        throw BenchError("unknown command \(o.command)\n\n\(usage)")
    }
}

do {
    try main()
} catch {
    fputs("pmq-bench: \(error)\n", stderr)
    exit(2)
}
