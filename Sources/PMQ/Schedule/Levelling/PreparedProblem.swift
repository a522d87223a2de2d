/// A `LevellingProblem` checked and laid out for fast schedule generation: links by
/// activity in compressed rows, a topological order, the time horizon, and the resource
/// profile with the fixed activities already placed.
final class PreparedProblem: @unchecked Sendable {
    let n: Int
    let duration: [Int32]
    let release: [Int32]
    let fixed: [Bool]
    let fixedStart: [Int32]
    let calendarOf: [Int32]
    let calendars: [PeriodCalendar]
    /// Demands in compressed rows: demandStart[j] ..< demandStart[j + 1].
    let demandStart: [Int32]
    let demandResource: [Int32]
    let demandAmount: [Int32]
    let links: [LevellingProblem.Link]
    /// Incoming and outgoing link indexes in compressed rows.
    let inStart: [Int32], inLinks: [Int32]
    let outStart: [Int32], outLinks: [Int32]
    /// Activities linked either way (for mutation: never swap them).
    let topological: [Int32]
    let resourceCount: Int
    /// Periods [origin, origin + horizon) are the resource grid; no schedule needs more.
    let origin: Int32
    let horizon: Int32
    /// Capacity left per period and resource once the fixed activities are placed, period
    /// by period (all resources of one period side by side): (t - origin) * resourceCount + r.
    private(set) var baseAvailable: [Int32] = []
    /// Every activity works every period and every link is finish-to-start with a lag ≥ 0:
    /// the plain schemes of PlainScheduleGeneration apply (PSPLIB, and most plans).
    let plain: Bool
    /// Links flattened by activity (same rows as inStart / outStart): predecessor or
    /// successor and lag, for the plain schemes.
    let inPred: [Int32], inLag: [Int32]
    let outSucc: [Int32], outLag: [Int32]
    /// Position of each activity in `topological`.
    let topologicalRank: [Int32]
    /// Copies of the tables the plain schemes read, in raw memory that lives as long as
    /// the problem: the inner loops then run without bounds checks or reference counting.
    let raw: RawTables
    /// The least positive demand on each resource of the activities the schemes place
    /// (Int32.max: none): a period with less left can take none of them, so a scheme skips
    /// the run of such periods at the start (or end) of the grid in one step instead of
    /// trying each activity at each of them (one person's plan of 3,000 tasks filled
    /// 40,000 periods, and each task was tried at all of them).
    let minDemand: [Int32]
    /// Asked in every loop that can run long: the budget, the host's limit, a cancel.
    let watch: LevellingWatch

    init(_ p: LevellingProblem, watch: LevellingWatch = .never) throws {
        self.watch = watch
        n = p.activities.count
        duration = p.activities.map { max(0, $0.duration) }
        fixed = p.activities.map { $0.fixedStart != nil }
        fixedStart = p.activities.map { $0.fixedStart ?? 0 }
        calendars = p.calendars
        calendarOf = p.activities.map { $0.calendar >= 0 && Int($0.calendar) < p.calendars.count ? $0.calendar : -1 }
        resourceCount = p.capacities.count
        var ds: [Int32] = [0], dr: [Int32] = [], da: [Int32] = []
        for (j, a) in p.activities.enumerated() {
            for d in a.demands where d.amount > 0 && a.duration > 0 {
                guard d.resource >= 0, Int(d.resource) < p.capacities.count else { throw LevellingError.malformed("activity \(j) uses resource \(d.resource)") }
                // A demand above what the resource ever has can never be met.
                if a.fixedStart == nil && d.amount > p.capacities[Int(d.resource)] {
                    throw LevellingError.cannotFit(activity: Int32(j), resource: d.resource, demand: d.amount, capacity: p.capacities[Int(d.resource)])
                }
                dr.append(d.resource); da.append(d.amount)
            }
            ds.append(Int32(dr.count))
        }
        demandStart = ds; demandResource = dr; demandAmount = da
        var least = [Int32](repeating: Int32.max, count: p.capacities.count)
        for a in p.activities where a.fixedStart == nil && a.duration > 0 {
            for d in a.demands where d.amount > 0 { least[Int(d.resource)] = min(least[Int(d.resource)], d.amount) }
        }
        minDemand = least
        for l in p.links where l.pred < 0 || l.succ < 0 || Int(l.pred) >= n || Int(l.succ) >= n {
            throw LevellingError.malformed("link \(l.pred) -> \(l.succ)")
        }
        links = p.links
        var ic = [Int32](repeating: 0, count: n + 1), oc = [Int32](repeating: 0, count: n + 1)
        for l in links { oc[Int(l.pred) + 1] += 1; ic[Int(l.succ) + 1] += 1 }
        for i in 0..<n { oc[i + 1] += oc[i]; ic[i + 1] += ic[i] }
        var il = [Int32](repeating: 0, count: links.count), ol = [Int32](repeating: 0, count: links.count)
        var ifill = ic, ofill = oc
        for (k, l) in links.enumerated() {
            ol[Int(ofill[Int(l.pred)])] = Int32(k); ofill[Int(l.pred)] += 1
            il[Int(ifill[Int(l.succ)])] = Int32(k); ifill[Int(l.succ)] += 1
        }
        inStart = ic; inLinks = il; outStart = oc; outLinks = ol
        // Kahn's order; a cycle is an error naming its activities.
        var indegree = (0..<n).map { ic[$0 + 1] - ic[$0] }
        var order: [Int32] = []
        order.reserveCapacity(n)
        for i in 0..<n where indegree[i] == 0 { order.append(Int32(i)) }
        var head = 0
        while head < order.count {
            let v = Int(order[head]); head += 1
            for k in oc[v]..<oc[v + 1] {
                let s = Int(links[Int(ol[Int(k)])].succ)
                indegree[s] -= 1
                if indegree[s] == 0 { order.append(Int32(s)) }
            }
        }
        if order.count < n {
            var net = CPMNetwork(durations: [Int32](repeating: 1, count: n), links: [])
            net.links = links.map { CPMNetwork.Link(pred: $0.pred, succ: $0.succ) }
            if case .failure(CPMError.cycle(let c)) = Result(catching: { try net.solve() }) { throw LevellingError.cycle(c) }
            throw LevellingError.cycle([])
        }
        topological = order
        var rank = [Int32](repeating: 0, count: n)
        for (i, j) in order.enumerated() { rank[Int(j)] = Int32(i) }
        topologicalRank = rank
        let all = p.links
        inPred = il.map { all[Int($0)].pred }; inLag = il.map { all[Int($0)].lag }
        outSucc = ol.map { all[Int($0)].succ }; outLag = ol.map { all[Int($0)].lag }
        plain = p.activities.allSatisfy { $0.calendar < 0 || Int($0.calendar) >= p.calendars.count } && all.allSatisfy { $0.type == .fs && $0.lag >= 0 }

        // Releases at or after the grid's origin; the horizon covers every activity run one
        // after another after everything fixed, stretched by every period off and every lag.
        // Only work that uses something needs the grid: done work long ago does not widen it.
        var lo: Int32 = 0
        for a in p.activities where !a.demands.isEmpty { lo = min(lo, a.release, a.fixedStart ?? 0) }
        origin = lo
        release = p.activities.map { max(0, $0.release) }
        var h = Int64(0)
        var latestFixed = Int64(0)
        for (j, a) in p.activities.enumerated() {
            let cal = calendarOf[j] >= 0 ? calendars[Int(calendarOf[j])] : .always
            let extra = Int64(cal.off.count)
            if let s = a.fixedStart {
                latestFixed = max(latestFixed, Int64(cal.finish(start: s, duration: max(0, a.duration))) + 1 + Int64(max(0, a.duration)))
            } else {
                h += Int64(max(0, a.duration)) + extra
            }
            h = max(h, 0)
            latestFixed = max(latestFixed, Int64(a.release))
        }
        for l in links where l.lag > 0 { h += Int64(l.lag) }
        for c in p.capacityChanges { latestFixed = max(latestFixed, Int64(c.period) + 1) }
        let total = latestFixed + h + 2 - Int64(lo)
        guard total < Int64(Int32.max / 4), total * Int64(max(1, resourceCount)) < 20_000_000 else {
            throw LevellingError.malformed("the plan is too long to level: \(total) working days for \(resourceCount) people")
        }
        horizon = Int32(total)
        var avail = [Int32](repeating: 0, count: resourceCount * Int(horizon))
        for t in 0..<Int(horizon) {
            for r in 0..<resourceCount { avail[t * resourceCount + r] = p.capacities[r] }
            try watch.tick(1 + resourceCount / 32)
        }
        for c in p.capacityChanges where c.resource >= 0 && Int(c.resource) < resourceCount && c.period >= lo && c.period - lo < horizon {
            avail[Int(c.period - lo) * resourceCount + Int(c.resource)] = c.capacity
        }
        baseAvailable = avail
        raw = RawTables([duration, fixed.map { $0 ? 1 : 0 }, fixedStart, release, inStart, inPred, inLag,
                         outStart, outSucc, outLag, demandStart, demandResource, demandAmount])
        // Fixed activities use what they use, whatever is left.
        for j in 0..<n where fixed[j] {
            PreparedProblem.consume(j, at: fixedStart[j], in: &avail, self)
        }
        baseAvailable = avail
    }

    @inline(__always) func calendar(_ j: Int) -> PeriodCalendar? {
        let c = calendarOf[j]
        return c >= 0 ? calendars[Int(c)] : nil
    }

    @inline(__always) func finish(_ j: Int, _ s: Int32) -> Int32 {
        if let c = calendar(j) { return c.finish(start: s, duration: duration[j]) }
        return s + duration[j]
    }

    /// Subtracts j's demands over its working periods from `start`.
    static func consume(_ j: Int, at start: Int32, in avail: inout [Int32], _ p: PreparedProblem) {
        let d0 = Int(p.demandStart[j]), d1 = Int(p.demandStart[j + 1])
        guard d1 > d0, p.duration[j] > 0 else { return }
        let h = Int(p.horizon), rc = p.resourceCount
        let f = p.finish(j, start)
        let cal = p.calendar(j)
        var t = start
        while t < f {
            if cal?.isOn(t) ?? true {
                let x = Int(t - p.origin)
                if x >= 0 && x < h {
                    for k in d0..<d1 { avail[x * rc + Int(p.demandResource[k])] -= p.demandAmount[k] }
                }
            }
            t += 1
        }
    }

    /// The first working period in [start, finish) where j does not fit, or nil.
    @inline(__always) func conflict(_ j: Int, at start: Int32, _ avail: [Int32]) -> Int32? {
        let d0 = Int(demandStart[j]), d1 = Int(demandStart[j + 1])
        guard d1 > d0, duration[j] > 0 else { return nil }
        let h = Int(horizon)
        let f = finish(j, start)
        let cal = calendar(j)
        var t = start
        while t < f {
            if cal?.isOn(t) ?? true {
                let x = Int(t - origin)
                // Before the grid nothing fits; past it (which the horizon rules out) nothing is tracked.
                if x < 0 { return t }
                if x >= h { return nil }
                for k in d0..<d1 where avail[x * resourceCount + Int(demandResource[k])] < demandAmount[k] { return t }
            }
            t += 1
        }
        return nil
    }

    /// The earliest start of j allowed by its release and its placed predecessors.
    @inline(__always) func earliestStart(_ j: Int, _ start: [Int32], _ finish: [Int32]) -> Int32 {
        var es = release[j]
        let d = duration[j]
        let cal = calendar(j)
        var finishAtLeast = Int32.min
        for k in inStart[j]..<inStart[j + 1] {
            let l = links[Int(inLinks[Int(k)])]
            let p = Int(l.pred)
            switch l.type {
            case .fs: es = max(es, finish[p] + l.lag)
            case .ss: es = max(es, start[p] + l.lag)
            case .ff: finishAtLeast = max(finishAtLeast, finish[p] + l.lag)
            case .sf: finishAtLeast = max(finishAtLeast, start[p] + l.lag)
            }
        }
        if d > 0, let c = cal { es = c.nextOn(es) }
        if finishAtLeast != Int32.min {
            if let c = cal { es = c.earliestStart(from: es, finishAtLeast: finishAtLeast, duration: d) } else { es = max(es, finishAtLeast - d) }
        }
        return es
    }

    /// The latest start of j allowed by its placed successors and a deadline on its finish.
    @inline(__always) func latestStart(_ j: Int, deadline: Int32, _ start: [Int32], _ finish: [Int32]) -> Int32 {
        var fb = deadline, sb = Int32.max
        for k in outStart[j]..<outStart[j + 1] {
            let l = links[Int(outLinks[Int(k)])]
            let s = Int(l.succ)
            switch l.type {
            case .fs: fb = min(fb, start[s] - l.lag)
            case .ss: sb = min(sb, start[s] - l.lag)
            case .ff: fb = min(fb, finish[s] - l.lag)
            case .sf: sb = min(sb, finish[s] - l.lag)
            }
        }
        let d = duration[j]
        let cal = calendar(j)
        var ls = cal?.latestStart(finishBy: fb, duration: d) ?? (fb - d)
        if sb < ls { ls = d > 0 ? (cal?.previousOn(sb) ?? sb) : sb }
        return ls
    }
}

/// Int32 tables side by side in one allocation, freed with the owner.
final class RawTables: @unchecked Sendable {
    private let memory: UnsafeMutableBufferPointer<Int32>
    let duration, fixed, fixedStart, release, inStart, inPred, inLag, outStart, outSucc, outLag,
        demandStart, demandResource, demandAmount: UnsafePointer<Int32>

    init(_ tables: [[Int32]]) {
        memory = .allocate(capacity: max(1, tables.reduce(0) { $0 + $1.count }))
        var at = 0
        var pointers: [UnsafePointer<Int32>] = []
        for t in tables {
            let base = memory.baseAddress.map { $0 + at } ?? UnsafeMutablePointer<Int32>.allocate(capacity: 0)
            for (i, v) in t.enumerated() { base[i] = v }
            pointers.append(UnsafePointer(base))
            at += t.count
        }
        (duration, fixed, fixedStart, release, inStart, inPred, inLag) = (pointers[0], pointers[1], pointers[2], pointers[3], pointers[4], pointers[5], pointers[6])
        (outStart, outSucc, outLag, demandStart, demandResource, demandAmount) = (pointers[7], pointers[8], pointers[9], pointers[10], pointers[11], pointers[12])
    }

    deinit { memory.deallocate() }
}
