import Foundation
import Testing
@testable import PMQ

/// Faults of the file and the disk (issue 18): each gives one clear line on standard error
/// and exit status 1, never a crash, and never a half-written change.
@Suite("Faults: damaged, foreign, newer, unwritable files and a full disk", .serialized)
struct FaultTests {
    /// A small PMQ database with one project and one task.
    func sampleDB(_ name: String) throws -> String {
        let path = PMQProcess.tempDB(name)
        let r = try PMQProcess.run(["--db", path, "-e", "add project \"P\"", "-e", "add task \"T\" wbs 1"])
        #expect(r.status == 0, "\(r.stderr)")
        return path
    }

    func bytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }

    /// The status and standard error of one `pmq --db path -e text` run.
    func run(_ path: String, _ text: String) throws -> PMQProcess.Outcome {
        try PMQProcess.run(["--db", path, "-e", text])
    }

    @Test("a truncated database file is named as damaged")
    func truncated() throws {
        let path = try sampleDB("truncated.db")
        let whole = bytes(path)
        #expect(whole.count > 8192)
        try whole.prefix(3000).write(to: URL(fileURLWithPath: path))
        let out = try run(path, "count tasks")
        #expect(out.status == 1)
        #expect(out.stderr == "error: cannot open database \(path): the file is damaged (truncated or corrupt)\n")
        #expect(bytes(path) == whole.prefix(3000), "the file is left as it was")
    }

    @Test("a file that is not SQLite at all is named as such and left alone")
    func notSQLite() throws {
        let path = PMQProcess.tempDB("notes.db")
        try Data(String(repeating: "meeting notes, not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let before = bytes(path)
        let out = try run(path, "count tasks")
        #expect(out.status == 1)
        #expect(out.stderr == "error: cannot open database \(path): it is not a SQLite database\n")
        #expect(bytes(path) == before)
    }

    @Test("a file written by a newer PMQ is refused and not changed")
    func newerSchema() throws {
        let path = try sampleDB("newer.db")
        do { let db = try SQLiteEngine(path: path); try db.execute("PRAGMA user_version = \(Migrations.latest + 7)") }
        let before = bytes(path)
        let out = try run(path, "add task \"U\" wbs 2")
        #expect(out.status == 1)
        #expect(out.stderr == "error: this database was written by a newer PMQ (schema \(Migrations.latest + 7); this PMQ knows up to \(Migrations.latest))\n")
        #expect(bytes(path) == before)
    }

    /// A folder of its own on a small tmpfs (root only; nil elsewhere, and the test says so).
    static func tmpfs(sizeKB: Int) -> String? {
        guard getuid() == 0 else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pmq-fault-\(getpid())-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard (try? PMQProcess.tool(["mount", "-t", "tmpfs", "-o", "size=\(sizeKB)k", "tmpfs", dir]))?.status == 0 else { return nil }
        return dir
    }

    static func unmount(_ dir: String) {
        _ = try? PMQProcess.tool(["umount", dir])
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test("an unwritable database file: a change is refused in one line, the file unchanged")
    func unwritable() throws {
        let path = try sampleDB("readonly.db")
        let before = bytes(path)
        var mounted: String?
        var target = path
        if getuid() == 0 {
            // root writes through file modes: a read-only mount is what stops it.
            guard let dir = Self.tmpfs(sizeKB: 1024) else {
                print("skipped: cannot mount a tmpfs here to make a read-only file")
                return
            }
            mounted = dir
            target = dir + "/readonly.db"
            try before.write(to: URL(fileURLWithPath: target))
            #expect(try PMQProcess.tool(["mount", "-o", "remount,ro", dir]).status == 0)
        } else {
            chmod(path, 0o444)
        }
        defer { if let mounted { Self.unmount(mounted) } else { chmod(path, 0o644) } }
        let out = try run(target, "add task \"U\" wbs 2")
        #expect(out.status == 1)
        #expect(out.stderr.hasPrefix("error: "), "\(out.stderr)")
        #expect(out.stderr.contains("read-only") || out.stderr.contains("cannot be opened"), "\(out.stderr)")
        #expect(out.stderr.split(separator: "\n").count == 1, "\(out.stderr)")
        #expect(!out.stderr.contains("unable to open database file"), "SQLite's own words say nothing of the cause")
        #expect(bytes(target) == before)
    }

    @Test("a full disk: the script fails in a clear line, nothing of it is kept, the file is sound")
    func fullDisk() throws {
        // 1 MiB: a new store with its schema (about 470 KB since schema step 22) and its WAL fit;
        // the script's 6,000 rows of 200-byte names do not.
        guard let dir = Self.tmpfs(sizeKB: 1024) else {
            print("skipped: a full disk is made with a small tmpfs, which needs root and mount")
            return
        }
        defer { Self.unmount(dir) }
        let path = dir + "/plan.db"
        #expect(try run(path, "add project \"P\"").status == 0)
        var script = "use project \"P\"\n"
        for i in 1...6_000 { script += "add task \"\(String(repeating: "x", count: 200)) \(i)\" wbs \(i)\n" }
        let out = try PMQProcess.run(["--db", path], stdin: script)
        #expect(out.status == 1)
        #expect(out.stderr.contains("the disk is full"), "\(out.stderr)")
        #expect(!out.stderr.contains("database or disk is full"), "SQLite's own words are replaced")
        #expect(out.stderr.contains("nothing was changed"), "\(out.stderr)")
        let after = try run(path, "count tasks")
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout == "0\n")
        let db = try SQLiteEngine(path: path)
        #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
    }
}
