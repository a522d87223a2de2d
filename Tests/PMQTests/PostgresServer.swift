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
        // system(3), not Process: the server started in the background must not be waited for.
        let outFile = dir + ".url", errFile = dir + ".err"
        // The script also watches this process and stops the cluster when it is gone (the
        // atexit below is not always run at the end of a test run).
        let status = system("PMQ_PG_WATCH_PID=\(getpid()) bash '\(script)' start '\(dir)' > '\(outFile)' 2> '\(errFile)' < /dev/null")
        let url = ((try? String(contentsOfFile: outFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let why = ((try? String(contentsOfFile: errFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(atPath: outFile)
        try? FileManager.default.removeItem(atPath: errFile)
        guard status == 0, !url.isEmpty else {
            print("PostgreSQL tests skipped: \(why.isEmpty ? "the cluster did not start" : why)")
            return (nil, "no PostgreSQL server (\(why)): PostgreSQL tests skipped")
        }
        stopDirectory = dir
        atexit {
            guard let dir = TestPostgres.stopDirectory else { return }
            let script = TestPostgres.repository.appendingPathComponent(".ci/pg-cluster").path
            _ = system("bash '\(script)' stop '\(dir)' > /dev/null 2>&1 < /dev/null")
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
