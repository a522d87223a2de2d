/// Risks, defects and changes are named by their `title`, as people by name and projects by
/// code (docs/language.md, “Keys name one row”): a reference, `history of` and the journal find
/// a row by its key, so a title names one row. People and projects have a unique index for it;
/// titles are kept unique by the statements that write them (`add` and `import`, `update ...
/// set title`, `undo`) rather than by an index, because files made before this rule may hold a
/// title twice: such a file still opens, its rows stay as they are, and a reference by the
/// repeated title is refused as ambiguous (`AddExecutor.resolve`) until one is renamed.
enum UniqueTitles {
    /// The entities whose key is kept unique here (the others' keys have a unique index).
    static let tables: Set<String> = ["risks", "defects", "changes"]

    static func applies(to entity: EntityDef) -> Bool { tables.contains(entity.table) }

    /// `risk "r" already exists`, as for a person or a project.
    static func taken(_ entity: EntityDef, _ title: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(code: .duplicate, message: "\(entity.singular) \"\(title)\" already exists", range: range,
                     notes: ["a \(entity.singular) is named by its title: give this one another"])
    }

    /// An `update` that would give two rows one new title.
    static func shared(_ entity: EntityDef, _ title: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(code: .duplicate, message: "refused: two \(entity.plural) would have the title \"\(title)\"", range: range,
                     notes: ["a \(entity.singular) is named by its title: give each its own"])
    }

    /// A reference by a title that more than one row has (a file from before the rule).
    static func ambiguous(_ entity: EntityDef, _ title: String, _ range: SourceRange) -> RuntimeError {
        RuntimeError(code: .duplicate, message: "\(entity.singular) \"\(title)\" is ambiguous: more than one \(entity.singular) has that title", range: range,
                     notes: ["rename all but one, e.g. update \(entity.plural) where title = \"\(title)\" and ... set title = \"...\""])
    }

    /// Refuses an `add` (or an imported row) whose title another row has.
    static func refuseTaken(_ entity: EntityDef, _ title: Value?, _ range: SourceRange, _ db: any Engine) throws {
        guard applies(to: entity), let key = entity.key, case .text(let t)? = title else { return }
        if case .integer = try db.scalar(AddSQL.rowsByKey(table: entity.table, key: key), [.text(t)]) {
            throw taken(entity, t, range)
        }
    }
}
