/// SQL text as the generator writes it: UTF-8 bytes in one buffer, made into a String once
/// when the statement is done. Appending to a String costs a few hundred instructions a
/// piece (the copy-and-grow checks of its storage), and an interpolation makes a String of
/// its own that the next level copies again; appending bytes is a copy into room reserved
/// ahead. Fragments made elsewhere (a dialect's spelling, a placeholder, a subquery) are
/// still values: they are appended as they are.
///
/// The room is one tail-allocated buffer with a count and capacity of the text's own,
/// written through its pointer: an `Array`'s mutable-buffer access cost about 45
/// instructions a piece in its checks (a statement has about a hundred pieces, figure a).
/// A copy of an `SQLText` shares the buffer until one of them writes (then that one copies).
struct SQLText {
    private var storage: ManagedBuffer<Void, UInt8>
    private var capacity: Int
    private var count = 0

    /// Room for a typical condition or expression.
    static let defaultCapacity = 256

    init() { self.init(capacity: SQLText.defaultCapacity) }

    init(capacity: Int) {
        let n = max(capacity, 16)
        storage = ManagedBuffer<Void, UInt8>.create(minimumCapacity: n) { _ in () }
        self.capacity = n
    }

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
        other.storage.withUnsafeMutablePointerToElements { write(UnsafePointer($0), n) }
    }

    private mutating func write(_ p: UnsafePointer<UInt8>, _ n: Int) {
        let at = count
        if at + n > capacity || !isKnownUniquelyReferenced(&storage) { grow(at + n) }
        storage.withUnsafeMutablePointerToElements { ($0 + at).update(from: p, count: n) }
        count = at + n
    }

    private mutating func write(byte c: UInt8) {
        let at = count
        if at + 1 > capacity || !isKnownUniquelyReferenced(&storage) { grow(at + 1) }
        storage.withUnsafeMutablePointerToElements { $0[at] = c }
        count = at + 1
    }

    /// A buffer of its own with room for `needed` bytes, at least doubling, so a long statement
    /// grows a few times, not a piece at a time; the text so far copied into it.
    private mutating func grow(_ needed: Int) {
        let n = max(needed, 2 * capacity)
        let bigger = ManagedBuffer<Void, UInt8>.create(minimumCapacity: n) { _ in () }
        let used = count
        storage.withUnsafeMutablePointerToElements { old in
            bigger.withUnsafeMutablePointerToElements { $0.initialize(from: old, count: used) }
        }
        storage = bigger
        capacity = n
    }

    /// The text written so far.
    var string: String {
        let n = count
        return storage.withUnsafeMutablePointerToElements { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
    }
}
