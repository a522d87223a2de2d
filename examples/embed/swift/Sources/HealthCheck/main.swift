import Foundation
import PMQ

// A weekly health check embedded in a Swift tool:
//   swift run --package-path examples/embed/swift HealthCheck [project.pmq]
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../..").standardized
let projectPath = CommandLine.arguments.dropFirst().first ?? root.appendingPathComponent("examples/gov-cloud/project.pmq").path

do {
    let session = try Session(path: nil, today: Day(iso: "2026-03-16"))
    // Generous limits: a host running its users' text would make them tight, and readOnly true.
    session.limits = Limits(maxSteps: 1_000_000, timeout: .seconds(10), readOnly: false)
    let project = try String(contentsOfFile: projectPath, encoding: .utf8)
    let loaded = session.run(project)
    guard loaded.diagnostics.isEmpty else {
        print(DiagnosticRenderer.render(loaded.diagnostics))
        exit(1)
    }

    // A host function, checked like a built-in: its arity and types are known to the checker.
    try session.register("budget_share", parameters: [.number], returns: .number) { args in
        guard let cost = args.first?.number else { return .null }
        return .decimal((cost / 4_800_000 * 1000).rounded() / 10)
    }

    let (results, diagnostics) = session.run("""
        count tasks where overdue
        tasks where overdue select wbs, owner, late, budget_share(cost) as pct order by late desc limit 3
        """)
    guard diagnostics.isEmpty else {
        print(DiagnosticRenderer.render(diagnostics))
        exit(1)
    }
    for result in results {
        print(OutputFormat.table.render(result) ?? "")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
