import Foundation
import PMQ

/// The interactive shell: readline editing, completion from the catalog and the data,
/// continuation while input is incomplete, meta-commands, and Ctrl-C that clears the
/// line or stops the running statement without leaving.
final class Shell {
    var session: Session
    let output: Output
    var inMemory: Bool
    var format: OutputFormat
    var timer = false
    var maxRows = 100
    /// `--dry-run`: each statement runs, says what it would have changed, and is rolled back.
    let dryRun: Bool
    let colour: Bool
    private let editor: LineEditor

    init(session: Session, output: Output, inMemory: Bool, dryRun: Bool = false) {
        self.session = session
        self.dryRun = dryRun
        self.output = output
        self.inMemory = inMemory
        self.format = output.format
        let env = ProcessInfo.processInfo.environment
        self.colour = Terminal.colour
        let history = env["PMQ_HISTORY"] ?? (env["HOME"].map { $0 + "/.pmq_history" })
        self.editor = LineEditor(historyPath: history.flatMap { $0.isEmpty ? nil : $0 })
    }

    func run() {
        session.allowsExplicitTransactions = true
        Shell.say("PMQ \(PMQVersion.current) — type .help for help, .quit to leave.")
        if inMemory {
            Shell.say("Connected to an in-memory database: nothing is saved. Use .open FILE to work on a file.")
        }
        if dryRun {
            Shell.say("Dry run: each change is reported as what it would have done, then rolled back; nothing is saved.")
        }
        LineEditor.complete = { [unowned self] before, word, inString in
            if before.isEmpty && word.hasPrefix(".") { return MetaCommand.names.filter { $0.hasPrefix(word) } }
            if let arguments = MetaCommand.argumentCandidates(before: before, word: word, schema: self.session.schema) { return arguments }
            return Completer(session: self.session).complete(before: before, word: word, inString: inString)
        }
        interruptRunning = { [unowned self] in self.session.cancel() }
        var buffer = ""
        // A line read ahead while looking for the rest of a pasted statement, not yet handled.
        var readAhead: LineEditor.Input?
        while true {
            let input: LineEditor.Input
            if let next = readAhead {
                input = next
                readAhead = nil
            } else {
                LineEditor.pendingText = buffer.isEmpty ? "" : buffer + "\n"
                let prompt = buffer.isEmpty ? (session.inExplicitTransaction ? "pmq*> " : "pmq> ") : "...> "
                input = editor.read(prompt: prompt)
            }
            switch input {
            case .endOfInput:
                // Ctrl-D at a continuation prompt drops the unfinished statement, as Ctrl-C
                // does, and says so; Ctrl-D on an empty `pmq>` line leaves (W7).
                if !buffer.isEmpty {
                    editor.remember(buffer)
                    buffer = ""
                    output.error("incomplete statement discarded (Ctrl-D again leaves)")
                    continue
                }
                if confirmLeave() { return }
            case .interrupted:
                buffer = ""
                continue
            case .line(let line):
                if buffer.isEmpty, line.trimmingCharacters(in: .whitespaces).hasPrefix(".") {
                    editor.remember(MetaCommand.forHistory(line))
                    if !MetaCommand.run(line.trimmingCharacters(in: .whitespaces), shell: self), confirmLeave() { return }
                    continue
                }
                buffer += buffer.isEmpty ? line : "\n" + line
                if buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { buffer = ""; continue }
                if isIncomplete(buffer) { continue }
                // A query pasted over several lines arrives faster than anyone types: while
                // more is waiting, a line that starts with a clause (`where`, `select`,
                // `order by` ...) continues this statement, as it would in a script.
                var continued = false
                while editor.inputWaiting() {
                    LineEditor.pendingText = buffer + "\n"
                    let next = editor.read(prompt: "...> ")
                    guard case .line(let more) = next, Continuation.continuesStatement(more) else {
                        readAhead = next
                        break
                    }
                    buffer += "\n" + more
                    if isIncomplete(buffer) { continued = true; break }
                }
                if continued { continue }
                editor.remember(buffer)
                if let hint = leavingHint(buffer) {
                    output.error(hint)
                    buffer = ""
                    continue
                }
                execute(SourceFile(name: "<shell>", text: buffer))
                buffer = ""
            }
        }
    }

    /// `exit`, `quit` and `help` alone are what psql and sqlite3 users type: unless the model
    /// has a saved query of that name, they are answered with the dot command to use
    /// instead of "unknown entity" (W7).
    private func leavingHint(_ text: String) -> String? {
        var word = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if word.hasSuffix(";") { word.removeLast() }
        guard ["exit", "quit", "help"].contains(word),
              !session.check(SourceFile(name: "<shell>", text: word)).isEmpty else { return nil }
        return word == "help" ? "use .help for help (.help TOPIC for one statement)" : "use .quit or Ctrl-D to leave"
    }

    /// The shell's own words (banner, notices): on the terminal with the prompt, which is
    /// standard error when standard output is redirected (LineEditor.messages).
    static func say(_ text: String) {
        fflush(stdout)
        fputs(text + "\n", LineEditor.messages)
        fflush(LineEditor.messages)
    }

    private func isIncomplete(_ text: String) -> Bool {
        session.check(SourceFile(name: "<shell>", text: text)).contains(where: { $0.isIncompleteInput })
    }

    /// Leaving (`.quit`, Ctrl-D) while a `begin` is open would throw its changes away: ask
    /// first. Yes (or Ctrl-D again) rolls back and leaves; anything else stays.
    func confirmLeave() -> Bool {
        guard confirmDiscard("leave") else { return false }
        discardTransaction()
        return true
    }

    /// Whether an open `begin` may be thrown away to `action` (leave, open another file):
    /// true when none is open, or the user says yes (or Ctrl-D); else it says how to end it.
    func confirmDiscard(_ action: String) -> Bool {
        guard session.inExplicitTransaction else { return true }
        let answer = editor.read(prompt: "A transaction is open (begin): discard its changes and \(action)? [y/N] ")
        switch answer {
        case .line(let text) where ["y", "yes"].contains(text.trimmingCharacters(in: .whitespaces).lowercased()):
            return true
        case .endOfInput:
            return true
        default:
            Shell.say("Still in the transaction: commit or rollback to end it.")
            return false
        }
    }

    /// Rolls an open `begin` back, saying so.
    func discardTransaction() {
        guard session.inExplicitTransaction else { return }
        _ = session.run(SourceFile(name: "<shell>", text: "rollback")) { _ in }
        output.error("rolled back: nothing from the transaction was kept")
    }

    func execute(_ source: SourceFile) {
        let started = DispatchTime.now()
        statementRunning = true
        let diagnostics = session.run(source, dryRun: dryRun) { result in
            if case .change = result { output.emit(result); return }
            let style = TableRenderer.Style(maxRows: maxRows > 0 ? maxRows : nil, footer: true, colour: colour, width: Terminal.width())
            if let text = format.render(result, style: style) { print(text) }
        }
        statementRunning = false
        if !diagnostics.isEmpty {
            let text = DiagnosticRenderer.render(diagnostics)
            output.error(colour ? "\u{1B}[31m" + text + "\u{1B}[0m" : text)
        }
        output.finish(succeeded: diagnostics.isEmpty, dryRun: dryRun, saidSo: diagnostics.contains { $0.message.hasSuffix(": nothing was changed") })
        if timer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            print(String(format: "Run Time: %.3f s", seconds))
        }
        fflush(stdout)
    }
}
