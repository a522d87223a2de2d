/// Terminal cell width of text, measured a grapheme cluster (what a reader sees as one
/// character) at a time: East Asian wide and fullwidth characters and emoji take two cells,
/// combining marks none, and a cluster (an emoji with a skin tone or a ZWJ family, a flag,
/// a letter with its accents) takes the cells of its widest part, as terminals draw it.
/// Tables and carets both align by this.
public enum DisplayWidth {
    public static func of(_ s: String) -> Int {
        // Most text is measured on its bytes; anything else grapheme cluster by cluster.
        CellBytes.withBytes(s) { of(utf8: $0) } ?? s.reduce(0) { $0 + of($1) }
    }

    /// The width of UTF-8 text in which every character is one scalar that never joins its
    /// neighbours into a grapheme cluster: ASCII but CR (one cell a byte, NUL none), Latin,
    /// Greek and Cyrillic letters (one cell), common punctuation (one), and CJK ideographs,
    /// kana, Hangul syllables and fullwidth forms (two). nil for any other text (combining
    /// marks, emoji, joiners, CR LF...), which the caller measures by grapheme cluster.
    /// These are the widths `of(_: Unicode.Scalar)` gives (a test checks every scalar listed).
    static func of(utf8 b: UnsafeBufferPointer<UInt8>) -> Int? {
        var n = 0, i = 0
        let count = b.count
        while i < count {
            let c = b[i]
            if c < 0x80 {
                if c == 13 { return nil }  // CR LF is one grapheme cluster
                if c != 0 { n += 1 }
                i += 1
            } else if c >= 0xC2 && c < 0xE0 {
                guard i + 1 < count else { return nil }
                let v = UInt32(c & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
                // Latin-1, Latin Extended, IPA, spacing modifiers; Greek and Cyrillic letters.
                guard v < 0x300 || (v >= 0x370 && v <= 0x482) else { return nil }
                n += 1
                i += 2
            } else if c >= 0xE0 && c < 0xF0 {
                guard i + 2 < count else { return nil }
                let v = UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
                switch v {
                case 0x2010...0x2027: n += 1  // dashes, quotes, bullets, ellipsis
                case 0x3000...0x3029, 0x3041...0x3096, 0x30A1...0x30FA, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xFF01...0xFF60:
                    n += 2
                default: return nil
                }
                i += 3
            } else {
                return nil
            }
        }
        return n
    }

    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count == 1 { return of(first) }
        // Emoji presentation asked for (VS16), or a pair of regional indicators (a flag).
        if scalars.contains(where: { $0.value == 0xFE0F }) || (0x1F1E6...0x1F1FF).contains(first.value) { return 2 }
        return scalars.map { of($0) }.max() ?? 0
    }

    public static func of(_ c: Unicode.Scalar) -> Int {
        let v = c.value
        if v == 0 { return 0 }
        if v < 0x300 { return 1 }
        switch c.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || v == 0x200D { return 0 }
        return isWide(v) || c.properties.isEmojiPresentation ? 2 : 1
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
             0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
             0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
             0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
             0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
