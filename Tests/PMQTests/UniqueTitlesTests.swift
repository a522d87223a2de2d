import Foundation
import Testing
@testable import PMQ

/// H15: a risk's, defect's or change's title is its key and names one row. New titles are kept
/// unique by the statements that write them (Golden/fixes-k.golden); a file made before the
/// rule may hold a title twice, and still opens: its rows stay, and a reference by the repeated
/// title is refused as ambiguous instead of silently taking one of them.
@Suite("Titles name one row")
struct UniqueTitlesTests {
    @Test("a title held twice by an older file is refused as ambiguous, until one is renamed", arguments: TestEngine.all)
    func olderDuplicates(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let session = try store.session()
        #expect(session.run("add project \"A\"; add task \"a\" wbs 1; add field \"rk\" to tasks type risk").1.isEmpty)
        // What a file from before the rule may hold: two risks titled "r" (written past the executor).
        try session.db.run("INSERT INTO risks (title, impact) VALUES ('r', 1)", [])
        try session.db.run("INSERT INTO risks (title, impact) VALUES ('r', 5)", [])
        let (_, refused) = session.run("update 1 set rk = \"r\"")
        #expect(refused.map(\.message) == ["risk \"r\" is ambiguous: more than one risk has that title"])
        let (_, linked) = session.run("add change \"c\"; add change_task change \"c\" task 1; update risks where impact = 5 set title = \"r5\"; update 1 set rk = \"r\"")
        #expect(linked.isEmpty)
        let (rows, d) = session.run("tasks select rk, rk.impact as i")
        #expect(d.isEmpty)
        #expect(rows == [.rows(columns: [ResultColumn(name: "rk", kind: .reference), ResultColumn(name: "i", kind: .number)],
                               rows: [[.reference("r"), .integer(1)]], single: false)])
    }
}
