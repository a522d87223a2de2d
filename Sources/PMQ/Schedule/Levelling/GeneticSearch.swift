/// The population-based search: Hartmann's (1998) activity-list genetic algorithm —
/// two-point crossover (or the peak crossover of PeakCrossover.swift) that keeps every
/// list precedence-feasible, adjacent-swap mutation,
/// ranking selection over parents and children, serial decoding — with each child
/// improved by forward-backward justification and its list rewritten in the order of the
/// improved starts (so the improvement is inherited).
struct GeneticSearch {
    let problem: PreparedProblem
    var random: LevellingRandom
    let populationSize: Int
    let mutationRate: Double

    struct Individual { var list: [Int32]; var schedule: Schedule }

    /// Two-point crossover: the first q1 genes from the mother, up to q2 from the father in
    /// his order (skipping those taken), the rest from the mother in hers.
    mutating func crossover(_ mother: [Int32], _ father: [Int32]) -> [Int32] {
        let n = mother.count
        guard n > 2 else { return mother }
        var q1 = random.below(n), q2 = random.below(n)
        if q1 > q2 { swap(&q1, &q2) }
        var taken = [Bool](repeating: false, count: n)
        var child: [Int32] = []
        child.reserveCapacity(n)
        for i in 0..<q1 { child.append(mother[i]); taken[Int(mother[i])] = true }
        var f = 0
        while child.count < q2 && f < n {
            let g = father[f]; f += 1
            if !taken[Int(g)] { child.append(g); taken[Int(g)] = true }
        }
        for g in mother where !taken[Int(g)] { child.append(g); taken[Int(g)] = true }
        return child
    }

    /// Swaps neighbours that are not linked, each position with probability `mutationRate`.
    mutating func mutate(_ list: inout [Int32]) {
        guard list.count > 1 else { return }
        for i in 0..<(list.count - 1) where random.unit() < mutationRate {
            let a = Int(list[i]), b = list[i + 1]
            var linked = false
            for k in problem.outStart[a]..<problem.outStart[a + 1] where problem.links[Int(problem.outLinks[Int(k)])].succ == b { linked = true; break }
            if !linked { list.swapAt(i, i + 1) }
        }
    }

    /// Regret-based biased random sampling of a list (Drexl 1991) from priorities.
    mutating func sampleList(_ priority: [Int64]) throws -> [Int32] {
        let n = problem.n
        var waiting = (0..<n).map { problem.inStart[$0 + 1] - problem.inStart[$0] }
        var eligible: [Int32] = (0..<n).filter { waiting[$0] == 0 }.map(Int32.init)
        var out: [Int32] = []
        out.reserveCapacity(n)
        var weights: [Double] = []
        while !eligible.isEmpty {
            try problem.watch.tick(1 + eligible.count / 64)
            let worst = eligible.map { priority[Int($0)] }.max() ?? 0
            weights.removeAll(keepingCapacity: true)
            var total = 0.0
            for e in eligible { let w = Double(worst - priority[Int(e)]) + 1; weights.append(w); total += w }
            var pick = random.unit() * total
            var idx = eligible.count - 1
            for (i, w) in weights.enumerated() { if pick < w { idx = i; break }; pick -= w }
            let j = Int(eligible.remove(at: idx))
            out.append(Int32(j))
            for k in problem.outStart[j]..<problem.outStart[j + 1] {
                let q = Int(problem.links[Int(problem.outLinks[Int(k)])].succ)
                waiting[q] -= 1
                if waiting[q] == 0 { eligible.append(Int32(q)) }
            }
        }
        return out
    }
}
