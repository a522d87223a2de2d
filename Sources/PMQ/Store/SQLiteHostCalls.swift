import CSQLite

/// The SQLite engine's calls back into the process: the calendar's day functions, host
/// functions, and the progress handler and memory limits of a limited run.
extension SQLiteEngine {
    public func registerDayFunction(_ name: String, _ body: @escaping (Int64, Int64) -> Int64?) throws {
        try registerDayFunction(name, arguments: 2) { d, n, _ in body(d, n) }
    }

    public func registerPersonDayFunction(_ name: String, _ body: @escaping (Int64, Int64, Int64?) -> Int64?) throws {
        try registerDayFunction(name, arguments: 3, body)
    }

    /// `name(day, n)` or `name(day, n, person)`: a null day or count gives null; a person
    /// that is not an integer counts as none (the project calendar).
    private func registerDayFunction(_ name: String, arguments: Int32, _ body: @escaping (Int64, Int64, Int64?) -> Int64?) throws {
        final class Box { let body: (Int64, Int64, Int64?) -> Int64?; init(_ b: @escaping (Int64, Int64, Int64?) -> Int64?) { body = b } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = sqlite3_create_function_v2(handle, name, arguments, SQLITE_UTF8 | SQLITE_DETERMINISTIC, box, { ctx, argc, argv in
            guard let ctx, let data = sqlite3_user_data(ctx), let argv, argc >= 2, let a0 = argv[0], let a1 = argv[1],
                  sqlite3_value_type(a0) != SQLITE_NULL, sqlite3_value_type(a1) != SQLITE_NULL else {
                if let ctx { sqlite3_result_null(ctx) }
                return
            }
            let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
            var person: Int64?
            if argc == 3, let a2 = argv[2], sqlite3_value_type(a2) == SQLITE_INTEGER { person = sqlite3_value_int64(a2) }
            if let r = box.body(sqlite3_value_int64(a0), sqlite3_value_int64(a1), person) {
                sqlite3_result_int64(ctx, r)
            } else {
                sqlite3_result_null(ctx)
            }
        }, nil, nil, { data in
            if let data { Unmanaged<AnyObject>.fromOpaque(data).release() }
        })
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    public func registerHostFunction(_ f: HostFunction) throws {
        let box = Unmanaged.passRetained(f).toOpaque()
        let rc = sqlite3_create_function_v2(handle, f.sqlName, Int32(f.parameters.count), SQLITE_UTF8, box, { ctx, argc, argv in
            guard let ctx, let data = sqlite3_user_data(ctx) else { return }
            let f = Unmanaged<HostFunction>.fromOpaque(data).takeUnretainedValue()
            var args: [Value] = []
            for i in 0..<Int(argc) {
                args.append(SQLiteEngine.value(argv?[i], as: i < f.parameters.count ? f.parameters[i] : .text))
            }
            do {
                SQLiteEngine.result(ctx, try f.body(args))
            } catch {
                sqlite3_result_error(ctx, "\(f.name)(): \(error)", -1)
            }
        }, nil, nil, { data in
            if let data { Unmanaged<HostFunction>.fromOpaque(data).release() }
        })
        guard rc == SQLITE_OK else { throw HostFunctionError(description: "cannot register \(f.name): \(lastError)") }
    }

    static func value(_ v: OpaquePointer?, as type: ValueType) -> Value {
        guard let v, sqlite3_value_type(v) != SQLITE_NULL else { return .null }
        switch type {
        case .number:
            return sqlite3_value_type(v) == SQLITE_INTEGER ? .integer(sqlite3_value_int64(v)) : .decimal(sqlite3_value_double(v))
        case .text:
            return sqlite3_value_text(v).map { .text(String(cString: $0)) } ?? .null
        case .date:
            return .date(Day(Int(sqlite3_value_int64(v))))
        case .duration:
            return .duration(sqlite3_value_double(v))
        case .bool:
            return .bool(sqlite3_value_int64(v) != 0)
        }
    }

    static func result(_ ctx: OpaquePointer, _ v: Value) {
        switch v {
        case .null: sqlite3_result_null(ctx)
        case .integer(let i): sqlite3_result_int64(ctx, i)
        case .decimal(let d), .duration(let d): sqlite3_result_double(ctx, d)
        case .text(let s), .reference(let s): sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT)
        case .date(let d): sqlite3_result_int64(ctx, Int64(d.number))
        case .bool(let b): sqlite3_result_int64(ctx, b ? 1 : 0)
        case .list(let xs): sqlite3_result_text(ctx, encodeList(xs), -1, SQLITE_TRANSIENT)
        }
    }

    /// SQLite reports its work through a progress handler every thousand VM instructions;
    /// a memory limit is SQLite's process-wide hard heap limit plus the longest value.
    public func beginLimits(maxMemory: Int?, progress: (() -> Bool)?) {
        if let maxMemory {
            limitState.heapBefore = sqlite3_hard_heap_limit64(Int64(maxMemory))
            limitState.lengthBefore = sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, Int32(clamping: max(1_000, maxMemory / 2)))
        }
        limitState.progress = progress
        guard progress != nil else {
            sqlite3_progress_handler(handle, 0, nil, nil)
            return
        }
        let context = Unmanaged.passUnretained(limitState).toOpaque()
        sqlite3_progress_handler(handle, 1000, { context in
            guard let context else { return 0 }
            let state = Unmanaged<SQLiteLimitState>.fromOpaque(context).takeUnretainedValue()
            // Non-zero: SQLite stops the statement with SQLITE_INTERRUPT.
            return state.progress?() == false ? 1 : 0
        }, context)
    }

    public func endLimits() {
        if let h = limitState.heapBefore { _ = sqlite3_hard_heap_limit64(h); limitState.heapBefore = nil }
        if let l = limitState.lengthBefore { _ = sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, l); limitState.lengthBefore = nil }
        if limitState.progress != nil { sqlite3_progress_handler(handle, 0, nil, nil) }
        limitState.progress = nil
    }
}

/// What a limited run changed on the connection, to restore when it ends.
final class SQLiteLimitState {
    var heapBefore: Int64?
    var lengthBefore: Int32?
    var progress: (() -> Bool)?
}
