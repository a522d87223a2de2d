import CSV
import Foundation

/// Reads a CSV or TSV file record by record, a chunk of the file at a time, so a file of a
/// million rows is never held whole.
///
/// The reading of cells is CSV.swift's: a record with a quote in it is handed to its
/// `CSVReader` as it stands in the file. A record without one has nothing for the library
/// to do but split it at the delimiter, and that is done here on the bytes, without the
/// library's per-character iterator (most of an import's reading time before). Where a
/// record ends is found by the same rules the library follows (a quote opens a quoted cell
/// only at the start of a cell; `""` inside one is a quote; a quote followed by a
/// delimiter or a line end closes it; a line ends at `\n`, `\r\n` or a lone `\r`), so both
/// ways see the same records; `DelimitedReaderTests` checks that on random files.
struct DelimitedReader {
    /// One record: its cells, the line it starts on, and the line breaks inside its quoted cells.
    struct Record {
        var cells: [String]
        var line: Int
        /// The line breaks inside its quoted cells.
        var breaks: Int
        /// Whether the record's own line ends in CR LF (a file written with Windows line ends).
        var endsInCRLF = false
    }

    enum Failure: Error {
        /// Not UTF-8, on the record starting at this line.
        case notUTF8(line: Int)
        /// A quote opened at this record's cell is never closed.
        case unclosedQuote(line: Int, column: Int)
        case io(String)
    }

    private let handle: FileHandle
    private let delimiter: UInt8
    private var buffer: [UInt8] = []
    private var pos = 0
    private var atEOF = false
    private var line = 1
    private var started = false
    private let chunk: Int
    /// The delimiter positions of the record being scanned (kept between records: a new
    /// array grew three times a record; BENCHMARKS.md, “Issue 14, tenth pass”).
    private var cuts: [Int] = []

    /// `chunk`: how much of the file is read at a time (small in tests, to cut records).
    init(path: String, delimiter: UInt8, chunk: Int = 1 << 20) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw Failure.io("cannot open the file") }
        handle = h
        self.delimiter = delimiter
        self.chunk = max(1, chunk)
    }

    func close() { try? handle.close() }

    /// Reads more of the file after what is left unread; false at the end of the file.
    private mutating func fill() throws -> Bool {
        if atEOF { return false }
        let data: Data?
        do { data = try handle.read(upToCount: chunk) } catch { throw Failure.io(FileProblem.describe(error)) }
        guard let data, !data.isEmpty else { atEOF = true; return false }
        // What was read is dropped only now: a caller that finds the end of the file
        // keeps its positions in the buffer.
        if pos > 0 {
            buffer.removeSubrange(0..<pos)
            pos = 0
        }
        buffer.append(contentsOf: data)
        if !started {
            started = true
            // A UTF-8 byte-order mark, as Excel writes it, is not part of the first cell.
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { pos = 3 }
        }
        return true
    }

    /// The next record, or nil at the end of the file.
    mutating func next() throws -> Record? {
        while true {
            if let r = try scan() { return r }
            if atEOF { return nil }
        }
    }

    /// Scans one record from `pos`. Nil when the buffer ends first and more was read (the
    /// caller scans again from the same record start), or at the end of the file.
    private mutating func scan() throws -> Record? {
        if pos >= buffer.count, !(try fill()) { return nil }
        let d = delimiter
        let start = pos
        var i = pos
        var fieldStart = true, quoted = false, hasQuote = false, nonASCII = false
        var breaks = 0, field = 0, openedAt = 0
        cuts.removeAll(keepingCapacity: true)
        var end = -1, next = -1       // the record's last byte + 1, and where the next starts
        let n = buffer.count
        scanning: while true {
            // The plain bytes of an unquoted cell (all but the delimiter and line ends, and a
            // quote at a cell's start), skipped in one tight loop over the buffer's storage: byte
            // by byte through the general steps below, reading a file cost about 38 instructions
            // a byte (BENCHMARKS.md, “Issue 14, eleventh pass”). The steps below would only have
            // moved on past each of them, noting a byte of 0x80 or more.
            if !quoted, i < n, !(fieldStart && buffer[i] == 34) {
                let (stop, high) = buffer.withUnsafeBufferPointer { b -> (Int, Bool) in
                    var j = i, high: UInt8 = 0
                    while j < n {
                        let c = b[j]
                        if c == d || c == 10 || c == 13 { break }
                        high |= c
                        j += 1
                    }
                    return (j, high >= 0x80)
                }
                if stop > i {
                    fieldStart = false
                    if high { nonASCII = true }
                    i = stop
                }
            }
            if i >= n {
                if atEOF {
                    if quoted { throw Failure.unclosedQuote(line: line, column: openedAt) }
                    end = n; next = n
                    break scanning
                }
                // Keep the record's start; read on and scan it again from there.
                pos = start
                if try fill() { return nil }
                continue scanning
            }
            let c = buffer[i]
            if c >= 0x80 { nonASCII = true }
            if quoted {
                if c == 34 {
                    if i + 1 >= n, !atEOF { pos = start; if try fill() { return nil }; continue scanning }
                    let after: UInt8? = i + 1 < n ? buffer[i + 1] : nil
                    if after == nil { end = i + 1; next = i + 1; break scanning }
                    if after == 13 {
                        if i + 2 >= n, !atEOF { pos = start; if try fill() { return nil }; continue scanning }
                        end = i + 1; next = i + 2 < n && buffer[i + 2] == 10 ? i + 3 : i + 2
                        break scanning
                    }
                    if after == 10 { end = i + 1; next = i + 2; break scanning }
                    if after == d { quoted = false; fieldStart = true; field += 1; i += 2; continue scanning }
                    i += 2   // `""`, or a stray character after a closing quote: still quoted, as CSV.swift reads it
                    continue scanning
                }
                if c == 10 { if i == 0 || buffer[i - 1] != 13 { breaks += 1 } } else if c == 13 { breaks += 1 }
                i += 1
                continue scanning
            }
            if fieldStart, c == 34 {
                quoted = true; hasQuote = true; fieldStart = false; openedAt = field
                i += 1
                continue scanning
            }
            fieldStart = false
            if c == d { cuts.append(i); fieldStart = true; field += 1; i += 1; continue scanning }
            if c == 10 { end = i; next = i + 1; break scanning }
            if c == 13 {
                if i + 1 >= n, !atEOF { pos = start; if try fill() { return nil }; continue scanning }
                end = i; next = i + 1 < n && buffer[i + 1] == 10 ? i + 2 : i + 1
                break scanning
            }
            i += 1
        }
        let recordLine = line
        line += 1 + breaks
        pos = next
        if nonASCII, String(validating: buffer[start..<end], as: UTF8.self) == nil { throw Failure.notUTF8(line: recordLine) }
        var cells: [String] = []
        if hasQuote {
            let text = String(decoding: buffer[start..<end], as: UTF8.self)
            let reader = try? CSVReader(string: text, hasHeaderRow: false, delimiter: UnicodeScalar(d))
            cells = reader?.next() ?? [""]
        } else {
            cells.reserveCapacity(cuts.count + 1)
            var from = start
            for cut in cuts {
                cells.append(String(decoding: buffer[from..<cut], as: UTF8.self))
                from = cut + 1
            }
            cells.append(String(decoding: buffer[from..<end], as: UTF8.self))
        }
        let crlf = next == end + 2 && end < n && buffer[end] == 13
        return Record(cells: cells, line: recordLine, breaks: breaks, endsInCRLF: crlf)
    }
}
