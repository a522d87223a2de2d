import Foundation

/// Taskwarrior's JSON (what `task export` writes and `task import` reads), mapped to PMQ's
/// tasks both ways. The one place that knows both vocabularies:
///
/// | Taskwarrior | PMQ |
/// |---|---|
/// | `description` | `name` |
/// | `project` | the project's code (made when missing on import) |
/// | `status` pending, waiting, recurring / completed / deleted | todo (doing when `start` is set) / done / cancelled |
/// | `scheduled`, `due` | `start`, `finish` |
/// | `start`, `end` | `actual_start`, `actual_finish` |
/// | `priority` H, M, L | high (and critical), medium, low |
/// | `tags` | `tags` |
/// | `depends` | finish-to-start dependencies on those tasks |
/// | `uuid` | kept beside the task (table `task_uuids`) |
enum Taskwarrior {
    /// The attributes PMQ reads, in the order they are checked; every other one (`id`,
    /// `entry`, `modified`, `urgency`, `annotations`, user-defined attributes) is ignored.
    static let attributes = ["uuid", "description", "status", "project", "scheduled", "due", "start", "end", "priority", "tags", "depends"]

    static let statuses = ["pending", "completed", "deleted", "waiting", "recurring"]

    /// A Taskwarrior status (and whether the task is started) as a PMQ task status.
    static func pmqStatus(_ tw: String, started: Bool) -> String? {
        switch tw {
        case "pending", "waiting", "recurring": return started ? "doing" : "todo"
        case "completed": return "done"
        case "deleted": return "cancelled"
        default: return nil
        }
    }

    /// A PMQ task status as Taskwarrior's: blocked is pending (Taskwarrior works blocking
    /// out from `depends`), doing is pending with a `start`.
    static func twStatus(_ pmq: String) -> String {
        switch pmq {
        case "done": return "completed"
        case "cancelled": return "deleted"
        default: return "pending"
        }
    }

    static func pmqPriority(_ tw: String) -> String? {
        switch tw.uppercased() {
        case "H": return "high"
        case "M": return "medium"
        case "L": return "low"
        default: return nil
        }
    }

    /// medium is PMQ's default and Taskwarrior's "no priority": it is not written.
    static func twPriority(_ pmq: String) -> String? {
        switch pmq {
        case "high", "critical": return "H"
        case "low": return "L"
        default: return nil
        }
    }

    // MARK: - Dates

    /// The local day of a Taskwarrior date: `20261130T000000Z` (as Taskwarrior writes it,
    /// in UTC), also `2026-11-30T00:00:00Z` and a plain `2026-11-30`. A date-time is moved
    /// into the local time zone (TZ) first: Taskwarrior stores `due:2026-11-30` as local
    /// midnight written in UTC.
    static func day(_ s: String, timeZone: TimeZone = .current) -> Day? {
        let digits = Array(s.utf8.filter { $0 >= 48 && $0 <= 57 })
        func number(_ r: Range<Int>) -> Int { digits[r].reduce(0) { $0 * 10 + Int($1 - 48) } }
        let bytes = Array(s.utf8)
        if bytes.count == 10, let d = Day(iso: s) { return d }
        // YYYYMMDDTHHMMSSZ or YYYY-MM-DDTHH:MM:SSZ: 14 digits, a T, a Z at the end.
        guard digits.count == 14, bytes.last == UInt8(ascii: "Z"), bytes.contains(UInt8(ascii: "T")),
              bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 58 || $0 == 84 || $0 == 90 }),
              let date = Day(year: number(0..<4), month: number(4..<6), day: number(6..<8)) else { return nil }
        let (h, m, sec) = (number(8..<10), number(10..<12), number(12..<14))
        guard h < 24, m < 60, sec < 61 else { return nil }
        let utc = date.number * 86400 + h * 3600 + m * 60 + sec
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc)))
        let local = utc + offset
        return Day(local >= 0 ? local / 86400 : (local - 86399) / 86400)
    }

    /// Local midnight of `d`, in UTC, as Taskwarrior writes dates: `20261130T000000Z` in UTC.
    static func timestamp(_ d: Day, timeZone: TimeZone = .current) -> String {
        let midnight = d.number * 86400
        let utc = midnight - timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(midnight)))
        let day = Day(utc >= 0 ? utc / 86400 : (utc - 86399) / 86400)
        let seconds = utc - day.number * 86400
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return day.iso.replacingOccurrences(of: "-", with: "") + "T" + two(seconds / 3600) + two(seconds / 60 % 60) + two(seconds % 60) + "Z"
    }

    // MARK: - uuids

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits (either case); written lower-case.
    static func isUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) { if c != 45 { return false } } else if !((c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 102)) { return false }
        }
        return true
    }

    /// The uuid of a task that has none stored: derived from its project's code and its
    /// WBS code, so every export of the same task gives the same uuid. A version-8
    /// (application-defined, RFC 9562) uuid from two 64-bit FNV-1a hashes of the name.
    static func derivedUUID(project: String?, wbs: String) -> String {
        let name = Array(("pmq-task\u{0}" + (project ?? "") + "\u{0}" + wbs).utf8)
        func fnv(_ basis: UInt64) -> UInt64 {
            var h = basis
            for b in name { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            return h
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        let (a, b) = (fnv(0xcbf29ce484222325), fnv(0x84222325cbf29ce4 ^ 0x9e3779b97f4a7c15))
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a >> (56 - 8 * UInt64(i))); bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (56 - 8 * UInt64(i))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x80   // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80   // the RFC variant
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
