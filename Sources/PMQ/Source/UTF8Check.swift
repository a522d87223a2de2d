import Foundation

/// Where text that should be UTF-8 is not: a script (review 7, W2) or an imported JSON file
/// (R18). Said at the first bad byte, never decoded silently into U+FFFD.
enum UTF8Check {
    /// The offset of the first byte that does not belong to well-formed UTF-8, or nil.
    static func firstInvalid(_ data: Data) -> Int? {
        if String(validating: data, as: UTF8.self) != nil { return nil }
        let b = [UInt8](data)
        var i = 0
        while i < b.count {
            let c = b[i]
            let n: Int
            switch c {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: n = 1
            case 0xE0...0xEF: n = 2
            case 0xF0...0xF4: n = 3
            default: return i
            }
            guard i + n < b.count else { return i }
            for k in 1...n where b[i + k] & 0xC0 != 0x80 { return i }
            // Overlong forms, surrogates and values past U+10FFFF.
            if c == 0xE0 && b[i + 1] < 0xA0 || c == 0xED && b[i + 1] > 0x9F || c == 0xF0 && b[i + 1] < 0x90 || c == 0xF4 && b[i + 1] > 0x8F { return i }
            i += n + 1
        }
        return nil
    }

    /// Whether the bytes start with a UTF-16 byte-order mark (Notepad's "Unicode").
    static func isUTF16(_ data: Data) -> Bool {
        data.count >= 2 && (data[data.startIndex] == 0xFF && data[data.startIndex + 1] == 0xFE || data[data.startIndex] == 0xFE && data[data.startIndex + 1] == 0xFF)
    }
}
