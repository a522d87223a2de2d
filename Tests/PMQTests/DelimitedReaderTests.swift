import CSV
import Foundation
import Testing
@testable import PMQ

/// `DelimitedReader` splits records without quotes itself and hands the others to
/// CSV.swift; these tests hold it to CSV.swift reading the whole file as a stream (what
/// `import` did before), on random files of the characters that matter, read in chunks
/// small enough to cut records, quotes and CRLF pairs anywhere.
@Suite("import: the chunked CSV reader reads what CSV.swift reads")
struct DelimitedReaderTests {
    static let pieces: [String] = ["a", "7", " ", ",", "\t", "\"", "\"\"", "\n", "\r", "\r\n", "é", "王", "😀", "-", "x y"]

    static func randomFile(_ g: inout SeededGenerator, delimiter: Character) -> String {
        var text = ""
        for _ in 0..<(1 + g.below(12)) {
            let cells = 1 + g.below(5)
            for c in 0..<cells {
                if c > 0 { text.append(delimiter) }
                var cell = ""
                for _ in 0..<g.below(5) { cell += pieces[g.below(pieces.count)] }
                switch g.below(3) {
                case 0: text += "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""   // well quoted
                case 1: text += cell.filter { $0 != "\"" && $0 != delimiter && $0 != "\n" && $0 != "\r" && $0 != "\r\n" }   // plain
                default: text += cell                                                             // anything, stray quotes too
                }
            }
            text += ["\n", "\r\n", "\r", ""][g.below(4)]
        }
        return text
    }

    static func library(_ path: String, _ delimiter: UnicodeScalar) throws -> [[String]] {
        let reader = try CSVReader(stream: InputStream(fileAtPath: path)!, hasHeaderRow: false, delimiter: delimiter)
        var out: [[String]] = []
        while let r = reader.next() { out.append(r) }
        return out
    }

    @Test("random files, CSV and TSV, chunks of 1 to 7 bytes and 1 MiB")
    func sameRecords() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-delimited-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var g = SeededGenerator(seed: 14)
        var compared = 0
        for n in 0..<600 {
            let delimiter: Character = n % 3 == 0 ? "\t" : ","
            let text = DelimitedReaderTests.randomFile(&g, delimiter: delimiter)
            let path = folder.appendingPathComponent("f\(n).csv").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let expected = try DelimitedReaderTests.library(path, delimiter.unicodeScalars.first!)
            for chunk in [1 + n % 7, 1 << 20] {
                var reader = try DelimitedReader(path: path, delimiter: UInt8(ascii: delimiter.unicodeScalars.first!), chunk: chunk)
                var got: [[String]] = []
                do {
                    while let r = try reader.next() { got.append(r.cells) }
                } catch DelimitedReader.Failure.unclosedQuote {
                    // CSV.swift reads an unclosed quote to the end of the file as one cell;
                    // `import` refuses such a file (TransferTests), so there is nothing to compare.
                    continue
                }
                reader.close()
                #expect(got == expected, "file \(n), chunk \(chunk): \(text.debugDescription)")
                compared += 1
            }
        }
        #expect(compared > 600)
    }

    @Test("lines: a record's line counts the line breaks inside the quoted cells before it")
    func lines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-lines-\(getpid()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("\u{FEFF}a,b\r\n1,\"x\r\ny\"\r\n\n2,\"p\nq\rr\"\n3,z".utf8).write(to: URL(fileURLWithPath: path))
        var reader = try DelimitedReader(path: path, delimiter: 44, chunk: 3)
        var got: [(Int, [String])] = []
        while let r = try reader.next() { got.append((r.line, r.cells)) }
        #expect(got.map(\.0) == [1, 2, 4, 5, 8])
        #expect(got.map(\.1) == [["a", "b"], ["1", "x\r\ny"], [""], ["2", "p\nq\rr"], ["3", "z"]])
    }
}
