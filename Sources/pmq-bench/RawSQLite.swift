import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SQLite's "copy this string now" destructor, which Swift does not import.
let TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// A plain sqlite3 connection driven through the C API, with nothing of PMQ in between:
/// the generator's bulk loader and the hand-written-SQL side of the query benchmarks.
final class RawConnection {
    let db: OpaquePointer

    init(path: String) throws {
        var h: OpaquePointer?
        let rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let h else { throw BenchError("cannot open \(path): rc \(rc)") }
        db = h
        sqlite3_busy_timeout(h, 5000)
    }

    deinit { sqlite3_close_v2(db) }

    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &err) != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(err)
            throw BenchError("\(msg)\n  in: \(sql.prefix(200))")
        }
    }

    func prepare(_ sql: String) throws -> OpaquePointer {
        var s: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &s, nil) == SQLITE_OK, let s else {
            throw BenchError("\(String(cString: sqlite3_errmsg(db)))\n  in: \(sql)")
        }
        return s
    }

    /// Rows of text (for small look-ups such as sqlite_master and EXPLAIN QUERY PLAN).
    func rows(_ sql: String) throws -> [[String?]] {
        let s = try prepare(sql)
        defer { sqlite3_finalize(s) }
        var out: [[String?]] = []
        while sqlite3_step(s) == SQLITE_ROW {
            out.append((0..<sqlite3_column_count(s)).map { i in sqlite3_column_text(s, i).map { String(cString: $0) } })
        }
        return out
    }

    /// Prepares, binds and steps through every row, reading every column the way a client
    /// would (integers, reals and text copied out). Returns the row count and a checksum of
    /// the first column (so the work cannot be skipped and results can be compared).
    func runAll(_ sql: String, _ args: [BenchArg]) throws -> (rows: Int, first: Double) {
        let s = try prepare(sql)
        defer { sqlite3_finalize(s) }
        bindAll(s, args)
        let n = sqlite3_column_count(s)
        var rows = 0
        var first = 0.0
        var sink = 0
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
            rows += 1
            for i in 0..<n {
                switch sqlite3_column_type(s, i) {
                case SQLITE_INTEGER: sink &+= Int(truncatingIfNeeded: sqlite3_column_int64(s, i))
                case SQLITE_FLOAT: sink &+= Int(sqlite3_column_double(s, i))
                case SQLITE_NULL: break
                default:
                    if let p = sqlite3_column_text(s, i) { sink &+= String(cString: p).utf8.count }
                }
            }
            if n > 0, sqlite3_column_type(s, 0) != SQLITE_TEXT { first += sqlite3_column_double(s, 0) }
        }
        blackHole(sink)
        return (rows, first)
    }

    func bindAll(_ s: OpaquePointer, _ args: [BenchArg]) {
        for (i, a) in args.enumerated() {
            let idx = Int32(i + 1)
            switch a {
            case .int(let v): sqlite3_bind_int64(s, idx, Int64(v))
            case .real(let v): sqlite3_bind_double(s, idx, v)
            case .text(let v): sqlite3_bind_text(s, idx, v, -1, TRANSIENT)
            case .null: sqlite3_bind_null(s, idx)
            }
        }
    }
}

enum BenchArg {
    case int(Int), real(Double), text(String), null
}

@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

/// Binds optionals without ceremony in the bulk loader.
extension OpaquePointer {
    @inline(__always) func bind(_ i: Int32, _ v: Int?) {
        if let v { sqlite3_bind_int64(self, i, Int64(v)) } else { sqlite3_bind_null(self, i) }
    }
    @inline(__always) func bind(_ i: Int32, _ v: Double?) {
        if let v { sqlite3_bind_double(self, i, v) } else { sqlite3_bind_null(self, i) }
    }
    @inline(__always) func bind(_ i: Int32, _ v: String?) {
        if let v { sqlite3_bind_text(self, i, v, -1, TRANSIENT) } else { sqlite3_bind_null(self, i) }
    }
}
