import Foundation

/// What the command knows about the terminal it prints to.
enum Terminal {
    /// Standard output's width in columns when it is a terminal, else nil (charts use 80).
    static func width() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Colour on standard output: a terminal, NO_COLOR unset, and TERM not dumb.
    static var colour: Bool {
        let env = ProcessInfo.processInfo.environment
        return isatty(STDOUT_FILENO) == 1 && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
    }
}
