import Foundation
import Testing

/// Where SQL text lives (issue "One schema, one engine"): the SQL layer (Sources/PMQ/SQL) and
/// the store (Sources/PMQ/Store) own every statement; executors, the journal and the schedule
/// ask for them by name (`JournalWriteSQL.entry`, `ScheduleSQL.projectStart`, ...). This test
/// fails when SQL text appears in any other file under Sources/PMQ.
@Suite("SQL text stays in the SQL and store layers")
struct SQLPlacementTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/PMQ")

    /// The start of an SQL statement as PMQ writes them (upper-case keywords).
    static let statement = try! NSRegularExpression(
        pattern: #"(SELECT|INSERT( OR [A-Z]+)? INTO|REPLACE INTO|UPDATE [a-z_.]+ SET|DELETE FROM|CREATE (TEMP )?TABLE|CREATE (UNIQUE )?INDEX|DROP (TABLE|INDEX)|ALTER TABLE|PRAGMA [a-z_]+|WITH RECURSIVE)"#)

    static func count(_ text: String) -> Int {
        // Lines holding the start of a statement (as grep -c counts them).
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let s = String(line)
            return statement.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }.count
    }

    @Test("no file outside SQL/ and Store/ holds SQL text")
    func placement() throws {
        let files = FileManager.default.enumerator(atPath: Self.sources.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("SQL/") && !$0.hasPrefix("Store/") } ?? []
        #expect(files.count > 50, "the sources were found at \(Self.sources.path)")
        var found: [String] = []
        for f in files.sorted() {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(f), encoding: .utf8)
            let n = Self.count(text)
            if n > 0 { found.append("\(f): \(n) lines of SQL text") }
        }
        #expect(found.isEmpty, "SQL text belongs in Sources/PMQ/SQL or Store:\n\(found.joined(separator: "\n"))")
    }

    @Test("the check sees SQL text")
    func detects() {
        #expect(Self.count("try db.run(\"DELETE FROM tasks WHERE id = ?1\")\nlet x = 1") == 1)
        #expect(Self.count("try db.execute(\"PRAGMA cache_size = -32768\")") == 1)
        #expect(Self.count("\"INSERT OR REPLACE INTO task_schedule (id) VALUES (?1)\"") == 1)
        #expect(Self.count("let s = \"selected\"") == 0)
    }
}
