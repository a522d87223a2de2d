import Foundation
import Testing
@testable import PMQ
import PMQEmbed

/// The command's place in its ecosystem: one version everywhere, shell completion, the
/// man page and the editor grammar, each checked against the thing it describes.
@Suite("The command's surface: --version, completion scripts, man page, editor grammar")
struct CommandSurfaceTests {
    static let root = PMQProcess.root

    @Test("pmq --version, pmq lsp --version and the C ABI's pmq_version() say the one version (the banner: ShellTests)")
    func version() throws {
        #expect(PMQVersion.current.split(separator: ".").count == 3)
        #expect(PMQVersion.current.split(separator: ".").allSatisfy { Int($0) != nil })
        let r = try PMQProcess.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout == "pmq \(PMQVersion.current)\n")
        #expect(r.stderr.isEmpty)
        let c = try #require(pmq_version())
        #expect(String(cString: c) == PMQVersion.current)
        let header = try String(contentsOf: Self.root.appendingPathComponent("Sources/PMQEmbed/include/pmq.h"), encoding: .utf8)
        #expect(header.contains("const char *pmq_version(void);"))
        let lsp = try PMQProcess.run(["lsp", "--version"])
        #expect(lsp.stdout == "pmq \(PMQVersion.current)\n")
    }

    @Test("pmq lsp --help and pmq help lsp describe the server; a bad option is a usage error")
    func lspHelp() throws {
        let a = try PMQProcess.run(["lsp", "--help"]), b = try PMQProcess.run(["help", "lsp"])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout.contains("USAGE: pmq lsp [--db <PATH>] [--today <YYYY-MM-DD>]"))
        #expect(a.stdout == b.stdout)
        let bad = try PMQProcess.run(["lsp", "--today", "soon"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--today takes a date as YYYY-MM-DD"))
    }

    static let completionFiles = [("bash", "completions/pmq.bash"), ("zsh", "completions/_pmq"), ("fish", "completions/pmq.fish")]

    @Test("the committed completion scripts are what pmq --generate-completion-script prints now", arguments: completionFiles)
    func completionScriptsUpToDate(shell: String, path: String) throws {
        let r = try PMQProcess.run(["--generate-completion-script", shell])
        #expect(r.status == 0)
        let committed = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        #expect(committed == r.stdout, "regenerate: .build/debug/pmq --generate-completion-script \(shell) > \(path)")
        #expect(committed.contains("markdown"))
        #expect(committed.contains("pmq"))
    }

    @Test("bash completion: --db offers .db files, scripts .pmq files, --format its values")
    func bashCompletion() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-completion-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plans"), withIntermediateDirectories: true)
        for f in ["plan.db", "notes.txt", "weekly.pmq"] {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(f).path, contents: Data())
        }
        let script = Self.root.appendingPathComponent("completions/pmq.bash").path
        // Completes the last word of each line as bash would on Tab; prints one candidate a line.
        let program = """
        source '\(script)'
        complete_line() {
            COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<< "$COMP_LINE"
            [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
            _pmq pmq "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}" | sort; echo --
        }
        cd '\(dir.path)'
        complete_line 'pmq --format '
        complete_line 'pmq --format j'
        complete_line 'pmq --db '
        complete_line 'pmq '
        complete_line 'pmq --dry'
        """
        let r = try PMQProcess.tool(["bash", "-c", program])
        #expect(r.status == 0)
        #expect(r.output == """
        csv
        html
        json
        markdown
        table
        tsv
        --
        json
        --
        plan.db
        plans
        --
        plans
        weekly.pmq
        --
        --dry-run
        --

        """)
    }

    @Test("the man page docs/pmq.1 is up to date with the command's help")
    func manPage() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("docs/pmq.1"), encoding: .utf8)
        let generator = Self.root.appendingPathComponent(".build/debug/generate-manual-tool")
        if FileManager.default.isExecutableFile(atPath: generator.path) {
            // Built by `swift package generate-manual` (README): the page must be exactly what it makes now.
            let r = try PMQProcess.tool([generator.path, PMQProcess.binary.path, "--date", "2026-11-29",
                                         "--authors", "the PMQ authors", "-o", "-"])
            #expect(r.status == 0)
            #expect(r.output.trimmingCharacters(in: .newlines) == page.trimmingCharacters(in: .newlines))
        }
        // Always: every option and subcommand of the command's own help is in the page, with its abstract.
        let dump = try PMQProcess.run(["--experimental-dump-help"])
        let info = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        func check(_ command: [String: Any]) {
            for arg in command["arguments"] as? [[String: Any]] ?? [] where (arg["shouldDisplay"] as? Bool) != false {
                if let abstract = arg["abstract"] as? String { #expect(page.contains(abstract), "missing from docs/pmq.1: \(abstract)") }
                if let name = (arg["preferredName"] as? [String: Any])?["name"] as? String {
                    #expect(page.contains("Fl -\(name)") || page.contains("Fl \(name)") || page.contains("Ar \(name)"), "missing option \(name)")
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                if let name = sub["commandName"] as? String { #expect(page.contains(".It Em \(name)")) }
                check(sub)
            }
        }
        check(try #require(info["command"] as? [String: Any]))
    }

    // MARK: - Keywords and the editor grammar

    @Test("every keyword the parser and lexer match is in the one keyword list")
    func keywordListCoversTheParser() throws {
        var found = Set<String>()
        for file in ["Sources/PMQ/Parser/Parser.swift", "Sources/PMQ/Lexer/Lexer.swift"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            // `isKeyword(.x)`, `keyword: .x` and `part(.x)` (the lexer classifies each word once as a
            // `Keyword`, whose cases the lists below are made from; the compiler holds the parser to them).
            let patterns = [#"isKeyword\(\.([a-z_]+)\)"#, #"keyword: \.([a-z_]+)"#, #"part\(\.([a-z_]+)\)"#]
            for p in patterns {
                let re = try NSRegularExpression(pattern: p)
                for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    guard let r = Range(m.range(at: 1), in: text) else { continue }
                    for w in text[r].split(whereSeparator: { !$0.isLetter && $0 != "_" }) { found.insert(String(w)) }
                }
            }
        }
        #expect(found.count > 40)
        // `after` and `before` are parts of `changed` only, in no list (completion does not offer them).
        let missing = found.subtracting(Keywords.all).subtracting(Catalog.entities.map(\.singular)).subtracting(["after", "before"])
        #expect(missing.isEmpty, "add to Sources/PMQ/Lexer/Keywords.swift: \(missing.sorted())")
        #expect(Set(Keywords.all).count == Keywords.all.count, "a keyword is listed twice")
    }

    @Test("completion at the start of a statement offers every statement keyword of the one list")
    func completionOffersEveryStatement() throws {
        let session = try Session(path: nil)
        let offered = Completer(session: session).complete(before: "", word: "", inString: false)
        let firstWords = Set(offered.compactMap { $0.split(separator: " ").first.map(String.init) })
        let missing = Set(Keywords.statements).subtracting(["else"]).subtracting(firstWords)
        #expect(missing.isEmpty, "Completer.statementKeywords lacks \(missing.sorted())")
    }

    /// The words of a grammar rule `(?i)\b(a|b|c)\b`.
    static func words(_ grammar: [String: Any], _ rule: String) -> [String] {
        let repo = grammar["repository"] as? [String: Any]
        guard let match = (repo?[rule] as? [String: Any])?["match"] as? String,
              match.hasPrefix(#"(?i)\b("#), match.hasSuffix(#")\b"#) else { return [] }
        return match.dropFirst(#"(?i)\b("#.count).dropLast(#")\b"#.count).split(separator: "|").map(String.init)
    }

    @Test("grammar/pmq.tmLanguage.json highlights exactly the language's keywords and entities")
    func grammarKeywords() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("grammar/pmq.tmLanguage.json"))
        let grammar = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(grammar["scopeName"] as? String == "source.pmq")
        #expect(Self.words(grammar, "statement-keyword") == Keywords.statements)
        #expect(Self.words(grammar, "clause-keyword") == Keywords.clauses)
        #expect(Self.words(grammar, "constant") == Keywords.constants)
        #expect(Self.words(grammar, "entity") == Catalog.entities.map(\.plural))
        // The parser tells a query from an expression by this list, never by a database's schema.
        #expect(Keywords.sources == Catalog.entities.map(\.plural))
        // Every pattern is a regular expression Oniguruma-compatible enough for Foundation to compile.
        func patterns(_ any: Any) -> [String] {
            if let d = any as? [String: Any] {
                return ["match", "begin", "end"].compactMap { d[$0] as? String } + d.values.flatMap(patterns)
            }
            if let a = any as? [Any] { return a.flatMap(patterns) }
            return []
        }
        for p in patterns(grammar) {
            let foundation = p.replacingOccurrences(of: "(?i)", with: "")
            #expect((try? NSRegularExpression(pattern: foundation, options: [.caseInsensitive])) != nil, "bad pattern \(p)")
        }
    }
}
