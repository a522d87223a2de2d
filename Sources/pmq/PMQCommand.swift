import ArgumentParser
import Foundation
import PMQ

/// `pmq`: the command of docs/language.md, “Scripts and the `pmq` command”. Exit status 0 success, 1 an error in the PMQ text or
/// its execution, 2 a usage error.
struct PMQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmq",
        abstract: "Query and change a project model (tasks, people, risks, costs, ...) with PMQ.",
        usage: """
        pmq [--db <PATH>] [--init] [--today <YYYY-MM-DD>] [--format <FORMAT>] [--var <NAME=VALUE> ...] [--dry-run] [-e <TEXT> ...] [<SCRIPT.pmq> ...]
        pmq --check <SCRIPT.pmq> ...
        pmq lsp [--db <PATH>] [--today <YYYY-MM-DD>]
        pmq --version
        """,
        discussion: """
        With no -e and no script, pmq reads a script from standard input, or opens the \
        interactive shell when standard input is a terminal. Exit status: 0 success, 1 an \
        error in the PMQ text or its execution, 2 a usage error. (A script named lsp or \
        help is run as ./lsp or ./help.)
        """,
        version: "pmq \(PMQVersion.current)",
        subcommands: [LanguageServerCommand.self])

    @Option(name: .long, help: ArgumentHelp("The project database file, or a postgresql:// URL (default: $PMQ_DB, else in memory).", valueName: "PATH"),
            completion: .file(extensions: ["db", "sqlite", "sqlite3"]))
    var db: String?

    @Flag(name: .customLong("init"), help: "Add PMQ's tables to a database that holds other tables and no PMQ schema (refused without it).")
    var initialize = false

    @Option(name: .long, help: ArgumentHelp("The date that counts as today.", valueName: "YYYY-MM-DD"))
    var today: String?

    @Option(name: .long, help: ArgumentHelp("Output format: table, csv, tsv, json, markdown or html.", valueName: "FORMAT"),
            completion: .list(OutputFormat.allCases.map(\.rawValue)))
    var format: String = "table"

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a script parameter.", valueName: "NAME=VALUE"))
    var vars: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Run everything, then roll back and report what would have changed.")
    var dryRun = false

    @Option(name: .customShort("e"), help: ArgumentHelp("PMQ text to run (repeatable).", valueName: "TEXT"))
    var eval: [String] = []

    @Flag(name: .long, help: "Parse and check only; exit 0 when clean.")
    var check = false

    @Argument(help: ArgumentHelp("Scripts to run, in order.", valueName: "SCRIPT.pmq"),
              completion: .file(extensions: ["pmq"]))
    var scripts: [String] = []

    func validate() throws {
        if let problem = invocation.problem { throw ValidationError(problem) }
    }

    var invocation: Invocation {
        Invocation(db: db, initialize: initialize, today: today, format: format, vars: vars, dryRun: dryRun, eval: eval, check: check, scripts: scripts)
    }

    func run() throws { try invocation.run() }
}

/// What one `pmq` command line asks for, parsed: by ArgumentParser (PMQCommand), or for the
/// common plain forms by `Invocation.parse` without it (start-up: ArgumentParser reflects
/// over the whole command tree, which cost more CPU than opening the file and running a query).
struct Invocation {
    var db: String?
    /// `--init`: take over a database that holds other tables and no PMQ schema.
    var initialize = false
    var today: String?
    var format = "table"
    var vars: [String] = []
    var dryRun = false
    var eval: [String] = []
    var check = false
    var scripts: [String] = []

    /// Why these options are wrong (PMQCommand.validate says it), or nil.
    var problem: String? {
        guard OutputFormat(rawValue: format) != nil else {
            return "unknown format \"\(format)\"; use table, csv, tsv, json, markdown or html"
        }
        if let today, Day(iso: today) == nil {
            return "--today takes a date as YYYY-MM-DD, not \"\(today)\""
        }
        if let today, let d = Day(iso: today), !d.isInRange {
            return "--today takes a date from 0001-01-01 to 9999-12-31, not \"\(today)\""
        }
        for v in vars where !v.contains("=") || v.hasPrefix("=") {
            return "--var takes NAME=VALUE, not \"\(v)\""
        }
        for v in vars {
            let name = String(v.prefix { $0 != "=" })
            if !ScriptParams.isName(name) { return "--var \(v): \"\(name)\" is not a name (letters, digits and _, not starting with a digit)" }
        }
        if initialize && check {
            return "--init cannot be used with --check: checking never changes the database"
        }
        return nil
    }

    /// `--version` with anything else on the line (a script, `-e`, another flag): a usage
    /// error, not the version with the scripts silently not run; nil when the line is fine.
    static func versionProblem(_ args: [String]) -> String? {
        guard args.count > 1 else { return nil }
        for (i, a) in args.enumerated() where a == "--version" {
            // The value of an option (`-e --version` runs the text "--version") is not the flag.
            if i > 0, (CommandLineOrder.optionsWithValues + ["-e"]).contains(args[i - 1]) { continue }
            if args.prefix(i).contains("--") { return nil }
            return "--version takes nothing else: write pmq --version alone"
        }
        return nil
    }

    /// The plain forms only: `--db`, `--today`, `--format`, `--var`, `-e` each with a separate
    /// value that does not start with `-`, `--dry-run`, `--init`, and script paths. Anything else (help,
    /// `--version`, `--opt=value`, a mistake) is nil, and ArgumentParser handles the line as ever.
    static func parse(_ args: [String]) -> Invocation? {
        var inv = Invocation()
        var i = 0
        while i < args.count {
            let a = args[i]
            if !a.hasPrefix("-") || a == "-" {
                inv.scripts.append(a)
                i += 1
                continue
            }
            if a == "--dry-run" { inv.dryRun = true; i += 1; continue }
            if a == "--init" { inv.initialize = true; i += 1; continue }
            guard ["--db", "--today", "--format", "--var", "-e"].contains(a), i + 1 < args.count, !args[i + 1].hasPrefix("-") else { return nil }
            let v = args[i + 1]
            switch a {
            case "--db": inv.db = v
            case "--today": inv.today = v
            case "--format": inv.format = v
            case "--var": inv.vars.append(v)
            default: inv.eval.append(v)
            }
            i += 2
        }
        return inv.problem == nil ? inv : nil
    }

    func run() throws {
        let output = Output(format: OutputFormat(rawValue: format) ?? .table)
        var sources: [SourceFile] = []
        for item in CommandLineOrder.inputs(CommandLine.arguments.dropFirst(), evals: eval, scripts: scripts) {
            switch item {
            case .eval(let text):
                sources.append(SourceFile(name: "<eval>", text: text))
            case .script(let path) where path == "-":
                // `-` is standard input, as for other Unix tools (W20).
                sources.append(SourceFile(name: "<stdin>", data: FileHandle.standardInput.readDataToEndOfFile()))
            case .script(let path):
                // A directory opens like a file but cannot be read: say so instead of crashing.
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    output.error("error: cannot read script \(path): it is a directory")
                    throw ExitCode(2)
                }
                // A large script is mapped, not read: a data load is never held in memory whole.
                guard let source = SourceFile(name: path, contentsOfFile: path) else {
                    output.error("error: cannot read script \(path)")
                    throw ExitCode(2)
                }
                sources.append(source)
            }
        }
        let dbPath = db ?? getenv("PMQ_DB").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        let interactive = sources.isEmpty && isatty(STDIN_FILENO) == 1 && !check

        let session: Session
        do {
            // --check reads the file if there is one (or the PostgreSQL database a URL names),
            // read-only, and never creates or upgrades it.
            let checkOnly = check && dbPath.map { !Store.isServerURL($0) && !FileManager.default.fileExists(atPath: $0) } ?? true
            session = try Session(path: checkOnly ? nil : dbPath, today: today.flatMap { Day(iso: $0) }, readOnly: check && !checkOnly,
                                  initialize: initialize)
            session.params = Dictionary(vars.map { v -> (String, String) in
                let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0].lowercased(), parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { _, last in last })
        } catch let e as StoreError where !check && e.kind == .notPMQ && e.message.hasSuffix("holds other tables and no PMQ schema") {
            // Say how to take the database over, when that is what the user wants.
            output.error("error: \(e) (--init adds PMQ's tables to it)")
            throw ExitCode(1)
        } catch {
            output.error("error: \(error)")
            throw ExitCode(1)
        }
        ProgressBar.install(on: session)
        if sources.isEmpty && !interactive {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            sources.append(SourceFile(name: "<stdin>", data: data))
        }
        // Text that is not UTF-8 is refused at its first bad byte before anything runs (a
        // script saved in GBK or Latin-1 would otherwise store U+FFFD for its names).
        let misread = sources.compactMap(\.encodingDiagnostic)
        if !misread.isEmpty {
            output.error(DiagnosticRenderer.render(misread))
            throw ExitCode(1)
        }
        // An override no script declares is a usage error, found before anything runs (the
        // shell's text is typed later, so it is not checked there).
        if !interactive && !vars.isEmpty {
            let declared = ScriptParams.declared(in: sources)
            for v in vars {
                let name = String(v.prefix { $0 != "=" })
                guard !declared.contains(name.lowercased()) else { continue }
                let hint = Suggestions.closest(to: name, in: declared.sorted()).map { "; did you mean \"\($0)\"?" } ?? ""
                output.error("error: --var \(v): no script declares param \(name)\(hint)")
                throw ExitCode(2)
            }
        }
        if interactive {
            Shell(session: session, output: output, inMemory: dbPath == nil, dryRun: dryRun).run()
            return
        }
        if check {
            let ds = session.check(sources)
            if !ds.isEmpty { output.error(DiagnosticRenderer.render(ds)) }
            throw ExitCode(ds.isEmpty ? 0 : 1)
        }
        if dryRun {
            do { try session.beginDryRun() } catch { output.error("error: \(error)"); throw ExitCode(1) }
        }
        defer { session.endDryRun() }
        defer { if dryRun { output.error("dry run: nothing was changed") } }
        for (n, source) in sources.enumerated() {
            let diagnostics = session.run(source, dryRun: dryRun) { output.emit($0) }
            if !diagnostics.isEmpty { output.error(DiagnosticRenderer.render(diagnostics)) }
            // Each script (or -e text) is its own transaction: after one that ran before,
            // "nothing was changed" would not be true of the command as a whole.
            output.finish(succeeded: diagnostics.isEmpty, dryRun: dryRun, failedSource: n > 0 ? source.name : nil,
                          saidSo: diagnostics.contains { $0.message.hasSuffix(": nothing was changed") })
            if !diagnostics.isEmpty { throw ExitCode(1) }
        }
        // `check` found rows for a rule of severity error: a cron job or CI step alerts on 1.
        // `check` is a report, not a failed statement: the scripts ran to their end and their
        // changes are kept, so standard error says why the status is 1 and that (W25).
        if session.failedErrorRules > 0 {
            var names: [String] = []
            for n in session.failedRuleNames where !names.contains(n) { names.append(n) }
            let quoted = names.map { "\"\($0)\"" }.joined(separator: ", ")
            let rules = names.count == 1 ? "the error rule \(quoted) has rows" : "the error rules \(quoted) have rows"
            let kept = output.keptChanges && !dryRun ? "; the changes were kept" : ""
            output.error("check: \(rules) (exit status 1)\(kept)")
            throw ExitCode(1)
        }
        Invocation.finished = session
    }

    /// The session of a run that succeeded: main.swift closes its database and exits without
    /// freeing the rest (freeing it was a tenth of a plain query's instructions; start-up, s1).
    nonisolated(unsafe) static var finished: Session?
}

/// `-e` texts and scripts run in the order they were given on the command line;
/// ArgumentParser keeps each kind in order but not the two interleaved.
enum CommandLineOrder {
    enum Input { case eval(String), script(String) }
    static let optionsWithValues = ["--db", "--today", "--format", "--var"]  // (an array: a Set costs more to make than to search)

    static func inputs(_ argv: ArraySlice<String>, evals: [String], scripts: [String]) -> [Input] {
        var out: [Input] = []
        var e = evals[...], s = scripts[...]
        var args = argv.makeIterator()
        var onlyPositional = false
        while let a = args.next() {
            if onlyPositional || !a.hasPrefix("-") || a == "-" {
                if let next = s.first { out.append(.script(next)); s = s.dropFirst() }
            } else if a == "--" {
                onlyPositional = true
            } else if a == "-e" {
                _ = args.next()
                if let next = e.first { out.append(.eval(next)); e = e.dropFirst() }
            } else if a.hasPrefix("-e") {
                if let next = e.first { out.append(.eval(next)); e = e.dropFirst() }
            } else if optionsWithValues.contains(a) {
                _ = args.next()
            }
        }
        // Anything the walk above did not place keeps ArgumentParser's order.
        return out + e.map { .eval($0) } + s.map { .script($0) }
    }
}

/// Results to standard output, messages and change reports to standard error.
/// Change reports wait until their script has committed (a failed script keeps
/// nothing, so it reports nothing as added); consecutive reports of the same kind
/// are summed (`added 1000 tasks`), so a large script does not print a line per row.
final class Output {
    let format: OutputFormat
    private var changes: [ChangeReport] = []
    private var printedResult = false
    /// Whether the last thing printed was a `print` line: a title sits right above its table.
    private var lastWasText = false
    private var lastWasBlock = false
    /// Whether a script's changes were committed and reported (`check`'s exit 1 says they were kept).
    private(set) var keptChanges = false
    /// The bytes of the result being written, kept between results.
    private var buffer: [UInt8] = []

    init(format: OutputFormat) { self.format = format }

    func emit(_ r: StatementResult) {
        if case .change(let c) = r {
            // Only reports that read alike are summed: two undos, or exports to two files, stay two lines.
            if var last = changes.last, last.verb == c.verb, last.entity == c.entity, last.object == c.object, last.note == c.note {
                last.count += c.count
                last.detail = nil
                changes[changes.count - 1] = last
            } else {
                changes.append(c)
            }
            return
        }
        // A chart fits the terminal and marks critical work in colour there; tables keep their plain form.
        var style = TableRenderer.Style()
        if case .gantt = r { style = TableRenderer.Style(colour: Terminal.colour, width: Terminal.width()) }
        // Tables are easier to tell apart with a blank line between them (and Markdown needs one).
        // A bare value (`count tasks`) after a table is set apart like a `print`: in Markdown a
        // line right under a table is read as one more row of it (H7, R1).
        var block = false, isText = false, isScalar = false
        if case .rows = r { block = true } else if case .gantt = r { block = true } else if case .text = r { isText = true } else if case .rule = r { isText = true } else if case .scalar = r { isScalar = true }
        let spaced = format == .table || format == .markdown
        buffer.removeAll(keepingCapacity: true)
        if block, printedResult, spaced, !lastWasText { buffer.append(10) }
        if isText || isScalar, spaced, lastWasBlock { buffer.append(10) }
        // The result's bytes go into one buffer (no String of them), written with one call.
        guard format.write(r, style: style, into: &buffer) else { return }
        buffer.append(10)
        lastWasText = isText
        lastWasBlock = block
        buffer.withUnsafeBufferPointer { b in _ = fwrite(b.baseAddress, 1, b.count, stdout) }
        printedResult = true
    }

    /// Ends one script: its change reports, or the note that nothing was kept.
    /// `failedSource`: the script's name when scripts before it ran (and were kept).
    /// `saidSo`: the error already says "nothing was changed" (an interruption): not said twice.
    func finish(succeeded: Bool, dryRun: Bool, failedSource: String? = nil, saidSo: Bool = false) {
        if succeeded {
            if !changes.isEmpty { keptChanges = true }
            for c in changes { error(dryRun ? "would have " + c.participle : c.message) }
        } else if !changes.isEmpty {
            if let failedSource, !dryRun {
                error("rolled back: nothing of \(failedSource) was changed (what ran before it is kept)")
            } else if !saidSo {
                error("rolled back: nothing was changed")
            }
        }
        changes.removeAll()
    }

    func error(_ text: String) {
        fflush(stdout)
        fputs(text + "\n", stderr)
    }
}
