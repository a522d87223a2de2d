import Testing
@testable import PMQ

/// `EntityDef.field(_:)` finds ASCII names through a table of its own before the dictionary
/// (figure a): it must find exactly what the dictionary finds.
@Suite("Field look-up")
struct FieldLookupTests {
    @Test("every field of every entity is found by its name, in upper case too; unknown names are not")
    func builtInFields() {
        for e in Catalog.entities {
            for f in e.fields {
                #expect(e.field(f.name) === f, "\(e.plural).\(f.name)")
                #expect(e.field(f.name.uppercased()) === f, "\(e.plural).\(f.name.uppercased())")
            }
            #expect(e.field("id") === Catalog.idField)
            for unknown in ["", "nosuchfield", "name_", "x", "owner.name"] {
                #expect(e.field(unknown) == nil, "\(e.plural): \(unknown)")
            }
        }
    }

    @Test("custom fields: many, repeated, non-ASCII, and a non-ASCII name canonically equal to an ASCII one")
    func customFields() throws {
        let tasks = try #require(Catalog.plural("tasks"))
        // Enough names to fill the table's probe runs; the first of a repeated name wins, as in the dictionary.
        let many = (0..<200).map { FieldDef("extra_\($0)", .text, custom: true) }
        let first = FieldDef("vendor", .text, custom: true), second = FieldDef("vendor", .number, custom: true)
        let wide = tasks.adding(many + [first, second])
        for f in many { #expect(wide.field(f.name) === f) }
        #expect(wide.field("vendor") === first && wide.field("VENDOR") === first)
        #expect(wide.field("extra_200") == nil && wide.field("name") === tasks.field("name"))

        // A non-ASCII field name: found by itself and by a canonically equal spelling
        // (precomposed against decomposed), and ASCII names still found.
        let cafe = FieldDef("caf\u{E9}", .text, custom: true)
        let accented = tasks.adding([cafe])
        #expect(accented.field("caf\u{E9}") === cafe)
        #expect(accented.field("cafe\u{301}") === cafe)
        #expect(accented.field("wbs") === tasks.field("wbs") && accented.field("cafe") == nil)

        // A non-ASCII name asked of an all-ASCII entity goes to the dictionary: a name that is
        // canonically an ASCII one (U+037E GREEK QUESTION MARK is ";") finds that field.
        let semi = FieldDef("a;", .text, custom: true)
        let ascii = tasks.adding([semi])
        #expect(ascii.field("a\u{37E}") === semi && ascii.field("a;") === semi)
    }
}
