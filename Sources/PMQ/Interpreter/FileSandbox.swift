#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where a file path really leads, for the C ABI's file sandbox (`files_outside` off).
///
/// Foundation resolves symbolic links only in a path that exists, so a new file inside a
/// linked folder (`export ... to "link/x.csv"`) would be judged by its text and written
/// outside. Here the longest existing part of the path is resolved by the system's
/// `realpath`, and the rest, which does not exist yet, is appended as written. A rest that
/// climbs (`..`) or starts at a dangling link cannot be judged and leads nowhere (nil).
enum FileSandbox {
    static func realPath(_ path: String) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts = absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var rest: [String] = []
        while true {
            let prefix = "/" + parts.joined(separator: "/")
            if let resolved = resolved(prefix) {
                guard !rest.contains(".."), !rest.contains(".") else { return nil }
                return rest.isEmpty ? resolved : (resolved == "/" ? "" : resolved) + "/" + rest.joined(separator: "/")
            }
            // A part that exists but does not resolve is a dangling link (or unreadable).
            if isPresent(prefix) { return nil }
            guard let last = parts.popLast() else { return nil }
            rest.insert(last, at: 0)
        }
    }

    private static func resolved(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// The path names something, a link included, whether or not it leads anywhere.
    private static func isPresent(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }
}

extension FileSandbox {
    /// A file is written only into a folder that is there: `cannot write F: no folder D`.
    static func requireFolder(of path: String, shown: String, _ range: SourceRange) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw RuntimeError(code: .cannotWrite, message: "cannot write \(shown): no folder \(folder.path)", range: range)
        }
    }
}
