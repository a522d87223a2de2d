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
public final class HostFunction {
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
        try db.registerHostFunction(f)
        compiler.hostFunctions[lower] = f
    }
}

