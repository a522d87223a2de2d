import Foundation
import PMQ

/// The progress bar of long imports and exports, on standard error, drawn only when
/// standard error is a terminal (never in pipes, files or tests); plain when NO_COLOR is set.
enum ProgressBar {
    static func install(on session: Session) {
        guard isatty(STDERR_FILENO) == 1 else { return }
        let env = ProcessInfo.processInfo.environment
        let colour = env["NO_COLOR"] == nil && env["TERM"] != "dumb"
        session.progressHandler = { report in
            guard let report else {
                fputs("\r\u{1B}[2K", stderr)   // the work is over: clear the line
                return
            }
            fputs("\r\u{1B}[2K" + line(report, colour: colour), stderr)
        }
    }

    /// `importing tasks.csv [#######.......]  412,000 / 1,000,000 rows  205,000 rows/s  3s left`
    static func line(_ r: ProgressReport, colour: Bool) -> String {
        let seconds = Double(r.elapsed.components.seconds) + Double(r.elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(r.done) / seconds : 0
        var out = r.label + " "
        if let total = r.total, total > 0 {
            let width = 24
            let filled = min(width, Int(Double(width) * Double(r.done) / Double(total)))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            out += "[" + (colour ? "\u{1B}[32m" + bar + "\u{1B}[0m" : bar) + "]  \(grouped(r.done)) / \(grouped(total)) rows"
            if rate > 0 { out += "  \(grouped(Int(rate))) rows/s  \(max(0, Int((Double(total - r.done) / rate).rounded())))s left" }
        } else {
            out += "\(grouped(r.done)) rows"
            if rate > 0 { out += "  \(grouped(Int(rate))) rows/s" }
        }
        return out
    }

    private static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0, (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
