/// Schedule-generation schemes (Kolisch 1996): the serial scheme places activities one by
/// one in a list's order, each at its earliest precedence- and resource-feasible start;
/// the parallel scheme walks forward in time and starts, at each decision point, what fits
/// in priority order. The backward serial scheme places activities as late as possible
/// before a deadline (for justification).
struct Schedule: Sendable {
    var start: [Int32]
    var finish: [Int32]
    /// The latest finish of any activity.
    var makespan: Int32
    /// Sum of starts: among schedules of one makespan, the one that delays least.
    var startSum: Int64

    func better(than o: Schedule) -> Bool {
        makespan != o.makespan ? makespan < o.makespan : startSum < o.startSum
    }
}

extension PreparedProblem {
    func measure(_ start: [Int32], _ finish: [Int32]) -> Schedule {
        var m = Int32.min, sum = Int64(0)
        for j in 0..<n { m = max(m, finish[j]); sum += Int64(start[j]) }
        return Schedule(start: start, finish: finish, makespan: n == 0 ? 0 : m, startSum: sum)
    }

    /// Serial SGS over `order`, which must list every activity after all its predecessors.
    func serial(_ order: [Int32], _ avail: inout [Int32]) throws -> Schedule {
        if plain { return try serialPlain(order, &avail) }
        avail = baseAvailable
        var start = [Int32](repeating: 0, count: n), finish = [Int32](repeating: 0, count: n)
        // Per resource, the first grid period with room for its least demand (as in serialPlain).
        var firstFree = [Int](repeating: 0, count: resourceCount)
        let h = Int(horizon)
        for j32 in order {
            let j = Int(j32)
            if fixed[j] {
                start[j] = fixedStart[j]; finish[j] = self.finish(j, start[j])
                continue
            }
            var s = earliestStart(j, start, finish)
            let cal = calendar(j)
            let s0 = s
            if duration[j] > 0 && demandStart[j + 1] > demandStart[j] {
                // Every working period before the first free one clashes: start at or after it.
                var skip = s
                for k in Int(demandStart[j])..<Int(demandStart[j + 1]) {
                    let r = Int(demandResource[k])
                    var x = firstFree[r]
                    while x < h && avail[x * resourceCount + r] < minDemand[r] { x += 1 }
                    firstFree[r] = x
                    skip = max(skip, origin + Int32(x))
                }
                if skip > s { s = cal?.nextOn(skip) ?? skip }
            }
            var tries = 0
            while let t = conflict(j, at: s, avail) {
                s = duration[j] > 0 ? (cal?.nextOn(t + 1) ?? t + 1) : t + 1
                tries += 1
                if tries & 63 == 0 { try watch.tick(2) }
            }
            try watch.tick(1 + Int(s - s0) / 32)
            start[j] = s
            finish[j] = self.finish(j, s)
            PreparedProblem.consume(j, at: s, in: &avail, self)
        }
        return measure(start, finish)
    }

    /// Backward serial SGS: activities in `order` (every activity after all its successors)
    /// each as late as possible, finishing by `deadline`, never before its release. Nil when
    /// an activity cannot stay at or after its release (the caller keeps what it had).
    func serialBackward(_ order: [Int32], deadline: Int32, _ avail: inout [Int32]) throws -> Schedule? {
        if plain { return try serialBackwardPlain(order, deadline: deadline, &avail) }
        avail = baseAvailable
        var start = [Int32](repeating: 0, count: n), finish = [Int32](repeating: 0, count: n)
        for j32 in order {
            let j = Int(j32)
            if fixed[j] {
                start[j] = fixedStart[j]; finish[j] = self.finish(j, start[j])
                continue
            }
            var s = latestStart(j, deadline: deadline, start, finish)
            let d = duration[j]
            let cal = calendar(j)
            while let t = conflict(j, at: s, avail) {
                // End before the clash.
                s = cal?.latestStart(finishBy: t, duration: d) ?? (t - d)
                if d == 0 { s = t - 1 }
                if s < release[j] { return nil }
                try watch.tick()
            }
            if s < release[j] { return nil }
            start[j] = s
            finish[j] = self.finish(j, s)
            PreparedProblem.consume(j, at: s, in: &avail, self)
        }
        return measure(start, finish)
    }

    /// Parallel SGS with priorities (lower value first).
    func parallel(priority: [Int64], _ avail: inout [Int32]) throws -> Schedule {
        avail = baseAvailable
        var start = [Int32](repeating: 0, count: n), finish = [Int32](repeating: 0, count: n)
        var placed = [Bool](repeating: false, count: n)
        var waiting = (0..<n).map { inStart[$0 + 1] - inStart[$0] }
        var ready: [Int32] = []   // all predecessors placed, not yet placed
        var unsorted = true       // ready has gained activities since it was last sorted
        var finishes = MinHeap(capacity: n)   // finishes of placed activities after t
        var done = 0
        func place(_ j: Int, _ s: Int32) {
            start[j] = s; finish[j] = self.finish(j, s); placed[j] = true; done += 1
            finishes.push(Int64(finish[j]), Int32(j))
            if !fixed[j] { PreparedProblem.consume(j, at: s, in: &avail, self) }
            for k in outStart[j]..<outStart[j + 1] {
                let q = Int(links[Int(outLinks[Int(k)])].succ)
                waiting[q] -= 1
                if waiting[q] == 0 { ready.append(Int32(q)); unsorted = true }
            }
        }
        // Fixed activities are where they are; their successors wait for them as for any other.
        for j in 0..<n where waiting[j] == 0 { ready.append(Int32(j)) }
        var t = Int32.min
        var bound = [Int32](repeating: 0, count: n)
        while done < n {
            try watch.tick(1 + ready.count / 64)
            // Fixed ones first, then the bound of each ready activity.
            var i = 0
            while i < ready.count {
                let j = Int(ready[i])
                if fixed[j] { ready.remove(at: i); place(j, fixedStart[j]); i = 0; continue }
                i += 1
            }
            if done == n { break }
            for j32 in ready { bound[Int(j32)] = earliestStart(Int(j32), start, finish) }
            if t == Int32.min { t = ready.map { bound[Int($0)] }.min() ?? 0 }
            if unsorted {
                ready.sort { priority[Int($0)] != priority[Int($1)] ? priority[Int($0)] < priority[Int($1)] : $0 < $1 }
                unsorted = false
            }
            var startedSome = true
            while startedSome {
                startedSome = false
                for (idx, j32) in ready.enumerated() {
                    let j = Int(j32)
                    guard bound[j] <= t else { continue }
                    if duration[j] > 0, let c = calendar(j), !c.isOn(t) { continue }
                    // Links other than finish-to-start may put the bound later once fixed: recheck.
                    if conflict(j, at: t, avail) == nil {
                        ready.remove(at: idx)
                        place(j, t)
                        for q in ready { bound[Int(q)] = earliestStart(Int(q), start, finish) }
                        try watch.tick(1 + ready.count / 64)
                        startedSome = true
                        break
                    }
                }
            }
            if done == n { break }
            // The next decision point: a finish after t, or a ready activity's bound after t.
            var next = Int32.max
            while let f = finishes.peekKey(), f <= Int64(t) { _ = finishes.pop() }
            if let f = finishes.peekKey() { next = min(next, Int32(f)) }
            for j32 in ready {
                let j = Int(j32)
                if bound[j] > t { next = min(next, bound[j]) }
                if let c = calendar(j), duration[j] > 0, bound[j] <= t { next = min(next, c.nextOn(t + 1)) }
            }
            if next == Int32.max || next <= t { next = t + 1 }
            t = next
            if t - origin > horizon + 1 {
                // Cannot happen when demands fit; fall back to the serial scheme on the topological order.
                return try serial(topological, &avail)
            }
        }
        return measure(start, finish)
    }

    /// A list of every activity after its predecessors, taking among the eligible ones the
    /// lowest key each time (ties: lower index).
    func orderBy(_ key: [Int64]) -> [Int32] {
        var waiting = (0..<n).map { inStart[$0 + 1] - inStart[$0] }
        var heap = MinHeap(capacity: n)
        for j in 0..<n where waiting[j] == 0 { heap.push(key[j], Int32(j)) }
        var out: [Int32] = []
        out.reserveCapacity(n)
        while let j32 = heap.pop() {
            out.append(j32)
            let j = Int(j32)
            for k in outStart[j]..<outStart[j + 1] {
                let q = Int(links[Int(outLinks[Int(k)])].succ)
                waiting[q] -= 1
                if waiting[q] == 0 { heap.push(key[q], Int32(q)) }
            }
        }
        return out
    }

    /// A list of every activity after its successors, highest key first.
    func reverseOrderBy(_ key: [Int64]) -> [Int32] {
        var waiting = (0..<n).map { outStart[$0 + 1] - outStart[$0] }
        var heap = MinHeap(capacity: n)
        for j in 0..<n where waiting[j] == 0 { heap.push(-key[j], Int32(j)) }
        var out: [Int32] = []
        out.reserveCapacity(n)
        while let j32 = heap.pop() {
            out.append(j32)
            let j = Int(j32)
            for k in inStart[j]..<inStart[j + 1] {
                let q = Int(links[Int(inLinks[Int(k)])].pred)
                waiting[q] -= 1
                if waiting[q] == 0 { heap.push(-key[q], Int32(q)) }
            }
        }
        return out
    }
}

/// A binary min-heap of (key, activity); ties go to the lower activity.
struct MinHeap {
    private var keys: [Int64] = [], items: [Int32] = []
    init(capacity: Int) { keys.reserveCapacity(capacity); items.reserveCapacity(capacity) }
    private func less(_ a: Int, _ b: Int) -> Bool { keys[a] != keys[b] ? keys[a] < keys[b] : items[a] < items[b] }
    mutating func push(_ k: Int64, _ v: Int32) {
        keys.append(k); items.append(v)
        var i = keys.count - 1
        while i > 0 { let p = (i - 1) / 2; if less(i, p) { keys.swapAt(i, p); items.swapAt(i, p); i = p } else { break } }
    }
    func peekKey() -> Int64? { keys.first }

    mutating func pop() -> Int32? {
        guard let top = items.first else { return nil }
        let lastK = keys.removeLast(), lastV = items.removeLast()
        if !items.isEmpty {
            keys[0] = lastK; items[0] = lastV
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < keys.count && less(l, m) { m = l }
                if r < keys.count && less(r, m) { m = r }
                if m == i { break }
                keys.swapAt(i, m); items.swapAt(i, m); i = m
            }
        }
        return top
    }
}
