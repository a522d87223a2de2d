import Foundation
import Testing

/// docs/architecture.md, "How a statement runs": `Session` is the public façade, and executors
/// receive the narrow `SessionContext`, never the session. This fails when a file outside the
/// façade's own (the public API over a session) takes, keeps or extends a `Session`.
@Suite("Executors receive the context, not the session")
struct ArchitectureTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/PMQ")

    /// Files that are public API over a whole session (path under Sources/PMQ).
    static let facade: Set<String> = [
        "Interpreter/Session.swift", "Completion/Completer.swift", "Editor/DocumentCheck.swift",
        "Embedding/HostFunctions.swift", "Pictures/GanttSVG.swift", "Pictures/ReportData.swift",
    ]

    /// A parameter, field or extension of type `Session`.
    static let usesSession = try! NSRegularExpression(pattern: #"(:\s*Session\b(?!Context)|extension Session\b(?!Context))"#)

    static func uses(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let s = String(line)
            if s.trimmingCharacters(in: .whitespaces).hasPrefix("//") { return false }
            return usesSession.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }
    }

    @Test("only the façade's files take a Session")
    func narrowContext() throws {
        let files = FileManager.default.enumerator(atPath: Self.sources.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 50, "the sources were found at \(Self.sources.path)")
        var found: [String] = []
        for f in files.sorted() where !Self.facade.contains(f) {
            if Self.uses(try String(contentsOf: Self.sources.appendingPathComponent(f), encoding: .utf8)) { found.append(f) }
        }
        #expect(found.isEmpty, "executors take a SessionContext (docs/architecture.md):\n\(found.joined(separator: "\n"))")
    }

    @Test("the check sees a Session")
    func detects() {
        #expect(Self.uses("struct X {\n    let session: Session\n}"))
        #expect(Self.uses("extension Session {"))
        #expect(!Self.uses("    let session: SessionContext"))
        #expect(!Self.uses("/// a session: Session here"))
    }
}
