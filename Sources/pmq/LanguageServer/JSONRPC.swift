import Foundation

/// JSON-RPC 2.0 as LSP uses it: requests (with an id), notifications (without), and the
/// responses and errors the server sends back. Values stay Foundation JSON objects.
struct RPCMessage {
    let id: Any?
    let method: String
    let params: [String: Any]

    var isRequest: Bool { id != nil }

    init?(_ data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any],
              let method = dict["method"] as? String else { return nil }
        self.id = dict["id"].flatMap { $0 is NSNull ? nil : $0 }
        self.method = method
        self.params = dict["params"] as? [String: Any] ?? [:]
    }
}

enum RPC {
    enum ErrorCode: Int {
        case parseError = -32700, invalidRequest = -32600, methodNotFound = -32601, invalidParams = -32602
        case serverNotInitialized = -32002
    }

    static func response(_ id: Any?, _ result: Any?) -> [String: Any] {
        ["jsonrpc": "2.0", "id": id ?? NSNull(), "result": result ?? NSNull()]
    }

    static func error(_ id: Any?, _ code: ErrorCode, _ message: String) -> [String: Any] {
        ["jsonrpc": "2.0", "id": id ?? NSNull(), "error": ["code": code.rawValue, "message": message]]
    }

    static func notification(_ method: String, _ params: [String: Any]) -> [String: Any] {
        ["jsonrpc": "2.0", "method": method, "params": params]
    }
}

/// Reading fields out of JSON objects without force casts.
extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? {
        if let n = self[key] as? Int { return n }
        if let n = self[key] as? NSNumber { return n.intValue }
        return nil
    }
}
