import Foundation

/// Writes the server's JSON. Foundation's JSONSerialization spends most of a large reply
/// casting `Any` on Linux (150 ms for 200 completion items); this writes the few types the
/// server builds (strings, integers, booleans, null, arrays, objects) directly, keys sorted.
enum JSONText {
    static func encode(_ value: Any) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, &out)
        return out
    }

    private static func write(_ value: Any, _ out: inout [UInt8]) {
        // Containers first: a failed cast of a dictionary to a class (NSNumber) would bridge it
        // to NSDictionary just to find out, which is what made JSONSerialization slow.
        switch value {
        case let o as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(k, &out)
                out.append(UInt8(ascii: ":"))
                write(o[k] ?? NSNull(), &out)
            }
            out.append(UInt8(ascii: "}"))
        case let a as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, &out)
            }
            out.append(UInt8(ascii: "]"))
        case let s as String: string(s, &out)
        case let b as Bool where type(of: value) == Bool.self: out += Array((b ? "true" : "false").utf8)
        case let n as Int: out += Array(String(n).utf8)
        case let d as Double: out += Array((d.isFinite ? String(d) : "null").utf8)
        case is NSNull: out += Array("null".utf8)
        case let n as NSNumber:
            // Only an id echoed from a request arrives here: keep integers integral.
            let d = n.doubleValue
            out += Array((d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8)
        default: out += Array("null".utf8)
        }
    }

    private static func string(_ s: String, _ out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case UInt8(ascii: "\n"): out += [92, UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [92, UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [92, UInt8(ascii: "t")]
            case 0..<0x20: out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
