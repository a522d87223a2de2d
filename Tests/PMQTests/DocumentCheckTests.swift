import Testing
@testable import PMQ

/// Re-checking a document from the statement boundary before an edit gives exactly what
/// checking the whole new text gives: diagnostics (ids, messages, ranges) and names in scope.
@Suite("Document checks resumed after an edit")
struct DocumentCheckTests {
    static let script = """
    param who = "DBA"
    let cutoff = today + 2w
    tasks where owner = who
      and late > 3d
      select wbs, name
    count tasks where finish < cutoff
    fn pct(x) = x / 100
    for t in tasks where overdue {
      print "{t.wbs} {pct(t.progress)}"
    }
    update tasks where wbs under 1.2 set status = done; risks where score >= 12
    let n = count tasks
    # a comment
    tasks where ownr = "DBA"
    """

    /// Edits that join, split, break and mend statements, at every kind of place.
    static let edits: [(at: String, insert: String, remove: Int)] = [
        ("and late", "where ", 0), ("  and late", "", 2), ("select wbs", "\n", 0), ("select wbs", "order by wbs\n", 0),
        ("count tasks", "x", 0), ("count tasks", "", 6), ("fn pct", "let y = 1\n", 0), ("print", "let z = t.wbs\n  ", 0),
        ("}", "", 1), ("; risks", "", 2), ("ownr", "", 4), ("ownr", "owner", 4), ("# a comment", "where ", 0),
        ("# a comment", "\"", 0), ("let n", "(", 0), ("", "", 0), ("cutoff = today", "", 14), ("who\n  and", " or", 0),
    ]

    static func apply(_ text: String, _ e: (at: String, insert: String, remove: Int)) -> (String, Int) {
        var bytes = Array(text.utf8)
        guard let r = text.range(of: e.at) else { return (text, 0) }
        let at = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
        bytes.replaceSubrange(at..<min(bytes.count, at + e.remove), with: Array(e.insert.utf8))
        return (String(decoding: bytes, as: UTF8.self), at)
    }

    @Test("every edit: resumed check == full check", arguments: 0..<edits.count)
    func resumedEqualsFull(_ k: Int) throws {
        let session = try Session(path: nil)
        let before = SourceFile(name: "w.pmq", text: Self.script)
        let previous = session.checkDocument(before)
        let (text, at) = Self.apply(Self.script, Self.edits[k])
        let after = SourceFile(name: "w.pmq", text: text)
        let full = session.checkDocument(after)
        let resumed = session.checkDocument(after, previous: previous, unchangedPrefix: at)
        #expect(resumed.diagnostics == full.diagnostics, "edit \(Self.edits[k])")
        #expect(resumed.diagnostics.map(\.location?.line) == full.diagnostics.map(\.location?.line))
        for offset in stride(from: 0, through: after.text.utf8.count, by: 7) {
            let a = resumed.scope(before: offset), b = full.scope(before: offset)
            #expect(a.statementStart == b.statementStart && a.variableNames == b.variableNames, "edit \(Self.edits[k]) at \(offset)")
        }
    }

    @Test("the unchanged script still has its one error, and a resumed check after an edit at its end re-reads little")
    func sanity() throws {
        let session = try Session(path: nil)
        let d = session.checkDocument(SourceFile(name: "w.pmq", text: Self.script))
        #expect(d.diagnostics.map(\.message) == ["unknown field \"ownr\" of tasks; did you mean \"owner\"?"])
        #expect(d.boundaries.count > 8)
    }
}
