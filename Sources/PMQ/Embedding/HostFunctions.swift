import CSQLite

/// The types a host function takes and returns.
public enum ValueType: String, Sendable {
    case number, text, date, duration, bool

    var ptype: PType {
        switch self {
        case .number: return .number
        case .text: return .text
        case .date: return .date
        case .duration: return .duration
        case .bool: return .bool
        }
    }
}

/// A function the host provides, callable from PMQ like a built-in:
/// `session.register("fx", parameters: [.number], returns: .number) { [v] in ... }`.
/// Its arity and argument types are checked when the text is compiled.
final class HostFunction {
    let name: String
    let parameters: [ValueType]
    let result: ValueType
    let body: ([Value]) throws -> Value

    init(name: String, parameters: [ValueType], result: ValueType, body: @escaping ([Value]) throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.result = result
        self.body = body
    }

    /// The SQL name: the PMQ name is checked to be a plain identifier first.
    var sqlName: String { "pmq_host_" + name }
}

public struct HostFunctionError: Error, CustomStringConvertible {
    public let description: String
}

extension Session {
    /// Registers a host function. Names are identifiers (letters, digits, `_`) and may not
    /// shadow a built-in. Calls run inside SQLite, once per row where a query needs them;
    /// an error thrown by `body` ends the run with its message and rolls back.
    public func register(_ name: String, parameters: [ValueType], returns result: ValueType,
                         _ body: @escaping ([Value]) throws -> Value) throws {
        let lower = name.lowercased()
        guard let first = lower.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
              lower.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" }) else {
            throw HostFunctionError(description: "a host function's name is letters, digits and _: \"\(name)\"")
        }
        if Checker.aggregates[lower] != nil || ScalarFunction.named(lower) != nil || Checker.relativeDates.contains(lower) {
            throw HostFunctionError(description: "\"\(name)\" is a built-in function")
        }
        let f = HostFunction(name: lower, parameters: parameters, result: result, body: body)
        let box = Unmanaged.passRetained(f).toOpaque()
        let rc = sqlite3_create_function_v2(db.handle, f.sqlName, Int32(parameters.count), SQLITE_UTF8, box, { ctx, argc, argv in
            guard let ctx, let data = sqlite3_user_data(ctx) else { return }
            let f = Unmanaged<HostFunction>.fromOpaque(data).takeUnretainedValue()
            var args: [Value] = []
            for i in 0..<Int(argc) {
                let v = argv?[i]
                args.append(HostFunction.value(v, as: i < f.parameters.count ? f.parameters[i] : .text))
            }
            do {
                HostFunction.result(ctx, try f.body(args))
            } catch {
                sqlite3_result_error(ctx, "\(f.name)(): \(error)", -1)
            }
        }, nil, nil, { data in
            if let data { Unmanaged<HostFunction>.fromOpaque(data).release() }
        })
        guard rc == SQLITE_OK else { throw HostFunctionError(description: "cannot register \(name): \(db.lastError)") }
        hostFunctions[lower] = f
    }
}

extension HostFunction {
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
}
