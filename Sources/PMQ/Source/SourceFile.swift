/// A named piece of PMQ text (a script, an `-e` argument, a REPL line).
///
/// Positions everywhere in the pipeline are UTF-8 byte offsets into `text`;
/// line and column are derived here, once, for diagnostics.
public struct SourceFile: Sendable {
    public let name: String
    public let text: String
    let bytes: [UInt8]
    private let lineStarts: [Int]

    public init(name: String, text: String) {
        self.name = name
        // A UTF-8 byte-order mark, as some editors write, is not part of the script.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.text = text
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// 1-based line and column (the column counts Unicode characters, not bytes).
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let line = lineIndex(of: offset)
        let start = lineStarts[line]
        let end = min(max(offset, start), bytes.count)
        let prefix = String(decoding: bytes[start..<end], as: UTF8.self)
        return (line + 1, prefix.count + 1)
    }

    /// The text of the line holding `offset`, without its newline.
    public func lineText(containing offset: Int) -> String {
        let line = lineIndex(of: offset)
        let start = lineStarts[line]
        var end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    func lineStart(containing offset: Int) -> Int { lineStarts[lineIndex(of: offset)] }

    /// `offset` moved back to the start of the UTF-8 character it falls in.
    func characterStart(_ offset: Int) -> Int {
        var i = max(0, min(offset, bytes.count))
        while i > 0, i < bytes.count, bytes[i] & 0xC0 == 0x80 { i -= 1 }
        return i
    }

    /// The offset where 1-based `line` starts (the end of the text past the last line).
    func offset(ofLine line: Int) -> Int { line >= 1 && line <= lineStarts.count ? lineStarts[line - 1] : bytes.count }

    func slice(_ range: SourceRange) -> String {
        let lo = max(0, min(range.start, bytes.count)), hi = max(lo, min(range.end, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    private func lineIndex(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

/// A half-open range of UTF-8 offsets into a `SourceFile`.
public struct SourceRange: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = end }
    public static let none = SourceRange(0, 0)
    func to(_ other: SourceRange) -> SourceRange { SourceRange(min(start, other.start), max(end, other.end)) }
}
