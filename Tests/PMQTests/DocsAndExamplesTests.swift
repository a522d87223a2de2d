import Foundation
import Testing
@testable import PMQ

/// Every example a user can read is run: the README's commands, the `pmq` blocks
/// of the README and docs/, and every script in examples/.
enum Docs {
    static let root = PMQProcess.root
    static let sampleProject = root.appendingPathComponent("examples/gov-cloud/project.pmq")
    static let today = "2026-03-16"

    static func read(_ relative: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)) ?? ""
    }

    /// The fenced blocks of a Markdown file with the given info string.
    static func blocks(_ markdown: String, tag: String) -> [String] {
        var out: [String] = []
        var current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```" + tag {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                out.append((current ?? []).joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return out
    }

    struct Example: CustomTestStringConvertible, Sendable {
        var file: String
        var text: String
        var testDescription: String { "\(file): \(text.prefix(60))" }
    }

    /// Every fenced block of a Markdown file, in order, with its info string.
    static func taggedBlocks(_ markdown: String) -> [(tag: String, text: String)] {
        var out: [(String, String)] = []
        var current: (tag: String, lines: [String])?
        for line in markdown.components(separatedBy: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if current == nil, t.hasPrefix("```") {
                current = (String(t.dropFirst(3)), [])
            } else if let c = current, t == "```" {
                out.append((c.tag, c.lines.joined(separator: "\n")))
                current = nil
            } else {
                current?.lines.append(line)
            }
        }
        return out
    }

    /// `pmq` blocks followed by an `output` block: what pmq prints for them (results in the
    /// table format, then diagnostics; change reports go to standard error and are not shown).
    static func examplesWithOutput() -> [ExampleWithOutput] {
        ["README.md", "docs/language.md"].flatMap { f -> [ExampleWithOutput] in
            let b = taggedBlocks(read(f))
            return b.indices.dropLast().compactMap { i in
                b[i].tag == "pmq" && b[i + 1].tag == "output" ? ExampleWithOutput(file: f, text: b[i].text, output: b[i + 1].text) : nil
            }
        }
    }

    struct ExampleWithOutput: CustomTestStringConvertible, Sendable {
        var file: String
        var text: String
        var output: String
        var testDescription: String { "\(file): \(text.prefix(60))" }
    }

    /// The `pmq` blocks without an expected output: each must run cleanly.
    static func pmqBlocks() -> [Example] {
        let checked = Set(examplesWithOutput().map(\.text))
        return ["README.md", "docs/language.md"].flatMap { f in blocks(read(f), tag: "pmq").map { Example(file: f, text: $0) } }
            .filter { !checked.contains($0.text) }
    }

    /// `pmq ...` command lines in shell blocks (`swift run pmq` becomes the built binary).
    static func commandLines() -> [Example] {
        blocks(read("README.md"), tag: "sh").flatMap { $0.components(separatedBy: "\n") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("swift run pmq ") || $0.hasPrefix("pmq ") }
            .map { Example(file: "README.md", text: $0) }
    }

    /// Splits a command line into words, honouring single and double quotes.
    static func words(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quote: Character?
        var inWord = false
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { cur.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch; inWord = true
            } else if ch == " " {
                if inWord { out.append(cur); cur = ""; inWord = false }
            } else if ch == "#" && !inWord {
                break
            } else {
                cur.append(ch); inWord = true
            }
        }
        if inWord { out.append(cur) }
        return out
    }
}

@Suite("Docs and examples run")
struct DocsAndExamplesTests {
    @Test("the sample project loads cleanly and is realistic")
    func sample() throws {
        let session = try Session(path: nil, today: Day(iso: Docs.today))
        let text = try String(contentsOf: Docs.sampleProject, encoding: .utf8)
        let (_, d) = session.run(text, name: "project.pmq")
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        let (counts, _) = session.run("count tasks; count milestones; count people; count dependencies; count risks; count costs; count defects; count changes; count tasks where level = 3; count people where backup is not null; count assignments; count costs where kind = labor")
        let numbers = counts.compactMap { r -> Int64? in if case .scalar(.integer(let n), _) = r { return n }; return nil }
        #expect(numbers.count == 12)
        #expect(numbers[0] >= 60)
        for n in numbers.dropFirst() { #expect(n > 0) }
    }

    @Test(arguments: Docs.pmqBlocks())
    func pmqBlock(_ example: Docs.Example) throws {
        let session = try Session(path: nil, today: Day(iso: Docs.today))
        let project = try String(contentsOf: Docs.sampleProject, encoding: .utf8)
        #expect(session.run(project).diagnostics.isEmpty)
        var results: [StatementResult] = []
        let d = session.run(SourceFile(name: example.file, text: example.text)) { results.append($0) }
        #expect(d.isEmpty, "\(DiagnosticRenderer.render(d))")
        #expect(!results.isEmpty)
    }

    @Test("examples print what the docs say they print", arguments: Docs.examplesWithOutput())
    func exampleOutput(_ example: Docs.ExampleWithOutput) throws {
        let session = try Session(path: nil, today: Day(iso: Docs.today))
        let project = try String(contentsOf: Docs.sampleProject, encoding: .utf8)
        #expect(session.run(project).diagnostics.isEmpty)
        var printed: [String] = []
        let d = session.run(SourceFile(name: "<eval>", text: example.text)) { r in
            if case .change = r { return }
            if let t = OutputFormat.table.render(r) { printed.append(t) }
        }
        if !d.isEmpty { printed.append(DiagnosticRenderer.render(d)) }
        let actual = printed.joined(separator: "\n").trimmingTrailingNewlines()
        #expect(actual == example.output.trimmingTrailingNewlines(), "\n--- expected\n\(example.output)\n--- actual\n\(actual)")
    }

    @Test("the docs have examples")
    func docsHaveExamples() {
        #expect(Docs.pmqBlocks().count >= 5)
        #expect(Docs.commandLines().count >= 2)
    }

    /// The README's command lines run in order, in a scratch directory that sees examples/.
    @Test("the README's commands work")
    func readmeCommands() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-readme-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("examples"), withDestinationURL: Docs.root.appendingPathComponent("examples"))
        for example in Docs.commandLines() {
            var args = Docs.words(example.text)
            let viaSwiftRun = args.first == "swift"
            args.removeFirst(viaSwiftRun ? 3 : 1)
            let r = try PMQProcess.run(args, cwd: dir)
            #expect(r.status == 0, "\(example.text)\n\(r.stderr)")
            if viaSwiftRun { #expect(!r.stdout.isEmpty, "\(example.text)") }
        }
    }

    /// Scripts directly in examples/ work on the sample project; those in subfolders stand alone.
    @Test("every script in examples/ runs", arguments: Docs.standaloneExamples())
    func exampleScript(_ path: String) throws {
        var args = ["--today", Docs.today]
        if path.split(separator: "/").count == 2 { args.append("examples/gov-cloud/project.pmq") }
        args.append(path)
        let r = try PMQProcess.run(args)
        #expect(r.status == 0, "\(path)\n\(r.stderr)")
    }

    @Test("the tour shows real answers")
    func tour() throws {
        let r = try PMQProcess.run(["--today", Docs.today, "--format", "json", "examples/gov-cloud/project.pmq", "examples/tour.pmq"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count >= 10)
        // Most tour queries find something: an empty tour teaches nothing.
        #expect(lines.filter { $0 == "[]" }.count <= 2)
    }
}

extension Docs {
    /// Every script under examples/ but the sample project itself.
    static func standaloneExamples() -> [String] {
        let base = root.appendingPathComponent("examples")
        guard let e = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return e.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".pmq") && $0 != "gov-cloud/project.pmq" && !$0.hasPrefix("embed/") && !$0.hasPrefix("reports/") }
            .map { "examples/" + $0 }
            .sorted()
    }
}

/// The reports of docs/language.md ("Reports"): each runs on the sample project and
/// prints exactly what its `.expected` file next to it holds.
@Suite("Report examples")
struct ReportExampleTests {
    static func reports() -> [String] {
        let dir = Docs.root.appendingPathComponent("examples/reports")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".pmq") }.sorted().map { "examples/reports/" + $0 }
    }

    @Test("the six reports of the docs are there")
    func six() {
        #expect(Self.reports().count >= 6)
    }

    @Test(arguments: reports())
    func report(_ path: String) throws {
        let r = try PMQProcess.run(["--today", Docs.today, "examples/gov-cloud/project.pmq", path])
        #expect(r.status == 0, "\(path)\n\(r.stderr)")
        let expected = Docs.read(String(path.dropLast(4)) + ".expected")
        #expect(!expected.isEmpty, "\(path) has no .expected file")
        #expect(r.stdout == expected, "\(path)\n--- expected\n\(expected)\n--- actual\n\(r.stdout)")
    }
}
