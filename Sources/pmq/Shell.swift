import Foundation
import PMQ

/// The interactive shell: reads statements line by line, asks for more while the
/// parser reports incomplete input, and runs each statement as it is complete.
struct Shell {
    let session: Session
    let output: Output
    let inMemory: Bool

    func run() {
        session.allowsExplicitTransactions = true
        if inMemory {
            print("PMQ — in-memory database (nothing is saved). Use --db FILE to keep your work.")
        }
        var buffer = ""
        while true {
            fputs(buffer.isEmpty ? "pmq> " : "...> ", stdout)
            fflush(stdout)
            guard let line = readLine(strippingNewline: true) else { print(""); return }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if buffer.isEmpty && (trimmed == ".quit" || trimmed == ".exit") { return }
            buffer += buffer.isEmpty ? line : "\n" + line
            let source = SourceFile(name: "<shell>", text: buffer)
            let problems = session.check(source)
            if problems.contains(where: { $0.isIncompleteInput }) { continue }
            let diagnostics = session.run(source) { output.emit($0) }
            if !diagnostics.isEmpty { output.error(DiagnosticRenderer.render(diagnostics)) }
            output.finish(succeeded: diagnostics.isEmpty, dryRun: false)
            buffer = ""
        }
    }
}
