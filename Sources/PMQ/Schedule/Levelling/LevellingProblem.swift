/// A resource-constrained project scheduling problem, apart from any store: activities of
/// whole working periods, links with lags, renewable resources with a capacity per period.
/// `schedule level` builds one from the model; the PSPLIB oracle builds one from a file.
/// Both are solved by the same `LevellingSolver`.
public struct LevellingProblem: Sendable {
    public struct Demand: Sendable, Equatable {
        public var resource: Int32
        /// Use per working period, in the resource's unit (PMQ: hundredths of an hour).
        public var amount: Int32
        public init(resource: Int32, amount: Int32) { self.resource = resource; self.amount = amount }
    }

    public struct Activity: Sendable {
        /// Working periods (0: a milestone, which uses nothing).
        public var duration: Int32
        /// No start before this period.
        public var release: Int32
        /// Stays where it is (work done or started, a must-start date): placed first, never moved.
        public var fixedStart: Int32?
        /// Index into `calendars`, or -1 when every period is a working one.
        public var calendar: Int32
        public var demands: [Demand]
        public init(duration: Int32, release: Int32 = 0, fixedStart: Int32? = nil, calendar: Int32 = -1, demands: [Demand] = []) {
            self.duration = duration; self.release = release; self.fixedStart = fixedStart
            self.calendar = calendar; self.demands = demands
        }
    }

    public typealias LinkType = CPMNetwork.LinkType

    public struct Link: Sendable {
        public var pred: Int32, succ: Int32, type: LinkType, lag: Int32
        public init(pred: Int32, succ: Int32, type: LinkType = .fs, lag: Int32 = 0) {
            self.pred = pred; self.succ = succ; self.type = type; self.lag = lag
        }
    }

    public struct CapacityChange: Sendable {
        public var resource: Int32, period: Int32, capacity: Int32
        public init(resource: Int32, period: Int32, capacity: Int32) { self.resource = resource; self.period = period; self.capacity = capacity }
    }

    public var activities: [Activity]
    public var links: [Link]
    /// Capacity per period of each resource.
    public var capacities: [Int32]
    /// Periods where a resource has another capacity (lower or higher).
    public var capacityChanges: [CapacityChange]
    public var calendars: [PeriodCalendar]

    public init(activities: [Activity], links: [Link], capacities: [Int32],
                capacityChanges: [CapacityChange] = [], calendars: [PeriodCalendar] = []) {
        self.activities = activities; self.links = links; self.capacities = capacities
        self.capacityChanges = capacityChanges; self.calendars = calendars
    }
}

public enum LevellingError: Error, Equatable, Sendable {
    /// Activities on a cycle of links, in order.
    case cycle([Int32])
    /// The activity needs more of the resource per period than it ever has.
    case cannotFit(activity: Int32, resource: Int32, demand: Int32, capacity: Int32)
    /// A link or demand names an activity or resource that does not exist.
    case malformed(String)
    /// The host's time limit passed or it cancelled the run (Ctrl-C): no plan.
    case halted
}
