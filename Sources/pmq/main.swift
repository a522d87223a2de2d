import ArgumentParser
import Foundation

// Usage errors exit with 2 (spec §7), not ArgumentParser's default 64.
do {
    var command = try PMQCommand.parseAsRoot()
    try command.run()
    exit(0)
} catch let code as ExitCode {
    fflush(stdout)
    exit(code.rawValue)
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
