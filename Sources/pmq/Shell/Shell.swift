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
    let colour: Bool
    private let editor: LineEditor

    init(session: Session, output: Output, inMemory: Bool) {
        self.session = session
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
        print("PMQ \(PMQVersion.current) — type .help for help, .quit to leave.")
        if inMemory {
            print("Connected to an in-memory database: nothing is saved. Use .open FILE to work on a file.")
        }
        LineEditor.complete = { [unowned self] before, word, inString in
            if before.isEmpty && word.hasPrefix(".") { return MetaCommand.names.filter { $0.hasPrefix(word) } }
            return Completer(session: self.session).complete(before: before, word: word, inString: inString)
        }
        interruptRunning = { [unowned self] in self.session.cancel() }
        var buffer = ""
        while true {
            LineEditor.pendingText = buffer.isEmpty ? "" : buffer + "\n"
            let prompt = buffer.isEmpty ? (session.inExplicitTransaction ? "pmq*> " : "pmq> ") : "...> "
            switch editor.read(prompt: prompt) {
            case .endOfInput:
                if !buffer.isEmpty { editor.remember(buffer) }
                return
            case .interrupted:
                buffer = ""
                continue
            case .line(let line):
                if buffer.isEmpty, line.trimmingCharacters(in: .whitespaces).hasPrefix(".") {
                    editor.remember(line)
                    if !MetaCommand.run(line.trimmingCharacters(in: .whitespaces), shell: self) { return }
                    continue
                }
                buffer += buffer.isEmpty ? line : "\n" + line
                if buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { buffer = ""; continue }
                let source = SourceFile(name: "<shell>", text: buffer)
                if session.check(source).contains(where: { $0.isIncompleteInput }) { continue }
                editor.remember(buffer)
                execute(source)
                buffer = ""
            }
        }
    }

    func execute(_ source: SourceFile) {
        let started = DispatchTime.now()
        statementRunning = true
        let diagnostics = session.run(source) { result in
            if case .change = result { output.emit(result); return }
            let style = TableRenderer.Style(maxRows: maxRows > 0 ? maxRows : nil, footer: true, colour: colour, width: Terminal.width())
            if let text = format.render(result, style: style) { print(text) }
        }
        statementRunning = false
        if !diagnostics.isEmpty {
            let text = DiagnosticRenderer.render(diagnostics)
            output.error(colour ? "\u{1B}[31m" + text + "\u{1B}[0m" : text)
        }
        output.finish(succeeded: diagnostics.isEmpty, dryRun: false)
        if timer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            print(String(format: "Run Time: %.3f s", seconds))
        }
        fflush(stdout)
    }
}
