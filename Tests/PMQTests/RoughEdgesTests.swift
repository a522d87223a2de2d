import Foundation
import Testing
@testable import PMQ
@testable import PMQEmbed

/// The rough edges users hit (issue 18), each with a test; the shell's own (a pasted query,
/// leaving an open `begin`) are in ShellTests.
@Suite("Rough edges: width, history of embedded runs, import paths")
struct RoughEdgesTests {
    @Test("display width counts grapheme clusters, emoji as two cells")
    func displayWidth() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("王芳") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)                       // e + combining acute
        #expect(DisplayWidth.of("🚀") == 2)                              // outside the old table
        #expect(DisplayWidth.of("👩‍👩‍👧") == 2)                          // one ZWJ family, not three faces
        #expect(DisplayWidth.of("👍🏽") == 2)                             // with a skin tone
        #expect(DisplayWidth.of("🇨🇳") == 2)                             // a flag: two regional indicators
        #expect(DisplayWidth.of("❤️") == 2)                              // text heart + VS16
        #expect(DisplayWidth.of("1\u{FE0F}\u{20E3}") == 2)             // keycap
    }

    @Test("a table lines up around emoji and ZWJ sequences")
    func tableWithEmoji() throws {
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        let (results, d) = s.run("""
            add person "👩‍👩‍👧 family" role "A"
            add person "plain" role "🚀"
            people select name, role order by name
            """)
        #expect(d.isEmpty)
        let text = results.compactMap { OutputFormat.table.render($0) }.joined(separator: "\n")
        let lines = text.split(separator: "\n").map(String.init)
        /// The cell where `value` starts on the line that holds `marker`.
        func column(_ marker: String, _ value: String) -> Int? {
            guard let line = lines.first(where: { $0.contains(marker) }), let r = line.range(of: value, options: .backwards) else { return nil }
            return DisplayWidth.of(String(line[..<r.lowerBound]))
        }
        let role = column("name", "role")
        #expect(role != nil, "\(text)")
        #expect(column("family", "A") == role, "\(text)")
        #expect(column("plain", "🚀") == role, "\(text)")
    }

    @Test("a caret after an emoji sits under the error")
    func caretAfterEmoji() throws {
        let s = try Session(path: nil)
        let d = s.check(SourceFile(name: "<test>", text: "print \"👩‍👩‍👧\" + ownr"))
        let text = DiagnosticRenderer.render(d)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // `print "👩‍👩‍👧" + ` is 6 + 1 + 2 + 1 + 3 = 13 cells before `ownr`.
        #expect(lines.contains(String(repeating: " ", count: 13) + "^~~~"), "\(text)")
    }

    @Test("history names an embedded run by its statement, not <embed>")
    func embeddedHistory() throws {
        let h = try #require(pmq_open(nil))
        defer { pmq_close(h) }
        func exec(_ text: String) -> String {
            guard let p = pmq_exec(h, text) else { return "" }
            defer { pmq_free(p) }
            return String(cString: p)
        }
        #expect(exec("add project \"P\"").contains("\"ok\":true"))
        let history = exec("history")
        #expect(history.contains(#""statement":"add project \"P\"""#), "\(history)")
        #expect(!history.contains("<embed>"))
    }

    /// A folder with a CSV inside and one outside it, and a script in the folder.
    func folders() throws -> (inside: String, outside: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-paths-\(getpid())-\(UUID().uuidString)")
        let inside = base.appendingPathComponent("work"), outside = base.appendingPathComponent("elsewhere")
        for d in [inside, outside] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        for d in [inside, outside] { try Data("name,wbs\nT,1\n".utf8).write(to: d.appendingPathComponent("t.csv")) }
        return (inside.path, outside.path)
    }

    @Test("import outside the script's folder: allowed by default in Swift and on the command line")
    func outsideAllowed() throws {
        let (inside, outside) = try folders()
        let s = try Session(path: nil)
        #expect(s.run("add project \"P\"").diagnostics.isEmpty)
        let d = s.run("import \"\(outside)/t.csv\" into tasks", name: inside + "/script.pmq").diagnostics
        #expect(d.isEmpty, "\(d)")
        let cli = try PMQProcess.run(["-e", "add project \"P\"", "-e", "import \"\(outside)/t.csv\" into tasks", "-e", "count tasks"],
                                     cwd: URL(fileURLWithPath: inside))
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout == "1\n")
    }

    @Test("the C ABI refuses files outside by default, in words that do not tell whether they exist")
    func outsideRefusedInCABI() throws {
        let (inside, outside) = try folders()
        let h = try #require(pmq_open(nil))
        defer { pmq_close(h) }
        func exec(_ text: String) -> String {
            guard let p = pmq_exec(h, text) else { return "" }
            defer { pmq_free(p) }
            return String(cString: p)
        }
        #expect(exec("add project \"P\"").contains("\"ok\":true"))
        let existing = exec("import \"\(outside)/t.csv\" into tasks")
        let missing = exec("import \"\(outside)/no-such.csv\" into tasks")
        #expect(existing.contains("import may only use files in the script's folder or the working directory here"), "\(existing)")
        #expect(existing.replacingOccurrences(of: "t.csv", with: "X") == missing.replacingOccurrences(of: "no-such.csv", with: "X"))
        // The option lets a host allow the rest.
        #expect(pmq_set_option(h, "files_outside", "1") == 0)
        #expect(exec("import \"\(outside)/t.csv\" into tasks\ncount tasks").contains("\"ok\":true"))
    }

    @Test("with files outside off, `..` and symbolic links out of the folder are refused too")
    func outsideByLinkOrDots() throws {
        let (inside, outside) = try folders()
        try FileManager.default.createSymbolicLink(atPath: inside + "/link.csv", withDestinationPath: outside + "/t.csv")
        let s = try Session(path: nil)
        s.limits.filesOutside = false
        #expect(s.run("add project \"P\"").diagnostics.isEmpty)
        let script = inside + "/script.pmq"
        for path in ["link.csv", "../elsewhere/t.csv", outside + "/t.csv", "/etc/no-such-file.csv"] {
            let d = s.run("import \"\(path)\" into tasks", name: script).diagnostics
            #expect(d.first?.message.contains("may only use files in the script's folder") == true, "\(path): \(d)")
        }
        // Next to the script it reads.
        let d = s.run("import \"t.csv\" into tasks", name: script).diagnostics
        #expect(d.isEmpty, "\(d)")
    }

    @Test("with files outside off, a new or missing file inside a linked folder that leads out is refused, and nothing is written")
    func outsideThroughALinkedFolder() throws {
        let (inside, outside) = try folders()
        try FileManager.default.createSymbolicLink(atPath: inside + "/lo", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: inside + "/dangling.csv", withDestinationPath: outside + "/made.csv")
        let s = try Session(path: nil)
        s.limits.filesOutside = false
        #expect(s.run("add project \"P\"\nadd person \"Li\"").diagnostics.isEmpty)
        let script = inside + "/script.pmq"
        for statement in ["export people to \"lo/written.csv\"", "report to \"lo/r.html\"", "export people to \"dangling.csv\"",
                          "import \"lo/t.csv\" into tasks", "import \"lo/no-such.csv\" into tasks", "export people to \"lo/new/x.csv\""] {
            let d = s.run(statement, name: script).diagnostics
            #expect(d.first?.message.contains("may only use files in the script's folder") == true, "\(statement): \(d)")
        }
        for made in ["written.csv", "r.html", "made.csv"] {
            #expect(!FileManager.default.fileExists(atPath: outside + "/" + made), "\(made) was written outside")
        }
        // A new file in a real folder inside is fine.
        try FileManager.default.createDirectory(atPath: inside + "/out", withIntermediateDirectories: true)
        let d = s.run("export people to \"out/people.csv\"", name: script).diagnostics
        #expect(d.isEmpty, "\(d)")
        #expect(FileManager.default.fileExists(atPath: inside + "/out/people.csv"))
    }
}

@Suite("Licence: the build agrees with it")
struct LicenceTests {
    /// The shared libraries a built file links, by name (ldd).
    func linked(_ path: String) throws -> String {
        let (status, text) = try PMQProcess.tool(["ldd", path])
        #expect(status == 0, "\(text)")
        return text
    }

    @Test("Apache-2.0; only the pmq executable links GNU readline (GPL-3), as README says")
    func readlineOnlyInTheCommand() throws {
        let licence = try String(contentsOf: PMQProcess.root.appendingPathComponent("LICENSE"), encoding: .utf8)
        #expect(licence.contains("Apache License") && licence.contains("Version 2.0"))
        let readme = try String(contentsOf: PMQProcess.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("## Licence") && readme.contains("GPL-3.0"))
        let embed = PMQProcess.root.appendingPathComponent(".build/debug/libPMQEmbed.so").path
        guard FileManager.default.fileExists(atPath: embed) else {
            print("skipped: \(embed) is not built")
            return
        }
        #expect(!(try linked(embed)).contains("libreadline"), "the C ABI is Apache-2.0 alone")
        #expect(try linked(PMQProcess.binary.path).contains("libreadline"))
    }
}
