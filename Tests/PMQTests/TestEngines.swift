import Foundation
import Testing
@testable import PMQ

/// The engines the suites that touch the store run on: a test argument, so each such test
/// runs once on SQLite and once on PostgreSQL (docs/language.md, “Teams on a server”: every statement behaves the same).
/// Without a server the PostgreSQL case is cancelled, saying why (see TestPostgres).
enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
    static let all = TestEngine.allCases
}

/// An empty model on one engine. SQLite: in memory, or a temporary file when the test needs
/// one (`file:`, for a `pmq` process to open); PostgreSQL: a schema of its own on the test
/// server. Call `drop()` when done (a `defer`): the schema is removed then, never earlier.
final class TestStore {
    let engine: TestEngine
    /// What `Session(path:)`, `--db` and `PMQ_DB` take: a path, a URL, or nil (memory).
    let location: String?

    init(_ engine: TestEngine, file: String? = nil) throws {
        self.engine = engine
        switch engine {
        case .sqlite:
            location = file.map(PMQProcess.tempDB)
        case .postgres:
            guard TestPostgres.available else {
                _ = TestStore.saidWhy
                try Test.cancel(Comment(rawValue: TestPostgres.reason))
            }
            location = try TestPostgres.freshURL()
        }
    }

    /// A session on the store.
    func session(today: String = "2026-03-16") throws -> Session {
        try Session(path: location, today: Day(iso: today))
    }

    /// `--db LOCATION` for a `pmq` process (the engine needs a place a process can open).
    var dbArguments: [String] { location.map { ["--db", $0] } ?? [] }

    /// The console does not show a cancelled test case's reason: said once, here.
    static let saidWhy: Void = print("the PostgreSQL cases of the tests run on both engines are cancelled: \(TestPostgres.reason)")

    func drop() {
        if engine == .postgres, let location { TestPostgres.drop(location) }
    }
}
