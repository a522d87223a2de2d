/// When the solver must stop: its own budget (`within`), or the host's time limit or a
/// cancel (Ctrl-C). Every loop that can run long — the schedule generations, justification,
/// the priority-rule passes, list sampling, crossover — ticks it with roughly the work it did;
/// the clock and `halt` are read only every `interval` units of work (a fraction of a
/// millisecond), so the checks cost nothing measurable and a pass of 3,000 activities still
/// stops within milliseconds of the deadline.
///
/// A spent budget ends the search with the best plan found so far, but not during the first
/// generation, which is the plan returned when there is no other (`budgetEnds` is false
/// then). A halt throws `LevellingError.halted` at any point: the statement fails and rolls back.
final class LevellingWatch {
    /// Thrown out of a pass when the budget is spent; the solver catches it and keeps its best plan.
    struct BudgetSpent: Error {}

    private let clock = ContinuousClock()
    private let began: ContinuousClock.Instant
    private let budget: Duration?
    private let halt: () -> Bool
    private let interval: Int
    private var left: Int
    /// Whether a spent budget may end the pass running now.
    var budgetEnds = true
    /// Seen once, stays seen.
    private(set) var budgetSpent = false

    init(budget: Duration?, interval: Int = 512, halt: @escaping () -> Bool = { false }) {
        began = clock.now
        self.budget = budget
        self.interval = max(1, interval)
        self.halt = halt
        left = self.interval
    }

    /// A watch that never stops anything (tests that drive the schemes directly).
    static var never: LevellingWatch { LevellingWatch(budget: nil) }

    /// Counts `work` units (about one activity placed, or one period scanned in 32) and looks
    /// at the clock when enough have gone by.
    @inline(__always) func tick(_ work: Int = 1) throws {
        left -= work
        if left <= 0 { try look() }
    }

    /// Looks now: throws `LevellingError.halted` when the host says stop, `BudgetSpent` when
    /// the budget is spent and may end this pass.
    func look() throws {
        left = interval
        if halt() { throw LevellingError.halted }
        if !budgetSpent, let budget, clock.now - began >= budget { budgetSpent = true }
        if budgetSpent && budgetEnds { throw BudgetSpent() }
    }

    /// The budget is spent (or the host says stop, which the next tick reports).
    func spent() -> Bool {
        if !budgetSpent, let budget, clock.now - began >= budget { budgetSpent = true }
        return budgetSpent || halt()
    }
}
