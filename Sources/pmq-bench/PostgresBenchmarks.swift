import CLibPQ
import Foundation
import PMQ
#if canImport(Glibc)
import Glibc
#endif

// `pmq-bench postgres --url postgresql://USER@HOST:PORT/DB`: the figures of issue 16 on a
// PostgreSQL server. pb1–pb3 are b1–b3 (PMQ's `Session.run` against the same hand-written
// SQL sent as psql sends it: the simple query protocol, text results), pc is the 1M-line
// `add task` load (`pmq --db URL script.pmq` against `psql -f` of the same INSERTs). Each
// figure gives wall time and CPU: the client's (this process, or the child's rusage) and the
// server's (the backend's /proc/PID/stat; for whole processes the whole cluster's, whose
// ended backends are counted in the postmaster's children's time).

/// A plain libpq connection with nothing of PMQ in between.
final class PGConnection {
    let c: OpaquePointer

    init(_ url: String) throws {
        guard let c = PQconnectdb(url), PQstatus(c) == CONNECTION_OK else {
            throw BenchError("cannot connect to \(url)")
        }
        self.c = c
        PQclear(PQexec(c, "SET client_min_messages = warning"))
    }

    deinit { PQfinish(c) }

    /// Runs SQL (one or more statements, simple query protocol); the last result's rows as text.
    @discardableResult
    func rows(_ sql: String) throws -> [[String?]] {
        let r = PQexec(c, sql)
        defer { PQclear(r) }
        let status = PQresultStatus(r)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw BenchError("PostgreSQL: \(String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines))\n  in: \(sql.prefix(300))")
        }
        return (0..<PQntuples(r)).map { i in
            (0..<PQnfields(r)).map { j in PQgetisnull(r, i, j) != 0 ? nil : String(cString: PQgetvalue(r, i, j)) }
        }
    }

    /// What psql does for a query before printing it: send it, receive every row; the row count.
    func run(_ sql: String) throws -> Int {
        let r = PQexec(c, sql)
        defer { PQclear(r) }
        guard PQresultStatus(r) == PGRES_TUPLES_OK else { throw BenchError("PostgreSQL: \(String(cString: PQerrorMessage(c)))") }
        return Int(PQntuples(r))
    }

    func value(_ sql: String) throws -> String? { try rows(sql).first?.first ?? nil }

    /// COPY ... FROM STDIN with the lines `produce` writes (text format).
    func copy(_ sql: String, _ produce: ((String) -> Void) throws -> Void) throws {
        let r = PQexec(c, sql)
        guard PQresultStatus(r) == PGRES_COPY_IN else { PQclear(r); throw BenchError("COPY did not start: \(String(cString: PQerrorMessage(c)))") }
        PQclear(r)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func send() {
            buffer.withUnsafeBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { _ = PQputCopyData(c, $0, Int32(p.count)) }
            }
            buffer.removeAll(keepingCapacity: true)
        }
        try produce { line in
            buffer.append(contentsOf: line.utf8)
            buffer.append(10)
            if buffer.count >= 1 << 20 { send() }
        }
        if !buffer.isEmpty { send() }
        guard PQputCopyEnd(c, nil) == 1 else { throw BenchError("COPY end: \(String(cString: PQerrorMessage(c)))") }
        while let r = PQgetResult(c) {
            defer { PQclear(r) }
            if PQresultStatus(r) != PGRES_COMMAND_OK { throw BenchError("COPY: \(String(cString: PQerrorMessage(c)))") }
        }
    }

    var backendPID: Int32 { PQbackendPID(c) }
}

// MARK: - Server CPU from /proc

/// utime + stime (and, with `children`, the reaped children's) of a process, in seconds.
func processCPU(_ pid: Int32, children: Bool = false) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    // Fields after "(comm)": state is field 3; utime 14, stime 15, cutime 16, cstime 17.
    let fields = text[text.index(after: close)...].split(separator: " ")
    func f(_ n: Int) -> Double { Double(fields[n - 3]) ?? 0 }
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    return (f(14) + f(15) + (children ? f(16) + f(17) : 0)) / ticks
}

func parentPID(_ pid: Int32) -> Int32? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    return fields.count > 1 ? Int32(fields[1]) : nil
}

/// The CPU the whole cluster has used: the postmaster, its live processes, and the backends
/// that ended (their time is added to the postmaster's children's time when it reaps them).
func clusterCPU(postmaster: Int32) -> Double {
    var total = processCPU(postmaster, children: true)
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry), pid != postmaster, parentPID(pid) == postmaster else { continue }
        total += processCPU(pid)
    }
    return total
}

// MARK: - The model on the server

/// The URL of `schema` in the database `url` names.
func schemaURL(_ url: String, _ schema: String) -> String {
    url + (url.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(schema)"
}

/// COPY's text format: backslash, tab and line breaks escaped; nil is \N.
func copyField(_ s: String?) -> String {
    guard let s else { return "\\N" }
    guard s.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return s }
    return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
        .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
}
func copyField(_ i: Int?) -> String { i.map(String.init) ?? "\\N" }
func copyField(_ d: Double?) -> String { d.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : "\($0)" } ?? "\\N" }

/// The benchmark model in a schema of its own, generated once and reused: PMQ's schema (the
/// schema is opened with `Session(path:)` first, which runs the migrations), then the rows by
/// COPY in one transaction with the task indexes built after, summaries rolled up, and
/// VACUUM ANALYZE (what autovacuum does to a freshly loaded table on any server).
func ensurePostgresModel(_ o: Options, url: String) throws -> String {
    let model = ProjectModel(tasks: o.tasks, seed: o.seed)
    let prefix = "pmqbench_\(o.tasks)_s\(o.seed)_"
    let schema = prefix + (try cacheTag())
    let admin = try PGConnection(url)
    let done = try admin.value("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = '\(schema)'")
    if !o.regenerate && done == "pmq-bench complete" { return schema }
    for r in try admin.rows("SELECT nspname FROM pg_namespace WHERE nspname LIKE '\(prefix)%'") {
        try admin.rows("DROP SCHEMA \(r[0]!) CASCADE")
    }
    try admin.rows("CREATE SCHEMA \(schema)")
    let target = schemaURL(url, schema)
    note("pg. generating \(o.tasks.formatted()) tasks in schema \(schema)")
    let t = try measure {
        do { _ = try Session(path: target, today: benchToday) }   // PMQ's schema, then closed
        let c = try PGConnection(target)
        try c.rows("BEGIN")
        let indexes = try c.rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'tasks' AND indexname NOT LIKE '%pkey'")
        for ix in indexes { try c.rows("DROP INDEX \(ix[0]!)") }
        try c.copy("COPY people (id, name, kind, role, department, rate, capacity, backup) FROM STDIN") { line in
            for p in model.people() {
                line([copyField(p.id), copyField(p.name), copyField(p.kind), copyField(p.role), copyField(p.department),
                      copyField(p.rate), copyField(p.capacity), copyField(p.backup)].joined(separator: "\t"))
            }
        }
        let pr = model.project()
        try c.copy("COPY projects (id, code, name, client, manager, budget, start, finish, status) FROM STDIN") { line in
            line([copyField(pr.id), copyField(pr.code), copyField(pr.name), copyField(pr.client), copyField(pr.manager),
                  copyField(pr.budget), copyField(pr.start), copyField(pr.finish), copyField(pr.status)].joined(separator: "\t"))
        }
        try c.copy("""
            COPY tasks (project, wbs, wbs_key, parent_wbs, name, owner, status, priority, start, finish, actual_start, actual_finish,
                baseline_start, baseline_finish, effort, progress, cost, milestone, tags) FROM STDIN
            """) { line in
            try model.forEachTask { t in
                line([copyField(pr.id), copyField(t.wbs), copyField(t.wbsKey), copyField(t.parentWbs), copyField(t.name), copyField(t.owner),
                      copyField(t.status), copyField(t.priority), copyField(t.start), copyField(t.finish), copyField(t.actualStart),
                      copyField(t.actualFinish), copyField(t.baselineStart), copyField(t.baselineFinish), copyField(t.effort),
                      copyField(t.progress), copyField(t.cost), t.milestone ? "1" : "0", copyField(t.tags)].joined(separator: "\t"))
            }
        }
        for table in ["people", "projects"] {
            try c.rows("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), (SELECT max(id) FROM \(table)))")
        }
        for ix in indexes { try c.rows(ix[1]!) }
        try c.rows("COMMIT")
        // Summaries as PMQ keeps them: rolled up from their children (spec §8.1).
        try Session(path: target, today: benchToday).rollUpSummaries()
        try c.rows("VACUUM ANALYZE")
    }
    try admin.rows("COMMENT ON SCHEMA \(schema) IS 'pmq-bench complete'")
    note("   generated in \(fmt(t))")
    return schema
}

/// The server's settings that matter for these figures, as it reports them.
func serverSettings(_ c: PGConnection) throws -> String {
    let names = ["server_version", "shared_buffers", "work_mem", "effective_cache_size", "fsync", "synchronous_commit",
                 "full_page_writes", "wal_level", "max_wal_size", "jit", "max_parallel_workers_per_gather", "autovacuum"]
    return try names.map { n in "\(n)=\(try c.value("SHOW \(n)") ?? "?")" }.joined(separator: ", ")
}

// MARK: - pb1–pb3: queries

/// b1–b3 as a person would write them for PostgreSQL in psql: literal values, the same rows.
func postgresQueryCases() -> [QueryCase] {
    let today = benchToday.number
    let cases = queryCases()
    let hand = [
        """
        SELECT t.wbs, t.name, p.name, t.status, t.start, t.finish, t.progress \
        FROM people p JOIN tasks t ON t.owner = p.id \
        WHERE p.name = 'DBA' AND ((t.status IN ('todo', 'doing', 'blocked') AND t.finish < \(today - 3)) \
        OR (t.status = 'done' AND t.actual_finish - t.finish > 3)) ORDER BY t.id
        """,
        """
        SELECT count(*) FROM tasks WHERE progress < 50 AND \
        CASE status WHEN 'done' THEN actual_finish - finish > 3 WHEN 'cancelled' THEN false ELSE finish < \(today - 3) END
        """,
        """
        SELECT p.name, g.n, g.s FROM (SELECT owner, count(*) AS n, sum(cost) AS s FROM tasks \
        WHERE status <> 'done' GROUP BY owner) g LEFT JOIN people p ON p.id = g.owner ORDER BY p.name
        """,
    ]
    return zip(cases, hand).map { QueryCase(label: $0.label, pmq: $0.pmq, handSQL: $1, handArgs: []) }
}

func threadCPU() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(1), &u)   // RUSAGE_THREAD
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func benchPostgresQueries(_ o: Options, url: String, schema: String, psql: String?) throws -> [Figure] {
    let target = schemaURL(url, schema)
    let session = try Session(path: target, today: benchToday)
    let hand = try PGConnection(target)
    guard case .integer(let pmqBackend) = try session.db.scalar("SELECT pg_backend_pid()") else { throw BenchError("no backend pid") }
    let handBackend = hand.backendPID
    var figures: [Figure] = []
    for (n, c) in postgresQueryCases().enumerated() {
        guard case .success(let stmt) = session.compileQuery(c.pmq) else { throw BenchError("does not compile: \(c.pmq)") }
        note("pb\(n + 1). \(c.pmq)")
        note("   PMQ SQL:  \(stmt.sql)")
        note("   args:     \(stmt.args.map { "\($0)" }.joined(separator: ", "))")
        note("   PMQ plan: " + (try session.db.plan(stmt.sql, stmt.args)).joined(separator: " / "))
        note("   hand SQL: \(c.handSQL)")
        note("   hand plan: " + (try hand.rows("EXPLAIN " + c.handSQL)).map { $0[0] ?? "" }.joined(separator: " / "))

        // Warm the server's cache and check that both sides agree.
        let (results, diags) = session.run(c.pmq)
        if !diags.isEmpty { throw BenchError("PMQ failed: \(diags.map { $0.message })") }
        let pmqSummary = summary(results)
        let handRows = try hand.rows(c.handSQL)
        let handCount = pmqSummary.value != nil ? Int(handRows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? -1) : handRows.count
        let pmqCount = pmqSummary.value.map { Int($0) } ?? pmqSummary.rows
        let agree = handCount == pmqCount
        note("   result: PMQ \(pmqSummary.value != nil ? "count" : "rows") \(pmqCount), hand SQL \(handCount)" + (agree ? " (agree)" : "  ** MISMATCH **"))

        var wall: [[Double]] = [[], []], client: [[Double]] = [[], []]
        let server0 = (processCPU(Int32(pmqBackend)), processCPU(handBackend))
        for round in 0..<o.runs {
            // Interleaved, and in turn first, so drift in the machine's state hits both alike.
            for side in round % 2 == 0 ? [0, 1] : [1, 0] {
                let c0 = threadCPU()
                let t = try measure {
                    if side == 0 { blackHole(session.run(c.pmq)) } else { blackHole(try hand.run(c.handSQL)) }
                }
                wall[side].append(t)
                client[side].append(threadCPU() - c0)
            }
        }
        let server = [(processCPU(Int32(pmqBackend)) - server0.0) / Double(o.runs), (processCPU(handBackend) - server0.1) / Double(o.runs)]
        let w = wall.map { Stats($0).median }, cl = client.map { Stats($0).median }
        var psqlNote = ""
        if let psql {
            let p = try psqlTiming(psql, target, c.handSQL, runs: o.runs)
            psqlNote = "; psql \\timing \(fmt(p))"
            note("   psql -c with \\timing, median of \(o.runs): \(fmt(p))")
        }
        let ratio = w[0] / w[1]
        let cpuRatio = (cl[0] + server[0]) / (cl[1] + server[1])
        note("   median of \(o.runs): PMQ \(fmt(w[0])) wall (client CPU \(fmt(cl[0])), server CPU \(fmt(server[0]))); hand SQL \(fmt(w[1])) wall (client \(fmt(cl[1])), server \(fmt(server[1]))) → \(String(format: "%.2f×", ratio)) wall, \(String(format: "%.2f×", cpuRatio)) CPU")
        figures.append(Figure(
            id: "pb\(n + 1)",
            measure: "\(c.label), \(o.tasks.formatted()) tasks: `\(c.pmq)` (\(pmqCount) \(pmqSummary.value != nil ? "counted" : "rows"); CPU client + server: PMQ \(fmt(cl[0])) + \(fmt(server[0])), hand \(fmt(cl[1])) + \(fmt(server[1]))\(psqlNote))",
            pmq: fmt(w[0]), baseline: fmt(w[1]), ratio: String(format: "%.2f×", ratio), target: "≤ 1.3×",
            pass: agree && ratio <= 1.3))
    }
    return figures
}

/// The median of psql's own `\timing` for `sql` run `runs` times in one psql session (rows
/// received but printed to /dev/null).
func psqlTiming(_ psql: String, _ url: String, _ sql: String, runs: Int) throws -> Double {
    let file = NSTemporaryDirectory() + "pmq-bench-psql-\(getpid()).sql"
    let out = file + ".out"
    let script = "\\timing on\n\\o /dev/null\n" + String(repeating: sql + ";\n", count: runs + 1)
    try script.write(toFile: file, atomically: true, encoding: .utf8)
    defer { unlink(file); unlink(out) }
    let r = try spawnMeasuredTo([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file, url], stdout: out)
    guard r.status == 0 else { throw BenchError("psql exited with \(r.status)") }
    let times = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line -> Double? in
        guard line.hasPrefix("Time: ") else { return nil }
        return Double(line.dropFirst(6).split(separator: " ")[0]).map { $0 / 1000 }
    }
    guard times.count == runs + 1 else { throw BenchError("psql printed \(times.count) timings") }
    return Stats(Array(times.dropFirst())).median   // the first run warms up
}

/// `spawnMeasured` with standard output kept in a file.
func spawnMeasuredTo(_ argv: [String], stdout path: String, stdinPath: String? = nil, env: [String: String] = [:]) throws -> (status: Int32, seconds: Double, cpu: Double) {
    guard let exe = which(argv[0]) else { throw BenchError("\(argv[0]) not found") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    var environment = ProcessInfo.processInfo.environment
    for (k, v) in env { environment[k] = v }
    var cenv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in cenv { free(p) } }
    var pid: pid_t = 0
    let clock = ContinuousClock()
    let start = clock.now
    let rc = posix_spawn(&pid, exe, &actions, nil, &cargs, &cenv)
    guard rc == 0 else { throw BenchError("cannot run \(exe): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let seconds = (clock.now - start).seconds
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : -1, seconds, cpu)
}

// MARK: - pc: loading N `add task` lines

func benchPostgresLoad(_ o: Options, url: String, pmq: String, psql: String) throws -> [Figure] {
    let model = ProjectModel(tasks: o.tasks, seed: o.seed)
    let base = "\(o.workdir)/tasks-\(model.tasks)-seed\(model.seed)-\(try cacheTag())"
    let script = base + ".pmq", sql = base + "-postgres.sql"
    if o.regenerate || !fileExists(script) || !fileExists(sql) {
        removeStale(like: script)
        removeStale(like: sql)
        note("pc. writing \(script) and \(sql)")
        try writeScripts(model: model, pmqOut: script, sqlOut: nil, postgresOut: sql)
    }
    let admin = try PGConnection(url)
    // The postmaster: the parent of any backend.
    guard let postmaster = parentPID(admin.backendPID) else { throw BenchError("the server is not on this machine: no server CPU") }
    let schemas = ["pmqload_pmq", "pmqload_psql"]
    func fresh(_ s: String) throws {
        try admin.rows("DROP SCHEMA IF EXISTS \(s) CASCADE; CREATE SCHEMA \(s)")
        _ = try Session(path: schemaURL(url, s), today: benchToday)   // PMQ's schema on both sides
        try admin.rows("CHECKPOINT")
    }
    let commands: [[String]] = [
        [pmq, "--db", schemaURL(url, schemas[0]), script],
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", sql, schemaURL(url, schemas[1])],
    ]
    note("pc. loading \(model.tasks.formatted()) add-task lines: \(commands[0].map(shq).joined(separator: " "))  vs  \(commands[1].map(shq).joined(separator: " "))")
    var wall: [[Double]] = [[], []], client: [[Double]] = [[], []], server: [[Double]] = [[], []]
    for round in 0..<o.loadRuns {
        for side in round % 2 == 0 ? [0, 1] : [1, 0] {
            try fresh(schemas[side])
            let s0 = clusterCPU(postmaster: postmaster)
            let r = try spawnMeasuredTo(commands[side], stdout: "/dev/null")
            guard r.status == 0 else { throw BenchError("\(commands[side].joined(separator: " ")) exited with \(r.status)") }
            usleep(300_000)   // the ended backend is reaped, its time lands in the postmaster's
            let s1 = clusterCPU(postmaster: postmaster)
            wall[side].append(r.seconds); client[side].append(r.cpu); server[side].append(s1 - s0)
            note("   run \(round + 1) \(side == 0 ? "pmq " : "psql"): \(fmt(r.seconds)) wall, client CPU \(fmt(r.cpu)), server CPU \(fmt(s1 - s0)); load \(loadAverage())")
        }
    }
    let check = """
        SELECT count(*), sum(cost), count(DISTINCT owner), sum(start), sum(finish), sum(progress), count(parent_wbs), sum(length(wbs_key)),
            sum(length(name)), string_agg(DISTINCT status, ','), (SELECT count(*) FROM people), (SELECT count(*) FROM projects) FROM tasks
        """
    // PMQ rolls the summaries up from their children as it loads (spec §8.1); the plain
    // INSERTs do not, so that side is rolled up now, untimed, before the rows are compared.
    try Session(path: schemaURL(url, schemas[1]), today: benchToday).rollUpSummaries()
    let sums = try schemas.map { try PGConnection(schemaURL(url, $0)).rows(check)[0] }
    let agree = sums[0] == sums[1] && sums[0][0] == String(model.tasks)
    note("   checksums: pmq \(sums[0].map { $0 ?? "null" }), psql \(sums[1].map { $0 ?? "null" })" + (agree ? " (agree)" : " ** MISMATCH **"))
    for s in schemas { try admin.rows("DROP SCHEMA IF EXISTS \(s) CASCADE") }
    let w = wall.map { Stats($0).median }, cl = client.map { Stats($0).median }, sv = server.map { Stats($0).median }
    let ratio = w[0] / w[1], cpuRatio = (cl[0] + sv[0]) / (cl[1] + sv[1])
    note("   median of \(o.loadRuns): pmq \(fmt(w[0])) wall, CPU \(fmt(cl[0])) + server \(fmt(sv[0])); psql \(fmt(w[1])) wall, CPU \(fmt(cl[1])) + server \(fmt(sv[1])) → \(String(format: "%.2f×", ratio)) wall, \(String(format: "%.2f×", cpuRatio)) CPU")
    return [Figure(
        id: "pc", measure: "load \(model.tasks.formatted()) `add task` lines: `pmq --db URL script.pmq` vs `psql -f` of the same rows as INSERTs in one transaction, whole process (median of \(o.loadRuns), interleaved; CPU client + server: pmq \(fmt(cl[0])) + \(fmt(sv[0])), psql \(fmt(cl[1])) + \(fmt(sv[1])), \(String(format: "%.2f×", cpuRatio)))",
        pmq: fmt(w[0]), baseline: fmt(w[1]), ratio: String(format: "%.2f×", ratio), target: "≤ 2×", pass: agree && ratio <= 2)]
}

/// `pmq-bench postgres`: pb1–pb3 and pc on the server `--url` names.
func benchPostgres(_ o: Options, pmq: String) throws -> [Figure] {
    guard let url = o.url ?? ProcessInfo.processInfo.environment["PMQ_BENCH_POSTGRES"] else {
        throw BenchError("postgres needs --url postgresql://USER@HOST:PORT/DB (or $PMQ_BENCH_POSTGRES)")
    }
    let admin = try PGConnection(url)
    note("server: \(try serverSettings(admin))")
    let psql = which("psql")
    var figures: [Figure] = []
    if !o.skip.contains("b") {
        let schema = try ensurePostgresModel(o, url: url)
        figures += try benchPostgresQueries(o, url: url, schema: schema, psql: psql)
    }
    if !o.skip.contains("c") {
        guard let psql else { throw BenchError("psql not found: apt-get install -y postgresql-client") }
        figures += try benchPostgresLoad(o, url: url, pmq: pmq, psql: psql)
    }
    return figures
}
