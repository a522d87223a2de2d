import ArgumentParser
import Foundation
import PMQ

/// `pmq lsp`: the language server on standard input and output (docs/language.md, “Scripts and the `pmq` command”).
struct LanguageServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Speak the Language Server Protocol on standard input and output, for editors.",
        usage: "pmq lsp [--db <PATH>] [--today <YYYY-MM-DD>]",
        discussion: """
        Diagnostics on open and change, completion, hover, go to definition and document symbols, \
        from the same checker and completer as the shell. The database (--db, the "db" \
        initialization option, or $PMQ_DB) is opened read-only, for names and keys; nothing \
        is ever run or written.
        """,
        version: "pmq \(PMQVersion.current)")

    @Option(name: .long, help: ArgumentHelp("A project database to complete keys from (read-only).", valueName: "PATH"),
            completion: .file(extensions: ["db", "sqlite", "sqlite3"]))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("The date that counts as today when checking.", valueName: "YYYY-MM-DD"))
    var today: String?

    func validate() throws {
        if let today, Day(iso: today)?.isInRange != true {
            throw ValidationError("--today takes a date as YYYY-MM-DD, not \"\(today)\"")
        }
    }

    func run() throws {
        // A client that goes away mid-write must not kill the server with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        // Standard output carries the protocol only: the writer gets its own descriptor and
        // anything else written to standard output by mistake goes to standard error.
        let protocolOut = dup(STDOUT_FILENO)
        guard protocolOut >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else { throw ExitCode(1) }
        let server = LanguageServer(writer: MessageWriter(fd: protocolOut),
                                    options: .init(db: db, today: today.flatMap { Day(iso: $0) }))
        throw ExitCode(server.serve(MessageReader(fd: STDIN_FILENO)))
    }
}
