/// The variable environment of a session: script variables by slot (a value, a row's id, or a
/// set as a JSON array of ids) and the project chosen with `use project`, which SQL reads as
/// the variable in slot `currentProjectSlot`. Kept between runs (the shell remembers them); a
/// run that fails puts back the environment it started from, so it is a value.
struct VariableEnvironment {
    /// The slot that reads the project chosen with `use project`.
    static let currentProjectSlot = -1

    /// Set by `use project "CODE"`.
    var currentProject: Int64?
    private var slots: [Int: Value] = [:]

    /// A variable's value as it was set; nil when it never was.
    subscript(slot: Int) -> Value? {
        get { slots[slot] }
        set { slots[slot] = newValue }
    }

    /// The current value of a variable, as SQL binds it.
    func value(_ slot: Int) -> Value {
        if slot == Self.currentProjectSlot { return currentProject.map { .integer($0) } ?? .null }
        return slots[slot] ?? .null
    }
}
