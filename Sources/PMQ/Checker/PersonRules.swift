/// How many hours a day one of `people` can work (docs/language.md, “Resources”): a person
/// at most a day's 24, a team (`kind team`, several people) as many as its members have.
/// `add`, `update` and `import` ask the same rule.
enum PersonRules {
    /// A person's most hours a day.
    static let personCapacity = 24.0
    /// A team's: a bound only so that arithmetic on it stays exact.
    static let teamCapacity = 100_000.0

    /// The refusal of `capacity` for a row of `kind`, if it is one.
    static func capacityProblem(_ capacity: Double, kind: String?) -> String? {
        guard (kind ?? "person") == "person", capacity > personCapacity else { return nil }
        return "capacity of a person must be between 0 and 24 hours a day, not \(formatNumber(capacity)); a team (kind team) may have more"
    }

    /// The same over an update's scratch columns (`c1`, ...): the new capacity and kind.
    static func capacityRefused(capacity: String, kind: String) -> String {
        "(COALESCE(\(kind), 'person') = 'person' AND \(capacity) > 24)"
    }
    static let capacityRefusal = "capacity of a person must be between 0 and 24 hours a day; a team (kind team) may have more"
}
