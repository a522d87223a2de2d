import ArgumentParser
import Foundation

/// Flushes standard output; false (after saying so) when the results could not all be
/// written (a full disk, a closed pipe): a run whose output was lost did not succeed.
func outputWritten() -> Bool {
    if fflush(stdout) == 0 && ferror(stdout) == 0 { return true }
    fputs("error: cannot write to standard output\n", stderr)
    return false
}

// Usage errors exit with 2 (docs/language.md, “Scripts and the `pmq` command”), not ArgumentParser's default 64.
// `pmq lsp` and `pmq help` are picked out here: the root command's script arguments would
// take any word, `lsp` included, before ArgumentParser looked for a subcommand.
let arguments = Array(CommandLine.arguments.dropFirst())
// A reader that closes the pipe early (`pmq ... | head`) makes writes fail, which is
// reported as above with exit status 1; the default SIGPIPE would kill the process (141).
signal(SIGPIPE, SIG_IGN)
do {
    var command: ParsableCommand
    if arguments.first == "lsp" {
        command = try LanguageServerCommand.parse(Array(arguments.dropFirst()))
    } else if arguments.first == "help" {
        // `pmq help [lsp]`, as ArgumentParser's help lists it; any other topic is a usage error (W20).
        if arguments.count > 2 || (arguments.count == 2 && arguments[1] != "lsp") {
            fputs("error: unknown command \"\(arguments.dropFirst().joined(separator: " "))\": write pmq help, or pmq help lsp\n", stderr)
            exit(2)
        }
        print(arguments.dropFirst().first == "lsp" ? PMQCommand.helpMessage(for: LanguageServerCommand.self) : PMQCommand.helpMessage())
        exit(0)
    } else if let problem = Invocation.versionProblem(arguments) {
        // ArgumentParser would print the version and drop the rest of the line unseen (W20).
        fputs("error: \(problem)\n", stderr)
        exit(2)
    } else if let plain = Invocation.parse(arguments) {
        // The common plain forms skip ArgumentParser (start-up time); the same run follows.
        try plain.run()
        Invocation.finished?.db.close()  // SQLite folds its WAL back into the file
        exit(outputWritten() ? 0 : 1)
    } else {
        command = try PMQCommand.parseAsRoot(arguments)
    }
    try command.run()
    Invocation.finished?.db.close()
    exit(outputWritten() ? 0 : 1)
} catch let code as ExitCode {
    exit(outputWritten() || code.rawValue != 0 ? code.rawValue : 1)
} catch {
    let code = arguments.first == "lsp" ? LanguageServerCommand.exitCode(for: error) : PMQCommand.exitCode(for: error)
    var message = arguments.first == "lsp" ? LanguageServerCommand.fullMessage(for: error) : PMQCommand.fullMessage(for: error)
    if arguments.first == "lsp", code == .success, message.hasPrefix("OVERVIEW") || message.hasPrefix("USAGE") {
        message = PMQCommand.helpMessage(for: LanguageServerCommand.self)
    }
    if code == .success {
        print(message)
        exit(0)
    }
    fputs(message + "\n", stderr)
    exit(2)
}
