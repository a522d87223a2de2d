import Foundation
import Testing
@testable import PMQ

/// Findings of review 11 (differential testing of §4, §7, §8.3, §8.4): each test failed before its fix.
@Suite("Review 11 fixes")
struct Review11FixesTests {
    @Test("F3: an error the database raises while a query statement runs is located at that statement, with its line and caret")
    func queryRuntimeErrorLocated() throws {
        let text = "add task \"x\" wbs 1\ncount tasks\n  tasks select abs(-9223372036854775807 - 1) as a\n"
        let r = try PMQProcess.run(["-e", text])
        #expect(r.status == 1)
        #expect(r.stderr.contains("<eval>:3:3: error: integer overflow\n  tasks select abs(-9223372036854775807 - 1) as a\n  ^~~~"), "\(r.stderr)")
        // `explain` runs its query's plan, not the query: it stays clean.
        let e = try PMQProcess.run(["-e", "add task \"x\" wbs 1", "-e", "explain tasks select abs(-9223372036854775807 - 1) as a"])
        #expect(e.status == 0, "\(e.stderr)")
    }
}
