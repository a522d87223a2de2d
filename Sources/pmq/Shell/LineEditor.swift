import CReadline
import Foundation

/// GNU readline through its callback interface, so Ctrl-C at the prompt can clear
/// the line without leaving the shell: the SIGINT handler only sets a flag, and the
/// read loop (waiting in poll) sees it when poll is interrupted.
final class LineEditor {
    enum Input { case line(String), interrupted, endOfInput }

    private let historyPath: String?
    /// Completion for (text before the word, the word, inside a string?).
    static var complete: (String, String, Bool) -> [String] = { _, _, _ in [] }
    /// Earlier lines of the statement being typed, so completion sees the whole statement.
    static var pendingText = ""

    /// Where the prompt, the echo of what is typed and the shell's own words go: standard
    /// output at a terminal; standard error when standard output is redirected
    /// (`pmq > results.txt`), so the file keeps only results and the user sees what they
    /// type (W12), as Python's REPL does.
    nonisolated(unsafe) static let messages: UnsafeMutablePointer<FILE> = {
        if isatty(STDOUT_FILENO) == 1 { return stdout }
        return stderr
    }()

    init(historyPath: String?) {
        self.historyPath = historyPath
        pmq_rl_set_outstream(LineEditor.messages)
        pmq_rl_set_name("pmq")
        pmq_rl_set_catch_signals(0)
        pmq_rl_set_completion(attemptCompletion)
        pmq_rl_set_word_breaks(LineEditor.wordBreaks)
        pmq_rl_set_quote_characters(LineEditor.quotes)
        pmq_history_set_multiline(1)
        // One Tab lists the choices when there are several: enum values and keys are few.
        rl_variable_bind("show-all-if-ambiguous", "on")
        using_history()
        if let historyPath { read_history(historyPath) }
        installInterruptHandler()
    }

    // readline keeps these pointers, so they must live as long as the process.
    static let wordBreaks = strdup(" \t\n\"'><=;|&{}(),+*/~!")
    static let quotes = strdup("\"")

    func read(prompt: String) -> Input {
        lineReady = false
        receivedLine = nil
        interruptFlag = 0
        rl_callback_handler_install(prompt, { line in
            if let line {
                receivedLine = String(cString: line)
                free(line)
            } else {
                receivedLine = nil
            }
            lineReady = true
            rl_callback_handler_remove()
        })
        while true {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: interruptPipe.read, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, -1)
            if fds[1].revents & Int16(POLLIN) != 0 {
                var sink = [UInt8](repeating: 0, count: 64)
                _ = Glibc.read(interruptPipe.read, &sink, sink.count)
            }
            if interruptFlag != 0 {
                interruptFlag = 0
                // Say ^C at the end of the abandoned line, then let readline forget it.
                fputs("^C\n", LineEditor.messages)
                fflush(LineEditor.messages)
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_callback_handler_remove()
                return .interrupted
            }
            if r < 0 { if errno == EINTR { continue }; rl_callback_handler_remove(); return .endOfInput }
            // Ctrl-C flushes the terminal's input queue: if that happened after poll saw
            // input, reading now would block past the interrupt. Read only what is there.
            var available: Int32 = 0
            if fds[0].revents & Int16(POLLIN) == 0 && fds[0].revents & Int16(POLLHUP) == 0 { continue }
            if ioctl(STDIN_FILENO, UInt(FIONREAD), &available) == 0, available == 0, fds[0].revents & Int16(POLLHUP) == 0 {
                continue
            }
            rl_callback_read_char()
            if lineReady {
                guard let line = receivedLine else { fputs("\n", LineEditor.messages); return .endOfInput }
                return .line(line)
            }
        }
    }

    /// Whether more input is already waiting (a paste, or lines typed ahead while a
    /// statement ran), after a moment's grace for the rest of a paste to arrive.
    func inputWaiting(graceMilliseconds: Int32 = 15) -> Bool {
        var fd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&fd, 1, graceMilliseconds) > 0, fd.revents & Int16(POLLIN) != 0 else { return false }
        var available: Int32 = 0
        return ioctl(STDIN_FILENO, UInt(FIONREAD), &available) == 0 && available > 0
    }

    /// One history entry per statement, appended to the file at once so concurrent
    /// shells do not overwrite each other; the file is capped.
    func remember(_ statement: String) {
        let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        add_history(trimmed)
        // A timestamp line before each entry is what lets a multi-line entry be read back whole.
        add_history_time("#\(Int(Date().timeIntervalSince1970))")
        if let historyPath {
            if !FileManager.default.fileExists(atPath: historyPath) { write_history(historyPath) } else { append_history(1, historyPath) }
            history_truncate_file(historyPath, LineEditor.historyCap)
        }
    }

    static let historyCap: Int32 = 2000
}

// State the C callbacks reach: readline callbacks cannot capture context.
nonisolated(unsafe) private var lineReady = false
nonisolated(unsafe) private var receivedLine: String?
nonisolated(unsafe) var interruptFlag: sig_atomic_t = 0
/// The self-pipe: the SIGINT handler writes a byte so poll wakes up, whichever
/// thread the signal was delivered to.
nonisolated(unsafe) let interruptPipe: (read: Int32, write: Int32) = {
    var fds: [Int32] = [-1, -1]
    _ = pipe(&fds)
    _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
    _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
    return (fds[0], fds[1])
}()
/// Called from the SIGINT handler while a statement runs.
nonisolated(unsafe) var interruptRunning: (() -> Void)?
nonisolated(unsafe) var statementRunning = false
nonisolated(unsafe) private var matches: [String] = []
nonisolated(unsafe) private var matchIndex = 0

private func installInterruptHandler() {
    // A parent may have blocked SIGINT (test runners, some IDEs); the shell needs it.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    var action = sigaction()
    _ = interruptPipe
    action.__sigaction_handler.sa_handler = { _ in
        interruptFlag = 1
        var byte: UInt8 = 1
        _ = write(interruptPipe.write, &byte, 1)
        if statementRunning { interruptRunning?() }
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0  // no SA_RESTART: poll must return so the prompt can be cleared
    sigaction(SIGINT, &action, nil)
}

private let attemptCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
    pmq_rl_set_completion_over(1)
    let word = text.map { String(cString: $0) } ?? ""
    let buffer = Array(String(cString: pmq_rl_line_buffer()).utf8)
    var before = String(decoding: buffer.prefix(Int(max(0, start))), as: UTF8.self)
    let inString = pmq_rl_quote_character() == 34
    if inString, before.hasSuffix("\"") { before.removeLast() }
    matches = LineEditor.complete(LineEditor.pendingText + before, word, inString)
    matchIndex = 0
    if matches.count == 1, matches[0].hasSuffix("(") || matches[0].hasSuffix(".") || matches[0].hasSuffix("/") || matches[0] == "\"" {
        pmq_rl_set_suppress_append(1)
    }
    guard let text else { return nil }
    return rl_completion_matches(text, { _, state in
        if state == 0 { matchIndex = 0 }
        guard matchIndex < matches.count else { return nil }
        defer { matchIndex += 1 }
        return strdup(matches[matchIndex])
    })
}
