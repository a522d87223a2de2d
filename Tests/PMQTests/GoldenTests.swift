import Foundation
import Testing
@testable import PMQ

/// Language tests in a golden format. A file in Golden/ holds an optional setup and cases:
///
///     ### setup
///     add person "Li Wei" role "DBA"
///     ### case: people by role
///     people where role = "DBA" select name
///     ----
///     name
///     ------
///     Li Wei
///
/// Before `----`: PMQ text, with optional `% today YYYY-MM-DD`, `% format json`,
/// `% width N` (the terminal's width, for `gantt`; else 80), `% maxrows N` and
/// `% user NAME` (the user `me` names), `% var NAME=VALUE` (as `pmq --var`) lines, and files for `import`: `% file NAME`, its
/// lines, then `% end` (written to a fresh folder the case's text is run from; diagnostics
/// name the file as NAME).
/// After it: what `pmq` prints — results, change reports as `# updated 3 tasks` lines,
/// and diagnostics rendered with their caret (the source is called `<test>`). Times of
/// day read `<time>`. Run with PMQ_RECORD=1 to rewrite the expectations.
struct GoldenCase: CustomTestStringConvertible, Sendable {
    var file: String
    var name: String
    var setup: String
    var input: String
    var expected: String
    var testDescription: String { "\(file): \(name)" }
}

enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func files() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".golden") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func cases() -> [GoldenCase] { files().flatMap { parse($0) } }

    /// "file: case" lines of the cases known to print differently on PostgreSQL.
    static let postgresDifferences: Set<String> = {
        let text = (try? String(contentsOf: directory.appendingPathComponent("postgres-differences.txt"), encoding: .utf8)) ?? ""
        return Set(text.components(separatedBy: "\n").filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }()

    static func parse(_ url: URL) -> [GoldenCase] {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        var setup = ""
        var out: [GoldenCase] = []
        for block in text.components(separatedBy: "\n### ").enumerated().map({ $0.offset == 0 ? String($0.element.dropFirst(4)) : $0.element }) {
            guard let nl = block.firstIndex(of: "\n") else { continue }
            let header = String(block[..<nl])
            let body = String(block[block.index(after: nl)...])
            if header == "setup" { setup = body; continue }
            guard header.hasPrefix("case: ") else { continue }
            let (input, expected) = split(body)
            out.append(GoldenCase(file: url.lastPathComponent, name: String(header.dropFirst(6)), setup: setup,
                                  input: input, expected: expected.trimmingTrailingNewlines()))
        }
        return out
    }

    /// The PMQ text before the first `----` line and the expectation after it.
    static func split(_ body: String) -> (input: String, expected: String) {
        let lines = body.components(separatedBy: "\n")
        guard let i = lines.firstIndex(of: "----") else { return (body, "") }
        return (lines[..<i].joined(separator: "\n"), lines[(i + 1)...].joined(separator: "\n"))
    }

    /// Runs a case the way `pmq` would and returns what it prints.
    ///
    /// A `% today` line after some statements starts a new run booked on that day, as a
    /// later `pmq --today D` on the same file would (the setup runs on the first day).
    static func run(_ c: GoldenCase, at location: String? = nil) throws -> String {
        var today = Day(iso: "2026-03-16")!
        var format = OutputFormat.table
        var style = TableRenderer.Style()
        var user: String?
        var params: [String: String] = [:]
        var lines: [String] = []
        var runs: [(day: Day, from: Int)] = []
        var files: [(name: String, lines: [String])] = []
        for line in c.input.components(separatedBy: "\n") {
            if var f = files.last, f.lines.last != "% end" {
                // Inside a `% file` block: the file's lines, left blank in the PMQ text.
                f.lines.append(line)
                files[files.count - 1] = f
                lines.append("")
                continue
            }
            if line.hasPrefix("% file ") { files.append((String(line.dropFirst(7)), [])); lines.append(""); continue }
            if line.hasPrefix("% user ") { user = String(line.dropFirst(7)); lines.append(""); continue }
            if line.hasPrefix("% var "), let eq = line.firstIndex(of: "=") {
                params[String(line[line.index(line.startIndex, offsetBy: 6)..<eq]).lowercased()] = String(line[line.index(after: eq)...])
                lines.append("")
                continue
            }
            if line.hasPrefix("% today ") {
                today = Day(iso: String(line.dropFirst(8))) ?? today
                if runs.isEmpty, lines.contains(where: { !$0.isEmpty }) { runs.append((Day(iso: "2026-03-16")!, 0)) }
                runs.append((today, lines.count))
                lines.append("")
                continue
            }
            if line.hasPrefix("% format ") { format = OutputFormat(rawValue: String(line.dropFirst(9))) ?? format; lines.append(""); continue }
            if line.hasPrefix("% width ") { style.width = Int(line.dropFirst(8)); lines.append(""); continue }
            if line.hasPrefix("% maxrows ") { style.maxRows = Int(line.dropFirst(10)); lines.append(""); continue }
            lines.append(line)
        }
        if runs.isEmpty { runs = [(today, 0)] }
        // The files go in a fresh folder, and the text runs as a script there (so `import
        // "NAME"` finds them); the folder's path is taken out of what is printed.
        var folder: String?
        if !files.isEmpty {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-golden-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for f in files {
                try f.lines.dropLast().joined(separator: "\n").appending("\n").write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8)
            }
            folder = dir.path
        }
        defer { if let folder { try? FileManager.default.removeItem(atPath: folder) } }
        let scriptName = folder.map { $0 + "/test.pmq" } ?? "<test>"
        let session = try Session(path: location, today: runs[0].day)
        session.journal.user = ""  // the user column reads the same on every machine
        // `me` is whoever `% user NAME` says; without it there is no user.
        session.user = user
        if !c.setup.isEmpty {
            let (_, d) = session.run(c.setup, name: "<setup>")
            if !d.isEmpty { return "SETUP FAILED\n" + DiagnosticRenderer.render(d) }
        }
        // `% var NAME=VALUE`: as `pmq --var` gives it, for the case's text (not the setup).
        session.params = params
        var printed: [String] = []
        var diagnostics: [Diagnostic] = []
        for (i, r) in runs.enumerated() where diagnostics.isEmpty {
            // Other runs' lines are left blank, so line numbers stay those of the case.
            let end = i + 1 < runs.count ? runs[i + 1].from : lines.count
            let text = lines.indices.map { $0 >= r.from && $0 < end ? lines[$0] : "" }.joined(separator: "\n")
            session.today = r.day
            diagnostics = session.run(SourceFile(name: scriptName, text: text)) { r in
                if case .change(let c) = r { printed.append("# " + c.message) } else if let t = format.render(r, style: style) { printed.append(t) }
            }
        }
        if !diagnostics.isEmpty { printed.append(DiagnosticRenderer.render(diagnostics)) }
        var text = printed.joined(separator: "\n").trimmingTrailingNewlines()
        if let folder {
            text = text.replacingOccurrences(of: scriptName, with: "<test>").replacingOccurrences(of: folder + "/", with: "")
        }
        return text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "<time>", options: .regularExpression)
    }

    /// Rewrites a golden file with the actual outputs (record mode).
    static func record(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var blocks = text.components(separatedBy: "\n### ")
        for i in blocks.indices {
            let block = i == 0 ? String(blocks[i].dropFirst(4)) : blocks[i]
            guard block.hasPrefix("case: "), let nl = block.firstIndex(of: "\n") else { continue }
            let name = String(block[block.index(block.startIndex, offsetBy: 6)..<nl])
            let input = split(String(block[block.index(after: nl)...])).input
            let c = GoldenCase(file: url.lastPathComponent, name: name, setup: setupBefore(blocks, i), input: input, expected: "")
            let actual = try run(c)
            let rebuilt = "case: \(name)\n\(input)\n----\n\(actual)\n"
            blocks[i] = i == 0 ? "### " + rebuilt : rebuilt
        }
        try blocks.joined(separator: "\n### ").write(to: url, atomically: true, encoding: .utf8)
    }

    private static func setupBefore(_ blocks: [String], _ i: Int) -> String {
        var setup = ""
        for j in 0..<i {
            let b = j == 0 ? String(blocks[j].dropFirst(4)) : blocks[j]
            if b.hasPrefix("setup\n") { setup = String(b.dropFirst(6)) }
        }
        return setup
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") || s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}

@Suite("Golden language tests")
struct GoldenTests {
    @Test("golden files exist")
    func filesExist() {
        #expect(Golden.cases().count >= 20)
    }

    @Test(arguments: Golden.cases())
    func golden(_ c: GoldenCase) throws {
        let actual = try Golden.run(c)
        #expect(actual == c.expected, "\n--- expected\n\(c.expected)\n--- actual\n\(actual)")
    }

    /// The same cases on PostgreSQL. The cases listed in Golden/postgres-differences.txt are
    /// known to differ there (see docs/language.md, "PostgreSQL"): they are run and reported as
    /// known issues; every other case must print exactly what it prints on SQLite.
    @Test("golden on PostgreSQL", .enabled(if: TestPostgres.available, "no PostgreSQL server: see TestPostgres"), arguments: Golden.cases())
    func goldenOnPostgres(_ c: GoldenCase) throws {
        let url = try TestPostgres.freshURL()
        defer { TestPostgres.drop(url) }
        let actual = try Golden.run(c, at: url)
        if Golden.postgresDifferences.contains(c.testDescription) {
            withKnownIssue("differs on PostgreSQL", isIntermittent: true) {
                #expect(actual == c.expected, "\n--- expected\n\(c.expected)\n--- actual on PostgreSQL\n\(actual)")
            }
        } else {
            #expect(actual == c.expected, "\n--- expected\n\(c.expected)\n--- actual on PostgreSQL\n\(actual)")
        }
    }

    @Test("record mode", .enabled(if: ProcessInfo.processInfo.environment["PMQ_RECORD"] != nil))
    func recordAll() throws {
        for f in Golden.files() { try Golden.record(f) }
    }
}
