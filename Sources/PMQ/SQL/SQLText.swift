/// SQL text as the generator writes it: UTF-8 bytes in one buffer, made into a String once
/// when the statement is done. Appending to a String costs a few hundred instructions a
/// piece (the copy-and-grow checks of its storage), and an interpolation makes a String of
/// its own that the next level copies again; appending bytes is a copy into room reserved
/// ahead. Fragments made elsewhere (a dialect's spelling, a placeholder, a subquery) are
/// still values: they are appended as they are.
struct SQLText {
    private var bytes: [UInt8] = []

    init() {}

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Fixed SQL: keywords and punctuation, from the generator's own literals.
    mutating func put(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A fragment made elsewhere: an alias, a column, a placeholder, a dialect's spelling.
    mutating func append(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    /// The text written so far.
    var string: String { String(decoding: bytes, as: UTF8.self) }
}
