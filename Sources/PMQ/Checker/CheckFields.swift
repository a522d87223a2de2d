/// `add field` and `drop field` (docs/language.md, “Custom fields”): what a custom field may be called, its
/// type, values and default. A field the script adds is known to the statements after
/// it (the checker's schema grows as it goes), as a `let` variable is.
extension Checker {
    /// Types a custom field may have besides a reference to an entity.
    static let customFieldTypes = ["text", "number", "date", "duration", "bool", "enum"]

    /// Names that already mean something in an expression: a custom field by one of
    /// these names could not be told from the built-in.
    static var builtinNames: Set<String> {
        Set(aggregates.keys).union(relativeDates).union(DatePart.allCases.map(\.rawValue))
            .union(["lower", "upper", "length", "abs", "round", "coalesce", "if", "me", "id"])
    }

    mutating func checkAddField(_ a: AddFieldStatement, _ range: SourceRange) -> Checked? {
        guard let entity = fieldEntity(a.entity, verb: "add") else { return nil }
        let name = a.name.text.lowercased()
        guard validFieldName(name, a.name.range) else { return nil }
        if entity.field(name) != nil {
            let kind = entity.field(name)?.custom == true ? "a custom field" : "a field"
            diagnostics.error(.nameTaken, "\"\(name)\" is already \(kind) of \(entity.plural)", a.name.range)
            return nil
        }
        if Keywords.contains(name) || Keywords.isSource(name) {
            diagnostics.error(.nameTaken, "\"\(name)\" is a keyword of PMQ: give the field another name", a.name.range)
            return nil
        }
        if Checker.builtinNames.contains(name) {
            diagnostics.error(.nameTaken, "\"\(name)\" is a built-in name of PMQ: give the field another name", a.name.range)
            return nil
        }
        let typeName = a.type.lowered
        var field = CustomField(id: 0, table: entity.table, name: name, type: typeName, values: [], defaultValue: nil,
                                column: CustomField.column(for: name))
        if !Checker.customFieldTypes.contains(typeName) {
            // A reference names its row by key: entities without one (costs, ...) cannot be referenced.
            let targets = schema.entities.filter { !$0.isReadOnly && !$0.onlyMilestones && $0.key != nil }
            guard let target = targets.first(where: { $0.singular == typeName }) else {
                let names = Checker.customFieldTypes + targets.map(\.singular)
                diagnostics.error(.unknownType, "unknown type \"\(a.type.text)\"\(Suggestions.didYouMean(a.type.text, names))", a.type.range,
                                  notes: ["a field's type is one of: " + names.joined(separator: ", ")])
                return nil
            }
            field.type = target.plural
        }
        if let values = a.values {
            guard typeName == "enum" else {
                diagnostics.error(.unexpectedToken, "only an enum field has values", values.first?.range ?? a.type.range)
                return nil
            }
            for v in values {
                guard case .string(let s) = v.kind, !s.trimmingCharacters(in: .whitespaces).isEmpty else {
                    diagnostics.error(.wrongType, "an enum's values are text in quotes, like (\"L2\", \"L3\")", v.range)
                    return nil
                }
                if field.values.contains(where: { $0.lowercased() == s.lowercased() }) {
                    diagnostics.error(.givenTwice, "\"\(s)\" is given twice", v.range)
                    return nil
                }
                field.values.append(s)
            }
        } else if typeName == "enum" {
            diagnostics.error(.unexpectedToken, "an enum field needs its values: type enum values (\"L2\", \"L3\")", a.type.range)
            return nil
        }
        if let d = a.defaultValue {
            // The default is checked as a value of the new field, with the messages `add` gives.
            guard let v = checkValue(d, field.definition) else { return nil }
            if v.isNull {
                diagnostics.error(.nullNotAllowed, "a default cannot be null: leave \"default\" out instead", d.range)
                return nil
            }
            if case .reference = field.fieldType {
                diagnostics.error(.invalidValue, "a reference field has no default", d.range)
                return nil
            }
            field.defaultValue = v
        }
        schema = schema.adding(field)
        return .addField(field, range)
    }

    mutating func checkDropField(_ nameToken: Name, _ entityName: Name, _ range: SourceRange) -> Checked? {
        guard let entity = fieldEntity(entityName, verb: "drop") else { return nil }
        let name = nameToken.text.lowercased()
        guard let f = entity.field(name) else {
            let custom = entity.fields.filter(\.custom).map(\.name)
            diagnostics.error(.unknownField, "\(entity.plural) have no field \"\(nameToken.text)\"\(Suggestions.didYouMean(nameToken.text, custom))",
                              nameToken.range, notes: custom.isEmpty ? [] : ["custom fields of \(entity.plural): " + custom.joined(separator: ", ")])
            return nil
        }
        guard f.custom else {
            diagnostics.error(.notSettable, "\"\(f.name)\" is a built-in field of \(entity.plural) and cannot be dropped", nameToken.range,
                              notes: ["only fields made with add field can be dropped"])
            return nil
        }
        schema = schema.dropping(table: entity.table, name: f.name)
        return .dropField(table: entity.table, name: f.name, range)
    }

    /// The entity named in `add field ... to X` / `drop field ... from X`.
    private mutating func fieldEntity(_ n: Name, verb: String) -> EntityDef? {
        guard let entity = schema.entity(named: n.lowered) else {
            let names = schema.entities.filter { !$0.isReadOnly }.map(\.plural)
            diagnostics.error(.unknownEntity, "unknown entity \"\(n.text)\"\(Suggestions.didYouMean(n.text, names))", n.range,
                              notes: ["fields can be added to: " + names.joined(separator: ", ")])
            return nil
        }
        if entity.isJournal {
            diagnostics.error(.readOnly, "the journal is read-only: it has no custom fields", n.range)
            return nil
        }
        if entity.isReadOnly {
            diagnostics.error(.readOnly, "load is computed: it has no custom fields", n.range)
            return nil
        }
        // Milestones are tasks: their fields are the tasks' fields.
        return entity.onlyMilestones ? schema.tasks : entity
    }

    /// A field's name is one word as a query writes it: a letter or `_`, then letters,
    /// digits or `_` (any script: `等保级别` is a name).
    private mutating func validFieldName(_ name: String, _ range: SourceRange) -> Bool {
        let scalars = Array(name.unicodeScalars)
        let ok = !scalars.isEmpty && scalars.count <= 64
            && (scalars[0].properties.isAlphabetic || scalars[0] == "_")
            && scalars.allSatisfy { $0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0) }
        if !ok {
            diagnostics.error(.invalidValue, "a field's name is one word of letters, digits and _, starting with a letter (at most 64): \"\(name)\" is not", range)
        }
        return ok
    }
}
