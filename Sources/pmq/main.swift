import ArgumentParser
import Foundation

/// Flushes standard output; false (after saying so) when the results could not all be
/// written (a full disk, a closed pipe): a run whose output was lost did not succeed.
func outputWritten() -> Bool {
    if fflush(stdout) == 0 && ferror(stdout) == 0 { return true }
    fputs("error: cannot write to standard output\n", stderr)
    return false
}

// Usage errors exit with 2 (spec §7), not ArgumentParser's default 64.
do {
    var command = try PMQCommand.parseAsRoot()
    try command.run()
    exit(outputWritten() ? 0 : 1)
} catch let code as ExitCode {
    exit(outputWritten() || code.rawValue != 0 ? code.rawValue : 1)
} catch {
    let code = PMQCommand.exitCode(for: error)
    let message = PMQCommand.fullMessage(for: error)
    if code == .success {
        print(message)
        exit(0)
    }
    fputs(message + "\n", stderr)
    exit(2)
}
