/// The critical-path method over a network of activities, in working-day units.
///
/// Times are integer working-day indexes, zero-based: an activity that starts at ES and
/// lasts D ends at EF = ES + D (EF is exclusive). Links are finish-to-start, start-to-start,
/// finish-to-finish or start-to-finish, with a lag that may be negative. The forward and
/// backward passes visit each activity and each link once, in topological order, so the
/// cost grows linearly with links.
public struct CPMNetwork: Sendable {
    public enum LinkType: Int, Sendable { case fs, ss, ff, sf }

    public struct Link: Sendable {
        public var pred: Int32
        public var succ: Int32
        public var type: LinkType
        public var lag: Int32
        public init(pred: Int32, succ: Int32, type: LinkType = .fs, lag: Int32 = 0) {
            self.pred = pred; self.succ = succ; self.type = type; self.lag = lag
        }
    }

    public var durations: [Int32]
    /// An activity that may not start before this index (its own start, or fixed).
    public var earliest: [Int32?]
    /// Activities that stay where they are (done, started, must start/finish on): ES is `earliest`.
    public var fixed: [Bool]
    /// An upper bound on the late finish (start / finish no later than, must start / finish on):
    /// a bound below the early finish gives negative float.
    public var latestFinish: [Int32?]
    /// For a fixed activity of no duration: it sits at the end of the day before `earliest`
    /// (a milestone reached when the day's work is done), not at the start of that day.
    public var fixedAtEndOfDay: [Bool]
    /// A lower bound on the early finish at the end of a day (finish no earlier than): like a
    /// predecessor's finish, it dates a milestone on that day, not the next. Empty: none.
    public var earliestFinish: [Int32?] = []
    public var links: [Link]
    /// Per activity, an index into `calendars`, or -1 (every period works). A calendar's
    /// periods off (a person's leave) stretch the activity: its duration counts only the
    /// periods it works. Empty: no activity has one.
    public var calendarOf: [Int32] = []
    public var calendars: [PeriodCalendar] = []

    func calendar(_ v: Int) -> PeriodCalendar? {
        guard v < calendarOf.count else { return nil }
        let c = calendarOf[v]
        return c >= 0 && Int(c) < calendars.count ? calendars[Int(c)] : nil
    }

    public init(durations: [Int32], links: [Link]) {
        self.durations = durations
        self.earliest = Array(repeating: nil, count: durations.count)
        self.fixed = Array(repeating: false, count: durations.count)
        self.latestFinish = Array(repeating: nil, count: durations.count)
        self.fixedAtEndOfDay = Array(repeating: false, count: durations.count)
        self.links = links
    }
}

public struct CPMResult: Sendable {
    public var es: [Int32], ef: [Int32], ls: [Int32], lf: [Int32]
    public var totalFloat: [Int32], freeFloat: [Int32]
    /// The project's length: the latest early finish.
    public var length: Int32
    /// Per activity: its early start was set by a predecessor's finish (FS or FF) and by
    /// nothing later, so an activity of no duration sits at the end of the day before ES.
    /// MS Project shows a milestone after a Friday finish on that Friday.
    public var atEndOfDay: [Bool]
    public func critical(_ i: Int) -> Bool { totalFloat[i] <= 0 }
}

public enum CPMError: Error, Equatable {
    /// Activities on a cycle, in order.
    case cycle([Int32])
}

extension CPMNetwork {
    /// Forward and backward pass. Activities without predecessors start at 0 (or their
    /// `earliest`); the late pass ends at the project's length.
    public func solve() throws -> CPMResult {
        let n = durations.count
        // Adjacency in compressed rows: outgoing and incoming links by activity.
        var outCount = [Int32](repeating: 0, count: n + 1), inCount = [Int32](repeating: 0, count: n + 1)
        for l in links { outCount[Int(l.pred) + 1] += 1; inCount[Int(l.succ) + 1] += 1 }
        for i in 0..<n { outCount[i + 1] += outCount[i]; inCount[i + 1] += inCount[i] }
        var outLinks = [Int32](repeating: 0, count: links.count), inLinks = [Int32](repeating: 0, count: links.count)
        var outFill = outCount, inFill = inCount
        for (k, l) in links.enumerated() {
            outLinks[Int(outFill[Int(l.pred)])] = Int32(k); outFill[Int(l.pred)] += 1
            inLinks[Int(inFill[Int(l.succ)])] = Int32(k); inFill[Int(l.succ)] += 1
        }
        // Kahn's order; what is left over lies on or behind a cycle.
        var indegree = (0..<n).map { inCount[$0 + 1] - inCount[$0] }
        var order = [Int32]()
        order.reserveCapacity(n)
        for i in 0..<n where indegree[i] == 0 { order.append(Int32(i)) }
        var head = 0
        while head < order.count {
            let v = Int(order[head]); head += 1
            for k in outCount[v]..<outCount[v + 1] {
                let s = Int(links[Int(outLinks[Int(k)])].succ)
                indegree[s] -= 1
                if indegree[s] == 0 { order.append(Int32(s)) }
            }
        }
        if order.count < n { throw CPMError.cycle(findCycle(indegree: indegree, outCount: outCount, outLinks: outLinks)) }

        var es = [Int32](repeating: 0, count: n), ef = [Int32](repeating: 0, count: n)
        var endOfDay = [Bool](repeating: false, count: n)
        for v32 in order {
            let v = Int(v32)
            // Bounds at the start of a day (the activity's own, SS, SF) and at the end of the
            // day before (FS, FF: a predecessor's finish); a tie is the start of the day.
            var start = earliest[v] ?? 0
            var finishBound = Int32.min
            if fixed[v] {
                endOfDay[v] = fixedAtEndOfDay[v]
            } else {
                for k in inCount[v]..<inCount[v + 1] {
                    let l = links[Int(inLinks[Int(k)])]
                    let p = Int(l.pred)
                    switch l.type {
                    case .fs: finishBound = max(finishBound, ef[p] + l.lag)
                    case .ss: start = max(start, es[p] + l.lag)
                    case .ff: finishBound = max(finishBound, ef[p] + l.lag - durations[v])
                    case .sf: start = max(start, es[p] + l.lag - durations[v])
                    }
                }
                if v < earliestFinish.count, let f = earliestFinish[v] { finishBound = max(finishBound, f - durations[v]) }
                if finishBound > start { start = finishBound; endOfDay[v] = true }
                if let c = calendar(v), durations[v] > 0 {
                    // FF and SF bounds were taken as if no period were off: correct for the calendar.
                    var ffBound = Int32.min
                    for k in inCount[v]..<inCount[v + 1] {
                        let l = links[Int(inLinks[Int(k)])]
                        switch l.type {
                        case .ff: ffBound = max(ffBound, ef[Int(l.pred)] + l.lag)
                        case .sf: ffBound = max(ffBound, es[Int(l.pred)] + l.lag)
                        default: break
                        }
                    }
                    let on = c.nextOn(start)
                    if on != start { endOfDay[v] = false }
                    start = ffBound == Int32.min ? on : c.earliestStart(from: on, finishAtLeast: ffBound, duration: durations[v])
                }
            }
            es[v] = start
            ef[v] = calendar(v)?.finish(start: start, duration: durations[v]) ?? start + durations[v]
        }
        let length = ef.max() ?? 0
        var lf = [Int32](repeating: length, count: n), ls = [Int32](repeating: 0, count: n)
        var freeFloat = [Int32](repeating: 0, count: n)
        for v32 in order.reversed() {
            let v = Int(v32)
            var finish = length
            var free = length - ef[v]
            for k in outCount[v]..<outCount[v + 1] {
                let l = links[Int(outLinks[Int(k)])]
                let s = Int(l.succ)
                let bound: Int32, slackToSucc: Int32
                switch l.type {
                case .fs: bound = ls[s] - l.lag; slackToSucc = es[s] - l.lag - ef[v]
                case .ss: bound = ls[s] - l.lag + durations[v]; slackToSucc = es[s] - l.lag - es[v]
                case .ff: bound = lf[s] - l.lag; slackToSucc = ef[s] - l.lag - ef[v]
                case .sf: bound = lf[s] - l.lag + durations[v]; slackToSucc = ef[s] - l.lag - es[v]
                }
                if bound < finish { finish = bound }
                if slackToSucc < free { free = slackToSucc }
            }
            if let bound = latestFinish[v], bound < finish { finish = bound }
            lf[v] = finish
            ls[v] = calendar(v)?.latestStart(finishBy: finish, duration: durations[v]) ?? finish - durations[v]
            freeFloat[v] = max(0, free)
        }
        let total = (0..<n).map { ls[$0] - es[$0] }
        return CPMResult(es: es, ef: ef, ls: ls, lf: lf, totalFloat: total, freeFloat: freeFloat, length: length, atEndOfDay: endOfDay)
    }

    /// One cycle among the activities Kahn's pass could not order.
    private func findCycle(indegree: [Int32], outCount: [Int32], outLinks: [Int32]) -> [Int32] {
        let n = durations.count
        var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on the path, 2 done
        for startNode in 0..<n where indegree[startNode] > 0 && state[startNode] == 0 {
            var path: [Int32] = [Int32(startNode)]
            var cursor: [Int32] = [outCount[startNode]]
            state[startNode] = 1
            while let v = path.last {
                let vi = Int(v)
                if cursor[cursor.count - 1] < outCount[vi + 1] {
                    let s = links[Int(outLinks[Int(cursor[cursor.count - 1])])].succ
                    cursor[cursor.count - 1] += 1
                    if state[Int(s)] == 1, let at = path.firstIndex(of: s) { return Array(path[at...]) + [s] }
                    if state[Int(s)] == 0 && indegree[Int(s)] > 0 {
                        state[Int(s)] = 1
                        path.append(s)
                        cursor.append(outCount[Int(s)])
                    }
                } else {
                    state[vi] = 2
                    path.removeLast()
                    cursor.removeLast()
                }
            }
        }
        return []
    }
}
