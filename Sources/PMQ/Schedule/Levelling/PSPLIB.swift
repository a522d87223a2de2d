import Foundation

/// A single-mode PSPLIB instance (Kolisch & Sprecher 1997, `.sm` files): jobs numbered in
/// topological order with finish-to-start successors, one duration and four renewable
/// resource requests a job, and the resources' capacities. The levelling oracle.
public struct PSPLIBInstance: Sendable {
    public var durations: [Int]
    /// Successors by job, zero-based.
    public var successors: [[Int]]
    /// Requests by job and resource.
    public var requests: [[Int]]
    public var capacities: [Int]
    /// The critical-path length the file states (MPM-Time).
    public var mpmTime: Int

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int, message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Reads the fixed-layout text: sections are found by their titles, rows by their numbers.
    public init(parsing text: String) throws {
        enum Section { case none, project, precedence, requests, availability }
        var section = Section.none
        var durations: [Int: Int] = [:], successors: [Int: [Int]] = [:], requests: [Int: [Int]] = [:]
        var capacities: [Int] = []
        var mpm = 0
        var jobs = 0
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("jobs (incl.") { jobs = Int(line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? 0; continue }
            if line.hasPrefix("PROJECT INFORMATION") { section = .project; continue }
            if line.hasPrefix("PRECEDENCE RELATIONS") { section = .precedence; continue }
            if line.hasPrefix("REQUESTS/DURATIONS") { section = .requests; continue }
            if line.hasPrefix("RESOURCEAVAILABILITIES") { section = .availability; continue }
            if line.hasPrefix("***") { section = .none; continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let ints = fields.compactMap { Int($0) }
            guard !fields.isEmpty, ints.count == fields.count else { continue }
            switch section {
            case .project: if ints.count >= 6 { mpm = ints[5] }
            case .precedence:
                guard ints.count >= 3, ints.count == 3 + ints[2] else { throw ParseError(line: number + 1, message: "a precedence row needs its successors") }
                successors[ints[0] - 1] = ints[3...].map { $0 - 1 }
            case .requests:
                guard ints.count >= 4 else { throw ParseError(line: number + 1, message: "a request row needs a duration and requests") }
                durations[ints[0] - 1] = ints[2]
                requests[ints[0] - 1] = Array(ints[3...])
            case .availability: capacities = ints
            case .none: break
            }
        }
        jobs = max(jobs, durations.count)
        guard jobs > 0, !capacities.isEmpty else { throw ParseError(line: 0, message: "no jobs or no resource availabilities") }
        self.durations = (0..<jobs).map { durations[$0] ?? 0 }
        self.successors = (0..<jobs).map { successors[$0] ?? [] }
        self.requests = (0..<jobs).map { requests[$0] ?? Array(repeating: 0, count: capacities.count) }
        for s in self.successors { for q in s where q < 0 || q >= jobs { throw ParseError(line: 0, message: "successor \(q + 1) out of range") } }
        self.capacities = capacities
        self.mpmTime = mpm
    }

    /// The instance as a levelling problem: a job is an activity, a request a demand.
    public var problem: LevellingProblem {
        let activities = durations.indices.map { j in
            LevellingProblem.Activity(duration: Int32(durations[j]), demands: requests[j].enumerated().compactMap { r, q in
                q > 0 ? .init(resource: Int32(r), amount: Int32(q)) : nil
            })
        }
        var links: [LevellingProblem.Link] = []
        for (j, s) in successors.enumerated() { for q in s { links.append(.init(pred: Int32(j), succ: Int32(q))) } }
        return LevellingProblem(activities: activities, links: links, capacities: capacities.map { Int32($0) })
    }

    /// The instance as a PMQ script: resource k is person "R{k}" with capacity 8 hours, a
    /// job is a task of its duration in working days, a request is an R assignment with
    /// units = request / availability × 100 % (so hours = 8 × request / availability), and the
    /// links are finish-to-start. The dummy source and sink (no duration, no requests)
    /// are left out; a job of no duration is a milestone.
    public func script(projectStart: String = "2026-01-05") -> String {
        var out = "add project \"PSP\" name \"PSPLIB\" start \(projectStart)\nuse project \"PSP\"\n"
        for (k, _) in capacities.enumerated() { out += "add person \"R\(k + 1)\" capacity 8\n" }
        let kept = durations.indices.filter { j in !(durations[j] == 0 && requests[j].allSatisfy { $0 == 0 } && (j == 0 || j == durations.count - 1)) }
        let keep = Set(kept)
        for j in kept {
            out += durations[j] == 0
                ? "add task \"J\(j + 1)\" wbs \(j + 1) start \(projectStart) milestone true\n"
                : "add task \"J\(j + 1)\" wbs \(j + 1) start \(projectStart) duration \(durations[j])wd\n"
        }
        for j in kept { for q in successors[j] where keep.contains(q) { out += "add dependency \(j + 1) -> \(q + 1)\n" } }
        for j in kept {
            for (r, q) in requests[j].enumerated() where q > 0 && capacities[r] > 0 {
                let units = Double(q) / Double(capacities[r]) * 100
                out += "add assignment task \(j + 1) person \"R\(r + 1)\" role R units \(units)\n"
            }
        }
        return out
    }
}

/// The working days a `schedule` report names ("finish 2026-03-02, 42 working days"), if any.
public func reportedWorkingDays(_ note: String?) -> Int? {
    guard let note, let r = note.range(of: " working days") else { return nil }
    let digits = note[..<r.lowerBound].reversed().prefix { $0.isNumber }
    return Int(String(digits.reversed()))
}

/// The rows of PSPLIB's `summary.csv` (set, file, ..., best known upper bound, lower bound, proven).
/// The bounds are empty for instances the solution files do not cover.
public struct PSPLIBSummary: Sendable {
    public struct Row: Sendable { public var set: String, file: String, mpm: Int, upperBound: Int?, lowerBound: Int?, provenOptimal: Bool }
    public var rows: [Row]
    public init(parsing text: String) {
        rows = text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 10, let mpm = Int(f[6]) else { return nil }
            return Row(set: f[0], file: f[1], mpm: mpm, upperBound: Int(f[7]), lowerBound: Int(f[8]), provenOptimal: f[9] == "1")
        }
    }
}
