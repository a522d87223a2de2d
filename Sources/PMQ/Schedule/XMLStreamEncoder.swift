import Foundation

/// Writes an `Encodable` value as an XML document straight into a byte buffer, as it is
/// encoded: the element order is the order the type's properties are declared in (for the
/// MSPDI types, Microsoft's schema order), nil properties are left out, an array property
/// is one element per item, and every text value is escaped here, by construction
/// (& < > ' " as entities, as XMLCoder does; see `appendEscaped` for the rest).
///
/// It replaces XMLCoder's `XMLEncoder` for `export project to "F.xml"`: that one first
/// builds a tree of boxes for the whole document, then a String per element, and the
/// tree was most of the time of a 10,000-task export (BENCHMARKS.md, t3). The layout is
/// XMLCoder's pretty-printed one (four spaces a level), so the files read the same.
enum XMLStreamEncoder {
    static func encode<T: Encodable>(_ value: T, root: String, attributes: [(String, String)], header: String) throws -> Data {
        let sink = Sink()
        sink.bytes.reserveCapacity(1 << 16)
        sink.append(header)
        sink.append("<" + root)
        for (k, v) in attributes { sink.append(" \(k)=\""); sink.escaped(v); sink.append("\"") }
        sink.append(">\n")
        let top = ElementEncoder(sink: sink, key: root, level: 0, opened: Flag(true))
        try value.encode(to: top)
        sink.append("</" + root + ">")
        return Data(sink.bytes)
    }

    final class Sink {
        var bytes: [UInt8] = []
        func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
        func indent(_ level: Int) { for _ in 0..<(level * 4) { bytes.append(32) } }
        /// & < > ' " as entities (see `XMLStreamEncoder.appendEscaped`).
        func escaped(_ s: String) { XMLStreamEncoder.appendEscaped(s, to: &bytes) }
        func leaf(_ key: String, _ text: String, _ level: Int, escape: Bool) {
            indent(level)
            append("<" + key + ">")
            if escape { escaped(text) } else { append(text) }
            append("</" + key + ">\n")
        }
        func open(_ key: String, _ level: Int) { indent(level); append("<" + key + ">\n") }
        func close(_ key: String, _ level: Int) { indent(level); append("</" + key + ">\n") }
    }

    /// Text as XML 1.0 can carry it: & < > ' " as entities (as XMLCoder wrote them); a
    /// carriage return as `&#13;`, so a parser does not turn CR LF into LF; and the
    /// characters XML 1.0 cannot hold at all, even as a reference (U+0000–U+001F but tab,
    /// line feed and carriage return; U+FFFE, U+FFFF), dropped, as the SVG and HTML writers
    /// drop them (Markup.escape): else one control character in a name makes the whole file
    /// unreadable, to PMQ's own `import` too.
    static func appendEscaped(_ s: String, to bytes: inout [UInt8]) {
        // 0xEF starts U+FFFE and U+FFFF (and other characters): those go the slow way too.
        guard s.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 39 || $0 == 34 || ($0 < 32 && $0 != 9 && $0 != 10) || $0 == 0xEF }) else {
            bytes.append(contentsOf: s.utf8)
            return
        }
        for c in s.unicodeScalars {
            switch c.value {
            case 38: bytes.append(contentsOf: "&amp;".utf8)
            case 60: bytes.append(contentsOf: "&lt;".utf8)
            case 62: bytes.append(contentsOf: "&gt;".utf8)
            case 39: bytes.append(contentsOf: "&apos;".utf8)
            case 34: bytes.append(contentsOf: "&quot;".utf8)
            case 13: bytes.append(contentsOf: "&#13;".utf8)
            case 9, 10: bytes.append(UInt8(c.value))
            case 0..<32, 0xFFFE, 0xFFFF: continue
            default: bytes.append(contentsOf: c.utf8)
            }
        }
    }

    final class Flag { var value: Bool; init(_ v: Bool) { value = v } }

    /// Encodes one value as the element `key` at `level`: a keyed container opens the
    /// element (its caller closes it), an unkeyed one writes each item as `key`, a single
    /// value is a text element.
    struct ElementEncoder: Encoder {
        let sink: Sink
        let key: String
        let level: Int
        let opened: Flag
        var codingPath: [CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if !opened.value { sink.open(key, level); opened.value = true }
            return KeyedEncodingContainer(Keyed<Key>(sink: sink, level: level + 1))
        }
        func unkeyedContainer() -> UnkeyedEncodingContainer { Unkeyed(sink: sink, key: key, level: level) }
        func singleValueContainer() -> SingleValueEncodingContainer { Single(sink: sink, key: key, level: level) }
    }

    /// `value` as the element `key`: text for the plain types, else through its own encoding.
    static func write<T: Encodable>(_ value: T, as key: String, _ sink: Sink, _ level: Int) throws {
        switch value {
        case let s as String: sink.leaf(key, s, level, escape: true)
        case let n as Int: sink.leaf(key, String(n), level, escape: false)
        case let b as Bool: sink.leaf(key, b ? "true" : "false", level, escape: false)
        case let d as Double: sink.leaf(key, formatNumber(d), level, escape: false)
        default:
            let e = ElementEncoder(sink: sink, key: key, level: level, opened: Flag(false))
            try value.encode(to: e)
            if e.opened.value { sink.close(key, level) }
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let sink: Sink
        let level: Int
        var codingPath: [CodingKey] { [] }
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: String, forKey key: Key) throws { sink.leaf(key.stringValue, value, level, escape: true) }
        mutating func encode(_ value: Int, forKey key: Key) throws { sink.leaf(key.stringValue, String(value), level, escape: false) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { sink.leaf(key.stringValue, value ? "true" : "false", level, escape: false) }
        mutating func encode(_ value: Double, forKey key: Key) throws { sink.leaf(key.stringValue, formatNumber(value), level, escape: false) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try XMLStreamEncoder.write(value, as: key.stringValue, sink, level) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            // Not used by the MSPDI types (their nesting is through Encodable values); an
            // element opened here is never closed, so the types must not ask for it.
            sink.open(key.stringValue, level)
            return KeyedEncodingContainer(Keyed<NestedKey>(sink: sink, level: level + 1))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer { Unkeyed(sink: sink, key: key.stringValue, level: level) }
        mutating func superEncoder() -> Encoder { ElementEncoder(sink: sink, key: "super", level: level, opened: Flag(false)) }
        mutating func superEncoder(forKey key: Key) -> Encoder { ElementEncoder(sink: sink, key: key.stringValue, level: level, opened: Flag(false)) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let sink: Sink
        let key: String
        let level: Int
        var codingPath: [CodingKey] { [] }
        var count = 0
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws { count += 1; try XMLStreamEncoder.write(value, as: key, sink, level) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            count += 1
            sink.open(key, level)
            return KeyedEncodingContainer(Keyed<NestedKey>(sink: sink, level: level + 1))
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { Unkeyed(sink: sink, key: key, level: level) }
        mutating func superEncoder() -> Encoder { ElementEncoder(sink: sink, key: key, level: level, opened: Flag(false)) }
    }

    struct Single: SingleValueEncodingContainer {
        let sink: Sink
        let key: String
        let level: Int
        var codingPath: [CodingKey] { [] }
        mutating func encodeNil() throws {}
        mutating func encode(_ value: String) throws { sink.leaf(key, value, level, escape: true) }
        mutating func encode(_ value: Int) throws { sink.leaf(key, String(value), level, escape: false) }
        mutating func encode(_ value: Bool) throws { sink.leaf(key, value ? "true" : "false", level, escape: false) }
        mutating func encode(_ value: Double) throws { sink.leaf(key, formatNumber(value), level, escape: false) }
        mutating func encode<T: Encodable>(_ value: T) throws { try XMLStreamEncoder.write(value, as: key, sink, level) }
    }
}
