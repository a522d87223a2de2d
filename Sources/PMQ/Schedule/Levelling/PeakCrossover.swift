/// Peak crossover, after Valls, Ballestín & Quintanilla (2008, "A hybrid genetic algorithm
/// for the resource-constrained project scheduling problem"): a good schedule owes much to
/// its stretches of time where the resources are used most fully, so the child keeps one
/// such stretch of the mother whole and takes everything else in the father's order.
///
/// The mother's list is in the order of its (justified) starts, so the activities starting
/// in the chosen interval are one block of it. The child is: the activities the block needs
/// first (its predecessors, transitively) and the unrelated ones the father places early,
/// in the father's order; then the block in the mother's order; then the rest in the
/// father's order. Every activity still comes after its predecessors.
extension GeneticSearch {
    mutating func peakCrossover(mother: Individual, father: [Int32]) throws -> [Int32] {
        let p = problem
        let n = p.n
        let s = mother.schedule
        guard n > 2, p.plain, s.makespan > 1 else { return crossover(mother.list, father) }
        // Use of each period, as the share of each resource's capacity summed over resources.
        let lo = max(p.origin, s.start.min() ?? 0)
        let span = Int(s.makespan - lo)
        guard span > 1 else { return crossover(mother.list, father) }
        var use = [Double](repeating: 0, count: span)
        let rc = p.resourceCount, h = Int(p.horizon)
        for j in 0..<n {
            let d0 = Int(p.demandStart[j]), d1 = Int(p.demandStart[j + 1])
            guard d1 > d0 else { continue }
            var t = s.start[j]
            try p.watch.tick(1 + Int(s.finish[j] - t) / 32)
            while t < s.finish[j] {
                let x = Int(t - p.origin), y = Int(t - lo)
                if x >= 0 && x < h && y >= 0 && y < span {
                    for k in d0..<d1 {
                        let cap = p.baseAvailable[x * rc + Int(p.demandResource[k])]
                        if cap > 0 { use[y] += Double(p.demandAmount[k]) / Double(cap) }
                    }
                }
                t += 1
            }
        }
        // The interval of a random length (a quarter to a half of the plan) used most.
        let length = max(1, span / 4 + random.below(max(1, span / 4)))
        var sum = use[0..<min(length, span)].reduce(0, +), bestSum = sum, bestFrom = 0
        if length < span {
            for from in 1...(span - length) {
                sum += use[from + length - 1] - use[from - 1]
                if sum > bestSum { bestSum = sum; bestFrom = from }
            }
        }
        let t1 = lo + Int32(bestFrom), t2 = t1 + Int32(length)
        // 0: not yet placed; 1: before the block; 2: the block; 3: after it.
        var part = [UInt8](repeating: 0, count: n)
        var block: [Int32] = []
        for j in mother.list where s.start[Int(j)] >= t1 && s.start[Int(j)] < t2 { part[Int(j)] = 2; block.append(j) }
        guard !block.isEmpty, block.count < n else { return crossover(mother.list, father) }
        // Predecessors of the block go before it, successors after (they cannot be both:
        // anything on a path between two block activities starts inside the interval).
        var stack: [Int32] = block
        while let j = stack.popLast() {
            for k in Int(p.inStart[Int(j)])..<Int(p.inStart[Int(j) + 1]) {
                let q = Int(p.inPred[k])
                if part[q] == 0 { part[q] = 1; stack.append(Int32(q)) }
            }
        }
        stack = block
        while let j = stack.popLast() {
            for k in Int(p.outStart[Int(j)])..<Int(p.outStart[Int(j) + 1]) {
                let q = Int(p.outSucc[k])
                if part[q] == 0 { part[q] = 3; stack.append(Int32(q)) }
            }
        }
        // Unrelated ones go before the block when the father has them before its middle.
        var position = [Int](repeating: 0, count: n)
        for (i, j) in father.enumerated() { position[Int(j)] = i }
        let middle = block.reduce(0) { $0 + position[Int($1)] } / block.count
        var child: [Int32] = []
        child.reserveCapacity(n)
        for j in father where part[Int(j)] == 1 || (part[Int(j)] == 0 && position[Int(j)] < middle) { child.append(j) }
        child.append(contentsOf: block)
        for j in father where part[Int(j)] == 3 || (part[Int(j)] == 0 && position[Int(j)] >= middle) { child.append(j) }
        return child
    }
}
