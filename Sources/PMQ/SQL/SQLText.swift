/// SQL text as the generator writes it: UTF-8 bytes in one buffer, made into a String once
/// when the statement is done. Appending to a String costs a few hundred instructions a
/// piece (the copy-and-grow checks of its storage), and an interpolation makes a String of
/// its own that the next level copies again; appending bytes is a copy into room reserved
/// ahead. Fragments made elsewhere (a dialect's spelling, a placeholder, a subquery) are
/// still values: they are appended as they are.
///
/// The room is made once, zero-filled, and written through a pointer with a count of its
/// own: `Array.append(contentsOf:)` cost about 70 instructions a piece in its checks (a
/// statement has a hundred pieces), and a buffer started empty grew five times on the way
/// to a typical WHERE clause.
struct SQLText {
    private var bytes: [UInt8]
    private var count = 0

    /// Room for a typical condition or expression.
    static let defaultCapacity = 256

    init() { bytes = [UInt8](repeating: 0, count: SQLText.defaultCapacity) }

    init(capacity: Int) { bytes = [UInt8](repeating: 0, count: max(capacity, 16)) }

    /// Fixed SQL: keywords and punctuation, from the generator's own literals.
    mutating func put(_ s: StaticString) {
        if s.hasPointerRepresentation {
            write(s.utf8Start, s.utf8CodeUnitCount)
        } else {
            s.withUTF8Buffer { if let p = $0.baseAddress { write(p, $0.count) } }
        }
    }

    /// A fragment made elsewhere: an alias, a column, a placeholder, a dialect's spelling.
    mutating func append(_ s: String) {
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { if let p = $0.baseAddress { write(p, $0.count) } }
        if done == nil {
            for c in s.utf8 { write(byte: c) }
        }
    }

    /// Text written elsewhere (a WHERE made before the select list), copied without a String between.
    mutating func append(_ other: SQLText) {
        let n = other.count
        other.bytes.withUnsafeBufferPointer { if let p = $0.baseAddress { write(p, n) } }
    }

    private mutating func write(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if count + n > bytes.count { grow(count + n) }
        let at = count
        bytes.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            (base + at).update(from: p, count: n)
        }
        count += n
    }

    private mutating func write(byte c: UInt8) {
        if count + 1 > bytes.count { grow(count + 1) }
        bytes[count] = c
        count += 1
    }

    /// At least doubles the room (zero-filled), so a long statement grows a few times, not a piece at a time.
    private mutating func grow(_ needed: Int) {
        bytes.append(contentsOf: repeatElement(0, count: max(needed, 2 * bytes.count) - bytes.count))
    }

    /// The text written so far.
    var string: String {
        let n = count
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[..<n]), as: UTF8.self) }
    }
}
