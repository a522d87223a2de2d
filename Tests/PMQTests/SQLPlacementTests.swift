import Foundation
import Testing

/// Where SQL text lives (issue "One schema, one engine"): the SQL layer (Sources/PMQ/SQL) and
/// the store (Sources/PMQ/Store) own it. Executors still hold the statements listed in
/// `baseline`, file by file; this test fails when SQL text appears in any other file, or a
/// listed file gains statements, so the list only shrinks. Lower a count (or drop the file)
/// when statements move behind the engine.
@Suite("SQL text stays in the SQL and store layers")
struct SQLPlacementTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/PMQ")

    /// Statements outside SQL/ and Store/ today, per file (path under Sources/PMQ).
    static let baseline: [String: Int] = [
        "Schedule/ScheduleExecutor.swift": 5, "Interpreter/Journal.swift": 8,
    ]

    /// The start of an SQL statement as executors write them.
    static let statement = try! NSRegularExpression(
        pattern: #"(SELECT|INSERT INTO|UPDATE [a-z_.]+ SET|DELETE FROM|CREATE (TEMP )?TABLE|DROP TABLE|ALTER TABLE)"#)

    static func count(_ text: String) -> Int {
        // Lines, as the baseline was counted (grep -c).
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let s = String(line)
            return statement.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }.count
    }

    @Test("no file outside SQL/ and Store/ gains SQL text")
    func placement() throws {
        let files = FileManager.default.enumerator(atPath: Self.sources.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("SQL/") && !$0.hasPrefix("Store/") } ?? []
        #expect(files.count > 50, "the sources were found at \(Self.sources.path)")
        var grown: [String] = []
        for f in files.sorted() {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(f), encoding: .utf8)
            let n = Self.count(text)
            if n > Self.baseline[f, default: 0] { grown.append("\(f): \(n) statements (baseline \(Self.baseline[f, default: 0]))") }
        }
        #expect(grown.isEmpty, "SQL text belongs in Sources/PMQ/SQL or Store:\n\(grown.joined(separator: "\n"))")
    }

    @Test("the check sees SQL text")
    func detects() {
        #expect(Self.count("try db.run(\"DELETE FROM tasks WHERE id = ?1\")\nlet x = 1") == 1)
        #expect(Self.count("let s = \"selected\"") == 0)
    }
}
