import Foundation
import Synchronization

/// A named piece of PMQ text (a script, an `-e` argument, a REPL line).
///
/// Positions everywhere in the pipeline are UTF-8 byte offsets into the text;
/// line and column are derived here, once, for diagnostics.
///
/// A large script file is not read into memory: it is mapped (`SourceFile(mapping:)`), and
/// the lexer hands back the pages it has passed (`SourceBytes.release`), so a data load of
/// any size keeps a few megabytes of its text resident. A diagnostic that shows a line
/// far back reads it from the file again. (A mapped file that another program truncates
/// while it runs ends the process with SIGBUS when a lost page is read: a known limit of
/// mapping; the script is not read again from a changed file in any other way.)
public struct SourceFile: Sendable {
    public let name: String
    let bytes: SourceBytes
    private let lines: LineIndex
    /// Why the file's bytes are not UTF-8 text, and where (an offset into `text`, whose bad
    /// bytes became U+FFFD), when it was read from bytes (`init(name:data:)`): a script in GBK
    /// or Latin-1 is refused at its first bad byte, not run as garbage (review 7, W2).
    public private(set) var encodingProblem: (offset: Int, message: String)?

    /// The encoding problem as a diagnostic, located in the text.
    public var encodingDiagnostic: Diagnostic? {
        encodingProblem.map { Diagnostic(.cannotRead, $0.message, at: SourceRange($0.offset, min($0.offset + 1, bytes.count)), source: self) }
    }

    /// The text. Made from the bytes when asked: a mapped script is never held as a String.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public init(name: String, text: String) {
        self.name = name
        // A UTF-8 byte-order mark, as some editors write, is not part of the script.
        // (A text whose first byte is not the mark's first, 0xEF, has none: no comparison of characters then.)
        let text = text.utf8.first == 0xEF && text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.bytes = SourceBytes(text)
        self.lines = LineIndex()
    }

    /// A script file, mapped rather than read, when it is large and valid UTF-8 (the lexer
    /// then reads it in place); otherwise read and decoded as `init(name:text:)` does (bytes
    /// that are not UTF-8 become U+FFFD). Nil when the file cannot be read.
    public init?(name: String, contentsOfFile path: String, mappingFrom threshold: Int = 4 << 20) {
        if let mapped = SourceBytes(mapping: path, threshold: threshold) {
            self.init(name: name, bytes: mapped)
            return
        }
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else { return nil }
        try? handle.close()
        self.init(name: name, data: data)
    }

    /// Text from bytes (a script file, standard input), decoded as UTF-8; bytes that are not
    /// UTF-8 become U+FFFD and `encodingProblem` says where the first one was.
    public init(name: String, data: Data) {
        self.init(name: name, text: String(decoding: data, as: UTF8.self))
        if UTF8Check.isUTF16(data) {
            encodingProblem = (0, "the script is UTF-16 text, not UTF-8 (save it as UTF-8)")
        } else if let bad = UTF8Check.firstInvalid(data) {
            // The BOM, dropped from the text, moves the offsets back by three.
            let bom = data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            encodingProblem = (max(0, bad - bom), "the script is not UTF-8 text (save it as UTF-8)")
        }
    }

    private init(name: String, bytes: SourceBytes) {
        self.name = name
        self.bytes = bytes
        self.lines = LineIndex()
    }

    /// Where each line starts, found at the first diagnostic (a load that runs cleanly never
    /// needs it).
    private var lineStarts: [Int] { lines.starts(of: bytes) }

    /// 1-based line and column (the column counts Unicode characters, not bytes).
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let starts = lineStarts
        let line = lineIndex(of: offset, starts)
        let start = starts[line]
        let end = min(max(offset, start), bytes.count)
        let prefix = String(decoding: bytes[start..<end], as: UTF8.self)
        return (line + 1, prefix.count + 1)
    }

    /// The text of the line holding `offset`, without its newline.
    public func lineText(containing offset: Int) -> String {
        let starts = lineStarts
        let line = lineIndex(of: offset, starts)
        let start = starts[line]
        var end = line + 1 < starts.count ? starts[line + 1] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    func lineStart(containing offset: Int) -> Int { let starts = lineStarts; return starts[lineIndex(of: offset, starts)] }

    /// `offset` moved back to the start of the UTF-8 character it falls in.
    func characterStart(_ offset: Int) -> Int {
        var i = max(0, min(offset, bytes.count))
        while i > 0, i < bytes.count, bytes[i] & 0xC0 == 0x80 { i -= 1 }
        return i
    }

    /// The offset where 1-based `line` starts (the end of the text past the last line).
    func offset(ofLine line: Int) -> Int { let starts = lineStarts; return line >= 1 && line <= starts.count ? starts[line - 1] : bytes.count }

    func slice(_ range: SourceRange) -> String {
        String(decoding: bytes(in: range), as: UTF8.self)
    }

    /// The bytes of `range`, clamped to the text.
    func bytes(in range: SourceRange) -> Slice<UnsafeBufferPointer<UInt8>> {
        let lo = max(0, min(range.start, bytes.count)), hi = max(lo, min(range.end, bytes.count))
        return bytes[lo..<hi]
    }

    /// The first `n` characters of the text, without decoding all of a large one.
    func prefix(_ n: Int) -> String {
        var end = min(n * 64, bytes.count)
        while end > 0, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(String(decoding: bytes[0..<end], as: UTF8.self).prefix(n))
    }

    /// Lines in the text (newlines counted), reading a mapped file once and releasing it.
    func lineCount() -> Int { bytes.count(of: 10) }

    private func lineIndex(of offset: Int, _ starts: [Int]) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

/// Line starts of a text, made once when first asked (under a lock: a SourceFile is shared).
/// The lock is a `Mutex` kept in the object: an `NSLock` was two more allocations for every
/// text (every compiled query, figure a), most of them never asked for a line.
final class LineIndex: Sendable {
    private let starts = Mutex<[Int]?>(nil)

    func starts(of bytes: SourceBytes) -> [Int] {
        starts.withLock { starts in
            if let starts { return starts }
            let made = bytes.offsets(after: 10)
            starts = made
            return made
        }
    }
}

/// The bytes of a text: an array, or a mapped file (see `SourceFile`).
struct SourceBytes: RandomAccessCollection, Sendable {
    /// Keeps `buffer` alive (and unmaps or frees it at the end).
    private let storage: Storage
    private let buffer: UnsafeBufferPointer<UInt8>
    var count: Int { buffer.count }
    var startIndex: Int { 0 }
    var endIndex: Int { buffer.count }

    init(_ array: [UInt8]) {
        storage = Storage(array: array)
        buffer = storage.buffer
    }

    /// A copy of `text`'s UTF-8 bytes (no array made on the way).
    init(_ text: String) {
        storage = Storage(text: text)
        buffer = storage.buffer
    }

    /// A mapped file of at least `threshold` bytes that is valid UTF-8, its BOM skipped; nil otherwise.
    init?(mapping path: String, threshold: Int) {
        guard let s = Storage(mapping: path, threshold: threshold) else { return nil }
        storage = s
        buffer = s.buffer
    }

    @inline(__always) subscript(i: Int) -> UInt8 { buffer[i] }

    /// A slice is a slice of the buffer: `String(decoding:)` takes its fast, contiguous way.
    typealias SubSequence = Slice<UnsafeBufferPointer<UInt8>>
    subscript(bounds: Range<Int>) -> Slice<UnsafeBufferPointer<UInt8>> { buffer[bounds] }

    func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try body(buffer)
    }

    /// Gives the pages of a mapped file before `offset` back to the system (they are read
    /// again from the file if a diagnostic needs them); nothing for an array.
    func release(before offset: Int) { storage.release(before: offset) }

    /// How many bytes equal `byte`, a mapped file read once and released as it goes.
    func count(of byte: UInt8) -> Int {
        var n = 0
        storage.scan { chunk, _ in for b in chunk where b == byte { n += 1 } }
        return n
    }

    /// [0] and every offset just after a `byte`: line starts, for `byte` = newline.
    func offsets(after byte: UInt8) -> [Int] {
        var out = [0]
        storage.scan { chunk, base in
            for (i, b) in chunk.enumerated() where b == byte { out.append(base + i + 1) }
        }
        return out
    }

    private final class Storage: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<UInt8>
        /// A copy of the text when it is not a mapped file.
        private let owned: UnsafeMutableBufferPointer<UInt8>?
        /// The mapping (whole pages, BOM included) when the bytes are a mapped file.
        private let mapping: (base: UnsafeMutableRawPointer, length: Int, skip: Int)?
        /// Guards `released`; only a mapped file has pages to give back (a copy made no lock:
        /// an `NSLock` was two allocations for every text, figure a).
        private let lock: NSLock?
        private var released = 0
        static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

        init(array: [UInt8]) {
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Swift.max(array.count, 1))
            _ = copy.initialize(from: array)
            owned = copy
            mapping = nil
            lock = nil
            buffer = UnsafeBufferPointer(start: copy.baseAddress, count: array.count)
        }

        init(text: String) {
            var text = text
            let n = text.utf8.count
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Swift.max(n, 1))
            text.withUTF8 { _ = copy.initialize(from: $0) }
            owned = copy
            mapping = nil
            lock = nil
            buffer = UnsafeBufferPointer(start: copy.baseAddress, count: n)
        }

        init?(mapping path: String, threshold: Int) {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) >= Swift.max(threshold, 1) else { return nil }
            let length = Int(st.st_size)
            guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
            let bytes = UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: length)
            let skip = length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
            owned = nil
            mapping = (p, length, skip)
            lock = NSLock()
            buffer = UnsafeBufferPointer(rebasing: bytes[skip...])
            _ = madvise(p, length, MADV_SEQUENTIAL)
            // Text that is not UTF-8 is read the ordinary way, where bad bytes become U+FFFD.
            var valid = true
            scan { chunk, _ in if valid, !Storage.isUTF8(chunk) { valid = false } }
            if !valid { munmap(p, length); return nil }
        }

        deinit {
            if let m = mapping { munmap(m.base, m.length) }
            owned?.deallocate()
        }

        /// Reads the bytes a chunk at a time (cut at character starts), releasing a mapped
        /// file's pages behind it.
        func scan(_ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
            let chunk = 4 << 20
            var from = 0
            while from < buffer.count {
                var to = Swift.min(buffer.count, from + chunk)
                while to < buffer.count, to > from, buffer[to] & 0xC0 == 0x80 { to -= 1 }
                body(UnsafeBufferPointer(rebasing: buffer[from..<to]), from)
                drop(from, to)
                from = to
            }
        }

        static func isUTF8(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
            if !chunk.contains(where: { $0 >= 0x80 }) { return true }
            return String(validating: chunk, as: UTF8.self) != nil
        }

        func release(before offset: Int) {
            guard mapping != nil, let lock else { return }
            lock.lock()
            defer { lock.unlock() }
            if offset > released {
                drop(released, offset)
                released = offset
            }
        }

        /// Drops the whole pages of a mapped file inside buffer[from..<to].
        private func drop(_ from: Int, _ to: Int) {
            guard let m = mapping else { return }
            let lo = (from + m.skip + Storage.page - 1) / Storage.page * Storage.page
            let hi = (to + m.skip) / Storage.page * Storage.page
            if hi > lo { _ = madvise(m.base + lo, hi - lo, MADV_DONTNEED) }
        }
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
