import Foundation
import Testing
@testable import PMQ

/// Which rule refused a change is a typed value of the error (`StoreError.constraint`), read from
/// SQLite's extended result code and PostgreSQL's SQLSTATE, never from the message text; `add`
/// and `import` tell a clash of keys by it.
@Suite("Typed constraint failures")
struct ConstraintFailureTests {
    func failure(_ s: Session, _ sql: String, _ args: [Value] = []) -> StoreError? {
        do { try s.db.run(sql, args); return nil } catch let e as StoreError { return e } catch { return nil }
    }

    @Test("unique, not null and foreign key failures are told apart by a typed value", arguments: TestEngine.all)
    func kinds(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session()
        #expect(s.run("add person \"Li Wei\"\nadd project \"GOV\"\nadd task \"Plan\" wbs 1").diagnostics.isEmpty)
        let unique = failure(s, "INSERT INTO people (name) VALUES (?1)", [.text("Li Wei")])
        #expect(unique?.isUniqueViolation == true)
        if engine == .postgres { #expect(unique?.constraint == .unique(name: "people_name_key")) }
        let notNull = failure(s, "INSERT INTO people (name) VALUES (NULL)")
        #expect(notNull?.constraint == .notNull)
        let foreign = failure(s, "UPDATE tasks SET owner = 999")
        #expect(foreign?.constraint == .foreignKey)
        #expect(foreign?.isUniqueViolation == false)
        // Not a constraint: no constraint value.
        #expect(failure(s, "SELECT no_such_column FROM tasks")?.constraint == nil)
    }

    @Test("add refuses a repeated key, WBS code and link as before, on both engines", arguments: TestEngine.all)
    func addRefusals(_ engine: TestEngine) throws {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session()
        #expect(s.run("add person \"Li Wei\"\nadd project \"GOV\"\nadd task \"Plan\" wbs 1\nadd change \"C1\"").diagnostics.isEmpty)
        #expect(s.run("add person \"Li Wei\"").diagnostics.map(\.message) == ["person \"Li Wei\" already exists"])
        #expect(s.run("add task \"Again\" wbs 1").diagnostics.map(\.message) == ["duplicate WBS code 1: task 1 (\"Plan\") already exists"])
        #expect(s.run("add change_task change \"C1\" task 1").diagnostics.isEmpty)
        #expect(s.run("add change_task change \"C1\" task 1").diagnostics.first?.message.hasPrefix("the same change_task already exists") == true)
    }

    /// The mapping from "a unique key clashed" to which key rests on this: every table `add`
    /// and `import` insert into has at most one unique key besides its id.
    @Test("every entity's table has at most one unique key besides its id")
    func oneUniqueKey() throws {
        let s = try Session(path: nil)
        for table in Set(Catalog.entities.map(\.table)) {
            var indexes: [String] = []
            try s.db.query("SELECT name FROM pragma_index_list(?1) WHERE \"unique\" = 1 AND origin != 'pk'", [.text(table)]) { r in
                if case .text(let n) = r[0] { indexes.append(n) }
            }
            #expect(indexes.count <= 1, "\(table): \(indexes)")
        }
    }
}
