/// Solves a `LevellingProblem`: priority-rule passes with both schedule-generation schemes,
/// each justified, seed a genetic search that runs until the budget is spent, a schedule
/// as short as the resource-free bound is found, or the schedule count is reached.
/// With a fixed seed and a count (not a time) ending the search, the answer is the same
/// on every run and machine.
public struct LevellingSolver: Sendable {
    public struct Options: Sendable {
        /// Wall-clock budget for the search (nil: only `maxSchedules` ends it).
        public var timeBudget: Duration?
        /// Schedules generated at most (each serial, parallel or justification pass is one).
        public var maxSchedules: Int
        public var seed: UInt64
        public var populationSize: Int
        /// End the search after this many generations without a better schedule (nil: never).
        /// Small plans then end on their own, the same way every run, well within the budget.
        public var stallGenerations: Int?
        public init(timeBudget: Duration? = .milliseconds(200), maxSchedules: Int = 50_000, seed: UInt64 = 20_260_128, populationSize: Int = 60,
                    stallGenerations: Int? = nil) {
            self.timeBudget = timeBudget; self.maxSchedules = maxSchedules; self.seed = seed; self.populationSize = populationSize
            self.stallGenerations = stallGenerations
        }
    }

    public struct Result: Sendable {
        public var start: [Int32]
        public var finish: [Int32]
        /// The latest finish of any activity.
        public var makespan: Int32
        /// The resource-free length (and, for problems without releases, fixed work or
        /// calendars, the resource bound): no schedule is shorter.
        public var lowerBound: Int32
        public var schedules: Int
        public var generations: Int
    }

    public let options: Options
    public init(options: Options = Options()) { self.options = options }

    /// `stop` is asked every fraction of a millisecond of work, in every phase (preparing the
    /// grid, each priority-rule pass, justification, list sampling, crossover, each schedule
    /// generated): the host's time limit or a cancel (Ctrl-C) throws `LevellingError.halted`
    /// within milliseconds, whatever budget `within` gave the search. A spent budget ends the
    /// search at once with the best plan found so far; the first generation (a serial pass in
    /// latest-finish order) always completes, so there is one.
    public func solve(_ problem: LevellingProblem, stop: @escaping () -> Bool = { false }) throws -> Result {
        let watch = LevellingWatch(budget: options.timeBudget, halt: stop)
        // Until the first plan is made, only the host stops the work.
        watch.budgetEnds = false
        let p = try PreparedProblem(problem, watch: watch)
        var avail: [Int32] = []
        let windows = p.timeWindows()
        let lowerBound = max(windows.length, resourceBound(problem, p))
        var count = 0
        func outOfBudget() -> Bool {
            if count >= options.maxSchedules { return true }
            return watch.spent()
        }

        // One backward-forward round a child: measured on PSPLIB j60/j120 at 5,000 schedules,
        // three rounds (repeating while it helps) spend schedules the search uses better.
        let justifyRounds = 1
        var best: Schedule?
        var seeds: [GeneticSearch.Individual] = []
        func keep(_ s: Schedule) {
            if best.map({ s.better(than: $0) }) ?? true { best = s }
        }
        func consider(_ s: Schedule) throws -> GeneticSearch.Individual {
            keep(s)
            let (improved, extra) = try p.justify(s, rounds: justifyRounds, &avail)
            count += extra
            keep(improved)
            return .init(list: p.listOf(improved), schedule: improved)
        }
        var generations = 0
        do {
            // The first generation: the latest-finish rule, serial. A feasible plan to keep.
            let lft = try p.priorities(.latestFinish, windows)
            let first = try p.serial(p.orderBy(lft), &avail)
            count += 1
            keep(first)
            watch.budgetEnds = true
            try watch.look()
            seeds.append(try consider(first))
            // Every rule with both schemes: the plain heuristics, and the search's first parents.
            for rule in PriorityRule.allCases {
                if let b = best, b.makespan <= lowerBound { break }
                let pr = try rule == .latestFinish ? lft : p.priorities(rule, windows)
                if rule != .latestFinish {
                    seeds.append(try consider(p.serial(p.orderBy(pr), &avail)))
                    count += 1
                }
                seeds.append(try consider(p.parallel(priority: pr, &avail)))
                count += 1
            }
            if let b = best, b.makespan > lowerBound, p.n > 2, !outOfBudget() {
                var ga = GeneticSearch(problem: p, random: LevellingRandom(seed: options.seed),
                                       populationSize: max(4, options.populationSize), mutationRate: 0.05)
                // Half the children by peak crossover, half by two-point crossover: on PSPLIB at
                // 5,000 schedules the mix was better than either alone on j120 and as good on j30/j60.
                let peakShare = 0.5
                var population = seeds
                while population.count < ga.populationSize && !outOfBudget() {
                    let list = try ga.sampleList(lft)
                    let s = try p.serial(list, &avail)
                    count += 1
                    population.append(try consider(s))
                }
                func rank(_ pop: [GeneticSearch.Individual]) -> [GeneticSearch.Individual] {
                    let sorted = pop.sorted { $0.schedule.better(than: $1.schedule) }
                    var kept: [GeneticSearch.Individual] = []
                    for ind in sorted where kept.count < ga.populationSize {
                        if let last = kept.last, last.schedule.makespan == ind.schedule.makespan,
                           last.schedule.startSum == ind.schedule.startSum, last.schedule.start == ind.schedule.start { continue }
                        kept.append(ind)
                    }
                    return kept
                }
                population = rank(population)
                var lastBetter = 0
                var bestSeen = best
                search: while !outOfBudget() {
                    generations += 1
                    if let b = best, let seen = bestSeen, b.better(than: seen) { lastBetter = generations; bestSeen = b }
                    if let stall = options.stallGenerations, generations - lastBetter > stall { break }
                    var children: [GeneticSearch.Individual] = []
                    var order = Array(population.indices)
                    for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, ga.random.below(i + 1)) }
                    var i = 0
                    while i + 1 < order.count {
                        let m = population[order[i]], f = population[order[i + 1]]
                        for (a, b) in [(m, f), (f, m)] {
                            var child = try ga.random.unit() < peakShare ? ga.peakCrossover(mother: a, father: b.list) : ga.crossover(a.list, b.list)
                            ga.mutate(&child)
                            let s = try p.serial(child, &avail)
                            count += 1
                            children.append(try consider(s))
                            if let b = best, b.makespan <= lowerBound { break search }
                            if outOfBudget() { break search }
                        }
                        i += 2
                    }
                    // Ranking: the best of parents and children, one of each schedule (diversity).
                    population = rank(population + children)
                }
            }
        } catch is LevellingWatch.BudgetSpent {
            // `within` ran out inside a pass: the best plan so far stands.
        }
        // The first generation always completes (only a halt, thrown on, stops it).
        let result = try best ?? p.serial(p.topological, &avail)
        return Result(start: result.start, finish: result.finish, makespan: result.makespan,
                      lowerBound: lowerBound, schedules: count, generations: generations)
    }

    /// For a plain problem (everything free from period 0, one calendar, constant
    /// capacities): the work a resource must do divided by its capacity.
    private func resourceBound(_ problem: LevellingProblem, _ p: PreparedProblem) -> Int32 {
        guard problem.capacityChanges.isEmpty,
              problem.activities.allSatisfy({ $0.release <= 0 && $0.fixedStart == nil && $0.calendar < 0 }) else { return 0 }
        var work = [Int64](repeating: 0, count: problem.capacities.count)
        for j in 0..<p.n {
            for k in Int(p.demandStart[j])..<Int(p.demandStart[j + 1]) { work[Int(p.demandResource[k])] += Int64(p.demandAmount[k]) * Int64(p.duration[j]) }
        }
        var bound: Int64 = 0
        for (r, w) in work.enumerated() where problem.capacities[r] > 0 {
            let c = Int64(problem.capacities[r])
            bound = max(bound, (w + c - 1) / c)
        }
        return Int32(clamping: bound)
    }
}
