/// The seam between PMQ and the database that keeps a model. Everything above the store
/// (executors, journal, history, schedule, output) talks to an `Engine`: it runs SQL with
/// bound values, hands back typed rows, reports failures with a typed `StoreError.Kind`,
/// and owns transactions, the functions PMQ's SQL calls, limits and `explain`.
///
/// Two engines implement it: `SQLiteEngine` (a file, or memory) and `PostgresEngine`
/// (a server, `postgresql://USER@HOST[:PORT]/DB`). The SQL text an executor writes is
/// SQLite's spelling of standard SQL with `?N` placeholders; where spellings differ the
/// engine's `SQLDialect` supplies them (see PostgresEngine for what it adapts).
public protocol Engine: AnyObject {
    /// The SQL spellings this engine needs from the generator.
    var dialect: SQLDialect { get }
    /// Which engine this is (for messages and the rare choice only an engine can make).
    var kind: EngineKind { get }
    /// Where the model is: a file path, a URL without password, or nil (in memory).
    var location: String? { get }
    /// The schema version before `migrate` brought the store up to date (nil: it was current).
    var upgradedFrom: Int? { get }
    /// The store's schema version (how many migration steps have run).
    var schemaVersion: Int { get }
    /// Ends the connection now rather than when the engine is freed (the `pmq` command, which
    /// then exits without freeing the session); the engine is not used after.
    func close()

    /// Runs one or more statements that return no rows, with nothing bound.
    func execute(_ sql: String) throws
    /// Runs a statement that returns no rows, values bound to `?1`, `?2`, ...; the number of
    /// rows it changed.
    @discardableResult func run(_ sql: String, _ args: [Value]) throws -> Int
    /// The id of the row the last INSERT added on this connection.
    var lastInsertID: Int64 { get }
    /// Runs a query, calling `row` for each result row.
    func query(_ sql: String, _ args: [Value], row: (Row) throws -> Void) throws
    /// The first column of the first row, as stored (nil rows: null).
    func scalar(_ sql: String, _ args: [Value]) throws -> Value

    /// Transactions: a write transaction takes the write lock at once (SQLite) or runs at the
    /// engine's isolation for change sets (PostgreSQL).
    func begin(writing: Bool) throws
    func commit() throws
    func rollback() throws
    func savepoint(_ name: String) throws
    func releaseSavepoint(_ name: String) throws
    func rollbackToSavepoint(_ name: String) throws
    var isInTransaction: Bool { get }

    /// Stops a running statement from another thread (Ctrl-C, deadlines).
    func interrupt()
    /// The plan of a query, one line a step.
    func plan(_ sql: String, _ args: [Value]) throws -> [String]
    /// Fills the scratch table `name` (columns c0, c1, ... up to `maxColumns`) with the rows
    /// of `select`, which has `columns` columns; the number of rows. The table lives as long as
    /// the connection and is emptied by the caller (`clearScratch`).
    func fillScratch(_ name: String, columns: Int, maxColumns: Int, select: String, args: [Value]) throws -> Int
    /// Empties the scratch table `name` after its rows were used (`DELETE FROM temp.NAME`). An
    /// engine may remember that it is empty, so that the next `fillScratch` need not empty it.
    func clearScratch(_ name: String) throws
    /// A value that stays the same while nothing is written through this connection (no row
    /// inserted, updated or deleted, no rollback, no SQL run by `execute`, no error), or nil
    /// when the engine cannot tell (another session may write between two statements).
    var changeStamp: ChangeStamp? { get }
    /// Takes the rows of `table` whose ids `idsSQL` selects for this change set. An engine
    /// shared by several writers (PostgreSQL) throws `.conflict` when another session changed
    /// one of them since this change set began, leaving the transaction usable so the caller
    /// can name the rows; SQLite (one writer at a time) has nothing to do.
    func lockRows(_ table: String, idsSQL: String) throws
    /// Waits for this session's turn to run a change set, as SQLite's writers queue on its
    /// lock (docs/language.md, “Teams on a server”); `endWriterTurn` lets the next one in.
    /// An engine with one writer at a time has nothing to do.
    func takeWriterTurn() throws
    func endWriterTurn()
    /// The column names of a table, in order.
    func columns(of table: String) throws -> [String]
    /// The database user change sets are recorded as, when the engine knows one (a server's
    /// login); nil: the session's own notion (the OS user).
    var databaseUser: String? { get }

    /// Installs a day function `name(day, n)` (integers in, integer out; null in, null out)
    /// computed by `body`: the working-day arithmetic of the project calendar. `calendarChanged`
    /// is called when the holidays were reloaded (an engine that stores the calendar in the
    /// database, not in the process, has nothing to do).
    func registerDayFunction(_ name: String, _ body: @escaping (Int64, Int64) -> Int64?) throws
    /// The same with a third argument, a person (null: none): counted in that person's
    /// calendar (docs/language.md, “Resources”). An engine with the calendar in the database has nothing to do.
    func registerPersonDayFunction(_ name: String, _ body: @escaping (Int64, Int64, Int64?) -> Int64?) throws
    /// Installs a host function (see `Session.register`). An engine that cannot call back into
    /// the process throws `HostFunctionError` saying so.
    func registerHostFunction(_ f: HostFunction) throws
    /// While a limited run lasts: `progress` is asked every so often whether to go on, and
    /// `maxMemory` bounds the engine's own memory where it can. `endLimits` restores.
    func beginLimits(maxMemory: Int?, progress: (() -> Bool)?)
    func endLimits()
}

extension Engine {
    public func takeWriterTurn() throws {}
    public func endWriterTurn() {}
    public func clearScratch(_ name: String) throws { try run("DELETE FROM temp.\(name)", []) }
    public var changeStamp: ChangeStamp? { nil }
    @discardableResult public func run(_ sql: String) throws -> Int { try run(sql, []) }
    public func scalar(_ sql: String) throws -> Value { try scalar(sql, []) }
    public func query(_ sql: String, row: (Row) throws -> Void) throws { try query(sql, [], row: row) }
}

/// See `Engine.changeStamp`.
public struct ChangeStamp: Equatable, Sendable {
    let changes: Int64
    let epoch: Int
}

public enum EngineKind: String, Sendable {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL"
}

/// Why the store refused or failed, typed so callers never match an engine's number.
public struct StoreError: Error, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Another writer holds the lock too long (SQLite's BUSY).
        case busy
        /// A UNIQUE, NOT NULL, CHECK or FOREIGN KEY rule refused the change.
        case constraint
        /// The statement was stopped (`cancel`, a limit).
        case interrupted
        /// Out of memory, or a value too large (a memory limit).
        case noMemory
        /// The database cannot be opened or reached (file, server, login).
        case cannotOpen
        /// The file or database is not a PMQ store this PMQ can use.
        case notPMQ
        /// A concurrent change set got there first (PostgreSQL serialization failure).
        case conflict
        /// The connection to the server was lost.
        case connectionLost
        case other
    }
    /// Which kind of rule refused a change (`kind == .constraint`), as the engine reports it in a
    /// typed value: SQLite's extended result code, PostgreSQL's SQLSTATE. Callers match on
    /// this, never on the engine's message text (which differs between engines and versions).
    public enum Constraint: Sendable, Equatable {
        /// A UNIQUE index or primary key: two rows would have the same key. Every table PMQ
        /// inserts into by `add` or `import` has one unique key besides its id (StoreTests
        /// checks it), so the table names the key. PostgreSQL also names the constraint.
        case unique(name: String?)
        case notNull
        case foreignKey
        case check
        case other
    }
    public let kind: Kind
    public let message: String
    /// The engine's own code (SQLite's result code; 0 for PostgreSQL, whose SQLSTATE is in `state`).
    public let code: Int32
    /// PostgreSQL's SQLSTATE, when it reported one.
    public let state: String?
    /// The rule that refused the change, when `kind` is `.constraint`.
    public let constraint: Constraint?
    public var description: String { message }
    /// A UNIQUE, NOT NULL, CHECK or foreign-key constraint refused the change.
    public var isConstraint: Bool { kind == .constraint }
    /// Two rows would have the same unique key.
    public var isUniqueViolation: Bool { if case .unique? = constraint { true } else { false } }

    public init(_ kind: Kind, _ message: String, code: Int32 = 0, state: String? = nil, constraint: Constraint? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
        self.state = state
        self.constraint = constraint ?? (kind == .constraint ? .other : nil)
    }
}

/// One result row, its columns as the engine stores them: integers, reals, text or null.
public struct Row {
    enum Storage {
        case sqlite(OpaquePointer)
        case table(RowTable, Int)
    }
    let storage: Storage

    /// Column `i` (0-based) as stored.
    public subscript(_ i: Int) -> Value {
        switch storage {
        case .sqlite(let s): return SQLiteEngine.value(s, Int32(i))
        case .table(let t, let r): return t.value(r, i)
        }
    }
    public subscript(_ i: Int32) -> Value { self[Int(i)] }

    /// How a column is stored, for readers that take many rows and want no `Value` per column.
    public enum StoredType: Sendable { case null, integer, real, text }

    /// The storage type of column `i`.
    public func storedType(_ i: Int) -> StoredType {
        switch storage {
        case .sqlite(let s): return SQLiteEngine.storedType(s, Int32(i))
        case .table(let t, let r):
            switch t.value(r, i) {
            case .null: return .null
            case .integer: return .integer
            case .decimal: return .real
            default: return .text
            }
        }
    }

    /// Column `i` when it is stored as an integer; nil for null or any other type (no `Value` made).
    public func integer(_ i: Int) -> Int64? {
        switch storage {
        case .sqlite(let s): return SQLiteEngine.integer(s, Int32(i))
        case .table(let t, let r):
            if case .integer(let n) = t.value(r, i) { return n }
            return nil
        }
    }

    /// Column `i` as a number (an integer or a real; text as `Value.number` reads it); nil for null.
    public func number(_ i: Int) -> Double? {
        switch storage {
        case .sqlite(let s):
            switch SQLiteEngine.storedType(s, Int32(i)) {
            case .null: return nil
            case .integer, .real: return SQLiteEngine.double(s, Int32(i))
            case .text: return SQLiteEngine.value(s, Int32(i)).number
            }
        case .table(let t, let r): return t.value(r, i).number
        }
    }

    /// How many columns the row has.
    public var count: Int {
        switch storage {
        case .sqlite(let s): return SQLiteEngine.columnCount(s)
        case .table(let t, _): return t.columnCount
        }
    }

    /// The bytes column `i` takes (for memory limits).
    public func byteCount(_ i: Int) -> Int {
        switch storage {
        case .sqlite(let s): return SQLiteEngine.byteCount(s, Int32(i))
        case .table(let t, let r): return t.byteCount(r, i)
        }
    }
}

/// A result held by an engine that fetches whole results (PostgreSQL).
protocol RowTable: AnyObject {
    var columnCount: Int { get }
    func value(_ row: Int, _ column: Int) -> Value
    func byteCount(_ row: Int, _ column: Int) -> Int
}

/// Opens the store `location` names: a `postgresql://` or `postgres://` URL, or a file path
/// (nil: in memory).
public enum Store {
    public static func isServerURL(_ location: String) -> Bool {
        // The scheme in any case (RFC 3986 §3.1): `POSTGRESQL://` is no file name (W10).
        let scheme = location.prefix(13).lowercased()
        return scheme.hasPrefix("postgresql://") || scheme.hasPrefix("postgres://")
    }

    /// A location as messages and the shell's history show it: a URL's password as `***`.
    public static func shown(_ location: String) -> String {
        isServerURL(location) ? PostgresEngine.shown(location) : location
    }

    /// `initialize` adds PMQ's tables to a database that holds other tables and no PMQ schema
    /// (`--init`), which is otherwise refused as not a PMQ database; the tables already there
    /// are left as they are. It changes nothing for an empty or a PMQ database, and is ignored
    /// with `readOnly`, which never changes the database.
    public static func open(_ location: String?, readOnly: Bool = false, initialize: Bool = false) throws -> any Engine {
        if let location, isServerURL(location) {
            return try PostgresEngine.openStore(url: location, readOnly: readOnly, initialize: initialize)
        }
        if readOnly, let location { return try SQLiteEngine.openReadOnly(path: location) }
        return try SQLiteEngine.openStore(path: location, initialize: initialize)
    }
}
