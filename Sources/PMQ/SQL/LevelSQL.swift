/// What resource levelling reads besides the plan (docs/language.md, “Resource levelling”):
/// each person's capacity and the responsible (R) assignments, in the order they were made.
enum LevelSQL {
    static let people = "SELECT id, name, capacity FROM people"
    static let responsibleAssignments = "SELECT task, person, units FROM assignments WHERE role = 'R' ORDER BY id"
}
