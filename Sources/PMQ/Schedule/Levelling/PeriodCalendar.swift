/// The periods an activity cannot work in (a person's leave, counted in the project's
/// working-day indexes). An activity of duration d works d periods that are not off;
/// the periods off in between stretch it, and use nothing.
public struct PeriodCalendar: Sendable, Equatable {
    /// Sorted, without repeats.
    public let off: [Int32]

    public init(off: [Int32]) { self.off = Array(Set(off)).sorted() }

    public static let always = PeriodCalendar(off: [])

    /// The index of the first off period at or after t.
    @inline(__always) func lowerBound(_ t: Int32) -> Int {
        var lo = 0, hi = off.count
        while lo < hi { let mid = (lo + hi) >> 1; if off[mid] < t { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    public func isOn(_ t: Int32) -> Bool {
        if off.isEmpty { return true }
        let i = lowerBound(t)
        return !(i < off.count && off[i] == t)
    }

    /// The first period at or after t that is not off.
    public func nextOn(_ t: Int32) -> Int32 {
        if off.isEmpty { return t }
        var i = lowerBound(t), x = t
        while i < off.count && off[i] == x { x += 1; i += 1 }
        return x
    }

    /// The last period at or before t that is not off.
    public func previousOn(_ t: Int32) -> Int32 {
        if off.isEmpty { return t }
        var i = lowerBound(t + 1) - 1, x = t
        while i >= 0 && off[i] == x { x -= 1; i -= 1 }
        return x
    }

    /// The end (exclusive) of `d` working periods from `s`: the last one plus 1. A start on
    /// an off period begins at the next period on. Duration 0 ends where it starts.
    public func finish(start s: Int32, duration d: Int32) -> Int32 {
        guard d > 0 else { return s }
        if off.isEmpty { return s + d }
        var i = lowerBound(s), t = s, left = d
        while true {
            while i < off.count && off[i] == t { t += 1; i += 1 }
            let room = i < off.count ? off[i] - t : left
            if room >= left { return t + left }
            left -= room
            t += room
        }
    }

    /// The latest start from which `d` working periods end by `b` (finish ≤ b).
    public func latestStart(finishBy b: Int32, duration d: Int32) -> Int32 {
        guard d > 0 else { return b }
        if off.isEmpty { return b - d }
        var t = b - 1, left = d
        var i = lowerBound(t + 1) - 1
        while true {
            while i >= 0 && off[i] == t { t -= 1; i -= 1 }
            let room = i >= 0 ? t - off[i] : left
            if room >= left { return t - left + 1 }
            left -= room
            t -= room
        }
    }

    /// The earliest start at or after `s` whose finish is at least `b`.
    public func earliestStart(from s: Int32, finishAtLeast b: Int32, duration d: Int32) -> Int32 {
        guard d > 0 else { return max(s, b) }
        var x = max(s, latestStart(finishBy: b, duration: d))
        x = nextOn(x)
        while finish(start: x, duration: d) < b { x = nextOn(x + 1) }
        return x
    }

    /// Off periods in [a, b).
    public func offCount(from a: Int32, to b: Int32) -> Int {
        guard b > a, !off.isEmpty else { return 0 }
        return lowerBound(b) - lowerBound(a)
    }
}
