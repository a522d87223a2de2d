import Foundation
import Testing
@testable import PMQ

/// While the tasks table's indexes are away, an import writes its task rows
/// `TaskRowWriter.batchRows` to an INSERT (BENCHMARKS.md, “Issue 14, tenth pass”). The rows,
/// their ids, the journal, the row versions, undo and redo, and every error with its place
/// must be those of one INSERT a row (`SessionContext.importRowsPerInsert = 1`).
@Suite("import: task rows written many to an INSERT")
struct ImportBatchTests {
    /// More rows than `DeferredTaskIndexes.minimumRows`, and not a whole number of batches.
    static let rowCount = DeferredTaskIndexes.minimumRows + 1_517

    /// A phase 2, its packages and their tasks: owners, statuses, durations and milestones,
    /// with the cells a package's rows leave empty chosen per package and now and then per
    /// row (so the columns change: runs of one shape, and shapes changing within a batch).
    /// `change` rewrites the line of that number (the header is line 1).
    static func csv(seed: UInt64, _ change: (Int) -> String? = { _ in nil }) -> String {
        var rng = SeededGenerator(seed: seed)
        var lines = ["wbs,name,owner,status,progress,start,finish,duration,cost,milestone", "2,Phase,,,,,,,,"]
        var package = 0
        while lines.count - 1 < rowCount {
            package += 1
            lines.append("2.\(package),Package \(package),,,,,,,,")
            // Per package: which of owner, status, progress, start, finish or duration, cost are given.
            var given = (0..<6).map { _ in rng.below(4) != 0 }
            let byDuration = rng.below(4) == 0
            for t in 1...(1 + rng.below(80)) where lines.count - 1 < rowCount {
                let code = "2.\(package).\(t)"
                if rng.below(12) == 0 { given[rng.below(6)].toggle() }
                let day = 1 + rng.below(28)
                let start = given[3] ? String(format: "2026-04-%02d", day) : ""
                if rng.below(40) == 0 {
                    lines.append("\(code),M \(code),,,,\(start),,,,true")
                    continue
                }
                let owner = given[0] ? ["Li Wei", "王芳"][rng.below(2)] : ""
                let status = given[1] ? ["todo", "doing", "done", "blocked"][rng.below(4)] : ""
                let progress = status == "done" ? "100" : given[2] ? String(rng.below(100)) : ""
                let finish = given[4] && !byDuration ? String(format: "2026-05-%02d", day) : ""
                let duration = given[4] && byDuration ? ["3d", "2wd", "0d", "10wd"][rng.below(4)] : ""
                let cost = given[5] ? String(rng.below(10_000)) : ""
                lines.append("\(code),T \(code),\(owner),\(status),\(progress),\(start),\(finish),\(duration),\(cost),")
            }
        }
        for i in lines.indices { if let c = change(i + 1) { lines[i] = c } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same rows as a JSON array of objects, the empty cells left out (JSON's keys are
    /// read in sorted order: the columns of a row are another order than the CSV's).
    static func json(_ csv: String) -> String {
        let lines = csv.split(separator: "\n").map(String.init)
        let names = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let objects = lines.dropFirst().map { line -> String in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let pairs = zip(names, cells).filter { !$0.1.isEmpty }.map { "\"\($0.0)\": \"\($0.1)\"" }
            return "{" + pairs.joined(separator: ", ") + "}"
        }
        return "[" + objects.joined(separator: ",\n") + "]\n"
    }

    /// Two sessions on the same project: one writes each row alone, one many to an INSERT.
    static func pair() throws -> (alone: Session, many: Session) {
        let alone = try midProject(), many = try midProject()
        alone.context.importRowsPerInsert = 1
        for s in [alone, many] { s.journal.user = "test" }
        #expect(many.context.importRowsPerInsert > 1)
        return (alone, many)
    }

    @Test("the same rows, ids, journal and versions as one INSERT a row; undo and redo take and give back the same",
          arguments: [(UInt64(1), "csv"), (2, "csv"), (3, "csv"), (4, "json")])
    func sameRows(_ seed: UInt64, _ format: String) throws {
        let f = Scratch("import-batch")
        let text = Self.csv(seed: seed)
        f.write("t.\(format)", format == "json" ? Self.json(text) : text)
        let (alone, many) = try Self.pair()
        let before = try RollupOneStatementTests.dump(alone)
        #expect(before == (try RollupOneStatementTests.dump(many)))
        var after: [String] = []
        for s in [alone, many] {
            let (results, d) = s.run("import \"t.\(format)\" into tasks", name: f.path("script.pmq"))
            #expect(d.isEmpty, "\(d.map(DiagnosticRenderer.render))")
            #expect(results == [.change(ChangeReport(verb: "imported", entity: "task", count: Self.rowCount, detail: nil))])
            #expect(s.context.lastDeferredFrom != nil, "the indexes went away for the rows")
        }
        // The fast path ran (nearly every row went in many to an INSERT), and the other did not.
        #expect(alone.context.importRowsBatched == 0)
        #expect(many.context.importRowsBatched >= TaskRowWriter.batchRows * 4, "\(many.context.importRowsBatched) of \(Self.rowCount)")
        after = try RollupOneStatementTests.dump(alone)
        Self.same(after, try RollupOneStatementTests.dump(many), "seed \(seed), after the import")
        #expect(try DeferredIndexTests.indexes(many) == (try DeferredIndexTests.indexes(alone)))
        // Undo and redo journal themselves: the two sessions' tables stay equal, and the tasks
        // go back to before the import and forth to after it.
        func tasks(_ dump: [String]) -> [String] { dump.filter { $0.hasPrefix("tasks: ") } }
        for (step, expected) in [("undo", before), ("redo", after), ("undo", before)] {
            for s in [alone, many] { #expect(s.run(step).diagnostics.isEmpty, "\(step)") }
            let a = try RollupOneStatementTests.dump(alone), m = try RollupOneStatementTests.dump(many)
            Self.same(a, m, "seed \(seed), \(step)")
            Self.same(tasks(m), tasks(expected), "seed \(seed), \(step): the tasks")
        }
        // A statement after the import sees the same rows.
        for s in [alone, many] {
            #expect(s.run("redo").diagnostics.isEmpty)
            #expect(s.run("update tasks where wbs under 2.1 set progress = 50").diagnostics.isEmpty)
        }
        Self.same(try RollupOneStatementTests.dump(alone), try RollupOneStatementTests.dump(many), "seed \(seed), an update after")
    }

    static func same(_ a: [String], _ b: [String], _ note: String) {
        #expect(a.count == b.count, "\(note): \(a.count) rows against \(b.count)")
        if let i = a.indices.first(where: { $0 < b.count && a[$0] != b[$0] }) {
            Issue.record("\(note): \(a[i]) against \(b[i])")
        }
    }

    /// Line numbers of the file's rows (the header is line 1): `last` the last row.
    static let last = rowCount + 1

    /// The error cases, with the rows an INSERT takes: "older then short row" with 10,000
    /// keeps the repeated code's row held when the reader fails two lines on (the rows before
    /// it, of another shape, went in), so it fails if the importer does not write the held
    /// rows before it looks for the earlier error.
    @Test("an error while rows are held: the same message at the same place, nothing kept",
          arguments: [
            // a repeat of a code of the file
            ("repeat", 32),
            // an older task's code (found when the indexes are built again), then a bad date three rows on
            ("older then bad date", 32),
            // an older task's code, then a row too short (the reader's error, not a row's) two rows on
            ("older then short row", 32), ("older then short row", 10_000),
            // a bad date alone, near the end (rows held before it)
            ("bad date", 32),
            // an unknown owner
            ("unknown owner", 32),
          ])
    func errors(_ kind: String, _ rowsPerInsert: Int) throws {
        let at = Self.last - 40
        let change: (Int) -> String? = { line in
            switch kind {
            case "repeat": return line == at ? "2.1,again,,,,,,,," : nil
            case "older then bad date": return line == at ? "1.2,again,,,,,,,," : line == at + 3 ? "2.999.1,bad,,,,2026-02-30,,,," : nil
            case "older then short row":
                // Two rows of the same shape (wbs and name), so the second keeps the first held.
                return line == at - 1 ? "2.999.9,before,Li Wei,,,,,,," : line == at ? "1.2,again,,,,,,,," : line == at + 1 ? "2.999.2,held,,,,,,,,"
                    : line == at + 2 ? "2.999.1,short" : nil
            case "bad date": return line == at ? "2.999.1,bad,,,,2026-13-01,,,," : nil
            default: return line == at ? "2.999.1,who,Nobody,,,,,,," : nil
            }
        }
        let f = Scratch("import-batch-errors")
        f.write("e.csv", Self.csv(seed: 7, change))
        let (alone, many) = try Self.pair()
        many.context.importRowsPerInsert = rowsPerInsert
        let before = try RollupOneStatementTests.dump(many)
        var messages: [String] = []
        for s in [alone, many] {
            let d = s.run("import \"e.csv\" into tasks", name: f.path("script.pmq")).diagnostics
            messages.append(DiagnosticRenderer.render(d))
        }
        #expect(messages[0] == messages[1])
        #expect(messages[1].hasPrefix("e.csv:\(at):"), "\(messages[1])")
        switch kind {
        case "repeat": #expect(messages[1].contains("duplicate WBS code 2.1: task 2.1 (\"Package 1\") already exists"), "\(messages[1])")
        case "older then bad date", "older then short row": #expect(messages[1].contains("duplicate WBS code 1.2"), "\(messages[1])")
        default: break
        }
        Self.same(try RollupOneStatementTests.dump(many), before, "\(kind): nothing kept")
        #expect(try DeferredIndexTests.indexes(many).count >= 5)
    }
}
