/// Forward-backward improvement (Valls, Ballestín & Quintanilla 2005, "justification";
/// Tormos & Lova's FBI): shift every activity as late as it can go before the makespan
/// (latest finish first), then as early as it can go (earliest start first). Neither pass
/// lengthens the schedule and the pair often closes gaps a forward pass leaves.
extension PreparedProblem {
    /// Double justification, repeated while it helps (at most `rounds` times). Returns the
    /// best schedule seen and how many schedules were generated.
    func justify(_ s: Schedule, rounds: Int = 3, _ avail: inout [Int32]) throws -> (Schedule, Int) {
        var best = s
        var generated = 0
        for _ in 0..<rounds {
            let backOrder = plain ? orderByTime(best.finish, descending: true) : reverseOrderBy(best.finish.map { Int64($0) })
            guard let right = try serialBackward(backOrder, deadline: best.makespan, &avail) else { break }
            generated += 1
            let forwardOrder = listOf(right)
            let left = try serial(forwardOrder, &avail)
            generated += 1
            if left.better(than: best) { best = left } else { break }
        }
        return (best, generated)
    }
}
