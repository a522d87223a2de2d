/// How far a long load, import or export has got, for a host to show (the `pmq` command
/// draws a bar on a terminal). Reports start after about a second and come a few times a
/// second; a final nil says the work is over.
public struct ProgressReport: Sendable {
    public var label: String
    public var done: Int
    /// Rows in all, when known (then the time left can be estimated).
    public var total: Int?
    public var elapsed: Duration
}

/// Counts rows for one piece of work and reports through the session's handler.
final class ProgressTicker {
    private let handler: (ProgressReport?) -> Void
    private let label: String
    private let total: Int?
    private let start = ContinuousClock.now
    private var nextReport: ContinuousClock.Instant
    private var reported = false

    init(label: String, total: Int?, handler: @escaping (ProgressReport?) -> Void) {
        self.label = label
        self.total = total
        self.handler = handler
        nextReport = start.advanced(by: .seconds(1))
    }

    /// Cheap enough per row: the clock is read every 1,024 rows.
    func advance(_ done: Int) {
        guard done & 1023 == 0 else { return }
        let now = ContinuousClock.now
        guard now >= nextReport else { return }
        nextReport = now.advanced(by: .milliseconds(200))
        reported = true
        handler(ProgressReport(label: label, done: done, total: total, elapsed: now - start))
    }

    func finish() {
        if reported { handler(nil) }
        reported = false
    }
}

extension SessionContext {
    /// A ticker for work of `totalRows` rows, or nil when no host listens.
    /// `totalRows` is worked out only when someone listens (it may mean reading a file through).
    func progress(label: String, totalRows: @autoclosure () -> Int?) -> ProgressTicker? {
        progressHandler.map { ProgressTicker(label: label, total: totalRows(), handler: $0) }
    }
}
