import PMQ

/// An open document and the mapping between LSP positions (line, UTF-16 code unit, as
/// the protocol counts them) and the UTF-8 offsets PMQ's diagnostics and ranges use.
struct TextDocument {
    let uri: String
    var version: Int
    private(set) var text: String
    private(set) var bytes: [UInt8] = []
    /// The checker's view of the current text: diagnostics, and names in scope for completion.
    var check: DocumentCheck?
    private var lineStarts: [Int] = [0]
    /// A byte-order mark is not part of the script (`SourceFile` drops it), but it is part of
    /// the editor's text: PMQ offsets are shifted by its length.
    private var bom = 0

    init(uri: String, version: Int, text: String) {
        self.uri = uri
        self.version = version
        self.text = text
        reindex()
    }

    var source: SourceFile { SourceFile(name: TextDocument.displayName(uri), text: text) }

    /// `file:///home/me/weekly.pmq` → `/home/me/weekly.pmq` (what error messages name).
    static func displayName(_ uri: String) -> String {
        guard uri.hasPrefix("file://") else { return uri }
        let path = String(uri.dropFirst("file://".count))
        return path.removingPercentEncoding ?? path
    }

    /// Applies one change of `textDocument/didChange`: a range and its new text, or the whole text.
    mutating func apply(range: (start: Position, end: Position)?, text newText: String) {
        guard let range else { text = newText; reindex(); return }
        let lo = byteOffset(range.start), hi = max(lo, byteOffset(range.end))
        var b = bytes
        b.replaceSubrange(lo..<hi, with: Array(newText.utf8))
        text = String(decoding: b, as: UTF8.self)
        reindex()
    }

    struct Position: Equatable { var line: Int; var character: Int }

    /// The UTF-8 offset of an LSP position, clamped to its line (as the protocol asks).
    func byteOffset(_ p: Position) -> Int {
        guard p.line >= 0 else { return 0 }
        guard p.line < lineStarts.count else { return bytes.count }
        let start = lineStarts[p.line], end = lineEnd(p.line)
        var units = 0, offset = start
        for scalar in String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars {
            if units >= p.character { break }
            units += scalar.utf16.count
            offset += scalar.utf8.count
        }
        return offset
    }

    /// The LSP position of a UTF-8 offset into the document.
    func position(_ offset: Int) -> Position {
        let o = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        let prefix = String(decoding: bytes[lineStarts[lo]..<o], as: UTF8.self)
        return Position(line: lo, character: prefix.utf16.count)
    }

    /// How many leading bytes of the script (PMQ offsets) are the same as in `old`;
    /// nil when a byte-order mark came or went, which moves every offset.
    func unchangedPrefix(since old: TextDocument) -> Int? {
        guard bom == old.bom else { return nil }
        let n = min(bytes.count, old.bytes.count)
        var i = 0
        bytes.withUnsafeBufferPointer { a in
            old.bytes.withUnsafeBufferPointer { b in
                while i < n, a[i] == b[i] { i += 1 }
            }
        }
        return pmqOffset(i)
    }

    /// PMQ offsets (into the `SourceFile`) to document offsets and back.
    func documentOffset(_ pmqOffset: Int) -> Int { pmqOffset + bom }
    func pmqOffset(_ documentOffset: Int) -> Int { max(0, documentOffset - bom) }

    /// An LSP range for a PMQ source range.
    func range(_ r: SourceRange) -> [String: Any] {
        let a = position(documentOffset(r.start)), b = position(documentOffset(max(r.start, r.end)))
        let start: [String: Any] = ["line": a.line, "character": a.character]
        let end: [String: Any] = ["line": b.line, "character": b.character]
        return ["start": start, "end": end]
    }

    /// The document's text between two UTF-8 offsets.
    func text(from start: Int, to end: Int) -> String {
        let hi = max(bom, min(end, bytes.count))
        return String(decoding: bytes[min(max(bom, start), hi)..<hi], as: UTF8.self)
    }

    private func lineEnd(_ line: Int) -> Int {
        var end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
        if end > lineStarts[line], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }

    private mutating func reindex() {
        bytes = Array(text.utf8)
        bom = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        lineStarts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { lineStarts.append(i + 1) }
    }
}

extension TextDocument.Position {
    init?(_ json: [String: Any]?) {
        guard let json, let line = json.int("line"), let character = json.int("character") else { return nil }
        self.init(line: line, character: character)
    }
}
