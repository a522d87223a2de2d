#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file system error in PMQ's words: what went wrong, never Foundation's text ("The
/// operation could not be completed", error domains, user-info dictionaries with absolute
/// paths). Used wherever a file is read or written (`import`, `export`, `report to`).
enum FileProblem {
    static func describe(_ error: any Error) -> String {
        let e = error as NSError
        if e.domain == NSPOSIXErrorDomain { return posix(Int32(e.code)) }
        if let underlying = e.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        if e.domain == NSCocoaErrorDomain {
            switch e.code {
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
            case NSFileWriteFileExistsError: return "something else is in the way at that name (a folder, or a link that leads nowhere)"
            case NSFileWriteOutOfSpaceError: return "the disk is full"
            case NSFileWriteVolumeReadOnlyError: return "the disk is read-only"
            case NSFileReadCorruptFileError: return "the file cannot be read as text"
            default: break
            }
        }
        if let failure = error as? POSIXError { return posix(failure.code.rawValue) }
        return "the system refused (error \(e.code))"
    }

    /// The C library's words for an errno value, lower-cased as PMQ's messages are.
    static func posix(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let s = String(cString: text)
        return s.prefix(1).lowercased() + s.dropFirst()
    }
}
