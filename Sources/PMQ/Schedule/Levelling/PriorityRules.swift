/// Priority rules for the schedule-generation schemes (lower value goes first), from the
/// resource-free early and late times: latest finish time (LFT, the best single rule in
/// Kolisch's 1996 study), latest start time, minimum slack, most total successors,
/// greatest rank positional weight, shortest processing time.
enum PriorityRule: CaseIterable, Sendable {
    case latestFinish, latestStart, minimumSlack, mostTotalSuccessors, rankPositionalWeight, shortestProcessing
}

struct TimeWindows: Sendable {
    var earlyStart: [Int32], earlyFinish: [Int32], lateStart: [Int32], lateFinish: [Int32]
    /// The resource-free project length: no schedule is shorter.
    var length: Int32
}

extension PreparedProblem {
    /// Early and late times ignoring resources (fixed activities stay fixed).
    func timeWindows() -> TimeWindows {
        var es = [Int32](repeating: 0, count: n), ef = [Int32](repeating: 0, count: n)
        for j32 in topological {
            let j = Int(j32)
            es[j] = fixed[j] ? fixedStart[j] : earliestStart(j, es, ef)
            ef[j] = finish(j, es[j])
        }
        let length = ef.max() ?? 0
        var ls = es, lf = ef
        for j32 in topological.reversed() {
            let j = Int(j32)
            if fixed[j] { continue }
            ls[j] = max(es[j], latestStart(j, deadline: length, ls, lf))
            lf[j] = finish(j, ls[j])
        }
        return TimeWindows(earlyStart: es, earlyFinish: ef, lateStart: ls, lateFinish: lf, length: length)
    }

    func priorities(_ rule: PriorityRule, _ w: TimeWindows) throws -> [Int64] {
        switch rule {
        case .latestFinish: return (0..<n).map { Int64(w.lateFinish[$0]) << 20 | Int64(min(w.lateStart[$0], 1 << 19) & 0xFFFFF) }
        case .latestStart: return w.lateStart.map { Int64($0) }
        case .minimumSlack: return (0..<n).map { Int64(w.lateStart[$0] - w.earlyStart[$0]) }
        case .shortestProcessing: return duration.map { Int64($0) }
        case .rankPositionalWeight:
            return (0..<n).map { j in
                var w = Int64(duration[j])
                for k in outStart[j]..<outStart[j + 1] { w += Int64(duration[Int(links[Int(outLinks[Int(k)])].succ)]) }
                return -w
            }
        case .mostTotalSuccessors:
            // Bitsets of successors, built backwards through the topological order.
            guard n <= 4000 else { return try priorities(.latestFinish, w) }
            let words = (n + 63) / 64
            var bits = [UInt64](repeating: 0, count: n * words)
            for j32 in topological.reversed() {
                let j = Int(j32)
                for k in outStart[j]..<outStart[j + 1] {
                    let q = Int(links[Int(outLinks[Int(k)])].succ)
                    bits[j * words + q / 64] |= 1 << UInt64(q % 64)
                    for x in 0..<words { bits[j * words + x] |= bits[q * words + x] }
                    try watch.tick(1 + words / 64)
                }
                try watch.tick()
            }
            return (0..<n).map { j in -Int64((0..<words).reduce(0) { $0 + bits[j * words + $1].nonzeroBitCount }) }
        }
    }
}

/// SplitMix64: small, fast, the same sequence on every machine for a seed.
struct LevellingRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
