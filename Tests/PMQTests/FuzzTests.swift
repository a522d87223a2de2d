import Foundation
import Testing
@testable import PMQ

/// A short, deterministic mutation fuzz run inside `swift test`: texts from the golden
/// files and examples/ are mutated (PMQ keywords spliced in, bytes flipped, slices
/// duplicated or cut, nesting piled up) and run on an in-memory session under limits.
/// A crash kills the test process, so the suite fails; every crash found here becomes a
/// golden case. PMQ_FUZZ_RUNS=N runs longer (a different N gives different inputs).
@Suite("Fuzz: mutated inputs never crash")
struct FuzzTests {
    static let dictionary = [
        "tasks", "people", "risks", "count", "where", "group by", "select", "order by", "limit", "offset", "and", "or",
        "not", "in", "between", "is null", "under", "~", "!~", "=", "!=", "<", ">=", "+", "-", "*", "/", "(", ")", "{", "}",
        "\"", "'", "\"{", "}\"", ",", ".", "->", "let x = ", "fn f(x) = ", "f(f(x))", "for t in tasks {", "if true {",
        "else", "print ", "assert ", "update tasks set ", "shift tasks by ", "delete ", "add task \"T\" wbs ", "undo",
        "redo", "history", "schedule", "health", "save query q = ", "drop query q", "2026-02-29", "2026-03-16",
        "9999-12-31", "0000-01-01", "1000000d", "5wd", "3w", "4h", "99999999999999999999", "1.2.3", "today", "null",
        "late", "overdue", "owner.department", "sum(cost)", "count()", "\\u{0}", "\u{7}", "\u{1b}[2J", "中文", "👩‍👩‍👧",
        "\n", ";", "#", "\\\n", "explain ", "baseline save", "use project \"GOV\"", "begin", "commit", "import \"x\"",
    ]


    static func seeds() -> [[UInt8]] {
        var texts = Golden.cases().map { $0.input }
        let examples = PMQProcess.root.appendingPathComponent("examples")
        if let walk = FileManager.default.enumerator(atPath: examples.path) {
            for case let name as String in walk where name.hasSuffix(".pmq") {
                if let t = try? String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8) { texts.append(String(t.prefix(4000))) }
            }
        }
        return texts.map { Array($0.utf8) }
    }

    static func mutate(_ input: [UInt8], _ seeds: [[UInt8]], _ r: inout SeededGenerator) -> [UInt8] {
        var b = input
        for _ in 0...r.below(4) {
            let at = r.below(b.count + 1)
            switch r.below(7) {
            case 0, 1:  // splice in a keyword or symbol
                b.insert(contentsOf: Array(dictionary[r.below(dictionary.count)].utf8), at: at)
            case 2:  // flip a byte
                if !b.isEmpty { b[min(at, b.count - 1)] = UInt8(truncatingIfNeeded: r.next()) }
            case 3:  // cut a slice
                let end = min(b.count, at + r.below(16))
                b.removeSubrange(at..<end)
            case 4:  // duplicate a slice
                let end = min(b.count, at + r.below(32))
                b.insert(contentsOf: Array(b[at..<end]), at: at)
            case 5:  // pile up nesting
                let open = ["(", "{", "\"{", "if true {\n", "-"][r.below(5)]
                let n = 1 + r.below(300)
                b.insert(contentsOf: Array(String(repeating: open, count: n).utf8), at: at)
            default:  // splice another seed
                let other = seeds[r.below(seeds.count)]
                let from = r.below(other.count + 1)
                b.insert(contentsOf: other[from..<min(other.count, from + r.below(200))], at: at)
            }
        }
        return Array(b.prefix(20_000))
    }

    @Test("mutated golden and example texts run under limits without a crash")
    func mutationRun() throws {
        let seeds = Self.seeds()
        #expect(seeds.count > 50)
        let runs = Int(ProcessInfo.processInfo.environment["PMQ_FUZZ_RUNS"] ?? "") ?? 1_500
        var r = SeededGenerator(seed: UInt64(runs))
        let session = try Session(path: nil, today: Day(iso: "2026-03-16"))
        session.limits.maxSteps = 2_000
        session.limits.timeout = .milliseconds(500)
        session.limits.fileAccess = false
        _ = session.run(seeds.first { String(decoding: $0, as: UTF8.self).contains("add task") }.map { String(decoding: $0, as: UTF8.self) } ?? "")
        var failed = 0
        for _ in 0..<runs {
            let input = Self.mutate(seeds[r.below(seeds.count)], seeds, &r)
            let source = SourceFile(name: "<fuzz>", text: String(decoding: input, as: UTF8.self))
            let d = session.run(source) { _ in }
            if !d.isEmpty { failed += 1 }
            _ = DiagnosticRenderer.render(d)
            _ = session.check(source)
        }
        // Most mutants are wrong somewhere; some must still run, or the mutator is too blunt.
        #expect(failed > runs / 4 && failed < runs)
    }
}
