import PMQ

/// A seeded, deterministic model of a large IT project: people, a few teams and a
/// three-level WBS (phases → work packages → tasks). The same seed and size always
/// give the same rows, whichever output (database, PMQ script, SQL script) is asked for.

/// SplitMix64: tiny, fast and identical on every platform.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `lo...hi`.
    mutating func int(_ lo: Int, _ hi: Int) -> Int {
        precondition(hi >= lo)
        return lo + Int(next() % UInt64(hi - lo + 1))
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An index chosen by weights.
    mutating func pick(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }
}

struct PersonRow {
    var id: Int
    var name: String
    var kind: String          // person | team
    var role: String?
    var department: String
    var rate: Double?
    var capacity: Double
    var backup: Int?
}

struct ProjectRow {
    var id = 1
    var code = "BENCH"
    var name = "Core banking replacement"
    var client = "Benchmark Bank"
    var manager = 6               // the first real person (after the teams)
    var budget = 0.0
    var start = 0
    var finish = 0
    var status = "active"
}

struct TaskRow {
    var wbs: String
    var wbsKey: String
    var parentWbs: String?
    var name: String
    var owner: Int
    var status: String
    var priority: String
    var start: Int
    var finish: Int
    var actualStart: Int?
    var actualFinish: Int?
    var baselineStart: Int
    var baselineFinish: Int
    var effort: Double
    var progress: Double
    var cost: Double
    var milestone: Bool
    var tags: String?
}

/// The fixed date every benchmark measures from (late, overdue, remaining).
let benchToday = Day(iso: "2026-03-16")!

struct ProjectModel {
    let tasks: Int
    let seed: UInt64

    static let teams: [(name: String, department: String)] = [
        ("DBA", "IT"), ("QA", "IT"), ("PMO", "PMO"), ("Infra", "Operations"), ("Security", "IT"),
    ]
    static let firstNames = ["Li", "Wang", "Zhang", "Anna", "Ben", "Carla", "David", "Elif", "Farid", "Grace",
                             "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Marta", "Nikolai", "Olga", "Priya", "Quentin",
                             "Rosa", "Sven", "Tomas", "Uma", "Viktor", "Wei", "Ximena", "Yusuf", "Zoe", "Fang"]
    static let lastNames = ["Wei", "Fang", "Chen", "Schmidt", "Novak", "Rossi", "Garcia", "Kim", "Okafor", "Silva",
                            "Jensen", "Kowalski", "Haddad", "Ivanova", "Nakamura", "Moreau", "Patel", "Svensson",
                            "Dubois", "Yilmaz"]
    static let roles = ["Developer", "Developer", "Developer", "Tester", "Analyst", "Architect", "DBA", "Ops engineer",
                        "Designer", "Technical writer"]
    static let departments = ["IT", "IT", "IT", "Operations", "Finance", "PMO"]
    static let verbs = ["Design", "Build", "Test", "Review", "Migrate", "Configure", "Document", "Deploy", "Integrate",
                        "Audit", "Specify", "Refactor", "Benchmark", "Harden", "Train users on"]
    static let nouns = ["database", "API gateway", "login page", "billing module", "data warehouse", "backup job",
                        "network segment", "test plan", "user manual", "CI pipeline", "payment interface",
                        "reporting service", "customer portal", "batch scheduler", "access control",
                        "monitoring", "search index", "mobile app", "archive", "notification service"]
    static let tagSets = ["[\"infra\"]", "[\"security\"]", "[\"customer\"]", "[\"infra\",\"security\"]", "[\"data\"]"]

    /// Work packages per phase and tasks per work package.
    static let packagesPerPhase = 10
    static let tasksPerPackage = 20

    var peopleCount: Int { max(20, tasks / 50) }

    func people() -> [PersonRow] {
        var rng = SeededRandom(seed: seed ^ 0x5EED_0001)
        var out: [PersonRow] = []
        out.reserveCapacity(peopleCount)
        for (i, t) in Self.teams.enumerated() {
            out.append(PersonRow(id: i + 1, name: t.name, kind: "team", role: nil, department: t.department,
                                 rate: nil, capacity: 8, backup: nil))
        }
        let combos = Self.firstNames.count * Self.lastNames.count
        var n = 0
        while out.count < peopleCount {
            let first = Self.firstNames[n % Self.firstNames.count]
            let last = Self.lastNames[(n / Self.firstNames.count + n * 7) % Self.lastNames.count]
            let name = n < combos ? "\(first) \(last)" : "\(first) \(last) \(n / combos + 1)"
            let id = out.count + 1
            let backup = id > 6 && rng.chance(0.5) ? rng.int(6, id - 1) : nil
            out.append(PersonRow(id: id, name: name, kind: "person", role: Self.roles[rng.int(0, Self.roles.count - 1)],
                                 department: Self.departments[rng.int(0, Self.departments.count - 1)],
                                 rate: Double(rng.int(40, 150) * 10), capacity: 8, backup: backup))
            n += 1
        }
        return out
    }

    func project() -> ProjectRow {
        var p = ProjectRow()
        p.start = benchToday.number - 760
        p.finish = benchToday.number + 420
        p.budget = Double(tasks) * 6000
        return p
    }

    /// Streams the tasks in WBS order (a parent before its children).
    func forEachTask(_ body: (TaskRow) throws -> Void) rethrows {
        var rng = SeededRandom(seed: seed ^ 0x7A5C_0002)
        let people = peopleCount
        let today = benchToday.number
        var emitted = 0
        var phase = 0

        func owner() -> Int {
            // 1% of rows to DBA, 1% to QA, 1% to the other teams, the rest to people.
            let r = rng.unit()
            if r < 0.01 { return 1 }
            if r < 0.02 { return 2 }
            if r < 0.03 { return rng.int(3, 5) }
            return rng.int(6, people)
        }

        func row(_ wbs: String, _ key: String, _ parent: String?, _ name: String, _ start: Int, _ finish: Int,
                 milestone: Bool) -> TaskRow {
            let status: String
            if finish < today - 14 {
                status = ["done", "cancelled", "doing", "blocked", "todo"][rng.pick([88, 3, 5, 2, 2])]
            } else if start <= today {
                status = ["doing", "done", "blocked", "todo", "cancelled"][rng.pick([45, 25, 10, 15, 5])]
            } else {
                status = ["todo", "doing", "blocked", "cancelled"][rng.pick([90, 5, 3, 2])]
            }
            let progress: Double
            switch status {
            case "done": progress = 100
            case "todo": progress = 0
            case "doing": progress = Double(rng.int(1, 19) * 5)
            default: progress = Double(rng.int(0, 12) * 5)
            }
            var actualStart: Int?
            var actualFinish: Int?
            if status != "todo" && status != "cancelled" { actualStart = start + rng.int(-2, 5) }
            if status == "done" && rng.chance(0.8) {
                // Mostly on time, a long tail late.
                let d = rng.chance(0.7) ? rng.int(-5, 2) : rng.int(3, 30)
                actualFinish = max(actualStart ?? start, finish + d)
            }
            let shift = rng.chance(0.6) ? 0 : rng.int(1, 10)
            let days = finish - start + 1
            let o = owner()
            let rate = o <= 5 ? 900.0 : Double(400 + (o * 37) % 1100)
            let effort = milestone ? 0 : (Double(days * 8) * (0.3 + 0.7 * rng.unit())).rounded()
            let cost = milestone ? 0 : (Double(days) * rate * (0.2 + 0.8 * rng.unit()) / 10).rounded() * 10
            return TaskRow(wbs: wbs, wbsKey: key, parentWbs: parent, name: name, owner: o, status: status,
                           priority: ["low", "medium", "high", "critical"][rng.pick([20, 50, 25, 5])],
                           start: start, finish: finish, actualStart: actualStart, actualFinish: actualFinish,
                           baselineStart: start - shift, baselineFinish: finish - shift,
                           effort: effort, progress: progress, cost: cost, milestone: milestone,
                           tags: rng.chance(0.2) ? Self.tagSets[rng.int(0, Self.tagSets.count - 1)] : nil)
        }

        func pad(_ n: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: 10 - s.count) + s
        }

        while emitted < tasks {
            phase += 1
            let pStart = today - 720 + rng.int(0, 900)
            let pFinish = pStart + rng.int(90, 240)
            let pWbs = String(phase), pKey = pad(phase)
            try body(row(pWbs, pKey, nil, "Phase \(phase)", pStart, pFinish, milestone: false))
            emitted += 1
            var pkg = 0
            while pkg < Self.packagesPerPhase && emitted < tasks {
                pkg += 1
                let wStart = pStart + rng.int(0, pFinish - pStart - 14)
                let wFinish = min(pFinish, wStart + rng.int(14, 60))
                let wWbs = "\(pWbs).\(pkg)", wKey = "\(pKey).\(pad(pkg))"
                try body(row(wWbs, wKey, pWbs, "Work package \(wWbs)", wStart, wFinish, milestone: false))
                emitted += 1
                var t = 0
                while t < Self.tasksPerPackage && emitted < tasks {
                    t += 1
                    let milestone = t == Self.tasksPerPackage || rng.chance(0.01)
                    let start: Int, finish: Int
                    if milestone {
                        start = wFinish; finish = wFinish
                    } else {
                        start = wStart + rng.int(0, wFinish - wStart)
                        finish = min(wFinish, start + rng.int(0, 24))
                    }
                    let name = milestone ? "Milestone \(wWbs).\(t)"
                        : "\(Self.verbs[rng.int(0, Self.verbs.count - 1)]) \(Self.nouns[rng.int(0, Self.nouns.count - 1)])"
                    try body(row("\(wWbs).\(t)", "\(wKey).\(pad(t))", wWbs, name, start, finish, milestone: milestone))
                    emitted += 1
                }
            }
        }
    }
}
