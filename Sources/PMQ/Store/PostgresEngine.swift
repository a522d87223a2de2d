import CLibPQ
import Foundation

/// The PostgreSQL engine: one libpq connection to `postgresql://USER@HOST[:PORT]/DB`.
///
/// Executors write SQLite's spelling of standard SQL with `?N` placeholders; `PostgresSQL.adapt`
/// turns that spelling into PostgreSQL's once per distinct text (placeholders, the temp schema,
/// `IS` between values, SQLite's upsert forms). The functions PMQ's SQL calls (`pmq_contains`,
/// the working-day arithmetic, ...) are installed by the PostgreSQL migration as SQL and
/// PL/pgSQL functions, so every query stays one statement run in the server.
///
/// Values are sent as text with a type where the value has one (bigint, double precision) and
/// untyped otherwise, so the server takes a text value as the type its column has.
public final class PostgresEngine: Engine {
    private var connection: OpaquePointer?
    public let url: String
    public var upgradedFrom: Int?
    public let dialect: SQLDialect = PostgresDialect()
    public var kind: EngineKind { .postgres }
    public var location: String? { PostgresEngine.shown(url) }
    public private(set) var databaseUser: String?
    private var adapted: [String: String] = [:]
    private var progress: (() -> Bool)?
    private let cancelLock = NSLock()

    /// Connects; a failure says which host and database, and the server's reason.
    public init(url: String) throws {
        let url = PostgresEngine.lowerCaseScheme(url)
        self.url = url
        if !PostgresEngine.namesDatabase(url) {
            throw StoreError(.cannotOpen, "cannot open database \(PostgresEngine.shown(url)): name the database: postgresql://USER@HOST[:PORT]/DB "
                             + "(without one the server's default is used, most often its maintenance database)")
        }
        try connect()
    }

    /// The URL with its scheme in lower case, as libpq reads it: a scheme is case-insensitive
    /// (RFC 3986 §3.1), so `POSTGRESQL://...` names the same server (W10).
    static func lowerCaseScheme(_ url: String) -> String {
        guard let colon = url.firstIndex(of: ":") else { return url }
        return url[..<colon].lowercased() + url[colon...]
    }

    /// Whether the URL names a database, as its path (`/DB`) or a `dbname=` parameter. Without
    /// one libpq picks the user's name, often the maintenance database `postgres`, and PMQ
    /// would put its tables there (W10). A URL `URLComponents` cannot read is left to libpq.
    static func namesDatabase(_ url: String) -> Bool {
        guard let c = URLComponents(string: url) else { return true }
        if !c.path.drop(while: { $0 == "/" }).isEmpty { return true }
        return c.queryItems?.contains { $0.name == "dbname" && !($0.value ?? "").isEmpty } ?? false
    }

    deinit { close() }

    public func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    /// The URL as shown in messages: without a password.
    static func shown(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return url }
        if c.password != nil { c.password = "***" }
        return c.string ?? url
    }

    /// The server and database, as messages name them: `PostgreSQL at HOST:PORT, database "DB"`.
    var server: String {
        let parts = URLComponents(string: url)
        let host = parts?.host.map { $0.isEmpty ? "localhost" : $0 } ?? "localhost"
        let port = parts?.port.map { ":\($0)" } ?? ""
        let db = parts.map { String($0.path.drop(while: { $0 == "/" })) } ?? ""
        return "PostgreSQL at \(host)\(port), database \"\(db.isEmpty ? "(default)" : db)\""
    }

    /// The URL libpq is given: the user's, with a connect timeout unless it names one, so an
    /// address nobody answers at fails in seconds instead of TCP's two minutes.
    var connectionString: String {
        guard !url.contains("connect_timeout=") else { return url }
        return url + (url.contains("?") ? "&" : "?") + "connect_timeout=\(PostgresEngine.connectTimeout)"
    }
    static let connectTimeout = 10
    /// How long a statement waits for a lock before it fails as `.busy` (SQLite's busy timeout).
    static let lockTimeoutSeconds = 5

    /// libpq's reason on one line (it breaks its hints over tab-indented lines, and pads `FATAL:`).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private func connect() throws {
        if let connection { PQfinish(connection); self.connection = nil }
        // libpq is loaded here, on the first server URL (a SQLite run never pays for it).
        var why: UnsafePointer<CChar>?
        guard pmq_libpq_load(&why) != 0 else {
            throw StoreError(.cannotOpen, "cannot connect to \(server): PostgreSQL's client library is not installed (libpq.so.5, Debian package libpq5): \(why.map { String(cString: $0) } ?? "")")
        }
        guard let c = PQconnectdb(connectionString) else { throw StoreError(.cannotOpen, "cannot connect to \(server): out of memory") }
        guard PQstatus(c) == CONNECTION_OK else {
            let reason = PostgresEngine.oneLine(String(cString: PQerrorMessage(c)))
            PQfinish(c)
            throw StoreError(.cannotOpen, "cannot connect to \(server): \(reason)")
        }
        connection = c
        // Messages below warnings stay out of the user's output.
        PQclear(PQexec(c, "SET client_min_messages = warning"))
        // A writer waits for a lock (its turn, a row a colleague's open `begin` holds) at most
        // as long as SQLite's busy timeout, then gives up with the same "busy" error: a shell
        // left in a transaction cannot freeze the team's scripts and cron jobs.
        PQclear(PQexec(c, "SET lock_timeout = '\(PostgresEngine.lockTimeoutSeconds)s'"))
        if case .text(let u) = (try? scalar("SELECT current_user", [])) ?? .null { databaseUser = u }
    }

    /// True from `begin` until `commit` or `rollback`. A connection lost meanwhile took the
    /// server's transaction with it: the statements left of that run must fail too, not run
    /// on a new connection outside any transaction (which would keep half a change set).
    private var transactionOpen = false

    /// The error for a lost connection: the server, its reason, and what happens next.
    private func lost(_ reason: String?, state: String? = nil, whileCommitting: Bool = false) -> StoreError {
        let why = reason.map(PostgresEngine.oneLine).flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
        let outcome = whileCommitting ? " while committing\(why): the server may or may not have kept this change set (`history` shows whether it did)"
                                      : "\(why): nothing was changed"
        return StoreError(.connectionLost, "lost the connection to \(server)\(outcome); the next statement connects again", state: state)
    }

    /// After a lost connection (a server restarted, a backend ended), the next statement
    /// outside a transaction connects again; inside one it fails until the run rolls back.
    /// Outside a transaction a connection the server has closed meanwhile is noticed before
    /// anything is sent (reading what is pending finds the end of the stream), so a run that
    /// starts after an idle connection was dropped simply runs on a new one: nothing was lost.
    private func live() throws -> OpaquePointer {
        if let c = connection {
            // Twice: the first read may take the server's farewell message, the second the end.
            if !transactionOpen { _ = PQconsumeInput(c); _ = PQconsumeInput(c) }
            if PQstatus(c) == CONNECTION_OK { return c }
        }
        if transactionOpen { throw lost(nil) }
        try connect()
        guard let c = connection else { throw lost(nil) }
        return c
    }

    // MARK: - Running SQL

    private func error(_ result: OpaquePointer?, _ c: OpaquePointer) -> StoreError {
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        var message = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) }
            ?? String(cString: PQerrorMessage(c)).trimmingCharacters(in: .whitespacesAndNewlines)
        if let detail = result.flatMap({ PQresultErrorField($0, Int32(UInt8(ascii: "D"))) }).map({ String(cString: $0) }) {
            message += " (" + detail + ")"
        }
        if PQstatus(c) != CONNECTION_OK { return lost(message, state: state, whileCommitting: committing) }
        let kind: StoreError.Kind
        switch state ?? "" {
        case let s where s.hasPrefix("23"): kind = .constraint
        case "57014": kind = .interrupted
        case "40001", "40P01": kind = .conflict
        case "53200", "54000": kind = .noMemory
        case "55P03": kind = .busy
        case let s where s.hasPrefix("08"): kind = .connectionLost
        default: kind = .other
        }
        if kind == .interrupted { return StoreError(kind, "interrupted", state: state) }
        guard kind == .constraint else { return StoreError(kind, message, state: state) }
        // The failed constraint's name is a field of the error of its own ('n', PG_DIAG_CONSTRAINT_NAME).
        let name = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "n"))) }.map { String(cString: $0) }
        let constraint: StoreError.Constraint = switch state ?? "" {
        case "23505": .unique(name: name)
        case "23502": .notNull
        case "23503": .foreignKey
        case "23514": .check
        default: .other
        }
        return StoreError(kind, message, state: state, constraint: constraint)
    }

    /// Runs `sql` (SQLite's spelling, adapted) with `args`; the result, checked.
    private func exec(_ sql: String, _ args: [Value], returningID: Bool = false) throws -> OpaquePointer {
        let c = try live()
        var text: String
        if let t = adapted[sql] { text = t } else { text = PostgresSQL.adapt(sql); adapted[sql] = text }
        if returningID { text += " RETURNING id" }
        var types: [Oid] = []
        var values: [String?] = []
        types.reserveCapacity(args.count)
        for v in args {
            let (t, s) = PostgresEngine.parameter(v)
            types.append(t)
            values.append(s)
        }
        if let progress, !progress() { throw StoreError(.interrupted, "interrupted") }
        let result: OpaquePointer? = withCStrings(values) { pointers in
            pointers.withUnsafeBufferPointer { p in
                PQexecParams(c, text, Int32(args.count), types, p.baseAddress, nil, nil, 0)
            }
        }
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let e = error(result, c)
            PQclear(result)
            PostgresEngine.trace(text, e)
            throw e
        }
        guard let result else { throw StoreError(.other, "no result") }
        return result
    }

    /// PMQ_PROFILE_SQL=1: a failed statement's text on standard error (a developer's tool).
    static func trace(_ sql: String, _ e: StoreError) {
        guard ProcessInfo.processInfo.environment["PMQ_PROFILE_SQL"] != nil else { return }
        FileHandle.standardError.write(Data("PostgreSQL: \(e.message)\n  in: \(sql)\n".utf8))
    }

    static func parameter(_ v: Value) -> (Oid, String?) {
        switch v {
        case .null: return (0, nil)
        case .integer(let i): return (20, String(i))
        case .decimal(let d): return d.isFinite ? (701, "\(d)") : (701, d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity")
        case .text(let s), .reference(let s): return (0, s)
        case .date(let d): return (20, String(d.number))
        case .duration(let d):
            if d == d.rounded(), abs(d) < 9e15 { return (20, String(Int64(d))) }
            return (701, "\(d)")
        case .bool(let b): return (20, b ? "1" : "0")
        case .list(let xs): return (0, encodeList(xs))
        }
    }

    public func execute(_ sql: String) throws { try executeNative(PostgresSQL.adapt(sql)) }

    /// Runs PostgreSQL's own SQL as it is (the migration).
    func executeNative(_ sql: String) throws {
        lastID = nil
        let c = try live()
        let result = PQexec(c, sql)
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        defer { PQclear(result) }
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let e = error(result, c)
            PostgresEngine.trace(sql, e)
            throw e
        }
    }

    @discardableResult
    public func run(_ sql: String, _ args: [Value]) throws -> Int {
        lastID = nil
        let returning = try returnsID(sql)
        let r = try exec(sql, args, returningID: returning)
        defer { PQclear(r) }
        if returning, PQntuples(r) == 1, PQgetisnull(r, 0, 0) == 0, let p = PQgetvalue(r, 0, 0) { lastID = Int64(String(cString: p)) }
        return Int(String(cString: PQcmdTuples(r))) ?? 0
    }

    /// The id the last INSERT added: handed back by the INSERT itself (`RETURNING id`) for
    /// one row of values, else asked of the server (`lastval()`), once.
    public var lastInsertID: Int64 {
        if let lastID { return lastID }
        if case .integer(let i) = (try? scalar("SELECT lastval()", [])) ?? .null { lastID = i; return i }
        return 0
    }
    private var lastID: Int64?

    /// Whether `sql` (SQLite's spelling) adds one row of values to a table of the model that
    /// has an id: such an INSERT gets `RETURNING id`, which saves a round trip per added row
    /// (a data load adds a million). Scratch tables and INSERT ... SELECT are left as they are.
    private func returnsID(_ sql: String) throws -> Bool {
        if let known = returningID[sql] { return known }
        var answer = false
        let words = sql.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        let into = words.firstIndex(of: "INTO").map { $0 + 1 }
        if sql.hasPrefix("INSERT "), let into, into < words.count, sql.contains(") VALUES ("),
           !sql.contains("SELECT"), !sql.contains("RETURNING") {
            let table = String(words[into])
            if !table.contains("."), table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                if let has = tablesWithID[table] { answer = has } else {
                    let has = try columns(of: table).contains("id")
                    tablesWithID[table] = has
                    answer = has
                }
            }
        }
        returningID[sql] = answer
        return answer
    }
    private var returningID: [String: Bool] = [:]
    private var tablesWithID: [String: Bool] = [:]

    public func query(_ sql: String, _ args: [Value], row: (Row) throws -> Void) throws {
        let r = try exec(sql, args)
        let table = PostgresRows(r)
        for i in 0..<table.rowCount { try row(Row(storage: .table(table, i))) }
    }

    public func scalar(_ sql: String, _ args: [Value]) throws -> Value {
        var out = Value.null
        var first = true
        try query(sql, args) { r in if first { out = r[0]; first = false } }
        return out
    }

    // MARK: - Transactions

    /// Whether a transaction was begun and not yet ended (kept here, not asked of libpq:
    /// after a lost connection the server's answer is unknown, and the run must still end it).
    public var isInTransaction: Bool { transactionOpen }

    /// A change set runs at REPEATABLE READ: a change set that would overwrite a row another
    /// session changed since this one began is refused (serialization failure) instead of
    /// silently winning; a reading run sees one snapshot. (Not READ ONLY: a reading run may
    /// still fill scratch tables, which PostgreSQL refuses in a read-only transaction.)
    public func begin(writing: Bool) throws {
        try execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        transactionOpen = true
    }
    /// A connection lost while committing leaves the outcome unknown (the server may have
    /// committed before the connection dropped): the message says so instead of guessing.
    public func commit() throws {
        committing = true
        defer { committing = false; transactionOpen = false }
        try execute("COMMIT")
    }
    private var committing = false
    public func rollback() throws {
        transactionOpen = false
        guard let c = connection, PQstatus(c) == CONNECTION_OK else { return }
        try execute("ROLLBACK")
    }
    /// A session-level advisory lock, keyed by the model's schema, taken before the change set
    /// begins (so its snapshot is taken after the writer before it committed) and given back
    /// after it ends: change sets of PMQ sessions queue instead of failing on each other's rows.
    public func takeWriterTurn() throws {
        try executeNative("SELECT pg_advisory_lock(7305, hashtext(current_schema()))")
        holdsWriterTurn = true
    }
    public func endWriterTurn() {
        guard holdsWriterTurn else { return }
        holdsWriterTurn = false
        _ = try? executeNative("SELECT pg_advisory_unlock(7305, hashtext(current_schema()))")
    }
    private var holdsWriterTurn = false
    public func savepoint(_ name: String) throws { try execute("SAVEPOINT \(name)") }
    public func releaseSavepoint(_ name: String) throws { try execute("RELEASE SAVEPOINT \(name)") }
    public func rollbackToSavepoint(_ name: String) throws { try execute("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)") }

    /// Asks the server to cancel the statement running now (Ctrl-C, a deadline).
    public func interrupt() {
        cancelLock.lock(); defer { cancelLock.unlock() }
        guard let c = connection, let cancel = PQgetCancel(c) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, 256)
        PQfreeCancel(cancel)
    }

    public func plan(_ sql: String, _ args: [Value]) throws -> [String] {
        var out: [String] = []
        try query("EXPLAIN " + sql, args) { r in if case .text(let t) = r[0] { out.append(t) } }
        return out
    }

    /// Made anew from the query, so each column has the type of what fills it.
    public func fillScratch(_ name: String, columns: Int, maxColumns: Int, select: String, args: [Value]) throws -> Int {
        // The query's column types, from a run that returns no rows (CREATE TABLE AS with
        // parameters cannot always type them), then the table, then its rows.
        let probe = try exec("SELECT * FROM (" + select + ") AS pmq_probe LIMIT 0", args)
        var columnTypes: [String] = []
        for i in 0..<Int32(columns) {
            switch PQftype(probe, i) {
            case 20, 21, 23: columnTypes.append("bigint")
            case 16: columnTypes.append("boolean")
            case 700, 701: columnTypes.append("double precision")
            case 1700: columnTypes.append("numeric")
            default: columnTypes.append("text")
            }
        }
        PQclear(probe)
        try executeNative("DROP TABLE IF EXISTS pg_temp.\(name)")
        try executeNative("CREATE TEMP TABLE \(name) (" + columnTypes.enumerated().map { "c\($0.offset) \($0.element)" }.joined(separator: ", ") + ")")
        let names = (0..<columns).map { "c\($0)" }.joined(separator: ", ")
        return try run("INSERT INTO pg_temp.\(name) (\(names)) " + select, args)
    }

    /// SELECT ... FOR UPDATE inside a savepoint: a row another session changed (and committed)
    /// since this transaction's snapshot fails with a serialization error, which is rolled
    /// back to the savepoint so the caller can still read which rows were meant.
    public func lockRows(_ table: String, idsSQL: String) throws {
        try executeNative("SAVEPOINT pmq_lock")
        do {
            try run("SELECT 1 FROM \(table) WHERE id IN (\(idsSQL)) FOR UPDATE", [])
            try executeNative("RELEASE SAVEPOINT pmq_lock")
        } catch let e as StoreError where e.kind == .conflict {
            try executeNative("ROLLBACK TO SAVEPOINT pmq_lock; RELEASE SAVEPOINT pmq_lock")
            throw e
        }
    }

    public func columns(of table: String) throws -> [String] {
        var out: [String] = []
        try query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
                  [.text(table)]) { r in if case .text(let n) = r[0] { out.append(n) } }
        return out
    }

    /// The working-day functions are installed by the migration as PL/pgSQL over the holidays
    /// table: nothing to register in the process.
    public func registerDayFunction(_ name: String, _ body: @escaping (Int64, Int64) -> Int64?) throws {}
    public func registerPersonDayFunction(_ name: String, _ body: @escaping (Int64, Int64, Int64?) -> Int64?) throws {}

    /// A host function's body runs in this process; the server cannot call it in the middle of
    /// a query, and calling it row by row from Swift would break "one statement per query". So
    /// registering one on PostgreSQL is refused (and a text calling one is refused when checked).
    public func registerHostFunction(_ f: HostFunction) throws {
        throw HostFunctionError(description: "host functions run inside SQLite and are not available on PostgreSQL: \(f.name)() cannot be registered for \(location ?? url)")
    }

    /// The server enforces no per-run memory here; steps are counted once per statement sent.
    public func beginLimits(maxMemory: Int?, progress: (() -> Bool)?) { self.progress = progress }
    public func endLimits() { progress = nil }

    public var schemaVersion: Int {
        if case .integer(let v) = (try? scalar("SELECT version FROM pmq_meta")) ?? .null { return Int(v) }
        return 0
    }
}

/// A fetched PostgreSQL result, converted column by column as it is read.
final class PostgresRows: RowTable {
    let result: OpaquePointer
    let rowCount: Int
    let columnCount: Int
    private let kinds: [UInt8]   // 0 text, 1 integer, 2 real, 3 numeric, 4 bool

    init(_ result: OpaquePointer) {
        self.result = result
        rowCount = Int(PQntuples(result))
        columnCount = Int(PQnfields(result))
        kinds = (0..<Int32(PQnfields(result))).map { i in
            switch PQftype(result, i) {
            case 20, 21, 23, 26: return 1
            case 700, 701: return 2
            case 1700: return 3
            case 16: return 4
            default: return 0
            }
        }
    }

    deinit { PQclear(result) }

    func value(_ row: Int, _ column: Int) -> Value {
        let r = Int32(row), c = Int32(column)
        if PQgetisnull(result, r, c) != 0 { return .null }
        guard let p = PQgetvalue(result, r, c) else { return .null }
        let s = String(cString: p)
        switch kinds[column] {
        case 1: return Int64(s).map { .integer($0) } ?? .text(s)
        case 2: return Double(s).map { .decimal($0) } ?? .text(s)
        case 3:
            // NUMERIC as SQLite keeps it: an integer when it has no fraction.
            if let i = Int64(s) { return .integer(i) }
            guard let d = Double(s) else { return .text(s) }
            if d == d.rounded(), abs(d) < 9e15 { return .integer(Int64(d)) }
            return .decimal(d)
        case 4: return .integer(s == "t" ? 1 : 0)
        default: return .text(s)
        }
    }

    func byteCount(_ row: Int, _ column: Int) -> Int { Int(PQgetlength(result, Int32(row), Int32(column))) }
}

/// C strings for libpq's parameter array, alive while `body` runs.
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var buffers: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
    defer { for b in buffers { free(b) } }
    return body(buffers.map { $0.map { UnsafePointer($0) } })
}
