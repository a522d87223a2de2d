/// Limits for running scripts a host does not trust (a chat bot's users, a web form):
/// a budget of evaluation steps, a time limit, read-only, and no file access. Exceeding a
/// limit ends the run with a clear error and rolls everything back.
public struct Limits: Sendable {
    /// Evaluation steps per run: each statement, each loop iteration, and each thousand
    /// SQLite virtual-machine instructions count one.
    public var maxSteps: Int?
    /// Wall-clock time per run.
    public var timeout: Duration?
    /// Memory for one run, in bytes: SQLite's heap (a process-wide hard limit while the run
    /// lasts, so several limited sessions share the smallest), the longest text or list a
    /// value may grow to, and the rows a query hands back. Exceeding it ends the run.
    public var maxMemory: Int?
    /// Change statements are refused when the text is checked, before anything runs.
    public var readOnly = false
    /// Statements that read or write files (`import`, `export`, `report to`) are allowed;
    /// turned off, they are refused when the text is checked, before anything runs.
    public var fileAccess = true
    /// Files outside the running script's folder and the working directory may be read and
    /// written (`import "/elsewhere/plan.xml"`). The command line allows it; the C ABI turns
    /// it off (option `files_outside`), and so should a Swift host that runs others' text.
    /// Turned off, such a file is refused when the statement runs, with the same message
    /// whether or not it exists.
    public var filesOutside = true

    public init(maxSteps: Int? = nil, timeout: Duration? = nil, readOnly: Bool = false, fileAccess: Bool = true, maxMemory: Int? = nil,
                filesOutside: Bool = true) {
        self.filesOutside = filesOutside
        self.maxMemory = maxMemory
        self.maxSteps = maxSteps
        self.timeout = timeout
        self.readOnly = readOnly
        self.fileAccess = fileAccess
    }

    var steps = 0
    var deadline: ContinuousClock.Instant?
    /// Why the run was stopped, when a limit stopped it.
    var stopReason: String?

    var isActive: Bool { maxSteps != nil || timeout != nil }

    /// The message when the memory limit stopped a run.
    var memoryMessage: String { "memory limit exceeded (\(maxMemory ?? 0) bytes)" }

    /// Counts `n` steps; throws when a limit is passed.
    mutating func count(_ n: Int) throws {
        steps += n
        if let maxSteps, steps > maxSteps {
            stopReason = "step limit exceeded (\(maxSteps) steps)"
            throw RuntimeError(code: .limitReached, message: stopReason ?? "", range: .none)
        }
        if let deadline, ContinuousClock.now > deadline {
            stopReason = "time limit exceeded (\(timeout.map { "\($0)" } ?? ""))"
            throw RuntimeError(code: .limitReached, message: stopReason ?? "", range: .none)
        }
    }

    /// Set while `Session.run` checks and then runs one text: the deadline was set before
    /// checking began, and running it must not start the clock again.
    private var clockStarted = false

    mutating func startClock() {
        deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        clockStarted = true
    }

    mutating func stopClock() {
        clockStarted = false
        deadline = nil
    }

    /// Starts counting for a run; SQLite reports its work through a progress handler.
    mutating func begin(_ session: SessionContext) {
        steps = 0
        stopReason = nil
        if !clockStarted { deadline = timeout.map { ContinuousClock.now.advanced(by: $0) } }
        guard isActive else {
            session.db.beginLimits(maxMemory: maxMemory, progress: nil)
            return
        }
        // The engine asks every so often whether to go on: each ask counts one step.
        session.db.beginLimits(maxMemory: maxMemory, progress: { [weak session] in
            guard let session else { return true }
            do {
                try session.limits.count(1)
                return true
            } catch {
                return false  // the engine stops the statement: interrupted
            }
        })
    }

    mutating func end(_ session: SessionContext) {
        if !clockStarted { deadline = nil }
        session.db.endLimits()
    }
}
