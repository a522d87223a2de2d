import CSQLite
import Foundation
import PMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `pmq-bench generate`: a PMQ database of the model. The schema is PMQ's own (the file is
/// first opened with `Session(path:)`, which runs the migrations); the rows are then
/// bulk-inserted with raw prepared statements in one transaction.
func generateDatabase(model: ProjectModel, out: String) throws {
    removeDatabase(out)
    do { _ = try Session(path: out, today: benchToday) }   // creates the schema, then closes

    let c = try RawConnection(path: out)
    try c.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA foreign_keys = OFF")
    try c.exec("BEGIN")
    // Build the task indexes once at the end rather than row by row; their definitions are
    // kept from PMQ's schema and restored unchanged.
    let indexes = try c.rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL ORDER BY rowid")
    for ix in indexes { try c.exec("DROP INDEX \(ix[0]!)") }

    let ps = try c.prepare("INSERT INTO people (id, name, kind, role, department, rate, capacity, backup) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
    for p in model.people() {
        ps.bind(1, p.id); ps.bind(2, p.name); ps.bind(3, p.kind); ps.bind(4, p.role); ps.bind(5, p.department)
        ps.bind(6, p.rate); ps.bind(7, p.capacity); ps.bind(8, p.backup)
        try step(c, ps)
    }
    sqlite3_finalize(ps)

    let pr = model.project()
    let pj = try c.prepare("INSERT INTO projects (id, code, name, client, manager, budget, start, finish, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
    pj.bind(1, pr.id); pj.bind(2, pr.code); pj.bind(3, pr.name); pj.bind(4, pr.client); pj.bind(5, pr.manager)
    pj.bind(6, pr.budget); pj.bind(7, pr.start); pj.bind(8, pr.finish); pj.bind(9, pr.status)
    try step(c, pj)
    sqlite3_finalize(pj)

    let ts = try c.prepare("""
        INSERT INTO tasks (project, wbs, wbs_key, parent_wbs, name, owner, status, priority, start, finish,
            actual_start, actual_finish, baseline_start, baseline_finish, effort, progress, cost, milestone, tags)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
        """)
    try model.forEachTask { t in
        ts.bind(1, pr.id); ts.bind(2, t.wbs); ts.bind(3, t.wbsKey); ts.bind(4, t.parentWbs); ts.bind(5, t.name)
        ts.bind(6, t.owner); ts.bind(7, t.status); ts.bind(8, t.priority); ts.bind(9, t.start); ts.bind(10, t.finish)
        ts.bind(11, t.actualStart); ts.bind(12, t.actualFinish); ts.bind(13, t.baselineStart); ts.bind(14, t.baselineFinish)
        ts.bind(15, t.effort); ts.bind(16, t.progress); ts.bind(17, t.cost); ts.bind(18, t.milestone ? 1 : 0)
        ts.bind(19, t.tags)
        try step(c, ts)
    }
    sqlite3_finalize(ts)

    for ix in indexes { try c.exec(ix[1]!) }
    try c.exec("COMMIT")
    // Leave the file as PMQ keeps its stores: write-ahead log, checked foreign keys.
    try c.exec("PRAGMA journal_mode = WAL")
    let bad = try c.rows("PRAGMA foreign_key_check")
    if !bad.isEmpty { throw BenchError("generator bug: \(bad.count) foreign key violations") }
    // Summaries as PMQ keeps them: rolled up from their children (docs/language.md, “Mid-project truth”).
    try Session(path: out, today: benchToday).rollUpSummaries()
}

private func step(_ c: RawConnection, _ s: OpaquePointer) throws {
    let rc = sqlite3_step(s)
    sqlite3_reset(s)
    guard rc == SQLITE_DONE else { throw BenchError("insert failed: \(String(cString: sqlite3_errmsg(c.db)))") }
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

/// A large buffered file writer (the scripts run to hundreds of megabytes).
final class FileWriter {
    private let f: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []

    init(_ path: String) throws {
        guard let f = fopen(path, "w") else { throw BenchError("cannot write \(path)") }
        self.f = f
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        buffer.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, f) }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() { flush(); fclose(f) }
}

/// `pmq-bench script`: the same people, project and tasks as a PMQ script of `add` lines,
/// and optionally as the equivalent plain SQL for the sqlite3 shell. Both create the same
/// rows in a new file (the SQL carries PMQ's schema, so both build the same indexes).
func writeScripts(model: ProjectModel, pmqOut: String?, sqlOut: String?, sqlIndexesAfterOut: String? = nil, postgresOut: String? = nil) throws {
    let people = model.people()
    let names = people.map(\.name)
    let pr = model.project()
    let pmq = try pmqOut.map { try FileWriter($0) }
    let sql = try sqlOut.map { try FileWriter($0) }
    // The same SQL with PMQ's indexes built after the rows are in (the other way to load).
    let late = try sqlIndexesAfterOut.map { try FileWriter($0) }
    // The same INSERTs for psql, into a schema PMQ has made (pmq-bench postgres).
    let pg = try postgresOut.map { try FileWriter($0) }
    let statements = try (sql != nil || late != nil ? pmqSchemaSQL() : "").components(separatedBy: ";\n").filter { !$0.isEmpty }
    let indexes = statements.filter { $0.hasPrefix("CREATE INDEX") || $0.hasPrefix("CREATE UNIQUE INDEX") }

    func both(_ line: String) { sql?.write(line); late?.write(line); pg?.write(line) }
    pmq?.write("# \(model.tasks) tasks, seed \(model.seed): generated by pmq-bench script\n")
    if let sql {
        sql.write("-- \(model.tasks) tasks, seed \(model.seed): generated by pmq-bench script --sql\n")
        // The same connection settings PMQ uses for a file, then PMQ's own schema.
        sql.write("PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\nPRAGMA foreign_keys = ON;\n")
        sql.write(statements.map { $0 + ";\n" }.joined())
        sql.write("BEGIN;\n")
    }
    if let late {
        late.write("-- \(model.tasks) tasks, seed \(model.seed): generated by pmq-bench, indexes built after the rows\n")
        late.write("PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\nPRAGMA foreign_keys = ON;\n")
        late.write(statements.filter { !indexes.contains($0) }.map { $0 + ";\n" }.joined())
        late.write("BEGIN;\n")
    }
    if let pg {
        pg.write("-- \(model.tasks) tasks, seed \(model.seed): generated by pmq-bench for psql, into a schema PMQ made\n")
        pg.write("BEGIN;\n")
    }
    for p in people {
        var line = "add person \(q(p.name))"
        if p.kind == "team" { line += " kind team" }
        if let r = p.role { line += " role \(q(r))" }
        line += " department \(q(p.department))"
        if let r = p.rate { line += " rate \(Int(r))" }
        if let b = p.backup { line += " backup \(q(names[b - 1]))" }
        pmq?.write(line + "\n")
        both("INSERT INTO people (name, kind, role, department, rate, capacity, backup) VALUES (\(sq(p.name)), \(sq(p.kind)), \(sq(p.role)), \(sq(p.department)), \(p.rate.map { String(Int($0)) } ?? "NULL"), \(Int(p.capacity)), \(p.backup.map(String.init) ?? "NULL"));\n")
    }
    let start = Day(pr.start).iso, finish = Day(pr.finish).iso
    pmq?.write("add project \(q(pr.code)) name \(q(pr.name)) client \(q(pr.client)) manager \(q(names[pr.manager - 1])) budget \(Int(pr.budget)) start \(start) finish \(finish) status \(pr.status)\n")
    both("INSERT INTO projects (code, name, client, manager, budget, start, finish, status) VALUES (\(sq(pr.code)), \(sq(pr.name)), \(sq(pr.client)), \(pr.manager), \(Int(pr.budget)), \(pr.start), \(pr.finish), \(sq(pr.status)));\n")

    model.forEachTask { t in
        pmq?.write("add task \(q(t.name)) wbs \(t.wbs) owner \(q(names[t.owner - 1])) status \(t.status) progress \(Int(t.progress)) start \(Day(t.start).iso) finish \(Day(t.finish).iso) cost \(Int(t.cost))\n")
        both("INSERT INTO tasks (project, wbs, wbs_key, parent_wbs, name, owner, status, progress, start, finish, cost, milestone) VALUES (1, '\(t.wbs)', '\(t.wbsKey)', \(sq(t.parentWbs)), \(sq(t.name)), \(t.owner), '\(t.status)', \(Int(t.progress)), \(t.start), \(t.finish), \(Int(t.cost)), 0);\n")
    }
    sql?.write("COMMIT;\n")
    late?.write("COMMIT;\n" + indexes.map { $0 + ";\n" }.joined())
    pg?.write("COMMIT;\n")
    pg?.close()
    pmq?.close()
    sql?.close()
    late?.close()
}

/// PMQ's schema as SQL text, read from a fresh in-memory store so it always matches the
/// migrations of the PMQ being measured.
func pmqSchemaSQL() throws -> String {
    let tmp = "/tmp/pmq-bench-schema-\(getpid()).db"
    removeDatabase(tmp)
    defer { removeDatabase(tmp) }
    do { _ = try Session(path: tmp) }
    let c = try RawConnection(path: tmp)
    var out = ""
    // SQLite's own tables (sqlite_sequence, made for an AUTOINCREMENT table) cannot be created by hand.
    for r in try c.rows("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid") { out += (r[0] ?? "") + ";\n" }
    let version = try c.rows("PRAGMA user_version")[0][0] ?? "0"
    out += "PRAGMA user_version = \(version);\n"
    return out
}

/// Bump when the generated rows change, so cached files in the work directory are remade.
let generatorVersion = 1

/// A short name for this PMQ's schema and this generator: cached databases and scripts in the
/// work directory carry it, so a schema change (or a generator change) never reuses stale files.
func cacheTag() throws -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in (try pmqSchemaSQL() + "generator \(generatorVersion)").utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return String(h & 0xffff_ffff, radix: 16)
}

/// Removes cached files of the same size and seed made for another schema or generator.
func removeStale(like path: String) {
    let dir = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
    guard let dash = name.lastIndex(of: "-"), let dot = name.lastIndex(of: ".") else { return }
    let prefix = String(name[...dash]), ext = String(name[dot...])
    for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    where f != name && f.hasPrefix(prefix) && f.hasSuffix(ext) && !f.dropFirst(prefix.count).contains("-") {
        removeDatabase(dir + "/" + f)
    }
}

private func q(_ s: String) -> String {
    "\"" + s.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"").replacingAll("{", "{{") + "\""
}

private func sq(_ s: String?) -> String {
    guard let s else { return "NULL" }
    return "'" + s.replacingAll("'", "''") + "'"
}

extension String {
    func replacingAll(_ a: Character, _ b: String) -> String {
        guard contains(a) else { return self }
        var out = ""
        for ch in self { if ch == a { out += b } else { out.append(ch) } }
        return out
    }
}
