import Foundation
import Testing
@testable import PMQ

/// The diagnostic ids hosts match on: each one is listed in docs/messages.md, and a
/// statement that makes each common problem reports the id the catalogue gives it.
@Suite("The message catalogue")
struct MessageCatalogueTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/messages.md")

    /// docs/messages.md as the catalogue writes it.
    static func renderedPage() -> String {
        var out = """
            # Diagnostic ids

            Every error PMQ reports carries a stable id from this list. Hosts and tests match on
            the id (`code` in the C ABI's JSON and in the language server, `Diagnostic.code` in
            Swift), never on the text: the text quotes your names and values and may be improved,
            an id keeps its meaning. Each id belongs to one coarse kind (`id` in the C ABI,
            `Diagnostic.id` in Swift), which older hosts switch on.

            This page is generated from `Sources/PMQ/Source/MessageCatalogue.swift`; a test
            fails when the two differ (`PMQ_RECORD=1 swift test --filter MessageCatalogueTests` rewrites it).

            | id | kind | meaning |
            |---|---|---|

            """
        for id in MessageID.allCases {
            out += "| `\(id.rawValue)` | \(id.kind.rawValue) | \(id.meaning) |\n"
        }
        return out
    }

    @Test("docs/messages.md lists every id of the catalogue with its kind and meaning")
    func pageMatchesCatalogue() throws {
        let expected = Self.renderedPage()
        if ProcessInfo.processInfo.environment["PMQ_RECORD"] != nil {
            try expected.write(to: Self.page, atomically: true, encoding: .utf8)
        }
        let page = try String(contentsOf: Self.page, encoding: .utf8)
        #expect(page == expected, "docs/messages.md is out of date: run PMQ_RECORD=1 swift test --filter MessageCatalogueTests")
    }

    @Test("ids are unique, lower-case words joined by hyphens")
    func idsAreWellFormed() {
        let ids = MessageID.allCases.map(\.rawValue)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.allSatisfy { $0.isLowercase || $0 == "-" }, "\(id)")
        }
    }

    /// One statement per common problem, on a small mid-project plan, with the id it must report.
    static let cases: [(text: String, code: MessageID)] = [
        ("tasks where ownr = \"Li Wei\"", .unknownField),
        ("taskz", .unknownEntity),
        ("print nosuch", .unknownName),
        ("tasks select frob(1)", .unknownFunction),
        ("tasks select 2026-02-30", .outOfRange),
        ("tasks where status = \"finished\"", .unknownValue),
        ("tasks where name = 3", .wrongType),
        ("tasks select name, count()", .notGrouped),
        ("tasks where (1 + ", .incompleteInput),
        ("tasks where 1 < 2 < 3", .unexpectedToken),
        ("tasks select 3x", .malformedNumber),
        ("tasks select \"\\q\"", .malformedString),
        ("tasks select `", .unexpectedCharacter),
        ("add task \"Again\" wbs 1", .duplicate),
        ("add dependency 1 -> 1", .dependencyCycle),
        ("update tasks set slack = 3d", .notSettable),
        ("update 1 set progress = 40", .rolledUp),
        ("update 9.9 set progress = 40", .unknownRow),
        ("add task \"Orphan\" wbs 7.1", .missingParent),
        ("delete people where name = \"Li Wei\"", .stillReferenced),
        ("undo\nundo\nundo\nundo", .cannotUndo),
        ("add journal x 1", .readOnly),
        ("assert 1 = 2, \"no\"", .assertFailed),
        ("add field \"name\" to tasks type text", .nameTaken),
        ("add person \"Zhang\" backup \"Zhang\"", .invalidValue),
    ]

    @Test("each common problem reports its catalogue id", arguments: cases.indices)
    func reportsItsID(_ i: Int) throws {
        let (text, code) = Self.cases[i]
        let s = try Session(path: nil, today: Day(iso: "2026-03-16"))
        let (_, setup) = s.run("""
            add person "Li Wei"
            add project "GOV"
            add task "Plan" wbs 1 owner "Li Wei"
            add task "Design" wbs 1.1 start 2026-03-02 duration 5d owner "Li Wei"
            """)
        #expect(setup.isEmpty)
        let (_, d) = s.run(text)
        #expect(d.first?.code == code, "\(text): \(d.map { "\($0.code.rawValue): \($0.message)" })")
        #expect(d.first?.id == code.kind)
    }
}
