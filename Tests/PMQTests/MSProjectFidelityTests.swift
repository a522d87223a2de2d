import Foundation
import Testing
@testable import PMQ

/// What an MS Project file says that PMQ's import used to lose or change without a word
/// (review 6: V5, V9, V18, V19), on both engines. Expected values are MS Project's own (the
/// dates it wrote in the file) and MPXJ's reading of the same elements.
@Suite("MS Project XML import keeps what the file says")
struct MSProjectFidelityTests {
    typealias F = MSProjectImportChecksTests

    /// Imports `xml` as project "W" on `engine` (today `today`), runs `then`, and gives each
    /// statement's rows as text (a change as its report line).
    static func run(_ xml: String, on engine: TestEngine, today: String = "2026-03-02", _ then: [String]) throws -> [[[String]]] {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session(today: today)
        let path = Scratch("mspdi-fidelity").write("p.xml", xml)
        var out: [[[String]]] = []
        for text in ["import \"\(path)\" as \"W\""] + then {
            let r = s.run(text)
            #expect(r.diagnostics.isEmpty, "\(text): \(r.diagnostics.map(\.message))")
            switch r.results.last {
            case .rows(_, let rows, _)?: out.append(rows.map { $0.map { ConstantEvaluator.text($0) } })
            case .change(let c)?: out.append([[c.verb, String(c.count), c.note ?? ""]])
            case .scalar(let v, _)?: out.append([[ConstantEvaluator.text(v)]])
            default: out.append([])
            }
        }
        return out
    }

    @Test("V18: a percent lag (LagFormat 19) is that share of the predecessor's duration", arguments: TestEngine.all)
    func percentLag(_ engine: TestEngine) throws {
        // 50% (LinkLag 500, tenths of a percent, as MPXJ reads it) after a 2-day task: 1 day.
        let link = "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>500</LinkLag><LagFormat>19</LagFormat></PredecessorLink>"
        let xml = F.project([F.task(1, "1", "<Duration>PT16H0M0S</Duration>", start: "2026-03-02", finish: "2026-03-03"),
                             F.task(2, "2", "<Duration>PT8H0M0S</Duration>" + link, start: "2026-03-05", finish: "2026-03-05")])
        let r = try Self.run(xml, on: engine, ["dependencies select lag"])
        #expect(r[1] == [["1d"]])
    }
}
