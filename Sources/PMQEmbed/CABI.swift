import Foundation
import PMQ

/// The C ABI of include/pmq.h. A `pmq_session *` is an unmanaged, retained `EmbeddedSession`.
final class EmbeddedSession {
    let session: Session
    var dryRun = false

    init(session: Session) { self.session = session }
}

private func embedded(_ p: OpaquePointer?) -> EmbeddedSession? {
    guard let p else { return nil }
    return Unmanaged<EmbeddedSession>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

/// Made once and never freed: callers hold on to the pointer.
private let versionText: UnsafeMutablePointer<CChar>? = strdup(PMQVersion.current)

@_cdecl("pmq_version")
public func pmq_version() -> UnsafePointer<CChar>? {
    versionText.map { UnsafePointer($0) }
}

@_cdecl("pmq_open")
public func pmq_open(_ path: UnsafePointer<CChar>?) -> OpaquePointer? {
    let p = path.map { String(cString: $0) }
    guard let session = try? Session(path: p) else { return nil }
    let e = EmbeddedSession(session: session)
    session.limits.filesOutside = false
    return OpaquePointer(Unmanaged.passRetained(e).toOpaque())
}

@_cdecl("pmq_open_v2")
public func pmq_open_v2(_ path: UnsafePointer<CChar>?, _ errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> OpaquePointer? {
    pmq_open_v3(path, 0, errorOut)
}

/// PMQ_OPEN_INIT in pmq.h.
private let openInit: Int32 = 1

@_cdecl("pmq_open_v3")
public func pmq_open_v3(_ path: UnsafePointer<CChar>?, _ flags: Int32,
                        _ errorOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> OpaquePointer? {
    errorOut?.pointee = nil
    guard flags & ~openInit == 0 else {
        // The value as the caller passed it, and the one flag there is (review 7, W5).
        errorOut?.pointee = strdup("unknown pmq_open_v3 flags \(flags) (the only flag is PMQ_OPEN_INIT, 1)")
        return nil
    }
    let p = path.map { String(cString: $0) }
    do {
        let e = EmbeddedSession(session: try Session(path: p, initialize: flags & openInit != 0))
        e.session.limits.filesOutside = false
        return OpaquePointer(Unmanaged.passRetained(e).toOpaque())
    } catch {
        errorOut?.pointee = strdup("\(error)")
        return nil
    }
}

@_cdecl("pmq_set_option")
public func pmq_set_option(_ handle: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> Int32 {
    guard let e = embedded(handle), let name, let value else { return -1 }
    let key = String(cString: name), text = String(cString: value)
    func flag(_ s: String) -> Bool? { ["1": true, "true": true, "0": false, "false": false][s.lowercased()] }
    switch key {
    case "today":
        guard let d = Day(iso: text), d.isInRange else { return -1 }
        e.session.today = d
    case "readonly":
        guard let b = flag(text) else { return -1 }
        e.session.limits.readOnly = b
    case "max_steps":
        guard let n = Int(text), n >= 0 else { return -1 }
        e.session.limits.maxSteps = n == 0 ? nil : n
    case "timeout_ms":
        guard let n = Int(text), n >= 0 else { return -1 }
        e.session.limits.timeout = n == 0 ? nil : .milliseconds(n)
    case "max_memory":
        guard let n = Int(text), n >= 0 else { return -1 }
        e.session.limits.maxMemory = n == 0 ? nil : n
    case "files":
        guard let b = flag(text) else { return -1 }
        e.session.limits.fileAccess = b
    case "files_outside":
        guard let b = flag(text) else { return -1 }
        e.session.limits.filesOutside = b
    case "dry_run":
        guard let b = flag(text) else { return -1 }
        e.dryRun = b
    default:
        // A NAME that is not a name could never be used by a `param`: refused (review 7, W5).
        guard key.hasPrefix("var."), key.count > 4, ScriptParams.isName(String(key.dropFirst(4))) else { return -1 }
        e.session.params[String(key.dropFirst(4)).lowercased()] = text
        e.session.paramSpelling = "var."
    }
    return 0
}

@_cdecl("pmq_exec")
public func pmq_exec(_ handle: OpaquePointer?, _ source: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    guard let e = embedded(handle) else {
        return strdup(#"{"ok":false,"diagnostics":[{"message":"no session","line":0,"column":0,"id":"io","code":"database-error"}]}"#)
    }
    let text = source.map { String(cString: $0) } ?? ""
    return strdup(EmbeddedJSON.run(e.session, text, dryRun: e.dryRun))
}

@_cdecl("pmq_free")
public func pmq_free(_ json: UnsafeMutablePointer<CChar>?) {
    free(json)
}

@_cdecl("pmq_close")
public func pmq_close(_ handle: OpaquePointer?) {
    guard let handle else { return }
    Unmanaged<EmbeddedSession>.fromOpaque(UnsafeRawPointer(handle)).release()
}

/// The JSON pmq_exec returns: each result as `pmq --format json` prints it.
enum EmbeddedJSON {
    static func run(_ session: Session, _ text: String, dryRun: Bool) -> String {
        var results: [String] = []
        let source = SourceFile(name: "<embed>", text: text)
        let failedBefore = session.failedRuleNames.count
        let diagnostics = session.run(source, dryRun: dryRun) { results.append(json($0, dryRun: dryRun)) }
        if diagnostics.isEmpty {
            // `check` found rows for an error rule: what makes `pmq` exit 1, as a field a host
            // matches on (the text ran and its changes are kept, so "ok" stays true; W4).
            let failed = session.failedRuleNames.dropFirst(failedBefore)
            let failedField = failed.isEmpty ? "" : #","failed_rules":["# + failed.map(string).joined(separator: ",") + "]"
            return #"{"ok":true,"results":["# + results.joined(separator: ",") + "]" + failedField + "}"
        }
        let items = diagnostics.map { d -> String in
            let (line, column) = d.location ?? (0, 0)
            return #"{"message":\#(string(d.message)),"line":\#(line),"column":\#(column),"id":\#(string(d.id.rawValue)),"code":\#(string(d.code.rawValue))}"#
        }
        return #"{"ok":false,"diagnostics":["# + items.joined(separator: ",") + "]}"
    }

    /// In a dry run nothing is kept and no file is written: the message says what would have
    /// happened, as `pmq --dry-run` does (`would have exported 1 project (to a.csv)`).
    static func json(_ r: StatementResult, dryRun: Bool = false) -> String {
        switch r {
        case .change(let c):
            let message = dryRun ? "would have " + c.participle : c.message
            return #"{"changed":\#(c.count),"verb":\#(string(c.verb)),"entity":\#(string(c.entity)),"message":\#(string(message))}"#
        case .text(let t):
            return #"{"print":\#(string(t))}"#
        default:
            return OutputFormat.json.render(r) ?? "null"
        }
    }

    static func string(_ s: String) -> String {
        OutputFormat.json(.text(s))
    }
}
