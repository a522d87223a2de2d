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
        /// An elapsed lag (calendar days, `lag 2d`): `lag` is in minutes of calendar time and
        /// is counted through `elapsedCalendar`. Otherwise `lag` is whole working days.
        public var elapsed: Bool
        public var lag: Int32
        public init(pred: Int32, succ: Int32, type: LinkType = .fs, lag: Int32 = 0, elapsed: Bool = false) {
            self.pred = pred; self.succ = succ; self.type = type; self.lag = lag; self.elapsed = elapsed
        }
    }

    /// The calendar behind the working-day indexes, for elapsed lags: the day (days since
    /// 1970-01-01) of working day `i`, the index of the first working day on or after a day,
    /// and whether a day is a working day.
    public struct ElapsedCalendar: Sendable {
        public var dayAt: @Sendable (Int32) -> Int
        public var indexOnOrAfter: @Sendable (Int) -> Int32
        public var isWorking: @Sendable (Int) -> Bool
        public init(dayAt: @escaping @Sendable (Int32) -> Int, indexOnOrAfter: @escaping @Sendable (Int) -> Int32,
                    isWorking: @escaping @Sendable (Int) -> Bool) {
            self.dayAt = dayAt; self.indexOnOrAfter = indexOnOrAfter; self.isWorking = isWorking
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
    /// Needed when some link is `elapsed`; without it an elapsed lag counts as working days.
    public var elapsedCalendar: ElapsedCalendar?

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
                    if l.elapsed, let cal = elapsedCalendar {
                        // Calendar time from the predecessor's finish (the end of its last day) or
                        // start; a start bound that ends within days off is the next working day's start.
                        switch l.type {
                        case .fs:
                            let b = CPMNetwork.startBound(cal, l.lag, ef[p], fromFinish: true)
                            if b.atEndOfDay { finishBound = max(finishBound, b.index) } else { start = max(start, b.index) }
                        case .ss: start = max(start, CPMNetwork.startBound(cal, l.lag, es[p], fromFinish: false).index)
                        case .ff: finishBound = max(finishBound, CPMNetwork.finishBound(cal, l.lag, ef[p], fromFinish: true) - durations[v])
                        case .sf: start = max(start, CPMNetwork.finishBound(cal, l.lag, es[p], fromFinish: false) - durations[v])
                        }
                        continue
                    }
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
                        case .ff: ffBound = max(ffBound, finishAt(l, ef[Int(l.pred)], fromFinish: true))
                        case .sf: ffBound = max(ffBound, finishAt(l, es[Int(l.pred)], fromFinish: false))
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
                if l.elapsed, let cal = elapsedCalendar {
                    // The latest finish (or start) of this activity whose bound on the successor
                    // is still within the successor's late (for slack: early) date. FS and FF run
                    // from this activity's finish, SS and SF from its start; FS and SS bound the
                    // successor's start, FF and SF its finish.
                    let fromFinish = l.type == .fs || l.type == .ff
                    let toStart = l.type == .fs || l.type == .ss
                    let late = toStart ? ls[s] : lf[s], early = toStart ? es[s] : ef[s]
                    bound = CPMNetwork.latestAnchor(cal, l, limit: late, fromFinish: fromFinish) + (fromFinish ? 0 : durations[v])
                    slackToSucc = CPMNetwork.latestAnchor(cal, l, limit: early, fromFinish: fromFinish) - (fromFinish ? ef[v] : es[v])
                } else {
                    switch l.type {
                    case .fs: bound = ls[s] - l.lag; slackToSucc = es[s] - l.lag - ef[v]
                    case .ss: bound = ls[s] - l.lag + durations[v]; slackToSucc = es[s] - l.lag - es[v]
                    case .ff: bound = lf[s] - l.lag; slackToSucc = ef[s] - l.lag - ef[v]
                    case .sf: bound = lf[s] - l.lag + durations[v]; slackToSucc = ef[s] - l.lag - es[v]
                    }
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

    /// The exclusive end index an FF or SF link asks of its successor: the predecessor's
    /// finish (or start) plus the lag.
    func finishAt(_ l: Link, _ anchor: Int32, fromFinish: Bool) -> Int32 {
        if l.elapsed, let cal = elapsedCalendar { return CPMNetwork.finishBound(cal, l.lag, anchor, fromFinish: fromFinish) }
        return anchor + l.lag
    }

    /// The moment an elapsed lag ends, in minutes since 1970-01-01: from the end of the day
    /// before index `anchor` (a finish: the working day's end, MS Project's 17:00) or the
    /// start of day `anchor` (a start), plus `minutes` of calendar time. Whole days keep
    /// MS Project's reading: a finish plus 2ed is the end of the day two days later.
    static func lagEnd(_ cal: ElapsedCalendar, _ minutes: Int32, _ anchor: Int32, fromFinish: Bool) -> (day: Int, minute: Int) {
        let from = fromFinish ? cal.dayAt(anchor &- 1) + 1 : cal.dayAt(anchor)
        let t = from * 1440 + Int(minutes)
        let day = t >= 0 ? t / 1440 : -((-t + 1439) / 1440)
        return (day, t - day * 1440)
    }

    /// A start bound (FS, SS) of an elapsed lag: the successor starts on the working day the
    /// lag ends in, or the first one after it when it ends on a day off. `atEndOfDay`: the lag
    /// ends exactly at the end of a working day (from a finish, a whole number of days), so a
    /// successor of no duration is dated on that day, as after a working-day lag.
    static func startBound(_ cal: ElapsedCalendar, _ minutes: Int32, _ anchor: Int32, fromFinish: Bool) -> (index: Int32, atEndOfDay: Bool) {
        let (day, minute) = lagEnd(cal, minutes, anchor, fromFinish: fromFinish)
        return (cal.indexOnOrAfter(day), fromFinish && minute == 0 && cal.isWorking(day - 1))
    }

    /// A finish bound (FF, SF) of an elapsed lag, as an exclusive end index: the successor
    /// finishes no earlier than the end of the working day the lag ends in; a lag that ends
    /// on a day off (or at a day's very start) is met by the working day before it.
    static func finishBound(_ cal: ElapsedCalendar, _ minutes: Int32, _ anchor: Int32, fromFinish: Bool) -> Int32 {
        let (day, minute) = lagEnd(cal, minutes, anchor, fromFinish: fromFinish)
        let index = cal.indexOnOrAfter(day)
        return minute != 0 && cal.isWorking(day) ? index &+ 1 : index
    }

    /// The latest anchor (the predecessor's finish or start index) whose bound on the successor
    /// is at most `limit`: the backward pass's inverse of `startBound` / `finishBound`. The
    /// bound grows with the anchor, so a galloping search finds it in a few steps.
    static func latestAnchor(_ cal: ElapsedCalendar, _ l: Link, limit: Int32, fromFinish: Bool) -> Int32 {
        let startKind = l.type == .fs || l.type == .ss
        func bound(_ a: Int32) -> Int32 {
            startKind ? startBound(cal, l.lag, a, fromFinish: fromFinish).index : finishBound(cal, l.lag, a, fromFinish: fromFinish)
        }
        // About five working days a week of calendar time.
        let guess = Int64(limit) - Int64(l.lag) / 1440 * 5 / 7
        var lo = Int32(clamping: guess), hi = lo
        var step: Int32 = 1
        if bound(lo) <= limit {
            hi = lo &+ 1
            while bound(hi) <= limit && step < 1 << 24 { lo = hi; hi = lo &+ step; step &*= 2 }
        } else {
            while bound(lo) > limit && step < 1 << 24 { hi = lo; lo = hi &- step; step &*= 2 }
        }
        // bound(lo) <= limit < bound(hi): the largest such lo.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if bound(mid) <= limit { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// An elapsed link's lag as the working days it spans from `anchor` (the predecessor's
    /// finish or start index in the plan), the most over the week from there: levelling
    /// counts lags in working days (docs/language.md, “Resources”).
    public func workingLag(_ l: Link, near anchor: Int32) -> Int32 {
        guard l.elapsed, let cal = elapsedCalendar else { return l.lag }
        let fromFinish = l.type == .fs || l.type == .ff
        var most = Int32.min
        for a in anchor..<(anchor &+ 7) {
            let b = l.type == .fs || l.type == .ss ? CPMNetwork.startBound(cal, l.lag, a, fromFinish: fromFinish).index
                : CPMNetwork.finishBound(cal, l.lag, a, fromFinish: fromFinish)
            most = max(most, b &- a)
        }
        return most
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
