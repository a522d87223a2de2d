import Foundation
@testable import PMQ

/// The PostgreSQL server the tests that run on both engines use: `PMQ_TEST_POSTGRES` (a URL,
/// as `.ci/run` passes), or else a throw-away cluster this test process starts itself with
/// `.ci/pg-cluster` when the server's binaries are installed, stopped when the process exits.
/// Without either, the PostgreSQL tests are skipped and `reason` says why.
enum TestPostgres {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let state: (url: String?, reason: String) = start()

    static var url: String? { state.url }
    static var available: Bool { state.url != nil }
    static var reason: String { state.reason }

    private static func start() -> (String?, String) {
        if let url = ProcessInfo.processInfo.environment["PMQ_TEST_POSTGRES"], !url.isEmpty {
            if (try? PostgresEngine(url: url)) != nil { return (url, "PMQ_TEST_POSTGRES") }
            return (nil, "PMQ_TEST_POSTGRES=\(url) cannot be reached: PostgreSQL tests skipped")
        }
        let script = repository.appendingPathComponent(".ci/pg-cluster").path
        let dir = NSTemporaryDirectory() + "pmq-pg-\(getpid())"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, "start", dir]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return (nil, "cannot run .ci/pg-cluster: PostgreSQL tests skipped") }
        p.waitUntilExit()
        let url = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, !url.isEmpty else {
            let why = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            print("PostgreSQL tests skipped: \(why)")
            return (nil, "no PostgreSQL server (\(why)): PostgreSQL tests skipped")
        }
        stopDirectory = dir
        atexit {
            guard let dir = TestPostgres.stopDirectory else { return }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [TestPostgres.repository.appendingPathComponent(".ci/pg-cluster").path, "stop", dir]
            try? p.run()
            p.waitUntilExit()
        }
        return (url, "a cluster of this test run")
    }

    nonisolated(unsafe) static var stopDirectory: String?
    private static let counter = NSLock()
    nonisolated(unsafe) private static var next = 0

    /// A URL whose model starts empty: a schema of its own in the test database.
    static func freshURL() throws -> String {
        guard let url else { throw StoreError(.cannotOpen, reason) }
        counter.lock()
        next += 1
        let name = "t\(getpid())_\(next)"
        counter.unlock()
        let admin = try PostgresEngine(url: url)
        try admin.execute("DROP SCHEMA IF EXISTS \(name) CASCADE; CREATE SCHEMA \(name)")
        return url + "?options=-c%20search_path%3D\(name)"
    }

    /// Drops the schema `freshURL` made.
    static func drop(_ fresh: String) {
        guard let url, let r = fresh.range(of: "search_path%3D") else { return }
        try? PostgresEngine(url: url).execute("DROP SCHEMA IF EXISTS \(fresh[r.upperBound...]) CASCADE")
    }
}
