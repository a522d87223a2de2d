import Foundation
import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite engine: one connection to a file (or memory). Prepared statements are cached
/// by their SQL text, values are bound (never spliced), errors become typed `StoreError`s.
public final class SQLiteEngine: Engine {
    let handle: OpaquePointer
    private var cache: [String: OpaquePointer] = [:]
    /// The statement asked for last, found again without hashing its text: a data load runs
    /// the same INSERT, the very same String, a million times, and `==` on one string is a
    /// comparison of two words (hashing a 200-byte text per row was not).
    private var last: (sql: String, stmt: OpaquePointer)?
    /// Statements found by the identity of their text (where its bytes are stored), before
    /// hashing it: the statements a loop's body runs are the same few Strings, made once
    /// (static text, or text a statement's plan keeps), run in turn once an iteration, where
    /// hashing and comparing each 100–300-byte text cost more than SQLite's own work
    /// (BENCHMARKS.md, "Issue 10, figure f, second pass"). The entry holds its String, so
    /// the storage cannot be freed and its address given to another text while it is here;
    /// a hit is still confirmed by `==`, which for the same storage compares two words.
    private var byIdentity: [TextIdentity: (sql: String, stmt: OpaquePointer)] = [:]
    private struct TextIdentity: Hashable { let address: UInt; let count: Int }
    /// Texts made afresh on every call would fill the table: it is emptied at this size.
    private static let identityLimit = 512
    public let path: String?
    public var upgradedFrom: Int?
    public let dialect: SQLDialect = SQLiteDialect()
    public var kind: EngineKind { .sqlite }
    public var location: String? { path }
    public var databaseUser: String? { nil }
    let limitState = SQLiteLimitState()

    /// Opens (creating if needed) the file at `path`, or an in-memory database for nil.
    public init(path: String?, readOnly: Bool = false) throws {
        if let path, SQLiteEngine.isDirectory(path) {
            throw StoreError(.cannotOpen, "cannot open database \(path): it is a directory", code: SQLITE_CANTOPEN)
        }
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let rc = sqlite3_open_v2(path ?? ":memory:", &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(.cannotOpen, "cannot open database \(path ?? ":memory:"): \(SQLiteEngine.plainReason(rc) ?? msg)", code: rc)
        }
        self.handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
        // The connection's temporary tables (the scratch rows of a change, a row variable's
        // copy, the roll-up's work lists) are emptied and refilled once a statement, and a
        // loop runs thousands of statements. A SQLite built with SECURE_DELETE (Debian's is)
        // overwrites every emptied page and freed cell with zeros; for the temporary
        // database, private to this connection and gone when it closes, that protects
        // nothing (BENCHMARKS.md, "Issue 10, figure f, third pass"). The main file keeps
        // the library's setting.
        sqlite3_exec(db, "PRAGMA temp.secure_delete = OFF", nil, nil, nil)
        registerFunctions(db)
        // PMQ_PROFILE_SQL=1: each statement's time and text on standard error, for finding
        // where a slow statement spends its time (a developer's tool, like sqlite3's .timer).
        if getenv("PMQ_PROFILE_SQL") != nil {
            // Wall time from SQLite, and the thread's CPU time from the statement's start (on a
            // loaded machine the wall time is mostly waiting for a core).
            sqlite3_trace_v2(db, UInt32(SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE), { kind, _, statement, detail in
                guard let statement else { return 0 }
                var now = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
                let cpu = Double(now.tv_sec) * 1e3 + Double(now.tv_nsec) / 1e6
                let key = Int(bitPattern: statement)
                if kind == UInt32(SQLITE_TRACE_STMT) {
                    if SQLiteEngine.profileStarts[key] == nil { SQLiteEngine.profileStarts[key] = cpu }
                    return 0
                }
                guard let detail else { return 0 }
                let ns = detail.load(as: Int64.self)
                let started = SQLiteEngine.profileStarts.removeValue(forKey: key) ?? cpu
                let sql = sqlite3_sql(OpaquePointer(statement)).map { String(cString: $0) } ?? "?"
                FileHandle.standardError.write(Data(String(format: "%9.3f ms  %9.3f ms cpu  %@\n", Double(ns) / 1e6, cpu - started,
                                                           String(sql.prefix(160)).replacingOccurrences(of: "\n", with: " ")).utf8))
                return 0
            }, nil)
        }
    }

    /// PMQ_PROFILE_SQL: the thread CPU time at which each running statement started.
    nonisolated(unsafe) static var profileStarts: [Int: Double] = [:]

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private var closed = false

    public func close() {
        guard !closed else { return }
        closed = true
        for (_, s) in cache { sqlite3_finalize(s) }
        cache.removeAll()
        byIdentity.removeAll()
        recent = [RecentStatement?](repeating: nil, count: SQLiteEngine.recentSlots)
        last = nil
        sqlite3_close_v2(handle)
    }

    deinit { close() }

    /// The typed kind of an SQLite result code (its primary code: the low byte).
    static func kind(_ rc: Int32) -> StoreError.Kind {
        switch rc & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_CONSTRAINT: return .constraint
        case SQLITE_INTERRUPT: return .interrupted
        case SQLITE_NOMEM, SQLITE_TOOBIG: return .noMemory
        case SQLITE_CANTOPEN: return .cannotOpen
        case SQLITE_NOTADB: return .notPMQ
        default: return .other
        }
    }

    /// An error SQLite reported: faults of the file and the disk are said plainly (its own
    /// words, such as "database or disk is full", name neither cause nor remedy).
    func error(_ rc: Int32, _ message: String? = nil) -> StoreError {
        forgetWrites()
        let kind = SQLiteEngine.kind(rc)
        // The extended code says which kind of rule failed (SQLITE_CONSTRAINT_UNIQUE, ...):
        // step returns the primary code, the connection keeps the extended one.
        let extended = kind == .constraint ? sqlite3_extended_errcode(handle) : rc
        return StoreError(kind, SQLiteEngine.plainReason(rc) ?? message ?? lastError, code: rc,
                          constraint: kind == .constraint ? SQLiteEngine.constraint(extended) : nil)
    }

    /// The rule an extended SQLITE_CONSTRAINT code names.
    /// (sqlite3.h defines the extended codes as macro expressions, which Swift does not import:
    /// `SQLITE_CONSTRAINT | (n << 8)`, n from sqlite3.h.)
    static func constraint(_ extended: Int32) -> StoreError.Constraint {
        guard extended & 0xff == SQLITE_CONSTRAINT else { return .other }
        switch extended >> 8 {
        case 8, 6: return .unique(name: nil)        // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
        case 5: return .notNull                     // SQLITE_CONSTRAINT_NOTNULL
        case 3: return .foreignKey                  // SQLITE_CONSTRAINT_FOREIGNKEY
        case 1: return .check                       // SQLITE_CONSTRAINT_CHECK
        default: return .other
        }
    }

    static func plainReason(_ rc: Int32) -> String? {
        switch rc & 0xFF {
        case SQLITE_PERM, SQLITE_READONLY: return "the database file cannot be written (it, or its folder, is read-only)"
        case SQLITE_IOERR: return "the disk could not be read or written (an I/O error)"
        case SQLITE_CORRUPT: return "the file is damaged (truncated or corrupt)"
        case SQLITE_FULL: return "the disk is full"
        case SQLITE_CANTOPEN: return "the file cannot be opened (check that it and its folder exist and can be read and written)"
        case SQLITE_NOTADB: return "it is not a SQLite database"
        default: return nil
        }
    }

    // MARK: - Running SQL

    public func execute(_ sql: String) throws {
        forgetWrites()
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? lastError
            sqlite3_free(err)
            throw error(rc, msg)
        }
    }

    /// A cached prepared statement, reset and bound to `args`.
    func prepare(_ sql: String, _ args: [Value] = []) throws -> OpaquePointer {
        let stmt = try statement(for: sql)
        sqlite3_reset(stmt)
        // Every parameter is bound again below when the arguments fill them all (an import's
        // INSERT a row): clearing them first would only free the values about to be replaced.
        if args.count < Int(sqlite3_bind_parameter_count(stmt)) { sqlite3_clear_bindings(stmt) }
        var i: Int32 = 1
        for v in args {
            bind(stmt, i, v)
            i += 1
        }
        return stmt
    }

    /// The prepared statement for `sql`: the last one, or one found by where its text is
    /// stored (in `recent`, then `byIdentity`), or by the text itself, or prepared now.
    private func statement(for sql: String) throws -> OpaquePointer {
        if let l = last, l.sql == sql { return l.stmt }
        let id = SQLiteEngine.identity(of: sql)
        let slot = id.map(SQLiteEngine.recentSlot)
        if let id, let slot, let r = recent[slot], r.id == id, r.sql == sql {
            last = (sql, r.stmt)
            return r.stmt
        }
        let stmt: OpaquePointer
        if let id, let known = byIdentity[id], known.sql == sql {
            stmt = known.stmt
        } else if let s = cache[sql] {
            stmt = s
            remember(sql, s)
        } else {
            var s: OpaquePointer?
            let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
            guard rc == SQLITE_OK, let s else { throw error(rc) }
            cache[sql] = s
            stmt = s
            remember(sql, s)
        }
        last = (sql, stmt)
        if let id, let slot { recent[slot] = RecentStatement(id: id, sql: sql, stmt: stmt) }
        return stmt
    }

    /// The statements run last, one per slot chosen by where the text is stored: a loop's
    /// body runs the same dozen texts in turn, and finding one here is a shift, a mask and
    /// two compares, where `byIdentity` hashes (BENCHMARKS.md, "Issue 10, figure f, third
    /// pass"). An entry holds its String, as `byIdentity`'s do.
    private var recent = [RecentStatement?](repeating: nil, count: SQLiteEngine.recentSlots)
    private struct RecentStatement { let id: TextIdentity; let sql: String; let stmt: OpaquePointer }
    private static let recentSlots = 64
    private static func recentSlot(_ id: TextIdentity) -> Int {
        Int(truncatingIfNeeded: (id.address >> 4) ^ (id.address >> 10) ^ UInt(bitPattern: id.count)) & (recentSlots - 1)
    }

    /// Where a text's bytes are stored, for a text stored on the heap or in the binary (one
    /// of up to 15 bytes lives in the String itself, at no lasting address).
    private static func identity(of sql: String) -> TextIdentity? {
        let count = sql.utf8.count
        guard count > 15 else { return nil }
        return sql.utf8.withContiguousStorageIfAvailable { b in
            b.baseAddress.map { TextIdentity(address: UInt(bitPattern: $0), count: count) }
        } ?? nil
    }

    private func remember(_ sql: String, _ stmt: OpaquePointer) {
        guard let id = SQLiteEngine.identity(of: sql) else { return }
        if byIdentity.count >= SQLiteEngine.identityLimit { byIdentity.removeAll(keepingCapacity: true) }
        byIdentity[id] = (sql, stmt)
    }

    func bind(_ stmt: OpaquePointer, _ i: Int32, _ v: Value) {
        switch v {
        case .null: sqlite3_bind_null(stmt, i)
        case .integer(let x): sqlite3_bind_int64(stmt, i, x)
        case .decimal(let d): sqlite3_bind_double(stmt, i, d)
        case .text(let s), .reference(let s): SQLiteEngine.bindText(stmt, i, s)
        case .date(let d): sqlite3_bind_int64(stmt, i, Int64(d.number))
        case .duration(let d):
            if d == d.rounded(), abs(d) < 9e15 { sqlite3_bind_int64(stmt, i, Int64(d)) } else { sqlite3_bind_double(stmt, i, d) }
        case .bool(let b): sqlite3_bind_int64(stmt, i, b ? 1 : 0)
        case .list(let xs): sqlite3_bind_text(stmt, i, encodeList(xs), -1, SQLITE_TRANSIENT)
        }
    }

    /// Binds a text from the bytes the String keeps, up to its first U+0000 (as the C string
    /// of length -1 that was bound before): passing the String itself made a C string, an
    /// array on the heap, for every text bound (BENCHMARKS.md, “Issue 14, tenth pass”).
    static func bindText(_ stmt: OpaquePointer, _ i: Int32, _ s: String) {
        var bytes = s
        bytes.withUTF8 { b in
            guard let p = b.baseAddress, b.count > 0, b.count < Int(Int32.max) else {
                sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT)
                return
            }
            let n = memchr(p, 0, b.count).map { UnsafeRawPointer($0) - UnsafeRawPointer(p) } ?? b.count
            p.withMemoryRebound(to: CChar.self, capacity: b.count) { sqlite3_bind_text(stmt, i, $0, Int32(n), SQLITE_TRANSIENT) }
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ args: [Value]) throws -> Int {
        if args.count >= SQLiteEngine.manyParameters { return try runBindingTextsOnce(sql, args) }
        let s = try prepare(sql, args)
        let rc = sqlite3_step(s)
        defer { sqlite3_reset(s) }
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error(rc) }
        return Int(sqlite3_changes(handle))
    }

    /// From this many parameters (an import's INSERT of many rows), `run` binds texts from one
    /// buffer of its own.
    static let manyParameters = 64

    /// `run` for a statement of many parameters: its texts are copied into one buffer, bound
    /// without SQLite's own copy (SQLITE_STATIC), and the buffer freed after the statement has
    /// run and been reset. SQLite made a copy of every text it was given (a `malloc`, under
    /// its mutex, and a `free`): about 700 instructions a text, 83 M of a 20,000-row import's
    /// 1,562 M (BENCHMARKS.md, “Issue 14, eleventh pass”). The statement runs to its end here,
    /// so nothing reads the bound texts after the buffer is gone: every later use of a cached
    /// statement binds all its parameters again, or clears them first (`prepare`).
    /// The same values are bound as `bind` binds them (a text up to its first U+0000).
    private func runBindingTextsOnce(_ sql: String, _ args: [Value]) throws -> Int {
        var bytes = 0
        for v in args {
            switch v {
            case .text(let t), .reference(let t): bytes += t.utf8.count
            default: break
            }
        }
        guard bytes < Int(Int32.max) else {
            let s = try prepare(sql, args)
            let rc = sqlite3_step(s)
            defer { sqlite3_reset(s) }
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error(rc) }
            return Int(sqlite3_changes(handle))
        }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes, 1))
        defer { buffer.deallocate() }   // after the reset below (defers run last first)
        let s = try statement(for: sql)
        sqlite3_reset(s)
        if args.count < Int(sqlite3_bind_parameter_count(s)) { sqlite3_clear_bindings(s) }
        var used = 0
        for (k, v) in args.enumerated() {
            let i = Int32(k + 1)
            switch v {
            case .text(let t), .reference(let t):
                var t = t
                let n = t.withUTF8 { b -> Int in
                    guard let p = b.baseAddress, b.count > 0 else { return 0 }
                    let n = memchr(p, 0, b.count).map { UnsafeRawPointer($0) - UnsafeRawPointer(p) } ?? b.count
                    UnsafeMutableRawPointer(buffer + used).copyMemory(from: p, byteCount: n)
                    return n
                }
                sqlite3_bind_text(s, i, buffer + used, Int32(n), SQLITE_STATIC)
                used += n
            default:
                bind(s, i, v)
            }
        }
        let rc = sqlite3_step(s)
        defer { sqlite3_reset(s) }
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error(rc) }
        return Int(sqlite3_changes(handle))
    }

    public var lastInsertID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs a query, calling `row` for each result row.
    public func query(_ sql: String, _ args: [Value], row: (Row) throws -> Void) throws {
        let s = try prepare(sql, args)
        defer { sqlite3_reset(s) }
        let r = Row(storage: .sqlite(s))
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc) }
            try row(r)
        }
    }

    /// The first column of the first row, raw.
    public func scalar(_ sql: String, _ args: [Value]) throws -> Value {
        var out = Value.null
        try query(sql, args) { r in out = r[0] }
        return out
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: - Transactions

    /// A write transaction takes the write lock first (waiting its turn up to 5 s); a
    /// reading one takes none, so in WAL mode queries are never held up by a writer.
    public func begin(writing: Bool) throws { try execute(writing ? "BEGIN IMMEDIATE" : "BEGIN") }
    public func commit() throws { try execute("COMMIT") }
    public func rollback() throws { try execute("ROLLBACK") }
    public func savepoint(_ name: String) throws { try execute("SAVEPOINT \(name)") }
    public func releaseSavepoint(_ name: String) throws { try execute("RELEASE \(name)") }
    public func rollbackToSavepoint(_ name: String) throws { try execute("ROLLBACK TO \(name); RELEASE \(name)") }

    /// Stops a running statement from another thread (Ctrl-C, deadlines).
    public func interrupt() { sqlite3_interrupt(handle) }

    public func plan(_ sql: String, _ args: [Value]) throws -> [String] {
        var plan: [String] = []
        try query("EXPLAIN QUERY PLAN " + sql, args) { r in
            if case .text(let detail) = r[3] { plan.append(detail) }
        }
        return plan
    }

    /// Untyped columns: each row keeps its values' own types (SQLite's dynamic typing).
    public func fillScratch(_ name: String, columns: Int, maxColumns: Int, select: String, args: [Value]) throws -> Int {
        let text = scratchText(name, columns: columns, maxColumns: maxColumns)
        // A table `clearScratch` emptied, with nothing since that could have brought rows
        // back or dropped it, is there and empty: no CREATE ... IF NOT EXISTS and no DELETE
        // (a loop's update fills the scratch table once an iteration).
        if emptyScratch != name {
            try run(text.create, [])
            try run(text.clear, [])
        }
        emptyScratch = nil
        // The INSERT made for the last SELECT, kept: the same text object each iteration of a
        // loop's update is found by its identity (`prepare`), a new one would be hashed.
        let insert: String
        if let l = lastFill, l.prefix == text.insert, l.select == select {
            insert = l.text
        } else {
            insert = text.insert + select
            lastFill = (text.insert, select, insert)
        }
        return try run(insert, args)
    }

    public func clearScratch(_ name: String) throws {
        emptyScratch = nil
        let clear: String
        if let l = lastClear, l.name == name { clear = l.text } else { clear = "DELETE FROM temp.\(name)"; lastClear = (name, clear) }
        try run(clear, [])
        emptyScratch = name
    }
    private var lastClear: (name: String, text: String)?

    /// SQLite's count of the rows this connection inserted, updated or deleted (temporary
    /// tables and triggers included), with a number that moves at every rollback, error or
    /// SQL run by `execute`, none of which that count sees.
    public var changeStamp: ChangeStamp? { ChangeStamp(changes: sqlite3_total_changes64(handle), epoch: epoch) }
    private var epoch = 0

    /// After SQL that may have changed anything, rolled back or failed: what the engine knew
    /// of its tables (`emptyScratch`, `changeStamp`) no longer holds.
    private func forgetWrites() {
        emptyScratch = nil
        epoch &+= 1
    }

    /// The scratch table known to exist and be empty: emptied by `clearScratch`, and since
    /// then no rollback (which takes the table back to the transaction's or savepoint's
    /// start, where it may not exist yet), no error (SQLite may roll back on its own), no
    /// other SQL run by `execute` and no fill. Anything else forgets it, and the next fill
    /// makes and empties the table as before.
    private var emptyScratch: String?
    private var lastFill: (prefix: String, select: String, text: String)?

    /// The scratch table's statements, made once per shape: a loop of updates fills the
    /// scratch table once an iteration (BENCHMARKS.md, “Issue 10, figure f”).
    private func scratchText(_ name: String, columns: Int, maxColumns: Int) -> ScratchText {
        let key = ScratchShape(name: name, columns: columns, maxColumns: maxColumns)
        if let known = scratchTexts[key] { return known }
        let cols = (0..<maxColumns).map { "c\($0)" }.joined(separator: ", ")
        let names = (0..<columns).map { "c\($0)" }.joined(separator: ", ")
        let text = ScratchText(create: "CREATE TEMP TABLE IF NOT EXISTS \(name) (\(cols))", clear: "DELETE FROM temp.\(name)",
                               insert: "INSERT INTO temp.\(name) (\(names)) ")
        scratchTexts[key] = text
        return text
    }
    private struct ScratchShape: Hashable { let name: String; let columns: Int; let maxColumns: Int }
    private struct ScratchText { let create: String; let clear: String; let insert: String }
    private var scratchTexts: [ScratchShape: ScratchText] = [:]

    /// The write lock taken at BEGIN IMMEDIATE already holds every row.
    public func lockRows(_ table: String, idsSQL: String) throws {}

    public func columns(of table: String) throws -> [String] {
        var out: [String] = []
        try query("SELECT name FROM pragma_table_info(?1)", [.text(table)]) { r in
            if case .text(let n) = r[0] { out.append(n) }
        }
        return out
    }

    // MARK: - Row access

    /// A column as SQLite stores it: integers, reals, text or null.
    static func value(_ s: OpaquePointer, _ i: Int32) -> Value {
        switch sqlite3_column_type(s, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(s, i))
        case SQLITE_FLOAT: return .decimal(sqlite3_column_double(s, i))
        case SQLITE_NULL: return .null
        default:
            guard let p = sqlite3_column_text(s, i) else { return .null }
            return .text(String(cString: p))
        }
    }
    static func storedType(_ s: OpaquePointer, _ i: Int32) -> Row.StoredType {
        switch sqlite3_column_type(s, i) {
        case SQLITE_INTEGER: return .integer
        case SQLITE_FLOAT: return .real
        case SQLITE_NULL: return .null
        default: return .text
        }
    }
    static func integer(_ s: OpaquePointer, _ i: Int32) -> Int64? {
        sqlite3_column_type(s, i) == SQLITE_INTEGER ? sqlite3_column_int64(s, i) : nil
    }
    static func double(_ s: OpaquePointer, _ i: Int32) -> Double { sqlite3_column_double(s, i) }
    static func columnCount(_ s: OpaquePointer) -> Int { Int(sqlite3_column_count(s)) }
    static func byteCount(_ s: OpaquePointer, _ i: Int32) -> Int { Int(sqlite3_column_bytes(s, i)) }
}

/// SQLite's "copy this string now" destructor, which Swift does not import.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
/// SQLite does not copy a value bound with it: it must stay until the statement is reset or bound again.
let SQLITE_STATIC: sqlite3_destructor_type? = nil

/// Lists (tags) are stored as JSON arrays of strings, so SQLite's json_each can search them.
func encodeList(_ xs: [String]) -> String {
    "[" + xs.map { jsonString($0) }.joined(separator: ",") + "]"
}

func jsonString(_ s: String) -> String {
    // Most values need no escape: one pass over the bytes, then a copy.
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return "\"" + s + "\"" }
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

private func text(_ v: OpaquePointer?) -> String? {
    guard let v, sqlite3_value_type(v) != SQLITE_NULL, let p = sqlite3_value_text(v) else { return nil }
    return String(cString: p)
}

private func sqliteText(_ v: OpaquePointer?) -> String? { text(v) }

private func resultText(_ ctx: OpaquePointer?, _ s: String?) {
    guard let s else { sqlite3_result_null(ctx); return }
    sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT)
}

/// A needle lowercased once per statement (SQLite keeps it as the argument's aux data).
private final class LoweredText {
    let text: String
    /// The lowered needle's bytes, and whether the needle as given was plain ASCII (no
    /// carriage return): then `~` may compare bytes in place.
    let bytes: [UInt8]
    var plainASCII = false
    init(_ text: String) { self.text = text; self.bytes = Array(text.utf8) }
}

/// SQL functions PMQ's generated SQL calls.
private func registerFunctions(_ db: OpaquePointer) {
    // SQLite's own lower() and LIKE fold ASCII only; names here are in every script.
    let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
    sqlite3_create_function_v2(db, "pmq_lower", 1, flags, nil, { ctx, _, argv in
        resultText(ctx, text(argv?[0]).map(CaseMapping.lower))
    }, nil, nil, nil)
    sqlite3_create_function_v2(db, "pmq_upper", 1, flags, nil, { ctx, _, argv in
        resultText(ctx, text(argv?[0]).map(CaseMapping.upper))
    }, nil, nil, nil)
    sqlite3_create_function_v2(db, "pmq_contains", 2, flags, nil, { ctx, _, argv in
        guard let a = argv?[0], sqlite3_value_type(a) != SQLITE_NULL, let h = sqlite3_value_text(a) else {
            sqlite3_result_null(ctx); return
        }
        let hn = Int(sqlite3_value_bytes(a))
        // The needle is the same on every row: it is lowercased once and kept with the
        // statement, so a huge needle costs its size once, not once a row.
        let box: LoweredText
        if let kept = sqlite3_get_auxdata(ctx, 1) {
            box = Unmanaged<LoweredText>.fromOpaque(kept).takeUnretainedValue()
        } else {
            guard let n = text(argv?[1]) else { sqlite3_result_null(ctx); return }
            // Canonically equivalent spellings are one text (H11): `é` typed precomposed or as
            // e + U+0301 (macOS, PDFs) is compared in NFC, as PostgreSQL's pmq_contains does.
            box = LoweredText(n.precomposedStringWithCanonicalMapping.lowercased())
            box.plainASCII = n.utf8.allSatisfy { $0 < 0x80 && $0 != 13 }
            sqlite3_set_auxdata(ctx, 1, Unmanaged.passRetained(box).toOpaque()) { p in
                if let p { Unmanaged<LoweredText>.fromOpaque(p).release() }
            }
        }
        let needle = box.text
        if needle.isEmpty { sqlite3_result_int(ctx, 1); return }
        // Most names are ASCII: compared in place, byte by byte, without making Strings.
        if box.plainASCII, let found = box.bytes.withUnsafeBufferPointer({ nb in
            asciiContains(h, hn, plainNeedle: nb.baseAddress ?? h, nb.count)
        }) {
            sqlite3_result_int(ctx, found ? 1 : 0)
            return
        }
        let lower = String(cString: h).precomposedStringWithCanonicalMapping.lowercased()
        // A needle longer than the text cannot be in it: no search at all. Otherwise the
        // NFC text's code points are searched (its UTF-8 bytes), as PostgreSQL's strpos does.
        guard needle.utf8.count <= lower.utf8.count else { sqlite3_result_int(ctx, 0); return }
        var haystack = lower, pattern = needle
        let found = haystack.withUTF8 { hb in pattern.withUTF8 { nb in bytesContain(hb, nb) } }
        sqlite3_result_int(ctx, found ? 1 : 0)
    }, nil, nil, nil)
    // Numbers in text read the same whichever way they were computed: 596, not 596.0.
    sqlite3_create_function_v2(db, "pmq_number_text", 1, flags, nil, { ctx, _, argv in
        guard let v = argv?[0] else { sqlite3_result_null(ctx); return }
        switch sqlite3_value_type(v) {
        case SQLITE_NULL: sqlite3_result_null(ctx)
        case SQLITE_INTEGER: resultText(ctx, String(sqlite3_value_int64(v)))
        case SQLITE_FLOAT: resultText(ctx, formatNumber(sqlite3_value_double(v)))
        default: sqlite3_result_value(ctx, v)
        }
    }, nil, nil, nil)
    // A task's wbs_key and parent_wbs from its wbs, as the writers compute them (WBS.sortKey,
    // WBS.parent): the row versions do not keep them since schema step 23
    // (RowVersions.derivedColumns), so `as of` computes them when it reads a version.
    sqlite3_create_function_v2(db, "pmq_wbs_key", 1, flags, nil, { ctx, _, argv in
        resultText(ctx, text(argv?[0]).map(WBS.sortKey))
    }, nil, nil, nil)
    sqlite3_create_function_v2(db, "pmq_parent_wbs", 1, flags, nil, { ctx, _, argv in
        resultText(ctx, text(argv?[0]).flatMap(WBS.parent))
    }, nil, nil, nil)
    // pmq_add_workdays needs the project calendar: a Session registers it (WorkCalendar.swift).
    // round(x [, digits]) as PMQ's scripts compute it (ConstantEvaluator.round): digits
    // above 0 as SQLite's own round() does, below 0 to tens, hundreds, ... as PostgreSQL.
    for arity: Int32 in [1, 2] {
        sqlite3_create_function_v2(db, "pmq_round", arity, flags, nil, { ctx, n, argv in
            guard let a = argv?[0], sqlite3_value_type(a) != SQLITE_NULL else { sqlite3_result_null(ctx); return }
            var digits = 0
            if n == 2 {
                guard let b = argv?[1], sqlite3_value_type(b) != SQLITE_NULL else { sqlite3_result_null(ctx); return }
                digits = Int(max(-15, min(15, sqlite3_value_int64(b))))
            }
            sqlite3_result_double(ctx, ConstantEvaluator.round(sqlite3_value_double(a), digits))
        }, nil, nil, nil)
    }
    sqlite3_create_function_v2(db, "pmq_add_months", 2, flags, nil, { ctx, _, argv in
        guard let a = argv?[0], let b = argv?[1], sqlite3_value_type(a) != SQLITE_NULL, sqlite3_value_type(b) != SQLITE_NULL else {
            sqlite3_result_null(ctx); return
        }
        let day = Day(Int(clamping: sqlite3_value_int64(a)))
        guard day.isInRange else { sqlite3_result_null(ctx); return }
        sqlite3_result_int64(ctx, Int64(day.addingMonths(Int(clamping: sqlite3_value_int64(b))).number))
    }, nil, nil, nil)
    // downstream of / upstream of a task: WorkReach walks links and the task tree in Swift.
    sqlite3_create_function_v2(db, "pmq_walk", 7, SQLITE_UTF8, nil, nil, { ctx, _, argv in
        guard let argv else { return }
        let slot = sqlite3_aggregate_context(ctx, Int32(MemoryLayout<UnsafeMutableRawPointer?>.size))
        guard let slot else { sqlite3_result_error_nomem(ctx); return }
        let box = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let walk: WorkReach
        if let p = box.pointee {
            walk = Unmanaged<WorkReach>.fromOpaque(p).takeUnretainedValue()
        } else {
            walk = WorkReach()
            if let c = argv[6], sqlite3_value_type(c) == SQLITE_INTEGER { walk.start = sqlite3_value_int64(c) }
            box.pointee = Unmanaged.passRetained(walk).toOpaque()
        }
        if let id = argv[0], sqlite3_value_type(id) == SQLITE_INTEGER {
            guard let w = argv[2], let wbs = text(w) else { return }
            let project = argv[1].flatMap { sqlite3_value_type($0) == SQLITE_INTEGER ? sqlite3_value_int64($0) : nil }
            walk.task(id: sqlite3_value_int64(id), project: project, wbs: wbs, parent: argv[3].flatMap { text($0) })
        } else if let a = argv[4], let b = argv[5], sqlite3_value_type(a) == SQLITE_INTEGER, sqlite3_value_type(b) == SQLITE_INTEGER {
            walk.linkFrom.append(sqlite3_value_int64(a))
            walk.linkTo.append(sqlite3_value_int64(b))
        }
    }, { ctx in
        let slot = sqlite3_aggregate_context(ctx, 0)
        guard let slot, let p = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee else {
            resultText(ctx, "[]"); return
        }
        resultText(ctx, Unmanaged<WorkReach>.fromOpaque(p).takeRetainedValue().result())
    }, nil)
    // A pivot cell's values: distinct, sorted by the second argument, joined by ",".
    sqlite3_create_function_v2(db, "pmq_join_distinct", 2, SQLITE_UTF8, nil, nil, { ctx, _, argv in
        guard let arg = argv?[0], var v = text(arg) else { return }
        // Numbers read as PMQ prints them: 40, not 40.0.
        if sqlite3_value_type(arg) == SQLITE_FLOAT { v = formatNumber(sqlite3_value_double(arg)) }
        let key = argv?[1].map { SortKey($0) } ?? .null
        let slot = sqlite3_aggregate_context(ctx, Int32(MemoryLayout<UnsafeMutableRawPointer?>.size))
        guard let slot else { sqlite3_result_error_nomem(ctx); return }
        let box = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let values: JoinedValues
        if let p = box.pointee {
            values = Unmanaged<JoinedValues>.fromOpaque(p).takeUnretainedValue()
        } else {
            values = JoinedValues()
            box.pointee = Unmanaged.passRetained(values).toOpaque()
        }
        if values.seen.insert(v).inserted { values.items.append((key, v)) }
    }, { ctx in
        let slot = sqlite3_aggregate_context(ctx, 0)
        guard let slot, let p = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee else {
            sqlite3_result_null(ctx); return
        }
        let values = Unmanaged<JoinedValues>.fromOpaque(p).takeRetainedValue()
        let sorted = values.items.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        resultText(ctx, sorted.map(\.element.1).joined(separator: ","))
    }, nil)
}

/// Case-insensitive "contains" when both texts are ASCII; nil when either is not, or holds a
/// carriage return (Unicode case folding can map other characters to ASCII letters, and
/// "\r\n" is one Character to String's search), so the caller then folds with Unicode.
func asciiContains(_ h: UnsafePointer<UInt8>, _ hn: Int, _ n: UnsafePointer<UInt8>, _ nn: Int) -> Bool? {
    for i in 0..<nn where n[i] >= 0x80 || n[i] == 13 { return nil }
    return asciiContains(h, hn, plainNeedle: n, nn)
}

/// Whether `n` occurs in `h`, byte for byte (UTF-8 is self-synchronising: a match of a whole
/// needle starts at a character boundary, so this is a code point substring search).
func bytesContain(_ h: UnsafeBufferPointer<UInt8>, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
    if n.isEmpty { return true }
    guard h.count >= n.count else { return false }
    let first = n[0]
    for i in 0...(h.count - n.count) where h[i] == first {
        var k = 1
        while k < n.count, h[i + k] == n[k] { k += 1 }
        if k == n.count { return true }
    }
    return false
}

/// The same, for a needle already known to be plain ASCII (checked once per statement).
func asciiContains(_ h: UnsafePointer<UInt8>, _ hn: Int, plainNeedle n: UnsafePointer<UInt8>, _ nn: Int) -> Bool? {
    @inline(__always) func plain(_ c: UInt8) -> Bool { c < 0x80 && c != 13 }
    @inline(__always) func lower(_ c: UInt8) -> UInt8 { c &- 65 < 26 ? c | 0x20 : c }
    if nn == 0 {
        for i in 0..<hn where !plain(h[i]) { return nil }
        return true
    }
    let first = lower(n[0])
    var i = 0
    var found = false
    while i < hn {
        let c = h[i]
        if !plain(c) { return nil }
        if !found, lower(c) == first, hn - i >= nn {
            var k = 1
            while k < nn, lower(h[i + k]) == lower(n[k]) { k += 1 }
            if k == nn { found = true }
        }
        i += 1
    }
    return found
}

/// The state of one pmq_join_distinct group.
private final class JoinedValues {
    var seen = Set<String>()
    var items: [(SortKey, String)] = []
}

/// A SQL value's place in SQLite's own order: null, then numbers, then text (by bytes).
private enum SortKey: Comparable {
    case null
    case number(Double)
    case text([UInt8])

    init(_ v: OpaquePointer) {
        switch sqlite3_value_type(v) {
        case SQLITE_NULL: self = .null
        case SQLITE_INTEGER, SQLITE_FLOAT: self = .number(sqlite3_value_double(v))
        default: self = .text(sqliteText(v).map { Array($0.utf8) } ?? [])
        }
    }

    static func < (a: SortKey, b: SortKey) -> Bool {
        switch (a, b) {
        case (.null, .null): return false
        case (.null, _): return true
        case (_, .null): return false
        case (.number(let x), .number(let y)): return x < y
        case (.number, .text): return true
        case (.text, .number): return false
        case (.text(let x), .text(let y)): return x.lexicographicallyPrecedes(y)
        }
    }
}
