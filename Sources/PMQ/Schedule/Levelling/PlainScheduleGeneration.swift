/// The serial schedule-generation schemes (Kolisch 1996) for a plain problem — every
/// activity works every period, every link is finish-to-start with a lag ≥ 0 — without the
/// calendar and link-type cases of the general ones: the search spends nearly all its time
/// here, and the number of schedules it can afford within its budget is what decides how
/// good the plan gets (Kolisch & Hartmann 2006 compare heuristics at equal schedule counts).
/// The feasible start of an activity is found in one left-to-right scan: a clash at period
/// t moves the candidate start to t + 1, and the scan goes on from there (each period is
/// looked at once). Results are the same as the general schemes'.
extension PreparedProblem {
    /// Serial SGS over `order` (every activity after its predecessors).
    func serialPlain(_ order: [Int32], _ avail: inout [Int32]) throws -> Schedule {
        avail = baseAvailable
        var start = [Int32](repeating: 0, count: n), finish = [Int32](repeating: 0, count: n)
        let rc = resourceCount, h = Int(horizon), o = origin
        let duration = raw.duration, fixed = raw.fixed, fixedStart = raw.fixedStart, release = raw.release
        let demandStart = raw.demandStart, demandResource = raw.demandResource, demandAmount = raw.demandAmount
        // Per resource, the first grid period with room for its least demand (all before are full).
        var firstFree = [Int](repeating: 0, count: rc)
        let minDemand = self.minDemand, watch = self.watch
        try avail.withUnsafeMutableBufferPointer { a in
            try start.withUnsafeMutableBufferPointer { st in
                try finish.withUnsafeMutableBufferPointer { fi in
                    for j32 in order {
                        let j = Int(j32)
                        let d = duration[j]
                        if fixed[j] != 0 { st[j] = fixedStart[j]; fi[j] = fixedStart[j] + d; continue }
                        var s = release[j]
                        for k in Int(raw.inStart[j])..<Int(raw.inStart[j + 1]) {
                            let f = fi[Int(raw.inPred[k])] + raw.inLag[k]
                            if f > s { s = f }
                        }
                        let d0 = Int(demandStart[j]), d1 = Int(demandStart[j + 1])
                        let s0 = s
                        if d > 0 && d1 > d0 {
                            for k in d0..<d1 {
                                let r = Int(demandResource[k])
                                var x = firstFree[r]
                                while x < h && a[x * rc + r] < minDemand[r] { x += 1 }
                                firstFree[r] = x
                                if o + Int32(x) > s { s = o + Int32(x) }
                            }
                            var t = s
                            while t < s + d {
                                let x = Int(t - o)
                                if x >= h { break }          // past the grid nothing is tracked (the horizon rules it out)
                                var fits = x >= 0
                                if fits {
                                    let base = x * rc
                                    for k in d0..<d1 where a[base + Int(demandResource[k])] < demandAmount[k] { fits = false; break }
                                }
                                if fits { t += 1 } else { s = t + 1; t = s }
                            }
                            var u = s
                            while u < s + d {
                                let x = Int(u - o)
                                if x >= 0 && x < h {
                                    let base = x * rc
                                    for k in d0..<d1 { a[base + Int(demandResource[k])] -= demandAmount[k] }
                                }
                                u += 1
                            }
                        }
                        st[j] = s; fi[j] = s + d
                        try watch.tick(1 + Int(s - s0 + d) / 32)
                    }
                }
            }
        }
        return measure(start, finish)
    }

    /// Backward serial SGS: activities in `order` (every activity after its successors) each
    /// as late as it fits, finishing by `deadline`. Nil when one would start before its release.
    func serialBackwardPlain(_ order: [Int32], deadline: Int32, _ avail: inout [Int32]) throws -> Schedule? {
        avail = baseAvailable
        var start = [Int32](repeating: 0, count: n), finish = [Int32](repeating: 0, count: n)
        let rc = resourceCount, h = Int(horizon), o = origin
        let duration = raw.duration, fixed = raw.fixed, fixedStart = raw.fixedStart, release = raw.release
        let demandStart = raw.demandStart, demandResource = raw.demandResource, demandAmount = raw.demandAmount
        // Per resource, the last grid period with room for its least demand (all after are full).
        var lastFree = [Int](repeating: h - 1, count: rc)
        let minDemand = self.minDemand, watch = self.watch
        let ok: Bool = try avail.withUnsafeMutableBufferPointer { a in
            try start.withUnsafeMutableBufferPointer { st in
                try finish.withUnsafeMutableBufferPointer { fi in
                    for j32 in order {
                        let j = Int(j32)
                        let d = duration[j]
                        if fixed[j] != 0 { st[j] = fixedStart[j]; fi[j] = fixedStart[j] + d; continue }
                        var f = deadline
                        for k in Int(raw.outStart[j])..<Int(raw.outStart[j + 1]) {
                            let b = st[Int(raw.outSucc[k])] - raw.outLag[k]
                            if b < f { f = b }
                        }
                        let d0 = Int(demandStart[j]), d1 = Int(demandStart[j + 1])
                        let f0 = f
                        if d > 0 && d1 > d0 {
                            // Past the grid nothing is tracked (everything fits): skip only inside it.
                            if Int(f - 1 - o) < h {
                                for k in d0..<d1 {
                                    let r = Int(demandResource[k])
                                    var x = lastFree[r]
                                    while x >= 0 && a[x * rc + r] < minDemand[r] { x -= 1 }
                                    lastFree[r] = x
                                    if o + Int32(x) + 1 < f { f = o + Int32(x) + 1 }
                                }
                            }
                            // Periods f - 1 down to f - d; a clash at t ends the activity by t.
                            var t = f - 1
                            while t >= f - d {
                                if f - d < release[j] { return false }
                                let x = Int(t - o)
                                if x < 0 { return false }
                                var fits = true
                                if x < h {
                                    let base = x * rc
                                    for k in d0..<d1 where a[base + Int(demandResource[k])] < demandAmount[k] { fits = false; break }
                                }
                                if fits { t -= 1 } else { f = t; t = f - 1 }
                            }
                            var u = f - d
                            while u < f {
                                let x = Int(u - o)
                                if x >= 0 && x < h {
                                    let base = x * rc
                                    for k in d0..<d1 { a[base + Int(demandResource[k])] -= demandAmount[k] }
                                }
                                u += 1
                            }
                        }
                        if f - d < release[j] { return false }
                        st[j] = f - d; fi[j] = f
                        try watch.tick(1 + Int(f0 - f + d) / 32)
                    }
                    return true
                }
            }
        }
        return ok ? measure(start, finish) : nil
    }

    /// The activities by a time (start or finish) of a feasible plain schedule, ties in
    /// topological order — a list every activity comes after its predecessors in (or, with
    /// `descending`, after its successors). A counting sort over the periods: O(n + span).
    func orderByTime(_ key: [Int32], descending: Bool) -> [Int32] {
        guard n > 0 else { return [] }
        var lo = Int32.max, hi = Int32.min
        for k in key { if k < lo { lo = k }; if k > hi { hi = k } }
        let span = Int(hi - lo) + 1
        var count = [Int32](repeating: 0, count: span + 1)
        for k in key { count[descending ? Int(hi - k) + 1 : Int(k - lo) + 1] += 1 }
        for i in 0..<span { count[i + 1] += count[i] }
        var out = [Int32](repeating: 0, count: n)
        if descending {
            for j32 in topological.reversed() {
                let b = Int(hi - key[Int(j32)])
                out[Int(count[b])] = j32; count[b] += 1
            }
        } else {
            for j32 in topological {
                let b = Int(key[Int(j32)] - lo)
                out[Int(count[b])] = j32; count[b] += 1
            }
        }
        return out
    }

    /// The activity list of a feasible schedule: by start, every activity after its predecessors.
    func listOf(_ s: Schedule) -> [Int32] {
        plain ? orderByTime(s.start, descending: false) : orderBy(s.start.map { Int64($0) })
    }
}
